"""Writing a bulk load's values while the file is still being parsed.

On PostgreSQL the values go in through COPY from a second thread on the same connection (and
so in the same transaction), in batches of about ``BATCH_ROWS``, each checked against its
foreign keys at the end of its own COPY. The server indexes and checks one batch on one core
while this process parses the next regions on the other: for a county-level load (180,000
values) that work of the server, about half of the whole, no longer comes after the parsing
but beside it (``docs/benchmarks.md``, "Intake"). The caller rolls the transaction back when
the checks find an error, so nothing written here outlives a rejected file.

Elsewhere (SQLite) the rows are collected and inserted when the writer closes.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import connection

from common.db import copy_available, copy_rows
from submissions import rules
from submissions.models import Value

BATCH_ROWS = 10_000
VALUE_COLUMNS = ("version_id", "element_id", "value", "raw", "note", "sheet", "row", "column")
_DONE = None


def _rows(version_id: int, cells: Mapping[str, rules.Cell], element_ids: Mapping[str, int]
          ) -> Iterator[tuple[Any, ...]]:
    for code, cell in cells.items():
        element_id = element_ids.get(code)
        if element_id is None:
            continue
        position = cell.position
        yield (version_id, element_id, cell.value, cell.raw, cell.note, position.sheet[:100],
               position.row, position.column)


class _CollectingWriter:
    """Rows kept until the end, then one batched insert (databases without COPY)."""

    def __init__(self, element_ids: Mapping[str, int]) -> None:
        self.element_ids = element_ids
        self.values: list[Value] = []

    def write(self, version_id: int, cells: Mapping[str, rules.Cell]) -> None:
        self.values.extend(
            Value(version_id=v, element_id=e, value=value, raw=raw, note=note, sheet=sheet,
                  row=row, column=column)
            for v, e, value, raw, note, sheet, row, column
            in _rows(version_id, cells, self.element_ids))

    def close(self) -> None:
        Value.objects.bulk_create(self.values, batch_size=2000)

    def abandon(self) -> None:
        self.values.clear()


class _CopyWriter:
    """A thread that COPYs the regions handed to it, batch after batch."""

    def __init__(self, element_ids: Mapping[str, int]) -> None:
        self.element_ids = element_ids
        # Unbounded: it holds references to cells the caller keeps anyway (the checks need
        # every unit), so the parsing never waits for the server; the caller waits once, at
        # the end, for what the writer has not written yet.
        self.queue: queue.Queue[tuple[int, Mapping[str, rules.Cell]] | None] = queue.Queue()
        self.error: BaseException | None = None
        self.stopping = False
        connection.ensure_connection()
        self.raw = connection.connection  # psycopg's connection: safe to use from a thread
        self.finished = False
        self.thread = threading.Thread(target=self._run, name="bulk-values", daemon=True)
        self.thread.start()

    def write(self, version_id: int, cells: Mapping[str, rules.Cell]) -> None:
        if self.error is not None:
            self._raise()
        self.queue.put((version_id, cells))

    def close(self) -> None:
        self.queue.put(_DONE)
        self.thread.join()
        if self.error is not None:
            self._raise()

    def abandon(self) -> None:
        """Stop without writing what is left; the caller rolls the transaction back."""
        self.stopping = True
        self.queue.put(_DONE)
        self.thread.join()

    def _raise(self) -> None:
        assert self.error is not None
        with connection.wrap_database_errors:  # psycopg's exception as Django's, as elsewhere
            raise self.error

    def _run(self) -> None:
        try:
            with self.raw.cursor() as cursor:
                # The foreign keys of each batch are checked at the end of its COPY, while
                # the next regions are parsed, instead of all at the COMMIT.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                done = False
                while not done and not self.stopping:
                    done = self._batch(cursor)
                if not self.stopping:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        except BaseException as exc:  # handed to the caller's thread by write() or close()
            self.error = exc

    def _batch(self, cursor: Any) -> bool:
        """COPY regions until about ``BATCH_ROWS`` rows are written; True at the end."""
        copy_rows(Value, VALUE_COLUMNS, self._queued_rows(), cursor=cursor)
        return self.finished

    def _queued_rows(self) -> Iterator[tuple[Any, ...]]:
        """The rows of the regions handed over, until about ``BATCH_ROWS`` or the end."""
        written = 0
        while written < BATCH_ROWS:
            item = self.queue.get()
            if item is _DONE:
                self.finished = True
                return
            if self.stopping:
                continue
            version_id, cells = item
            yield from _rows(version_id, cells, self.element_ids)
            written += len(cells)


@contextmanager
def value_writer(element_ids: Mapping[str, int]) -> Iterator[_CopyWriter | _CollectingWriter]:
    """A writer of the values of new versions, inside the caller's transaction: ``write``
    hands over one version's cells; leaving the block waits until every value is stored
    (and raises what went wrong); an exception inside the block abandons the rest."""
    writer: _CopyWriter | _CollectingWriter = (
        _CopyWriter(element_ids) if copy_available()
        else _CollectingWriter(element_ids))
    try:
        yield writer
    except BaseException:
        writer.abandon()
        raise
    writer.close()
