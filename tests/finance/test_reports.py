"""The consolidated report: asked for from the dashboard, built by a worker with its progress
recorded, downloadable by the one who asked and the focal point only."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.models import User
from finance import report_pdf, reports, rollups
from finance.dashboard import TABLE_SLUGS, Column, Reference, Selection, Table, cache_version
from finance.models import ReportExport
from finance.rollups import RollupFilters
from tests.factories import division
from tests.finance.dashboard_data import small_portfolio

pytestmark = pytest.mark.django_db


def ask(client: Client, query: dict[str, Any], callbacks: Any) -> ReportExport:
    with callbacks(execute=True):
        response = client.post(reverse("finance:reports"), query)
    assert response.status_code == 302
    return ReportExport.objects.latest("pk")


def test_xlsx_report_has_a_summary_sheet_and_one_sheet_per_table(
    focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    small_portfolio()
    export = ask(focal_client, {"format": "xlsx"}, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert (export.state, export.progress, export.error) == ("done", 100, "")
    response = focal_client.get(reverse("finance:report_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(book.sheetnames) == len(TABLE_SLUGS)
    first = book.worksheets[0]
    assert first["A1"].value == "SSC portfolio: consolidated report"
    values = {row[0]: row[1] for row in first.iter_rows(values_only=True) if row and row[0]}
    assert values["IFAD allocated (US$)"] == 1500
    # Figures stay numbers, shown by their number format.
    leverage_row = next(
        row
        for row in first.iter_rows()
        if row[0].value and str(row[0].value).startswith("Leverage, allocated")
    )
    assert (leverage_row[1].value, leverage_row[1].number_format) == (1.87, '0.00"x"')
    assert values["Activities with money"] == 2
    assert "Who shares with whom" in book.sheetnames
    flows = list(book["Who shares with whom"].iter_rows(values_only=True))
    assert flows[1] == ("Brazil", "Mozambique", 1)


def test_pdf_report_has_the_tables_and_the_charts(
    cpm: User, cpm_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    small_portfolio()
    export = ask(
        cpm_client,
        {"format": "pdf", "fiscal_year_from": "2020", "modality": "triangular"},
        django_capture_on_commit_callbacks,
    )
    export.refresh_from_db()
    assert export.state == "done"
    assert reports.filters_from_json(export.filters) == RollupFilters(
        year_from=2020, modalities=("triangular",)
    )
    response = cpm_client.get(reverse("finance:report_download", args=[export.pk]))
    data = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf" and data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Money by lead division" in text and "Top activities by money allocated" in text
    assert "From fiscal year 2020" in text and "Modalities: Triangular" in text
    # The CPM's report holds the LAC money only (1,000 of IFAD; APR's 500 is not theirs).
    assert "US$\u00a01,000.00" in text.replace("US$ ", "US$\u00a0") and "1,500.00" not in text


def test_only_the_requester_and_the_focal_point_download(
    cpm: User,
    focal_client: Client,
    cpm_client: Client,
    cpm_other_client: Client,
    viewer_client: Client,
    partner_client: Client,
) -> None:
    small_portfolio()
    export = ReportExport.objects.create(requested_by=cpm, format="xlsx")
    reports.build_report_export(export.pk)
    url = reverse("finance:report_download", args=[export.pk])
    assert cpm_client.get(url).status_code == 200
    assert focal_client.get(url).status_code == 200
    assert cpm_other_client.get(url).status_code == 403
    assert viewer_client.get(url).status_code == 403
    assert partner_client.get(url).status_code == 403
    assert cpm_client.get(reverse("finance:report_download", args=[999])).status_code == 404
    # The list: a CPM sees their own reports, the focal point everyone's.
    assert (
        f'data-report="{export.pk}"' in cpm_client.get(reverse("finance:reports")).content.decode()
    )
    other_list = cpm_other_client.get(reverse("finance:reports")).content.decode()
    assert f'data-report="{export.pk}"' not in other_list and "No reports yet" in other_list
    assert (
        f'data-report="{export.pk}"'
        in focal_client.get(reverse("finance:reports")).content.decode()
    )


def test_progress_is_recorded_and_the_list_refreshes_while_building(
    cpm: User, cpm_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_portfolio()
    export = ReportExport.objects.create(requested_by=cpm, format="xlsx")
    page = cpm_client.get(reverse("finance:reports")).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "not ready" in page
    seen: list[int] = []
    original = reports.report_tables

    def watched(selection: Any, progress: Any = None) -> Any:
        def record(percent: int) -> None:
            progress(percent)
            seen.append(ReportExport.objects.get(pk=export.pk).progress)

        return original(selection, record)

    monkeypatch.setattr(reports, "report_tables", watched)
    reports.build_report_export(export.pk)
    assert seen == sorted(seen) and seen[-1] == 80 and len(seen) == len(TABLE_SLUGS)
    export.refresh_from_db()
    assert export.progress == 100 and export.finished_at is not None
    page = cpm_client.get(reverse("finance:reports")).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert reverse("finance:report_download", args=[export.pk]) in page
    # Running it again (a redelivered task) leaves the finished report as it is.
    name = export.file.name
    reports.build_report_export(export.pk)
    export.refresh_from_db()
    assert export.file.name == name


def test_a_failed_build_is_recorded_with_its_reason(
    cpm: User, cpm_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = ReportExport.objects.create(requested_by=cpm, format="pdf")

    def broken(*args: Any, **kwargs: Any) -> bytes:
        raise ValueError("the chart could not be drawn")

    monkeypatch.setattr(reports, "report_pdf", broken)
    reports.build_report_export(export.pk)
    export.refresh_from_db()
    assert export.state == "failed" and export.error == "the chart could not be drawn"
    page = cpm_client.get(reverse("finance:reports")).content.decode()
    assert "the chart could not be drawn" in page
    response = cpm_client.get(reverse("finance:report_download", args=[export.pk]))
    assert response.status_code == 302


def test_bad_requests_create_nothing(
    focal_client: Client, partner_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(reverse("finance:reports"), {"format": "docx"})
        focal_client.post(reverse("finance:reports"), {"format": "pdf", "fiscal_year_from": "1900"})
        refused = partner_client.post(reverse("finance:reports"), {"format": "pdf"})
    assert refused.status_code == 403
    assert not ReportExport.objects.exists()
    page = focal_client.get(reverse("finance:reports")).content.decode()
    assert "format: choose xlsx or pdf." in page
    assert "From fiscal year: Ensure this value is greater than or equal to 1978." in page


def test_report_of_a_division_filter_names_it(
    focal: User, django_capture_on_commit_callbacks: Any
) -> None:
    small_portfolio()
    export = ReportExport.objects.create(
        requested_by=focal,
        format="xlsx",
        filters=reports.filters_to_json(RollupFilters(divisions=(division("APR").pk,))),
    )
    reports.build_report_export(export.pk)
    export.refresh_from_db()
    with export.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle).worksheets[0]
    lines = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]
    assert "Divisions: APR" in lines


def test_the_pdf_keeps_numbers_whole_repeats_headers_and_draws_vector_charts() -> None:
    """A table long enough to run over a page: its header row is printed again on the next
    page, no amount is broken over two lines, and the charts are vector paths, not images."""
    columns = [
        Column("country", "Country"),
        *(Column(f"c{n}", f"Cofinancing allocated (US$) {n}", "money") for n in range(8)),
    ]
    rows = [
        [f"Country number {n}", *(Decimal("2109000.00") + n for _ in range(8))] for n in range(90)
    ]
    table = Table(slug="countries", title="Money by country", columns=columns, rows=rows)
    data = report_pdf.report_pdf([table], preamble=["Report title", "As of 5 Dec. 2026, 1:04 p.m."])
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    table_pages = [text for text in pages if "2,109,0" in text]
    assert len(table_pages) >= 2
    assert all("allocated (US$) 7" in text for text in table_pages)  # the header repeated
    text = "\n".join(pages)
    assert "2,109,000.00" in text and "2,109,089.00" in text
    assert not re.search(r"\d\.\s*\n\s*00", text)  # no "2,109,000." / "00"
    assert "p.m.." not in text
    reader = PdfReader(io.BytesIO(data))
    assert not any(page.images for page in reader.pages)  # the chart is drawn, not pasted


def test_report_lines_never_end_a_time_with_a_double_full_stop(focal: User) -> None:
    small_portfolio()
    state = rollups.rollup_state()
    selection = Selection(focal, RollupFilters(), Reference.load(), version=cache_version(state))
    with translation.override("en"):
        lines = reports.report_preamble(selection, state)
    assert not any(line.endswith("..") for line in lines)
