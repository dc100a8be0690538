"""A cold dashboard reads the ledger (its in-kind quantities) on a second connection while it
reads the roll-ups on its own, and only where that second connection sees the same data:
outside any transaction, on PostgreSQL."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from activities.models import Activity
from finance.dashboard import aside, selection
from finance.quantities import InKindRead
from tests.finance.test_quantities import portfolio  # noqa: F401 (a fixture)

NOTE = "In-kind not valued, left out: 3 lines (5 expert-days, 30 participant-days, 12 venue-days)"


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _still_connected(pid: int) -> bool:
    """Whether PostgreSQL still has that session (it leaves shortly after its client)."""
    for _ in range(50):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return False
        time.sleep(0.05)
    return True


@pytest.fixture
def read_in_kind_where(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """(thread, database session) of each in-kind read of the dashboard."""
    where: list[tuple[int, int]] = []
    read = selection.selection_in_kind

    def recorded(*args: Any) -> InKindRead:
        where.append((threading.get_ident(), _backend_pid()))
        return read(*args)

    monkeypatch.setattr(selection, "selection_in_kind", recorded)
    return where


@pytest.mark.django_db
def test_inside_a_transaction_the_ledger_is_read_on_the_callers_connection(
    portfolio: tuple[Activity, Activity],  # noqa: F811 (the fixture imported above)
    focal_client: Client,
    read_in_kind_where: list[tuple[int, int]],
) -> None:
    # A second connection would not see the test's uncommitted rows: the read stays inline.
    caches["dashboard"].clear()
    page = focal_client.get(reverse("finance:dashboard")).content.decode()
    assert page.count(NOTE) == 2
    assert read_in_kind_where == [(threading.get_ident(), _backend_pid())]

    def read() -> int:
        return 1

    assert aside.read_aside(read) is read


# serialized_rollback as every transactional test here: the flush after one without it recreates
# the content types, which the next test restoring its serialized rows then meets as duplicates.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_error_read_aside_is_raised_to_the_caller() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("read aside on PostgreSQL only")

    def fails() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")

    waiting = aside.read_aside(fails)
    with pytest.raises(Exception, match="division by zero"):
        waiting()


# One test for both reads aside of a cold page: a transactional test empties and restores the
# database around it, which cost more than the page.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_cold_dashboard_reads_ledger_and_counts_aside_and_closes_the_connections(
    portfolio: tuple[Activity, Activity],  # noqa: F811 (the fixture imported above)
    focal_client: Client,
    read_in_kind_where: list[tuple[int, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("read aside on PostgreSQL only")
    counted_where: list[tuple[int, int]] = []
    count = selection.agreement_counts

    def recorded(*args: Any) -> dict[str, int]:
        counted_where.append((threading.get_ident(), _backend_pid()))
        return count(*args)

    monkeypatch.setattr(selection, "agreement_counts", recorded)
    caches["dashboard"].clear()
    page = focal_client.get(reverse("finance:dashboard")).content.decode()
    assert page.count(NOTE) == 2  # what the page read inline shows, as in test_quantities
    assert 'data-figure="coverage_activities"' in page
    for where in (read_in_kind_where, counted_where):
        [(thread, session)] = where
        assert thread != threading.get_ident()
        assert session != _backend_pid()
        assert not _still_connected(session)
    # Served from the cache next time: nothing read aside or inline.
    assert focal_client.get(reverse("finance:dashboard")).content.decode().count(NOTE) == 2
    assert len(read_in_kind_where) == 1
    assert len(counted_where) == 1


def _parallel_workers() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_read_aside_plans_without_parallel_workers_and_the_callers_connection_keeps_them() -> (
    None
):
    if connection.vendor != "postgresql":
        pytest.skip("read aside on PostgreSQL only")
    own = _parallel_workers()
    assert own != "0"  # the server's setting, which the page's own connection keeps
    assert aside.read_aside(_parallel_workers)() == "0"
    assert _parallel_workers() == own
    # A thread of the caller's own opens its connections as any other.
    seen: list[str] = []

    def read() -> None:
        seen.append(_parallel_workers())
        connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen == [own]
