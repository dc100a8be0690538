"""Reads run beside the page's others: a cold dashboard's reads of the ledger (the in-kind
quantities) on a second connection of their own while the page reads the roll-ups.

The two sets of reads are independent and each is spent waiting on PostgreSQL, so the page's
time is the longer of the two rather than their sum (benchmarks/README.md, "Roll-ups").

They run aside only where that reads the same data: on PostgreSQL, outside any transaction. A
second connection does not see what a transaction has not committed (a test's data, a caller's
own writes), so inside one, and on SQLite, the read runs on the caller's connection when its
result is first asked for, as any other read of the page.

A connection opened aside plans its statements without parallel workers: the page's reads
already run as several streams at once, which a parallel plan's workers would then compete
with for the same cores (benchmarks/README.md, "Roll-ups").
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created

# Set on the threads read_aside starts, for the connections they open.
_opened_aside = threading.local()


def _plan_without_parallel_workers(
    sender: object, connection: BaseDatabaseWrapper, **kwargs: object
) -> None:
    if getattr(_opened_aside, "active", False) and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")


connection_created.connect(_plan_without_parallel_workers, dispatch_uid="dashboard-read-aside")


def can_read_aside() -> bool:
    """Whether a read on a second connection sees what the caller's connection sees."""
    connection = connections[DEFAULT_DB_ALIAS]
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def read_aside[T](read: Callable[[], T]) -> Callable[[], T]:
    """Start `read` on a thread of its own (with its own connections, closed when it is done)
    and return what waits for its result, or raises its error. Where reading aside would not
    see the same data (can_read_aside), return `read` itself, run when first asked."""
    if not can_read_aside():
        return read
    # The caller's context (the replica routing of a lag-tolerant view) goes with the read;
    # the connections do not: Django keeps them per thread.
    context = contextvars.copy_context()
    outcome: dict[str, Any] = {}

    def run() -> None:
        _opened_aside.active = True
        try:
            outcome["value"] = context.run(read)
        except BaseException as error:  # raised again in the caller's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="dashboard-read-aside", daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        value: T = outcome["value"]
        return value

    return result
