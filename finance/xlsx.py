"""The cell values of .xlsx worksheets, read in one streaming pass by the C XML parser.

openpyxl's read-only mode parses a sheet twice when the file does not state its dimensions (files
written by openpyxl's write-only mode, our export's included, do not), builds every cell through
defusedxml's pure-Python XML handlers, and cannot see merged cells, which took a third pass: that
was most of the time of a large import. This module reads only what the legacy importer
needs (values by row and column, merged ranges filled in) and gives them the meaning openpyxl
gives them with data_only=False: shared and inline strings as text, numbers as int or float,
booleans, numbers in a date format as datetimes, formulas as their "=..." text, never evaluated.
The tests compare both readers on the same files.

Safety: the caller has checked the zip (sizes, ratio, entry count) before anything is parsed. A
part that declares a DTD is refused before the parser sees it: without a DTD there is no entity
to expand or to fetch, which is what defusedxml guards against.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast
from xml.etree import ElementTree

from django.utils.translation import gettext as _
from openpyxl.styles.stylesheet import Stylesheet
from openpyxl.utils import column_index_from_string, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, from_excel, from_ISO8601

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PACKAGE_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
ROW, CELL, VALUE, FORMULA, INLINE = (f"{MAIN}{tag}" for tag in ("row", "c", "v", "f", "is"))
TEXT, RUN, SHARED_STRING = (f"{MAIN}{tag}" for tag in ("t", "r", "si"))
CUSTOM_PROPERTIES = "docProps/custom.xml"
CUSTOM_PROPERTY = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}property"
)
PIECE_BYTES = 1 << 20
MERGE_CELL = re.compile(rb"""<(?:[\w.-]+:)?mergeCell\b[^>]*?\bref\s*=\s*["']([^"']*)["']""")
COLUMN_LETTERS = re.compile(r"[A-Z]+")


class WorkbookError(Exception):
    """The workbook cannot be read safely or is damaged; the message says which."""


def _pieces(archive: zipfile.ZipFile, path: str) -> Iterator[bytes]:
    """The part's bytes in pieces that end after a '>', so that no tag is ever cut in two."""
    pending = b""
    try:
        stream = archive.open(path)
    except KeyError:
        raise _damaged() from None
    with stream:
        while chunk := stream.read(PIECE_BYTES):
            data = pending + chunk
            cut = data.rfind(b">") + 1
            piece, pending = data[:cut], data[cut:]
            if piece:
                yield _without_dtd(piece)
    if pending:
        yield _without_dtd(pending)


def _without_dtd(piece: bytes) -> bytes:
    # "<!DOCTYPE" holds no '>', so it never straddles two pieces.
    if b"<!DOCTYPE" in piece:
        raise WorkbookError(_("The workbook declares a DTD: such files are not accepted."))
    return piece


def _damaged() -> WorkbookError:
    return WorkbookError(_("The workbook is damaged (not a readable .xlsx file)."))


def _parse(archive: zipfile.ZipFile, path: str) -> ElementTree.Element:
    parser = ElementTree.XMLParser()  # noqa: S314 - DTDs refused by _pieces, sizes by the caller
    try:
        for piece in _pieces(archive, path):
            parser.feed(piece)
        return parser.close()
    except ElementTree.ParseError:
        raise _damaged() from None


def _elements(archive: zipfile.ZipFile, path: str, tag: str) -> Iterator[ElementTree.Element]:
    """Each `tag` element of the part once it is complete; emptied after the caller's turn."""
    parser: ElementTree.XMLPullParser[ElementTree.Element] = ElementTree.XMLPullParser(
        events=("end",)
    )
    try:
        for piece in _pieces(archive, path):
            parser.feed(piece)
            # Only "end" events were asked for: each carries its element.
            events = cast(Iterator[tuple[str, ElementTree.Element]], parser.read_events())
            for _event, element in events:
                if element.tag == tag:
                    yield element
                    element.clear()
        parser.close()
    except ElementTree.ParseError:
        raise _damaged() from None


def _text(element: ElementTree.Element) -> str:
    """A string item's text: plain, or the runs of rich text (phonetic guides left out)."""
    parts = []
    for child in element:
        if child.tag == TEXT:
            parts.append(child.text or "")
        elif child.tag == RUN:
            parts.append(child.findtext(TEXT) or "")
    return "".join(parts)


