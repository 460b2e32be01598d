"""Writes of the accounts app: the role groups and their permissions, roles given and taken
(never two duties at once), passwords, second factors and sessions.

Each change is reported through ``accounts.signals`` inside its transaction; the audit log
listens (``accounts`` never imports ``audit``)."""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import QuerySet
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles, signals
from accounts.errors import (
    ALREADY_ENROLLED,
    ALREADY_ENROLLED_MESSAGE,
    LANGUAGE_INVALID,
    LANGUAGE_INVALID_MESSAGE,
    NOT_SECURITY_ADMINISTRATOR,
    NOT_SECURITY_ADMINISTRATOR_MESSAGE,
    TOKEN_INVALID,
    TOKEN_INVALID_MESSAGE,
    role_conflict,
)
from accounts.models import PasswordRecord, User, UserSession
from accounts.selectors import password_change_due
from common.errors import ApplicationError

# The apps whose admin pages are the security administrator's: people, roles, second factors,
# lock-outs. The administrator has every other permission; the audit log is the auditor's.
SECURITY_APPS = ("accounts", "auth", "otp_totp", "otp_static", "axes")
AUDIT_APPS = ("audit",)

# Model permissions per role, for the Django admin; the platform's own pages check roles
# through accounts.roles and the per-object helpers, not these.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    roles.OFFICER: ["submissions.view_submission", "submissions.add_version"],
    roles.REVIEWER: ["submissions.view_submission", "submissions.change_submission",
                     "submissions.add_comment"],
    roles.ADMINISTRATOR: ["platform"],
    roles.SECURITY_ADMINISTRATOR: ["security"],
    roles.AUDITOR: ["view"],
}

RECOVERY_CODES = 10
PASSWORDS_KEPT = 5

# What the session rules keep in each session (accounts/middleware.py reads them).
LOGIN_AT = "security.login_at"
SEEN_AT = "security.seen_at"
PASSWORD_DUE = "security.password_due"  # noqa: S105 - a session key, not a secret


def _permissions(wanted: list[str]) -> QuerySet[Permission]:
    if wanted == ["platform"]:
        return Permission.objects.exclude(
            content_type__app_label__in=SECURITY_APPS + AUDIT_APPS)
    if wanted == ["security"]:
        return Permission.objects.filter(content_type__app_label__in=SECURITY_APPS)
    if wanted == ["view"]:
        return Permission.objects.filter(codename__startswith="view_")
    perms = Permission.objects.none()
    for label in wanted:
        app_label, codename = label.split(".")
        perms = perms | Permission.objects.filter(content_type__app_label=app_label,
                                                  codename=codename)
    return perms


@transaction.atomic
def groups_ensure() -> int:
    """Create the role groups and give them their permissions; safe to run again."""
    created = 0
    for name, wanted in ROLE_PERMISSIONS.items():
        group, was_created = Group.objects.get_or_create(name=name)
        created += was_created
        group.permissions.set(_permissions(wanted))
    return created


# --- roles -------------------------------------------------------------------------------------

@transaction.atomic
def user_role_grant(*, user: User, role: str, actor: User | None) -> None:
    """Give ``user`` a role; refused with ROLE_CONFLICT when it would be a second duty."""
    held = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        held.add(roles.ADMINISTRATOR)
    if roles.conflicting_duties(held | {role}):
        raise role_conflict(user, held | {role})
    user.groups.add(Group.objects.get_or_create(name=role)[0])  # audited: user.roles
    user.__dict__.pop("_role_cache", None)


@transaction.atomic
def user_role_revoke(*, user: User, role: str, actor: User | None) -> None:
    group = Group.objects.filter(name=role).first()
    if group is not None:
        user.groups.remove(group)  # audited: user.roles
    user.__dict__.pop("_role_cache", None)


# --- passwords ---------------------------------------------------------------------------------

@transaction.atomic
def password_record(*, user: User, temporary: bool = False) -> PasswordRecord:
    """Keep the user's new password (its hash) in the history and forget the ones past the
    last five: called by the history validator whenever a password is saved."""
    record = PasswordRecord.objects.create(user=user, password=user.password,
                                           temporary=temporary)
    old = list(PasswordRecord.objects.filter(user=user)
               .values_list("pk", flat=True)[PASSWORDS_KEPT:])
    if old:
        PasswordRecord.objects.filter(pk__in=old).delete()  # hashes, not records of work
    signals.password_set.send(sender=User, user=user, actor=None, temporary=temporary)
    return record


