"""The spreadsheet view of an activity's money, and the figures derived from it.

Rows: IFAD by source, each cofinancier, each in-kind contributor. Columns: planned, allocated,
spent, in each original currency and in US$. One aggregate query per activity, or per page of
activities for their totals alone (finance_totals, for the API).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from activities.models import Activity
from ssc_portal.expressions import IdsIn

from .figures import FigureSet
from .models import IFAD_KINDS, ContributionKind, FinancialEntry, Stage

ZERO = Decimal("0.00")
STAGES = tuple(Stage.values)


@dataclass
class SheetRow:
    label: str
    kind: str
    contributor_id: int | None
    group_id: int | None = None  # a group's line (finance.models.groups), to be split
    # currency -> stage -> amount in that currency
    original: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    usd: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(STAGES, ZERO))

    @property
    def is_ifad(self) -> bool:
        return self.kind in IFAD_KINDS

    @property
    def is_settled(self) -> bool:
        """Nothing left at any stage, in any currency."""
        return not any(a for stages in self.original.values() for a in stages.values())

    @property
    def kind_label(self) -> str:
        return str(ContributionKind(self.kind).label)


@dataclass
class FinanceTotals(FigureSet):
    """An activity's money in US$ by source and stage, and the figures derived from it
    (finance.figures: leverage, allocation and execution rates)."""

    ifad: dict[str, Decimal]
    cofinancing: dict[str, Decimal]
    in_kind: dict[str, Decimal]

    @property
    def others(self) -> dict[str, Decimal]:
        return {s: self.cofinancing[s] + self.in_kind[s] for s in STAGES}

    @property
    def total(self) -> dict[str, Decimal]:
        return {s: self.ifad[s] + self.others[s] for s in STAGES}


def _bucket(kind: str) -> str:
    if kind in IFAD_KINDS:
        return "ifad"
    return "in_kind" if kind == ContributionKind.IN_KIND else "cofinancing"


def no_money() -> FinanceTotals:
    return FinanceTotals(*(dict.fromkeys(STAGES, ZERO) for _ in range(3)))


def finance_totals(activity_ids: Iterable[int]) -> dict[int, FinanceTotals]:
    """The totals of many activities (a page of a list) in one aggregate query; activities
    without money are left out (use no_money())."""
    lines = (
        FinancialEntry.objects.filter(IdsIn("activity_id", activity_ids))
        .values("activity_id", "kind", "stage")
        .annotate(usd=Sum("amount_usd"))
        .order_by()
    )
    found: dict[int, FinanceTotals] = {}
    for line in lines:
        totals = found.get(line["activity_id"])
        if totals is None:
            totals = found[line["activity_id"]] = no_money()
        getattr(totals, _bucket(line["kind"]))[line["stage"]] += line["usd"]
    return found


@dataclass
class ActivityFinance(FinanceTotals):
    """The spreadsheet view: the totals, and the rows (source by source) they add up from."""

    rows: list[SheetRow] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        found = []
        for row in self.rows:
            if row.usd[Stage.SPENT] > row.usd[Stage.ALLOCATED]:
                found.append(_("%(row)s: spent is more than allocated.") % {"row": row.label})
            # Only where something was planned: many lines are recorded at allocation.
            if Decimal(0) < row.usd[Stage.PLANNED] < row.usd[Stage.ALLOCATED]:
                found.append(_("%(row)s: allocated is more than planned.") % {"row": row.label})
        return found


def activity_finance(activity: Activity) -> ActivityFinance:
    lines = (
        FinancialEntry.objects.filter(activity=activity)
        .values(
            "kind",
            "contributor_id",
            "contributor__name",
            "contributor_group_id",
            "contributor_group__label",
            "currency",
            "stage",
        )
        .annotate(amount=Sum("amount"), usd=Sum("amount_usd"))
        .order_by()
    )
    rows: dict[tuple[str, int | None, int | None], SheetRow] = {}
    totals = no_money()
    for line in lines:
        key = (line["kind"], line["contributor_id"], line["contributor_group_id"])
        row = rows.get(key)
        if row is None:
            label = (
                str(ContributionKind(line["kind"]).label)
                if line["kind"] in IFAD_KINDS
                else line["contributor__name"] or line["contributor_group__label"] or ""
            )
            row = rows[key] = SheetRow(
                label, line["kind"], line["contributor_id"], line["contributor_group_id"]
            )
        row.original.setdefault(line["currency"], dict.fromkeys(STAGES, ZERO))[line["stage"]] += (
            line["amount"]
        )
        row.usd[line["stage"]] += line["usd"]
        getattr(totals, _bucket(line["kind"]))[line["stage"]] += line["usd"]
    order = {kind: position for position, kind in enumerate(ContributionKind.values)}
    # A group split among its partners (finance.contributor_groups) nets to nothing: its
    # money is on the partners' rows now.
    shown = [row for row in rows.values() if not (row.group_id and row.is_settled)]
    ordered = sorted(shown, key=lambda r: (order[r.kind], r.label.casefold()))
    return ActivityFinance(
        ifad=totals.ifad, cofinancing=totals.cofinancing, in_kind=totals.in_kind, rows=ordered
    )
