"""One figure, one value: every surface that shows a selection's money shows the same numbers.

The surfaces: the roll-up API (JSON and CSV), the dashboard (its page, its summary table as CSV
and xlsx), the consolidated report (xlsx), and for a selection of one activity its finance page
and the activities API; the corporate workbook export for the selections it can be filtered by
(it has no fiscal-year filter). The portfolio is built so that the rounding rule shows: a
leverage of exactly 0.125 (half up: 0.13; half even would say 0.12) and an IFAD execution rate
of 33.35 % (half up: 33.4 %; cutting off would say 33.3 %), with IFAD-only and all-sources
rates that differ.
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import openpyxl
import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.formatting import XLSX_FORMATS
from accounts.formatting import percent as format_percent
from accounts.formatting import ratio as format_ratio
from accounts.models import User
from activities.models import Activity
from finance import reports, rollups, services
from finance.figures import FIGURE_LABELS, FIGURE_NAMES
from finance.models import ContributionKind, ReportExport, Stage
from finance.serializers import RollupQuery
from finance.services import EntryData
from tests.factories import ActivityFactory, PartnerFactory, division, theme

pytestmark = pytest.mark.django_db

FAMILIES = ("ifad", "cofinancing", "in_kind")
STAGES = ("planned", "allocated", "spent")
AMOUNT_LABELS = {
    (family, stage): f"{label} {stage} (US$)"
    for family, label in (("ifad", "IFAD"), ("cofinancing", "Cofinancing"), ("in_kind", "In-kind"))
    for stage in STAGES
}


def _entry(kind: str, stage: str, amount: str, year: int, **extra: Any) -> EntryData:
    return EntryData(
        kind=kind,
        stage=stage,
        amount=Decimal(amount),
        currency=extra.pop("currency", "USD"),
        value_date=datetime.date(year, 3, 1),
        **extra,
    )


@pytest.fixture
def portfolio(focal: User) -> dict[str, Activity]:
    donor = PartnerFactory(name="Fundo Solidário", acronym="FS")
    services.set_rate(
        currency="EUR",
        month=datetime.date(2024, 3, 1),
        units_per_usd=Decimal("0.8"),
        source="test",
        user=focal,
    )
    lac = ActivityFactory(
        title="Cassava route", countries=["BR"], themes=[theme(1)], modality="triangular"
    )
    apr = ActivityFactory(
        title="Rice exchange",
        countries=["IN"],
        themes=[theme(2)],
        lead_division=division("APR"),
        modality="south_south",
    )
    esa = ActivityFactory(
        title="Dairy visit",
        countries=["KE"],
        themes=[theme(1)],
        lead_division=division("ESA"),
        modality="triangular",
    )
    grant = ContributionKind.IFAD_GRANT
    cofinancing, in_kind = ContributionKind.COFINANCING, ContributionKind.IN_KIND
    plan: dict[Activity, list[EntryData]] = {
        # Leverage 250 / 2,000 = 0.125; IFAD execution 667 / 2,000 = 33.35 %.
        lac: [
            _entry(grant, Stage.PLANNED, "2000", 2024),
            _entry(grant, Stage.ALLOCATED, "2000", 2024),
            _entry(grant, Stage.SPENT, "667", 2024),
            _entry(cofinancing, Stage.PLANNED, "100", 2024, contributor=donor),
            _entry(cofinancing, Stage.ALLOCATED, "150", 2024, contributor=donor),
            _entry(
                in_kind,
                Stage.ALLOCATED,
                "100",
                2024,
                contributor=donor,
                valuation_method="venue",
                valuation_basis="Hall",
            ),
        ],
        apr: [
            _entry(grant, Stage.ALLOCATED, "1000", 2025),
            _entry(grant, Stage.SPENT, "400", 2025),
            _entry(cofinancing, Stage.ALLOCATED, "1000", 2024, contributor=donor, currency="EUR"),
        ],
        esa: [
            _entry(grant, Stage.PLANNED, "3000", 2024),
            _entry(grant, Stage.ALLOCATED, "1234.56", 2025),
            _entry(cofinancing, Stage.SPENT, "99.99", 2025, contributor=donor),
        ],
    }
    for activity, entries in plan.items():
        services.record_entries(
            activity=activity, entries=entries, user=focal, expected_version=None
        )
    rollups.rebuild_all()
    return {"lac": lac, "apr": apr, "esa": esa}


# Each selection: the dashboard's query, the roll-up API's, the activity list's (None: the
# workbook cannot be filtered so), and the key of its one activity (None: several).
SELECTIONS = {
    "whole portfolio": ({}, {}, {}, None),
    "division": ({"division": "LAC"}, {"division": "LAC"}, {"division": "LAC"}, "lac"),
    "modality": (
        {"modality": "triangular"},
        {"modality": "triangular"},
        {"modality": "triangular"},
        None,
    ),
    "theme": ({"theme": "T2"}, {"theme": "T2"}, {"theme": "T2"}, "apr"),
    "fiscal year": (
        {"fiscal_year_from": 2024, "fiscal_year_to": 2024},
        {"fiscal_year": 2024},
        None,
        None,
    ),
}


def _number(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    return Decimal(str(value))


def _summary_values(rows: list[list[Any]]) -> dict[str, Decimal | None]:
    """The summary table's rows (label, value) read back as figures by their API names."""
    by_label = {str(row[0]): row[1] for row in rows if row and row[0]}
    found: dict[str, Decimal | None] = {}
    for (family, stage), label in AMOUNT_LABELS.items():
        found[f"{family}_{stage}"] = _number(by_label[label])
    for name in FIGURE_NAMES:
        found[name] = _number(by_label[str(FIGURE_LABELS[name])])
    return found


