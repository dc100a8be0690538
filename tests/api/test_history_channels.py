"""The history says what each change came through: an activity changed on its form and through
the API, a ledger line recorded on the finance page and through the API, each entry naming its
channel; rows written without one (before the services said, the shell) name none."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.history import Through, activity_history_entries, through_label
from activities.models import Activity, ActivityCountry
from activities.services import create_activity
from finance import services
from finance.models import FinancialEntry
from tests.factories import activity_data, theme
from tests.helpers import edit_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

ApiFor = Callable[[User | None], Client]


def _cell_of(page: str, text: str) -> str:
    """The table row of the money history that holds `text`."""
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(text)}(?:(?!</tr>).)*</tr>", page, re.S)
    assert row is not None, text
    return row.group(0)


def test_an_activity_changed_on_its_form_then_through_the_api_shows_both_channels(
    api_for: ApiFor, cpm_client: Client, cpm: User, focal: User
) -> None:
    activity = create_activity(data=activity_data(title="Seed route"), user=focal)
    edit = cpm_client.post(
        reverse("activities:edit", args=[activity.pk]),
        edit_form_data(activity, title="Route from the form"),
    )
    assert edit.status_code == 302
    activity.refresh_from_db()
    patch = api_for(cpm).patch(
        f"/api/v1/activities/{activity.pk}/",
        {"version": activity.version, "title": "Route from the API"},
        content_type="application/json",
    )
    assert patch.status_code == 200, patch.content

    # Same person, seconds apart, two channels: two entries, newest first.
    api, form, created = activity_history_entries(activity)
    assert (api.user, api.through) == (cpm, "the API")
    assert [(c.old, c.new) for c in api.changes] == [("Route from the form", "Route from the API")]
    assert (form.user, form.through) == (cpm, "the page's form")
    assert [(c.old, c.new) for c in form.changes] == [("Seed route", "Route from the form")]
    # Created by the service without a channel: it names none.
    assert (created.user, created.created, created.through) == (focal, True, "")

    page = cpm_client.get(reverse("activities:history", args=[activity.pk])).text
    assert "through the API" in page and "through the page&#x27;s form" in page
    assert "Route from the API" in page and "Seed route" in page and str(cpm) in page
    assert page.count("through ") == 2


def test_every_snapshot_a_form_save_writes_names_the_form(cpm_client: Client, cpm: User) -> None:
    activity = create_activity(data=activity_data(), user=cpm)
    response = cpm_client.post(
        reverse("activities:edit", args=[activity.pk]),
        edit_form_data(activity, title="Renamed", countries=[("PE", "both")], themes=[theme(2)]),
    )
    assert response.status_code == 302
    links = ActivityCountry.history.filter(activity_id=activity.pk)  # type: ignore[attr-defined]
    # The link written at creation kept no channel; the form's removal and addition did.
    assert set(links.values_list("history_type", "history_change_reason")) == {
        ("+", None),
        ("-", "form"),
        ("+", "form"),
    }
    records = Activity.history.filter(id=activity.pk)  # type: ignore[attr-defined]
    # The creation's themes (no channel), then the form's save and its themes' change.
    changed = records.filter(history_type="~").order_by("history_id")
    reasons = list(changed.values_list("history_change_reason", flat=True))
    assert reasons == [None, "form", "form", "form"]


def test_a_status_move_on_the_page_names_the_form(cpm_client: Client, cpm: User) -> None:
    activity = create_activity(data=activity_data(), user=cpm)
    response = cpm_client.post(
        reverse("activities:status", args=[activity.pk]),
        {"status": "approved", "note": "", "version": activity.version},
    )
    assert response.status_code == 302
    latest = Activity.history.filter(id=activity.pk).latest("history_date")  # type: ignore[attr-defined]
    assert (latest.status, latest.history_change_reason) == ("approved", Through.FORM.value)


def test_ledger_lines_name_the_api_or_the_form_in_the_money_history(
    api_for: ApiFor, focal: User, focal_client: Client
) -> None:
    activity = create_activity(data=activity_data(), user=focal)
    posted = api_for(focal).post(
        "/api/v1/ledger/",
        {
            "activity": activity.pk,
            "ledger_version": services.ledger_version(activity),
            "entries": [
                {
                    "kind": "ifad_grant",
                    "stage": "allocated",
                    "amount": "4321",
                    "currency": "USD",
                    "value_date": "2024-03-15",
                }
            ],
        },
        content_type="application/json",
    )
    assert posted.status_code == 201, posted.content
    on_page = focal_client.post(
        reverse("finance:activity", args=[activity.pk]),
        {
            "version": services.ledger_version(activity),
            "lines-TOTAL_FORMS": 1,
            "lines-INITIAL_FORMS": 0,
            "lines-0-kind": "ifad_grant",
            "lines-0-stage": "allocated",
            "lines-0-amount": "8765",
            "lines-0-currency": "USD",
            "lines-0-value_date": "2024-03-15",
        },
    )
    assert on_page.status_code == 302
    services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="ifad_grant",
                stage="planned",
                amount=Decimal(555),
                currency="USD",
                value_date=datetime.date(2024, 3, 15),
            )
        ],
        user=focal,
        expected_version=None,
    )
    page = focal_client.get(reverse("finance:history")).content.decode()
    assert "through the API" in _cell_of(page, "4,321.00")
    assert "through the page&#x27;s form" in _cell_of(page, "8,765.00")
    assert "through" not in _cell_of(page, "555.00")


def test_a_correction_through_the_api_names_the_api(api_for: ApiFor, focal: User) -> None:
    activity = create_activity(data=activity_data(), user=focal)
    [entry] = services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="ifad_grant",
                stage="planned",
                amount=Decimal(1000),
                currency="USD",
                value_date=datetime.date(2024, 3, 15),
            )
        ],
        user=focal,
        expected_version=None,
    )
    response = api_for(focal).post(
        f"/api/v1/ledger/{entry.pk}/correct/",
        {
            "new_amount": "900",
            "reason": "Typo",
            "ledger_version": services.ledger_version(activity),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    correction = FinancialEntry.objects.get(corrects=entry)
    reason = correction.history.get().history_change_reason  # type: ignore[attr-defined]
    assert through_label(reason) == "the API"


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("form", "the page's form"),
        ("api", "the API"),
        # What the knowledge base wrote before the portal had one Through.
        ("knowledge:form", "the page's form"),
        ("knowledge:api", "the API"),
        ("import-run:7:ssc-2024.xlsx", "Import run #7 (ssc-2024.xlsx)"),
        ("merge:SSC-2024-001->SSC-2024-002", "the merge of SSC-2024-001 into SSC-2024-002"),
        (None, ""),
        ("", ""),
    ],
)
def test_each_change_reason_reads_as_its_channel(reason: str | None, label: str) -> None:
    assert through_label(reason) == label
