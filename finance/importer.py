"""Importing the corporate SSC workbook: all or nothing, upsert on SSC ID, a rerun changes nothing.

The workbook states each activity's figures; the ledger records movements. The import therefore
brings every (contributor, kind, stage, currency) line of the ledger to the figure the workbook
states, by recording an original entry where there was none and an adjustment (or a reversal)
where the figure moved, each saying which import made it. For activities in the Activities sheet
the workbook is the whole picture: a line it no longer lists is brought to zero. Contribution rows
for activities only in the portal set the lines they list and leave the others alone.

Legacy figures carry a year, not a date: they are dated 1 January of the activity's year, and
amounts in other currencies use the exchange rate of that month.

The file may be older than the portal: an activity the portal changed after the file was made,
in a field or line the file would change back, is a conflict (finance.import_review) and is left
as it is unless the focal point asks, activity by activity, to overwrite it. Every history row
the import writes names its run (activities.history.import_run_reason).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import bulk
from activities import services as activity_services
from activities.history import import_run_reason
from activities.models import Activity, ActivityMerge

from . import import_review, rollups, services
from .import_plan import ImportPlanner, ImportSummary, LineChange, Planned
from .import_review import LineKey
from .legacy import (
    ActivityRow,
    ContributionRow,
    Problem,
    read_workbook,
)
from .models import (
    ContributionKind,
    EntryType,
    FinancialEntry,
    ImportRun,
    LedgerLock,
    to_usd,
)

if TYPE_CHECKING:
    from accounts.models import User


class ImportRefused(Exception):
    """The file was not imported; `problems` lists every reason, by sheet, row and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


Progress = Callable[[int, int], None]


def checksum(handle: IO[bytes]) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def import_legacy_workbook(
    *,
    handle: IO[bytes],
    filename: str,
    user: User | None,
    dry_run: bool,
    progress: Progress | None = None,
    overwrite: Collection[str] = (),
) -> ImportSummary:
    """Read, check and (unless `dry_run`) write the workbook; ImportRefused lists all problems.

    A dry run works out everything the import would do and writes nothing. The import writes
    CHUNK activities at a time, in one transaction: a problem found in a later chunk undoes the
    earlier ones, so the file goes in whole or not at all. Activities in conflict (changed in
    the portal after the file was made) are skipped unless their SSC ID is in `overwrite`.
    """
    digest = checksum(handle)
    known = set(Activity.objects.values_list("ssc_id", flat=True))
    parsed = read_workbook(handle, known_ssc_ids=known)
    if parsed.problems:
        raise ImportRefused([str(problem) for problem in parsed.problems])
    # A merged activity's record is a tombstone: its lines belong to the activity it went into.
    merged = ActivityMerge.objects.filter(removed__ssc_id__in=list(parsed.ids_in_file)).values_list(
        "removed__ssc_id", "kept__ssc_id"
    )
    if refused := [
        _("%(merged)s was merged into %(kept)s: give its rows under %(kept)s.")
        % {"merged": merged_id, "kept": kept_id}
        for merged_id, kept_id in sorted(merged)
    ]:
        raise ImportRefused(refused)
    summary = ImportSummary(
        warnings=[str(w) for w in parsed.warnings],
        sheets=parsed.sheets,
        made_at=import_review.file_made_at(parsed.made_at),
    )
    reason = _("Legacy workbook import: %(name)s") % {"name": filename[:200]}
    with transaction.atomic():
        last_entry = rollups.last_entry_id()  # the import's entries come after it
        run = None
        if not dry_run:
            # First, so that every history row the import writes can name it.
            run = ImportRun.objects.create(user=user, filename=filename[:255], sha256=digest)
        writer = _Writer(
            user=user,
            reason=reason,
            summary=summary,
            write=not dry_run,
            history_reason=import_run_reason(run.pk, run.filename) if run else None,
            overwrite=frozenset(overwrite),
        )
        problems = writer.run(parsed.activities, parsed.contributions, progress)
        if problems:
            raise ImportRefused([str(problem) for problem in problems])
        if run is not None:
            run.activities_created = summary.created
            run.activities_updated = summary.updated
            run.activities_unchanged = summary.unchanged
            run.activities_skipped = summary.skipped
            run.entries_recorded = summary.entries
            run.warnings = summary.warnings
            run.save()
            summary.run_id = run.pk
            rollups.request_refresh_for_entries_after(last_entry)

    return summary


# Activities planned and written together: enough to make the queries per activity negligible,
# few enough to keep the memory of a 10,000-activity file low.
CHUNK = 500


