from __future__ import annotations

from django.urls import reverse

from submissions.services.progress import Stage, progress_set
from submissions.services.validation import version_validate
from submissions.services.versions import version_create_from_upload
from tests.submissions.helpers import template_csv, valid_values


def test_it_shows_progress_then_asks_htmx_to_refresh(bj_client, bj_submission, officer_bj):
    version = version_create_from_upload(submission=bj_submission,
                                         content=template_csv(valid_values()),
                                         filename="d.csv", actor=officer_bj)
    url = reverse("submissions:version_status", args=[version.pk])
    progress_set(version_id=version.pk, percent=50, stage=Stage.CHECKING)
    running = bj_client.get(url, HTTP_HX_REQUEST="true")
    assert running.status_code == 200
    assert 'value="50"' in running.content.decode() and "hx-trigger" in running.content.decode()
    assert "HX-Refresh" not in running
    version_validate(version_id=version.pk)
    done = bj_client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()


def test_it_answers_404_to_another_regions_officer(sh_client, bj_submission, officer_bj):
    version = version_create_from_upload(submission=bj_submission,
                                         content=template_csv(valid_values()),
                                         filename="d.csv", actor=officer_bj)
    assert sh_client.get(reverse("submissions:version_status",
                                 args=[version.pk])).status_code == 404


def _status(client, version) -> str:
    return client.get(reverse("submissions:version_status", args=[version.pk])).content.decode()


def test_it_tells_a_queued_validation_from_a_running_a_lost_and_a_failed_one(
        bj_client, bj_submission, officer_bj, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from submissions.models import Version
    from submissions.tasks import validate_version

    monkeypatch.setattr(validate_version, "delay", lambda *args: None)
    version = version_create_from_upload(submission=bj_submission,
                                         content=template_csv(valid_values()),
                                         filename="d.csv", actor=officer_bj)
    assert 'data-state="pending"' in _status(bj_client, version)
    assert "排队" in _status(bj_client, version)
    now = timezone.now()
    Version.objects.filter(pk=version.pk).update(validation="running", validation_started_at=now)
    assert "正在校验" in _status(bj_client, version)
    Version.objects.filter(pk=version.pk).update(validation_started_at=now - timedelta(hours=1))
    assert "自动重新校验" in _status(bj_client, version)  # lost with its worker: said so
    Version.objects.filter(pk=version.pk).update(validation="pending",
                                                 validation_queued_at=now - timedelta(hours=1))
    assert "自动重新排队" in _status(bj_client, version)
    Version.objects.filter(pk=version.pk).update(validation="failed")
    failed = _status(bj_client, version)
    assert "管理员" in failed and "hx-trigger" not in failed
