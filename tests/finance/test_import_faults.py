"""The database connection drops in the middle of a workbook import: nothing of the file is
written, the user's pending import stays ready to run again, and running it again imports the
whole file once."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import psycopg2
import pytest
from celery.exceptions import Retry
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Sum
from django.db.utils import OperationalError

from accounts.models import User
from activities.models import Activity, HistoricalActivity
from finance import importer, tasks
from finance.import_uploads import process_pending_import
from finance.importer import import_legacy_workbook
from finance.models import FinancialEntry, ImportRun, PendingImport, RollupRefresh

# Committed data and a connection of our own to kill: a transactional test. serialized_rollback
# brings back the reference data (countries, divisions) the flush after a transactional test
# empties.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SAMPLE = "../shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"


def terminate_this_connection() -> None:
    """What a database restart or a network cut does to the import's session, from outside it."""
    pid = connection.connection.get_backend_pid()
    settings = connection.settings_dict
    killer = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
    )
    try:
        killer.autocommit = True
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        killer.close()


@pytest.fixture
def drop_after_first_chunk(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Writes 4 activities per chunk and cuts the connection once the first chunk is written
    (the writer reports progress after each chunk); yields the progress reports seen."""
    monkeypatch.setattr(importer, "CHUNK", 4)
    seen: list[int] = []
    writer_run = importer._Writer.run

    def run(self, activities, contributions, progress):  # type: ignore[no-untyped-def]
        def cut(done: int, total: int) -> None:
            seen.append(done)
            if progress:
                progress(done, total)
            if len(seen) == 1 and self.write:
                terminate_this_connection()

        return writer_run(self, activities, contributions, cut)

    monkeypatch.setattr(importer._Writer, "run", run)
    yield seen
    # Django reconnects on the next query once the dead connection is closed.
    connection.close()


def uploaded(user: User) -> PendingImport:
    with open(SAMPLE, "rb") as handle:
        return PendingImport.objects.create(
            user=user,
            filename="sample.xlsx",
            state=PendingImport.State.IMPORTING,
            file=ContentFile(handle.read(), name="sample.xlsx"),
        )


def nothing_written() -> bool:
    connection.close()  # the dead session: the checks below run on a new one
    return not (
        Activity.objects.exists()
        or FinancialEntry.objects.exists()
        or ImportRun.objects.exists()
        or HistoricalActivity.objects.exists()
        or RollupRefresh.objects.exists()
    )


def ifad_allocated() -> Decimal:
    return FinancialEntry.objects.filter(kind__startswith="ifad", stage="allocated").aggregate(
        total=Sum("amount_usd")
    )["total"]


@committed
def test_a_connection_lost_mid_import_writes_nothing_and_the_import_can_be_run_again(
    focal: User, drop_after_first_chunk: list[int]
) -> None:
    with pytest.raises(OperationalError), open(SAMPLE, "rb") as handle:
        import_legacy_workbook(handle=handle, filename="sample.xlsx", user=focal, dry_run=False)
    assert drop_after_first_chunk == [4]  # cut after the first chunk's writes
    assert nothing_written()

    with open(SAMPLE, "rb") as handle:
        summary = import_legacy_workbook(
            handle=handle, filename="sample.xlsx", user=focal, dry_run=False
        )
    assert summary.created == 16
    assert Activity.objects.count() == 16
    assert ImportRun.objects.count() == 1
    assert ifad_allocated() == Decimal("6544000.00")


@committed
def test_the_uploaded_import_stays_pending_and_its_retry_imports_it_once(
    focal: User, drop_after_first_chunk: list[int]
) -> None:
    pending = uploaded(focal)
    # What the Celery task runs; the task is retried, with backoff, on this very error.
    assert OperationalError in tasks.process_pending_import_task.autoretry_for
    with pytest.raises(OperationalError):
        process_pending_import(pending.pk, commit=True)
    assert nothing_written()
    pending.refresh_from_db()
    assert pending.state == PendingImport.State.IMPORTING
    assert pending.file  # the upload is kept for the retry

    process_pending_import(pending.pk, commit=True)
    pending.refresh_from_db()
    assert pending.state == PendingImport.State.DONE
    assert pending.summary["created"] == 16
    assert Activity.objects.count() == 16
    assert ifad_allocated() == Decimal("6544000.00")


@pytest.mark.django_db
def test_an_import_that_keeps_losing_the_database_is_refused_after_the_retries(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    pending = uploaded(focal)
    attempts: list[int] = []

    def lose(pending_id: int, *, commit: bool) -> None:
        attempts.append(pending_id)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(tasks, "process_pending_import", lose)
    task = tasks.process_pending_import_task
    # An attempt with retries left asks for a retry and leaves the upload as it is.
    with pytest.raises(Retry):
        task.apply(args=(pending.pk, True), retries=task.max_retries - 1)
    pending.refresh_from_db()
    assert pending.state == PendingImport.State.IMPORTING
    # The last one tells the user.
    task.apply(args=(pending.pk, True), retries=task.max_retries)
    assert len(attempts) == 2
    pending.refresh_from_db()
    assert pending.state == PendingImport.State.REFUSED
    assert "Nothing from it was imported: upload it again." in pending.problems[0]
    assert not pending.file
    assert not Activity.objects.exists()
