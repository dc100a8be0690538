"""Closed periods: once the focal point closes fiscal year 2024, nothing dated in it is written,
whichever door the write comes through (finance page, API, workbook import, correction, rates),
except for an activity granted an exception until it expires; the 2024 report holds still."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg2
import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from activities.history import Through
from activities.models import Activity
from finance import periods, reports, rollups, services
from finance.dashboard import Reference, Selection
from finance.importer import ImportRefused, import_legacy_workbook
from finance.models import ClosedPeriod, ExchangeRate, FinancialEntry, PeriodException
from finance.rollups import RollupFilters
from tests.factories import ActivityFactory
from tests.finance.workbooks import activity_row, build
from tests.helpers import db_state

pytestmark = pytest.mark.django_db

REASON = "Sent to the Executive Board"


@pytest.fixture
def activity() -> Activity:
    return ActivityFactory(title="Learning route on rural finance")


def close_2024(user: User) -> ClosedPeriod:
    return services.close_period(fiscal_year=2024, up_to=None, reason=REASON, user=user)


def refusal(period: ClosedPeriod) -> str:
    """What every refused write says: the period, since when, the reason."""
    since = timezone.localdate(period.closed_at).isoformat()
    return f"Fiscal year 2024 is closed since {since}: “{REASON}”"


def ifad_line(day: datetime.date, amount: str = "1000", **extra: Any) -> services.EntryData:
    return services.EntryData(
        kind="ifad_grant",
        stage="allocated",
        amount=Decimal(amount),
        currency="USD",
        value_date=day,
        **extra,
    )


def record(activity: Activity, user: User, day: datetime.date, amount: str = "1000") -> Any:
    [entry] = services.record_entries(
        activity=activity, entries=[ifad_line(day, amount)], user=user, expected_version=None
    )
    return entry


def page_line(version: int, day: str) -> dict[str, object]:
    return {
        "version": version,
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 0,
        "lines-0-kind": "ifad_grant",
        "lines-0-stage": "allocated",
        "lines-0-amount": "5000",
        "lines-0-currency": "USD",
        "lines-0-value_date": day,
    }


# --- Every door refuses a 2024 write --------------------------------------------------------


def test_a_2024_line_on_the_finance_page_is_refused_with_the_reason(
    activity: Activity, focal: User, focal_client: Client
) -> None:
    period = close_2024(focal)
    url = reverse("finance:activity", args=[activity.pk])
    before = db_state()
    response = focal_client.post(url, page_line(services.ledger_version(activity), "2024-11-30"))
    assert response.status_code == 400
    assert f"Value date: Line 1: {refusal(period)}" in response.content.decode()
    assert db_state() == before
    response = focal_client.post(url, page_line(services.ledger_version(activity), "2025-01-02"))
    assert response.status_code == 302
    assert list(FinancialEntry.objects.values_list("fiscal_year", flat=True)) == [2025]


def test_a_2024_line_through_the_api_is_refused_with_the_reason(
    activity: Activity, focal: User, cpm_client: Client
) -> None:
    period = close_2024(focal)
    body = {
        "activity": activity.pk,
        "ledger_version": services.ledger_version(activity),
        "entries": [
            {"kind": "ifad_grant", "stage": "spent", "amount": "10", "currency": "USD",
             "value_date": "2024-06-30"},
        ],
    }  # fmt: skip
    before = db_state()
    response = cpm_client.post("/api/v1/ledger/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"value_date": [f"Line 1: {refusal(period)}"]}
    assert db_state() == before


def test_an_entry_dated_2025_but_counted_in_fiscal_year_2024_is_refused(
    activity: Activity, focal: User
) -> None:
    period = close_2024(focal)
    with pytest.raises(services.FinanceError) as refused:
        services.record_entries(
            activity=activity,
            entries=[ifad_line(datetime.date(2025, 1, 5), fiscal_year=2024)],
            user=focal,
            expected_version=None,
        )
    assert refused.value.errors == {"fiscal_year": [f"Line 1: {refusal(period)}"]}
    assert not FinancialEntry.objects.exists()


def test_a_workbook_changing_2024_figures_is_refused_whole(focal: User) -> None:
    period = close_2024(focal)
    handle = build(
        [
            activity_row("SSC-2025-01", year=2025, planned=300),
            activity_row("SSC-2024-01", year=2024, planned=100),
        ]
    )
    before = db_state()
    with pytest.raises(ImportRefused) as refused:
        import_legacy_workbook(handle=handle, filename="ssc.xlsx", user=focal, dry_run=False)
    assert refused.value.problems == [f"Activities, row 3, column year: {refusal(period)}"]
    assert db_state() == before


def test_the_workbook_preview_names_the_closed_year_too(focal: User) -> None:
    close_2024(focal)
    handle = build([activity_row("SSC-2024-01", year=2024, planned=100)])
    with pytest.raises(ImportRefused) as refused:
        import_legacy_workbook(handle=handle, filename="ssc.xlsx", user=focal, dry_run=True)
    assert "Fiscal year 2024 is closed since" in refused.value.problems[0]


def test_a_correction_dated_in_2024_is_refused_and_one_dated_2025_points_at_the_entry(
    activity: Activity, focal: User, focal_client: Client, cpm_client: Client
) -> None:
    entry = record(activity, focal, datetime.date(2024, 3, 1))
    period = close_2024(focal)
    before = db_state()
    # The page, dated as the entry (the default): refused, with how to do it instead.
    response = focal_client.post(
        reverse("finance:correct", args=[activity.pk, entry.pk]),
        {"new_amount": "800", "reason": "Invoice", "version": services.ledger_version(activity)},
        follow=True,
    )
    text = response.content.decode()
    assert f"Value date of the correction: {refusal(period)}" in text
    assert "Give the correction a value date in an open period" in text
    # The API, dated in 2024 explicitly: refused.
    url = f"/api/v1/ledger/{entry.pk}/correct/"
    body = {"new_amount": "800", "reason": "Invoice", "value_date": "2024-12-31"}
    client = cpm_client
    response = client.post(
        url, {**body, "ledger_version": services.ledger_version(activity)}, "application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"value_date": [refusal(period)]}
    assert db_state() == before
    # Dated in 2025: recorded in 2025 at the entry's rate, pointing at the entry.
    body["value_date"] = "2025-01-10"
    response = client.post(
        url, {**body, "ledger_version": services.ledger_version(activity)}, "application/json"
    )
    assert response.status_code == 201
    correction = FinancialEntry.objects.get(pk=response.json()["entry"]["id"])
    assert (correction.corrects_id, correction.value_date, correction.fiscal_year) == (
        entry.pk,
        datetime.date(2025, 1, 10),
        2025,
    )
    assert (correction.amount, correction.amount_usd) == (Decimal("-200"), Decimal("-200"))


def test_the_finance_page_corrects_a_closed_entry_with_its_own_value_date(
    activity: Activity, focal: User, focal_client: Client
) -> None:
    entry = record(activity, focal, datetime.date(2024, 3, 1))
    close_2024(focal)
    response = focal_client.post(
        reverse("finance:correct", args=[activity.pk, entry.pk]),
        {
            "new_amount": "",
            "reason": "Cancelled",
            "value_date": "2025-02-01",
            "version": services.ledger_version(activity),
        },
    )
    assert response.status_code == 302
    reversal = entry.corrections.get()
    assert (reversal.entry_type, reversal.fiscal_year, reversal.amount) == (
        "reversal",
        2025,
        Decimal("-1000"),
    )


def test_the_same_workbook_imported_again_after_closing_changes_nothing(focal: User) -> None:
    handle = build([activity_row("SSC-2024-01", year=2024, planned=100)])
    import_legacy_workbook(handle=handle, filename="ssc.xlsx", user=focal, dry_run=False)
    close_2024(focal)
    handle.seek(0)
    summary = import_legacy_workbook(handle=handle, filename="ssc.xlsx", user=focal, dry_run=False)
    assert (summary.unchanged, summary.entries) == (1, 0)


def test_a_rate_for_a_closed_month_is_refused_from_the_form_and_the_csv(
    focal: User, focal_client: Client
) -> None:
    period = close_2024(focal)
    response = focal_client.post(
        reverse("finance:rates"), {"currency": "EUR", "month": "2024-12", "units_per_usd": "0.9"}
    )
    assert response.status_code == 400
    assert refusal(period) in response.content.decode()
    with pytest.raises(services.FinanceError) as refused:
        services.import_rates_csv(
            text="currency,month,units_per_usd\nEUR,2025-01,0.91\nEUR,2024-07,0.9\n", user=focal
        )
    assert refused.value.errors == {"file": [f"Row 3, column month: {refusal(period)}"]}
    assert not ExchangeRate.objects.exists()
    services.set_rate(
        currency="EUR", month=datetime.date(2025, 1, 1), units_per_usd=Decimal("0.91"),
        source="", user=focal,
    )  # fmt: skip
    assert ExchangeRate.objects.count() == 1


def test_closing_the_days_up_to_a_date_refuses_that_day_and_not_the_next(
    activity: Activity, focal: User
) -> None:
    services.close_period(
        fiscal_year=None, up_to=datetime.date(2024, 6, 30), reason="Mid-term review", user=focal
    )
    with pytest.raises(services.FinanceError) as refused:
        record(activity, focal, datetime.date(2024, 6, 30))
    [message] = refused.value.errors["value_date"]
    assert message.startswith("Line 1: The period up to 2024-06-30 is closed since")
    assert record(activity, focal, datetime.date(2024, 7, 1)).fiscal_year == 2024


# --- Exceptions and reopening ---------------------------------------------------------------


def test_an_exception_lets_one_activity_through_until_it_expires(
    activity: Activity, focal: User, cpm: User
) -> None:
    other = ActivityFactory()
    period = close_2024(focal)
    today = timezone.localdate()
    exception = services.grant_period_exception(
        period=period, activity=activity, reason="Late audit", expires_on=today, user=focal
    )
    assert record(activity, cpm, datetime.date(2024, 5, 1)).fiscal_year == 2024
    with pytest.raises(services.FinanceError):
        record(other, cpm, datetime.date(2024, 5, 1))
    # The day after its expiry, the activity is refused like any other.
    PeriodException.objects.filter(pk=exception.pk).update(
        expires_on=today - datetime.timedelta(days=1)
    )
    with pytest.raises(services.FinanceError) as refused:
        record(activity, cpm, datetime.date(2024, 5, 2))
    assert refused.value.errors == {"value_date": [f"Line 1: {refusal(period)}"]}
    assert FinancialEntry.objects.filter(activity=activity).count() == 1
    [granted] = exception.history.all()  # type: ignore[attr-defined]
    assert (granted.history_type, granted.history_user, granted.reason) == (
        "+",
        focal,
        "Late audit",
    )


def test_an_expiry_in_the_past_is_refused(activity: Activity, focal: User) -> None:
    period = close_2024(focal)
    with pytest.raises(services.FinanceError) as refused:
        services.grant_period_exception(
            period=period,
            activity=activity,
            reason="Late",
            expires_on=timezone.localdate() - datetime.timedelta(days=1),
            user=focal,
        )
    assert list(refused.value.errors) == ["expires_on"]


def test_reopening_lets_writes_in_again_and_both_steps_are_in_the_history(
    activity: Activity, focal: User
) -> None:
    period = close_2024(focal)
    with pytest.raises(services.FinanceError):
        record(activity, focal, datetime.date(2024, 5, 1))
    services.reopen_period(period=period, reason="Audit adjustment", user=focal)
    assert record(activity, focal, datetime.date(2024, 5, 1)).fiscal_year == 2024
    steps = period.history.order_by("history_date")  # type: ignore[attr-defined]
    assert [(s.history_user, s.reopened_at is None, s.reopen_reason) for s in steps] == [
        (focal, True, ""),
        (focal, False, "Audit adjustment"),
    ]


def test_a_year_not_yet_over_or_closed_twice_cannot_be_closed(focal: User) -> None:
    this_year = timezone.localdate().year
    with pytest.raises(services.FinanceError) as refused:
        services.close_period(fiscal_year=this_year, up_to=None, reason="Early", user=focal)
    assert list(refused.value.errors) == ["fiscal_year"]
    close_2024(focal)
    with pytest.raises(services.FinanceError) as refused:
        close_2024(focal)
    assert "Fiscal year 2024 is closed since" in str(refused.value)
    assert ClosedPeriod.objects.count() == 1


# --- Figures that hold still -----------------------------------------------------------------


def report_figures(user: User, year: int) -> list[tuple[str, list[list[Any]], Any]]:
    selection = Selection(user, RollupFilters(year_from=year, year_to=year), Reference.load())
    return [(t.slug, t.rows, t.total) for t in reports.report_tables(selection)]


def test_the_2024_report_has_the_same_figures_after_2025_edits_and_a_refused_2024_one(
    focal: User,
) -> None:
    first, second = ActivityFactory(countries=["BR"]), ActivityFactory(countries=["KE"])
    entry = record(first, focal, datetime.date(2024, 2, 1), "1500")
    record(second, focal, datetime.date(2024, 9, 1), "700")
    record(second, focal, datetime.date(2025, 3, 1), "50")
    rollups.rebuild_all()
    close_2024(focal)
    before = report_figures(focal, 2024)
    assert before[0][1]  # the summary has figures to compare
    record(first, focal, datetime.date(2025, 4, 1), "900")
    services.correct_entry(
        entry=entry,
        new_amount=Decimal("1000"),
        reason="Invoice",
        user=focal,
        expected_version=None,
        value_date=datetime.date(2025, 4, 2),
    )
    with pytest.raises(services.FinanceError):
        record(second, focal, datetime.date(2024, 12, 31), "10")
    rollups.rebuild_all()
    assert report_figures(focal, 2024) == before


# --- Where the closed periods are shown -----------------------------------------------------


def test_the_dashboard_and_the_report_say_which_periods_are_closed(
    focal: User, focal_client: Client
) -> None:
    services.close_period(fiscal_year=2023, up_to=None, reason="Board 2024", user=focal)
    close_2024(focal)
    since = date_format(timezone.localdate(), "DATE_FORMAT")
    line = f"Closed: FY2023 (since {since}), FY2024 (since {since})"
    assert line in focal_client.get(reverse("finance:dashboard")).content.decode()
    selection = Selection(focal, RollupFilters(), Reference.load())
    assert line in reports.report_preamble(selection, rollups.rollup_state())
    activity = ActivityFactory()
    page = focal_client.get(reverse("finance:activity", args=[activity.pk])).content.decode()
    assert f"{line}. Lines dated in a closed period are refused." in page


# --- The focal point's page -----------------------------------------------------------------


def test_closing_asks_for_a_confirmation_first(focal_client: Client) -> None:
    url = reverse("finance:periods")
    response = focal_client.post(url, {"fiscal_year": "2024", "reason": REASON})
    assert response.status_code == 200
    assert "Close FY2024?" in response.content.decode()
    assert not ClosedPeriod.objects.exists()
    response = focal_client.post(url, {"fiscal_year": "2024", "reason": REASON, "confirm": "on"})
    assert response.status_code == 302
    assert ClosedPeriod.objects.get().fiscal_year == 2024


def test_a_closing_refused_names_the_field(focal_client: Client) -> None:
    response = focal_client.post(
        reverse("finance:periods"),
        {"fiscal_year": "2024", "up_to": "2024-01-31", "reason": REASON, "confirm": "on"},
    )
    assert response.status_code == 400
    assert "Close either a fiscal year or the days up to a date." in response.content.decode()
    assert not ClosedPeriod.objects.exists()


def test_reopening_asks_for_a_confirmation_and_a_reason(focal: User, focal_client: Client) -> None:
    period = close_2024(focal)
    url = reverse("finance:period_reopen", args=[period.pk])
    assert "Reopen FY2024?" in focal_client.get(url).content.decode()
    assert focal_client.post(url, {"reason": ""}).status_code == 400
    assert focal_client.post(url, {"reason": "Audit"}).status_code == 302
    period.refresh_from_db()
    assert (period.is_closed, period.reopened_by, period.reopen_reason) == (False, focal, "Audit")
    assert period.history.latest("history_id").history_change_reason == Through.FORM


def test_a_closing_on_the_page_keeps_the_form_in_its_history(focal_client: Client) -> None:
    url = reverse("finance:periods")
    response = focal_client.post(url, {"fiscal_year": "2024", "reason": REASON, "confirm": "on"})
    assert response.status_code == 302
    period = ClosedPeriod.objects.get()
    assert period.history.get().history_change_reason == Through.FORM


def test_the_page_grants_an_exception_by_ssc_id(
    activity: Activity, focal: User, focal_client: Client
) -> None:
    period = close_2024(focal)
    url = reverse("finance:period_exception", args=[period.pk])
    response = focal_client.post(
        url, {"activity": "SSC-0000-00", "reason": "Late", "expires_on": "2100-01-01"}, follow=True
    )
    assert "Activity (SSC ID): No activity has the SSC ID SSC-0000-00." in response.content.decode()
    focal_client.post(
        url, {"activity": activity.ssc_id, "reason": "Late", "expires_on": "2100-01-01"}
    )
    exception = PeriodException.objects.get()
    assert (exception.activity, exception.granted_by) == (activity, focal)
    assert exception.history.get().history_change_reason == Through.FORM


def test_the_list_reads_a_fixed_number_of_queries(
    focal: User,
    focal_client: Client,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    for year in (2019, 2020, 2021, 2022):
        period = services.close_period(fiscal_year=year, up_to=None, reason="Board", user=focal)
        for _ in range(3):
            services.grant_period_exception(
                period=period,
                activity=ActivityFactory(),
                reason="Late",
                expires_on=datetime.date(2100, 1, 1),
                user=focal,
            )
    # session, user, the periods, their exceptions, the activities and who granted, the line.
    with django_assert_max_num_queries(8):
        response = focal_client.get(reverse("finance:periods"))
    assert response.content.decode().count("until 1 Jan 2100") == 12


# --- A closing and a write do not cross -------------------------------------------------------


@pytest.fixture
def other_session(db: None) -> Iterator[Any]:
    """A second database session, as another web worker recording entries would have."""
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    db_settings = settings.DATABASES["default"]
    session = psycopg2.connect(
        dbname=db_settings["NAME"],
        user=db_settings["USER"],
        password=db_settings["PASSWORD"],
        host=db_settings["HOST"],
        port=db_settings["PORT"],
    )
    yield session
    session.rollback()
    session.close()


def test_a_closing_waits_for_the_writes_in_flight(focal: User, other_session: Any) -> None:
    with other_session.cursor() as cursor:  # a write that loaded its guard, not yet committed
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [periods._PERIOD_LOCK_KEY])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '200ms'")
        with pytest.raises(OperationalError, match="lock timeout"):
            close_2024(focal)
    other_session.rollback()  # the write commits (or not): the closing goes through
    assert close_2024(focal).is_closed
