"""Workbooks built by the tests, in the legacy format, clean or messy."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import openpyxl

from finance.export import ACTIVITY_SHEET_HEADER, CONTRIBUTION_SHEET_HEADER

# The workbook's columns, as the export writes them and the importer reads them.
ACTIVITY_HEADER = ACTIVITY_SHEET_HEADER
CONTRIBUTION_HEADER = CONTRIBUTION_SHEET_HEADER


def activity_row(ssc_id: str = "SSC-2010-01", **values: Any) -> list[Any]:
    row = {
        "title": "New Delhi Conference",
        "nature": "grant-funded",
        "year": 2010,
        "division": "APR",
        "providers": "Brazil; China",
        "receivers": "India",
        "modality": "Triangular",
        "theme": "Agricultural production",
        "status": "Ongoing",
        "planned": 200000,
        "allocated": 200000,
        "spent": None,
        "notes": None,
    }
    row.update(values)
    return [ssc_id, *row.values()]


def contribution_row(ssc_id: str = "SSC-2010-01", **values: Any) -> list[Any]:
    row = {
        "contributor": "Government of India",
        "type": "Government",
        "kind": "Cofinancing",
        "currency": "USD",
        "planned": 560000,
        "allocated": 560000,
        "spent": None,
        "notes": None,
    }
    row.update(values)
    return [ssc_id, *row.values()]


def build(
    activities: Sequence[Sequence[Any]],
    contributions: Sequence[Sequence[Any]] = (),
    *,
    title_rows: Sequence[str] = (),
    activity_header: Sequence[str] = ACTIVITY_HEADER,
    merge: Sequence[str] = (),
    totals: Sequence[Any] | None = None,
) -> io.BytesIO:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Activities"
    for text in title_rows:
        sheet.append([text])
    sheet.append(list(activity_header))
    for row in activities:
        sheet.append(list(row))
    if totals is not None:
        sheet.append(list(totals))
    for ref in merge:
        sheet.merge_cells(ref)
    other = workbook.create_sheet("Contributions")
    other.append(CONTRIBUTION_HEADER)
    for row in contributions:
        other.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer
