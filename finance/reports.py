"""The dashboard's tables as files: one table as CSV or xlsx, and the consolidated report.

The consolidated report is every table of the dashboard, as an Excel workbook (a summary sheet
then one sheet per table) or as a PDF (the tables and a bar chart of each, drawn by reportlab: no
browser involved). A worker builds it (finance.tasks.build_report_export_task) and records its
progress on the ReportExport row; the file is downloaded through a view that checks who asks.

Text a spreadsheet would take for a formula (= + - @) gets a leading apostrophe, as in
finance.export.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import openpyxl
import reportlab
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError
from openpyxl.styles import Font
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import (
    Table as PdfTable,
)

from accounts.models import User

from .dashboard import (
    FAMILIES,
    TABLE_SLUGS,
    Column,
    Reference,
    Selection,
    Table,
    build_table,
    cache_version,
    describe_filters,
    family_label,
    format_value,
)
from .export import escape
from .models import ReportExport
from .periods import closed_line
from .rollups import RollupFilters, RollupState, rollup_state

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {
    "money": "#,##0.00",
    "leverage": '0.00"x"',
    "rate": "0.0%",
    "count": "#,##0",
    "mixed": "#,##0.00",
}

# --- one table ------------------------------------------------------------------------------------


def _plain(column: Column, value: Any) -> Any:
    """A cell's value for a file: numbers stay numbers, text is escaped."""
    if value is None:
        return ""
    if column.is_number and not isinstance(value, str):
        return value
    return escape(str(value))


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([escape(column.label) for column in table.columns])
    for row in [*table.rows, *([table.total] if table.total is not None else [])]:
        writer.writerow([_plain(c, v) for c, v in zip(table.columns, row, strict=True)])
    return buffer.getvalue()