def _api_values(figures: dict[str, Any]) -> dict[str, Decimal | None]:
    found = {
        f"{family}_{stage}": _number(figures[family][stage])
        for family in FAMILIES
        for stage in STAGES
    }
    found.update({name: _number(figures[name]) for name in FIGURE_NAMES})
    return found


def _theme_codes(query: dict[str, Any]) -> dict[str, Any]:
    # The factories' themes are numbered; the test names them T1, T2 for reading.
    codes = {"T1": theme(1).code, "T2": theme(2).code}
    return {key: codes.get(value, value) for key, value in query.items()}


@pytest.mark.parametrize("name", SELECTIONS)
def test_every_surface_shows_the_same_figures(
    name: str, portfolio: dict[str, Activity], focal: User, focal_client: Client
) -> None:
    dashboard_query, api_query, list_query, single = (
        _theme_codes(query) if isinstance(query, dict) else query for query in SELECTIONS[name]
    )
    api = focal_client.get(
        reverse("api:rollups"),
        {"group_by": "division", **api_query},
        HTTP_ACCEPT="application/json",
    )
    assert api.status_code == 200, api.content
    expected = _api_values(api.json()["total"])

    # The roll-up API's CSV: its groups add up to the total, and each row has every figure.
    api_csv = focal_client.get(
        reverse("api:rollups"), {"group_by": "division", "format": "csv", **api_query}
    )
    csv_rows = list(csv.DictReader(io.StringIO(api_csv.content.decode())))
    assert {row["key"] for row in csv_rows} == {g["key"] for g in api.json()["groups"]}
    for row, group in zip(csv_rows, api.json()["groups"], strict=True):
        assert {n: _number(row[n]) for n in FIGURE_NAMES} == {
            n: _number(group[n]) for n in FIGURE_NAMES
        }

    # The dashboard's summary table, as CSV and as xlsx: numbers, not text.
    table_url = reverse("finance:dashboard_table", args=["summary", "csv"])
    summary_csv = focal_client.get(table_url, dashboard_query).content.decode()
    assert _summary_values(list(csv.reader(io.StringIO(summary_csv)))[1:]) == expected
    xlsx_url = reverse("finance:dashboard_table", args=["summary", "xlsx"])
    book = openpyxl.load_workbook(io.BytesIO(focal_client.get(xlsx_url, dashboard_query).content))
    sheet_rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)][1:]
    assert _summary_values(sheet_rows) == expected

    # The dashboard page's headline, written by the one set of formats.
    page = focal_client.get(reverse("finance:dashboard"), dashboard_query).content.decode()
    assert f'data-figure="leverage">{format_ratio(expected["leverage_allocated"])}<' in page
    assert f'data-figure="execution">{format_percent(expected["execution_rate_ifad"])}<' in page

    # The consolidated report over the same selection.
    query = RollupQuery(data=QueryDict(urlencode({"group_by": "division", **api_query})))
    assert query.is_valid(), query.errors
    export = ReportExport.objects.create(
        requested_by=focal, format="xlsx", filters=reports.filters_to_json(query.filters())
    )
    reports.build_report_export(export.pk)
    response = focal_client.get(reverse("finance:report_download", args=[export.pk]))
    report = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    first = [list(row) for row in report.worksheets[0].iter_rows(values_only=True)]
    assert _summary_values(first) == expected

    if single is not None:
        activity = portfolio[single]
        finance_page = focal_client.get(
            reverse("finance:activity", args=[activity.pk])
        ).content.decode()
        for figure in FIGURE_NAMES:
            value = expected[figure]
            shown = format_ratio(value) if "leverage" in figure else format_percent(value)
            assert f'data-figure="{figure}">{shown}<' in finance_page
        one = focal_client.get(reverse("api:activity-detail", args=[activity.pk])).json()
        assert _api_values(one["finance"]) == expected

    if list_query is not None:
        # The corporate workbook: IFAD's money per stage on its total row.
        workbook = openpyxl.load_workbook(
            io.BytesIO(focal_client.get(reverse("finance:export_workbook"), list_query).content)
        )
        total_row = next(
            row for row in workbook["Activities"].iter_rows(values_only=True) if row[1] == "Total"
        )
        ifad = [_number(value) or Decimal(0) for value in total_row[10:13]]
        assert ifad == [expected[f"ifad_{stage}"] for stage in STAGES]


