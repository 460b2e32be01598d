"""A service's refusal ends a command with its message (common/commands.py)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError

from common.commands import refusals_as_command_errors
from common.errors import ApplicationError


def test_it_turns_a_refusal_into_a_command_error_with_its_message():
    with pytest.raises(CommandError) as caught, refusals_as_command_errors():
        raise ApplicationError("NOTE_REQUIRED", "修订版发布必须填写说明")
    assert str(caught.value) == "修订版发布必须填写说明"


def test_it_lets_every_other_error_through():
    with pytest.raises(ZeroDivisionError), refusals_as_command_errors():
        _ = 1 / 0
