"""The administrators' national view of a cycle: completeness, timeliness, aggregates."""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from indicators.models import ModelVersion
from national.selectors import completeness, element_aggregates, indicator_aggregates
from submissions.bulk import bulk_import
from submissions.models import Submission
from submissions.services.cycles import cycle_create
from tests.submissions.helpers import bulk_csv, bulk_rows


def _cycle(admin, *, deadline: date):
    return cycle_create(year=2017, model_version=ModelVersion.objects.get(code="2017"),
                        opens_on=deadline - timedelta(days=60), deadline=deadline, actor=admin)


def test_it_sums_counts_and_takes_rates_as_a_ratio_of_sums(administrator):
    cycle = _cycle(administrator, deadline=timezone.localdate() + timedelta(days=10))
    bulk_import(content=bulk_csv(bulk_rows(["110000", "310000", "660000"])), filename="b.csv",
                year=2017, actor=administrator, approve=True)
    elements = {a.code: a for a in element_aggregates(cycle)}
    from demo.data import element_values

    bj, sh = element_values("110000"), element_values("310000")
    assert elements["P01"].regions == 2  # the corps is inside Xinjiang's figures: not summed
    assert abs(elements["P01"].value - float(bj["P01"] + sh["P01"])) < 1e-6
    assert "E102" not in elements  # an index has no national sum
    rates = {a.code: a for a in indicator_aggregates(cycle)}
    expected = float((bj["E401"] + sh["E401"]) / (bj["P02"] + sh["P02"]) * 100)
    average = float((bj["E401"] / bj["P02"] + sh["E401"] / sh["P02"]) / 2 * 100)
    assert abs(rates["I41"].value - expected) < 1e-9
    assert abs(rates["I41"].value - average) > 1e-6  # not an average of rates
    assert rates["I41"].regions == 2


def test_it_tells_who_is_late(administrator):
    cycle = _cycle(administrator, deadline=date(2018, 3, 31))
    bulk_import(content=bulk_csv(bulk_rows(["110000"])), filename="b.csv", year=2017,
                actor=administrator, approve=True)
    Submission.objects.filter(cycle=cycle, region__code="310000").update(
        state=Submission.State.RETURNED)
    statuses = {s.region.code: s for s in completeness(cycle, today=date(2018, 4, 2))}
    assert statuses["110000"].status == "approved" and not statuses["110000"].late
    assert statuses["310000"].status == "returned" and statuses["310000"].late
    assert statuses["440000"].status == "not_started" and statuses["440000"].late
    before = {s.region.code: s for s in completeness(cycle, today=date(2018, 3, 1))}
    assert not before["440000"].late


def test_it_shows_the_grid_to_administrators_only(admin_client_, reviewer_client, bj_client,
                                                  auditor_client, administrator):
    _cycle(administrator, deadline=timezone.localdate())
    bulk_import(content=bulk_csv(bulk_rows(["110000"])), filename="b.csv", year=2017,
                actor=administrator, approve=True)
    url = reverse("national:cycle", args=[2017])
    page = admin_client_.get(url).content.decode()
    assert 'data-region="110000" data-status="approved"' in page
    assert 'data-region="310000" data-status="not_started"' in page
    assert auditor_client.get(url).status_code == 200
    assert reviewer_client.get(url).status_code == 403
    assert bj_client.get(url).status_code == 403


# --- figures of fewer than all regions are provisional (issue 15, point 2) --------------------


def test_a_figure_of_two_regions_says_so_and_is_provisional(administrator):
    cycle = _cycle(administrator, deadline=timezone.localdate() + timedelta(days=10))
    bulk_import(content=bulk_csv(bulk_rows(["110000", "310000"])), filename="b.csv",
                year=2017, actor=administrator, approve=True)
    elements = {a.code: a for a in element_aggregates(cycle)}
    assert (elements["P01"].regions, elements["P01"].of) == (2, 31)
    assert elements["P01"].provisional
    rates = {a.code: a for a in indicator_aggregates(cycle)}
    assert rates["I41"].provisional


def test_every_region_approved_is_a_national_figure(administrator):
    from indicators.models import Region

    cycle = _cycle(administrator, deadline=timezone.localdate() + timedelta(days=10))
    codes = list(Region.objects.filter(ranked=True).values_list("code", flat=True))
    bulk_import(content=bulk_csv(bulk_rows(codes)), filename="b.csv", year=2017,
                actor=administrator, approve=True)
    elements = {a.code: a for a in element_aggregates(cycle)}
    assert elements["P01"].regions == 31 and not elements["P01"].provisional


def test_the_page_labels_partial_figures_provisional_in_both_languages(admin_client_,
                                                                       administrator):
    _cycle(administrator, deadline=timezone.localdate() + timedelta(days=10))
    bulk_import(content=bulk_csv(bulk_rows(["110000", "310000"])), filename="b.csv",
                year=2017, actor=administrator, approve=True)
    url = reverse("national:cycle", args=[2017])
    html = admin_client_.get(url).content.decode()
    aggregates = html.split('id="element-aggregates"')[1].split("</table>")[0]
    assert "31 个地区中的 2 个" in aggregates and "暂定" in aggregates
    assert 'id="provisional-note"' in html
    english = admin_client_.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    aggregates = english.split('id="element-aggregates"')[1].split("</table>")[0]
    assert "2 of 31 regions" in aggregates and "provisional" in aggregates
    assert "暂定" not in english