def test_the_rounding_is_half_up_on_every_surface(
    portfolio: dict[str, Activity], focal_client: Client
) -> None:
    """The LAC activity's figures: 0.125 -> 0.13, 33.35 % -> 33.4 %, both bases named apart."""
    one = focal_client.get(reverse("api:activity-detail", args=[portfolio["lac"].pk])).json()
    finance = one["finance"]
    assert finance["leverage_allocated"] == "0.13"
    assert finance["leverage_planned"] == "0.05"
    assert finance["execution_rate_ifad"] == "33.4"
    assert finance["execution_rate_all"] == "29.6"  # 667 / 2,250
    assert finance["allocation_rate_ifad"] == "100.0"
    assert finance["allocation_rate_all"] == "107.1"  # 2,250 / 2,100
    page = focal_client.get(reverse("finance:activity", args=[portfolio["lac"].pk])).content
    assert 'data-figure="leverage_allocated">0.13x<' in page.decode()
    assert 'data-figure="execution_rate_ifad">33.4\u00a0%<' in page.decode()


def _pdf_text(export: ReportExport) -> str:
    with export.file.open("rb") as handle:
        pages = PdfReader(io.BytesIO(handle.read())).pages
    # PDF text extraction gives the no-break space back as a plain space or as itself.
    return "\n".join(page.extract_text() for page in pages).replace("\u00a0", " ")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_one_figure_is_written_alike_on_the_pages_the_pdf_and_the_xlsx(
    language: str, portfolio: dict[str, Activity], focal: User, focal_client: Client
) -> None:
    """The LAC activity's leverage (0.13) and IFAD execution rate (33.4 %): the dashboard and the
    finance page write them "0.13x" and "33.4 %", the PDF report the same in its language
    ("0,13x", "33,4 %" in French), the xlsx report keeps numbers formatted 0.00"x" and 0.0" %"."""
    lac = {"division": "LAC"}
    with translation.override(language):
        leverage, execution = format_ratio(Decimal("0.13")), format_percent(Decimal("33.4"))
    if language == "en":
        # The pages are in English until the catalogues come (settings.LANGUAGES).
        dashboard = focal_client.get(reverse("finance:dashboard"), lac).content.decode()
        assert f'data-figure="leverage">{leverage}<' in dashboard
        assert f'data-figure="execution">{execution}<' in dashboard
        page = focal_client.get(reverse("finance:activity", args=[portfolio["lac"].pk]))
        assert f'data-figure="leverage_allocated">{leverage}<' in page.content.decode()
        assert f'data-figure="execution_rate_ifad">{execution}<' in page.content.decode()
    filters = reports.filters_to_json(rollups.RollupFilters(divisions=(division("LAC").pk,)))
    pdf = ReportExport.objects.create(
        requested_by=focal, format="pdf", filters=filters, language=language
    )
    reports.build_report_export(pdf.pk)
    pdf.refresh_from_db()
    text = _pdf_text(pdf)
    assert leverage in text and execution.replace("\u00a0", " ") in text

    book = ReportExport.objects.create(
        requested_by=focal, format="xlsx", filters=filters, language=language
    )
    reports.build_report_export(book.pk)
    book.refresh_from_db()
    with book.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).worksheets[0]
    cells = {str(row[0].value): row[1] for row in sheet.iter_rows() if len(row) > 1}
    with translation.override(language):
        leverage_cell = cells[str(FIGURE_LABELS["leverage_allocated"])]
        execution_cell = cells[str(FIGURE_LABELS["execution_rate_ifad"])]
    assert (leverage_cell.value, leverage_cell.number_format) == (0.13, XLSX_FORMATS["ratio"])
    assert (execution_cell.value, execution_cell.number_format) == (33.4, XLSX_FORMATS["percent"])
