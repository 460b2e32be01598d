"""The API's world: 2016 and 2017 published for every region (``tests.public.conftest``), and
2018 open, with API tokens of 北京 and 上海 and a security administrator who issued them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from accounts import roles
from api.services import api_token_create
from indicators.models import ModelVersion
from public import page_cache
from submissions.models import Submission
from submissions.services.cycles import cycle_create
from tests.factories import UserFactory
from tests.public.conftest import World as PublishedWorld
from tests.public.conftest import publish_world

HOST = "localhost"


@dataclass
class ApiWorld:
    published: PublishedWorld
    security: Any
    secrets: dict[str, str]        # region code → the secret of its token
    draft_bj: Submission           # 北京's empty 2018 submission
    draft_sh: Submission

    def client(self, region_code: str | None = None, **extra: Any) -> Client:
        """An API client with the token of ``region_code``'s system (anonymous if None)."""
        if region_code is not None:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.secrets[region_code]}"
        return Client(HTTP_HOST=HOST, **extra)


def build_api_world() -> ApiWorld:
    published = publish_world()
    security = UserFactory(username="security", role_names=[roles.SECURITY_ADMINISTRATOR])
    cycle = cycle_create(year=2018, model_version=ModelVersion.objects.get(code="2017"),
                         opens_on=date(2019, 1, 1), deadline=date(2099, 3, 31),
                         actor=published.admin)
    secrets = {code: api_token_create(name=f"stats-{code}", region_code=code,
                                      actor=security).secret
               for code in ("110000", "310000")}
    drafts = {s.region.code: s for s in Submission.objects.filter(cycle=cycle)
              .select_related("region", "cycle")}
    return ApiWorld(published, security, secrets, drafts["110000"], drafts["310000"])


@pytest.fixture(scope="module")
def _module_api_world(django_db_setup, django_db_blocker) -> Iterator[ApiWorld]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_api_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def api_world(_module_api_world: ApiWorld, db: None) -> ApiWorld:
    for submission in (_module_api_world.draft_bj, _module_api_world.draft_sh):
        submission.refresh_from_db()
    return _module_api_world


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Answers and rate counts are kept in the cache by run id and client; ids repeat between
    tests (rolled back): every test starts with an empty cache."""
    cache.clear()
    page_cache.clear()
    yield
    cache.clear()
    page_cache.clear()
