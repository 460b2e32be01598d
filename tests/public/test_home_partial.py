"""The landing page while the only published year is a partial one: it opens on that year
(there is no other) and says, as every page of that year does, that it is partial."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts import roles
from indicators.models import Region
from tests.factories import UserFactory
from tests.public.conftest import empty_cycle, load, score_and_publish

pytestmark = pytest.mark.django_db


def test_the_home_page_of_a_partial_only_year_carries_the_banner(bootstrapped, client: Client):
    admin = UserFactory(username="admin-partial", role_names=[roles.ADMINISTRATOR])
    cycle = empty_cycle(2017, admin)
    load(2017, ["110000", "310000"], admin)
    score_and_publish(cycle, admin, allow_incomplete=True)

    content = client.get("/").content.decode()
    assert 'href="/rankings/2017/"' in content
    assert 'id="partial-banner"' in content and "部分发布（2/31）" in content
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Partial publication (2/31)" in english


def test_the_home_page_of_a_complete_year_has_no_banner(bootstrapped, client: Client):
    admin = UserFactory(username="admin-complete", role_names=[roles.ADMINISTRATOR])
    assert "partial-banner" not in client.get("/").content.decode()  # nothing published
    cycle = empty_cycle(2017, admin)
    load(2017, list(Region.objects.order_by("order").values_list("code", flat=True)), admin)
    score_and_publish(cycle, admin)
    content = client.get("/").content.decode()
    assert 'href="/rankings/2017/"' in content and "partial-banner" not in content
