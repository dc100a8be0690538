"""In-kind and technical cooperation as quantities, valued by a stated method.

A ledger line may say what was given (a unit and a quantity: 40 expert-days) and how its money
was reached (`ValuedBy`):
- actual cost: the amount given, as for cash;
- rate card: quantity x the focal point's card for the unit, the provider country and the fiscal
  year (a country's own card, else the card for every country). The line keeps the rate and the
  card's version, so a card's change never moves a recorded value; `revalue` is the explicit,
  logged step that does, with a correction per line saying from which rate to which;
- not valued: no money (0), the quantity alone. Such lines count in quantities, and leverage
  says what it left out for having no value (`unvalued_in_kind`).

The ledger services (finance.services) call `valued` before they check a line;
finance.revaluation corrects lines through `services.correct_entry`, so a re-valuation obeys
every rule a correction does (closed periods, the ledger's version, the history).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import formatting
from accounts.text import FIRST_YEAR, LAST_YEAR, field_errors
from activities.history import Through, marked
from activities.models import Country
from ssc_portal.expressions import IdsIn

from .errors import FinanceError
from .models import (
    CENT,
    CURRENCY_CODES,
    MAX_LINE_AMOUNT,
    ContributionKind,
    EntryType,
    FinancialEntry,
    InKindUnit,
    RateCard,
    ValuedBy,
)

if TYPE_CHECKING:
    from accounts.models import User

    from .services import EntryData

MAX_QUANTITY = Decimal("9999999999.99")


def card_for(unit: str, country_id: int | None, year: int) -> RateCard | None:
    """The card that values `unit` given by `country_id` in `year`: the country's own, else the
    card for every country."""
    cards = RateCard.objects.filter(unit=unit, year=year).filter(
        Q(country_id=country_id) | Q(country__isnull=True)
    )
    # At most two: the country's own sorts first (NULL's place in ORDER BY differs by engine).
    return min(cards, key=lambda card: card.country_id is None, default=None)


def _quantity_errors(data: EntryData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.unit and data.unit not in InKindUnit.values:
        errors["unit"] = [_("Choose a unit from the list.")]
    if data.unit and data.quantity is None:
        errors["quantity"] = [_("Give the quantity of %(unit)s.") % {"unit": data.unit_label}]
    elif data.quantity is not None and not data.unit:
        errors["unit"] = [_("Say what the quantity counts (expert-days, scholarships ...).")]
    elif data.quantity is not None and (
        not data.quantity.is_finite() or data.quantity <= 0 or data.quantity > MAX_QUANTITY
    ):
        errors["quantity"] = [_("Give a quantity above 0 (at most 9,999,999,999.99).")]
    elif data.quantity is not None and data.quantity.as_tuple().exponent < -2:  # type: ignore[operator]
        errors["quantity"] = [_("Give the quantity to two decimals at most.")]
    if data.valued_by and data.valued_by not in ValuedBy.values:
        errors["valued_by"] = [_("Choose how the line was valued.")]
    elif data.valued_by in (ValuedBy.RATE_CARD, ValuedBy.NOT_VALUED):
        if data.kind != ContributionKind.IN_KIND:
            errors["valued_by"] = [
                _("Only in-kind contributions are valued by a rate card or left without value.")
            ]
        elif not data.unit:
            errors["unit"] = [_("A line valued by a rate card or not valued needs a unit.")]
    return errors


def valued(data: EntryData) -> tuple[EntryData, RateCard | None]:
    """The line with its money as its method says, and the card that valued it (or None).

    Raises FinanceError naming the field: a rate-card line whose card is missing, or an amount
    given for a line whose value is not the caller's to give.
    """
    if errors := _quantity_errors(data):
        raise FinanceError(errors)
    provider = data.provider_country
    if provider is None and data.contributor is not None and data.unit:
        provider = data.contributor.country
    method = data.valued_by or (
        ValuedBy.ACTUAL_COST if data.kind == ContributionKind.IN_KIND else ""
    )
    data = dataclasses.replace(data, provider_country=provider, valued_by=method)
    if method == ValuedBy.NOT_VALUED:
        if data.amount not in (None, Decimal(0)):
            raise FinanceError(
                {"amount": [_("A line that is not valued has no amount: leave it empty.")]}
            )
        return dataclasses.replace(data, amount=Decimal(0), currency="USD"), None
    if method != ValuedBy.RATE_CARD:
        return data, None
    year = data.fiscal_year or data.value_date.year
    card = card_for(data.unit, provider.pk if provider else None, year)
    if card is None:
        raise FinanceError(
            {
                "valued_by": [
                    _(
                        "There is no rate card for %(unit)s in %(country)s for %(year)d: ask the "
                        "focal point to add one, or value the line at its actual cost."
                    )
                    % {
                        "unit": data.unit_label,
                        "country": provider.name if provider else _("any country"),
                        "year": year,
                    }
                ]
            }
        )
    assert data.quantity is not None  # checked above
    amount = (data.quantity * card.amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if data.amount is not None and data.amount not in (Decimal(0), amount):
        raise FinanceError(
            {
                "amount": [
                    _(
                        "A line valued by a rate card takes its value from the card "
                        "(%(amount)s %(currency)s): leave the amount empty."
                    )
                    % {"amount": formatting.amount(amount), "currency": card.currency}
                ]
            }
        )
    return dataclasses.replace(data, amount=amount, currency=card.currency), card


# --- Rate cards ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardData:
    unit: str
    country: Country | None
    year: int
    amount: Decimal
    currency: str
    source: str = ""


def _card_errors(data: CardData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.unit not in InKindUnit.values:
        errors["unit"] = [_("Choose a unit from the list.")]
    if not FIRST_YEAR <= data.year <= LAST_YEAR:
        errors["year"] = [
            _("Give a year between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        ]
    if data.amount is None or not data.amount.is_finite() or data.amount <= 0:
        errors["amount"] = [_("Give the value of one unit, above 0.")]
    elif data.amount.as_tuple().exponent < -2:  # type: ignore[operator]
        errors["amount"] = [_("Give the amount to the cent at most.")]
    elif data.amount > MAX_LINE_AMOUNT:
        errors["amount"] = [_("The value of one unit is too large.")]
    if data.currency not in CURRENCY_CODES:
        errors["currency"] = [
            _("%(code)s is not an ISO 4217 currency code.") % {"code": data.currency}
        ]
    for name, messages in field_errors(RateCard, {"source": data.source}).items():
        errors.setdefault(name, []).extend(messages)
    return errors


@transaction.atomic
def save_rate_card(
    *,
    card: RateCard | None,
    data: CardData,
    user: User | None,
    expected_version: int | None,
    through: Through | None = None,
) -> RateCard:
    """Make a card, or change one: a new amount is a new version. Lines already valued keep
    their rate until `revalue` is asked for. `through`: the page's form, kept in its history."""
    if errors := _card_errors(data):
        raise FinanceError(errors)
    if card is None:
        same = RateCard.objects.filter(unit=data.unit, country=data.country, year=data.year)
        if same.exists():
            raise FinanceError(
                {"__all__": [_("A card for this unit, country and year exists: change it.")]}
            )
        card = RateCard(
            unit=data.unit, country=data.country, year=data.year, currency=data.currency
        )
    else:
        card = RateCard.objects.select_for_update().get(pk=card.pk)
        if expected_version is not None and card.version != expected_version:
            raise FinanceError(
                {
                    "__all__": [
                        _(
                            "%(who)s changed this card (now version %(version)d) while you were "
                            "editing. Nothing you typed was saved: check the card and submit again."
                        )
                        % {"who": card.updated_by or _("Someone"), "version": card.version}
                    ]
                }
            )
        if (data.unit, data.country, data.year) != (card.unit, card.country, card.year):
            raise FinanceError(
                {"__all__": [_("A card's unit, country and year stay as made: make a new card.")]}
            )
        if data.currency != card.currency:
            raise FinanceError(
                {
                    "currency": [
                        _(
                            "A card keeps the currency it was made in (%(currency)s), so that "
                            "re-valued lines stay in theirs: make a new card."
                        )
                        % {"currency": card.currency}
                    ]
                }
            )
        if card.amount == data.amount and card.source == data.source.strip():
            return card
        if card.amount != data.amount:
            card.version += 1
    card.amount, card.source, card.updated_by = data.amount, data.source.strip(), user
    card._history_user = user  # type: ignore[attr-defined]
    marked(card, through).save()
    return card