class _Writer(ImportPlanner):
    """Plans the file chunk by chunk (finance.import_plan) and writes each chunk's plan: the
    activities' records, their ledger versions and the entries that bring each line to its
    figure."""

    def run(
        self,
        activity_rows: list[ActivityRow],
        contribution_rows: list[ContributionRow],
        progress: Progress | None,
    ) -> list[Problem]:
        by_activity: dict[str, list[ContributionRow]] = defaultdict(list)
        for contribution in contribution_rows:
            by_activity[contribution.ssc_id].append(contribution)
        in_sheet = {row.ssc_id for row in activity_rows}
        work: list[tuple[str, ActivityRow | None]] = [(row.ssc_id, row) for row in activity_rows]
        work += [(ssc_id, None) for ssc_id in by_activity if ssc_id not in in_sheet]
        self._resolve_partners(
            [contribution for ssc_id, _row in work for contribution in by_activity[ssc_id]]
        )
        for start in range(0, len(work), CHUNK):
            chunk = work[start : start + CHUNK]
            planned = self._plan(chunk, by_activity)
            # Once the file is known to be refused, writing more would only cost time.
            if self.write and not self.problems:
                self._write(planned)
            if progress:
                progress(start + len(chunk), len(work))
        # One missing rate stops several stages of the same row: say it once.
        return list(dict.fromkeys(self.problems))

    # --- writing ----------------------------------------------------------------------------

    def _write(self, planned: list[Planned]) -> None:
        with_record = [p for p in planned if p.prepared is not None]
        try:
            if with_record:
                activity_services.save_activities(
                    items=[p.prepared for p in with_record if p.prepared],
                    user=self.user,
                    reason=self.history_reason,
                )
        except activity_services.ActivityBatchError as batch:
            for position, error in batch.by_item.items():
                row = with_record[position].row
                assert row is not None  # only sheet rows change the record
                self._activity_problem(row, error)
            return
        now = timezone.now()
        if not self._claim_ledgers(planned, now):
            return
        originals = self._originals(planned)
        reference = _("legacy workbook")
        entries: list[dict[str, Any]] = []
        moved: set[int] = set()
        for plan in planned:
            activity = plan.prepared.activity if plan.prepared else plan.activity
            assert activity is not None  # a new activity always has a prepared record
            if plan.changes:
                moved.add(activity.pk)
            entries += [
                self._entry(
                    activity.pk, change, originals.get((activity.pk, change.key)), reference
                )
                for change in plan.changes
            ]
        bulk.insert_rows_with_history(
            FinancialEntry, entries, user=self.user, when=now, reason=self.history_reason
        )
        # After the insert: the apps that hear of it (finance.signals) read the new entries.
        services.touch_activities(moved, self.user)

    def _claim_ledgers(self, planned: list[Planned], now: datetime.datetime) -> bool:
        """Move the ledger version of every existing activity whose figures change, as a form
        recording entries does, so that a form opened before the import is refused. Fails
        (with a problem) when someone recorded figures since the chunk was planned."""
        claims = {p.activity.pk: p for p in planned if p.activity is not None and p.changes}
        if not claims:
            return True
        LedgerLock.objects.bulk_create(
            [LedgerLock(activity_id=pk) for pk in claims], ignore_conflicts=True
        )
        locked = dict(
            LedgerLock.objects.select_for_update()
            .filter(activity_id__in=list(claims))
            .values_list("activity_id", "version")
        )
        moved = [p for pk, p in claims.items() if locked.get(pk, 0) != p.ledger_version]
        for plan in moved:
            sheet, number = plan.sheet_row
            self.problems.append(
                Problem(
                    self.summary.sheets.get(sheet, sheet),
                    number,
                    "",
                    _(
                        "Someone changed the figures of %(id)s while the file was being "
                        "imported: import it again."
                    )
                    % {"id": plan.ssc_id},
                )
            )
        if moved:
            return False
        LedgerLock.objects.filter(activity_id__in=list(claims)).update(
            version=F("version") + 1, updated_by=self.user, updated_at=now
        )
        return True

    @staticmethod
    def _originals(planned: list[Planned]) -> dict[tuple[int, LineKey], tuple[int, Decimal]]:
        """(activity, line) -> (pk, rate) of the line's latest original entry, for the lines
        that already have entries: a correction points at it and keeps its rate."""
        ids = [p.activity.pk for p in planned if p.activity is not None and p.changes]
        found: dict[tuple[int, LineKey], tuple[int, Decimal]] = {}
        for pk, activity_id, kind, contributor_id, group_id, stage, currency, rate in (
            FinancialEntry.objects.filter(activity_id__in=ids, entry_type=EntryType.ORIGINAL)
            .order_by("pk")
            .values_list(
                "pk",
                "activity_id",
                "kind",
                "contributor_id",
                "contributor_group_id",
                "stage",
                "currency",
                "units_per_usd",
            )
        ):
            found[(activity_id, (kind, contributor_id, group_id, stage, currency))] = (pk, rate)
        return found

    def _entry(
        self,
        activity_id: int,
        change: LineChange,
        original: tuple[int, Decimal] | None,
        reference: str,
    ) -> dict[str, Any]:
        """The ledger entry bringing the line to its target, as column values by name."""
        kind, contributor_id, group_id, stage, currency = change.key
        source = change.source
        amount = change.target if original is None else change.target - change.now
        rate = change.rate if original is None else original[1]
        return {
            "activity_id": activity_id,
            "contributor_id": contributor_id,
            "contributor_group_id": group_id,
            "kind": kind,
            "valuation_method": "other" if kind == ContributionKind.IN_KIND else "",
            "valuation_basis": (
                source.notes[:300] if source and kind == ContributionKind.IN_KIND else ""
            ),
            "stage": stage,
            "amount": amount,
            "currency": currency,
            "value_date": change.value_date,
            "fiscal_year": change.value_date.year,
            "units_per_usd": rate,
            "amount_usd": to_usd(amount, rate),
            "reference": reference,
            "note": source.notes[:500] if source else "",
            "entry_type": (
                EntryType.ORIGINAL
                if original is None
                else EntryType.REVERSAL
                if change.target == 0
                else EntryType.ADJUSTMENT
            ),
            "corrects_id": original[0] if original else None,
            "reason": self.reason if original else "",
            "created_by_id": self.user.pk if self.user else None,
        }
