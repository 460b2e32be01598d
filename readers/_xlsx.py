"""The checks of an xlsx container, in the order a workbook is opened.

1. Macros: a ``vbaProject.bin`` or macro sheet, or a macro-enabled content type, is refused
   before anything else is parsed.
2. The workbook part, found through the package relationships (``_rels/.rels``) as Excel does,
   not at a fixed path; a package without one is some other Office document.
3. The workbook's relationships: which part each sheet is, and which sheets are worksheets
   (chart and dialog sheets have no grid to read).
4. The styles, for the cell formats that show numbers as percentages.
5. Each worksheet part, streamed by ``_sheet_scan``: its extent always (calamine allocates the
   grid of any sheet it opens), and the cell facts of the sheets that may be read.
6. Every other XML part, through the bounded inflation and the DTD check.
"""

from __future__ import annotations

import posixpath
from functools import partial
from typing import Final

import readers._xml as _xml
from readers._base import Container, SheetFacts, SheetPart, strip_format_literals
from readers._detect import not_spreadsheet
from readers._inflate import Parts
from readers._sheet_scan import scan_sheet_xml
from readers.errors import Detail, FileRejected, RuleCode

META_SHEET: Final = "_meta"

_MACRO_MARKERS: Final = (b"macroenabled", b"vbaproject", b"macrosheet")
_REL_NS_ID: Final = "id"
# Built-in number formats 9 ("0%") and 10 ("0.00%") are never written out in styles.xml.
_PERCENT_BUILTIN_FORMATS: Final = frozenset({9, 10})


def inspect_xlsx(parts: Parts, *, for_meta: bool) -> Container:
    """The sheets of the workbook and what the scan learned about each.

    ``for_meta``: only the hidden "_meta" sheet will be read (the template's own facts), so
    the others are scanned for their extent only and the styles are not needed."""
    _refuse_macros(parts)
    workbook_path = _workbook_path(parts)
    workbook = _xml.parse(parts.read(workbook_path), workbook_path)
    targets, worksheets = _relationships(parts, workbook_path)
    percent_styles = frozenset() if for_meta else _percent_styles(parts, targets)
    sheets = _sheet_parts(workbook, targets, worksheets)
    facts = _scan_sheets(parts, sheets, percent_styles, for_meta=for_meta)
    parts.check_the_rest()
    return Container("xlsx", sheets, facts)


def _refuse_macros(parts: Parts) -> None:
    lowered = {name.lower() for name in parts.by_name}
    if any(name.endswith("vbaproject.bin") or "/macrosheets/" in name for name in lowered):
        raise FileRejected(RuleCode.FILE_MACROS)
    types = parts.read("[Content_Types].xml").lower()
    if any(marker in types for marker in _MACRO_MARKERS):
        raise FileRejected(RuleCode.FILE_MACROS)


def _workbook_path(parts: Parts) -> str:
    path = _office_document(parts)
    if path is None or path not in parts:
        if "word/document.xml" in parts:
            raise not_spreadsheet(Detail.WORD)
        raise not_spreadsheet()
    return path


def _office_document(parts: Parts) -> str | None:
    """The main part named by the package relationships, else the usual path if present."""
    if "_rels/.rels" in parts:
        rels = _xml.parse(parts.read("_rels/.rels"), "_rels/.rels")
        for rel in rels:
            if (rel.get("Type") or "").endswith("/officeDocument") and rel.get("Target"):
                return _resolve("", rel.get("Target") or "")
    return "xl/workbook.xml" if "xl/workbook.xml" in parts else None


def _relationships(parts: Parts, workbook_path: str) -> tuple[dict[str, str], set[str]]:
    """The workbook's relationships: the part of each id, and the ids that are worksheets."""
    base = posixpath.dirname(workbook_path)
    rels_path = posixpath.join(base, "_rels", posixpath.basename(workbook_path) + ".rels")
    targets: dict[str, str] = {}
    worksheets: set[str] = set()
    if rels_path not in parts:
        return targets, worksheets
    for rel in _xml.parse(parts.read(rels_path), rels_path):
        rel_id, target = rel.get("Id"), rel.get("Target")
        if rel_id and target:
            targets[rel_id] = _resolve(base, target)
            if (rel.get("Type") or "").endswith("/worksheet"):
                worksheets.add(rel_id)
    return targets, worksheets


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, target))


def _percent_styles(parts: Parts, targets: dict[str, str]) -> frozenset[int]:
    """Indexes of cell formats (the ``s`` of a cell) that show numbers as percentages."""
    path = next(
        (t for t in targets.values() if t.lower().endswith("styles.xml") and t in parts), None
    )
    if path is None:
        return frozenset()
    root = _xml.parse(parts.read(path), "styles.xml")
    percent_formats = _percent_formats(root)
    result = set()
    for element in root.iter():
        if _xml.local(element.tag) == "cellXfs":
            for index, xf in enumerate(x for x in element if _xml.local(x.tag) == "xf"):
                if _int(xf.get("numFmtId") or "0") in percent_formats:
                    result.add(index)
    return frozenset(result)


def _percent_formats(root: _xml.Element) -> set[int]:
    """The ids of the number formats that show a "%" (outside quoted text)."""
    formats = set(_PERCENT_BUILTIN_FORMATS)
    for element in root.iter():
        if _xml.local(element.tag) == "numFmt":
            code = strip_format_literals(element.get("formatCode") or "")
            number = _int(element.get("numFmtId") or "")
            if "%" in code and number is not None:
                formats.add(number)
    return formats


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _sheet_parts(
    workbook: _xml.Element, targets: dict[str, str], worksheets: set[str]
) -> list[SheetPart]:
    sheets: list[SheetPart] = []
    for element in workbook.iter():
        if _xml.local(element.tag) != "sheet":
            continue
        name = element.get("name") or ""
        rel_id = _xml.attribute(element, _REL_NS_ID) or ""
        state = (element.get("state") or "visible").lower()
        sheets.append(
            SheetPart(name, targets.get(rel_id), state == "visible", rel_id in worksheets)
        )
    return sheets


def _scan_sheets(
    parts: Parts, sheets: list[SheetPart], percent_styles: frozenset[int], *, for_meta: bool
) -> dict[str, SheetFacts]:
    """Every worksheet's extent (calamine parses a sheet into a dense grid when it is opened);
    the cell details only of those that may be read. Two sheets may share one part."""
    facts: dict[str, SheetFacts] = {}
    by_path: dict[str, SheetFacts] = {}
    for sheet in sheets:
        if not sheet.worksheet or sheet.path is None or sheet.path not in parts:
            continue  # nothing calamine will read as a grid; a missing part fails there
        path = sheet.path
        if path not in by_path:
            wanted = sheet.name == META_SHEET if for_meta else sheet.visible
            by_path[path] = scan_sheet_xml(
                partial(parts.chunks, path),
                percent_styles,
                detail=wanted,
            )
        facts[sheet.name] = by_path[path]
    return facts
