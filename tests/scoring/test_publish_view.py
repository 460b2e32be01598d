"""Publishing from the runs page: the note and the "allow incomplete" choice through a form; a
note too long is refused at its field, 400, and nothing is published (issue 16, point 5).
Publishing takes two steps (issue 15, point 3): the confirmation page says what will happen,
and only its own POST (``confirmed``) publishes."""

from __future__ import annotations

from django.urls import reverse

from audit.models import AuditEntry
from scoring.forms import PUBLISH_NOTE_MAX_LENGTH
from scoring.models import ScoringRun
from tests.scoring.conftest import score


def _publish(client, run: ScoringRun, **data: str):
    """The second step: the POST of the confirmation page."""
    return client.post(reverse("scoring:publish", args=[run.pk]), {"confirmed": "1", **data})


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


# --- the confirmation (issue 15, point 3) ------------------------------------------------------


def _confirm_page(client, run: ScoringRun, **extra: str):
    response = client.get(reverse("scoring:publish", args=[run.pk]), **extra)
    assert response.status_code == 200
    return response.content.decode()


def test_the_runs_page_links_to_the_confirmation_not_a_one_click_publish(admin_client_, load,
                                                                        all_codes):
    load(all_codes)
    run = score()
    html = admin_client_.get(reverse("scoring:runs")).content.decode()
    assert f'href="{reverse("scoring:publish", args=[run.pk])}"' in html
    assert f'action="{reverse("scoring:publish", args=[run.pk])}"' not in html


def test_the_confirmation_says_what_will_happen(admin_client_, load, all_codes):
    load(all_codes)
    run = score()
    html = _confirm_page(admin_client_, run)
    assert f"#{run.number}" in html and run.input_hash in html
    assert "31 个地区中的 31 个（31/31）" in html
    assert 'id="first-ranks"' in html and html.count('<tr data-region=') == 10
    assert 'id="no-previous"' in html  # the year's first publication
    assert "部分发布" not in html
    run.refresh_from_db()
    assert not run.is_published  # looking publishes nothing


def test_a_post_without_the_confirmation_only_shows_the_page(admin_client_, load, all_codes):
    load(all_codes)
    run = score()
    response = admin_client_.post(reverse("scoring:publish", args=[run.pk]), {"note": "x"})
    assert response.status_code == 200 and 'id="publish-form"' in response.content.decode()
    run.refresh_from_db()
    assert not run.is_published


def test_it_publishes_on_the_second_action_and_says_what(admin_client_, load, all_codes):
    load(all_codes)
    run = score()
    response = _publish(admin_client_, run, revises="0")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.is_published
    page = admin_client_.get(reverse("scoring:runs")).content.decode()
    assert f"已发布 2017 年度测算 #{run.number}（第 1 次发布）" in page


def test_a_revision_shows_what_differs_from_the_previous_publication(admin_client_, load,
                                                                     all_codes):
    load([c for c in all_codes if c != "110000"])
    first = score()
    assert _publish(admin_client_, first, allow_incomplete="on", note="北京未到").status_code == 302
    load(["110000"], late="北京数据补报")  # 北京 arrives: the second run covers every region
    second = score()
    html = _confirm_page(admin_client_, second)
    assert "修订版" in html
    differences = html.split('id="differences"')[1].split("</ul>")[0]
    assert "输入数据与上一次发布不同" in differences
    assert "30/31 → 31/31" in differences and "北京" in differences  # added
    moves = html.split('id="rank-moves"')[1].split("</table>")[0]
    assert 'data-region="310000"' in moves  # 上海 moves down under 北京


def test_a_publication_made_meanwhile_sends_the_page_back(admin_client_, load, all_codes):
    load(all_codes)
    first, second = score(), score()
    # The confirmation of ``second`` was shown when nothing was published (revises=0) ...
    assert _publish(admin_client_, first).status_code == 302
    # ... then ``first`` was published: confirming ``second`` shows the page again.
    response = _publish(admin_client_, second, revises="0", note="修订")
    assert response.status_code == 409
    assert 'id="differences"' in response.content.decode()
    second.refresh_from_db()
    assert not second.is_published


def test_a_partial_run_needs_the_box_and_a_note(admin_client_, load, all_codes):
    load(["110000", "310000"])
    run = score()
    html = _confirm_page(admin_client_, run)
    assert "部分发布" in html and "31 个地区中的 2 个（2/31）" in html
    assert 'id="missing-regions"' in html and 'name="allow_incomplete"' in html
    response = _publish(admin_client_, run)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="publish-allow-{run.pk}-error"' in html
    assert f'id="publish-note-{run.pk}-error"' in html
    response = _publish(admin_client_, run, allow_incomplete="on")
    assert response.status_code == 400
    run.refresh_from_db()
    assert not run.is_published
    response = _publish(admin_client_, run, allow_incomplete="on", note="先发布已审核的两个地区")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.is_published
    entry = AuditEntry.objects.get(action="scoring.publish")
    assert entry.data["partial"] is True and entry.data["covered"] == 2 and entry.data["of"] == 31


def test_the_confirmation_in_english(admin_client_, load, all_codes):
    load(["110000", "310000"])
    run = score()
    html = _confirm_page(admin_client_, run, HTTP_ACCEPT_LANGUAGE="en")
    assert "Partial publication" in html and "2/31" in html


def test_a_published_run_has_no_confirmation_form(admin_client_, load, all_codes):
    load(all_codes)
    run = score()
    assert _publish(admin_client_, run).status_code == 302
    html = _confirm_page(admin_client_, run)
    assert 'id="already-published"' in html and 'id="publish-form"' not in html


def test_the_runs_page_shows_each_runs_coverage(admin_client_, load, all_codes):
    load(["110000", "310000"])
    run = score()
    html = admin_client_.get(reverse("scoring:runs")).content.decode()
    assert 'data-covered="2"' in html and "2/31 · 部分" in html
    assert f'id="publish-{run.pk}"' in html