# --- Where a rate-card line stands ---------------------------------------------------------------


def current_rate(entry: FinancialEntry) -> tuple[Decimal | None, int | None]:
    """The unit rate and card version a rate-card line stands at: its last re-valuation's, or
    its own."""
    last = (
        entry.corrections.filter(unit_rate__isnull=False)
        .order_by("-created_at", "-pk")
        .values_list("unit_rate", "rate_card_version")
        .first()
    )
    return last if last is not None else (entry.unit_rate, entry.rate_card_version)


def net_quantity(entry: FinancialEntry) -> Decimal:
    moved = entry.corrections.aggregate(total=Sum("quantity"))["total"] or Decimal(0)
    return (entry.quantity or Decimal(0)) + moved


# --- Reads ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unvalued:
    """In-kind left out of the money (and so of leverage) for having no value."""

    lines: int
    quantities: dict[str, Decimal]  # unit -> net quantity

    def __bool__(self) -> bool:
        return self.lines > 0

    def note(self) -> str:
        """What every surface that shows leverage says beside it, in the same words:
        "In-kind not valued, left out: 2 lines (12 venue-days, 40 expert-days)"; "" for none."""
        if not self:
            return ""
        quantities = ", ".join(
            f"{formatting.quantity(quantity)} {_unit_name(unit)}"
            for unit, quantity in sorted(self.quantities.items())
        )
        text = ngettext(
            "In-kind not valued, left out: %(count)s line",
            "In-kind not valued, left out: %(count)s lines",
            self.lines,
        ) % {"count": formatting.count(self.lines)}
        return f"{text} ({quantities})" if quantities else text

    def as_data(self) -> dict[str, object]:
        """The API's `in_kind_not_valued` (InKindNotValuedSerializer): quantities as decimal
        text, so that no float rounds them."""
        return {
            "lines": self.lines,
            "quantities": {
                unit: f"{quantity:f}" for unit, quantity in sorted(self.quantities.items())
            },
            "note": self.note(),
        }


