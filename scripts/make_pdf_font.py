"""Cut WenQuanYi Micro Hei down to the characters the public PDFs can need (public/fonts/README.md).

Usage: python scripts/make_pdf_font.py wqy-microhei.ttc public/fonts/wqy-microhei-gb2312.ttf
(needs fontTools, which the project itself does not)."""

from __future__ import annotations

import contextlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection


def gb2312() -> set[int]:
    """Every character of GB 2312: rows 0xA1–0xF7, cells 0xA1–0xFE."""
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(ord(bytes([high, low]).decode("gb2312")))
    return chars


RANGES = [(0x20, 0x7F), (0xA0, 0x180), (0x2000, 0x2070), (0x2100, 0x2200), (0x2190, 0x21A0),
          (0x3000, 0x3040), (0xFF00, 0xFFF0)]
EXTRA = {0x2212, 0x2264, 0x2265, 0x00D7, 0x00F7, 0x2248, 0x2030}


def main(source: str, target: str) -> None:
    font = TTCollection(source).fonts[0]  # the proportional face, not the monospaced one
    wanted = gb2312() | EXTRA | {c for low, high in RANGES for c in range(low, high)}
    present = font.getBestCmap()
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(c for c in wanted if c in present))
    subsetter.subset(font)
    font.save(target)


if __name__ == "__main__":
    main(*sys.argv[1:3])
