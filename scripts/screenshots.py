"""Screenshots of the main public pages and of the staff's pages for the README and
docs/screenshots/: each page on a desktop (1366 px) and a phone (390 px), in Chinese and in
English, cropped to the first screen (1366×900, 390×844) and saved as small PNGs (a 64-colour
palette, optimised with Pillow).

Against a running platform with published rankings, e.g. the demo (``make run``, or
``manage.py seed_demo`` then ``manage.py runserver``):

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 docs/screenshots

The staff's pages are taken signed in as the demo's accounts (``seed_demo``: their password and
the second factor's secret are the demo's, printed by ``make run``); each person signs in once,
and the session serves every language and width.

Uses Debian's Chromium (/usr/bin/chromium) through Playwright, as the browser tests do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import struct
import sys
import time
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import sync_playwright

PAGES = {
    "home": "/",
    "ranking": "/rankings/2017/",
    "region": "/rankings/2017/regions/110000/",
    "grid": "/rankings/2017/grid/",
    "dimension": "/rankings/2017/dimensions/D4/",
    "help": "/help/public/",
}
# The staff's pages: (the demo account, the page), by the file's name.
STAFF_PAGES = {
    "staff-reviewer": ("reviewer", "/"),
    "staff-queue": ("reviewer", "/submissions/queue/"),
    "staff-officer": ("officer-110000", "/submissions/"),
    "staff-admin": ("admin", "/"),
    "staff-security": ("security", "/"),
    "not-found": (None, "/no-such-page/"),
}
DEMO_PASSWORD = "demo-password-2017"  # noqa: S105 - the demo's, as seed_demo prints it
DEMO_TOTP_SECRET = "NFTGI2JNMRSW23ZNORXXI4BNGIYDCNZB"  # noqa: S105 - the demo's, printed too
SCREENS = {"desktop": (1366, 900), "phone": (390, 844)}
LOCALES = {"zh": "zh-CN", "en": "en-US"}
CHROMIUM = "/usr/bin/chromium"


def small_png(raw: bytes) -> bytes:
    """A screenshot as a 64-colour PNG: text and flat colours survive, the file shrinks to a
    fraction."""
    image = Image.open(io.BytesIO(raw)).convert("RGB")
    quantised = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    quantised.save(out, format="PNG", optimize=True)
    return out.getvalue()


def totp(secret: str, *, at: float | None = None) -> str:
    """The 6-digit code of an authenticator app (RFC 6238: SHA-1, 30 s steps)."""
    key = base64.b32decode(secret)
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def signed_in(browser: Any, base: str, username: str) -> Any:
    """The cookies of ``username``'s session, signed in with the demo's password and, for the
    national staff, its second factor."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("#login-button")
    for _attempt in range(2):  # a code is good once: the second try waits for the next one
        if "/accounts/otp/verify/" not in page.url:
            break
        if _attempt:
            time.sleep(31 - time.time() % 30)
        page.fill("#id_token", totp(DEMO_TOTP_SECRET))
        with page.expect_navigation():
            page.click("#verify-button")
    if "/accounts/" in page.url:
        raise SystemExit(f"{username} could not sign in: {page.url}")
    state = context.storage_state()
    context.close()
    return state


def shoot(page: Any, base: str, path: str, file: Path) -> None:
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every("
        "el => el.getAttribute('data-rendered') === 'true')")
    file.write_bytes(small_png(page.screenshot(full_page=False)))
    print(f"{file} {file.stat().st_size // 1024} KB")


def main(base: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    base = base.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        sessions: dict[str | None, Any] = {user: signed_in(browser, base, user)
                    for user, _path in STAFF_PAGES.values() if user}
        for language, locale in LOCALES.items():
            for screen, (width, height) in SCREENS.items():
                viewport: Any = {"width": width, "height": height}
                context = browser.new_context(locale=locale, viewport=viewport)
                page = context.new_page()
                for name, path in PAGES.items():
                    shoot(page, base, path, target / f"{name}-{screen}-{language}.png")
                context.close()
                for name, (user, path) in STAFF_PAGES.items():
                    context = browser.new_context(locale=locale, viewport=viewport,
                                                  storage_state=sessions.get(user))
                    shoot(context.new_page(), base, path,
                          target / f"{name}-{screen}-{language}.png")
                    context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
