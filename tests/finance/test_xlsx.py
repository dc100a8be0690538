"""finance.xlsx reads cell values as openpyxl does (strings shared or inline, rich text, numbers,
dates by number format, booleans, formulas as text), in one pass, and refuses unsafe XML."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import IO, Any

import openpyxl
import pytest

from finance import xlsx
from finance.legacy import UnsafeFile, read_workbook
from tests.finance.workbooks import activity_row, build, contribution_row

SAMPLE = "../shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
PACKAGE_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{RELS}/styles" Target="styles.xml"/>
</Relationships>"""
# Style 1: a built-in date format (14), style 2: a custom one, style 3: a plain number format.
STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="{MAIN}">
<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>
<fonts count="1"><font><sz val="11"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""
SHARED = f"""<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="{MAIN}" count="4" uniqueCount="4">
<si><t>SSC ID</t></si>
<si><r><rPr><b/></rPr><t>Rich </t></r><r><t xml:space="preserve">text </t></r>
<rPh sb="0" eb="1"><t>x</t></rPh></si>
<si><t>snake_x005F_case</t></si>
<si><t/></si>
</sst>"""
SHEET = f"""<?xml version="1.0" encoding="UTF-8"?>
<worksheet xmlns="{MAIN}"><sheetData>
<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c>
<c r="E1" t="s"><v>3</v></c></row>
<row r="3" spans="1:9"><c r="A3"><v>2010</v></c><c r="B3" s="1"><v>40179</v></c>
<c r="C3" s="2"><v>40179.5</v></c><c r="D3" s="3"><v>1500.25</v></c><c r="E3" t="b"><v>1</v></c>
<c r="F3" t="e"><v>#N/A</v></c><c r="G3" t="str"><f>A3&amp;"x"</f><v>2010x</v></c>
<c r="H3"><f>SUM(A3:D3)</f><v>3</v></c><c r="I3" t="inlineStr"><is><t>inline</t></is></c></row>
<row><c><v>7</v></c><c><v>1E3</v></c><c r="D4" t="d"><v>2011-02-03T00:00:00</v></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="A5:B6"/></mergeCells></worksheet>"""


def handmade(sheet: str = SHEET, *, date1904: bool = False) -> io.BytesIO:
    properties = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
        f'{properties}<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        archive.writestr("xl/sharedStrings.xml", SHARED)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    buffer.seek(0)
    return buffer


def trimmed(cells: Any) -> list[Any]:
    values = list(cells)
    while values and values[-1] is None:
        values.pop()
    return values


def ours(handle: IO[bytes]) -> dict[str, list[tuple[int, list[Any]]]]:
    with zipfile.ZipFile(handle) as archive:
        workbook = xlsx.open_workbook(archive)
        return {
            title: [(number, trimmed(cells)) for number, cells in workbook.rows(title)]
            for title in workbook.sheets
        }


def openpyxls(handle: IO[bytes]) -> dict[str, list[tuple[int, list[Any]]]]:
    handle.seek(0)
    workbook = openpyxl.load_workbook(handle, read_only=True, data_only=False)
    try:
        return {
            sheet.title: [
                (number, trimmed(cells))
                for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1)
                if trimmed(cells)
            ]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()
        handle.seek(0)


def without_empty_rows(rows: dict[str, list[tuple[int, list[Any]]]]) -> dict[str, Any]:
    return {title: [(n, cells) for n, cells in found if cells] for title, found in rows.items()}


def test_values_are_those_openpyxl_reads() -> None:
    handle = handmade()
    expected = openpyxls(handle)
    assert without_empty_rows(ours(handle)) == expected
    [header, values, unnumbered] = expected["Data"]
    assert header == (1, ["SSC ID", None, "Rich text ", "snake_case", ""])
    assert values[1][1:6] == [
        datetime.datetime(2010, 1, 1),
        datetime.datetime(2010, 1, 1, 12),
        1500.25,
        True,
        "#N/A",
    ]
    assert values[1][6:] == ['=A3&"x"', "=SUM(A3:D3)", "inline"]
    assert unnumbered == (4, [7, 1000.0, None, datetime.datetime(2011, 2, 3)])


def test_dates_follow_the_workbooks_calendar() -> None:
    handle = handmade(date1904=True)
    assert without_empty_rows(ours(handle)) == openpyxls(handle)
    assert ours(handle)["Data"][1][1][1] == datetime.datetime(2014, 1, 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "workbook",
    [
        pytest.param(lambda: open(SAMPLE, "rb"), id="sample"),  # noqa: SIM115
        pytest.param(
            lambda: build(
                [activity_row("SSC-2010-01"), activity_row("SSC-2010-02", planned="=1+1")],
                [contribution_row(notes='say "hi"\nnext line')],
                title_rows=["Corporate SSC spreadsheet"],
                totals=[None, "Total", *[None] * 8, "=SUM(K3:K4)"],
            ),
            id="built",
        ),
    ],
)
def test_workbooks_written_by_openpyxl_read_the_same(workbook: Any) -> None:
    with workbook() as handle:
        assert without_empty_rows(ours(handle)) == openpyxls(handle)


def test_merged_ranges_are_filled_from_their_top_left_cell() -> None:
    sheet = (
        f'<worksheet xmlns="{MAIN}"><sheetData>'
        '<row r="5"><c r="A5" t="inlineStr"><is><t>APR</t></is></c></row>'
        '<row r="6"><c r="C6"><v>1</v></c></row>'
        '</sheetData><mergeCells count="1"><mergeCell ref="A5:B6"/></mergeCells></worksheet>'
    )
    assert dict(ours(handmade(sheet))["Data"]) == {5: ["APR", "APR"], 6: ["APR", "APR", 1]}


def test_xml_that_declares_a_dtd_is_refused_unparsed() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]><worksheet/>'
    with pytest.raises(xlsx.WorkbookError, match="DTD"):
        ours(handmade(bomb))


@pytest.mark.django_db
def test_a_damaged_sheet_is_refused_as_unreadable() -> None:
    handle = build([activity_row()])
    damaged = io.BytesIO()
    with zipfile.ZipFile(handle) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    damaged.seek(0)
    with pytest.raises(UnsafeFile, match="damaged"):
        read_workbook(damaged, known_ssc_ids=set())
