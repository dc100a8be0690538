"""The ledger's part of an activity merge (activities.signals.activities_merged).

Kept apart from finance.services, which is at its size limit; called from finance.receivers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, Sum
from django.utils.translation import gettext as _

from accounts import formatting
from activities.history import MERGE_REASON
from activities.services import ActivityError

from . import periods, rollups
from .models import FinancialEntry, LedgerLock, Stage
from .services import touch_activities

if TYPE_CHECKING:
    from accounts.models import User
    from activities.models import Activity


def move_entries_of_merged_activity(*, keep: Activity, remove: Activity, user: User | None) -> int:
    """Every entry of `remove` (its corrections too) now belongs to `keep`, its amount,
    currency, rate and dates untouched; each move is a row of the entry's history (before:
    `remove`, after: `keep`). Both activities' roll-up slices are refreshed, and both ledger
    versions bumped, so that a finance page opened before the merge is refused, not saved over
    it. Returns how many entries moved."""
    # The slices `remove`'s money sits in, read before it leaves them.
    left = rollups.slices_of_activities([remove.pk])
    entries = list(FinancialEntry.objects.filter(activity=remove).order_by("pk"))
    _refuse_closed(entries, keep=keep, remove=remove)
    # The move is said in each entry's history, not guessed from a bare change of activity id.
    reason = MERGE_REASON % {"removed": remove.ssc_id, "kept": keep.ssc_id}
    for entry in entries:
        entry.activity = keep
        entry._history_user = user  # type: ignore[attr-defined]
        entry._change_reason = reason  # type: ignore[attr-defined]
        entry.save(update_fields=["activity"])
    if not entries:
        return 0
    rollups.request_refresh(left, activity=remove.pk)
    rollups.request_refresh_for_activities([keep.pk])
    LedgerLock.objects.filter(activity_id__in=[keep.pk, remove.pk]).update(version=F("version") + 1)
    touch_activities([keep.pk, remove.pk], user)
    return len(entries)


def _refuse_closed(entries: list[FinancialEntry], *, keep: Activity, remove: Activity) -> None:
    """A line in a closed period stays where the sent report counted it: moving it would
    change that report's figures for both activities (their divisions and countries may differ).
    An exception for both activities lets it through, as it lets their other writes."""
    guard = periods.PeriodGuard.load()
    for entry in entries:
        for activity in (remove, keep):
            refusal = guard.entry_refusals(
                value_date=entry.value_date,
                fiscal_year=entry.fiscal_year,
                activity_id=activity.pk,
            )
            if refusal:
                why = next(iter(refusal.values()))[0]
                raise ActivityError(
                    _(
                        "%(remove)s has a ledger line dated %(date)s in a closed period, which "
                        "the merge would move to %(keep)s. %(why)s. Reopen the period, or give "
                        "both activities an exception to it, first."
                    )
                    % {
                        "remove": remove.ssc_id,
                        "keep": keep.ssc_id,
                        "date": formatting.day(entry.value_date),
                        "why": why,
                    }
                )


def ledger_facts(activity_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """What the merge page shows of each activity's ledger (activities.merge_facts): its lines
    and its money in US$ by stage, in one query."""
    rows = (
        FinancialEntry.objects.filter(activity_id__in=list(activity_ids))
        .values("activity_id", "stage")
        .annotate(lines=Count("pk"), usd=Sum("amount_usd"))
        .order_by()
    )
    lines: dict[int, int] = defaultdict(int)
    money: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in rows:
        lines[row["activity_id"]] += row["lines"]
        money[row["activity_id"]][row["stage"]] = row["usd"] or Decimal(0)
    return {
        pk: [
            (str(_("Ledger lines")), formatting.count(lines[pk])),
            *[
                (
                    str(_("%(stage)s (US$)") % {"stage": label}),
                    formatting.amount(money[pk].get(stage, Decimal(0))),
                )
                for stage, label in Stage.choices
            ],
        ]
        for pk in activity_ids
    }
