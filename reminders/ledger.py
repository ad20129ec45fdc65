"""The exactly-once mechanics every reminder ledger shares (``LedgerRow``):
a row moves from pending to sent or skipped by one conditional UPDATE, or is
written sent or skipped by an INSERT that leaves alone a row another sweep
wrote, so a row another sweep claimed meanwhile is neither sent nor counted
twice."""

from django.db import connection

from reminders.models import ReminderStatus
from tracker.database import rows_insert


def ledger_claim(model, pks, status, now, recipients=0, note="") -> set:
    """Moves the rows of ``model`` (a ``LedgerRow``) among ``pks`` that are
    still pending to ``status`` and answers which: the conditional update is
    the claim (one statement per row set). Call it inside the transaction that
    creates the rows' notifications."""
    if not pks:
        return set()
    table = connection.ops.quote_name(model._meta.db_table)
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, recipients = %s, note = %s "  # noqa: S608
            f"WHERE id IN ({marks}) AND status = %s RETURNING id",
            [status, now if status == ReminderStatus.SENT else None, recipients, note, *pks, ReminderStatus.PENDING],
        )
        return {row[0] for row in cursor.fetchall()}


def ledger_insert(model, columns, rows, key) -> dict:
    """Inserts ``rows`` (tuples of values of ``columns``) into ``model``'s
    table and answers {values of ``key``: pk} of the rows it wrote. A row
    whose unique ``key`` another transaction holds is left alone: the INSERT
    waits for that transaction, then skips the row. A row inserted already
    sent or skipped is therefore claimed by its INSERT, exactly as by
    ``ledger_claim``: call it inside the transaction that creates the rows'
    notifications."""
    found = rows_insert(model, columns, rows, returning=("id", *key), skip_conflicts=True)
    return {tuple(row[1:]): row[0] for row in found}
