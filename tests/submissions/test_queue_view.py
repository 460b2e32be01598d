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
