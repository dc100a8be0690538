"""In-kind and technical cooperation in quantities, for one roll-up selection (the dashboard's,
the roll-up API's): what leverage left out for having no value, and the quantities given.

Money is read from the roll-ups; quantities are not in them, so these read the ledger, narrowed
to the selection exactly as the dashboard narrows its money: the caller's scope and the
activity filters (division, country, theme, modality, status, funding nature, agreement) through
ActivityMoney, the roll-ups' one row per activity, and the year range on the entries' fiscal
year. Only lines with a unit are read, through a partial index that holds nothing else
(FinancialEntry's `entry_quantities`), so the cost follows the in-kind lines with quantities,
not the size of the ledger.

Participant-days by receiver country are attributed in full to each receiving country of the
activity (a receiver, or a country that both gives and receives), not split by shares: a
training's participants come from the countries that take part, and a share of a person-day
would be a figure no one counted. So a row per country can add up to more than the total,
which is counted once and shown apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from activities.models import CountryRole

from .in_kind import NOTHING_UNVALUED, Unvalued, unvalued_in_kind
from .models import ActivityMoney, FinancialEntry, InKindUnit
from .rollups import RollupFilters, activity_condition

RECEIVING = (CountryRole.RECEIVER, CountryRole.BOTH)


def selection_entries(scope: Q | None, filters: RollupFilters) -> QuerySet[FinancialEntry] | None:
    """The ledger lines behind a roll-up selection; None when the scope reads nothing."""
    if scope is None:
        return None
    entries = FinancialEntry.objects.all()
    if filters.year_from is not None:
        entries = entries.filter(fiscal_year__gte=filters.year_from)
    if filters.year_to is not None:
        entries = entries.filter(fiscal_year__lte=filters.year_to)
    condition = activity_condition(scope, filters, years=False)
    if condition is not None and condition != Q():
        # The whole portfolio needs no condition: the subquery would name every activity.
        chosen = ActivityMoney.objects.filter(condition).values("activity_id")
        entries = entries.filter(activity_id__in=chosen)
    return entries


def unvalued_in_selection(scope: Q | None, filters: RollupFilters) -> Unvalued:
    """What leverage left out of the selection for having no value (Unvalued.note says it)."""
    entries = selection_entries(scope, filters)
    if entries is None:
        return NOTHING_UNVALUED
    return unvalued_in_kind(entries.exclude(unit=""))


@dataclass(frozen=True)
class QuantityRow:
    """One country's quantities, unit by unit (the units in InKindUnit's order)."""

    country_id: int | None
    quantities: dict[str, Decimal]


@dataclass(frozen=True)
class Quantities:
    """The selection's in-kind in quantities: by provider country (every unit), participant-days
    by receiving country (attributed in full: see the module's doc), and the totals."""

    units: list[str]
    by_provider: list[QuantityRow]
    participants_by_receiver: list[QuantityRow]
    totals: dict[str, Decimal]

    def __bool__(self) -> bool:
        return bool(self.totals)


NO_QUANTITIES = Quantities([], [], [], {})


def _rows(pairs: Sequence[tuple[int | None, str, Decimal]]) -> list[QuantityRow]:
    by_country: dict[int | None, dict[str, Decimal]] = {}
    for country_id, unit, total in pairs:
        if total:
            by_country.setdefault(country_id, {})[unit] = total
    return [QuantityRow(country, quantities) for country, quantities in by_country.items()]


def selection_quantities(scope: Q | None, filters: RollupFilters) -> Quantities:
    """One query over the selection's lines with a unit, two when there are participant-days."""
    entries = selection_entries(scope, filters)
    if entries is None:
        return NO_QUANTITIES
    with_unit = entries.exclude(unit="")
    providers = list(
        with_unit.values("provider_country_id", "unit")
        .annotate(total=Sum("quantity"))
        .order_by()
        .values_list("provider_country_id", "unit", "total")
    )
    totals: dict[str, Decimal] = {}
    for _country, unit, total in providers:
        totals[unit] = totals.get(unit, Decimal(0)) + (total or Decimal(0))
    totals = {unit: total for unit, total in totals.items() if total}
    receivers: list[tuple[int | None, str, Decimal]] = []
    if InKindUnit.PARTICIPANT_DAYS in totals:
        receivers = list(
            with_unit.filter(
                unit=InKindUnit.PARTICIPANT_DAYS, activity__country_links__role__in=RECEIVING
            )
            .values("activity__country_links__country_id", "unit")
            .annotate(total=Sum("quantity"))
            .order_by()
            .values_list("activity__country_links__country_id", "unit", "total")
        )
    return Quantities(
        units=[unit for unit in InKindUnit.values if unit in totals],
        by_provider=_rows(providers),
        participants_by_receiver=_rows(receivers),
        totals=totals,
    )
