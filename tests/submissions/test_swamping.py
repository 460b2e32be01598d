"""One upload cannot swamp the platform (issue 16, point 2).

Found by the probe: a 3.1 MB CSV (under the 10 MB limit) of the real rows plus 249,000
duplicate rows stored 249,000 validation issues; the submission page became 41 MB and took
22 s, its timeline 37 MB, and four such page views held every web thread. Now:

* a file with far more rows than the model has elements is refused whole, its message naming
  the file's row count and the model's element count;
* at most ``MAX_ISSUES_PER_RULE`` issues of one rule and ``MAX_ISSUES_PER_VERSION`` of one
  version are stored (the first ones), with an issue saying how many more there were;
* every list of issues is paginated or cut with a link to the paginated list, so that every
  page of a submission stays small, in a number of queries that does not grow with the issues.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from submissions import rules
from submissions.models import ValidationIssue, Version
from submissions.services.validation import row_limit
from tests.submissions.helpers import valid_values

PAGE_LIMIT = 2 * 1024 * 1024  # bytes: every page of a submission, whatever was uploaded
ELEMENTS = 26  # of the 2017 model


def swamping_csv(duplicates: int) -> bytes:
    """The real rows, then ``duplicates`` rows repeating the codes with other values (each a
    DUPLICATE_ELEMENT error)."""
    values = valid_values()
    codes = list(values)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["代码", "名称", "本年数值", "备注"])
    for code, value in values.items():
        writer.writerow([code, "", value, ""])
    for i in range(duplicates):
        writer.writerow([codes[i % len(codes)], "", f"{i}.123", ""])  # never a real value
    return buffer.getvalue().encode("utf-8")


def upload(client, submission, content: bytes, capture) -> Version:
    with capture(execute=True):
        response = client.post(reverse("submissions:upload", args=[submission.pk]),
                               {"file": SimpleUploadedFile("swamp.csv", content)})
    assert response.status_code == 302
    return Version.objects.filter(submission=submission).order_by("-number").first()


def pages(submission, version) -> dict[str, str]:
    return {
        "detail": reverse("submissions:detail", args=[submission.pk]),
        "timeline": reverse("submissions:timeline", args=[submission.pk]),
        "edit": reverse("submissions:edit", args=[submission.pk]),
        "issues": reverse("submissions:version_issues", args=[version.pk]),
        "status": reverse("submissions:version_status", args=[version.pk]),
        "officer home": reverse("submissions:officer_home"),
    }


def measure(client, url: str) -> tuple[int, int]:
    """(bytes, queries) of a page."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(response.content), len(queries)


def test_the_249000_duplicate_row_csv_is_refused_and_every_page_stays_small(
        bj_client, reviewer_client, bj_submission, django_capture_on_commit_callbacks):
    content = swamping_csv(249_000)
    assert 2_500_000 < len(content) < 10 * 1024 * 1024  # under the upload limit
    version = upload(bj_client, bj_submission, content, django_capture_on_commit_callbacks)
    assert version.validation == Version.Validation.REJECTED
    issue = ValidationIssue.objects.get(version=version)
    assert issue.rule_code == "TOO_MANY_ROWS_FOR_MODEL"
    assert "249,026" in issue.message_zh and f"{ELEMENTS}" in issue.message_zh
    assert "249,026" in issue.message_en and f"{ELEMENTS} " in issue.message_en
    for client in (bj_client, reviewer_client):
        for name, url in pages(bj_submission, version).items():
            if client is reviewer_client and name in ("edit", "officer home"):
                continue
            size, _queries = measure(client, url)
            assert size < PAGE_LIMIT, (name, size)


def test_the_row_bound_leaves_room_for_any_honest_file():
    assert row_limit(ELEMENTS) == 10 * ELEMENTS + 100


@pytest.fixture
def relaxed_rows(settings):
    """A bound that lets a swamping file through to the rules, to test what comes after."""
    settings.UPLOAD_ROWS_PER_ELEMENT = 10_000


