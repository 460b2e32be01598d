"""Building upload files for the tests."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from demo.data import element_values


def valid_values(region_code: str = "110000") -> dict[str, Decimal]:
    return dict(element_values(region_code))


def template_csv(values: dict[str, object], *, notes: dict[str, str] | None = None,
                 encoding: str = "utf-8-sig") -> bytes:
    notes = notes or {}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["代码", "名称", "本年数值", "备注"])
    for code, value in values.items():
        writer.writerow([code, "", value, notes.get(code, "")])
    return buffer.getvalue().encode(encoding)


def bulk_csv(rows: list[tuple[str, str, object, str]], *, header: tuple[str, ...] = (
        "region_code", "element_code", "value", "note")) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")


def bulk_rows(region_codes: list[str], *, note: str = "") -> list[tuple[str, str, object, str]]:
    return [(code, element, value, note) for code in region_codes
            for element, value in valid_values(code).items()]
