"""A service's refusal and a button form's error, shown the same way on every page
(common/views.py)."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import translation

from common.errors import ApplicationError
from common.views import error_message, form_error_message
from submissions.services.review import SUBMIT_HAS_ERRORS


def _request():
    request = RequestFactory().post("/")
    request.session = {}  # type: ignore[attr-defined]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _shown(request) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_it_shows_the_refusal_in_the_language_of_the_request():
    error = ApplicationError("SUBMIT_HAS_ERRORS", SUBMIT_HAS_ERRORS, params={"count": 2})
    chinese, english = _request(), _request()
    error_message(chinese, error)
    with translation.override("en"):
        error_message(english, error)
    assert _shown(chinese) == [("error", "当前版本有 2 个错误，请改正后再提交")]
    assert _shown(english) == [
        ("error", "The current version has 2 error(s); correct them before submitting")]


class _Form(forms.Form):
    reason = forms.CharField(max_length=3, error_messages={"max_length": "太长"})


def test_it_shows_the_first_error_of_a_form():
    request = _request()
    form = _Form({"reason": "四个字啊"})
    assert not form.is_valid()
    form_error_message(request, form)
    assert _shown(request) == [("error", "太长")]
