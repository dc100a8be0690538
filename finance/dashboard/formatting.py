"""How the dashboard writes its figures: the families' and stages' names, and numbers for the
chart library. Amounts, counts and quantities are written as everywhere (accounts.formatting),
with the language's separators looked up once per table (NumberStyle)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.formatting import NumberStyle, usd
from accounts.formatting import amount as format_amount
from accounts.formatting import count as format_count
from accounts.formatting import quantity as format_quantity

from ..models import Stage

__all__ = [
    "FAMILIES",
    "STAGES",
    "NumberStyle",
    "chart_number",
    "family_label",
    "format_amount",
    "format_count",
    "format_quantity",
    "format_usd",
    "stage_label",
]

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


def format_usd(value: Decimal | None, decimals: int = 2, style: NumberStyle | None = None) -> str:
    return usd(value, decimals, style)


def chart_number(value: Decimal | None) -> float | None:
    """A JSON number for the chart library, which draws floats; tables and files keep Decimals."""
    return None if value is None else float(value)
