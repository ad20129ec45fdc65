"""PostgreSQL bulk-loading helpers for the scale demo: COPY from a generated
stream, sequences put back after explicit ids, and a table's secondary
indexes and constraints set aside while millions of rows go in (building an
index once over sorted data is far cheaper than updating it row by row, and
re-adding a foreign key checks it with one join instead of one query per row)."""

from django.db import connection

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value):
    """One value in COPY's text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(_ESCAPES)


class LineStream:
    """A read-only file over an iterator of COPY lines, so the rows are generated
    while PostgreSQL is still ingesting the previous chunk."""

    def __init__(self, lines):
        self._lines = iter(lines)
        self._buffer = ""

    def read(self, size=-1):
        size = 1 << 20 if size is None or size < 0 else size
        parts, length = [self._buffer], len(self._buffer)
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if length >= size:
                break
        chunk = "".join(parts)
        self._buffer = chunk[size:]
        return chunk[:size]

    def readline(self, size=-1):
        return self.read(size)


def _columns(model, fields):
    return [model._meta.get_field(name).column for name in fields]


def copy_rows(cursor, model, fields, lines):
    """COPY ``lines`` (tab-separated, newline-terminated, ``fields`` in order) into the model's table."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in _columns(model, fields))
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    cursor.cursor.copy_expert(sql, LineStream(lines), size=1 << 20)


def copy_tuples(cursor, model, fields, rows):
    """COPY Python tuples (small tables: units, assignments, indicator values)."""
    copy_rows(cursor, model, fields, ("\t".join(copy_value(v) for v in row) + "\n" for row in rows))


def sequence_reset(cursor, model):
    """Moves the id sequence past the explicit ids COPY wrote."""
    table, pk = model._meta.db_table, model._meta.pk.column
    quote = connection.ops.quote_name
    # The names come from the model's _meta, not from input.
    sql = f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({quote(pk)}), 1), MAX({quote(pk)}) IS NOT NULL) "
    sql += f"FROM {quote(table)}"  # noqa: S608
    cursor.execute(
        sql,
        [table, pk],
    )


def _set_aside(cursor, table):
    """(constraints, indexes) of ``table`` other than its primary key, as (name, definition)."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) ORDER BY indexname",
        [table, table],
    )
    return constraints, cursor.fetchall()


def indexes_drop(cursor, model):
    """Drops the table's secondary indexes and its unique and foreign-key
    constraints; returns them for ``indexes_restore``. Both run inside the
    caller's transaction, so a failure in between leaves the schema as it was."""
    table = model._meta.db_table
    quote = connection.ops.quote_name
    constraints, indexes = _set_aside(cursor, table)
    # A table with pending deferred checks (rows just written to a referenced
    # table) cannot be altered: run those checks now, then defer again.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for name, _definition in constraints:
        cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")
    return [(None, definition) for _name, definition in indexes] + constraints


def indexes_restore(cursor, model, set_aside, on_each=None):
    """Re-creates exactly what ``indexes_drop`` dropped (names and definitions
    as read from the catalogue): indexes first, then constraints."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    for name, definition in set_aside:
        if name is None:
            cursor.execute(definition)
        else:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        if on_each:
            on_each()
