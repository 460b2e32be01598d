"""The staff's pages in a real browser, as each staff role sees them, on a desktop (1366 px)
and on a phone (390 px), in Chinese and in English — the checks of the public pages
(``test_public_quality``: no sideways scrolling, no raw code on a Chinese page, no Chinese
on an English page, axe-core without a serious or critical violation), reused here.

The audit log's page (``/audit/``) is opened as the auditor: its entries are sentences with
their old → new values, and the table fits the screen (on a phone it scrolls in its own box).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from accounts import roles
from scoring.models import ScoringRun
from submissions.models import Submission
from tests.browser.test_public_quality import LANGUAGES, WIDTHS, _check, _context, _login
from tests.factories import UserFactory, make_officer
from tests.public.conftest import publish_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_world() -> Iterator[dict[str, Any]]:
    cache.clear()
    published = publish_world()
    make_officer("110000", "staff-officer")
    UserFactory(username="staff-reviewer", role_names=[roles.REVIEWER])
    UserFactory(username="staff-auditor", role_names=[roles.AUDITOR])
    UserFactory(username="staff-security", role_names=[roles.SECURITY_ADMINISTRATOR])
    beijing = Submission.objects.get(cycle=published.cycle2017, region__code="110000")
    shanghai = Submission.objects.get(cycle=published.cycle2017, region__code="310000")
    yield {"world": published, "beijing": beijing, "shanghai": shanghai}
    cache.clear()


# The error pages a staff member meets: a role they lack, another region's object.
ERROR_PAGES = {"staff-officer": [("/audit/", 403), ("/submissions/{shanghai}/", 404)],
               "staff-reviewer": [("/admin/", 403), ("/no-such-page/", 404)]}


def staff_pages(world: dict[str, Any]) -> dict[str, list[str]]:
    """Each role's pages: its home first."""
    beijing = world["beijing"].pk
    run = ScoringRun.objects.filter(cycle=world["world"].cycle2017).latest("pk").pk
    return {
        "staff-officer": ["/", "/submissions/", f"/submissions/{beijing}/",
                          f"/submissions/{beijing}/timeline/", "/accounts/security/"],
        "staff-reviewer": ["/", "/submissions/queue/",
                           "/submissions/queue/?cycle=&region=&state=approved&unexplained=",
                           f"/submissions/{beijing}/", f"/submissions/{beijing}/timeline/",
                           "/submissions/cycles/"],
        "admin": ["/", "/scoring/", f"/scoring/runs/{run}/", "/national/", "/models/",
                  "/submissions/cycles/",
                  "/notices/manage/", "/admin/", "/admin/submissions/cycle/",
                  "/admin/indicators/region/"],
        "staff-auditor": ["/", "/audit/", "/scoring/", "/submissions/queue/", "/national/"],
        "staff-security": ["/", "/admin/", "/admin/accounts/user/", "/admin/auth/group/",
                           "/admin/axes/accessattempt/"],
    }


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("width", WIDTHS)
def test_every_staff_page_reads_well_on_a_desktop_and_a_phone(
        live_server: Any, staff_world: dict[str, Any], language: str, width: int):
    from tests.browser.conftest import launched_chromium

    problems: list[str] = []
    errors: list[str] = []
    with launched_chromium() as browser:
        for username, paths in staff_pages(staff_world).items():
            context = _context(browser, language, width)
            try:
                page = _login(context, live_server, username)
                page.on("pageerror", lambda e: errors.append(str(e)))
                visits = [(path, 200) for path in paths] + [
                    (path.format(shanghai=staff_world["shanghai"].pk), status)
                    for path, status in ERROR_PAGES.get(username, [])]
                for path, status in visits:
                    response = page.goto(f"{live_server.url}{path}")
                    assert response.status == status, (username, path, response.status)
                    problems += _check(page, language, f"{path} as {username} "
                                                       f"[{language} {width}px]")
                    if status != 200:  # the site's frame, and the way home
                        assert page.locator("#error-page a#error-home[href='/']").count() == 1
            finally:
                context.close()
    assert not problems, "\n".join(problems)
    assert not errors, errors
