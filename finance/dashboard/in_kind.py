"""The dashboard's in-kind in quantities: expert-days and every other unit by provider country,
participant-days by receiving country (finance.quantities says how they are attributed), beside
the money; a table on the page, in the downloads and in the report."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..models import InKindUnit
from ..quantities import QuantityRow
from .selection import Selection
from .tables import Column, Table


def _unit_label(unit: str) -> str:
    return str(InKindUnit(unit).label)


def quantities_table(selection: Selection) -> Table:
    """Rows by provider country, then participant-days by receiving country; the total line
    counts each line once (a receiving country's row may share a line with another's)."""
    found = selection.quantities
    units = found.units
    label = selection.reference.country_label

    def row(side: str, country: QuantityRow) -> list[Any]:
        name = label(country.country_id) if country.country_id else _("No provider country")
        return [side, name, *(country.quantities.get(unit) for unit in units)]

    provider, receiver = _("Given by"), _("Received by")
    providers = sorted((row(provider, c) for c in found.by_provider), key=lambda r: str(r[1]))
    receivers = sorted(
        (row(receiver, c) for c in found.participants_by_receiver), key=lambda r: str(r[1])
    )
    totals: list[Any] = [_("Total"), "", *(found.totals.get(unit, Decimal(0)) for unit in units)]
    return Table(
        slug="quantities",
        title=_("In-kind and technical cooperation in quantities"),
        columns=[
            Column("side", _("Counted by")),
            Column("country", _("Country")),
            *(Column(unit, _unit_label(unit), "quantity") for unit in units),
        ],
        rows=[*providers, *receivers],
        total=totals if units else None,
    )
