"""The audit app listens to Django's auth signals, django-axes' lock-out and the user model;
the accounts app never imports the audit app (audit/signals.py)."""

from __future__ import annotations

import ast
from pathlib import Path

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.test import RequestFactory

from audit.models import AuditEntry


def _request():
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.1.2.3",
                                 HTTP_USER_AGENT="Mozilla/5.0 (test)")


WHERE = {"ip": "10.1.2.3", "user_agent": "Mozilla/5.0 (test)"}


def test_it_logs_a_login_and_a_logout_with_who_and_where(officer_bj):
    user_logged_in.send(sender=type(officer_bj), request=_request(), user=officer_bj)
    user_logged_out.send(sender=type(officer_bj), request=_request(), user=officer_bj)
    login, logout = AuditEntry.objects.filter(action__in=["auth.login", "auth.logout"]
                                              ).order_by("sequence")
    assert (login.action, login.actor, login.data) == ("auth.login", officer_bj, WHERE)
    assert (logout.action, logout.actor, logout.object_id) == ("auth.logout", officer_bj,
                                                               str(officer_bj.pk))
    assert logout.data == {**WHERE, "reason": "logout"}


def test_it_logs_nothing_for_the_logout_of_nobody(db):
    user_logged_out.send(sender=None, request=_request(), user=None)
    assert not AuditEntry.objects.filter(action="auth.logout").exists()


def test_it_logs_a_failed_login_and_a_lock_out_under_the_name_tried(db):
    user_login_failed.send(sender=None, credentials={"username": "x" * 200}, request=_request())
    user_locked_out.send(sender=None, request=_request(), username="officer-bj",
                         ip_address="10.1.2.3")
    failed = AuditEntry.objects.get(action="auth.login_failed")
    assert failed.actor is None and failed.object_type == "accounts.user"
    assert failed.data == {"username": "x" * 150, **WHERE}
    assert AuditEntry.objects.get(action="auth.locked_out").data == {
        "username": "officer-bj", **WHERE}


def test_it_does_not_log_a_save_of_the_last_login_alone(officer_bj):
    before = AuditEntry.objects.count()
    officer_bj.save(update_fields=["last_login"])
    assert AuditEntry.objects.count() == before


def test_the_accounts_app_never_imports_the_audit_app():
    for path in (Path(settings.BASE_DIR) / "accounts").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not [n for n in names if n == "audit" or n.startswith("audit.")], path
