"""The finance pages as their users meet them: entering and correcting money, conflicts, rates,
the workbook upload with its preview, and the downloads."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, Partner, Visibility
from finance import services
from finance.models import ExchangeRate, FinancialEntry, ImportRun, PendingImport
from tests.factories import ActivityFactory, PartnerFactory, division
from tests.helpers import record_entry

pytestmark = pytest.mark.django_db

SAMPLE = "../shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"


def line(prefix: int = 0, **values: object) -> dict[str, object]:
    data = {
        "kind": "ifad_grant",
        "stage": "allocated",
        "amount": "100000",
        "currency": "USD",
        "value_date": "2024-03-10",
    }
    data.update(values)
    return {f"lines-{prefix}-{k}": v for k, v in data.items()}


def lines_form(version: int, *lines: dict[str, object]) -> dict[str, object]:
    body: dict[str, object] = {
        "version": version,
        "lines-TOTAL_FORMS": max(len(lines), 1),
        "lines-INITIAL_FORMS": 0,
    }
    for one in lines:
        body.update(one)
    return body


@pytest.fixture
def activity() -> Activity:
    return ActivityFactory(title="Learning route on rural finance")


@pytest.fixture
def host() -> Partner:
    return PartnerFactory(name="Instituto de Desarrollo Rural")


def test_cpm_adds_in_kind_in_another_currency_and_sees_usd_rate_and_leverage(
    cpm_client: Client, activity: Activity, host: Partner, focal: User
) -> None:
    services.set_rate(
        currency="EUR",
        month=datetime.date(2024, 3, 1),
        units_per_usd=Decimal("0.8"),
        source="test",
        user=focal,
    )
    url = reverse("finance:activity", args=[activity.pk])
    response = cpm_client.post(
        url,
        lines_form(
            0,
            line(0, amount="100 000"),
            line(
                1,
                kind="in_kind",
                contributor=host.pk,
                amount="40,000.00",
                currency="eur",
                valuation_method="venue",
                valuation_basis="Training centre, 5 days",
            ),
        ),
    )
    assert response.status_code == 302
    page = cpm_client.get(url).content.decode()
    assert "50,000.00" in page  # 40,000 EUR at 0.8 EUR per US$
    assert "0.8 EUR/US$ (Mar 2024)" in page
    assert re.search(r'data-figure="leverage_allocated">0.50x<', page)


def test_the_finance_page_is_never_cached(viewer_client: Client, activity: Activity) -> None:
    response = viewer_client.get(reverse("finance:activity", args=[activity.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_viewer_reads_but_cannot_record(viewer_client: Client, activity: Activity) -> None:
    url = reverse("finance:activity", args=[activity.pk])
    assert viewer_client.get(url).status_code == 200
    assert viewer_client.post(url, lines_form(0, line())).status_code == 403
    assert not FinancialEntry.objects.exists()


def test_partner_user_does_not_see_an_internal_activitys_money(
    partner_client: Client, activity: Activity
) -> None:
    response = partner_client.get(reverse("finance:activity", args=[activity.pk]))
    assert response.status_code == 404


def test_a_missing_rate_is_named_and_nothing_is_saved(
    cpm_client: Client, activity: Activity, host: Partner
) -> None:
    response = cpm_client.post(
        reverse("finance:activity", args=[activity.pk]),
        lines_form(0, line(0), line(1, kind="cofinancing", contributor=host.pk, currency="BRL")),
    )
    assert response.status_code == 400
    assert "No exchange rate for BRL in 2024-03" in response.content.decode()
    assert not FinancialEntry.objects.exists()


def test_bad_amounts_are_named_next_to_the_field(cpm_client: Client, activity: Activity) -> None:
    response = cpm_client.post(
        reverse("finance:activity", args=[activity.pk]), lines_form(0, line(0, amount="a lot"))
    )
    assert response.status_code == 400
    assert (
        "“a lot” is not a number: type it like 1,500,000.50 or 0.785." in response.content.decode()
    )


def test_second_save_of_the_same_figures_gets_the_conflict_and_keeps_the_typing(
    client_for,
    cpm: User,
    focal: User,
    activity: Activity,  # type: ignore[no-untyped-def]
) -> None:
    url = reverse("finance:activity", args=[activity.pk])
    first, second = client_for(cpm), client_for(focal)
    version = int(re.search(r'name="version" value="(\d+)"', first.get(url).content.decode())[1])
    assert re.search(r'name="version" value="(\d+)"', second.get(url).content.decode())[1] == str(
        version
    )
    assert first.post(url, lines_form(version, line(0, amount="111111"))).status_code == 302
    response = second.post(url, lines_form(version, line(0, amount="222222")))
    assert response.status_code == 409
    page = response.content.decode()
    assert f"{cpm} changed these figures" in page
    assert 'value="222222"' in page  # what the second user typed is still in the form
    assert list(FinancialEntry.objects.values_list("amount", flat=True)) == [Decimal("111111")]


def test_a_correction_needs_a_reason_and_keeps_the_original(
    cpm_client: Client, activity: Activity
) -> None:
    entry = record_entry(activity)
    url = reverse("finance:correct", args=[activity.pk, entry.pk])
    cpm_client.post(url, {"new_amount": "900", "reason": "", "version": 1})
    assert FinancialEntry.objects.count() == 1
    cpm_client.post(url, {"new_amount": "900", "reason": "Budget revised", "version": 1})
    assert list(FinancialEntry.objects.order_by("pk").values_list("entry_type", "amount")) == [
        ("original", Decimal("1000.00")),
        ("adjustment", Decimal("-100.00")),
    ]


def test_finance_page_queries_do_not_grow_with_entries(
    cpm_client: Client,
    activity: Activity,
    host: Partner,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    def add(count: int) -> None:
        services.record_entries(
            activity=activity,
            entries=[
                services.EntryData(
                    kind="cofinancing",
                    stage="planned",
                    amount=Decimal(10),
                    currency="USD",
                    value_date=datetime.date(2024, 1, 1),
                    contributor=host,
                )
            ]
            * count,
            user=None,
            expected_version=None,
        )

    url = reverse("finance:activity", args=[activity.pk])
    add(5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpm_client.get(url)  # builds the partner list, which later requests reuse
    with CaptureQueriesContext(connection) as few:
        cpm_client.get(url)
    add(45)
    with CaptureQueriesContext(connection) as many:
        cpm_client.get(url)
    assert len(few) == len(many)


def test_focal_point_keeps_rates_and_others_cannot(
    focal_client: Client, cpm_client: Client
) -> None:
    body = {"currency": "xof", "month": "2024-01", "units_per_usd": "605.50", "source": "BCEAO"}
    assert cpm_client.post(reverse("finance:rates"), body).status_code == 403
    assert focal_client.post(reverse("finance:rates"), body).status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.currency, rate.month, rate.units_per_usd) == (
        "XOF",
        datetime.date(2024, 1, 1),
        Decimal("605.50"),
    )


def test_a_rates_csv_with_a_bad_row_is_refused_whole(focal_client: Client) -> None:
    upload = SimpleUploadedFile(
        "rates.csv", b"currency,month,units_per_usd\nEUR,2024-01,0.9\nEUR,2024-13,0.9\n"
    )
    response = focal_client.post(reverse("finance:rates_upload"), {"file": upload}, follow=True)
    assert "Row 3, column month" in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_upload_preview_then_commit_imports_the_sample(
    focal_client: Client,
    focal: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with open(SAMPLE, "rb") as handle:
        upload = SimpleUploadedFile("sample.xlsx", handle.read())
    # The check and the import are queued once the upload is committed (eager Celery here).
    with django_capture_on_commit_callbacks(execute=True):
        response = focal_client.post(reverse("finance:imports"), {"file": upload})
    pending = PendingImport.objects.get()
    assert response["Location"] == reverse("finance:import_detail", args=[pending.pk])
    page = focal_client.get(response["Location"]).content.decode()
    assert PendingImport.objects.get().state == "checked"
    assert "Preview" in page and ">16<" in page
    assert not Activity.objects.exists()  # the preview wrote nothing
    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(reverse("finance:import_commit", args=[pending.pk]))
    assert Activity.objects.count() == 16
    run = ImportRun.objects.get()
    assert run.user == focal and run.activities_created == 16
    # A second click on "Import now" does not import twice.
    focal_client.post(reverse("finance:import_commit", args=[pending.pk]))
    assert ImportRun.objects.count() == 1


def test_upload_of_a_file_that_is_not_a_workbook_is_refused_with_a_message(
    focal_client: Client,
) -> None:
    upload = SimpleUploadedFile("activities.xlsx", b"SSC ID,Activity\n")
    response = focal_client.post(reverse("finance:imports"), {"file": upload})
    assert response.status_code == 400
    assert "not an Excel .xlsx workbook" in response.content.decode()
    assert not PendingImport.objects.exists()


def test_only_the_focal_point_imports(cpm_client: Client) -> None:
    assert cpm_client.get(reverse("finance:imports")).status_code == 403


def test_workbook_download_follows_the_list_filters(focal_client: Client) -> None:
    lac = ActivityFactory(title="Andean exchange")
    apr = ActivityFactory(title="Mekong exchange", lead_division=division("APR"))
    response = focal_client.get(reverse("finance:export_workbook") + "?division=LAC")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    titles = [row[1] for row in workbook["Activities"].iter_rows(min_row=2, values_only=True)]
    assert lac.title in titles and apr.title not in titles


def test_ledger_csv_escapes_formula_text(focal_client: Client, activity: Activity) -> None:
    services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="ifad_grant",
                stage="planned",
                amount=Decimal(10),
                currency="USD",
                value_date=datetime.date(2024, 1, 1),
                note="=cmd|' /C calc'!A0",
            )
        ],
        user=None,
        expected_version=None,
    )
    response = focal_client.get(reverse("finance:export_ledger"))
    body = b"".join(response.streaming_content).decode()
    assert "'=cmd|" in body
    assert ",=cmd" not in body


def test_partner_user_cannot_download_the_corporate_workbook(partner_client: Client) -> None:
    ActivityFactory(visibility=Visibility.PUBLIC)
    assert partner_client.get(reverse("finance:export_workbook")).status_code == 403


def test_money_history_shows_entries_and_rate_changes_before_and_after(
    focal_client: Client, focal: User, activity: Activity
) -> None:
    services.set_rate(
        currency="EUR",
        month=datetime.date(2024, 1, 1),
        units_per_usd=Decimal("0.9"),
        source="",
        user=focal,
    )
    services.set_rate(
        currency="EUR",
        month=datetime.date(2024, 1, 1),
        units_per_usd=Decimal("0.85"),
        source="",
        user=focal,
    )
    services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="ifad_grant",
                stage="planned",
                amount=Decimal(1234),
                currency="USD",
                value_date=datetime.date(2024, 1, 1),
            )
        ],
        user=focal,
        expected_version=None,
    )
    page = focal_client.get(reverse("finance:history")).content.decode()
    assert activity.ssc_id in page and "1,234.00" in page
    assert re.search(r">0\.9<.*?>0\.85<", page, re.S)


def test_money_history_is_the_focal_points(cpm_client: Client) -> None:
    assert cpm_client.get(reverse("finance:history")).status_code == 403
