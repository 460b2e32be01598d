"""A database unreachable for a moment: a friendly 503 page, nothing half-written."""

from __future__ import annotations

from unittest import mock

from django.db import OperationalError, ProgrammingError

from config.middleware import is_unavailable


def test_it_answers_503_with_a_friendly_page(bj_client, bj_submission):
    error = OperationalError('connection failed: could not connect to server "127.0.0.1"')
    with mock.patch("submissions.views.selectors.version_values", side_effect=error), \
            mock.patch("submissions.views.selectors.previous_approved_values",
                       side_effect=error):
        response = bj_client.get(f"/submissions/{bj_submission.pk}/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "系统暂时无法访问" in body and "Temporarily unavailable" in body


def test_it_leaves_real_query_errors_alone():
    assert not is_unavailable(ProgrammingError("syntax error at or near"))
    assert not is_unavailable(OperationalError("no such table: submissions_value"))
    assert is_unavailable(OperationalError("server closed the connection unexpectedly"))
    assert is_unavailable(OperationalError("database is locked"))
