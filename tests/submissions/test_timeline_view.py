"""The timeline of a submission (and the history on its page): versions a page at a time, the
latest transitions and comments, two versions compared; small whatever was uploaded (issue 16,
point 2: every page of a submission under 2 MB, in a number of queries that does not grow)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from submissions import selectors
from submissions.models import Comment, Submission, Transition, Version
from submissions.services.versions import EditedValue, version_create_from_edit
from tests.submissions.helpers import valid_values

PAGE_LIMIT = 2 * 1024 * 1024


def many_versions(submission, officer, n: int) -> None:
    """``n`` versions, each with a transition and a long comment, as a busy (or hostile)
    officer leaves them."""
    now = timezone.now()
    Version.objects.bulk_create(Version(
        submission=submission, number=i, source=Version.Source.EDIT, created_by=officer,
        validation=Version.Validation.VALID, validated_at=now) for i in range(1, n + 1))
    Submission.objects.filter(pk=submission.pk).update(version_count=n)
    Transition.objects.bulk_create(Transition(
        submission=submission, action="new_version", from_state="invalid", to_state="draft",
        actor=officer, reason="") for _ in range(n))
    Comment.objects.bulk_create(Comment(submission=submission, author=officer,
                                        body="评" * 5000) for _ in range(n))


def fetch(client, url: str, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode(), len(queries)


def test_it_compares_two_versions(bj_client, bj_submission, officer_bj,
                                  django_capture_on_commit_callbacks):
    values = valid_values()
    with django_capture_on_commit_callbacks(execute=True):
        version_create_from_edit(submission=bj_submission, actor=officer_bj, values={
            c: EditedValue(value=v, raw=str(v), note="") for c, v in values.items()})
        values["P01"] = values["P01"] + 1
        version_create_from_edit(submission=bj_submission, actor=officer_bj, values={
            c: EditedValue(value=v, raw=str(v), note="") for c, v in values.items()})
    url = reverse("submissions:timeline", args=[bj_submission.pk])
    html, _queries = fetch(bj_client, url, a="1", b="2")
    assert 'id="diff-table"' in html and 'data-code="P01"' in html


def test_a_timeline_of_many_versions_is_paginated_and_small(bj_client, bj_submission,
                                                            officer_bj):
    url = reverse("submissions:timeline", args=[bj_submission.pk])
    many_versions(bj_submission, officer_bj, 3)
    _html, few_queries = fetch(bj_client, url)
    _add(bj_submission, officer_bj, 300)
    html, queries = fetch(bj_client, url)
    assert len(html.encode()) < PAGE_LIMIT
    assert queries <= few_queries + 1
    assert html.count('id="version-') == selectors.TIMELINE_VERSIONS_PER_PAGE
    assert 'id="version-303"' in html  # the newest first
    second, _queries = fetch(bj_client, url, page="2")
    assert 'id="version-253"' in second
    assert bj_client.get(url, {"page": "99"}).status_code == 404
    assert bj_client.get(url, {"page": "²"}).status_code == 400
    assert html.count('class="comment"') == selectors.TIMELINE_HISTORY_SHOWN


def _add(submission, officer, n: int) -> None:
    """``n`` more versions after those there are."""
    start = Version.objects.filter(submission=submission).count()
    now = timezone.now()
    Version.objects.bulk_create(Version(
        submission=submission, number=start + i, source=Version.Source.EDIT, created_by=officer,
        validation=Version.Validation.VALID, validated_at=now) for i in range(1, n + 1))
    Submission.objects.filter(pk=submission.pk).update(version_count=start + n)
    Comment.objects.bulk_create(Comment(submission=submission, author=officer,
                                        body="评" * 5000) for _ in range(n))


def test_the_submission_page_shows_the_latest_history_only(bj_client, bj_submission,
                                                           officer_bj):
    many_versions(bj_submission, officer_bj, 300)
    html, _queries = fetch(bj_client, reverse("submissions:detail", args=[bj_submission.pk]))
    assert len(html.encode()) < PAGE_LIMIT
    assert html.count("<tr><td>v") == selectors.DETAIL_VERSIONS_SHOWN
    assert reverse("submissions:timeline", args=[bj_submission.pk]) in html
