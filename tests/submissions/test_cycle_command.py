"""`cycle open|close|reopen|status` (issue 15, point 1): the command and its flags are the
deliberate action; bad input ends with a message and a non-zero exit."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from submissions.models import Cycle, Submission
from tests.factories import CycleFactory


def test_it_opens_closes_reopens_and_reports_a_cycle(bootstrapped, capsys):
    call_command("cycle", "open", "--year", "2019", "--model", "2017",
                 "--deadline", "2020-03-31")
    cycle = Cycle.objects.get(year=2019)
    assert (cycle.state, str(cycle.deadline), cycle.model_version.code) == (
        "open", "2020-03-31", "2017")
    assert "cycle 2019: open" in capsys.readouterr().out
    call_command("cycle", "close", "--year", "2019")
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.CLOSED
    call_command("cycle", "reopen", "--year", "2019", "--reason", "两个地区补报")
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.OPEN
    entry = AuditEntry.objects.filter(action="cycle.state").latest("sequence")
    assert entry.data == {"from": "closed", "to": "open", "reason": "两个地区补报"}
    capsys.readouterr()
    call_command("cycle", "status", "--year", "2019")
    out = capsys.readouterr().out.splitlines()
    regions = Submission.objects.filter(cycle=cycle).count()
    assert out[:3] == ["cycle 2019: open", "model: 2017", "deadline: 2020-03-31"]
    assert f"draft: {regions}" in out and "approved: 0" in out


@pytest.mark.parametrize(("args", "message"), [
    (["close", "--year", "2030"], "no cycle 2030"),
    (["status", "--year", "2030"], "no cycle 2030"),
    (["open", "--year", "2019", "--model", "nope", "--deadline", "2020-03-31"],
     "no model version 'nope'"),
    (["open", "--year", "2019", "--model", "2017", "--deadline", "2020-02-30"],
     "is not a date"),
    (["reopen", "--year", "2017", "--reason", "  "], "--reason must say why"),
])
def test_it_refuses_bad_input_with_a_message(bootstrapped, args, message):
    CycleFactory(state=Cycle.State.CLOSED)
    with pytest.raises(CommandError) as caught:
        call_command("cycle", *args)
    assert message in str(caught.value)


def test_it_needs_a_reason_to_reopen(bootstrapped):
    with pytest.raises(CommandError):
        call_command("cycle", "reopen", "--year", "2017")


def test_it_refuses_to_close_a_closed_cycle(bootstrapped):
    call_command("cycle", "open", "--year", "2019", "--model", "2017",
                 "--deadline", "2020-03-31")
    call_command("cycle", "close", "--year", "2019")
    with pytest.raises(CommandError) as caught:
        call_command("cycle", "close", "--year", "2019")
    assert "已截止" in str(caught.value)
