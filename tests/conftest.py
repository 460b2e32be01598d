"""The base fixture set: the reference data, and a cast of people — an officer of 北京 (the
owner of most objects), an officer of 上海 (the outsider of another region), a reviewer, an
administrator, an auditor and an anonymous visitor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from accounts import roles
from config.celery import app as celery_app
from config.folders import ensure_data_folders
from indicators.models import Region
from public import page_cache
from submissions.models import Submission
from tests.factories import CycleFactory, UserFactory, make_officer, verified_login

# Unit tests run queued tasks in the test's own process; the integration tests (marked
# "integration") switch this off and run a real worker on the configured broker.
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


def pytest_configure(config: pytest.Config) -> None:
    """The test run's DATA_DIR (its SQLite file, the embedded broker): the settings make no
    folder, and pytest-django runs no system check, so the folders are made here, once per
    process, before the first test opens the database."""
    ensure_data_folders()


@pytest.fixture(autouse=True)
def _no_public_pages_kept() -> None:
    """Public pages are kept in this process's memory under the publication generation; a
    test's database is rolled back, so no test sees the pages of another."""
    page_cache.clear()


@pytest.fixture(autouse=True)
def _site_language_after_each_test() -> Iterator[None]:
    """A request in English leaves English active in the test's thread (Django's locale
    middleware activates, nothing deactivates): the next test in the same worker would read
    every message in English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def bootstrapped(db: None) -> None:
    """Regions, the 2017 model, the targets and the groups. A transactional test empties the
    database afterwards, so this loads them again when they are gone."""
    if not Region.objects.exists():
        call_command("bootstrap", verbosity=0)


@pytest.fixture
def officer_bj(bootstrapped: None):
    return make_officer("110000", "officer-bj")


@pytest.fixture
def officer_sh(bootstrapped: None):
    return make_officer("310000", "officer-sh")


@pytest.fixture
def reviewer(bootstrapped: None):
    return UserFactory(username="reviewer", role_names=[roles.REVIEWER])


@pytest.fixture
def administrator(bootstrapped: None):
    return UserFactory(username="admin", role_names=[roles.ADMINISTRATOR])


@pytest.fixture
def auditor(bootstrapped: None):
    return UserFactory(username="auditor", role_names=[roles.AUDITOR])


@pytest.fixture
def security_admin(bootstrapped: None):
    return UserFactory(username="security", role_names=[roles.SECURITY_ADMINISTRATOR])


def _client_for(user) -> Client:
    """Signed in as after a whole login: the second factor verified where the role needs it."""
    return verified_login(Client(), user)


@pytest.fixture
def bj_client(officer_bj) -> Client:
    return _client_for(officer_bj)


@pytest.fixture
def sh_client(officer_sh) -> Client:
    return _client_for(officer_sh)


@pytest.fixture
def reviewer_client(reviewer) -> Client:
    return _client_for(reviewer)


@pytest.fixture
def admin_client_(administrator) -> Client:
    return _client_for(administrator)


@pytest.fixture
def auditor_client(auditor) -> Client:
    return _client_for(auditor)


@pytest.fixture
def security_client(security_admin) -> Client:
    return _client_for(security_admin)


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture
def bj_submission(officer_bj):
    return Submission.objects.get_or_create(cycle=CycleFactory(), region=officer_bj.region)[0]


@pytest.fixture
def sh_submission(officer_sh):
    return Submission.objects.get_or_create(cycle=CycleFactory(), region=officer_sh.region)[0]