def test_issues_are_stored_up_to_the_cap_with_a_count_of_the_rest(
        bj_client, bj_submission, relaxed_rows, django_capture_on_commit_callbacks):
    duplicates = rules.MAX_ISSUES_PER_RULE + 1_500
    version = upload(bj_client, bj_submission, swamping_csv(duplicates),
                     django_capture_on_commit_callbacks)
    assert version.validation == Version.Validation.INVALID
    assert version.error_count == duplicates  # the counts are the true ones
    stored = ValidationIssue.objects.filter(version=version)
    assert stored.filter(rule_code="DUPLICATE_ELEMENT").count() == rules.MAX_ISSUES_PER_RULE
    summary = stored.get(rule_code=rules.MORE_OF_RULE)
    assert "1,500" in summary.message_zh and "DUPLICATE_ELEMENT" in summary.message_zh
    assert "1,500 more" in summary.message_en
    assert summary.severity == ValidationIssue.Severity.ERROR
    # The first ones are kept: the rows in file order.
    rows = list(stored.filter(rule_code="DUPLICATE_ELEMENT").order_by("row")
                .values_list("row", flat=True))
    assert rows[0] == 2 + ELEMENTS and rows[-1] == 1 + ELEMENTS + rules.MAX_ISSUES_PER_RULE


def test_pages_of_a_version_with_many_issues_are_small_and_cost_what_a_small_one_costs(
        bj_client, bj_submission, relaxed_rows, django_capture_on_commit_callbacks):
    small = upload(bj_client, bj_submission, swamping_csv(30), django_capture_on_commit_callbacks)
    small_costs = {name: measure(bj_client, url)
                   for name, url in pages(bj_submission, small).items()}
    big = upload(bj_client, bj_submission, swamping_csv(4_000), django_capture_on_commit_callbacks)
    assert ValidationIssue.objects.filter(version=big).count() > 1_000
    for name, url in pages(bj_submission, big).items():
        size, queries = measure(bj_client, url)
        assert size < 300_000, (name, size)  # a few issues per element, a page of 100
        assert queries <= small_costs[name][1] + 2, (name, queries, small_costs[name][1])


def test_the_issue_list_of_a_version_is_paginated(bj_client, reviewer_client, bj_submission,
                                                  relaxed_rows,
                                                  django_capture_on_commit_callbacks):
    version = upload(bj_client, bj_submission, swamping_csv(450),
                     django_capture_on_commit_callbacks)
    url = reverse("submissions:version_issues", args=[version.pk])
    total = ValidationIssue.objects.filter(version=version).count()
    first = reviewer_client.get(url).content.decode()
    assert first.count('class="issue-row') == 100
    last_page = (total + 99) // 100
    last = reviewer_client.get(url, {"page": last_page}).content.decode()
    assert last.count('class="issue-row') == total - 100 * (last_page - 1)
    assert reviewer_client.get(url, {"page": last_page + 1}).status_code == 404
    assert reviewer_client.get(url, {"page": "²"}).status_code == 400
    only = reviewer_client.get(url, {"element": "P01"}).content.decode()
    assert 0 < only.count('class="issue-row') <= 100 and 'data-element="E101"' not in only
    assert reviewer_client.get(url, {"element": "<b>"}).status_code == 400


def test_the_issue_list_keeps_the_region_scope(sh_client, bj_client, bj_submission,
                                               django_capture_on_commit_callbacks):
    version = upload(bj_client, bj_submission, swamping_csv(3),
                     django_capture_on_commit_callbacks)
    assert sh_client.get(reverse("submissions:version_issues",
                                 args=[version.pk])).status_code == 404


def test_the_caps_hold_per_version_across_rules():
    issues = [rules.Issue(f"E{i % 9}", rules.ERROR if r % 2 else rules.WARNING, f"RULE_{r}",
                          "zh", "en", rules.Position("s", i, "C"))
              for r in range(8) for i in range(1_200)]
    kept = rules.cap_issues(issues)
    listed = [i for i in kept if i.rule_code.startswith("RULE_")]
    summaries = [i for i in kept if i.rule_code in (rules.MORE_OF_RULE, rules.MORE_IN_VERSION)]
    assert len(listed) == rules.MAX_ISSUES_PER_VERSION
    assert all(sum(1 for i in listed if i.rule_code == f"RULE_{r}") <= rules.MAX_ISSUES_PER_RULE
               for r in range(8))
    chosen = set(listed)
    assert listed == [i for i in issues if i in chosen]  # the first ones, in order
    not_listed = len(issues) - len(listed)
    assert sum(_count(s) for s in summaries) == not_listed


def _count(issue: rules.Issue) -> int:
    digits = "".join(ch for ch in issue.message_en.split(" more")[0] if ch.isdigit())
    return int(digits)
