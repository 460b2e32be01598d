"""Every public page in a real browser, on a desktop (1366 px) and on a phone (390 px), in
Chinese and in English, as government staff and the public judge it:

- the page never scrolls sideways (a wide table scrolls inside its own box);
- a Chinese page shows no raw code (``[YOY_CHANGE]``), no ``\\u`` escape, no ``---------``;
- an English page shows no Chinese (a state, a unit, a name), the language switch's own name
  (简体中文) aside;
- axe-core (shipped in ``tests/browser/vendor``) finds no serious or critical WCAG 2.1 AA
  violation.

The shared frame (header, footer) is checked on the login page and one page of each staff
role too: its violations fail the test; the staff pages' own are printed, for their owners.
Run with ``-s`` to see them. Screenshots of the main pages for the README are written by
``scripts/screenshots.py`` with the same world.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from accounts import roles
from public.services import announcement_create
from tests.browser.conftest import enrol_in_browser, launched_chromium
from tests.factories import PASSWORD, UserFactory, make_officer
from tests.public.conftest import publish_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WIDTHS = (1366, 390)
LANGUAGES = {"zh-hans": "zh-CN", "en": "en-US"}
RAW_CODE = re.compile(r"\[[A-Z_]{4,}\]|\\u[0-9a-fA-F]{4}|-{9}")
CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
# 无 is what an officer types into a cell for "no value": the officer's help quotes it.
CHINESE_ALLOWED = {"无"}
SERIOUS = ("serious", "critical")

# The page's width beyond the window's: > 0 is a page that scrolls sideways.
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"
# The visible text, without what is marked as another language (the language switch).
TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[lang]:not([lang="' + document.documentElement.lang + '"]), script')
      .forEach(el => el.remove());
  return body.innerText;
}"""
AXE_RUN = """async () => {
  const result = await axe.run(document, {runOnly: {type: 'tag',
      values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
  const frame = 'header.site-header, footer.site-footer, .skip-link';
  const inFrame = sel => { const el = document.querySelector(sel);
    return !el || el === document.documentElement || el === document.body || !!el.closest(frame); };
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.map(n => n.target.join(' ')),
      frame: v.nodes.filter(n => inFrame(n.target[0])).map(n => n.target.join(' '))}));
}"""


@pytest.fixture
def world() -> Iterator[dict[str, Any]]:
    cache.clear()
    published = publish_world()
    notice = announcement_create(
        actor=published.admin, publish=True, title_zh="2018 年度数据填报工作开始",
        title_en="Reporting of the 2018 data begins",
        body_zh="各省（区、市）请于 2019 年 3 月 31 日前完成填报。",
        body_en="The provinces (regions) report by 31 March 2019.")
    yield {"world": published, "notice": notice}
    cache.clear()


@pytest.fixture
def browser() -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


def public_pages(notice_id: int) -> list[str]:
    return ["/", "/rankings/2017/", "/rankings/2017/dimensions/D1/",
            "/rankings/2017/dimensions/D4/", "/rankings/2017/regions/110000/",
            "/rankings/2017/regions/660000/", "/rankings/2017/grid/", "/rankings/2017/weights/",
            "/rankings/publications/", "/rankings/models/", "/rankings/models/2017/",
            "/notices/", f"/notices/{notice_id}/", "/help/", "/help/public/", "/help/officer/",
            "/help/reviewer/", "/help/administrator/"]


def _context(browser: Any, language: str, width: int) -> Any:
    # bypass_csp: the test injects axe-core as a script the page's policy would refuse.
    context = browser.new_context(locale=LANGUAGES[language], bypass_csp=True,
                                  viewport={"width": width, "height": 900})
    context.set_default_timeout(20_000)
    return context


def _check(page: Any, language: str, where: str) -> list[str]:
    """What is wrong with the page open in ``page``."""
    problems = []
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every("
        "el => el.getAttribute('data-rendered') === 'true')")
    if (overflow := page.evaluate(OVERFLOW)) > 0:
        problems.append(f"{where}: the page is {overflow} px wider than the window")
    text = page.evaluate(TEXT)
    if language == "zh-hans" and RAW_CODE.findall(text):
        problems.append(f"{where}: raw codes {sorted(set(RAW_CODE.findall(text)))}")
    if language == "en":
        chinese = set(CHINESE.findall(text)) - CHINESE_ALLOWED
        if chinese:
            lines = [line for line in text.splitlines() if CHINESE.search(line)][:5]
            problems.append(f"{where}: Chinese on an English page: {lines}")
    for violation in _axe(page):
        if violation["impact"] in SERIOUS:
            problems.append(f"{where}: axe {violation['id']} ({violation['impact']}): "
                            f"{violation['help']} at {violation['targets'][:3]}")
    return problems


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_page_reads_well_on_a_desktop_and_a_phone(
        live_server: Any, world: dict[str, Any], browser: Any, language: str, width: int):
    context = _context(browser, language, width)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    problems: list[str] = []
    try:
        for path in public_pages(world["notice"].pk):
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (path, response.status)
            problems += _check(page, language, f"{path} [{language} {width}px]")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not errors, errors


