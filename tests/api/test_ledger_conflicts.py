"""A stale ledger version is a conflict (409) everywhere, also on an activity whose money was never
edited through the portal: imported and generated activities have a ledger version with no time
or author, or none at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity
from finance.models import FinancialEntry, LedgerLock
from tests.factories import ActivityFactory
from tests.helpers import record_entry

pytestmark = pytest.mark.django_db

ApiFor = Callable[[User | None], Client]
LINE = {
    "kind": "ifad_grant",
    "stage": "planned",
    "amount": "10",
    "currency": "USD",
    "value_date": "2024-01-01",
}


def _imported(activity: Activity) -> FinancialEntry:
    """An entry on an activity as an import leaves it: version 1, no time, no author."""
    entry = record_entry(activity)
    LedgerLock.objects.filter(activity=activity).update(updated_at=None, updated_by=None)
    return entry


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


@pytest.mark.parametrize("sent", [0, 7])
def test_api_recording_with_a_stale_version_is_a_conflict(
    api_for: ApiFor, cpm: User, sent: int
) -> None:
    activity = ActivityFactory()
    _imported(activity)
    response = _post(
        api_for(cpm),
        "/api/v1/ledger/",
        {"activity": activity.pk, "ledger_version": sent, "entries": [LINE]},
    )
    assert response.status_code == 409, response.content
    assert "version 1" in response.json()["detail"]
    assert FinancialEntry.objects.count() == 1


def test_api_recording_on_an_activity_with_no_version_yet_is_a_conflict(
    api_for: ApiFor, cpm: User
) -> None:
    activity = ActivityFactory()
    response = _post(
        api_for(cpm),
        "/api/v1/ledger/",
        {"activity": activity.pk, "ledger_version": 3, "entries": [LINE]},
    )
    assert response.status_code == 409, response.content
    assert not FinancialEntry.objects.exists()


def test_api_correction_with_a_stale_version_is_a_conflict(api_for: ApiFor, cpm: User) -> None:
    entry = _imported(ActivityFactory())
    response = _post(
        api_for(cpm),
        f"/api/v1/ledger/{entry.pk}/correct/",
        {"new_amount": "5", "reason": "Invoice", "ledger_version": 0},
    )
    assert response.status_code == 409, response.content
    assert FinancialEntry.objects.count() == 1


def test_lines_form_with_a_stale_version_is_a_conflict(cpm_client: Client) -> None:
    activity = ActivityFactory()
    _imported(activity)
    body = {"version": 0, "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 0}
    body.update({f"lines-0-{key}": value for key, value in LINE.items()})
    response = cpm_client.post(reverse("finance:activity", args=[activity.pk]), body)
    assert response.status_code == 409
    assert "version 1" in response.content.decode()
    assert FinancialEntry.objects.count() == 1


def test_correction_form_with_a_stale_version_is_a_conflict(cpm_client: Client) -> None:
    activity = ActivityFactory()
    entry = _imported(activity)
    url = reverse("finance:correct", args=[activity.pk, entry.pk])
    response = cpm_client.post(url, {"new_amount": "5", "reason": "Invoice", "version": 0})
    assert response.status_code == 409
    page = response.content.decode()
    assert "version 1" in page
    assert FinancialEntry.objects.count() == 1
