"""Screenshots of the main public pages for the README and docs/screenshots/: each page on a
desktop (1366 px) and a phone (390 px), in Chinese and in English, cropped to the first screen
(1366×900, 390×844) and saved as small PNGs (a 64-colour palette, optimised with Pillow).

Against a running platform with published rankings, e.g. the demo (``make run``, or
``manage.py seed_demo`` then ``manage.py runserver``):

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 docs/screenshots

Uses Debian's Chromium (/usr/bin/chromium) through Playwright, as the browser tests do."""

from __future__ import annotations

import io
import sys
from pathlib import Path

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


def main(base: str, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        for language, locale in LOCALES.items():
            for screen, (width, height) in SCREENS.items():
                context = browser.new_context(locale=locale,
                                              viewport={"width": width, "height": height})
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(base.rstrip("/") + path)
                    page.wait_for_load_state("networkidle")
                    page.wait_for_function(
                        "() => [...document.querySelectorAll('[data-chart]')].every("
                        "el => el.getAttribute('data-rendered') === 'true')")
                    raw = page.screenshot(full_page=False)
                    file = target / f"{name}-{screen}-{language}.png"
                    file.write_bytes(small_png(raw))
                    print(f"{file} {file.stat().st_size // 1024} KB")
                context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
