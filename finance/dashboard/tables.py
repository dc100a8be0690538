"""The charts' data tables: what the page shows under each chart and the downloads contain."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from html import escape as escape_text
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.formatting import Percent, Ratio
from accounts.formatting import percent as format_percent
from accounts.formatting import ratio as format_ratio

from ..figures import FIGURE_LABELS
from ..rollups import Figures
from .formatting import (
    FAMILIES,
    STAGES,
    NumberStyle,
    family_label,
    format_amount,
    format_count,
    format_quantity,
    format_usd,
    stage_label,
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | money | quantity | ratio | percent | count | mixed

    @property
    def is_number(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Cell:
    text: str
    is_number: bool
    link: str = ""
    link_label: str = ""  # the link's name when its text alone would not say where it leads


@dataclass
class Table:
    """A chart's data: what the page shows under the chart and the downloads contain."""

    slug: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    links: list[str] = field(default_factory=list)  # per row: where the first cell links to
    total: list[Any] | None = None
    # Per row, the link's name when several rows' first cells read the same (the flows).
    link_labels: list[str] = field(default_factory=list)

    def _cells(
        self, values: list[Any], style: NumberStyle, link: str = "", label: str = ""
    ) -> list[Cell]:
        cells = []
        for index, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            first = index == 0
            cells.append(
                Cell(
                    format_value(column, value, style),
                    column.is_number,
                    link if first else "",
                    label if first else "",
                )
            )
        return cells

    @property
    def body(self) -> list[list[Cell]]:
        links = self.links or [""] * len(self.rows)
        labels = self.link_labels or [""] * len(self.rows)
        style = NumberStyle.active()
        return [
            self._cells(row, style, link, label)
            for row, link, label in zip(self.rows, links, labels, strict=True)
        ]

    @property
    def footer(self) -> list[Cell] | None:
        return self._cells(self.total, NumberStyle.active()) if self.total is not None else None

    def body_html(self) -> SafeString:
        """The body's rows as HTML, built in Python; the rest of the table is a template
        (finance/_data_table.html). A template loop over the cells cost several times what
        these rows cost, and the country table has a row per country."""
        # Every piece is escaped where it is built (_row_html).
        return mark_safe("".join(_row_html(cells) for cells in self.body))  # noqa: S308

    def footer_html(self) -> SafeString:
        footer = self.footer
        # Escaped where it is built (_row_html).
        return mark_safe(_row_html(footer) if footer else "")  # noqa: S308


def _row_html(cells: list[Cell]) -> str:
    # The standard library's escaping, joined plainly: Django's escape (lazy-aware) and
    # format_html per cell made the big tables much slower to build. Same characters escaped.
    first, *rest = cells
    heading = escape_text(first.text)
    if first.link:
        label = f' aria-label="{escape_text(first.link_label)}"' if first.link_label else ""
        heading = f'<a href="{escape_text(first.link)}"{label}>{heading}</a>'
    tds = "".join(
        f'<td class="num nowrap">{escape_text(c.text)}</td>'
        if c.is_number
        else f"<td>{escape_text(c.text)}</td>"
        for c in rest
    )
    return f'<tr><th scope="row">{heading}</th>{tds}</tr>'


def format_value(column: Column, value: Any, style: NumberStyle | None = None) -> str:
    if column.kind == "mixed":
        # The summary's one value column: money, counts, ratios and percentages.
        if isinstance(value, Ratio):
            return format_ratio(value, style)
        if isinstance(value, Percent):
            return format_percent(value, style)
        if isinstance(value, Decimal):
            return format_usd(value, style=style)
        if isinstance(value, int):
            return format_count(value, style)
    if column.kind == "money":
        # The column's label says US$; the cells carry the number only.
        return format_amount(value, style)
    if column.kind == "quantity":
        return format_quantity(value, style)
    if column.kind == "ratio":
        return format_ratio(value, style)
    if column.kind == "percent":
        return format_percent(value, style)
    if column.kind == "count":
        return format_count(value, style)
    return "" if value is None else str(value)


def money_columns(first: Column) -> list[Column]:
    """The columns of every money table: each family at each stage, then the leverage."""
    columns = [first]
    for family in FAMILIES:
        for stage in STAGES:
            columns.append(
                Column(
                    f"{family}_{stage}",
                    _("%(family)s %(stage)s (US$)")
                    % {"family": family_label(family), "stage": stage_label(stage)},
                    "money",
                )
            )
    columns.append(Column("leverage_allocated", str(FIGURE_LABELS["leverage_allocated"]), "ratio"))
    return columns


def money_row(label: Any, figures: Figures) -> list[Any]:
    values: list[Any] = [label]
    for family in FAMILIES:
        amounts = getattr(figures, family)
        values += [amounts[stage] for stage in STAGES]
    values.append(figures.leverage_allocated)
    return values


def money_table(
    slug: str,
    title: str,
    first: Column,
    groups: list[Figures],
    total: Figures,
    *,
    links: list[str] | None = None,
) -> Table:
    """`links`: per group, the activity list its row leads to (finance.dashboard.links)."""
    return Table(
        slug=slug,
        title=title,
        columns=money_columns(first),
        rows=[money_row(group.label, group) for group in groups],
        links=links or [],
        total=money_row(_("Total"), total),
    )


def summed(groups: list[Figures]) -> Figures:
    """The groups' total. Country and theme groups add up to the portfolio total by
    construction (the split is exact to the cent); summing them spares a download the query of
    the total, and the tests check it against the portfolio total."""
    total = Figures(label=_("Total"))
    for group in groups:
        for kind, stages in group.cents.items():
            for stage, cents in stages.items():
                total.add(kind, stage, cents)
    return total
