"""The auditor's archive download (``audit:archive``): the whole log with its hash chain."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from audit.archive import verify_archive
from audit.models import AuditEntry
from audit.services import log_action

pytestmark = pytest.mark.django_db


def test_it_gives_the_auditor_an_archive_that_verifies(auditor_client, bootstrapped):
    with transaction.atomic():
        log_action(actor=None, action="test.archive", data={"名称": "北京"})
    response = auditor_client.get(reverse("audit:archive"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-archive-')
    lines = b"".join(response.streaming_content).decode("utf-8").splitlines()
    assert len(lines) == AuditEntry.objects.count() + 1
    assert verify_archive(lines).broken_at is None


def test_it_is_for_auditors_only(admin_client_, security_client, reviewer_client, bj_client,
                                 auditor_client):
    url = reverse("audit:archive")
    for client in (admin_client_, security_client, reviewer_client, bj_client):
        assert client.get(url).status_code == 403
    assert auditor_client.post(url).status_code == 403  # auditors change nothing
