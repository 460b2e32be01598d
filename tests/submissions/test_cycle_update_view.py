"""Changing a cycle's state or deadline: both through forms; anything else is refused with the
cycle unchanged (issue 16, point 5)."""

from __future__ import annotations

from django.urls import reverse

from submissions.models import Cycle
from tests.factories import CycleFactory


def test_it_refuses_a_state_that_does_not_exist(admin_client_, bootstrapped):
    cycle = CycleFactory()
    response = admin_client_.post(reverse("submissions:cycle_update", args=[cycle.pk]),
                                  {"state": "x" * 100_000})
    assert response.status_code == 400
    assert len(response.content) < 100_000
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.OPEN


def test_it_closes_an_open_cycle(admin_client_, bootstrapped):
    cycle = CycleFactory()
    response = admin_client_.post(reverse("submissions:cycle_update", args=[cycle.pk]),
                                  {"state": Cycle.State.CLOSED})
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.CLOSED


def test_it_refuses_a_malformed_deadline(admin_client_, bootstrapped):
    cycle = CycleFactory()
    response = admin_client_.post(reverse("submissions:cycle_update", args=[cycle.pk]),
                                  {"deadline": "2018-02-30"})
    assert response.status_code == 400
    cycle.refresh_from_db()
    assert str(cycle.deadline) == "2018-03-31"


def test_the_cycle_form_says_choose_not_dashes(admin_client_):
    page = admin_client_.get("/submissions/cycles/").content.decode()
    assert "---------" not in page and ">请选择</option>" in page
