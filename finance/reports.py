"""The dashboard's tables as files: one table as CSV or xlsx, and the consolidated report.

The consolidated report is every table of the dashboard, as an Excel workbook (a summary sheet
then one sheet per table) or as a PDF (finance.report_pdf: a cover, then each table with its
bar chart, laid out from HTML by WeasyPrint). A worker builds it
(finance.tasks.build_report_export_task) and records its progress on the ReportExport row; the
file is downloaded through a view that checks who asks.

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
from functools import partial
from typing import Any

import openpyxl
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.styles import Font

from accounts.formatting import XLSX_FORMATS, Percent, Ratio, moment
from accounts.models import User
from accounts.text import file_text, spreadsheet_cell
from ssc_portal.db_router import replica_reads

from .dashboard import (
    TABLE_SLUGS,
    Column,
    Reference,
    Selection,
    Table,
    build_table,
    describe_filters,
    selection_version,
)
from .jobs import BUILD_REPORT_EXPORT, queue_or_run_on_commit
from .models import ReportExport
from .periods import closed_line
from .report_pdf import report_pdf
from .rollups import RollupFilters, RollupState, rollup_state

logger = logging.getLogger(__name__)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Each kind's number format, as accounts.formatting writes it on the pages.
NUMBER_FORMATS = {
    **{kind: XLSX_FORMATS[kind] for kind in ("money", "quantity", "ratio", "percent", "count")},
    "mixed": XLSX_FORMATS["money"],
}


def _number_format(column: Column, value: int | float | Decimal) -> str:
    """The number format of a cell: the column's, or in the summary's mixed column the value's
    own (a count, a ratio, a percentage or money)."""
    if column.kind != "mixed":
        return NUMBER_FORMATS[column.kind]
    if isinstance(value, Ratio):
        return NUMBER_FORMATS["ratio"]
    if isinstance(value, Percent):
        return NUMBER_FORMATS["percent"]
    return NUMBER_FORMATS["count" if isinstance(value, int) else "mixed"]


# --- one table ------------------------------------------------------------------------------------


def _plain(column: Column, value: Any) -> Any:
    """A cell's value for a file: numbers stay numbers, text is escaped."""
    if value is None:
        return ""
    if column.is_number and not isinstance(value, str):
        return value
    return spreadsheet_cell(str(value))


def table_csv(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_cell(column.label) for column in table.columns])
    for row in [*table.rows, *([table.total] if table.total is not None else [])]:
        writer.writerow([_plain(c, v) for c, v in zip(table.columns, row, strict=True)])
    return buffer.getvalue()


def _sheet_title(title: str, taken: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    clean = (
        "".join(" " if ch in "[]:*?/\\" else ch for ch in file_text(title))[:31].strip() or "Table"
    )
    name, number = clean, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = clean[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _append_table(sheet: Any, table: Table) -> None:
    bold = Font(bold=True)
    sheet.append([spreadsheet_cell(column.label) for column in table.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    rows = [*table.rows, *([table.total] if table.total is not None else [])]
    for index, row in enumerate(rows):
        sheet.append([_plain(c, v) for c, v in zip(table.columns, row, strict=True)])
        for column, cell in zip(table.columns, sheet[sheet.max_row], strict=True):
            if column.kind in NUMBER_FORMATS and isinstance(cell.value, int | float | Decimal):
                cell.number_format = _number_format(column, cell.value)
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
                sheet.append([spreadsheet_cell(line)])
            sheet.append([])
        _append_table(sheet, table)
    buffer = io.BytesIO()
    workbook.save(buffer)
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
    as_of = moment(state.as_of) if state.as_of else _("never computed")
    return [
        _("SSC portfolio: consolidated report"),
        _("Figures in US$, as of %(time)s") % {"time": as_of},
        # The time last: a time written "1:04 p.m." would end a sentence in a double full stop.
        _("Prepared for %(user)s on %(time)s")
        % {
            "user": str(selection.user),
            "time": moment(timezone.now()),
        },
        *describe_filters(selection.filters, selection.reference),
        *filter(None, [closed_line()]),
    ]


def report_tables(
    selection: Selection, progress: Callable[[int], None] | None = None
) -> list[Table]:
    tables = []
    for done, slug in enumerate(TABLE_SLUGS, start=1):
        # Each table read where a lag-tolerant read may go (the replica, when there is one); the
        # progress written between two tables must not send the next ones to the primary.
        with replica_reads():
            tables.append(build_table(selection, slug))
        if progress:
            # The tables are 80 % of the work; writing the file is the rest.
            progress(int(80 * done / len(TABLE_SLUGS)))
    return tables


def build_report_file(export: ReportExport, progress: Callable[[int], None]) -> bytes:
    with replica_reads():
        state = rollup_state()
        filters = filters_from_json(export.filters)
        selection = Selection(
            export.requested_by, filters, Reference.load(), version=selection_version(filters)
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
    export = ReportExport.objects.create(
        requested_by=user,
        filters=filters_to_json(filters),
        format=ReportExport.Format(file_format),
        language=language,
    )
    queue_or_run_on_commit(
        BUILD_REPORT_EXPORT, (export.pk,), partial(build_report_export, export.pk)
    )
    return export
