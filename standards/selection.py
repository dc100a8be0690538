"""What an export covers: the activities and the ledger entries of one selection.

Both exports read the committed and disbursed money (stages allocated and spent): TOSSD's
commitments and disbursements. Planned money is not reported. The selection's ledger total, net
of corrections, is the sum of `FinancialEntry.amount_usd` of those entries: the figure each
export's totals are checked against.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from activities.access import without_merged
from activities.models import Activity, Visibility
from finance.models import FinancialEntry, Stage

REPORTED_STAGES = (Stage.ALLOCATED, Stage.SPENT)


@dataclass(frozen=True)
class Selection:
    """Years (fiscal years of the entries; empty: all), a lead division and a country taking
    part in any role (None: any). `public_only` is set for readers outside the agency, who read
    the money of public activities only (accounts.roles)."""

    years: tuple[int, ...] = ()
    division_id: int | None = None
    country_id: int | None = None
    public_only: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "years": list(self.years),
            "division_id": self.division_id,
            "country_id": self.country_id,
            "public_only": self.public_only,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Selection:
        return cls(
            years=tuple(int(year) for year in data.get("years") or ()),
            division_id=data.get("division_id"),
            country_id=data.get("country_id"),
            public_only=bool(data.get("public_only")),
        )

    def activities(self) -> QuerySet[Activity]:
        found = without_merged(Activity.objects.all())
        if self.division_id is not None:
            found = found.filter(lead_division_id=self.division_id)
        if self.country_id is not None:
            found = found.filter(country_links__country_id=self.country_id)
        if self.public_only:
            found = found.filter(visibility=Visibility.PUBLIC)
        return found

    def entries(self) -> QuerySet[FinancialEntry]:
        """The reported entries, originals and corrections, of the selected activities."""
        condition = Q(stage__in=REPORTED_STAGES)
        if self.years:
            condition &= Q(fiscal_year__in=self.years)
        if self.division_id is not None or self.country_id is not None or self.public_only:
            condition &= Q(activity__in=self.activities().values("pk"))
        return FinancialEntry.objects.filter(condition)

    def ledger_totals(self, ids: list[int] | None = None) -> dict[str, Decimal]:
        """{stage: US$} of the selection (of its activities `ids` when given), net of
        corrections: one query."""
        totals: dict[str, Decimal] = {stage: Decimal("0.00") for stage in REPORTED_STAGES}
        entries = self.entries() if ids is None else self.entries().filter(activity_id__in=ids)
        for row in entries.values("stage").annotate(total=Sum("amount_usd")).order_by():
            totals[row["stage"]] = row["total"] or Decimal("0.00")
        return totals

    def activity_ids(self) -> list[int]:
        """The ids of the activities with reported money in the selection, in order."""
        return sorted(set(self.entries().values_list("activity_id", flat=True).distinct()))


def batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]
