"""Security: CSRF, cookies, Content-Security-Policy without inline script, headers,
`check --deploy`, formula escaping in every export, password rules."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from openpyxl import load_workbook

from common.exports import escape_formula, to_csv, to_xlsx
from tests.factories import PASSWORD


def test_it_refuses_a_post_without_a_csrf_token(officer_bj, bj_submission):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_bj, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(f"/submissions/{bj_submission.pk}/submit/")
    assert response.status_code == 403
    bj_submission.refresh_from_db()
    assert bj_submission.state == "draft"


def test_it_sends_a_csp_without_inline_script_and_security_headers(anon_client, bootstrapped):
    response = anon_client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_it_sends_hsts_over_https(anon_client, bootstrapped, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = anon_client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/submissions/", "/submissions/queue/"])
def test_it_has_no_inline_script_on_its_pages(url, bj_client, reviewer_client, bootstrapped):
    client = reviewer_client if "queue" in url else bj_client
    html = client.get(url, follow=True).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=\"", html), "inline event handler"


def test_it_marks_session_and_csrf_cookies(officer_bj, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client = Client()
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "officer-bj", "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["secure"] and session["samesite"] == "Lax"


def test_it_passes_check_deploy_under_production_settings(tmp_path):
    """Given only DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and HTTPS=1: HSTS and the HTTPS redirect
    default to on behind HTTPS."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "TESTING") and not k.startswith("SECURE_")}
    env.update({"DEBUG": "0", "SECRET_KEY": "x" * 30 + "-Production-Secret-Key-9f8a7b6c5d4e",
                "ALLOWED_HOSTS": "ifdi.example.gov.cn", "HTTPS": "1",
                "DATA_DIR": str(tmp_path)})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy",
                             "--fail-level", "WARNING"], env=env, capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.dirname(__file__)), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"])
def test_it_escapes_formulas_in_csv_and_xlsx(text):
    assert escape_formula(text) == "'" + text
    csv_text = to_csv(["name"], [{"name": text}]).decode("utf-8-sig")
    assert csv_text.splitlines()[1].strip('"').startswith("'")
    sheet = load_workbook(io.BytesIO(to_xlsx(["name"], [{"name": text}]))).active
    assert sheet["A2"].value.startswith("'") and sheet["A2"].data_type == "s"


def test_it_keeps_numbers_as_numbers():
    assert escape_formula(-5) == -5
    sheet = load_workbook(io.BytesIO(to_xlsx(["n"], [{"n": -5}]))).active
    assert sheet["A2"].value == -5


def test_it_refuses_weak_passwords(bootstrapped):
    for weak in ("12345678901", "password123", "short"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("a-much-longer passphrase 2017")


def test_it_keeps_the_admin_for_administrators(reviewer_client, admin_client_, bj_client,
                                               auditor_client, security_client):
    assert admin_client_.get("/admin/").status_code == 200
    assert security_client.get("/admin/").status_code == 200
    for client in (reviewer_client, bj_client, auditor_client):
        assert client.get("/admin/").status_code == 302  # to the admin's login


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_refuses_every_write_of_an_auditor(method, auditor_client, bj_submission):
    for url in (f"/submissions/{bj_submission.pk}/submit/", "/rankings/", "/audit/",
                f"/submissions/{bj_submission.pk}/"):
        assert getattr(auditor_client, method)(url).status_code == 403
    bj_submission.refresh_from_db()
    assert bj_submission.state == "draft"


def test_it_lets_an_auditor_log_out(auditor_client):
    assert auditor_client.post("/accounts/logout/").status_code == 302
