"""The one refusal of the readers: a stable rule code, the values its message needs, the place.

The readers know no language: the application turns a ``FileRejected`` into a sentence in the
user's language (``submissions.reader_messages`` maps every ``RuleCode``, and every ``Detail``,
to a gettext message). ``params`` hold only language-neutral values (numbers, sheet and part
names, header texts from the file), never words of a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class RuleCode(StrEnum):
    """Why a file was refused; stored with the issue, so never renamed."""

    FILE_EMPTY = "FILE_EMPTY"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"  # params: size, limit ("12.3 MB")
    FILE_NOT_SPREADSHEET = "FILE_NOT_SPREADSHEET"
    FILE_CORRUPT = "FILE_CORRUPT"
    FILE_ENCRYPTED = "FILE_ENCRYPTED"
    FILE_MACROS = "FILE_MACROS"
    FILE_ZIP_BOMB = "FILE_ZIP_BOMB"
    FILE_XML_ENTITIES = "FILE_XML_ENTITIES"  # params: part
    FILE_NUL_BYTES = "FILE_NUL_BYTES"  # row: the line
    FILE_ENCODING = "FILE_ENCODING"  # row: the line (not for UTF16_WITHOUT_BOM)
    NO_HEADER = "NO_HEADER"  # params: rows, fields (the aliases of each required field)
    DUPLICATE_HEADER = "DUPLICATE_HEADER"  # params: field, headers ((column, text), ...)
    MERGED_CELLS = "MERGED_CELLS"  # params: cells ("C3:C4")
    FORMULA_NO_CACHED_VALUE = "FORMULA_NO_CACHED_VALUE"
    TOO_MANY_ROWS = "TOO_MANY_ROWS"  # params: max_rows
    SHEET_TOO_LARGE = "SHEET_TOO_LARGE"  # params: rows, cols


class Detail(StrEnum):
    """Which case of a rule, where one rule covers several: what the file looks like, which
    check of the container failed, where no header was found."""

    # FILE_NOT_SPREADSHEET: what the file seems to be instead
    WINDOWS_PROGRAM = "WINDOWS_PROGRAM"
    LINUX_PROGRAM = "LINUX_PROGRAM"
    PROGRAM = "PROGRAM"
    PDF = "PDF"
    IMAGE = "IMAGE"
    ARCHIVE = "ARCHIVE"
    RTF = "RTF"
    WORD = "WORD"
    POWERPOINT = "POWERPOINT"
    PLAIN_ZIP = "PLAIN_ZIP"
    OTHER_OPENDOCUMENT = "OTHER_OPENDOCUMENT"
    HTML_OR_XML = "HTML_OR_XML"  # a web page or XML file with a spreadsheet's name
    # FILE_ENCODING
    UTF16_WITHOUT_BOM = "UTF16_WITHOUT_BOM"
    # FILE_CORRUPT: the check that failed
    SHEET_DIRECTORY = "SHEET_DIRECTORY"
    NOT_A_ZIP = "NOT_A_ZIP"
    DUPLICATE_ENTRIES = "DUPLICATE_ENTRIES"
    ENTRY_HEADER = "ENTRY_HEADER"
    TRUNCATED = "TRUNCATED"
    ENTRY_SIZES = "ENTRY_SIZES"
    DEFLATE_DATA = "DEFLATE_DATA"
    INCOMPLETE_ENTRY = "INCOMPLETE_ENTRY"
    COMPRESSION_METHOD = "COMPRESSION_METHOD"  # params: method
    CRC = "CRC"
    MALFORMED_PART = "MALFORMED_PART"  # params: part
    MALFORMED_WORKSHEET = "MALFORMED_WORKSHEET"
    MISSING_CONTENT = "MISSING_CONTENT"
    DAMAGED_OLE = "DAMAGED_OLE"
    CSV_RECORD = "CSV_RECORD"  # row: the line; params: reason (the csv module's words)
    # FILE_ZIP_BOMB: the bound that was passed
    UNCOMPRESSED_LIMIT = "UNCOMPRESSED_LIMIT"
    INFLATES_PAST_SIZE = "INFLATES_PAST_SIZE"
    TOO_MANY_ENTRIES = "TOO_MANY_ENTRIES"  # params: entries
    INFLATED_SIZE = "INFLATED_SIZE"  # params: megabytes
    COMPRESSION_RATIO = "COMPRESSION_RATIO"
    # NO_HEADER: where the header was looked for
    IN_TEXT = "IN_TEXT"  # a CSV
    NO_VISIBLE_SHEET = "NO_VISIBLE_SHEET"
    IN_ONE_SHEET = "IN_ONE_SHEET"  # sheet: its name
    IN_ANY_SHEET = "IN_ANY_SHEET"


class FileRejected(Exception):
    """The file as a whole cannot be read.

    ``rule_code`` is stable; ``detail`` names the case when the rule has several; ``params``
    are the values the message needs; ``sheet``/``row``/``column`` say where (1-based row, a
    column letter), as far as the refusal has a place.
    """

    def __init__(
        self,
        rule_code: RuleCode,
        *,
        detail: Detail | None = None,
        params: Mapping[str, object] | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.rule_code = rule_code
        self.detail = detail
        self.params: dict[str, object] = dict(params or {})
        self.sheet = sheet
        self.row = row
        self.column = column
        super().__init__(rule_code.value)

    def __str__(self) -> str:
        """For logs and tracebacks, never for users: the codes and the values."""
        place = ", ".join(
            f"{name}={value!r}"
            for name, value in (("sheet", self.sheet), ("row", self.row), ("column", self.column))
            if value is not None
        )
        parts = [self.rule_code.value, self.detail.value if self.detail else "", place]
        parts += [f"{name}={value!r}" for name, value in self.params.items()]
        return " ".join(part for part in parts if part)
