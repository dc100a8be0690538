"""Importing the legacy workbook: the sample's oracle figures, all-or-nothing refusal, upserts that
change nothing the second time, and messy files imported right."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from accounts.models import User
from activities.models import Activity, HistoricalActivity, Partner
from finance import services
from finance.importer import ImportRefused, import_legacy_workbook
from finance.models import FinancialEntry, ImportRun
from finance.summary import activity_finance
from tests.finance.workbooks import activity_row, build, contribution_row

pytestmark = pytest.mark.django_db

SAMPLE = "../shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"


def import_sample(user: User | None, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    with open(SAMPLE, "rb") as handle:
        return import_legacy_workbook(
            handle=handle, filename="sample.xlsx", user=user, dry_run=dry_run
        )


def test_sample_gives_16_activities_and_the_ifad_total(focal: User) -> None:
    summary = import_sample(focal)
    assert summary.created == 16
    assert Activity.objects.count() == 16
    allocated = FinancialEntry.objects.filter(kind__startswith="ifad", stage="allocated").aggregate(
        total=Sum("amount_usd")
    )["total"]
    assert allocated == Decimal("6544000.00")


@pytest.mark.parametrize(
    ("ssc_id", "leverage"),
    [("SSC-2010-02", Decimal("3.00")), ("SSC-2010-01", Decimal("2.80"))],
)
def test_sample_leverage_of_the_paper_examples(focal: User, ssc_id: str, leverage: Decimal) -> None:
    import_sample(focal)
    sheet = activity_finance(Activity.objects.get(ssc_id=ssc_id))
    assert sheet.leverage_allocated == leverage


def test_importing_the_same_file_twice_changes_nothing(focal: User) -> None:
    import_sample(focal)
    counts = (
        Activity.objects.count(),
        FinancialEntry.objects.count(),
        HistoricalActivity.objects.count(),
        Partner.objects.count(),
    )
    summary = import_sample(focal)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 16)
    assert counts == (
        Activity.objects.count(),
        FinancialEntry.objects.count(),
        HistoricalActivity.objects.count(),
        Partner.objects.count(),
    )
    assert ImportRun.objects.count() == 2


def test_a_dry_run_counts_and_writes_nothing(focal: User) -> None:
    summary = import_sample(focal, dry_run=True)
    assert summary.created == 16
    assert not Activity.objects.exists()
    assert not FinancialEntry.objects.exists()
    assert not ImportRun.objects.exists()


def test_the_import_is_recorded_with_its_checksum(focal: User) -> None:
    import_sample(focal)
    run = ImportRun.objects.get()
    assert run.user == focal and run.filename == "sample.xlsx"
    assert len(run.sha256) == 64 and run.activities_created == 16


def test_a_wrong_workbook_is_refused_whole_and_nothing_changes(focal: User) -> None:
    handle = build(
        [
            activity_row("SSC-2010-01"),  # a good row: not written either
            activity_row("SSC-2010-02", planned=-1),
            activity_row("SSC-2010-03", allocated="a lot"),
            activity_row("SSC-2010-04", receivers="Narnia"),
            activity_row("SSC-2010-01"),
            activity_row("SSC-2010-06", year="next year"),
        ],
        [contribution_row("SSC-2010-01", currency="XXY"), contribution_row("SSC-1999-01")],
    )
    with pytest.raises(ImportRefused) as caught:
        import_legacy_workbook(handle=handle, filename="bad.xlsx", user=focal, dry_run=False)
    problems = caught.value.problems
    assert len(problems) == 7
    assert all(p.startswith(("Activities, row", "Contributions, row")) for p in problems)
    assert not Activity.objects.exists()
    assert not FinancialEntry.objects.exists()
    assert not Partner.objects.exists()
    assert not ImportRun.objects.exists()


def test_a_missing_rate_refuses_the_file_naming_row_currency_and_month(focal: User) -> None:
    handle = build([activity_row()], [contribution_row(currency="EUR", kind="In-kind")])
    with pytest.raises(ImportRefused) as caught:
        import_legacy_workbook(handle=handle, filename="eur.xlsx", user=focal, dry_run=False)
    [problem] = caught.value.problems
    assert problem.startswith("Contributions, row 2") and "EUR" in problem and "2010-01" in problem
    assert not Activity.objects.exists()


def test_a_messy_workbook_imports_correctly(focal: User) -> None:
    services.set_rate(
        currency="EUR",
        month=datetime.date(2007, 1, 1),
        units_per_usd=Decimal("0.75"),
        source="test",
        user=focal,
    )
    handle = build(
        [
            activity_row(
                "SSC-2007-02",
                title="Greater Mekong",
                year="2007",
                providers="Thailand, China",
                receivers="Lao PDR; Viet Nam",
                planned="US$ 609,000.00",
                allocated="609 000",
                spent=None,
            ),
            [None] * 14,
        ],
        [
            contribution_row(
                "SSC-2007-02",
                contributor="FAO",
                type="Multilateral",
                kind="In-kind",
                currency="EUR",
                planned="75 000",
                allocated="75,000.00",
            )
        ],
        title_rows=["SSC corporate spreadsheet"],
        merge=["A1:N1"],
    )
    summary = import_legacy_workbook(
        handle=handle, filename="messy.xlsx", user=focal, dry_run=False
    )
    assert summary.created == 1
    activity = Activity.objects.get(ssc_id="SSC-2007-02")
    assert sorted(c.iso2 for c in activity.receivers) == ["LA", "VN"]
    sheet = activity_finance(activity)
    assert sheet.ifad["allocated"] == Decimal("609000.00")
    assert sheet.in_kind["allocated"] == Decimal("100000.00")
    assert sheet.leverage_allocated == Decimal("0.16")
    entry = FinancialEntry.objects.get(currency="EUR", stage="allocated")
    assert entry.units_per_usd == Decimal("0.75")


def test_a_changed_figure_is_adjusted_not_overwritten(focal: User) -> None:
    import_legacy_workbook(
        handle=build([activity_row(allocated=200000)]), filename="a.xlsx", user=focal, dry_run=False
    )
    summary = import_legacy_workbook(
        handle=build([activity_row(allocated=150000)]), filename="b.xlsx", user=focal, dry_run=False
    )
    assert summary.updated == 1
    entries = FinancialEntry.objects.filter(stage="allocated").order_by("pk")
    assert [(e.entry_type, e.amount) for e in entries] == [
        ("original", Decimal("200000.00")),
        ("adjustment", Decimal("-50000.00")),
    ]
    assert "b.xlsx" in entries[1].reason
    assert activity_finance(Activity.objects.get()).ifad["allocated"] == Decimal("150000.00")


def test_export_then_import_changes_nothing(focal: User, tmp_path: object) -> None:
    import io

    from finance.export import build_workbook

    services.set_rate(
        currency="BRL",
        month=datetime.date(2010, 1, 1),
        units_per_usd=Decimal("1.75"),
        source="",
        user=focal,
    )
    import_sample(focal)
    # Figures typed in the portal after the migration travel too.
    activity = Activity.objects.get(ssc_id="SSC-2010-02")
    embrapa = Partner.objects.create(name="=EMBRAPA", name_key="embrapa", type="research")
    services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="in_kind",
                stage="allocated",
                amount=Decimal("35000"),
                currency="BRL",
                value_date=datetime.date(2010, 1, 1),
                contributor=embrapa,
                valuation_method="staff_time",
            )
        ],
        user=focal,
        expected_version=None,
    )
    before = (
        Activity.objects.count(),
        FinancialEntry.objects.count(),
        HistoricalActivity.objects.count(),
        Partner.objects.count(),
    )
    content = build_workbook(Activity.objects.all())
    summary = import_legacy_workbook(
        handle=io.BytesIO(content), filename="export.xlsx", user=focal, dry_run=False
    )
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 16)
    assert summary.warnings == []
    assert before == (
        Activity.objects.count(),
        FinancialEntry.objects.count(),
        HistoricalActivity.objects.count(),
        Partner.objects.count(),
    )


def test_export_escapes_text_that_would_be_a_formula(focal: User) -> None:
    import io

    import openpyxl

    from finance.export import build_workbook

    import_sample(focal)
    Activity.objects.filter(ssc_id="SSC-2005-01").update(title='=HYPERLINK("http://x")')
    workbook = openpyxl.load_workbook(io.BytesIO(build_workbook(Activity.objects.all())))
    sheet = workbook["Activities"]
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in titles
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