def _sheet_title(title: str, taken: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31].strip() or "Table"
    name, number = clean, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = clean[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _append_table(sheet: Any, table: Table) -> None:
    bold = Font(bold=True)
    sheet.append([escape(column.label) for column in table.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    for index, row in enumerate(rows):
        sheet.append([_plain(c, v) for c, v in zip(table.columns, row, strict=True)])
        for column, cell in zip(table.columns, sheet[sheet.max_row], strict=True):
            if column.kind in NUMBER_FORMATS and isinstance(cell.value, int | float | Decimal):
                whole = column.kind == "mixed" and isinstance(cell.value, int)
                cell.number_format = NUMBER_FORMATS["count" if whole else column.kind]
            if table.total is not None and index == len(rows) - 1:
                cell.font = bold
    for letter, column in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", table.columns, strict=False):
        sheet.column_dimensions[letter].width = 40 if not column.is_number else 18


def tables_xlsx(tables: Sequence[Table], *, preamble: Sequence[str] = ()) -> bytes:
    """One sheet per table; `preamble` lines (title, as-of, filters) head the first sheet."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    taken: set[str] = set()
    for position, table in enumerate(tables):
        sheet = workbook.create_sheet(_sheet_title(table.title, taken))
        if position == 0 and preamble:
            for line in preamble:
                sheet.append([escape(line)])
            sheet.append([])
        _append_table(sheet, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the PDF --------------------------------------------------------------------------------------

FAMILY_COLOURS = {
    "ifad": colors.HexColor("#0a5c73"),
    "cofinancing": colors.HexColor("#d98c1a"),
    "in_kind": colors.HexColor("#6a8f3a"),
}
STAGE_COLOURS = [colors.HexColor("#9cc6d3"), colors.HexColor("#3f8ba3"), colors.HexColor("#0a3d4d")]
PDF_BARS = 15  # the longest tables (countries) are charted by their first rows only


@dataclasses.dataclass(frozen=True)
class _Fonts:
    regular: str
    bold: str


def _fonts() -> _Fonts:
    """Bitstream Vera, shipped with reportlab: embedded TrueType, so accented names print."""
    folder = Path(reportlab.__file__).parent / "fonts"
    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("Vera", str(folder / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("VeraBd", str(folder / "VeraBd.ttf")))
    return _Fonts("Vera", "VeraBd")


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bar_chart(table: Table, fonts: _Fonts) -> Drawing | None:
    """A bar chart of the table's allocated money (or of its one measure), first rows only."""
    rows = table.rows[:PDF_BARS]
    if not rows:
        return None
    keys = [column.key for column in table.columns]
    if table.slug == "flows":
        labels = [
            _short(_("%(provider)s to %(receiver)s") % {"provider": row[0], "receiver": row[1]}, 40)
            for row in rows
        ]
    else:
        labels = [_short(str(row[0])) for row in rows]
    if "ifad_allocated" in keys and table.slug == "years":
        # Years: planned, allocated and spent side by side (IFAD + cofinancing + in-kind).
        series = []
        names = []
        for stage, name in (
            ("planned", _("Planned")),
            ("allocated", _("Allocated")),
            ("spent", _("Spent")),
        ):
            positions = [keys.index(f"{family}_{stage}") for family in FAMILIES]
            series.append([float(sum((row[i] for i in positions), Decimal(0))) for row in rows])
            names.append(name)
        chart: Any = VerticalBarChart()
        chart.categoryAxis.labels.angle = 45 if len(rows) > 8 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 8 else "n"
        fills = STAGE_COLOURS
        height = 6 * cm
    else:
        if "ifad_allocated" in keys:
            columns = [keys.index(f"{family}_allocated") for family in FAMILIES]
            names = [family_label(family) for family in FAMILIES]
            fills = [FAMILY_COLOURS[family] for family in FAMILIES]
        elif table.slug == "top":
            columns = [keys.index(family) for family in FAMILIES]
            names = [family_label(family) for family in FAMILIES]
            fills = [FAMILY_COLOURS[family] for family in FAMILIES]
        else:
            # Leverage and flows: their last column is the one measure.
            columns = [len(keys) - 1]
            names = [table.columns[-1].label]
            fills = [FAMILY_COLOURS["ifad"]]
        series = [[float(row[i] or 0) for row in reversed(rows)] for i in columns]
        labels = list(reversed(labels))
        chart = HorizontalBarChart()
        if len(columns) > 1:
            chart.categoryAxis.style = "stacked"
        height = max(3 * cm, len(rows) * 0.55 * cm + 1.5 * cm)
    width = 24 * cm
    drawing = Drawing(width, height)
    chart.x, chart.y = 6 * cm if isinstance(chart, HorizontalBarChart) else 2 * cm, 1 * cm
    chart.width = width - chart.x - 5 * cm
    chart.height = height - 1.5 * cm
    chart.data = series
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontName = fonts.regular
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontName = fonts.regular
    chart.valueAxis.labels.fontSize = 7
    stacked = isinstance(chart, HorizontalBarChart) and len(series) > 1
    ends = (
        [sum(values) for values in zip(*series, strict=True)]
        if stacked
        else [v for values in series for v in values]
    )
    chart.valueAxis.valueMin = min(0.0, *(v for values in series for v in values))
    # A little room past the longest bar, so it does not end on the frame.
    chart.valueAxis.valueMax = max(ends) * 1.08 if max(ends) > 0 else 1
    chart.valueAxis.labelTextFormat = _axis_number
    for index, fill in enumerate(fills):
        chart.bars[index].fillColor = fill
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 4.5 * cm, height - 0.5 * cm
    legend.fontName, legend.fontSize = fonts.regular, 7
    legend.colorNamePairs = list(zip(fills, names, strict=False))
    drawing.add(legend)
    if len(table.rows) > PDF_BARS:
        drawing.add(
            String(
                0,
                0,
                _("First %(count)d rows charted.") % {"count": PDF_BARS},
                fontName=fonts.regular,
                fontSize=6,
            )
        )
    return drawing


def _axis_number(value: float) -> str:
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.0f}"


def _pdf_table(table: Table, fonts: _Fonts, width: float) -> PdfTable:
    text = ParagraphStyle("cell", fontName=fonts.regular, fontSize=7, leading=8.5)
    head = ParagraphStyle("head", parent=text, fontName=fonts.bold)
    head_num = ParagraphStyle("head_num", parent=head, alignment=2)
    number = ParagraphStyle("num", parent=text, alignment=2)

    def cells(values: list[Any], *, header: bool = False) -> list[Any]:
        out = []
        for column, value in zip(table.columns, values, strict=True):
            shown = value if header else format_value(column, value)
            style = (
                (head_num if column.is_number else head)
                if header
                else (number if column.is_number else text)
            )
            out.append(Paragraph(xml_escape(str(shown)), style))
        return out

    data = [cells([c.label for c in table.columns], header=True)]
    data += [cells(row) for row in table.rows]
    if table.total is not None:
        data.append(cells(table.total))
    numbers = sum(1 for c in table.columns if c.is_number)
    texts = len(table.columns) - numbers
    number_width = min(2.3 * cm, (width * 0.7) / max(numbers, 1))
    text_width = (width - numbers * number_width) / max(texts, 1)
    widths = [number_width if c.is_number else text_width for c in table.columns]
    pdf_table = PdfTable(data, colWidths=widths, repeatRows=1)
    style = [
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#8a96a6")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f8fafc")]),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if table.total is not None:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.HexColor("#8a96a6")))
    pdf_table.setStyle(TableStyle(style))
    return pdf_table


def report_pdf(tables: Sequence[Table], *, preamble: Sequence[str]) -> bytes:
    fonts = _fonts()
    styles = getSampleStyleSheet()
    title = ParagraphStyle("t", parent=styles["Title"], fontName=fonts.bold, fontSize=16)
    heading = ParagraphStyle("h", parent=styles["Heading2"], fontName=fonts.bold, fontSize=12)
    body = ParagraphStyle("b", parent=styles["BodyText"], fontName=fonts.regular, fontSize=8)
    buffer = io.BytesIO()
    page = landscape(A4)
    document = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.2 * cm,
        bottomMargin=1.2 * cm,
        title=preamble[0] if preamble else "",
    )
    width = page[0] - 3 * cm
    story: list[Any] = []
    if preamble:
        story.append(Paragraph(xml_escape(preamble[0]), title))
        story += [Paragraph(xml_escape(line), body) for line in preamble[1:]]
        story.append(Spacer(1, 0.4 * cm))
    for table in tables:
        story.append(KeepTogether([Paragraph(xml_escape(table.title), heading)]))
        chart = _bar_chart(table, fonts) if table.slug != "summary" else None
        if chart is not None:
            story.append(chart)
            story.append(Spacer(1, 0.2 * cm))
        if table.rows:
            story.append(_pdf_table(table, fonts, width))
        else:
            story.append(Paragraph(xml_escape(_("No money in this selection.")), body))
        story.append(Spacer(1, 0.5 * cm))
    document.build(story)
    return buffer.getvalue()


# --- the consolidated report, built by a worker --------------------------------------------------


def filters_to_json(filters: RollupFilters) -> dict[str, Any]:
    return {
        key: list(v) if isinstance(v, tuple) else v
        for key, v in dataclasses.asdict(filters).items()
    }


def filters_from_json(data: dict[str, Any]) -> RollupFilters:
    names = {f.name for f in dataclasses.fields(RollupFilters)}
    values: dict[str, Any] = {
        key: tuple(v) if isinstance(v, list) else v for key, v in data.items() if key in names
    }
    return RollupFilters(**values)


def report_preamble(selection: Selection, state: RollupState) -> list[str]:
    as_of = (
        date_format(timezone.localtime(state.as_of), "DATETIME_FORMAT")
        if state.as_of
        else _("never computed")
    )
    return [
        _("SSC portfolio: consolidated report"),
        _("Figures as of %(time)s, in US$.") % {"time": as_of},
        _("Prepared for %(user)s on %(time)s.")
        % {
            "user": str(selection.user),
            "time": date_format(timezone.localtime(), "DATETIME_FORMAT"),
        },
        *describe_filters(selection.filters, selection.reference),
        *filter(None, [closed_line()]),
    ]


def report_tables(
    selection: Selection, progress: Callable[[int], None] | None = None
) -> list[Table]:
    tables = []
    for done, slug in enumerate(TABLE_SLUGS, start=1):
        tables.append(build_table(selection, slug))
        if progress:
            # The tables are 80 % of the work; writing the file is the rest.
            progress(int(80 * done / len(TABLE_SLUGS)))
    return tables


def build_report_file(export: ReportExport, progress: Callable[[int], None]) -> bytes:
    state = rollup_state()
    selection = Selection(
        export.requested_by,
        filters_from_json(export.filters),
        Reference.load(),
        version=cache_version(state),
    )
    tables = report_tables(selection, progress)
    preamble = report_preamble(selection, state)
    if export.format == ReportExport.Format.PDF:
        return report_pdf(tables, preamble=preamble)
    return tables_xlsx(tables, preamble=preamble)


def build_report_export(export_id: int) -> None:
    """Build the file of one export and record it; a rerun rebuilds it (the task is idempotent).

    A database hiccup is raised for the task to retry; anything else marks the export failed with
    the reason, since building it again would fail the same way.
    """
    export = ReportExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None or export.state == ReportExport.State.DONE:
        return
    rows = ReportExport.objects.filter(pk=export.pk)
    rows.update(state=ReportExport.State.RUNNING, progress=0, error="")

    def progress(percent: int) -> None:
        rows.update(progress=percent)

    try:
        with translation.override(export.language or None):
            data = build_report_file(export, progress)
        export.file.save(export.filename, ContentFile(data), save=False)
    except OperationalError:
        raise
    except Exception as error:
        logger.exception("Report export %s failed", export.pk)
        rows.update(
            state=ReportExport.State.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        return
    rows.update(
        state=ReportExport.State.DONE,
        progress=100,
        file=export.file.name,
        finished_at=timezone.now(),
    )


@transaction.atomic
def start_report_export(
    *, user: User, filters: RollupFilters, file_format: str, language: str = ""
) -> ReportExport:
    """Record the request and queue its build once committed. When the broker cannot be reached
    the report is built here and now instead: slower for the user, but nothing waits forever."""
    from .tasks import build_report_export_task

    export = ReportExport.objects.create(
        requested_by=user,
        filters=filters_to_json(filters),
        format=ReportExport.Format(file_format),
        language=language,
    )

    def send() -> None:
        try:
            build_report_export_task.apply_async((export.pk,), retry=False)
        except (KombuError, OSError):
            logger.warning("Task queue unreachable; building report %s in the request", export.pk)
            build_report_export(export.pk)

    transaction.on_commit(send)
    return export