# --- second factors ----------------------------------------------------------------------------

@transaction.atomic
def second_factor_enrol(*, user: User, key: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """Bind the authenticator whose secret is ``key`` (hex) once it shows a right ``token``, and
    make ten new recovery codes (each works once); the codes are returned to be shown once."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ApplicationError(ALREADY_ENROLLED, ALREADY_ENROLLED_MESSAGE)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="TOTP", key=key, confirmed=False)
    if not device.verify_token(token.strip()):
        raise ApplicationError(TOKEN_INVALID, TOKEN_INVALID_MESSAGE, field="token")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    signals.second_factor_enrolled.send(sender=User, user=user, actor=user, device=device)
    return device, codes


@transaction.atomic
def second_factor_reset(*, user: User, actor: User) -> int:
    """A security administrator removes a person's authenticator and recovery codes (lost
    phone): the person enrols again at the next login; their sessions end now."""
    if not roles.is_security_administrator(actor):
        raise ApplicationError(NOT_SECURITY_ADMINISTRATOR, NOT_SECURITY_ADMINISTRATOR_MESSAGE)
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    sessions_end(user=user, actor=actor, reason="second_factor_reset")
    signals.second_factor_reset.send(sender=User, user=user, actor=actor, devices=removed)
    return removed


# --- sessions ----------------------------------------------------------------------------------

def _delete_stored_sessions(keys: list[str]) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()


@transaction.atomic
def sessions_end(*, user: User, actor: User | None, reason: str,
                 keys: list[str] | None = None, keep: str | None = None) -> int:
    """End sessions of ``user`` (all, or ``keys``; never ``keep``): they are signed out at
    their next request."""
    rows = UserSession.objects.select_for_update().filter(user=user)
    if keys is not None:
        rows = rows.filter(session_key__in=keys)
    if keep:
        rows = rows.exclude(session_key=keep)
    ended = list(rows.values_list("session_key", flat=True))
    if not ended:
        return 0
    _delete_stored_sessions(ended)
    UserSession.objects.filter(session_key__in=ended).delete()
    signals.sessions_ended.send(sender=User, user=user, actor=actor, count=len(ended),
                                reason=reason)
    return len(ended)


def _client(request: Any) -> tuple[str, str]:
    meta = getattr(request, "META", {})
    return meta.get("REMOTE_ADDR", "")[:45], meta.get("HTTP_USER_AGENT", "")[:300]


@transaction.atomic
def session_start(*, request: Any, user: User) -> None:
    """At every login: the session's start (for the timeouts), whether a password change is
    due, its record; a staff account's sessions past the limit end, the oldest first."""
    session = request.session
    now = time.time()
    session[LOGIN_AT] = now
    session[SEEN_AT] = now
    session[PASSWORD_DUE] = password_change_due(user)
    if session.session_key is None:
        session.save()
    key = session.session_key
    ip, agent = _client(request)
    UserSession.objects.update_or_create(session_key=key, defaults={
        "user": user, "ip": ip, "user_agent": agent})
    if roles.is_national_staff(user):
        limit = settings.SESSION_MAX_PER_STAFF
        older = list(UserSession.objects.filter(user=user).exclude(session_key=key)
                     .order_by("-created_at", "-id").values_list("session_key", flat=True))
        if len(older) >= limit:
            sessions_end(user=user, actor=None, reason="session_limit",
                         keys=older[limit - 1:])


def session_forget(*, session_key: str) -> None:
    """A session that ended by logging out: its record goes too."""
    UserSession.objects.filter(session_key=session_key).delete()


def session_rekey(*, old: str | None, new: str | None) -> None:
    """The session got a new key (a password change cycles it): its record follows."""
    if old and new and old != new:
        UserSession.objects.filter(session_key=old).update(session_key=new)


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """The person's language (one of ``settings.LANGUAGES``): their e-mails are written in it.
    The user's save is audited with the language before and after (audit.signals)."""
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(LANGUAGE_INVALID, LANGUAGE_INVALID_MESSAGE, field="language")
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.language != language:
        locked.language = language
        locked.save(update_fields=["language"])
    return locked
