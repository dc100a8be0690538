"""The charts' data tables: what the page shows under each chart and the downloads contain."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape as escape_text
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.formatting import (
    MONEY_PLACES,
    NO_VALUE,
    Percent,
    Ratio,
    number_formatter,
    quantity_formatter,
)
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
        links = self.links or [""] * len(self.rows)
        labels = self.link_labels or [""] * len(self.rows)
        # Every piece is escaped where it is built (RowWriter).
        return mark_safe(RowWriter(self.columns).rows(self.rows, links, labels))  # noqa: S308

    def footer_html(self) -> SafeString:
        if self.total is None:
            return mark_safe("")
        # Escaped where it is built (RowWriter).
        return mark_safe(RowWriter(self.columns).rows([self.total], [""], [""]))  # noqa: S308


# What a number's separators may hold that HTML would read as markup.
_MARKUP = frozenset("&<>\"'")


class RowWriter:
    """A table's rows as HTML, each column's formatting worked out once (column_formatter).

    The standard library's escaping, joined plainly: Django's escape (lazy-aware) and
    format_html per cell made the big tables much slower to build; the same characters are
    escaped. A number's text is only digits, the language's separators and signs (%, x, US$, an
    en dash for no value): escaped only when the separators could be markup, or when the column
    is a mixed one, whose cells may be text."""

    def __init__(self, columns: list[Column]) -> None:
        style = NumberStyle.active()
        self.heading = column_formatter(columns[0], style)
        numbers_are_text = not _MARKUP.isdisjoint(style.decimal_mark + style.thousands)
        self.cells = [
            # A mixed column may hold a sentence (the summary's note on in-kind left out).
            _number_cell(
                column_formatter(column, style),
                escaped=numbers_are_text or column.kind == "mixed",
            )
            if column.is_number
            else _text_cell(column_formatter(column, style))
            for column in columns[1:]
        ]

    def rows(self, rows: list[list[Any]], links: list[str], labels: list[str]) -> str:
        heading, cells = self.heading, self.cells
        written = []
        for row, link, label in zip(rows, links, labels, strict=True):
            first = escape_text(heading(row[0]))
            if link:
                name = f' aria-label="{escape_text(label)}"' if label else ""
                first = f'<a href="{escape_text(link)}"{name}>{first}</a>'
            tds = "".join([cell(value) for cell, value in zip(cells, row[1:], strict=True)])
            written.append(f'<tr><th scope="row">{first}</th>{tds}</tr>')
        return "".join(written)


def _number_cell(formatter: Callable[[Any], str], *, escaped: bool) -> Callable[[Any], str]:
    if escaped:
        return lambda value: f'<td class="num nowrap">{escape_text(formatter(value))}</td>'
    return lambda value: f'<td class="num nowrap">{formatter(value)}</td>'


def _text_cell(formatter: Callable[[Any], str]) -> Callable[[Any], str]:
    return lambda value: f"<td>{escape_text(formatter(value))}</td>"


def column_formatter(column: Column, style: NumberStyle) -> Callable[[Any], str]:
    """format_value for one column's values, what does not depend on the value worked out once
    (accounts.formatting.number_formatter): the same text."""
    kind = column.kind
    if kind == "text":
        return lambda value: "" if value is None else str(value)
    if kind in ("money", "count", "ratio"):
        write = number_formatter({"money": MONEY_PLACES, "count": 0, "ratio": 2}[kind], style)
        sign = "x" if kind == "ratio" else ""
        return lambda value: NO_VALUE if value is None else write(value) + sign
    if kind == "quantity":
        return quantity_formatter(style)
    return functools.partial(format_value, column, style=style)


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
