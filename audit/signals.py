"""The audit app listens: logins, logouts, failed logins and lock-outs (Django's auth signals,
django-axes' lock-out), each with the client's address and browser; changes to people and their
roles (the user model's saves, its groups); and what the accounts app reports
(``accounts.signals``: second factors enrolled, verified, failed and reset, passwords set,
sessions ended) go to the audit log, each in the transaction of the change.

Here and not in ``accounts``: the audit log depends on the accounts, never the reverse."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from accounts import signals as account_signals
from accounts.models import User
from accounts.signals import LOGOUT_REASON
from audit.services import log_action
from common.client_address import client_address

WATCHED_FIELDS = ("is_active", "is_superuser", "is_staff", "region_id", "username", "email")
# What a user's change records before and after (besides the roles, logged on their own).
COMPARED_FIELDS = ("username", "full_name", "email", "region", "is_active", "language")
BEFORE = "_audit_before"  # the compared values as the database had them, set before a save


def _current_user() -> Any:
    """Who is making the change: the request django-simple-history's middleware keeps."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _ip(request: Any) -> str:
    return client_address(request) if request is not None else ""


def _client(request: Any) -> dict[str, str]:
    """Where a sign-in event came from: the address and the browser (user agent)."""
    if request is None:
        return {"ip": "", "user_agent": ""}
    return {"ip": _ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300]}


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    with transaction.atomic():
        log_action(actor=user, action="auth.login", obj=user, data=_client(request))


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        with transaction.atomic():
            log_action(actor=user, action="auth.logout", obj=user,
                       data={**_client(request),
                             "reason": getattr(request, LOGOUT_REASON, "logout")})


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None,
                    **kwargs: Any) -> None:
    with transaction.atomic():
        log_action(actor=None, action="auth.login_failed", object_type="accounts.user",
                   data={"username": str(credentials.get("username", ""))[:150],
                         **_client(request)})


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: Any, username: str, ip_address: str,
                  **kwargs: Any) -> None:
    with transaction.atomic():
        log_action(actor=None, action="auth.locked_out", object_type="accounts.user",
                   data={"username": username, **_client(request), "ip": ip_address})


def _compared(user: User) -> dict[str, str]:
    """The values a user's change is compared on, as text ("" for none); a region by its
    code, with its names (``region_zh``, ``region_en``) for the audit page's either language."""
    values = {name: str(getattr(user, name)) for name in COMPARED_FIELDS if name != "region"}
    region = user.region
    values.update(region=region.code if region else "",
                  region_zh=region.name_zh if region else "",
                  region_en=region.name_en if region else "")
    return values


def _changes(before: dict[str, str], after: dict[str, str]) -> list[dict[str, str]]:
    changes = []
    for name in COMPARED_FIELDS:
        old, new = before.get(name, ""), after[name]
        if old == new:
            continue
        change = {"field": name, "old": old, "new": new}
        if name == "region":
            change.update(old_zh=before.get("region_zh", ""), old_en=before.get("region_en", ""),
                          new_zh=after["region_zh"], new_en=after["region_en"])
        changes.append(change)
    return changes


@receiver(pre_save, sender=User)
def before_user_saved(sender: Any, instance: User, update_fields: Any = None,
                      **kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    stored = User.objects.filter(pk=instance.pk).select_related("region").first() \
        if instance.pk else None
    setattr(instance, BEFORE, _compared(stored) if stored is not None else None)


@receiver(post_save, sender=User)
def on_user_saved(sender: Any, instance: User, created: bool, update_fields: Any = None,
                  **kwargs: Any) -> None:
    # last_login alone changes at every login, which is logged above already.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    data: dict[str, Any] = {field: str(getattr(instance, field)) for field in WATCHED_FIELDS}
    before = getattr(instance, BEFORE, None) or {}
    after = _compared(instance)
    data["changes"] = _changes(before, after)
    with transaction.atomic():
        log_action(actor=_current_user(), action="user.create" if created else "user.change",
                   obj=instance, region_code=instance.region.code if instance.region else "",
                   data=data)


ROLES_BEFORE = "_audit_roles_before"


@receiver(m2m_changed, sender=User.groups.through)
def on_roles_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if not isinstance(instance, User):
        return
    if action in ("pre_add", "pre_remove", "pre_clear"):
        setattr(instance, ROLES_BEFORE, sorted(instance.groups.values_list("name", flat=True)))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    groups = sorted(instance.groups.values_list("name", flat=True))
    before = getattr(instance, ROLES_BEFORE, None)
    with transaction.atomic():
        log_action(actor=_current_user(), action="user.roles", obj=instance,
                   data={"change": action.removeprefix("post_"), "groups": groups,
                         "changes": [{"field": "roles", "old": ", ".join(before or []),
                                      "new": ", ".join(groups)}]})


# --- what the accounts app reports ----------------------------------------------------------

@receiver(account_signals.second_factor_enrolled)
def on_second_factor_enrolled(sender: Any, user: User, actor: Any, **kwargs: Any) -> None:
    log_action(actor=actor, action="auth.otp_enrol", obj=user)


@receiver(account_signals.second_factor_verified)
def on_second_factor_verified(sender: Any, user: User, actor: Any, device: Any,
                              request: Any = None, **kwargs: Any) -> None:
    with transaction.atomic():
        log_action(actor=actor, action="auth.otp_verify", obj=user,
                   data={**_client(request), "device": device.persistent_id.split("/")[0]})


@receiver(account_signals.second_factor_failed)
def on_second_factor_failed(sender: Any, user: User, actor: Any, request: Any = None,
                            **kwargs: Any) -> None:
    with transaction.atomic():
        log_action(actor=actor, action="auth.otp_failed", obj=user, data=_client(request))


@receiver(account_signals.second_factor_reset)
def on_second_factor_reset(sender: Any, user: User, actor: Any, devices: int,
                           **kwargs: Any) -> None:
    log_action(actor=actor, action="auth.otp_reset", obj=user, data={"devices": devices})


@receiver(account_signals.password_set)
def on_password_set(sender: Any, user: User, actor: Any, temporary: bool,
                    **kwargs: Any) -> None:
    log_action(actor=actor or _current_user() or user, action="auth.password_set", obj=user,
               data={"temporary": temporary})


@receiver(account_signals.sessions_ended)
def on_sessions_ended(sender: Any, user: User, actor: Any, count: int, reason: str,
                      **kwargs: Any) -> None:
    log_action(actor=actor, action="auth.sessions_end", obj=user,
               data={"count": count, "reason": reason})
