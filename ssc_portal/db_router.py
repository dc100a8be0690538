"""Which database a query goes to: the primary, or the read replica for reads that tolerate lag.

With DATABASE_REPLICA_URL set (settings.DATABASES["replica"], a PostgreSQL streaming replica of
the primary), the views declared lag-tolerant with @reads_from_replica read from the replica: the
dashboard, the API's lists, the exports and the IATI file. They are the portal's heaviest reads,
and a summary a second old serves their readers as well as a current one.

Everything else reads the primary, by default: a page that shows a form, a record the API has just
created, the sign-in. Inside a lag-tolerant view, reads go back to the primary inside
transaction.atomic (what a transaction reads, it may write back) and after the view's first write
(a read after one's own write must see it, and the replica may not have it yet). Writes always go
to the primary; migrations never run on the replica, which receives the schema by replication.

The declaration is a context variable the router reads for every query: it follows the request's
thread (or a task's), and ends with the view, or with the last chunk of a streamed answer.
Raw SQL takes its connection from the query it wraps (`connections[queryset.db]`), so that it
reads where the ORM would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

REPLICA_DB_ALIAS = "replica"


@dataclass
class _LagTolerant:
    """One lag-tolerant piece of work (a view, a report): it reads the replica until it writes."""

    wrote: bool = False


_lag_tolerant: ContextVar[_LagTolerant | None] = ContextVar("lag_tolerant", default=None)


@contextmanager
def _within(work: _LagTolerant) -> Iterator[None]:
    token = _lag_tolerant.set(work)
    try:
        yield
    finally:
        _lag_tolerant.reset(token)


@contextmanager
def replica_reads() -> Iterator[None]:
    """The reads inside the block may go to the replica (the rules in the module's docstring)."""
    with _within(_LagTolerant()):
        yield


def reads_from_replica[**P, R: HttpResponseBase](view: Callable[P, R]) -> Callable[P, R]:
    """Declare a view (or a viewset's action) lag-tolerant: its reads may go to the replica.

    Put it below the sign-in decorators: who asks (the session, the user) is then read before
    the view runs, from the primary, where a sign-in a moment ago has written it.
    """

    @wraps(view)
    def lag_tolerant_view(*args: P.args, **kwargs: P.kwargs) -> R:
        work = _LagTolerant()
        with _within(work):
            response = view(*args, **kwargs)
        # A streamed body is read as the server sends it, after the view has returned. A file is
        # left alone: it reads no database, and the server may send it with sendfile.
        if (
            isinstance(response, StreamingHttpResponse)
            and not isinstance(response, FileResponse)
            and not response.is_async
        ):
            content = response.streaming_content
            assert isinstance(content, Iterator)  # not an async body: is_async says so
            response.streaming_content = _chunks_within(work, content)
        return response

    return lag_tolerant_view


def _chunks_within(work: _LagTolerant, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks, each made inside the view's lag-tolerant work and only while it is made:
    between two chunks the server's own queries read the primary."""
    iterator = iter(chunks)
    while True:
        with _within(work):
            chunk = next(iterator, None)
        if chunk is None:
            return
        yield chunk


class PrimaryReplicaRouter:
    """settings.DATABASE_ROUTERS when a replica is configured."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        work = _lag_tolerant.get()
        if work is None or work.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        work = _lag_tolerant.get()
        if work is not None:
            work.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # The replica holds the primary's rows: an object read from either is the same object.
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return db != REPLICA_DB_ALIAS
