"""The scan of xlsx worksheet parts for what calamine does not tell, before it parses them.

calamine allocates a dense grid from the extreme cell positions (a 2-cell sheet at A1 and
XFD1048576 is 17 billion cells), reads ``#DIV/0!`` as an empty string, reads 12.5% as 0.125
and gives formulas without a cached value as blank. So each worksheet part is streamed here
for the extent of its cells (to refuse a grid too large before calamine allocates it), formula
cells without a cached value, error cells and percent-formatted numbers.

The scan uses byte regexes on the raw XML and not an XML parser, because an XML parser in
Python reads ~1 million cells in a few seconds; the regexes err on the safe side (an
over-count only makes a bound stricter). Sheets whose cells lack ``r`` positions get an exact
second pass with defusedxml.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from xml.sax.saxutils import unescape

import defusedxml.ElementTree as SafeET

from readers._base import SheetFacts, column_index, percent_text
from readers._inflate import IN_CHUNK, ChunkStream, corrupt
from readers._xml import local
from readers.errors import Detail, FileRejected

# The scan of a worksheet part. Prefixes (<x:c>) are allowed wherever a tag is matched.
_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet\b")


class _SheetPatterns:
    """Byte patterns for one worksheet part, with its namespace prefix (``<x:c>``) if any.

    The position patterns are literal-prefixed (``<c r="``) so that the regex engine can skip
    through the text fast. They match the form every writer produces (``r`` first, double
    quotes); a tag count of ``<c``/``<row`` that exceeds the matches means some position is
    written otherwise or absent, and the exact pass takes over.
    """

    def __init__(self, prefix: bytes) -> None:
        p = prefix + b":" if prefix else b""
        self.cell_tag = b"<" + p + b"c"
        self.close_cell = b"</" + p + b"c>"
        self.close_row = b"</" + p + b"row>"
        q = re.escape(p)
        self.cell_ref = b"<" + p + b'c r="'
        # Tags that start like a cell's but are not (<col>, <cfRule>, ...): rare, outside
        # the cell data, subtracted from the count of "<c".
        self.other_c_tags = re.compile(rb"<" + q + rb"c[\w.:-]")
        self.cell_letters = re.compile(rb"<" + q + rb'c r="([A-Za-z]+)[0-9]')
        self.cell_digits = re.compile(rb"<" + q + rb'c r="[A-Za-z]+([0-9]+)"')
        self.formula = re.compile(rb"<" + q + rb"f[\s/>]")
        self.cell = re.compile(rb"<" + q + rb"c\b([^>]*?)(?:/>|>(.*?)</" + q + rb"c>)", re.DOTALL)
        self.value = re.compile(
            rb"<" + q + rb"v(?:\s[^>]*)?(?:/>|>(.*?)</" + q + rb"v>)", re.DOTALL
        )
        # Error cells as writers write them; one written otherwise is read as blank by
        # calamine, which is a missed message, not a safety problem.
        self.type_error = re.compile(rb"""t=["']e["']""")
        self._wider: dict[int, re.Pattern[bytes] | None] = {}

    def wider_than(self, max_col: int) -> re.Pattern[bytes] | None:
        """A search for cells right of column ``max_col`` (0-based), or None when the letters
        must be collected anyway (nothing seen yet, or beyond column Z)."""
        if max_col not in self._wider:
            pattern = None
            start = re.escape(self.cell_ref)
            if 0 <= max_col < 25:
                first = chr(ord("A") + max_col + 1).encode()
                pattern = re.compile(start + rb"(?:[" + first + rb"-Z]|[A-Za-z]{2}|[a-z])")
            elif max_col == 25:
                pattern = re.compile(start + rb"(?:[A-Za-z]{2}|[a-z])")
            self._wider[max_col] = pattern
        return self._wider[max_col]


_ATTR_T = re.compile(rb"""\bt\s*=\s*["']([^"']*)["']""")
_ATTR_S = re.compile(rb"""\bs\s*=\s*["']([0-9]+)["']""")
_ATTR_R = re.compile(rb"""\br\s*=\s*["']([A-Za-z]+)([0-9]+)["']""")


ChunkFactory = Callable[[], Iterator[bytes]]


def scan_sheet_xml(
    chunks: ChunkFactory, percent_styles: frozenset[int], *, detail: bool
) -> SheetFacts:
    """Stream a worksheet part: the cell extent always; uncached formulas, error cells and
    percent cells if ``detail``. ``chunks`` gives a fresh iterator (a rare second pass needs it).
    """
    facts = SheetFacts()
    style_pattern = _style_pattern(percent_styles) if detail else None
    implicit = False
    for patterns, piece in _pieces(chunks()):
        implicit |= _extent(piece, patterns, facts)
        if detail:
            _details(piece, patterns, facts, style_pattern, percent_styles)
    if implicit:
        _exact_extent(chunks, facts)
    return facts


def _style_pattern(percent_styles: frozenset[int]) -> re.Pattern[bytes] | None:
    """A search for cells whose style is one of the percent formats, or None without any."""
    if not percent_styles:
        return None
    alternatives = b"|".join(str(s).encode() for s in sorted(percent_styles))
    return re.compile(rb""" s=["'](?:""" + alternatives + rb""")["']""")


def _pieces(chunks: Iterator[bytes]) -> Iterator[tuple[_SheetPatterns, bytes]]:
    """The part in pieces that split no cell, with the patterns of its namespace prefix.

    A piece ends after a ``</c>`` or ``</row>``: those close tags cannot occur inside attribute
    values, and text content escapes ``<``. Chunks are joined until such a tag comes.
    """
    patterns: _SheetPatterns | None = None
    carry = b""
    for chunk in chunks:
        buf = carry + chunk
        patterns = patterns or _patterns_of(buf)
        if patterns is None or (cut := _cut(buf, patterns)) < 0:
            carry = buf
            continue
        piece, carry = buf[:cut], buf[cut:]
        yield patterns, piece
    if patterns is None:
        if carry.strip():
            raise corrupt(Detail.MALFORMED_WORKSHEET)
    elif carry:
        yield patterns, carry


def _patterns_of(start: bytes) -> _SheetPatterns | None:
    """The patterns for the prefix of the root element, or None while it has not come yet."""
    root = _ROOT.search(start)
    if root is None:
        if len(start) > 1024 * 1024:
            raise corrupt(Detail.MALFORMED_WORKSHEET)
        return None
    return _SheetPatterns(root.group(1) or b"")


def _cut(buf: bytes, patterns: _SheetPatterns) -> int:
    """Where the piece ends in ``buf``, or -1 to wait for more."""
    cut = max(buf.rfind(patterns.close_cell), buf.rfind(patterns.close_row))
    if cut >= 0:
        return buf.index(b">", cut) + 1
    if len(buf) > 4 * 1024 * 1024 and (cut := buf.rfind(b">")) >= 0:
        return cut + 1  # no cell closes in 4 MB: only tags to count, cut after any tag
    return -1


def _extent(piece: bytes, patterns: _SheetPatterns, facts: SheetFacts) -> bool:
    """Update the max row/col from the cells' positions. calamine places a cell by its own
    ``r``, whatever its row says, so only cells count. Returns True if some cell has no ``r``
    in the usual form, for the exact pass.

    This runs over every byte of every sheet, hence the shape: one ``count`` and three regex
    scans per piece, and no Python-level work per cell (the row digits go through a set, as a
    row's cells share them)."""
    tags = piece.count(patterns.cell_tag) - len(patterns.other_c_tags.findall(piece))
    digits = patterns.cell_digits.findall(piece)
    if not digits:
        return tags > 0
    facts.max_row = max(facts.max_row, max(map(int, set(digits))) - 1)
    wider = patterns.wider_than(facts.max_col)
    if wider is None or wider.search(piece):
        letters = set(patterns.cell_letters.findall(piece))
        facts.max_col = max(facts.max_col, max(column_index(x.decode()) for x in letters))
    return tags > len(digits)


def _exact_extent(chunks: ChunkFactory, facts: SheetFacts) -> None:
    """Rows or cells without ``r``: follow positions the way the format defines them (the
    next row, the next column) with an XML parser. Rare (a few streaming writers), so it may be
    slower than the regex pass."""
    row = -1
    col = -1
    stream = io.BufferedReader(ChunkStream(chunks()), IN_CHUNK)
    try:
        for event, element in SafeET.iterparse(stream, events=("start", "end")):
            tag = local(element.tag)
            if event == "start" and tag == "row":
                ref = element.get("r")
                row = int(ref) - 1 if ref and ref.isdigit() else row + 1
                col = -1
                facts.max_row = max(facts.max_row, row)
            elif event == "start" and tag == "c":
                match = _REF.fullmatch(element.get("r") or "")
                col = column_index(match.group(1)) if match else col + 1
                facts.max_col = max(facts.max_col, col)
                if match:
                    facts.max_row = max(facts.max_row, int(match.group(2)) - 1)
            elif event == "end" and tag == "row":
                element.clear()
    except FileRejected:
        raise
    except Exception:
        raise corrupt(Detail.MALFORMED_WORKSHEET) from None


_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)")


def _details(
    piece: bytes,
    patterns: _SheetPatterns,
    facts: SheetFacts,
    style_pattern: re.Pattern[bytes] | None,
    percent_styles: frozenset[int],
) -> None:
    """Formula, error and percent cells of a piece. Work is per hit, not per cell: a data sheet
    with none of them costs three regex searches per megabyte."""
    hits = [m.start() for m in patterns.formula.finditer(piece)]
    hits += [m.start() for m in patterns.type_error.finditer(piece)]
    if style_pattern is not None:
        hits += [m.start() for m in style_pattern.finditer(piece)]
    if not hits:
        return
    hits.sort()
    done_until = -1
    for hit in hits:
        if hit < done_until:
            continue
        start = _cell_start(piece, hit, patterns.cell_tag)
        cell = patterns.cell.match(piece, start) if start >= 0 else None
        if cell is None or cell.end() <= hit:
            continue  # the hit is not inside a cell (e.g. a row's own s="...")
        done_until = cell.end()
        _one_cell(cell.group(1), cell.group(2) or b"", patterns, facts, percent_styles)


def _cell_start(piece: bytes, before: int, tag: bytes) -> int:
    position = before
    while (position := piece.rfind(tag, 0, position)) >= 0:
        if piece[position + len(tag) : position + len(tag) + 1] in (
            b" ",
            b">",
            b"/",
            b"\t",
            b"\n",
            b"\r",
        ):
            return position
    return -1


def _one_cell(
    attrs: bytes,
    body: bytes,
    patterns: _SheetPatterns,
    facts: SheetFacts,
    percent_styles: frozenset[int],
) -> None:
    type_match = _ATTR_T.search(attrs)
    cell_type = type_match.group(1) if type_match else b"n"
    ref = _ATTR_R.search(attrs)
    position = (int(ref.group(2)) - 1, column_index(ref.group(1).decode())) if ref else None
    value_match = patterns.value.search(body)
    value = value_match.group(1) if value_match and value_match.group(1) else b""
    # An empty <v/> after a formula is a cached empty string only when the type says string.
    if patterns.formula.search(body) and (
        value_match is None or (not value and cell_type != b"str")
    ):
        facts.uncached.append(position)
        return
    if position is None:
        return
    if cell_type == b"e" and value:
        facts.overrides[position] = unescape(value.decode("utf-8", "replace"))
    elif cell_type == b"n" and value and percent_styles:
        style = _ATTR_S.search(attrs)
        if style is not None and int(style.group(1)) in percent_styles:
            facts.overrides[position] = percent_text(value.decode("ascii", "replace"))
