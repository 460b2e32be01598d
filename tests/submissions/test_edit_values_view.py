from __future__ import annotations

from django.urls import reverse

from submissions.models import Submission, Version
from tests.submissions.helpers import valid_values


def _form(values: dict[str, object], notes: dict[str, str] | None = None) -> dict[str, str]:
    data = {f"value_{code}": str(value) for code, value in values.items()}
    data.update({f"note_{code}": text for code, text in (notes or {}).items()})
    return data


def test_it_saves_a_new_version_from_typed_values(bj_client, bj_submission,
                                                  django_capture_on_commit_callbacks):
    values = valid_values()
    values["P01"] = "２，１７０．７"  # typed in full width with a thousands separator
    with django_capture_on_commit_callbacks(execute=True):
        response = bj_client.post(reverse("submissions:edit", args=[bj_submission.pk]),
                                  _form(values, {"E102": "数据来源：省政务办"}))
    assert response.status_code == 302
    version = Version.objects.get(submission=bj_submission)
    assert version.source == Version.Source.EDIT and version.validation == "valid"
    assert str(version.values.get(element__code="P01").value.normalize()) == "2170.7"
    assert version.values.get(element__code="E102").note == "数据来源：省政务办"


def test_it_shows_a_value_it_cannot_read_beside_its_field(bj_client, bj_submission):
    values = valid_values()
    values["E201"] = "about 80"
    response = bj_client.post(reverse("submissions:edit", args=[bj_submission.pk]),
                              _form(values))
    assert response.status_code == 200
    assert "不是数值" in response.content.decode()
    assert not Version.objects.exists()


def test_it_never_takes_the_region_from_the_form(bj_client, bj_submission, sh_submission,
                                                 django_capture_on_commit_callbacks):
    data = _form(valid_values())
    data.update({"region": str(sh_submission.region_id), "submission": str(sh_submission.pk),
                 "state": "approved"})
    with django_capture_on_commit_callbacks(execute=True):
        bj_client.post(reverse("submissions:edit", args=[bj_submission.pk]), data)
    assert Version.objects.get().submission == bj_submission
    sh_submission.refresh_from_db()
    assert sh_submission.versions.count() == 0
    bj_submission.refresh_from_db()
    assert bj_submission.state == Submission.State.DRAFT


def test_it_answers_404_to_another_regions_officer(sh_client, bj_submission):
    url = reverse("submissions:edit", args=[bj_submission.pk])
    assert sh_client.get(url).status_code == 404
    assert sh_client.post(url, _form(valid_values())).status_code == 404


def test_it_forbids_a_reviewer_to_change_values(reviewer_client, bj_submission):
    url = reverse("submissions:edit", args=[bj_submission.pk])
    assert reviewer_client.post(url, _form(valid_values())).status_code == 403
