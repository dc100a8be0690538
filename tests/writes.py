"""What a request wrote, seen at the database cursor and by PostgreSQL's own row counters.

The permission walks compare tests.helpers.db_state before and after each of their thousands of
requests; reading that snapshot cost more than most requests. Most requests write nothing, and
then the snapshot cannot differ: `watched()` tells which requests could have changed a row the
snapshot reads, and only those are snapshotted. Two witnesses, so that neither's blind spot hides
a write: every statement Django's connection runs (a TRUNCATE, a CTE that updates, anything but a
plain read), and the rows PostgreSQL counts as inserted, updated or deleted in the transaction
(savepoints rolled back included), which also sees what bypasses Django's cursor wrapper (the
importers' COPY, activities.bulk).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import connection, transaction

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# Writes a GET may make: the session (its idle clock), an API token's last-used time. Neither
# changes a row db_state reads (it reads no session, and of the tokens only their revocation).
BOOKKEEPING = (
    re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM) "django_session"', re.IGNORECASE),
    re.compile(r'^\s*UPDATE "accounts_apitoken" SET "last_used_at" = ', re.IGNORECASE),
)
# The bookkeeping's tables, left out of the row counters: their statements are judged above.
BOOKKEEPING_TABLES = ("django_session", "accounts_apitoken")
# Statements that change no row: reads and the transaction's own savepoints and settings.
READ = re.compile(
    r"^\s*(SELECT|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|SET CONSTRAINTS)\b",
    re.IGNORECASE,
)


@dataclass
class Watched:
    """The statements run inside `watched()` and the rows counted as written meanwhile."""

    writes: list[str] = field(default_factory=list)  # INSERT/UPDATE/DELETE, bookkeeping left out
    others: list[str] = field(default_factory=list)  # any other statement that is not a read
    bookkeeping: list[str] = field(default_factory=list)  # the session's and tokens' writes
    rows_before: int = 0
    rows_after: int = 0

    @property
    def may_have_changed(self) -> bool:
        """Whether a row outside the bookkeeping could have changed: if not, db_state has not."""
        return bool(self.writes or self.others) or self.rows_after != self.rows_before


@contextmanager
def writes_recorded() -> Iterator[list[str]]:
    """The data-changing SQL statements run inside the block, bookkeeping left out."""
    with watched(count_rows=False) as seen:
        yield seen.writes


@contextmanager
def watched(*, count_rows: bool = True, since: int | None = None) -> Iterator[Watched]:
    """Records the block's statements (and, with count_rows, PostgreSQL's written rows).

    `since`: the rows counted earlier (a previous watch's rows_after), saving a count; a row
    written in between is then taken for the block's (a snapshot more, never one less)."""
    seen = Watched()

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if any(allowed.match(sql) for allowed in BOOKKEEPING):
            seen.bookkeeping.append(sql[:120])
        elif WRITE.match(sql):
            seen.writes.append(sql[:120])
        elif not READ.match(sql):
            seen.others.append(sql[:120])
        return execute(sql, params, many, context)

    if count_rows:
        seen.rows_before = rows_written() if since is None else since
    with connection.execute_wrapper(record):
        yield seen
    if count_rows:
        seen.rows_after = rows_written()


ROWS_WRITTEN = (
    "SELECT coalesce(sum(pg_stat_get_xact_tuples_inserted(o)"
    " + pg_stat_get_xact_tuples_updated(o) + pg_stat_get_xact_tuples_deleted(o)), 0)"
    " FROM unnest(%s::oid[]) AS o"
)


def rows_written(*, after: str = "") -> int:
    """Rows inserted, updated or deleted so far in this transaction, the bookkeeping's left out.

    PostgreSQL's counters only grow: a savepoint rolled back keeps its rows counted. `after`:
    statements (no parameters) run first, in the same round trip."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"{after}; {ROWS_WRITTEN}" if after else ROWS_WRITTEN,
            [list(_counted_tables(connection.settings_dict["NAME"]))],
        )
        return int(cursor.fetchone()[0])


class EachRolledBack:
    """Blocks run one after another, each watched (`watched`) and then rolled back to one
    savepoint, so that each starts from the state the first started from; `after` is the state
    (`snapshot()`) the last block left, read only when the block may have changed it.

    transaction.atomic() around each of the permission walks' requests cost three round trips to
    PostgreSQL (SAVEPOINT, ROLLBACK TO SAVEPOINT, RELEASE SAVEPOINT) and the watch a fourth (the
    rows written): as many as a refused request's own queries, each a wait for the server on a
    busy machine. A savepoint rolled back to stays in place, so one serves every block; as the
    row counters keep what a rolled-back savepoint wrote, when the statements already say that a
    block wrote, the rows are counted in the rollback's round trip; and a block that ran nothing
    but reads, and wrote no row, is not rolled back at all."""

    def __init__(self, before: Any, snapshot: Callable[[], Any]) -> None:
        self.before = before
        self.after = before
        self._snapshot = snapshot
        self._callbacks = len(connection.run_on_commit)
        self._sid = transaction.savepoint_create()
        self._rows = rows_written()

    def _rollback_sql(self) -> str:
        return connection.ops.savepoint_rollback_sql(self._sid)

    def _rolled_back(self) -> None:
        # What transaction.atomic() does on leaving a savepoint rolled back: the callbacks the
        # block left for the commit go with it, and the transaction may be used again.
        del connection.run_on_commit[self._callbacks :]
        connection.needs_rollback = False

    @contextmanager
    def watched(self) -> Iterator[Watched]:
        self._callbacks = len(connection.run_on_commit)
        try:
            with watched(count_rows=False) as seen:
                yield seen
        except BaseException:
            with connection.cursor() as cursor:
                cursor.execute(self._rollback_sql())
            self._rolled_back()
            raise
        seen.rows_before = self._rows
        if seen.writes or seen.others:
            self.after = self._snapshot()
            seen.rows_after = rows_written(after=self._rollback_sql())
        else:
            seen.rows_after = rows_written()
            self.after = self._snapshot() if seen.may_have_changed else self.before
            # A block that only read (most refusals) has nothing to undo.
            if seen.may_have_changed or seen.bookkeeping:
                with connection.cursor() as cursor:
                    cursor.execute(self._rollback_sql())
        self._rolled_back()
        self._rows = seen.rows_after

    def close(self) -> None:
        transaction.savepoint_commit(self._sid)


@contextmanager
def each_rolled_back(before: Any, snapshot: Callable[[], Any]) -> Iterator[EachRolledBack]:
    """An EachRolledBack for the block, its savepoint released after it."""
    walk = EachRolledBack(before, snapshot)
    yield walk
    walk.close()


@cache
def _counted_tables(database: str) -> tuple[int, ...]:
    """The oids of the tables whose rows are counted (a test database's, for its lifetime)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.oid FROM pg_class c WHERE c.relkind IN ('r', 'p')"
            " AND c.relnamespace = 'public'::regnamespace AND NOT c.relname = ANY(%s)",
            [list(BOOKKEEPING_TABLES)],
        )
        return tuple(row[0] for row in cursor.fetchall())
