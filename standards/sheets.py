"""Tables written as a stream to a temporary file, as CSV or as an xlsx workbook.

The TOSSD extract has a row per activity, recipient and year: hundreds of thousands of rows at
the benchmark's scale. openpyxl's write-only mode built a cell object per value and escaped each
one on its own; writing that many took most of the export's time (benchmarks/README.md). The xlsx
here is the smallest package spreadsheet programs open: a workbook, its sheets, one shared
strings table (each distinct text written once: an activity's title repeats on every row of
it) and a style for the heading row. Rows go to a temporary file as they come, so an export's
memory does not grow with its rows, and a table whose checks fail is dropped unread.

Text a spreadsheet would take for a formula (= + - @) gets a leading apostrophe, as in
finance.export (accounts.text.spreadsheet_cell).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any, Protocol
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from accounts.text import spreadsheet_cell

Columns = Sequence[tuple[str, Any]]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# Style 1: the heading row in bold. Style 2: money, the amounts (every Decimal these tables hold is
# an amount in US$), with the built-in format 4, "#,##0.00": accounts.formatting's XLSX_FORMATS.
MONEY_FORMAT_ID = 4
STYLES = (
    f'{XML_HEAD}<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    f'<xf numFmtId="{MONEY_FORMAT_ID}" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class TableWriter(Protocol):
    def table(self, title: str, columns: Columns) -> None: ...
    def rows(self, rows: Iterable[dict[str, Any]]) -> None: ...
    def close(self) -> IO[bytes]: ...


def _words() -> dict[bool, str]:
    """Yes and no in the export's language (looked up once per file, not once per cell)."""
    return {True: _("yes"), False: _("no")}


class CsvWriter:
    """One CSV: the notes head it as lines starting with "#"; the tables follow each other
    under the first one's heading (the same columns)."""

    def __init__(self, notes: Sequence[str] = ()) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - handed over by close()
        self.text = io.TextIOWrapper(self.file, encoding="utf-8", newline="", write_through=True)
        self.writer = csv.writer(self.text)
        self.columns: list[str] = []
        self.words = _words()
        self.safe: dict[str, str] = {}
        for note in notes:
            self.writer.writerow([f"# {note}"])

    def table(self, title: str, columns: Columns) -> None:
        if not self.columns:
            self.writer.writerow([spreadsheet_cell(str(label)) for _key, label in columns])
        self.columns = [key for key, _label in columns]

    def rows(self, rows: Iterable[dict[str, Any]]) -> None:
        keys, value = self.columns, self._value
        self.writer.writerows([value(row[key]) for key in keys] for row in rows)

    def _value(self, value: Any) -> Any:
        kind = type(value)
        if kind is int or kind is Decimal:
            return value
        if kind is bool:
            return self.words[value]
        text = self.safe.get(value)
        if text is None:
            text = self.safe[value] = spreadsheet_cell(str(value))
        return text

    def close(self) -> IO[bytes]:
        self.text.flush()
        self.text.detach()
        self.file.seek(0)
        return self.file


