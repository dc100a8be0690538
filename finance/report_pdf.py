"""The consolidated report as a PDF document: HTML templates laid out by WeasyPrint.

The page layout is CSS (templates/finance/report/document.html): tables repeat their header row
on each page, numbers never wrap, a heading stays with the chart and table that follow it, and
each page carries its number, on the side the document's lines end (the left in Arabic). Charts
are HTML with SVG bars drawn here, so they print as vectors; their words are the document's text
(WeasyPrint lays an SVG's text out letter by letter from the left: Arabic labels would print in
the wrong order).
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

# The bars' geometry, in CSS pixels (the page is 1,000 px wide at A4 landscape's text width;
# the labels' column is in the document's style).
BAR_AREA = 560
ROW_HEIGHT = 20


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


def _svg(width: float, height: float, parts: list[str]) -> SafeString:
    # Only shapes and numbers formatted here: no text of the data goes into an SVG.
    return mark_safe(  # noqa: S308
        f'<svg xmlns="http://www.w3.org/2000/svg" fill="#1c2430" font-size="9" '
        f'font-family="DejaVu Sans" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-hidden="true">' + "".join(parts) + "</svg>"
    )


def _bars(chart: BarChart, index: int, band: int, scale: float, *, rtl: bool) -> SafeString:
    """One row's bars, growing from the row's start: the left, or the right in a right-to-left
    document."""
    parts: list[str] = []
    start = 0.0
    for position, series in enumerate(chart.series):
        width = max(series.values[index], 0.0) * scale
        if chart.stacked:
            bar_y, bar_h = 3, band - 6
        else:
            bar_y, bar_h = 3 + position * 8, 7
        x = BAR_AREA - start - width if rtl else start
        parts.append(
            f'<rect x="{x:.2f}" y="{bar_y}" width="{width:.2f}" height="{bar_h}" '
            f'fill="{series.colour}"/>'
        )
        if chart.stacked:
            start += width
    return _svg(BAR_AREA, band, parts)


def _axis(top: float, *, rtl: bool) -> SafeString:
    parts = [f'<line x1="0" y1="1" x2="{BAR_AREA}" y2="1" stroke="#8a96a6" stroke-width="0.6"/>']
    for tick in range(5):
        x = BAR_AREA * tick / 4
        anchor = "start" if tick == 0 else "end" if tick == 4 else "middle"
        if rtl:
            x = BAR_AREA - x
            anchor = {"start": "end", "end": "start"}.get(anchor, anchor)
        parts.append(
            f'<text x="{x:.2f}" y="12" text-anchor="{anchor}">'
            f"{escape(_axis_number(top * tick / 4))}</text>"
        )
    return _svg(BAR_AREA, 16, parts)


@dataclass(frozen=True)
class ChartRow:
    label: str
    bars: SafeString


def chart_html(chart: BarChart, *, rtl: bool = False) -> SafeString:
    """The chart: a legend, then one row per label with its bars beside it. The words are the
    document's text, laid out (and written right to left) like the rest of it; the bars and
    the axis are SVG shapes drawn here, from the side the document's lines start on."""
    per_row = 1 if chart.stacked else len(chart.series)
    band = ROW_HEIGHT if per_row == 1 else 8 * per_row + 6
    if chart.stacked:
        ends = [sum(values) for values in zip(*(s.values for s in chart.series), strict=True)]
    else:
        ends = [value for s in chart.series for value in s.values]
    top = max([*ends, 0.0]) * 1.08 or 1.0
    scale = BAR_AREA / top
    rows = [
        ChartRow(
            label if len(label) <= 38 else label[:37] + "\u2026",
            _bars(chart, index, band, scale, rtl=rtl),
        )
        for index, label in enumerate(chart.labels)
    ]
    legend = [
        (series.name, _svg(10, 10, [f'<rect width="10" height="10" fill="{series.colour}"/>']))
        for series in chart.series
    ]
    return render_to_string(
        "finance/report/_chart.html",
        {"rows": rows, "axis": _axis(top, rtl=rtl), "legend": legend, "band": band},
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
                chart=chart_html(chart, rtl=get_language_bidi()) if chart else None,
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
