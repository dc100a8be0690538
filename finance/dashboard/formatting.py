"""How the dashboard writes its figures: the families' and stages' names, amounts with the active
language's separators, and numbers for the chart library."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import get_format
from django.utils.translation import gettext as _

from ..figures import NO_VALUE
from ..models import Stage

FAMILIES = ("ifad", "cofinancing", "in_kind")
STAGES = tuple(Stage.values)


def family_label(family: str) -> str:
    return {"ifad": _("IFAD"), "cofinancing": _("Cofinancing"), "in_kind": _("In-kind")}[family]


def stage_label(stage: str) -> str:
    return {
        Stage.PLANNED: _("planned"),
        Stage.ALLOCATED: _("allocated"),
        Stage.SPENT: _("spent"),
    }[Stage(stage)]


@dataclass(frozen=True)
class NumberStyle:
    """The active language's decimal mark and thousands separator, looked up once per table:
    looking them up per number (two settings lookups through the active language each) was a
    good part of the time the dashboard spends formatting its amounts."""

    decimal_mark: str
    thousands: str

    @classmethod
    def active(cls) -> NumberStyle:
        return cls(str(get_format("DECIMAL_SEPARATOR")), str(get_format("THOUSAND_SEPARATOR")))


def grouped(value: Decimal | int, places: int, style: NumberStyle | None = None) -> str:
    """A number with the active language's separators, grouped by thousands.

    Python's own formatting with the separators swapped in: Django's number_format does the
    same at many times the cost, and the country table has an amount per country and column.
    """
    style = style or NumberStyle.active()
    text = f"{value:,.{places}f}"
    return text.replace(",", "\0").replace(".", style.decimal_mark).replace("\0", style.thousands)


def format_usd(value: Decimal | None, decimals: int = 2, style: NumberStyle | None = None) -> str:
    return NO_VALUE if value is None else "US$ " + grouped(value, decimals, style)


def format_amount(value: Decimal | None, style: NumberStyle | None = None) -> str:
    return NO_VALUE if value is None else grouped(value, 2, style)


def format_quantity(value: Decimal | None, style: NumberStyle | None = None) -> str:
    """A measured quantity (people, hectares): the decimals it has, none when it is whole."""
    if value is None:
        return NO_VALUE
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return grouped(value, places, style)


def format_count(value: int, style: NumberStyle | None = None) -> str:
    return grouped(value, 0, style)


def chart_number(value: Decimal | None) -> float | None:
    """A JSON number for the chart library, which draws floats; tables and files keep Decimals."""
    return None if value is None else float(value)
