"""Changing a cycle's state or deadline: both through forms; anything else is refused with the
cycle unchanged (issue 16, point 5)."""

from __future__ import annotations

from django.urls import reverse

from audit.models import AuditEntry
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


def test_it_closes_an_open_cycle_after_a_confirmation(admin_client_, bootstrapped):
    cycle = CycleFactory()
    url = reverse("submissions:cycle_update", args=[cycle.pk])
    page = admin_client_.post(url, {"state": Cycle.State.CLOSED})
    assert page.status_code == 200  # what will happen, and the deliberate second action
    text = page.content.decode()
    assert f"确认截止 {cycle.year} 年度填报" in text and 'name="confirm" value="1"' in text
    assert "不能再上传、修改、说明或提交" in text
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.OPEN
    response = admin_client_.post(url, {"state": Cycle.State.CLOSED, "confirm": "1"},
                                  follow=True)
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.CLOSED
    assert f"已截止 {cycle.year} 年度填报" in response.content.decode()


def test_it_reopens_a_closed_cycle_only_with_a_reason(admin_client_, bootstrapped):
    cycle = CycleFactory(state=Cycle.State.CLOSED)
    url = reverse("submissions:cycle_update", args=[cycle.pk])
    page = admin_client_.post(url, {"state": Cycle.State.OPEN})
    assert page.status_code == 200 and "id_confirm_reason" in page.content.decode()
    refused = admin_client_.post(url, {"state": Cycle.State.OPEN, "confirm": "1"})
    assert refused.status_code == 400
    assert "请填写原因" in refused.content.decode()
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.CLOSED
    admin_client_.post(url, {"state": Cycle.State.OPEN, "confirm": "1",
                             "reason": "两个地区补报"})
    cycle.refresh_from_db()
    assert cycle.state == Cycle.State.OPEN
    entry = AuditEntry.objects.filter(action="cycle.state").latest("id")
    assert entry.data["reason"] == "两个地区补报"


def test_it_confirms_in_english(admin_client_, bootstrapped):
    cycle = CycleFactory()
    page = admin_client_.post(reverse("submissions:cycle_update", args=[cycle.pk]),
                              {"state": Cycle.State.CLOSED}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert f"Confirm closing the {cycle.year} reporting cycle" in text
    assert "截止" not in text.split("<main", 1)[-1]


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
