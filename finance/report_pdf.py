"""The consolidated report as a PDF document: HTML templates laid out by WeasyPrint.

The page layout is CSS (templates/finance/report/document.html): tables repeat their header row
on each page, numbers never wrap, a heading stays with the chart and table that follow it, and
each page carries its number. Charts are SVG drawn here, so they print as vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from weasyprint import HTML

from accounts.text import file_text

from .dashboard import FAMILIES, Cell, Table, family_label

FAMILY_COLOURS = {"ifad": "#0a5c73", "cofinancing": "#d98c1a", "in_kind": "#6a8f3a"}
STAGE_COLOURS = {"planned": "#9cc6d3", "allocated": "#3f8ba3", "spent": "#0a3d4d"}
CHART_ROWS = 15  # the longest tables (countries) are charted by their first rows only

# The chart's geometry, in CSS pixels (the page is 1,000 px wide at A4 landscape's text width).
LABEL_WIDTH = 230
BAR_AREA = 560
ROW_HEIGHT = 20
LEGEND_WIDTH = 160


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    values: list[float]


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one row per table row: stacked (families) or side by side (stages)."""

    labels: list[str]
    series: list[Series]
    stacked: bool
    truncated: bool


def _label(table: Table, row: list[Any]) -> str:
    if table.slug == "flows":
        return _("%(provider)s to %(receiver)s") % {"provider": row[0], "receiver": row[1]}
    return str(row[0])


def chart_of(table: Table) -> BarChart | None:
    """What the table's chart shows: allocated money by family, the years' three stages, or
    the table's one measure (leverage, flows); None for the summary or an empty table."""
    rows = table.rows[:CHART_ROWS]
    if table.slug == "summary" or not rows:
        return None
    keys = [column.key for column in table.columns]
    labels = [_label(table, row) for row in rows]

    def column(key: str) -> list[float]:
        index = keys.index(key)
        return [float(row[index] or 0) for row in rows]

    if table.slug == "years":
        series = [
            Series(
                name,
                STAGE_COLOURS[stage],
                [
                    sum(values)
                    for values in zip(
                        *(column(f"{family}_{stage}") for family in FAMILIES), strict=True
                    )
                ],
            )
            for stage, name in (
                ("planned", _("Planned")),
                ("allocated", _("Allocated")),
                ("spent", _("Spent")),
            )
        ]
        stacked = False
    elif "ifad_allocated" in keys or table.slug == "top":
        suffix = "_allocated" if "ifad_allocated" in keys else ""
        series = [
            Series(family_label(family), FAMILY_COLOURS[family], column(family + suffix))
            for family in FAMILIES
        ]
        stacked = True
    else:
        last = table.columns[-1]
        series = [Series(last.label, FAMILY_COLOURS["ifad"], column(last.key))]
        stacked = False
    return BarChart(labels, series, stacked, len(table.rows) > CHART_ROWS)


def _axis_number(value: float) -> str:
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"


def chart_svg(chart: BarChart) -> SafeString:
    """The chart as inline SVG: bars, the row labels, a value axis and a legend."""
    per_row = 1 if chart.stacked else len(chart.series)
    band = ROW_HEIGHT if per_row == 1 else 8 * per_row + 6
    height = band * len(chart.labels) + 30
    if chart.stacked:
        ends = [sum(values) for values in zip(*(s.values for s in chart.series), strict=True)]
    else:
        ends = [value for s in chart.series for value in s.values]
    top = max([*ends, 0.0]) * 1.08 or 1.0
    scale = BAR_AREA / top
    parts: list[str] = []
    for index, label in enumerate(chart.labels):
        y = index * band
        shown = label if len(label) <= 38 else label[:37] + "\u2026"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + band / 2 + 4}" text-anchor="end">'
            f"{escape(shown)}</text>"
        )
        start = float(LABEL_WIDTH)
        for position, series in enumerate(chart.series):
            value = max(series.values[index], 0.0)
            width = value * scale
            if chart.stacked:
                bar_y, bar_h = y + 3, band - 6
            else:
                bar_y, bar_h = y + 3 + position * 8, 7
            parts.append(
                f'<rect x="{start:.2f}" y="{bar_y}" width="{width:.2f}" height="{bar_h}" '
                f'fill="{series.colour}"/>'
            )
            if chart.stacked:
                start += width
    axis_y = band * len(chart.labels) + 2
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="{axis_y}" x2="{LABEL_WIDTH + BAR_AREA}" y2="{axis_y}" '
        'stroke="#8a96a6" stroke-width="0.6"/>'
    )
    for tick in range(5):
        x = LABEL_WIDTH + BAR_AREA * tick / 4
        parts.append(
            f'<text x="{x:.2f}" y="{axis_y + 14}" text-anchor="middle">'
            f"{escape(_axis_number(top * tick / 4))}</text>"
        )
    legend_x = LABEL_WIDTH + BAR_AREA + 20
    for position, series in enumerate(chart.series):
        y = position * 16
        parts.append(
            f'<rect x="{legend_x}" y="{y + 2}" width="10" height="10" fill="{series.colour}"/>'
            f'<text x="{legend_x + 16}" y="{y + 11}">{escape(series.name)}</text>'
        )
    width = LABEL_WIDTH + BAR_AREA + 20 + LEGEND_WIDTH
    # Every text above is escaped where it is written; the numbers are formatted here.
    return mark_safe(  # noqa: S308
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" fill="#1c2430" font-size="9" '
        f'font-family="DejaVu Sans" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(_("Chart"))}">'
        + "".join(parts)
        + "</svg>"
    )


@dataclass(frozen=True)
class Section:
    table: Table
    chart: SafeString | None
    truncated: bool
    body: list[list[Cell]]
    footer: list[Cell] | None


def report_pdf(tables: Sequence[Table], *, preamble: Sequence[str]) -> bytes:
    sections = []
    for table in tables:
        chart = chart_of(table)
        sections.append(
            Section(
                table=table,
                chart=chart_svg(chart) if chart else None,
                truncated=bool(chart and chart.truncated),
                body=table.body,
                footer=table.footer,
            )
        )
    html = render_to_string(
        "finance/report/document.html",
        {
            "title": preamble[0] if preamble else _("SSC portfolio: consolidated report"),
            "lines": preamble[1:],
            "sections": sections,
            "chart_rows": CHART_ROWS,
            "language": get_language() or "en",
            "direction": "rtl" if get_language_bidi() else "ltr",
        },
    )
    # Rows stored before accounts.text refused them may hold characters no document can.
    return bytes(HTML(string=file_text(html)).write_pdf())