class XlsxWriter:
    """An xlsx workbook written sheet by sheet into a zip on a temporary file; the notes, when
    given, are a last sheet."""

    def __init__(self, notes: Sequence[str] = ()) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - handed over by close()
        # Level 1: the sheets are repetitive XML; a higher level costs seconds for a few percent.
        self.zip = zipfile.ZipFile(self.file, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.notes = list(notes)
        self.titles: list[str] = []
        self.strings: dict[str, int] = {}
        self.rendered: dict[Any, str] = {}
        self.words = _words()
        self.sheet: IO[bytes] | None = None
        self.keys: list[str] = []

    def _text(self, text: str) -> str:
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return f'<c t="s"><v>{index}</v></c>'

    def _cell(self, value: Any) -> str:
        kind = type(value)
        if kind is Decimal:
            return f'<c s="2"><v>{value}</v></c>'
        if kind is int:
            return f"<c><v>{value}</v></c>"
        if kind is bool:
            value = self.words[value]
        # Texts repeat (an activity's title on each of its rows, the codes on most rows): each
        # is made safe and looked up once.
        xml = self.rendered.get(value)
        if xml is None:
            text = spreadsheet_cell(str(value))
            xml = self.rendered[value] = self._text(text) if text else "<c/>"
        return xml

    def _end_sheet(self) -> None:
        if self.sheet is not None:
            self.sheet.write(b"</sheetData></worksheet>")
            self.sheet.close()
            self.sheet = None

    def _start_sheet(self, title: str, *, frozen_heading: bool) -> IO[bytes]:
        self._end_sheet()
        self.titles.append(_sheet_title(title, self.titles))
        self.sheet = self.zip.open(f"xl/worksheets/sheet{len(self.titles)}.xml", "w")
        pane = (
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
            'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        )
        self.sheet.write(
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}">{pane if frozen_heading else ""}'
            "<sheetData>".encode()
        )
        return self.sheet

    def table(self, title: str, columns: Columns) -> None:
        sheet = self._start_sheet(title, frozen_heading=True)
        self.keys = [key for key, _label in columns]
        heading = "".join(
            self._text(spreadsheet_cell(str(label))).replace("<c ", '<c s="1" ', 1)
            for _key, label in columns
        )
        sheet.write(f"<row>{heading}</row>".encode())

    def rows(self, rows: Iterable[dict[str, Any]]) -> None:
        assert self.sheet is not None, "table() names the sheet first"
        keys, cell, rendered = self.keys, self._cell, self.rendered
        parts: list[str] = []
        for row in rows:
            parts.append("<row>")
            for key in keys:
                value = row[key]
                # Most cells are a text already seen: one lookup, no call.
                parts.append((type(value) is str and rendered.get(value)) or cell(value))
            parts.append("</row>")
        self.sheet.write("".join(parts).encode())

    def close(self) -> IO[bytes]:
        if self.notes:
            sheet = self._start_sheet(_("Method"), frozen_heading=False)
            for note in self.notes:
                sheet.write(f"<row>{self._text(spreadsheet_cell(note))}</row>".encode())
        self._end_sheet()
        self._write_package()
        self.zip.close()
        self.file.seek(0)
        return self.file

    def _write_package(self) -> None:
        count = len(self.titles)
        sheets = "".join(
            f'<sheet name="{escape(title, {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
            for n, title in enumerate(self.titles, start=1)
        )
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" '
            f'Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
            for n in range(1, count + 1)
        )
        spreadsheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        parts = {
            "[Content_Types].xml": (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/'
                'vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" '
                f'ContentType="{spreadsheet}.sheet.main+xml"/>'
                f'<Override PartName="/xl/styles.xml" ContentType="{spreadsheet}.styles+xml"/>'
                '<Override PartName="/xl/sharedStrings.xml" '
                f'ContentType="{spreadsheet}.sharedStrings+xml"/>{overrides}</Types>'
            ),
            "_rels/.rels": (
                f'<Relationships xmlns="{PACKAGE_REL_NS}"><Relationship Id="rId1" '
                f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ),
            "xl/workbook.xml": (
                f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
                f"<sheets>{sheets}</sheets></workbook>"
            ),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{PACKAGE_REL_NS}">{relations}'
                f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
                f'<Relationship Id="rId{count + 2}" Type="{REL_NS}/sharedStrings" '
                'Target="sharedStrings.xml"/></Relationships>'
            ),
        }
        for name, xml in parts.items():
            self.zip.writestr(name, XML_HEAD + xml)
        self.zip.writestr("xl/styles.xml", STYLES)
        self._write_strings()

    def _write_strings(self) -> None:
        with self.zip.open("xl/sharedStrings.xml", "w") as part:
            count = len(self.strings)
            part.write(
                f'{XML_HEAD}<sst xmlns="{MAIN_NS}" count="{count}" uniqueCount="{count}">'.encode()
            )
            strings = list(self.strings)  # in index order: dicts keep insertion order
            for start in range(0, count, 10_000):
                part.write("".join(map(_shared_string, strings[start : start + 10_000])).encode())
            part.write(b"</sst>")


def _shared_string(text: str) -> str:
    text = escape(text)  # the cell's text went through spreadsheet_cell: no character XML refuses
    if text != text.strip():
        return f'<si><t xml:space="preserve">{text}</t></si>'
    return f"<si><t>{text}</t></si>"


def _sheet_title(title: str, taken: list[str]) -> str:
    """A title spreadsheet programs accept: at most 31 characters, none of []:*?/\\, unique."""
    title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or _("Sheet")
    candidate, number = title, 1
    while candidate.casefold() in (t.casefold() for t in taken):
        number += 1
        candidate = f"{title[: 31 - len(str(number)) - 1].rstrip()} {number}"
    return candidate


def writer_for(file_format: str, notes: Sequence[str] = ()) -> TableWriter:
    return CsvWriter(notes) if file_format == "csv" else XlsxWriter(notes)
