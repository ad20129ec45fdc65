"""Upkeep of the database itself."""

import time

from django.db import connection


def statistics_refresh(models=()):
    """Refreshes PostgreSQL's planner statistics for every table (``ANALYZE``),
    or for ``models``' tables only; the seconds it took, or None on another
    database.

    Autovacuum analyzes a table only after 50 rows and a tenth of it have
    changed, so a table of a few rows (a directive's tasks, its schedules)
    keeps the statistics of its first day, or none. Without them the planner
    took a directive for one task instead of six and read every assignment for
    the late list's first page (376 ms instead of 8 ms nationally)."""
    if connection.vendor != "postgresql":
        return None
    started = time.monotonic()
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(tables) if tables else "ANALYZE")
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
            for start in range(0, len(rows), page):
                sql, params = _unnest_select(fields, rows[start : start + page])
                cursor.execute(f"{head}{sql}{tail}", params)
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


def _unnest_select(fields, rows):
    """(``SELECT`` of ``rows``' values, its parameters) for PostgreSQL: a
    column whose value is the same in every row goes once, as one value; the
    others each as one array (``unnest``). A sweep's chunk shares its status,
    note and times: sending them once per row was a third of its INSERT."""
    columns = [list(values) for values in zip(*rows, strict=True)]
    same = [all(value == values[0] for value in values) for values in columns]
    if all(same):
        same[0] = False  # unnest gives the number of rows
    select, once, arrays, names = [], [], [], []
    for index, (field, values) in enumerate(zip(fields, columns, strict=True)):
        kind = field.db_type(connection)
        if same[index]:
            select.append(f"%s::{kind}")
            once.append(values[0])
        else:
            select.append(f"c{index}")
            names.append(f"c{index}")
            arrays.append((f"%s::{kind}[]", values))
    unnest = ", ".join(cast for cast, _values in arrays)
    sql = f"SELECT {', '.join(select)} FROM unnest({unnest}) AS u({', '.join(names)})"  # noqa: S608 - our own names
    return sql, [*once, *(values for _cast, values in arrays)]
