"""Samples and builders for the readers' tests.

Samples are under tests/fixtures/files/ (made by tests/fixtures/make_files.py); hostile files
are built by the tests, from those samples or from scratch, with the builders here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from readers import TEMPLATE_FIELDS, Detail, FileRejected, RuleCode, Table, read_table

FILES = Path(__file__).resolve().parents[1] / "fixtures" / "files"

# The "填报数据" sheet of the template samples, as typed (tests/fixtures/make_files.py).
TEMPLATE_VALUES = {
    "P01": "２１７０．７",
    "P02": "８２８，５",
    "P03": "３，９１５",
    "E101": "１６９０万人",
    "E102": "—",
    "E401": 560.25,
    "E601": "３",
}

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def sample(name: str) -> bytes:
    return (FILES / name).read_bytes()


def read(data: bytes, filename: str = "upload.xlsx", **kwargs: object) -> Table:
    kwargs.setdefault("fields", TEMPLATE_FIELDS)
    return read_table(data, filename, **kwargs)  # type: ignore[arg-type]


def rejected(data: bytes, filename: str = "upload.xlsx", **kwargs: object) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        read(data, filename, **kwargs)
    error = caught.value
    assert isinstance(error.rule_code, RuleCode)
    assert error.detail is None or isinstance(error.detail, Detail)
    return error


def values_by_code(table: Table) -> dict[str, object]:
    return {str(row.cells["code"].value): row.cells["value"].value for row in table.rows}


def xlsx(build: Callable[[openpyxl.Workbook], None]) -> bytes:
    workbook = openpyxl.Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def simple_sheet(rows: list[list[object]], title: str = "填报数据") -> bytes:
    def build(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.active
        sheet.title = title
        for row in rows:
            sheet.append(row)

    return xlsx(build)


def rezip(
    data: bytes, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The zip with entries replaced (None: removed) or added."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    target.writestr(info.filename, replace[info.filename])  # type: ignore[arg-type]
            else:
                target.writestr(info.filename, source.read(info.filename))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def template_sheet_path(data: bytes) -> str:
    """The part of the "填报数据" sheet in template.xlsx (openpyxl writes sheet2.xml)."""
    assert "填报数据" in part(data, "xl/workbook.xml").decode()
    return "xl/worksheets/sheet2.xml"


# --- hand-written ods ------------------------------------------------------------------------

ODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
    'office:version="1.2"><office:automatic-styles>'
    '<style:style style:name="ta1" style:family="table">'
    '<style:table-properties table:display="true"/></style:style>'
    '<style:style style:name="ta2" style:family="table">'
    '<style:table-properties table:display="false"/></style:style>'
    "</office:automatic-styles><office:body><office:spreadsheet>"
)
ODS_TAIL = "</office:spreadsheet></office:body></office:document-content>"


def ods(tables: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:'
            'manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
        archive.writestr("content.xml", ODS_HEAD + tables + ODS_TAIL, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def ods_text(value: str, extra: str = "") -> str:
    return (
        f'<table:table-cell office:value-type="string"{extra}><text:p>{value}</text:p>'
        "</table:table-cell>"
    )


def ods_number(value: float, extra: str = "") -> str:
    return (
        f'<table:table-cell office:value-type="float" office:value="{value}"{extra}>'
        f"<text:p>{value}</text:p></table:table-cell>"
    )


def ods_table(name: str, rows: list[str], style: str = "ta1") -> str:
    body = "".join(f"<table:table-row>{row}</table:table-row>" for row in rows)
    return f'<table:table table:name="{name}" table:style-name="{style}">{body}</table:table>'


ODS_HEADER_ROW = ods_text("代码") + ods_text("数值")
