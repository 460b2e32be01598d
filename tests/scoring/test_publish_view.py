"""Publishing from the runs page: the note and the "allow incomplete" choice through a form; a
note too long is refused at its field, 400, and nothing is published (issue 16, point 5)."""

from __future__ import annotations

from django.urls import reverse

from audit.models import AuditEntry
from scoring.forms import PUBLISH_NOTE_MAX_LENGTH
from scoring.models import ScoringRun
from tests.scoring.conftest import score


def _publish(client, run: ScoringRun, **data: str):
    return client.post(reverse("scoring:publish", args=[run.pk]), data)


def test_it_publishes_with_a_note(admin_client_, load, all_codes):
    load(all_codes)
    run = score()
    response = _publish(admin_client_, run, note="首次发布")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.is_published and run.note == "首次发布"


def test_it_refuses_a_note_too_long_at_its_field(admin_client_, load, all_codes):
    load(all_codes)
    run = score()
    response = _publish(admin_client_, run, note="说" * (PUBLISH_NOTE_MAX_LENGTH + 1))
    assert response.status_code == 400
    html = response.content.decode()
    error = html.split(f'id="publish-note-{run.pk}-error"', 1)[1].split("</", 1)[0]
    assert str(PUBLISH_NOTE_MAX_LENGTH) in error
    run.refresh_from_db()
    assert not run.is_published
    assert not AuditEntry.objects.filter(action="scoring.publish").exists()


def test_a_5_mb_note_is_not_sent_back_whole(admin_client_, load, all_codes):
    load(all_codes)
    run = score()
    response = _publish(admin_client_, run, note="x" * (5 * 1024 * 1024))
    assert response.status_code == 400
    assert len(response.content) < 100_000
    run.refresh_from_db()
    assert not run.is_published


def test_a_revision_without_a_note_is_refused_at_its_field(admin_client_, load, all_codes):
    load(all_codes)
    first = score()
    assert _publish(admin_client_, first).status_code == 302
    second = score()
    response = _publish(admin_client_, second)
    assert response.status_code == 400
    assert f'id="publish-note-{second.pk}-error"' in response.content.decode()
    second.refresh_from_db()
    assert not second.is_published


def test_the_service_bounds_the_note_for_every_caller(load, all_codes, administrator):
    import pytest

    from common.errors import ApplicationError
    from scoring.services import run_publish

    load(all_codes)
    run = score()
    with pytest.raises(ApplicationError) as refused:
        run_publish(run=run, actor=administrator, note="x" * (PUBLISH_NOTE_MAX_LENGTH + 1))
    assert refused.value.code == "NOTE_TOO_LONG"
    run.refresh_from_db()
    assert not run.is_published
