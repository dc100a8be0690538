"""What a workbook import writes, now that it writes in bulk: every row with its audit history and
its author, the optimistic-lock versions moved and checked, nothing at all on a rerun, and a
number of SQL queries that does not depend on how many activities the file holds."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from activities.history import activity_history_entries
from activities.models import Activity, ActivityCountry, Partner, Status, StatusChange
from finance import services
from finance.importer import ImportRefused, ImportSummary, _Writer, import_legacy_workbook
from finance.models import FinancialEntry, LedgerLock
from tests.finance.workbooks import activity_row, build, contribution_row
from tests.helpers import db_state, row_counts

pytestmark = pytest.mark.django_db

AGRICULTURE, GENDER = "Agricultural production", "Gender"


def workbook(n: int, *, year: int = 2010, **changes: Any) -> io.BytesIO:
    """n activities of `year`, each with a contributor of its own."""
    ids = [f"SSC-{year}-{number:02d}" for number in range(1, n + 1)]
    return build(
        [activity_row(ssc_id, **{"title": f"Exchange {ssc_id}", **changes}) for ssc_id in ids],
        [
            contribution_row(ssc_id, contributor=f"Ministry {ssc_id}", planned=1000 * n)
            for ssc_id in ids
        ],
    )


def run(handle: io.BytesIO, user: User | None, *, dry_run: bool = False) -> ImportSummary:
    handle.seek(0)
    return import_legacy_workbook(handle=handle, filename="ssc.xlsx", user=user, dry_run=dry_run)


def everything() -> dict[str, Any]:
    return {
        **db_state(),
        **row_counts(),
        "entry_history": FinancialEntry.history.count(),  # type: ignore[attr-defined]
        "ledger_versions": list(LedgerLock.objects.order_by("pk").values_list("version")),
        "activity_versions": list(Activity.objects.order_by("pk").values_list("version")),
    }


def queries(handle: io.BytesIO, user: User, *, dry_run: bool = False) -> int:
    with CaptureQueriesContext(connection) as captured:
        run(handle, user, dry_run=dry_run)
    return len(captured.captured_queries)


def test_every_created_row_has_its_history_with_the_importing_user(focal: User) -> None:
    summary = run(workbook(3), focal)
    assert (summary.created, summary.entries, summary.partners_created) == (3, 12, 3)
    for activity in Activity.objects.all():
        [record] = activity.history.all()  # type: ignore[attr-defined]
        assert (record.history_type, record.history_user, record.title) == (
            "+",
            focal,
            activity.title,
        )
        # The record keeps the activity's themes as of that moment, as single saves do.
        assert [row.theme.name for row in record.themes.all()] == [AGRICULTURE]
        [entry] = activity_history_entries(activity)
        assert entry.created and entry.user == focal
        [change] = activity.status_changes.all()
        assert (change.from_status, change.to_status, change.changed_by) == ("", "ongoing", focal)
        assert "ssc.xlsx" in change.note
    links = ActivityCountry.history.all()  # type: ignore[attr-defined]
    assert links.count() == ActivityCountry.objects.count() == 9
    assert {(row.history_type, row.history_user) for row in links} == {("+", focal)}
    entries = FinancialEntry.history.all()  # type: ignore[attr-defined]
    assert entries.count() == FinancialEntry.objects.count() == 12
    assert {(row.history_type, row.history_user, row.created_by) for row in entries} == {
        ("+", focal, focal)
    }
    partners = Partner.history.all()  # type: ignore[attr-defined]
    assert {(row.history_type, row.history_user, row.name) for row in partners} == {
        ("+", focal, f"Ministry SSC-2010-0{n}") for n in (1, 2, 3)
    }


def test_a_changed_row_is_one_recorded_change_by_whoever_imported_it(
    focal: User, admin: User
) -> None:
    run(workbook(2), focal)
    changed = build(
        [
            activity_row(
                "SSC-2010-01",
                title="Exchange renamed",
                status="Completed",
                receivers="India; Nepal",
                theme=GENDER,
                allocated=150000,
            ),
            activity_row("SSC-2010-02", title="Exchange SSC-2010-02"),
        ],
        [
            contribution_row(ssc_id, contributor=f"Ministry {ssc_id}", planned=2000)
            for ssc_id in ("SSC-2010-01", "SSC-2010-02")
        ],
    )
    summary = run(changed, admin)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    activity = Activity.objects.get(ssc_id="SSC-2010-01")
    assert (activity.title, activity.status, activity.version) == (
        "Exchange renamed",
        Status.COMPLETED,
        2,
    )
    latest = activity.history.first()  # type: ignore[attr-defined]
    assert (latest.history_type, latest.history_user, latest.title) == ("~", admin, activity.title)
    assert [row.theme.name for row in latest.themes.all()] == [GENDER]
    added = ActivityCountry.history.filter(activity=activity, history_user=admin)  # type: ignore[attr-defined]
    assert [(row.history_type, row.country.iso2) for row in added] == [("+", "NP")]
    move = activity.status_changes.get(from_status=Status.ONGOING)
    assert (move.to_status, move.changed_by) == (Status.COMPLETED, admin)
    # The ledger moved too: its version, so a finance form opened before the import is refused.
    lock = LedgerLock.objects.get(activity=activity)
    assert (lock.version, lock.updated_by) == (1, admin)
    adjustment = FinancialEntry.objects.get(activity=activity, entry_type="adjustment")
    assert (adjustment.amount, adjustment.created_by) == (Decimal("-50000.00"), admin)
    assert adjustment.corrects.amount == Decimal("200000.00")  # type: ignore[union-attr]
    # The history page shows it as one change, by the importing user.
    newest = activity_history_entries(activity)[0]
    assert newest.user == admin and not newest.created
    assert {change.label for change in newest.changes} >= {"Title", "Status", "Theme", "Country"}
    other = Activity.objects.get(ssc_id="SSC-2010-02")
    assert other.version == 1 and not LedgerLock.objects.filter(activity=other).exists()


def test_importing_the_same_file_again_writes_nothing(focal: User) -> None:
    handle = workbook(4)
    run(handle, focal)
    before = everything()
    summary = run(handle, focal)
    assert (summary.created, summary.updated, summary.unchanged, summary.entries) == (0, 0, 4, 0)
    after = everything()
    assert after.pop("import_runs") == before.pop("import_runs") + 1
    assert after == before


def test_the_preview_counts_what_the_import_then_does_and_writes_nothing(focal: User) -> None:
    run(workbook(3), focal)
    changed = workbook(5, status="Completed", allocated=100000)
    before = everything()
    preview = run(changed, focal, dry_run=True)
    assert everything() == before
    done = run(changed, focal)
    counts = ("created", "updated", "unchanged", "entries", "partners_created", "warnings")
    assert [getattr(preview, name) for name in counts] == [getattr(done, name) for name in counts]
    assert (done.created, done.updated, done.partners_created) == (2, 3, 2)


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_number_of_queries_does_not_grow_with_the_number_of_activities(
    focal: User, dry_run: bool
) -> None:
    new = [
        queries(workbook(n, year=year), focal, dry_run=dry_run)
        for n, year in ((5, 2011), (50, 2012))
    ]
    assert new[0] == new[1]
    if dry_run:
        return
    # A second import that changes every activity and every figure.
    changed = [
        queries(workbook(n, year=year, status="Completed", receivers="Nepal", spent=1), focal)
        for n, year in ((5, 2011), (50, 2012))
    ]
    assert changed[0] == changed[1]
    assert Activity.objects.filter(status=Status.COMPLETED).count() == 55


def test_figures_recorded_while_the_file_is_imported_refuse_it(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(workbook(1), focal)
    write = _Writer._write

    def someone_records_first(self: _Writer, planned: Any) -> None:
        activity = Activity.objects.get()
        services.record_entries(
            activity=activity,
            entries=[
                services.EntryData(
                    kind="ifad_grant",
                    stage="spent",
                    amount=Decimal(5),
                    currency="USD",
                    value_date=datetime.date(2010, 1, 1),
                )
            ],
            user=None,
            expected_version=None,
        )
        write(self, planned)

    monkeypatch.setattr(_Writer, "_write", someone_records_first)
    before = everything()
    with pytest.raises(ImportRefused) as refused:
        run(workbook(1, allocated=1), focal)
    [problem] = refused.value.problems
    assert "changed the figures of SSC-2010-01" in problem and problem.startswith(
        "Activities, row 2"
    )
    assert everything() == before


def test_an_activity_saved_while_the_file_is_imported_refuses_it(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(workbook(1), focal)
    write = _Writer._write

    def someone_saves_first(self: _Writer, planned: Any) -> None:
        Activity.objects.update(version=F("version") + 1)
        write(self, planned)

    monkeypatch.setattr(_Writer, "_write", someone_saves_first)
    with pytest.raises(ImportRefused) as refused:
        run(workbook(1, title="Renamed"), focal)
    [problem] = refused.value.problems
    assert problem.startswith("Activities, row 2") and "changed by someone else" in problem
    assert Activity.objects.get().title == "Exchange SSC-2010-01"


def test_an_amount_the_ledger_cannot_hold_is_refused_in_the_preview(focal: User) -> None:
    handle = build([activity_row()], [contribution_row(planned=10**16)])
    with pytest.raises(ImportRefused) as refused:
        run(handle, focal, dry_run=True)
    [problem] = refused.value.problems
    assert problem.startswith("Contributions, row 2") and "too large" in problem
    assert not StatusChange.objects.exists()


def test_a_money_only_change_moves_the_activitys_last_update(focal: User) -> None:
    run(workbook(2), focal)
    long_ago = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    Activity.objects.update(updated_at=long_ago)
    before = datetime.datetime.now(datetime.UTC)
    changed = build(
        [
            activity_row(ssc_id, title=f"Exchange {ssc_id}")
            for ssc_id in ("SSC-2010-01", "SSC-2010-02")
        ],
        [
            contribution_row("SSC-2010-01", contributor="Ministry SSC-2010-01", planned=3000),
            contribution_row("SSC-2010-02", contributor="Ministry SSC-2010-02", planned=2000),
        ],
    )
    run(changed, focal)
    moved = dict(Activity.objects.values_list("ssc_id", "updated_at"))
    assert moved["SSC-2010-01"] >= before  # its figures changed, its record did not
    assert moved["SSC-2010-02"] == long_ago
