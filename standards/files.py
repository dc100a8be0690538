"""The exports as files: CSV and xlsx (openpyxl's write-only mode, which streams rows instead of
holding every cell object: the extract has a row per activity, recipient and year).

Text a spreadsheet would take for a formula (= + - @) gets a leading apostrophe, as in
finance.export (accounts.text.spreadsheet_cell).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import openpyxl
from django.utils.translation import gettext as _

from accounts.text import spreadsheet_cell

from . import sdg1731, tossd
from .build import Contents
from .models import ExportFormat, ExportKind

Columns = Sequence[tuple[str, Any]]


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | Decimal):
        return value
    return spreadsheet_cell(str(value))


def _labelled(row: dict[str, Any]) -> dict[str, Any]:
    """The 17.3.1 row's component and status in words (the codes stay in the API)."""
    return {
        **row,
        "component": str(sdg1731.COMPONENTS[row["component"]]),
        "status": str(sdg1731.STATUSES[row["status"]]),
    }


def _tables(kind: str, contents: Contents) -> list[tuple[str, Columns, list[dict[str, Any]]]]:
    """(sheet title, columns, rows) of each table of the file."""
    if kind == ExportKind.TOSSD:
        return [("TOSSD", tossd.COLUMNS, contents.rows)]
    kept = [_labelled(r) for r in contents.rows if r["status"] != sdg1731.DISPUTED]
    disputed = [_labelled(r) for r in contents.rows if r["status"] == sdg1731.DISPUTED]
    return [
        (_("SDG 17.3.1"), sdg1731.COLUMNS, kept),
        (_("Disputed, left out"), sdg1731.COLUMNS, disputed),
    ]


def _notes(kind: str, contents: Contents) -> list[str]:
    if kind == ExportKind.TOSSD:
        return []
    notes = [str(note) for note in sdg1731.METHOD_NOTES]
    if contents.disputed:
        notes.append(
            _("Activities with disputed figures: %(list)s")
            % {"list": "; ".join(f"{ssc_id} {title}" for ssc_id, title in contents.disputed)}
        )
    return notes


def export_csv(kind: str, contents: Contents) -> bytes:
    """One CSV: the 17.3.1 file's method notes head it as lines starting with "#", and its
    disputed rows follow the others (their status says so)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for note in _notes(kind, contents):
        writer.writerow([f"# {note}"])
    tables = _tables(kind, contents)
    columns = tables[0][1]
    writer.writerow([spreadsheet_cell(str(label)) for _key, label in columns])
    for _title, _columns, rows in tables:
        for row in rows:
            writer.writerow([_cell(row[key]) for key, _label in columns])
    return buffer.getvalue().encode("utf-8")


def export_xlsx(kind: str, contents: Contents) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    for title, columns, rows in _tables(kind, contents):
        sheet = workbook.create_sheet(title[:31])
        sheet.append([spreadsheet_cell(str(label)) for _key, label in columns])
        for row in rows:
            sheet.append([_cell(row[key]) for key, _label in columns])
    if notes := _notes(kind, contents):
        sheet = workbook.create_sheet(_("Method")[:31])
        for note in notes:
            sheet.append([spreadsheet_cell(note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_file(kind: str, file_format: str, contents: Contents) -> bytes:
    if file_format == ExportFormat.CSV:
        return export_csv(kind, contents)
    return export_xlsx(kind, contents)
