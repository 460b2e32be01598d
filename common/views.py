"""What every view does the same way."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from common.errors import ApplicationError


def error_message(request: HttpRequest, exc: ApplicationError) -> None:
    """Show a service's refusal on the next page, in the request's language."""
    messages.error(request, exc.message)


def form_error_message(request: HttpRequest, form: forms.Form) -> None:
    """Show the first error of a form that has no page of its own to be shown again on (a
    button's form posted from another page)."""
    errors = form.errors.get_json_data()
    first = next(iter(errors.values()))[0] if errors else None
    if first:
        messages.error(request, first["message"])


F = TypeVar("F", bound=forms.BaseForm)


def shown_again(form: F) -> F:
    """A refused form, to be shown again with its errors at its fields: each text is cut at its
    field's bound, so that a 5 MB text refused as too long does not come back in the page."""
    data: Any = copy.copy(form.data)  # a QueryDict's copy is mutable
    for name, field in form.fields.items():
        limit = getattr(field, "max_length", None)
        key = form.add_prefix(name)
        if limit and isinstance(data.get(key), str) and len(data[key]) > limit:
            data[key] = data[key][:limit]
    form.data = data
    return form