def test_the_header_menu_folds_on_a_phone_and_opens_with_its_button(
        live_server: Any, world: dict[str, Any], browser: Any):
    """A signed-in administrator's header has the most links: on a phone they fold under
    菜单, which opens and closes them; on a desktop the button is not there."""
    UserFactory(username="chief", role_names=[roles.ADMINISTRATOR])
    context = _context(browser, "zh-hans", 390)
    page = _login(context, live_server, "chief")
    try:
        toggle = page.locator("header .nav-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not page.locator("nav.main-nav").is_visible()
        assert page.evaluate(OVERFLOW) <= 0
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator("nav.main-nav a", has_text="全国视图").is_visible()
        assert page.evaluate(OVERFLOW) <= 0
        toggle.click()
        assert not page.locator("nav.main-nav").is_visible()
        page.set_viewport_size({"width": 1366, "height": 900})
        assert not toggle.is_visible() and page.locator("nav.main-nav").is_visible()
    finally:
        context.close()


def test_the_ranking_and_region_pages_print_their_tables_whole(
        live_server: Any, world: dict[str, Any], browser: Any):
    context = _context(browser, "zh-hans", 1366)
    page = context.new_page()
    try:
        for path, table in (("/rankings/2017/", "#ranking-table"),
                            ("/rankings/2017/regions/110000/", "#region-indicators")):
            page.goto(f"{live_server.url}{path}")
            page.emulate_media(media="print")
            assert not page.locator("header.site-header").is_visible()
            assert not page.locator("nav.breadcrumbs").is_visible()
            assert page.locator(table).is_visible()
            # no scrolling box on paper: the table is as wide as its box shows
            clipped = page.evaluate(
                "s => { const b = document.querySelector(s).closest('.table-scroll');"
                " return b ? getComputedStyle(b).overflowX : 'visible'; }", table)
            assert clipped == "visible"
            assert "资料来源" in page.locator("footer.site-footer").inner_text()
            page.emulate_media(media="screen")
    finally:
        context.close()


def _login(context: Any, live_server: Any, username: str) -> Any:
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-button")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"
    if "/accounts/otp/enrol/" in page.url:  # national staff: the second factor first
        enrol_in_browser(page)
    return page


@pytest.mark.parametrize("language", list(LANGUAGES))
@pytest.mark.parametrize("width", WIDTHS)
def test_the_shared_frame_passes_on_the_login_page_and_each_staff_role(
        live_server: Any, world: dict[str, Any], browser: Any, language: str, width: int):
    """The frame every page shares, on the staff's pages: no serious or critical violation
    inside the header or the footer, and no sideways scrolling of the header. What axe finds
    in a staff page's own content is printed for its owners, not failed here."""
    make_officer("110000", "frame-officer")
    UserFactory(username="frame-reviewer", role_names=[roles.REVIEWER])
    UserFactory(username="frame-auditor", role_names=[roles.AUDITOR])
    UserFactory(username="frame-admin", role_names=[roles.ADMINISTRATOR])
    visits = [(None, "/accounts/login/"), ("frame-officer", "/submissions/"),
              ("frame-reviewer", "/submissions/queue/"), ("frame-admin", "/scoring/"),
              ("frame-auditor", "/audit/")]
    problems, reported = [], []
    for username, path in visits:
        context = _context(browser, language, width)
        try:
            page = _login(context, live_server, username) if username else context.new_page()
            page.goto(f"{live_server.url}{path}")
            where = f"{path} as {username or 'anonymous'} [{language} {width}px]"
            header = page.evaluate("() => { const h = document.querySelector("
                                   "'header.site-header'); return h.scrollWidth - h.clientWidth; }")
            if header > 0:
                problems.append(f"{where}: the header is {header} px wider than its box")
            for violation in _axe(page):
                if violation["impact"] not in SERIOUS:
                    continue
                frame = violation["frame"]
                line = f"{where}: axe {violation['id']} ({violation['impact']}): "
                if frame:
                    problems.append(line + f"{violation['help']} at {frame[:3]}")
                else:
                    reported.append(line + f"{violation['help']} at {violation['targets'][:3]}")
        finally:
            context.close()
    if reported:
        print("\nstaff pages' own violations (not the shared frame):\n" + "\n".join(reported))
    assert not problems, "\n".join(problems)