NOTHING_UNVALUED = Unvalued(0, {})


def _unit_name(unit: str) -> str:
    return str(InKindUnit(unit).label).lower() if unit in InKindUnit.values else unit


def _unvalued_rows(entries: QuerySet[FinancialEntry]) -> QuerySet[FinancialEntry]:
    return entries.filter(kind=ContributionKind.IN_KIND, valued_by=ValuedBy.NOT_VALUED)


def unvalued_in_kind(entries: QuerySet[FinancialEntry]) -> Unvalued:
    """What of `entries` is in-kind not valued: the originals' count, and net quantities by unit.

    One query. A line not valued has no money, so it counts 0 in leverage; every surface that
    shows leverage names what was left out with this (Unvalued.note), so they all say the same."""
    rows = (
        _unvalued_rows(entries)
        .values("unit")
        # Counted by the unit (never null), not the id: the id is not in the ledger's partial
        # index of lines with a unit, which then answers alone (an index-only scan).
        .annotate(
            total=Sum("quantity"), lines=Count("unit", filter=Q(entry_type=EntryType.ORIGINAL))
        )
        .order_by()
        .values_list("unit", "total", "lines")
    )
    found = list(rows)
    lines = sum(count for _unit, _total, count in found)
    return Unvalued(lines, {unit: total for unit, total, _count in found if total})


def unvalued_by_activity(activity_ids: Iterable[int]) -> dict[int, Unvalued]:
    """unvalued_in_kind for each of many activities (a page of a list) in one query; activities
    with nothing left out are not in the answer (use NOTHING_UNVALUED)."""
    rows = (
        _unvalued_rows(FinancialEntry.objects.filter(IdsIn("activity_id", activity_ids)))
        .values("activity_id", "unit")
        .annotate(
            total=Sum("quantity"),
            lines=Count("unit", filter=Q(entry_type=EntryType.ORIGINAL)),
        )
        .order_by()
    )
    lines: dict[int, int] = {}
    quantities: dict[int, dict[str, Decimal]] = {}
    for row in rows:
        activity = row["activity_id"]
        lines[activity] = lines.get(activity, 0) + row["lines"]
        if row["total"]:
            quantities.setdefault(activity, {})[row["unit"]] = row["total"]
    return {
        activity: Unvalued(count, quantities.get(activity, {}))
        for activity, count in lines.items()
        if count
    }


def quantities_by(
    entries: QuerySet[FinancialEntry], dimension: str, units: Iterable[str] | None = None
) -> list[tuple[object, str, Decimal]]:
    """Net quantities by `dimension` (a field path, e.g. "provider_country__name") and unit."""
    rows = entries.exclude(unit="")
    if units is not None:
        rows = rows.filter(unit__in=list(units))
    return [
        (key, unit, total)
        for key, unit, total in rows.values(dimension, "unit")
        .annotate(total=Sum("quantity"))
        .order_by(dimension, "unit")
        .values_list(dimension, "unit", "total")
        if total
    ]
