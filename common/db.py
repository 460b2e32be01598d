"""Inserting many rows at once: the one COPY writer of the project.

On PostgreSQL, ``bulk_create`` sends each column as one array, and psycopg builds the text of
those arrays in Python, escaping every JSON document character by character; for the 3,000
versions and audit entries of a county-level bulk load, or the 3,000 results of a scoring
run, that was most of their time (``docs/benchmarks.md``). COPY takes each value as it is.
Every COPY of the application goes through ``copy_rows``: ``bulk_insert`` (model objects),
the scoring results (JSON already serialised) and the bulk load's values (written from a
second thread while the file is parsed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

M = TypeVar("M", bound=models.Model)

# Below this many rows an INSERT is as quick and needs no extra query for the ids.
COPY_FROM_ROWS = 200


def copy_available() -> bool:
    """True where ``copy_rows`` works (PostgreSQL); elsewhere use ``bulk_create``."""
    return connection.vendor == "postgresql"


def copy_rows(model: type[models.Model], columns: Sequence[str],
              rows: Iterable[Sequence[Any]], *, cursor: Any = None) -> int:
    """COPY ``rows`` (each a sequence of values as the database takes them, in the order of
    ``columns``, the table's column names) into the table of ``model``; the number written.

    In the caller's transaction, with the constraints checked as for an INSERT, text escaped
    by psycopg. On the default connection, raising Django's database errors; or through
    ``cursor``, a psycopg cursor of that connection used from another thread (the bulk load's
    value writer), raising psycopg's errors for that thread's caller to convert.
    """
    sql = (f"COPY {_quote(model._meta.db_table)} "
           f"({', '.join(_quote(column) for column in columns)}) FROM STDIN")
    if cursor is not None:
        return _copy(cursor, sql, rows)
    with connection.cursor() as django_cursor, connection.wrap_database_errors:
        return _copy(django_cursor, sql, rows)


def _quote(name: str) -> str:
    # PostgreSQL's quoting, without the connection's (a thread-local lookup in another thread).
    return '"' + name.replace('"', '""') + '"'


def _copy(cursor: Any, sql: str, rows: Iterable[Sequence[Any]]) -> int:
    written = 0
    with cursor.copy(sql) as copy:
        write_row = copy.write_row
        for row in rows:
            write_row(row)
            written += 1
    return written


def bulk_insert(objects: Sequence[M]) -> Sequence[M]:
    """``bulk_create`` of many new objects of one model, primary keys set on them.

    On PostgreSQL through ``copy_rows``; the primary keys are drawn from the table's sequence
    first, so that the objects have them, as ``bulk_create`` returns them. No signals, like
    ``bulk_create``.
    """
    if not objects:
        return objects
    model = type(objects[0])
    if not copy_available() or len(objects) < COPY_FROM_ROWS:
        return model._default_manager.bulk_create(objects, batch_size=1000)
    _take_keys(model, objects)
    fields = list(model._meta.concrete_fields)
    # The connection itself, not the proxy ``django.db.connection``: the fields read it a
    # dozen times per object (operations, features), each time through the proxy's lookup.
    database = connections[DEFAULT_DB_ALIAS]
    copy_rows(model, [str(f.column) for f in fields],
              ([f.get_db_prep_save(f.pre_save(obj, True), database) for f in fields]
               for obj in objects))
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def _take_keys(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Give the objects without a primary key one from the table's sequence."""
    missing = [obj for obj in objects if obj.pk is None]
    if not missing:
        return
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                       "FROM generate_series(1, %s)",
                       [model._meta.db_table, pk.column, len(missing)])
        for obj, (new_id,) in zip(missing, cursor.fetchall(), strict=True):
            obj.pk = new_id
