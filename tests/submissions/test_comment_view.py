"""Comments on a submission: through a form with a length bound; a refused comment is shown
again at its field and nothing is stored (issue 16, point 5)."""

from __future__ import annotations

from django.urls import reverse

from submissions.models import Comment
from submissions.services.review import COMMENT_MAX_LENGTH


def _comment(client, submission, body: str):
    return client.post(reverse("submissions:comment", args=[submission.pk]), {"body": body})


def test_it_adds_a_comment(bj_client, bj_submission):
    response = _comment(bj_client, bj_submission, "数据来源已补充")
    assert response.status_code == 302
    assert Comment.objects.get().body == "数据来源已补充"


def test_it_refuses_a_comment_too_long_at_its_field(bj_client, bj_submission):
    response = _comment(bj_client, bj_submission, "评" * (COMMENT_MAX_LENGTH + 1))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_body-error"' in html
    assert str(COMMENT_MAX_LENGTH) in html.split('id="id_body-error"', 1)[1].split("</", 1)[0]
    assert not Comment.objects.exists()


def test_it_refuses_an_empty_comment_at_its_field(bj_client, bj_submission):
    response = _comment(bj_client, bj_submission, "   ")
    assert response.status_code == 400
    assert 'id="id_body-error"' in response.content.decode()
    assert not Comment.objects.exists()


def test_a_5_mb_comment_is_not_sent_back_whole(reviewer_client, bj_submission):
    response = _comment(reviewer_client, bj_submission, "x" * (5 * 1024 * 1024))
    assert response.status_code == 400
    assert len(response.content) < 100_000
    assert not Comment.objects.exists()


def test_the_service_refuses_a_comment_too_long_for_every_caller(bj_submission, officer_bj):
    import pytest

    from common.errors import ApplicationError
    from submissions.services.review import comment_add

    with pytest.raises(ApplicationError) as refused:
        comment_add(submission=bj_submission, author=officer_bj,
                    body="x" * (COMMENT_MAX_LENGTH + 1))
    assert refused.value.code == "COMMENT_TOO_LONG" and refused.value.field == "body"
    assert not Comment.objects.exists()
