"""The reviewers' queue: every submission with a link to its page, filtered, exported."""

from __future__ import annotations

from django.urls import reverse

from indicators.models import Region
from submissions.models import Submission
from tests.factories import CycleFactory

URL = reverse("submissions:queue")


def test_it_links_each_submission_to_its_page(reviewer_client, bj_submission):
    page = reviewer_client.get(URL).content.decode()
    assert f'href="{reverse("submissions:detail", args=[bj_submission.pk])}"' in page


def test_it_exports_the_region_in_the_language_of_the_page(reviewer_client, bj_submission):
    chinese = reviewer_client.get(URL, {"_export": "csv"}).content.decode("utf-8-sig")
    english = reviewer_client.get(URL, {"_export": "csv"},
                                  HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
    assert "北京" in chinese and "Beijing" in english and "北京" not in english


def test_it_reads_a_page_in_a_fixed_number_of_queries(reviewer_client, bootstrapped,
                                                      django_assert_max_num_queries):
    cycle = CycleFactory()
    Submission.objects.bulk_create([Submission(cycle=cycle, region=r)
                                    for r in Region.objects.all()])
    with django_assert_max_num_queries(12):
        assert reviewer_client.get(URL).status_code == 200


# --- the filters and the export (issue 18) ------------------------------------------------------


def _queue_world(officer) -> dict[str, Submission]:
    """2017 and 2018: 北京, 上海 and 广东 in different states, with and without unexplained
    warnings."""
    from datetime import date, timedelta

    from django.utils import timezone

    from submissions.models import Version

    c2017 = CycleFactory()
    c2018 = CycleFactory(year=2018, opens_on=date(2019, 1, 1),
                         deadline=timezone.localdate() + timedelta(days=12))
    made = {}
    for cycle in (c2017, c2018):
        for code, state, unexplained in (("110000", Submission.State.AWAITING_REVIEW, 2),
                                         ("310000", Submission.State.AWAITING_REVIEW, 0),
                                         ("440000", Submission.State.RETURNED, 3)):
            submission = Submission.objects.create(cycle=cycle, region=Region.objects.get(
                code=code), state=state)
            version = Version.objects.create(submission=submission, number=1, source="upload",
                                             created_by=officer, warning_count=1234 + unexplained,
                                             unexplained_warning_count=unexplained)
            submission.current_version = version
            submission.save()
            made[f"{cycle.year}-{code}"] = submission
    Submission.objects.filter(pk=made["2018-310000"].pk).update(
        updated_at=timezone.make_aware(timezone.datetime(2019, 3, 1, 23, 30),
                                       timezone.get_fixed_timezone(0)))
    return made


def _csv(client, params: dict, language: str = "zh-hans") -> list[list[str]]:
    import csv
    import io

    response = client.get(URL, {**params, "_export": "csv"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_filters_say_all_in_words_not_dashes_or_unknown(reviewer_client, bootstrapped):
    page = reviewer_client.get(URL).content.decode()
    assert "---------" not in page and "未知" not in page
    assert page.count(">全部</option>") == 4
    english = reviewer_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert english.count(">All</option>") == 4 and ">Beijing</option>" in english


def test_the_export_has_exactly_the_rows_several_filters_select(reviewer_client, officer_bj):
    made = _queue_world(officer_bj)
    rows = _csv(reviewer_client, {"cycle": made["2018-110000"].cycle_id,
                                  "state": "awaiting_review", "unexplained": "true"})
    assert rows[0] == ["年度", "地区", "状态", "错误", "警告", "未说明的警告", "最后更新", "截止"]
    assert rows[1:] == [["2018", "北京", "待审核", "0", "1236", "2", rows[1][6], "—"]]
    rows = _csv(reviewer_client, {"state": "awaiting_review", "unexplained": "false"})
    assert [(r[0], r[1]) for r in rows[1:]] == [("2018", "上海"), ("2017", "上海")]
    rows = _csv(reviewer_client, {"region": Region.objects.get(code="440000").pk,
                                  "state": "returned"})
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [("2018", "广东", "已退回"),
                                                      ("2017", "广东", "已退回")]


def test_the_export_is_sorted_as_the_page_and_not_cut_to_its_page(reviewer_client, officer_bj):
    _queue_world(officer_bj)
    rows = _csv(reviewer_client, {"sort": "-unexplained", "per_page": "2"})
    assert [int(r[5]) for r in rows[1:]] == [3, 3, 2, 2, 0, 0]
    rows = _csv(reviewer_client, {"sort": "region", "cycle": ""})
    assert [r[1] for r in rows[1:]] == ["北京", "北京", "上海", "上海", "广东", "广东"]


def test_the_export_speaks_the_readers_language_and_local_time(reviewer_client, officer_bj):
    made = _queue_world(officer_bj)
    rows = _csv(reviewer_client, {"region": made["2018-310000"].region_id,
                                  "cycle": made["2018-310000"].cycle_id}, language="en")
    assert rows[0] == ["Year", "Region", "Status", "Errors", "Warnings",
                       "Unexplained warnings", "Last updated", "Deadline"]
    # 23:30 UTC is 07:30 the next morning in Beijing
    assert rows[1] == ["2018", "Shanghai", "Awaiting review", "0", "1234", "0",
                       "2019-03-02 07:30", "—"]


def test_the_deadline_counts_only_where_the_officer_has_to_act(reviewer_client, officer_bj):
    from django.utils import timezone

    from submissions.models import Cycle

    _queue_world(officer_bj)
    overdue = (timezone.localdate() - Cycle.objects.get(year=2017).deadline).days
    rows = _csv(reviewer_client, {"state": "returned"})
    assert [r[7] for r in rows[1:]] == ["还剩 12 天", f"逾期 {overdue:,} 天"]
    english = _csv(reviewer_client, {"state": "returned"}, language="en")
    assert [r[7] for r in english[1:]] == ["12 days left", f"{overdue:,} days overdue"]
    Cycle.objects.filter(year=2017).update(state=Cycle.State.CLOSED)
    rows = _csv(reviewer_client, {"state": "returned"})
    assert [r[7] for r in rows[1:]] == ["还剩 12 天", "已截止"]
    # submitted or decided: the officer has nothing left to do, the deadline says nothing
    assert {r[7] for r in _csv(reviewer_client, {"state": "awaiting_review"})[1:]} == {"—"}


def test_the_xlsx_export_has_one_header_row_and_the_year_as_a_number(reviewer_client,
                                                                      officer_bj):
    import io

    from openpyxl import load_workbook

    made = _queue_world(officer_bj)
    response = reviewer_client.get(URL, {"_export": "xlsx", "state": "awaiting_review",
                                         "cycle": made["2017-110000"].cycle_id,
                                         "sort": "region"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("年度", "地区", "状态")
    assert [r[:5] for r in rows[1:]] == [(2017, "北京", "待审核", 0, 1236),
                                         (2017, "上海", "待审核", 0, 1234)]
