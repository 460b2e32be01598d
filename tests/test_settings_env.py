"""``config/env.py`` and the settings: a bad environment stops the process, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_optional, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = "IFDI_TEST_VARIABLE"
SECRET = "a-real-secret-for-this-test-only-0123456789"

# --- env_bool -------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "True", "TRUE", "yes", "Yes", "on", " on ", "true\n"])
def test_it_reads_true_words_as_true(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, False) is True


@pytest.mark.parametrize("raw", ["0", "false", "False", "no", "NO", "off", "", "  "])
def test_it_reads_false_words_as_false(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, True) is False


@pytest.mark.parametrize("default", [True, False])
def test_it_returns_the_default_boolean_when_unset(monkeypatch, default):
    monkeypatch.delenv(VAR, raising=False)
    assert env_bool(VAR, default) is default


@pytest.mark.parametrize("raw", ["ture", "2", "y", "enabled", "-1"])
def test_it_refuses_a_word_that_is_not_a_boolean_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_bool(VAR, False)
    assert VAR in str(excinfo.value)
    assert repr(raw) in str(excinfo.value)


# --- env_int --------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("5", 5), (" 42 ", 42), ("-3", -3), ("0", 0)])
def test_it_reads_whole_numbers(monkeypatch, raw, expected):
    monkeypatch.setenv(VAR, raw)
    assert env_int(VAR, 7) == expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_it_returns_the_default_number_when_unset_or_blank(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv(VAR, raising=False)
    else:
        monkeypatch.setenv(VAR, raw)
    assert env_int(VAR, 7) == 7


@pytest.mark.parametrize("raw", ["ten", "1.5", "10s", "0x10"])
def test_it_refuses_a_value_that_is_not_a_whole_number_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR}=.*not a whole number"):
        env_int(VAR, 7)


def test_it_refuses_a_number_below_the_minimum_naming_the_variable(monkeypatch):
    monkeypatch.setenv(VAR, "0")
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR}=0 must be at least 1"):
        env_int(VAR, 5, minimum=1)


def test_it_accepts_a_number_at_the_minimum(monkeypatch):
    monkeypatch.setenv(VAR, "30")
    assert env_int(VAR, 600, minimum=30) == 30


# --- env_list, env_path, env_str, env_optional -----------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a.example.org", ["a.example.org"]),
        ("a.example.org,b.example.org", ["a.example.org", "b.example.org"]),
        (" a , b ,, c ,", ["a", "b", "c"]),
        ("", []),
    ],
)
def test_it_reads_comma_separated_lists(monkeypatch, raw, expected):
    monkeypatch.setenv(VAR, raw)
    assert env_list(VAR, ["default"]) == expected


def test_it_returns_the_default_list_when_unset(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_list(VAR, ["localhost"]) == ["localhost"]


def test_it_reads_paths_absolute_and_resolved(monkeypatch, tmp_path):
    monkeypatch.setenv(VAR, str(tmp_path / "sub" / ".." / "data"))
    assert env_path(VAR, Path("/nowhere")) == (tmp_path / "data").resolve()


def test_it_resolves_relative_paths_and_expands_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(VAR, "relative/data")
    assert env_path(VAR, Path("/nowhere")) == (tmp_path / "relative" / "data").resolve()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(VAR, "~/data")
    assert env_path(VAR, Path("/nowhere")) == (tmp_path / "data").resolve()


@pytest.mark.parametrize("raw", [None, ""])
def test_it_returns_the_default_path_when_unset_or_empty(monkeypatch, tmp_path, raw):
    if raw is None:
        monkeypatch.delenv(VAR, raising=False)
    else:
        monkeypatch.setenv(VAR, raw)
    monkeypatch.chdir(tmp_path)
    assert env_path(VAR, Path("var")) == (tmp_path / "var").resolve()


def test_it_requires_a_string_without_a_default_naming_the_variable(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    with pytest.raises(ImproperlyConfigured, match=VAR):
        env_str(VAR)
    assert env_str(VAR, "fallback") == "fallback"
    monkeypatch.setenv(VAR, "given")
    assert env_str(VAR) == "given"


def test_it_reads_optional_values_blank_as_none(monkeypatch):
    monkeypatch.setenv(VAR, "  ")
    assert env_optional(VAR) is None
    monkeypatch.setenv(VAR, " redis://localhost:6379/0 ")
    assert env_optional(VAR) == "redis://localhost:6379/0"


# --- The settings at start-up (a fresh process each) -----------------------------------------

SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup(); "
    "from django.conf import settings; print('DB', settings.DATABASES['default']['ENGINE'])"
)


def _start(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DEBUG": "0",
        "DATA_DIR": str(tmp_path / "data"),
        **variables,
    }
    return subprocess.run(
        [sys.executable, "-c", SETUP], env=env, cwd=BASE_DIR, capture_output=True, text=True,
        timeout=120, check=False,
    )


def test_it_starts_with_a_secret_key_and_debug_off(tmp_path):
    result = _start(tmp_path, SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr
    assert "DB django.db.backends.sqlite3" in result.stdout


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = _start(tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_it_refuses_the_development_secret_key_when_debug_is_off(tmp_path):
    result = _start(tmp_path, SECRET_KEY="insecure-development-key-only-for-debug-and-tests")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_starts_without_a_secret_key_in_debug(tmp_path):
    result = _start(tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_it_refuses_a_misspelt_debug_value(tmp_path):
    result = _start(tmp_path, DEBUG="ture", SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr


@pytest.mark.parametrize(
    "url", ["", "not-a-url", "foo://db.example.org/ifdi", "postgres://u@h:notaport/db"],
)
def test_it_refuses_an_invalid_database_url(tmp_path, url):
    result = _start(tmp_path, SECRET_KEY=SECRET,
                    DATABASE_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL is not a database URL" in result.stderr


def test_it_uses_postgresql_when_the_url_names_it(tmp_path):
    result = _start(tmp_path, SECRET_KEY=SECRET,
                    DATABASE_URL="postgres://ifdi@db.example.org:5432/ifdi")
    assert result.returncode == 0, result.stderr
    assert "DB django.db.backends.postgresql" in result.stdout


def test_it_refuses_a_bad_number_setting_naming_it(tmp_path):
    result = _start(tmp_path, SECRET_KEY=SECRET,
                    UPLOAD_MAX_BYTES="10MB")
    assert result.returncode != 0
    assert "UPLOAD_MAX_BYTES='10MB' is not a whole number" in result.stderr


# --- No side effects; test mode from the environment ----------------------------------------


def test_it_makes_no_folder_when_the_settings_are_read(tmp_path):
    result = _start(tmp_path, SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data").exists()


def test_it_is_in_test_mode_only_when_the_environment_says_so(tmp_path):
    code = SETUP + "; print('TESTING', settings.TESTING, settings.SESSION_COOKIE_SECURE)"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "DATA_DIR": str(tmp_path / "data")}
    # "pytest" imported or not, the process is in test mode only with TESTING=1.
    production = subprocess.run([sys.executable, "-c", "import pytest; " + code],
                                env={**env, "SECRET_KEY": SECRET}, cwd=BASE_DIR,
                                capture_output=True, text=True, timeout=120, check=False)
    testing = subprocess.run([sys.executable, "-c", code], env={**env, "TESTING": "1"},
                             cwd=BASE_DIR, capture_output=True, text=True, timeout=120,
                             check=False)
    assert "TESTING False True" in production.stdout, production.stderr
    assert "TESTING True False" in testing.stdout, testing.stderr


def test_it_runs_this_suite_in_test_mode_from_the_environment(settings):
    assert os.environ["TESTING"] == "1"  # pytest-env, from pyproject.toml
    assert settings.TESTING is True
