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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum

from activities.models import ActivityCountry, CountryRole

from .in_kind import NOTHING_UNVALUED, Unvalued, unvalued_in_kind
from .models import (
    ActivityMoney,
    ContributionKind,
    EntryType,
    FinancialEntry,
    InKindUnit,
    ValuedBy,
)
from .rollups import RollupFilters, activity_condition
from .rollups.quantities import stored_quantities

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


def _rows(pairs: Sequence[tuple[int | None, str, Decimal | None]]) -> list[QuantityRow]:
    by_country: dict[int | None, dict[str, Decimal]] = {}
    for country_id, unit, total in pairs:
        if total:
            by_country.setdefault(country_id, {})[unit] = total
    return [QuantityRow(country, quantities) for country, quantities in by_country.items()]


def _participants_by_receiver(
    with_unit: QuerySet[FinancialEntry],
) -> list[tuple[int, str, Decimal]]:
    """Participant-days by receiving country (attributed in full: see the module's doc).

    The lines meet their activity's country links on the activity id alone: through the ORM's
    path (entry -> activity -> links) each line also looked its activity up, which doubled the
    index lookups of the query without narrowing anything."""
    lines = (
        with_unit.filter(unit=InKindUnit.PARTICIPANT_DAYS)
        .values("activity_id", "quantity")
        .order_by()
    )
    inner, params = lines.query.sql_with_params()
    links = ActivityCountry._meta.db_table
    sql = (
        f"SELECT link.country_id, SUM(line.quantity) FROM ({inner}) AS line "  # noqa: S608
        f"JOIN {links} AS link ON link.activity_id = line.activity_id "
        # One placeholder per role: SQLite (the embedded default) takes no tuple for IN %s.
        f"WHERE link.role IN ({', '.join(['%s'] * len(RECEIVING))}) GROUP BY link.country_id"
    )
    with connections[lines.db].cursor() as cursor:
        cursor.execute(sql, [*params, *RECEIVING])
        return [
            (country_id, InKindUnit.PARTICIPANT_DAYS.value, total)
            for country_id, total in cursor.fetchall()
        ]


@dataclass(frozen=True)
class InKindRead:
    """The selection's in-kind read from the ledger: what leverage left out, the quantities."""

    unvalued: Unvalued
    quantities: Quantities


NOTHING_READ = InKindRead(NOTHING_UNVALUED, NO_QUANTITIES)


def selection_in_kind(scope: Q | None, filters: RollupFilters) -> InKindRead:
    """What leverage left out and the quantities given, for the dashboard: over all years and
    filtered by divisions and agreements at most, summed from the roll-ups' InKindQuantity;
    otherwise one pass over the selection's lines with a unit (two when there are
    participant-days).

    The lines not valued are a part of the lines with a unit: summed in the same pass (by
    provider country and unit, then added up by unit here), where two queries read the same
    index entries twice."""
    if scope is None:
        return NOTHING_READ
    stored = stored_quantities(scope, filters)
    if stored is not None:
        given = [row[1:] for row in stored if not row[0]]
        received = [row[1:4] for row in stored if row[0]]
        return _read(given, lambda: received)
    entries = selection_entries(scope, filters)
    if entries is None:
        return NOTHING_READ
    with_unit = entries.exclude(unit="")
    not_valued = Q(kind=ContributionKind.IN_KIND, valued_by=ValuedBy.NOT_VALUED)
    rows = list(
        with_unit.values("provider_country_id", "unit")
        .annotate(
            total=Sum("quantity"),
            not_valued=Sum("quantity", filter=not_valued),
            # Counted by the unit (never null), not the id: the id is not in the partial index,
            # which then answers alone (COUNT(*) takes no filter in Django).
            lines=Count("unit", filter=not_valued & Q(entry_type=EntryType.ORIGINAL)),
        )
        .order_by()
        .values_list("provider_country_id", "unit", "total", "not_valued", "lines")
    )
    return _read(rows, lambda: _participants_by_receiver(with_unit))


# By provider country and unit: (country id, unit, quantity, quantity not valued, lines).
_Given = Sequence[tuple[int | None, str, Decimal | None, Decimal | None, int]]


def _read(
    rows: _Given, receivers: Callable[[], Sequence[tuple[int | None, str, Decimal]]]
) -> InKindRead:
    """The read from its sums by provider country and unit; `receivers` reads the
    participant-days by receiving country, asked for only when there are some."""
    left_out: dict[str, Decimal] = {}
    for _country, unit, _total, quantity, _lines in rows:
        if quantity is not None:
            left_out[unit] = left_out.get(unit, Decimal(0)) + quantity
    unvalued = Unvalued(
        sum(lines for *_rest, lines in rows),
        {unit: quantity for unit, quantity in left_out.items() if quantity},
    )
    totals: dict[str, Decimal] = {}
    for _country, unit, total, *_rest in rows:
        totals[unit] = totals.get(unit, Decimal(0)) + (total or Decimal(0))
    totals = {unit: total for unit, total in totals.items() if total}
    by_receiver = receivers() if InKindUnit.PARTICIPANT_DAYS in totals else []
    quantities = Quantities(
        units=[unit for unit in InKindUnit.values if unit in totals],
        by_provider=_rows([row[:3] for row in rows]),
        participants_by_receiver=_rows(by_receiver),
        totals=totals,
    )
    return InKindRead(unvalued, quantities)
