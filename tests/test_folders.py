"""``config/folders.py``: the data folders are made at start and by the Celery app, and a
folder that cannot be made stops the start naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.core.checks import Error

from config.celery import _make_broker_folders
from config.folders import broker_folders, check_data_folders

BASE_DIR = Path(__file__).resolve().parent.parent


def _manage_check(tmp_path: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "DEBUG": "1", "DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "manage.py", "check"], env=env, cwd=BASE_DIR,
                          capture_output=True, text=True, timeout=120, check=False)


def test_it_makes_the_data_folders_at_start(tmp_path):
    data_dir = tmp_path / "fresh" / "data"
    result = _manage_check(tmp_path, data_dir)
    assert result.returncode == 0, result.stderr
    assert (data_dir / "static").is_dir()
    assert {p.name for p in (data_dir / "broker").iterdir()} == {"in", "processed", "control"}


def test_it_names_a_folder_it_cannot_make(settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.DATA_DIR = blocker / "data"
    settings.STATIC_ROOT = blocker / "data" / "static"
    problems = check_data_folders()
    assert [p.id for p in problems] == ["config.E001"]
    assert str(blocker / "data") in problems[0].msg


def test_it_reports_no_problem_when_the_folders_are_writable(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.STATIC_ROOT = tmp_path / "data" / "static"
    assert check_data_folders() == []
    assert (tmp_path / "data" / "static").is_dir()


def test_it_reports_an_unwritable_folder(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.STATIC_ROOT = tmp_path / "data" / "static"
    (tmp_path / "data" / "static").mkdir(parents=True)
    (tmp_path / "data").chmod(0o500)
    try:
        problems = check_data_folders()
    finally:
        (tmp_path / "data").chmod(0o700)
    if os.geteuid() == 0:  # root writes anywhere: the check rightly finds nothing wrong
        assert problems == []
    else:
        assert [p.id for p in problems] == ["config.E002"]
        assert isinstance(problems[0], Error)


def test_the_celery_app_makes_the_filesystem_broker_folders(settings, tmp_path):
    broker = tmp_path / "broker"
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(broker / "in"), "data_folder_out": str(broker / "in"),
        "processed_folder": str(broker / "processed"), "control_folder": str(broker / "control"),
    }
    _make_broker_folders(sender="submissions.tasks.validate_version")
    assert sorted(p.name for p in broker.iterdir()) == ["control", "in", "processed"]


def test_it_makes_no_broker_folder_on_redis(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert broker_folders() == []
