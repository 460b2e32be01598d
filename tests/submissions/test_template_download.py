"""The officer's spreadsheet template: the model's elements with their allowed ranges (the
bounds other elements set included), in the page's language."""

from __future__ import annotations

import io

import openpyxl
from django.urls import reverse

from submissions.template import DATA_SHEET, FIRST_DATA_ROW


def _sheet(client, submission, **headers):
    content = client.get(reverse("submissions:template", args=[submission.pk]),
                         **headers).content
    return openpyxl.load_workbook(io.BytesIO(content))[DATA_SHEET]


def _ranges(sheet) -> dict[str, str]:
    return {row[0]: row[3] for row in sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
            if row[0]}


def test_it_gives_each_element_the_bounds_the_model_sets(bj_client, bj_submission):
    ranges = _ranges(_sheet(bj_client, bj_submission))
    assert ranges["E101"].endswith("≤ P01") and ranges["E403"].endswith("≤ P03")
    assert "P01" not in ranges["P01"]


def test_it_names_the_region_in_the_language_of_the_page(bj_client, bj_submission):
    assert " 北京市 " in _sheet(bj_client, bj_submission)["A1"].value
    english = _sheet(bj_client, bj_submission, HTTP_ACCEPT_LANGUAGE="en")
    assert english["A1"].value.endswith("Beijing")


def test_it_reads_the_model_in_a_fixed_number_of_queries(bj_client, bj_submission,
                                                         django_assert_max_num_queries):
    with django_assert_max_num_queries(15):  # not one query per element (26)
        bj_client.get(reverse("submissions:template", args=[bj_submission.pk]))
