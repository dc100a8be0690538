"""The ledger endpoint: entries read like their activity, recorded and corrected by its editors
through finance.services with the ledger's version lock."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from activities.models import Activity, Partner, PartnerRole, Visibility
from finance import services
from finance.models import EntryType, FinancialEntry
from tests.factories import ActivityFactory, PartnerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/ledger/"
ApiFor = Callable[[User | None], Client]
DAY = datetime.date(2024, 3, 15)


def _record(activity: Activity, user: User, amount: str = "1000", **extra: Any) -> FinancialEntry:
    values: dict[str, Any] = {"kind": "ifad_grant", "stage": "allocated", "currency": "USD"}
    values.update(extra)
    return services.record_entries(
        activity=activity,
        entries=[services.EntryData(amount=Decimal(amount), value_date=DAY, **values)],
        user=user,
        expected_version=None,
    )[0]


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_entries_are_read_like_their_activitys_money(
    api_for: ApiFor, focal: User, partner_user: User, partner_org: Partner
) -> None:
    own = ActivityFactory(partners=[(partner_org, PartnerRole.HOST)])
    public = ActivityFactory(visibility=Visibility.PUBLIC)
    hidden = ActivityFactory()
    entries = {name: _record(a, focal) for name, a in (("own", own), ("public", public))}
    secret = _record(hidden, focal)
    client = api_for(partner_user)
    found = {e["id"] for e in client.get(URL).json()["results"]}
    # A partner user reads their organization's internal activity, not its money (finance.access).
    assert found == {entries["public"].pk}
    assert client.get(f"{URL}{entries['own'].pk}/").status_code == 404
    assert client.get(f"{URL}{secret.pk}/").status_code == 404
    assert api_for(focal).get(f"{URL}{secret.pk}/").json()["contributor_name"] == "IFAD"


def test_filters_and_sync_by_created_since(api_for: ApiFor, focal: User) -> None:
    brazil = ActivityFactory(countries=["BR"])
    kenya = ActivityFactory(countries=["KE"])
    first = _record(brazil, focal, stage="planned")
    _record(kenya, focal, stage="spent")
    client = api_for(focal)
    assert [e["id"] for e in client.get(URL, {"country": "BR"}).json()["results"]] == [first.pk]
    assert [e["stage"] for e in client.get(URL, {"stage": "spent"}).json()["results"]] == ["spent"]
    assert client.get(URL, {"ssc_id": kenya.ssc_id}).json()["results"][0]["ssc_id"] == (
        kenya.ssc_id
    )
    later = client.get(URL, {"created_since": "2100-01-01T00:00:00Z"}).json()
    assert later["results"] == []
    bad = client.get(URL, {"created_since": "soon"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["created_since"]


def test_a_cpm_records_several_lines_at_once_with_the_version_read(
    api_for: ApiFor, cpm: User, focal: User
) -> None:
    activity = ActivityFactory()
    partner = PartnerFactory()
    services.set_rate(
        currency="EUR", month=DAY, units_per_usd=Decimal("0.8"), source="t", user=focal
    )
    client = api_for(cpm)
    version = client.get(f"/api/v1/activities/{activity.pk}/").json()["finance"]["ledger_version"]
    response = _post(
        client,
        URL,
        {
            "activity": activity.pk,
            "ledger_version": version,
            "entries": [
                {
                    "kind": "ifad_grant",
                    "stage": "allocated",
                    "amount": "100000",
                    "currency": "usd",
                    "value_date": "2024-03-15",
                },
                {
                    "kind": "in_kind",
                    "stage": "allocated",
                    "amount": "40000.50",
                    "currency": "EUR",
                    "value_date": "2024-03-15",
                    "contributor": partner.pk,
                    "valuation_method": "venue",
                },
            ],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ledger_version"] == version + 1
    assert [e["amount_usd"] for e in body["entries"]] == ["100000.00", "50000.63"]
    assert FinancialEntry.objects.filter(activity=activity, created_by=cpm).count() == 2
    again = _post(
        client,
        URL,
        {
            "activity": activity.pk,
            "ledger_version": version,
            "entries": [body["entries"][0] | {"contributor": None}],
        },
    )
    assert again.status_code == 409
    assert FinancialEntry.objects.filter(activity=activity).count() == 2


def test_lines_are_all_or_none_and_errors_name_the_line(api_for: ApiFor, cpm: User) -> None:
    activity = ActivityFactory()
    response = _post(
        api_for(cpm),
        URL,
        {
            "activity": activity.pk,
            "ledger_version": 0,
            "entries": [
                {
                    "kind": "ifad_grant",
                    "stage": "planned",
                    "amount": "10",
                    "currency": "USD",
                    "value_date": "2024-01-01",
                },
                {
                    "kind": "cofinancing",
                    "stage": "planned",
                    "amount": "10",
                    "currency": "USD",
                    "value_date": "2024-01-01",
                },
                {
                    "kind": "ifad_grant",
                    "stage": "planned",
                    "amount": "10",
                    "currency": "JPY",
                    "value_date": "2024-01-01",
                },
            ],
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["contributor"] == ["Line 2: Say which organization contributes."]
    assert errors["currency"][0].startswith("Line 3: No exchange rate for JPY in 2024-01")
    assert not FinancialEntry.objects.exists()


def test_a_correction_through_the_api(api_for: ApiFor, cpm: User, focal: User) -> None:
    activity = ActivityFactory()
    entry = _record(activity, focal, "1000")
    client = api_for(cpm)
    response = _post(
        client,
        f"{URL}{entry.pk}/correct/",
        {"new_amount": "900", "reason": "Invoice was lower", "ledger_version": 1},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["entry"]["entry_type"] == EntryType.ADJUSTMENT
    assert (body["entry"]["amount"], body["entry"]["corrects"]) == ("-100.00", entry.pk)
    assert body["ledger_version"] == 2
    stale = _post(
        client,
        f"{URL}{entry.pk}/correct/",
        {"new_amount": None, "reason": "Reverse", "ledger_version": 1},
    )
    assert stale.status_code == 409


def test_only_the_activitys_editors_write_its_ledger(
    api_for: ApiFor, focal: User, viewer: User, cpm_other: User, partner_user: User
) -> None:
    activity = ActivityFactory(visibility=Visibility.PUBLIC)  # LAC, readable by all
    entry = _record(activity, focal)
    line = {
        "kind": "ifad_grant",
        "stage": "planned",
        "amount": "1",
        "currency": "USD",
        "value_date": "2024-01-01",
    }
    for user in (viewer, cpm_other, partner_user):
        client = api_for(user)
        record = _post(
            client, URL, {"activity": activity.pk, "ledger_version": 1, "entries": [line]}
        )
        assert record.status_code == 403
        correct = _post(
            client,
            f"{URL}{entry.pk}/correct/",
            {"new_amount": "0", "reason": "No", "ledger_version": 1},
        )
        assert correct.status_code == 403
    assert FinancialEntry.objects.count() == 1


def test_entries_are_never_changed_or_deleted(api_for: ApiFor, focal: User) -> None:
    entry = _record(ActivityFactory(), focal)
    client = api_for(focal)
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"{URL}{entry.pk}/").status_code == 405
    assert FinancialEntry.objects.get().amount == Decimal(1000)


def test_ledger_csv(api_for: ApiFor, focal: User) -> None:
    _record(ActivityFactory(), focal, note="-1+1")
    text = api_for(focal).get(URL, {"format": "csv"}).content.decode()
    header, row = text.splitlines()
    assert header.startswith("id,activity,ssc_id,contributor,contributor_name,kind")
    assert "'-1+1" in row
