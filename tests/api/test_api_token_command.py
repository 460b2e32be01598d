"""``api_token create|list|revoke``."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from accounts import roles
from api.models import ApiToken
from api.services import token_hash
from audit.models import AuditEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_the_token_once_alone_on_its_line(bootstrapped):
    out, err = _run("create", "--name", "gd-stats", "--region", "440000", "--days", "30")
    secret = out.strip()
    assert out.count("\n") == 1 and secret.startswith("ifdi_")
    assert "gd-stats" in err and "440000" in err
    token = ApiToken.objects.get(name="gd-stats")
    assert token.secret_sha256 == token_hash(secret) and token.region.code == "440000"
    assert 29 <= (token.expires_at - token.created_at).days <= 30
    assert AuditEntry.objects.filter(action="api_token.create", region_code="440000").exists()
    listed, _ = _run("list")
    assert "gd-stats\t440000\tactive" in listed and secret not in listed


def test_it_revokes_a_token(bootstrapped):
    _run("create", "--name", "gd-stats", "--region", "440000")
    out, _ = _run("revoke", "gd-stats")
    assert "revoked" in out
    assert ApiToken.objects.get(name="gd-stats").revoked_at is not None
    assert "gd-stats\t440000\trevoked" in _run("list")[0]
    with pytest.raises(CommandError):
        _run("revoke", "gd-stats")


@pytest.mark.parametrize("args", [
    ("create", "--name", "x y", "--region", "440000"),
    ("create", "--name", "gd-stats", "--region", "999999"),
    ("create", "--name", "gd-stats", "--region", "440000", "--days", "0"),
    ("revoke", "nobody"),
])
def test_it_refuses_bad_input_naming_the_problem(bootstrapped, args):
    with pytest.raises(CommandError) as refused:
        _run(*args)
    assert str(refused.value)
    assert not ApiToken.objects.exists()


def test_a_name_is_never_used_twice(bootstrapped):
    _run("create", "--name", "gd-stats", "--region", "440000")
    _run("revoke", "gd-stats")
    with pytest.raises(CommandError, match="gd-stats"):
        _run("create", "--name", "gd-stats", "--region", "440000")


def test_a_named_user_must_be_a_security_administrator(bootstrapped, administrator):
    with pytest.raises(CommandError, match="security administrator"):
        _run("create", "--name", "gd-stats", "--region", "440000", "--user", "admin")
    UserFactory(username="security", role_names=[roles.SECURITY_ADMINISTRATOR])
    _run("create", "--name", "gd-stats", "--region", "440000", "--user", "security")
    assert ApiToken.objects.get(name="gd-stats").created_by.username == "security"
