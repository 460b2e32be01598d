"""The administrators' what-if pages: the studio (administrators only; computing stores
nothing), saving a scenario (stored, audited, never published), the saved scenarios (read by
auditors too) — watermarked 模拟 wherever a scenario appears."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from scoring import studio_selectors
from scoring.models import Scenario
from scoring.studio import default_scenario, parse_scenario
from scoring.studio_forms import query_of
from tests.public.conftest import Tables
from tests.scoring.studio_world import (  # noqa: F401  (fixtures)
    clients_fixture,
    fresh_fixture,
    world_fixture,
)
from tests.test_translations import _chinese_in, _visible_text


def studio_url(world: Any, **changes: str) -> str:
    data = studio_selectors.run_data(world.run2017)
    query = query_of(default_scenario(data.spec), data.spec) | changes
    return f"{reverse('scoring:studio', args=[world.cycle2017.pk])}?{urlencode(query)}"


def scenario_query(world: Any, parameters: dict[str, Any]) -> dict[str, str]:
    data = studio_selectors.run_data(world.run2017)
    return query_of(parse_scenario(parameters, data.spec), data.spec)


@pytest.mark.parametrize(("role", "status"), [
    ("administrator", 200), ("auditor", 403), ("reviewer", 403), ("officer", 403),
    ("anonymous", 302)])
def test_it_opens_the_studio_to_administrators_only(world, clients, role, status):
    response = clients[role].get(reverse("scoring:studio", args=[world.cycle2017.pk]))
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith(reverse("accounts:login"))


def test_it_shows_the_models_own_settings_as_the_official_ranking(world, clients):
    response = clients["administrator"].get(reverse("scoring:studio",
                                                    args=[world.cycle2017.pk]))
    html = response.content.decode()
    tables = Tables(html)
    assert 'data-watermark="模拟"' in html and "模拟结果，不是正式排名" in html
    assert tables.tables["scenario-table"][0][:2] == ["1", "北京"]
    assert tables.tables["scenario-table"][0][8] == "82.97"
    changes = [row[-1] for row in tables.tables["scenario-table"]]
    assert set(changes[:31]) == {"="} and changes[31] == "—"  # the corps: not ranked
    assert ">1.000<" in html  # Kendall's tau against the official run


def test_it_computes_a_scenario_from_the_query_and_stores_nothing(world, clients):
    before = (Scenario.objects.count(), AuditEntry.objects.count())
    url = studio_url(world, p_D6="0", aggregation="geometric")
    html = clients["administrator"].get(url).content.decode()
    tables = Tables(html)
    assert "不计入" in tables.headers["scenario-table"][7]
    assert {row[7] for row in tables.tables["scenario-table"]} == {"—"}
    assert any(row[-1].startswith(("↑", "↓")) for row in tables.tables["scenario-table"])
    assert (Scenario.objects.count(), AuditEntry.objects.count()) == before


def test_it_shows_a_refusal_at_its_field_by_the_indicators_name(world, clients):
    url = studio_url(world, aggregation="geometric", k_I41="zscore")
    html = clients["administrator"].get(url).content.decode()
    assert "几何平均不能与 z 分数一起使用" in html
    assert "固定宽带家庭普及率" in html.split("几何平均不能与 z 分数一起使用", 1)[1][:200]
    assert "scenario-table" not in html
    html = clients["administrator"].get(studio_url(world, w_I11="-1")).content.decode()
    assert "是负数" in html and "“网民普及率”" in html and "“I11”" not in html


def test_it_saves_a_scenario_with_its_name_and_note_and_audits_it(world, clients):
    query = scenario_query(world, {"dimension_points": {"D2": 30}})
    response = clients["administrator"].post(
        reverse("scoring:scenario_save", args=[world.cycle2017.pk]),
        {**query, "name": "产业加权", "note": "信息技术产业 30 分"})
    saved = Scenario.objects.get(name="产业加权")
    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:scenario", args=[saved.pk])
    assert saved.note == "信息技术产业 30 分" and saved.base_run == world.run2017
    assert saved.parameters["dimension_points"]["D2"] == 30.0
    assert saved.kendall_tau is not None and saved.kendall_tau < 1.0
    entry = AuditEntry.objects.get(action="scoring.scenario_save", object_id=str(saved.pk))
    assert entry.data["name"] == "产业加权" and entry.cycle_year == 2017
    assert entry.data["parameters"]["dimension_points"]["D2"] == 30.0

    page = clients["administrator"].get(response["Location"]).content.decode()
    assert "产业加权" in page and 'data-watermark="模拟"' in page
    assert Tables(page).tables["scenario-changes"] == [["方面分值：信息技术产业", "20", "30"]]


@pytest.mark.parametrize(("name", "message"), [("", "请为模拟方案填写名称"),
                                               ("x" * 101, "最多 100 个字")])
def test_it_refuses_a_scenario_without_a_proper_name(world, clients, name, message):
    response = clients["administrator"].post(
        reverse("scoring:scenario_save", args=[world.cycle2017.pk]),
        {**scenario_query(world, {}), "name": name})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.split('id="scenario-name-error"', 1)[1].split("</", 1)[0]
    assert not Scenario.objects.exists()


def test_it_refuses_a_note_too_long_at_its_field(world, clients):
    from scoring.forms import SCENARIO_NOTE_MAX_LENGTH

    response = clients["administrator"].post(
        reverse("scoring:scenario_save", args=[world.cycle2017.pk]),
        {**scenario_query(world, {}), "name": "长说明", "note": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 400
    html = response.content.decode()
    assert str(SCENARIO_NOTE_MAX_LENGTH) in html.split('id="scenario-note-error"', 1)[1]
    assert len(response.content) < 200_000
    assert not Scenario.objects.exists()


def test_it_refuses_a_second_scenario_of_the_same_name(world, clients):
    url = reverse("scoring:scenario_save", args=[world.cycle2017.pk])
    data = {**scenario_query(world, {}), "name": "同名"}
    assert clients["administrator"].post(url, data).status_code == 302
    response = clients["administrator"].post(url, data)
    assert response.status_code == 400
    assert "已有名为“同名”的模拟方案" in response.content.decode()
    assert Scenario.objects.filter(name="同名").count() == 1


def test_it_lets_no_one_but_an_administrator_save(world, clients):
    url = reverse("scoring:scenario_save", args=[world.cycle2017.pk])
    data = {**scenario_query(world, {}), "name": "试"}
    for role in ("auditor", "reviewer", "officer"):
        assert clients[role].post(url, data).status_code == 403
    assert not Scenario.objects.exists()


def make_scenarios(world: Any, count: int) -> list[Scenario]:
    from scoring.services_scenarios import scenario_save

    return [scenario_save(cycle=world.cycle2017, base_run=world.run2017, name=f"方案{k}",
                          note="", parameters={"indicator_weights": {"I11": k + 2}},
                          actor=world.admin) for k in range(count)]


def test_it_lists_saved_scenarios_for_administrators_and_auditors(world, clients,
                                                                  django_assert_max_num_queries):
    scenarios = make_scenarios(world, 2)
    url = reverse("scoring:scenarios", args=[world.cycle2017.pk])
    for role, status in (("administrator", 200), ("auditor", 200), ("reviewer", 403),
                         ("officer", 403)):
        assert clients[role].get(url).status_code == status
    html = clients["auditor"].get(url).content.decode()
    assert all(s.name in html for s in scenarios) and html.count("sim-badge") >= 3
    # The list costs the same number of queries however many scenarios there are.
    with django_assert_max_num_queries(12) as few:
        clients["auditor"].get(url)
    make_scenarios_more = [Scenario(cycle=world.cycle2017, base_run=world.run2017,
                                    name=f"更多{k}", parameters={}, created_by=world.admin)
                           for k in range(10)]
    Scenario.objects.bulk_create(make_scenarios_more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        clients["auditor"].get(url)


def test_it_shows_a_saved_scenario_to_auditors_without_the_studio_link(world, clients):
    saved = make_scenarios(world, 1)[0]
    url = reverse("scoring:scenario", args=[saved.pk])
    auditor = clients["auditor"].get(url).content.decode()
    assert "方案0" in auditor and "在模拟测算中打开" not in auditor
    admin = clients["administrator"].get(url).content.decode()
    assert 'id="open-in-studio"' in admin
    assert clients["reviewer"].get(url).status_code == 403
    assert clients["anonymous"].get(url).status_code == 302


def test_it_shows_the_studio_in_english(world, clients):
    html = clients["administrator"].get(
        reverse("scoring:studio", args=[world.cycle2017.pk]),
        HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What-if studio for 2017" in html and "Scenario rank" in html
    assert "Internet penetration" in html and "Beijing" in html
    assert not _chinese_in(_visible_text(html)), _chinese_in(_visible_text(html))
    assert 'data-watermark="Simulation"' in html
