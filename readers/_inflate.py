"""Reading the entries of a zip container ourselves: bounded, CRC-checked, refusing DTDs.

Python's ``zipfile`` trusts the sizes the archive declares (it merely stops at the declared
size) and inflates in one piece; calamine does not bound inflation at all. So every entry we
look at is inflated here, in chunks, from its raw stream, with its output bounded by its
declared size and by a budget for the whole file, and its bytes scanned for ``<!DOCTYPE`` and
``<!ENTITY`` (in UTF-8 and UTF-16): no workbook needs a DTD, and entity expansion is the XML
bomb. ``Parts`` gives the container checks one object for "read this entry" that remembers
what was read, so that every other XML entry can be run through the same checks at the end.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Final

from readers.errors import Detail, FileRejected, RuleCode

IN_CHUNK: Final = 256 * 1024  # also the buffer of streams over entries (iterparse)
_OUT_CHUNK: Final = 1024 * 1024
_XML_SUFFIXES: Final = (".xml", ".rels", ".vml")

_DOCTYPE_PATTERNS: Final = tuple(
    word.encode(encoding)
    for word in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_OVERLAP: Final = max(len(p) for p in _DOCTYPE_PATTERNS)


def corrupt(detail: Detail | None = None, **params: object) -> FileRejected:
    return FileRejected(RuleCode.FILE_CORRUPT, detail=detail, params=params)


def bomb(detail: Detail, **params: object) -> FileRejected:
    return FileRejected(RuleCode.FILE_ZIP_BOMB, detail=detail, params=params)


class Budget:
    """The uncompressed bytes the whole file may still produce, over every entry read."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, size: int) -> None:
        if size > self.left:
            raise bomb(Detail.UNCOMPRESSED_LIMIT)
        self.left -= size


def _entry_span(data: bytes, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Where the entry's compressed bytes are, from its local header (not the directory's
    copy of it, which may disagree)."""
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise corrupt(Detail.ENTRY_HEADER)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise corrupt(Detail.TRUNCATED)
    return start, end


def _stored(view: memoryview, start: int, end: int, info: zipfile.ZipInfo, budget: Budget
            ) -> Iterator[bytes]:
    if info.compress_size != info.file_size:
        raise corrupt(Detail.ENTRY_SIZES)
    budget.take(info.file_size)
    for pos in range(start, end, _OUT_CHUNK):
        yield bytes(view[pos : min(pos + _OUT_CHUNK, end)])


def _inflated(view: memoryview, start: int, end: int, info: zipfile.ZipInfo, budget: Budget
              ) -> Iterator[bytes]:
    """Raw deflate, at most _OUT_CHUNK out per step, so that a bomb is caught after one
    chunk past its declared size instead of after inflating all of it."""
    declared = info.file_size
    inflater = zlib.decompressobj(-15)
    pos = start
    produced = 0
    pending = b""
    while pending or pos < end:
        source: bytes | memoryview = pending
        if not pending:
            source = view[pos : min(pos + IN_CHUNK, end)]
            pos += len(source)
        try:
            chunk = inflater.decompress(source, _OUT_CHUNK)
        except zlib.error:
            raise corrupt(Detail.DEFLATE_DATA) from None
        pending = inflater.unconsumed_tail
        if chunk:
            produced += len(chunk)
            if produced > declared:
                # The entry inflates past what the directory declares: a lying bomb.
                raise bomb(Detail.INFLATES_PAST_SIZE)
            budget.take(len(chunk))
            yield chunk
        if inflater.eof:
            break
    if produced != declared or not inflater.eof:
        raise corrupt(Detail.INCOMPLETE_ENTRY)


def entry_chunks(data: bytes, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """Inflate one entry from its raw stream, bounded, CRC-checked; yield output chunks."""
    start, end = _entry_span(data, info)
    view = memoryview(data)
    if info.compress_type == zipfile.ZIP_STORED:
        source = _stored(view, start, end, info, budget)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        source = _inflated(view, start, end, info, budget)
    else:
        raise corrupt(Detail.COMPRESSION_METHOD, method=info.compress_type)
    crc = 0
    for chunk in source:
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if crc != info.CRC:
        raise corrupt(Detail.CRC)


def _checked_chunks(data: bytes, info: zipfile.ZipInfo, budget: Budget) -> Iterator[bytes]:
    """Entry chunks, refusing any DOCTYPE/ENTITY declaration (across chunk boundaries too)."""
    tail = b""
    for chunk in entry_chunks(data, info, budget):
        if _declares_dtd(chunk) or _declares_dtd(tail + chunk[:_OVERLAP]):
            raise FileRejected(RuleCode.FILE_XML_ENTITIES, params={"part": info.filename})
        tail = chunk[-_OVERLAP:]
        yield chunk


def _declares_dtd(window: bytes) -> bool:
    # Cheap pre-check: every pattern starts with "<" then "!", in UTF-8 or UTF-16.
    return (b"<!" in window or b"<\x00!" in window) and any(p in window for p in _DOCTYPE_PATTERNS)


class Parts:
    """The entries of one zip, each read through the checks above under one budget."""

    def __init__(self, data: bytes, by_name: dict[str, zipfile.ZipInfo], budget: Budget) -> None:
        self.data = data
        self.by_name = by_name
        self.budget = budget
        self.read_names: set[str] = set()

    def __contains__(self, name: str) -> bool:
        return name in self.by_name

    def chunks(self, name: str) -> Iterator[bytes]:
        """The entry's checked chunks; a fresh inflation on every call (a second pass over a
        sheet costs budget again, as it costs the work again)."""
        self.read_names.add(name)
        return _checked_chunks(self.data, self.by_name[name], self.budget)

    def read(self, name: str) -> bytes:
        return b"".join(self.chunks(name))

    def read_unchecked(self, name: str) -> bytes:
        """Bounded and CRC-checked but not scanned for a DTD: for the non-XML ``mimetype``."""
        self.read_names.add(name)
        return b"".join(entry_chunks(self.data, self.by_name[name], self.budget))

    def check_the_rest(self) -> None:
        """Every XML part not otherwise read: bounded inflation and the DTD check, so that no
        part calamine may open later escapes them."""
        for name in self.by_name:
            if name in self.read_names or not name.lower().endswith(_XML_SUFFIXES):
                continue
            for _chunk in _checked_chunks(self.data, self.by_name[name], self.budget):
                pass


class ChunkStream(io.RawIOBase):
    """A file object over an entry's checked chunks, for iterparse."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = memoryview(b"")
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._position >= len(self._buffer):
            try:
                self._buffer = memoryview(next(self._chunks))
            except StopIteration:
                return 0
            self._position = 0
        # Through a memoryview: slicing the chunk itself would copy its rest on every read.
        size = min(len(target), len(self._buffer) - self._position)
        target[:size] = self._buffer[self._position : self._position + size]
        self._position += size
        return size
