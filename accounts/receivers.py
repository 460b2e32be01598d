"""The rules the accounts app keeps however a change is made (a service, the admin, the shell):
no account joins a second duty (``ROLE_CONFLICT``), and every login starts a session that the
session rules know (its start, its owner's other sessions, a password change that is due)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from accounts import roles
from accounts.errors import role_conflict
from accounts.middleware import SIGNED_IN_LANGUAGE
from accounts.models import User
from accounts.services import session_forget, session_start


@receiver(m2m_changed, sender=User.groups.through)
def refuse_a_second_duty(sender: Any, instance: Any, action: str, reverse: bool,
                         pk_set: set[int] | None, **kwargs: Any) -> None:
    """Before anyone is added to a group: refuse when it would give them two duties."""
    if action != "pre_add" or not pk_set:
        return
    if not reverse:  # user.groups.add(group, ...)
        adding = set(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        people = [instance]
    else:  # group.user_set.add(user, ...)
        adding = {instance.name}
        people = list(User.objects.filter(pk__in=pk_set))
    if not adding & roles.DUTY_ROLES:
        return
    for person in people:
        held = set(person.groups.values_list("name", flat=True))
        if person.is_superuser:
            held.add(roles.ADMINISTRATOR)
        if roles.conflicting_duties(held | adding):
            raise role_conflict(person, held | adding)


@receiver(user_logged_in)
def start_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_start(request=request, user=user)
        if user.language != User._meta.get_field("language").get_default():  # one chosen
            setattr(request, SIGNED_IN_LANGUAGE, user.language)  # UserLanguageMiddleware


@receiver(user_logged_out)
def end_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and key:
        session_forget(session_key=key)