@dataclass
class Workbook:
    archive: zipfile.ZipFile
    sheets: dict[str, str]  # title -> path of the sheet's part
    shared_strings: list[str]
    date_styles: set[int]
    timedelta_styles: set[int]
    epoch: datetime.datetime

    def rows(self, title: str) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values from column A on) for every row the sheet stores; each merged
        range's value copied into all the cells it covers."""
        path = self.sheets[title]
        fill = _merge_fill(
            ref.decode("ascii", "replace")
            for piece in _pieces(self.archive, path)
            for ref in MERGE_CELL.findall(piece)
        )
        anchors: dict[tuple[int, int], Any] = {
            anchor: None for covered in fill.values() for _column, anchor in covered
        }
        number = 0
        for row in _elements(self.archive, path, ROW):
            number = _row_number(row.get("r"), number)
            cells: list[Any] = []
            column = 0
            for cell in row:
                if cell.tag != CELL:
                    continue
                ref = cell.get("r")
                letters = COLUMN_LETTERS.match(ref) if ref else None
                column = column_index_from_string(letters.group()) if letters else column + 1
                if column > len(cells):
                    cells += [None] * (column - len(cells))
                cells[column - 1] = self._value(cell)
            if number in fill or anchors:
                self._fill(number, cells, fill.get(number, []), anchors)
            yield number, cells

    @staticmethod
    def _fill(
        number: int,
        cells: list[Any],
        covered: list[tuple[int, tuple[int, int]]],
        anchors: dict[tuple[int, int], Any],
    ) -> None:
        for column, value in enumerate(cells, start=1):
            if (number, column) in anchors:
                anchors[(number, column)] = value
        for column, anchor in covered:
            if column > len(cells):
                cells += [None] * (column - len(cells))
            if cells[column - 1] is None:
                cells[column - 1] = anchors[anchor]

    def _value(self, cell: ElementTree.Element) -> Any:
        kind = cell.get("t", "n")
        formula = cell.find(FORMULA)
        if formula is not None:
            return "=" + (formula.text or "")
        if kind == "inlineStr":
            inline = cell.find(INLINE)
            return None if inline is None else _text(inline)
        raw = cell.findtext(VALUE) or None
        if raw is None:
            return None
        try:
            if kind == "n":
                number = float(raw) if "." in raw or "e" in raw or "E" in raw else int(raw)
                style = int(cell.get("s") or 0)
                if style not in self.date_styles:
                    return number
                try:
                    return from_excel(number, self.epoch, timedelta=style in self.timedelta_styles)
                except (OverflowError, ValueError):
                    return "#VALUE!"  # as openpyxl: a date format on a number no date can hold
            if kind == "s":
                return self.shared_strings[int(raw)]
            if kind == "b":
                return bool(int(raw))
            if kind == "d":
                return from_ISO8601(raw)
        except (ValueError, IndexError):
            raise _damaged() from None
        return raw  # "str" (a formula's cached text) and "e" (an error such as #N/A)


def _row_number(text: str | None, previous: int) -> int:
    if not text:
        return previous + 1
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise _damaged() from None
        return int(number)


def _merge_fill(refs: Iterator[str]) -> dict[int, list[tuple[int, tuple[int, int]]]]:
    """Row -> (column, (row, column) of its range's top-left cell) for every cell of a merged
    range but that top-left one, which holds the range's value."""
    fill: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for ref in refs:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            raise _damaged() from None
        if None in (min_col, min_row, max_col, max_row):
            raise _damaged()  # a whole column or row: no workbook of ours merges those
        anchor = (int(min_row), int(min_col))  # type: ignore[arg-type]
        for row in range(anchor[0], int(max_row) + 1):  # type: ignore[arg-type]
            for col in range(anchor[1], int(max_col) + 1):  # type: ignore[arg-type]
                if (row, col) != anchor:
                    fill.setdefault(row, []).append((col, anchor))
    return fill


def open_workbook(archive: zipfile.ZipFile) -> Workbook:
    """The workbook's sheets, strings, date formats and calendar."""
    root = _parse(archive, "xl/workbook.xml")
    relationships = _parse(archive, "xl/_rels/workbook.xml.rels")
    targets: dict[str, str] = {}
    parts_by_type: dict[str, str] = {}
    for relationship in relationships.iterfind(PACKAGE_RELATIONSHIP):
        target = relationship.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[relationship.get("Id", "")] = target
        parts_by_type[relationship.get("Type", "").rsplit("/", 1)[-1]] = target
    sheets = {
        sheet.get("name", ""): targets.get(sheet.get(RELATIONSHIP_ID, ""), "")
        for sheet in root.iterfind(f"{MAIN}sheets/{MAIN}sheet")
    }
    properties = root.find(f"{MAIN}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    strings: list[str] = []
    if parts_by_type.get("sharedStrings") in archive.NameToInfo:
        strings = [
            # openpyxl's reading of Excel's escape for "_" (x005F_): the same text as before.
            _text(item).replace("x005F_", "")
            for item in _elements(archive, parts_by_type["sharedStrings"], SHARED_STRING)
        ]
    date_styles: set[int] = set()
    timedelta_styles: set[int] = set()
    styles_path = parts_by_type.get("styles", "xl/styles.xml")
    if styles_path in archive.NameToInfo:
        try:
            stylesheet = Stylesheet.from_tree(_parse(archive, styles_path))
        except (TypeError, ValueError):  # what openpyxl's descriptors raise on bad values
            raise _damaged() from None
        date_styles, timedelta_styles = stylesheet.date_formats, stylesheet.timedelta_formats
    return Workbook(
        archive=archive,
        sheets=sheets,
        shared_strings=strings,
        date_styles=date_styles,
        timedelta_styles=timedelta_styles,
        epoch=CALENDAR_MAC_1904 if date1904 else WINDOWS_EPOCH,
    )


def custom_properties(archive: zipfile.ZipFile) -> dict[str, str]:
    """The workbook's custom document properties (File > Properties > Custom), as text."""
    if CUSTOM_PROPERTIES not in archive.NameToInfo:
        return {}
    return {
        prop.get("name", ""): "".join(prop.itertext()).strip()
        for prop in _parse(archive, CUSTOM_PROPERTIES).iterfind(CUSTOM_PROPERTY)
    }
