"""Reading the legacy workbook: messy but readable files are read right; wrong ones are refused
with every problem named by sheet, row and column; unsafe files are refused unread."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from finance.legacy import UnsafeFile, check_container, read_workbook
from tests.finance.workbooks import ACTIVITY_HEADER, activity_row, build, contribution_row

pytestmark = pytest.mark.django_db

SAMPLE = "../shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"


def test_the_sample_workbook_reads_without_problems() -> None:
    with open(SAMPLE, "rb") as handle:
        parsed = read_workbook(handle, known_ssc_ids=set())
    assert parsed.problems == []
    assert parsed.warnings == []
    assert len(parsed.activities) == 16
    assert sum(row.ifad["allocated"] or 0 for row in parsed.activities) == Decimal(6544000)
    assert len(parsed.contributions) == 4


def test_a_messy_workbook_is_read_as_a_person_would() -> None:
    handle = build(
        [
            activity_row(
                "SSC-2007-02",
                title="Competitiveness Greater Mekong Subregion",
                providers="Thailand, China",
                receivers="Lao PDR - Viet Nam; Cambodia",
                division="apr",
                modality="TRIANGULAR",
                status="completed",
                year="2007",
                planned="US$ 609,000.00",
                allocated="609 000",
                spent="200000.00",
            ),
            [None] * 14,  # a stray empty row
            activity_row(
                "SSC-2005-01",
                providers="Swaziland; Bolivia (Plurinational State of)",
                receivers="Iran",
                division="Global",
            ),
        ],
        [contribution_row("SSC-2007-02", kind="In-kind", currency="eur", planned="1 500,50")],
        title_rows=["IFAD corporate SSC spreadsheet", "as of 2011"],
        activity_header=[h.upper() for h in ACTIVITY_HEADER],
        merge=["A1:N1"],
        totals=[None, "Total", None, None, None, None, None, None, None, None, 809000, 809000],
    )
    parsed = read_workbook(handle, known_ssc_ids=set())
    assert [str(p) for p in parsed.problems] == []
    mekong, eswatini = parsed.activities
    assert [c.iso2 for c in mekong.providers] == ["TH", "CN"]
    assert [c.iso2 for c in mekong.receivers] == ["LA", "VN", "KH"]
    assert mekong.ifad == {
        "planned": Decimal(609000),
        "allocated": Decimal(609000),
        "spent": Decimal("200000.00"),
    }
    assert mekong.year == 2007 and mekong.status == "completed"
    assert [c.iso2 for c in eswatini.providers] == ["SZ", "BO"]
    assert eswatini.division.code == "GLB"
    [inkind] = parsed.contributions
    assert inkind.currency == "EUR" and inkind.amounts["planned"] == Decimal("1500.50")
    assert parsed.warnings == []


def test_merged_cells_fill_every_row_they_cover() -> None:
    handle = build(
        [activity_row("SSC-2010-01"), activity_row("SSC-2010-02", division=None)],
        merge=["E2:E3"],  # lead division typed once for two rows
    )
    parsed = read_workbook(handle, known_ssc_ids=set())
    assert parsed.problems == []
    assert [row.division.code for row in parsed.activities] == ["APR", "APR"]


def test_a_totals_row_that_disagrees_is_a_warning() -> None:
    handle = build(
        [activity_row("SSC-2010-01"), activity_row("SSC-2010-02")],
        totals=[None, "Total", None, None, None, None, None, None, None, None, 999, 400000],
    )
    parsed = read_workbook(handle, known_ssc_ids=set())
    assert parsed.problems == []
    [warning] = parsed.warnings
    assert "row 4" in str(warning) and "K (ifad planned)" in str(warning)
    assert "400,000.00" in str(warning)


def test_a_wrong_workbook_lists_every_problem_by_sheet_row_and_column() -> None:
    handle = build(
        [
            activity_row("SSC-2010-01", planned=-5),
            activity_row("SSC-2010-02", allocated="lots"),
            activity_row("SSC-2010-03", providers="Atlantis"),
            activity_row("SSC-2010-01"),
            activity_row("SSC-2010-05", year="20X0"),
        ],
        [
            contribution_row("SSC-2010-02", currency="ZZZ"),
            contribution_row("SSC-2099-99"),
        ],
    )
    parsed = read_workbook(handle, known_ssc_ids=set())
    problems = [str(p) for p in parsed.problems]
    expected = [
        ("Activities, row 2, column K (ifad planned)", "negative"),
        ("Activities, row 3, column L (ifad allocated)", "not an amount"),
        ("Activities, row 4, column F (provider countries)", "Atlantis"),
        ("Activities, row 5, column A (ssc id)", "also on row 2"),
        ("Activities, row 6, column D (year)", "not a year"),
        ("Contributions, row 2, column E (currency)", "ZZZ"),
        ("Contributions, row 3, column A (ssc id)", "SSC-2099-99"),
    ]
    for where, what in expected:
        assert any(p.startswith(where) and what in p for p in problems), (where, problems)
    assert len(problems) == len(expected)


def test_a_contribution_for_an_activity_already_in_the_portal_is_accepted() -> None:
    handle = build([], [contribution_row("SSC-2001-01")])
    parsed = read_workbook(handle, known_ssc_ids={"SSC-2001-01"})
    assert parsed.problems == []


def test_a_formula_in_a_data_cell_is_refused_and_never_evaluated() -> None:
    handle = build([activity_row("SSC-2010-01", planned="=1+1")])
    parsed = read_workbook(handle, known_ssc_ids=set())
    assert any("formula" in str(p) for p in parsed.problems)


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    with pytest.raises(UnsafeFile, match="not an Excel"):
        check_container(io.BytesIO(b"SSC ID,Activity\nSSC-2010-01,x\n"))


def test_a_zip_bomb_is_refused_before_parsing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    buffer.seek(0)
    with pytest.raises(UnsafeFile, match="compressed suspiciously"):
        check_container(buffer)


def test_a_workbook_with_macros_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/vbaProject.bin", b"macro")
    buffer.seek(0)
    with pytest.raises(UnsafeFile, match="macros"):
        check_container(buffer)
