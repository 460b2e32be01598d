"""``accounts.context_processors.roles_context``: what every template knows of the user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from accounts import roles
from accounts.context_processors import roles_context

pytestmark = pytest.mark.django_db


def _context(user) -> dict:
    request = RequestFactory().get("/")
    request.user = user
    return roles_context(request)


def test_it_tells_a_template_an_officers_role(officer_bj):
    context = _context(officer_bj)
    assert context["user_roles"] == {roles.OFFICER}
    assert context["is_officer"] is True
    assert not (context["is_reviewer"] or context["is_administrator"] or context["is_auditor"])


def test_it_tells_a_template_a_visitor_has_no_role():
    context = _context(AnonymousUser())
    assert context["user_roles"] == frozenset()
    assert not any(context[key] for key in ("is_officer", "is_reviewer", "is_administrator",
                                            "is_auditor"))


def test_it_tells_a_template_an_auditor_is_only_an_auditor(auditor):
    context = _context(auditor)
    assert context["is_auditor"] is True
    assert not (context["is_officer"] or context["is_reviewer"] or context["is_administrator"])
