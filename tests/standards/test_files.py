"""The export files: the streamed xlsx opens in openpyxl (and in our own reader) with the same
cells as the CSV, numbers as numbers, text a formula would take escaped, characters XML cannot
carry marked; the 17.3.1 file keeps its method notes; a refused export leaves no file."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from accounts.formatting import XLSX_FORMATS
from accounts.models import User
from finance.xlsx import open_workbook
from standards.build import sdg_contents, tossd_contents
from standards.files import build_file
from standards.models import ExportKind
from standards.selection import Selection
from standards.sheets import CsvWriter, XlsxWriter
from tests.standards.world import build_world

COLUMNS = [("name", "Name"), ("amount", "Amount (US$)"), ("count", "Activities"), ("ok", "OK")]
ROWS: list[dict[str, Any]] = [
    {"name": "Learning route  ", "amount": Decimal("1234.50"), "count": 3, "ok": True},
    {"name": "=HYPERLINK(1)", "amount": Decimal("-0.01"), "count": 0, "ok": False},
    {"name": "Café <&> \x0bvertical tab", "amount": Decimal("0.00"), "count": 7, "ok": True},
    {"name": "", "amount": Decimal("5"), "count": 1, "ok": False},
]


def _xlsx(writer: XlsxWriter) -> bytes:
    writer.table("Table: one/two", COLUMNS)
    writer.rows(ROWS[:2])
    writer.rows(ROWS[2:])
    with writer.close() as file:
        return file.read()


def test_the_xlsx_opens_with_numbers_as_numbers_and_dangerous_text_escaped() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(_xlsx(XlsxWriter())))
    sheet = workbook.worksheets[0]
    assert sheet.title == "Table  one two"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Name", "Amount (US$)", "Activities", "OK"],
        ["Learning route  ", 1234.5, 3, "yes"],
        ["'=HYPERLINK(1)", -0.01, 0, "no"],
        ["Café <&> \ufffdvertical tab", 0, 7, "yes"],
        [None, 5, 1, "no"],
    ]
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    assert sheet.freeze_panes == "A2"
    # Amounts show as every page and report shows money; counts stay plain numbers.
    assert {sheet[f"B{row}"].number_format for row in range(2, 6)} == {XLSX_FORMATS["money"]}
    assert sheet["C2"].number_format == "General"


def test_our_own_reader_reads_the_xlsx_as_openpyxl_does() -> None:
    data = _xlsx(XlsxWriter(notes=["How the figures are made."]))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        workbook = open_workbook(package)
        assert list(workbook.sheets) == ["Table  one two", "Method"]
        rows = [cells for _number, cells in workbook.rows("Table  one two")]
        notes = [cells for _number, cells in workbook.rows("Method")]
    assert rows[1] == ["Learning route  ", 1234.5, 3, "yes"]
    assert rows[4] == [None, 5, 1, "no"]
    assert notes == [["How the figures are made."]]


def test_the_csv_has_the_same_cells_as_the_xlsx() -> None:
    writer = CsvWriter(notes=["A note"])
    writer.table("ignored in CSV", COLUMNS)
    writer.rows(ROWS)
    with writer.close() as file:
        lines = list(csv.reader(io.StringIO(file.read().decode("utf-8"))))
    assert lines[0] == ["# A note"]
    assert lines[1] == ["Name", "Amount (US$)", "Activities", "OK"]
    assert lines[2:4] == [
        ["Learning route  ", "1234.50", "3", "yes"],
        ["'=HYPERLINK(1)", "-0.01", "0", "no"],
    ]


def test_sheet_titles_are_unique_whatever_the_tables_are_called() -> None:
    writer = XlsxWriter()
    for _ in range(2):
        writer.table("A very long table title that goes past the limit", COLUMNS)
        writer.rows(ROWS[:1])
    with writer.close() as file:
        titles = openpyxl.load_workbook(file).sheetnames
    assert titles == ["A very long table title that go", "A very long table title that 2"]


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_streamed_tossd_file_holds_every_row_the_extract_builds(
    focal: User, file_format: str
) -> None:
    build_world(focal)
    expected = tossd_contents(Selection())
    contents, file = build_file(ExportKind.TOSSD, file_format, Selection(), lambda _p: None)
    assert file is not None and contents.rows == [] and contents.count == len(expected.rows)
    with file:
        data = file.read()
    if file_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
        commitments = sum(Decimal(str(row[18])) for row in cells)
    else:
        lines = list(csv.reader(io.StringIO(data.decode("utf-8"))))[1:]
        cells = lines
        commitments = sum(Decimal(row[18]) for row in lines)
    assert len(cells) == contents.count
    assert commitments == sum(row["commitments_usd"] for row in expected.rows)


@pytest.mark.django_db
def test_the_sdg_file_keeps_the_disputed_rows_apart_and_the_method_notes(focal: User) -> None:
    build_world(focal)
    expected = sdg_contents(Selection())
    _contents, file = build_file(ExportKind.SDG_1731, "xlsx", Selection(), lambda _p: None)
    assert file is not None
    with file:
        workbook = openpyxl.load_workbook(file)
    kept, disputed, method = workbook.worksheets
    assert (kept.title, disputed.title, method.title) == (
        "SDG 17.3.1",
        "Disputed, left out",
        "Method",
    )
    assert kept.max_row - 1 + disputed.max_row - 1 == len(expected.rows)
    assert method["A1"].value


@pytest.mark.django_db
def test_an_export_the_checks_refuse_leaves_no_file(focal: User) -> None:
    build_world(focal, untyped=True)
    contents, file = build_file(ExportKind.TOSSD, "xlsx", Selection(), lambda _p: None)
    assert file is None and contents.problems
