"""Upkeep of the database itself."""

import time

from django.db import connection


def statistics_refresh():
    """Refreshes PostgreSQL's planner statistics for every table (``ANALYZE``);
    the seconds it took, or None on another database.

    Autovacuum analyzes a table only after 50 rows and a tenth of it have
    changed, so a table of a few rows (a directive's tasks, its schedules)
    keeps the statistics of its first day, or none. Without them the planner
    took a directive for one task instead of six and read every assignment for
    the late list's first page (376 ms instead of 8 ms nationally)."""
    if connection.vendor != "postgresql":
        return None
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return round(time.monotonic() - started, 1)


def rows_insert(model, columns, rows, *, returning=(), skip_conflicts=False, page=20000):
    """Inserts ``rows`` (tuples of values of ``columns``, field attnames) into
    ``model``'s table as plain values, without a model instance for each, and
    answers the ``returning`` columns of the rows written. With
    ``skip_conflicts`` a row that would break a unique constraint is left
    out (``ON CONFLICT DO NOTHING``).

    On PostgreSQL each column goes as one array (``unnest``), a page of rows
    per statement: formatting the rows one by one in Python was a tenth of
    the national reminder sweep."""
    if not rows:
        return []
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(column) for column in columns]
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
    tail = (" ON CONFLICT DO NOTHING" if skip_conflicts else "") + (
        f" RETURNING {', '.join(quote(column) for column in returning)}" if returning else ""
    )
    found = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            sql = f"{head}SELECT * FROM unnest({arrays}){tail}"  # noqa: S608 - our own names
            for start in range(0, len(rows), page):
                cursor.execute(sql, [list(values) for values in zip(*rows[start : start + page], strict=True)])
                found.extend(cursor.fetchall() if returning else ())
            return found
        marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
        for start in range(0, len(rows), 500):
            batch = rows[start : start + 500]
            params = [field.get_db_prep_save(value, connection) for row in batch
                      for field, value in zip(fields, row, strict=True)]  # fmt: skip
            cursor.execute(f"{head}VALUES {', '.join([marks] * len(batch))}{tail}", params)
            found.extend(cursor.fetchall() if returning else ())
    return found
