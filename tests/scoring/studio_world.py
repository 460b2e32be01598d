"""Fixtures of the studio's tests, imported by their ``*_fixture`` names: the published world
of the public pages' tests (2016 and 2017, 31 provinces and the corps), built once per test
module, clients of each role, and the caches every test starts without."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from accounts import roles
from public import page_cache
from scoring import studio_selectors
from tests.factories import UserFactory, make_officer, verified_login
from tests.public.conftest import World, publish_world


@pytest.fixture(scope="module", name="world")
def world_fixture(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield publish_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True, name="_fresh")
def fresh_fixture(db: None) -> Iterator[None]:
    """Run ids repeat between modules (rolled back): no kept arrays, reports or pages."""
    cache.clear()
    page_cache.clear()
    studio_selectors.forget_runs()
    yield
    cache.clear()
    studio_selectors.forget_runs()


def client_of(user: Any) -> Client:
    client = Client()
    if user is not None:
        verified_login(client, user)
    return client


@pytest.fixture(name="clients")
def clients_fixture(world: World) -> dict[str, Client]:
    """A client per role; the administrator is the world's own."""
    return {
        "administrator": client_of(world.admin),
        "auditor": client_of(UserFactory(username="auditor-s", role_names=[roles.AUDITOR])),
        "reviewer": client_of(UserFactory(username="reviewer-s", role_names=[roles.REVIEWER])),
        "officer": client_of(make_officer("110000", "officer-s")),
        "anonymous": Client(),
    }
