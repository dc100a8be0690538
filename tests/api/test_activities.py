"""The activities endpoint: what each caller sees, filters, cursor pages, CSV, and writes that
follow the browser's rules and refuse stale versions."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from activities.models import (
    Activity,
    CountryRole,
    Partner,
    PartnerRole,
    StatusChange,
    Visibility,
)
from activities.serializers import ActivityCountrySerializer, ActivityPartnerSerializer
from finance import services as finance_services
from finance.activity_api import ActivityViewSet
from finance.filters import ApiActivityFilter
from finance.serializers import (
    ActivitySerializer,
    FinanceSummarySerializer,
    StageAmountsSerializer,
)
from finance.summary import activity_finance
from tests.factories import ActivityFactory, PartnerFactory, division, theme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

URL = "/api/v1/activities/"
ApiFor = Callable[[User | None], Client]


def all_pages(client: Client, url: str) -> list[dict[str, Any]]:
    """Every result, following `next` to the end."""
    results: list[dict[str, Any]] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        results.extend(body["results"])
        url = body["next"]
    return results


def ssc_ids(items: list[dict[str, Any]]) -> set[str]:
    return {item["ssc_id"] for item in items}


# --- what each caller sees --------------------------------------------------------------------


def test_a_partner_sees_its_organizations_activities_and_public_ones_only(
    api_for: ApiFor, partner_user: User, partner_org: Partner
) -> None:
    own = ActivityFactory(partners=[(partner_org, PartnerRole.GUEST)])
    public = ActivityFactory(visibility=Visibility.PUBLIC)
    hidden = ActivityFactory(partners=[PartnerFactory()])
    client = api_for(partner_user)
    assert ssc_ids(all_pages(client, URL)) == {own.ssc_id, public.ssc_id}
    assert client.get(f"{URL}{own.pk}/").status_code == 200
    missing = client.get(f"{URL}{hidden.pk}/")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No such activity.", "code": "not_found"}


def test_staff_see_every_activity(api_for: ApiFor, viewer: User) -> None:
    made = {ActivityFactory().ssc_id for _ in range(3)}
    made.add(ActivityFactory(visibility=Visibility.PUBLIC).ssc_id)
    assert ssc_ids(all_pages(api_for(viewer), URL)) == made


def test_anonymous_callers_get_401_in_json(api_for: ApiFor) -> None:
    ActivityFactory(visibility=Visibility.PUBLIC)
    response = api_for(None).get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_authenticated"


def test_a_browser_session_works_too(client_for, viewer: User) -> None:
    ActivityFactory()
    assert client_for(viewer).get(URL).status_code == 200


# --- the activity's contents ------------------------------------------------------------------


def test_an_activity_carries_its_links_and_its_money_in_us_dollars(
    api_for: ApiFor, focal: User
) -> None:
    funder = PartnerFactory(name="Fondo Andino", acronym="FA")
    activity = ActivityFactory(
        countries=[("BR", CountryRole.PROVIDER), ("MZ", CountryRole.RECEIVER)],
        partners=[(funder, PartnerRole.FUNDER), (funder, PartnerRole.HOST)],
        themes=[theme(1), theme(3)],
    )
    finance_services.set_rate(
        currency="EUR",
        month=datetime.date(2024, 3, 1),
        units_per_usd=Decimal("0.8"),
        source="test",
        user=focal,
    )
    finance_services.record_entries(
        activity=activity,
        entries=[
            finance_services.EntryData(
                kind="ifad_grant",
                stage="allocated",
                amount=Decimal("100000"),
                currency="USD",
                value_date=datetime.date(2024, 3, 1),
            ),
            finance_services.EntryData(
                kind="in_kind",
                stage="allocated",
                amount=Decimal("40000"),
                currency="EUR",
                value_date=datetime.date(2024, 3, 1),
                contributor=funder,
                valuation_method="venue",
            ),
        ],
        user=focal,
        expected_version=None,
    )
    body = api_for(focal).get(f"{URL}{activity.pk}/").json()
    assert [(c["iso2"], c["role"]) for c in body["countries"]] == [
        ("BR", "provider"),
        ("MZ", "receiver"),
    ]
    assert body["partners"] == [
        {"id": funder.pk, "name": "Fondo Andino", "acronym": "FA", "roles": ["funder", "host"]}
    ]
    assert body["themes"] == [theme(1).code, theme(3).code]
    sheet = activity_finance(activity)
    money = body["finance"]
    assert money["allocated"] == str(sheet.total["allocated"]) == "150000.00"
    assert money["ifad"]["allocated"] == "100000.00"
    assert money["in_kind"]["allocated"] == "50000.00"
    assert money["leverage_allocated"] == str(sheet.leverage_allocated) == "0.50"
    assert money["ledger_version"] == 1
    listed = api_for(focal).get(URL).json()["results"][0]
    assert listed == body


# --- filters, sync and pages ------------------------------------------------------------------


def test_filters_by_country_and_updated_since_and_every_page_is_followed(
    api_for: ApiFor, viewer: User
) -> None:
    old = timezone.now() - datetime.timedelta(days=10)
    brazil = [ActivityFactory(countries=["BR"]) for _ in range(7)]
    ActivityFactory(countries=["KE"])
    Activity.objects.filter(pk=brazil[0].pk).update(updated_at=old)
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    client = api_for(viewer)
    query = urlencode({"country": "BR", "updated_since": since, "page_size": 2})
    found = all_pages(client, f"{URL}?{query}")
    assert [a["ssc_id"] for a in found] == [a.ssc_id for a in brazil[1:]]  # oldest change first
    assert len({a["id"] for a in found}) == 6


@pytest.mark.parametrize("inline_ids", [2000, 0], ids=["few new entries", "many new entries"])
def test_new_money_counts_as_a_change_for_sync(
    api_for: ApiFor, focal: User, inline_ids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both ways of finding the activities with new money (a list of ids; EXISTS) agree.
    monkeypatch.setattr(ApiActivityFilter, "INLINE_MONEY_IDS", inline_ids)
    activity = ActivityFactory()
    Activity.objects.filter(pk=activity.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=30)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    client = api_for(focal)
    assert client.get(URL, {"updated_since": since}).json()["results"] == []
    finance_services.record_entries(
        activity=activity,
        entries=[
            finance_services.EntryData(
                kind="ifad_grant",
                stage="planned",
                amount=Decimal(5),
                currency="USD",
                value_date=datetime.date(2024, 1, 1),
            )
        ],
        user=focal,
        expected_version=None,
    )
    assert [a["id"] for a in client.get(URL, {"updated_since": since}).json()["results"]] == [
        activity.pk
    ]


def test_money_alone_moves_updated_at_and_an_incremental_sync_sees_it(
    api_for: ApiFor, focal: User
) -> None:
    activity = ActivityFactory()
    long_ago = timezone.now() - datetime.timedelta(days=30)
    Activity.objects.filter(pk=activity.pk).update(updated_at=long_ago)
    client = api_for(focal)
    since = timezone.now()
    entry = finance_services.record_entries(
        activity=activity,
        entries=[
            finance_services.EntryData(
                kind="ifad_grant",
                stage="allocated",
                amount=Decimal(5),
                currency="USD",
                value_date=datetime.date(2024, 1, 1),
            )
        ],
        user=focal,
        expected_version=None,
    )[0]
    found = client.get(URL, {"updated_since": since.isoformat()}).json()["results"]
    assert [a["id"] for a in found] == [activity.pk]
    assert datetime.datetime.fromisoformat(found[0]["updated_at"]) >= since
    # A correction too; the activity's own version (its edit lock) stays where it was.
    Activity.objects.filter(pk=activity.pk).update(updated_at=long_ago)
    since = timezone.now()
    finance_services.correct_entry(
        entry=entry, new_amount=None, reason="Twice", user=focal, expected_version=None
    )
    detail = client.get(f"{URL}{activity.pk}/").json()
    assert datetime.datetime.fromisoformat(detail["updated_at"]) >= since
    assert detail["version"] == activity.version


def test_updated_since_looks_up_new_money_without_sorting_it(api_for: ApiFor, focal: User) -> None:
    # The ledger's default order (value date) would make PostgreSQL sort every new entry before
    # taking the first 2,001: any 2,001 tell "few" from "many".
    ActivityFactory()
    with CaptureQueriesContext(connection) as queries:
        response = api_for(focal).get(URL, {"updated_since": "2025-01-01T00:00:00Z"})
    assert response.status_code == 200
    ledger = 'SELECT "finance_financialentry"'
    lookup = next(q["sql"] for q in queries if q["sql"].startswith(ledger))
    assert "ORDER BY" not in lookup


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("division=APR", {"apr"}),
        ("status=ongoing", {"ongoing"}),
        ("modality=triangular", {"triangular"}),
        ("reporting_year=2019", {"y2019"}),
        ("theme=value-chains", {"themed"}),
        ("country=MZ&role=receiver", {"mz-receiver"}),
        ("country=MZ&role=provider", set()),
    ],
)
def test_the_list_pages_filters_apply(
    api_for: ApiFor, viewer: User, query: str, expected: set[str]
) -> None:
    made = {
        "apr": ActivityFactory(lead_division=division("APR")),
        "ongoing": ActivityFactory(status="ongoing"),
        "triangular": ActivityFactory(modality="triangular"),
        "y2019": ActivityFactory(approval_year=2019),
        "themed": ActivityFactory(themes=[theme(3)]),
        "mz-receiver": ActivityFactory(countries=[("MZ", CountryRole.RECEIVER)]),
    }
    names = {activity.ssc_id: name for name, activity in made.items()}
    found = all_pages(api_for(viewer), f"{URL}?{query}")
    assert {names[item["ssc_id"]] for item in found} == expected


def test_filter_by_partner(api_for: ApiFor, viewer: User) -> None:
    partner = PartnerFactory()
    with_partner = ActivityFactory(partners=[partner])
    ActivityFactory(partners=[PartnerFactory()])
    found = all_pages(api_for(viewer), f"{URL}?partner={partner.pk}")
    assert ssc_ids(found) == {with_partner.ssc_id}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("updated_since=31/12/2024", "updated_since"),
        ("country=XX", "country"),
        ("status=finished", "status"),
        ("reporting_year=1200", "reporting_year"),
        ("reporting_year=99999999999", "reporting_year"),
        ("partner=abc", "partner"),
        ("ordering=title", "ordering"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        ("cursor=cD1ub3QtYS1kYXRl", "cursor"),  # a position that is not a date
        ("format=xlsx", "format"),
        # Nothing is silently dropped, read as "any", clamped or rounded:
        ("format=", "format"),
        ("updated_since=", "updated_since"),
        ("division=", "division"),
        ("ordering=", "ordering"),
        ("cursor=", "cursor"),
        ("page_size=501", "page_size"),
        ("page_size=0", "page_size"),
        ("page_size=2.5", "page_size"),
        ("reporting_year=2024.5", "reporting_year"),
        ("mine=maybe", "mine"),
        ("status=approved&status=closed", "status"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(
    api_for: ApiFor, viewer: User, query: str, parameter: str
) -> None:
    ActivityFactory()
    response = api_for(viewer).get(f"{URL}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["errors"]) == [parameter]
    assert body["detail"].startswith(f"{parameter}: ")


def test_pages_are_stable_while_records_change(api_for: ApiFor, viewer: User) -> None:
    """A record changed during a sync moves to the end: seen again, never skipped."""
    made = [ActivityFactory() for _ in range(5)]
    client = api_for(viewer)
    first = client.get(URL, {"page_size": 2}).json()
    Activity.objects.filter(pk=made[0].pk).update(title="Changed mid-sync")
    Activity.objects.filter(pk=made[0].pk).update(updated_at=timezone.now())
    rest = all_pages(client, first["next"])
    seen = [a["id"] for a in first["results"] + rest]
    assert set(seen) == {a.pk for a in made}
    assert seen[-1] == made[0].pk


def test_orderings(api_for: ApiFor, viewer: User) -> None:
    made = [ActivityFactory() for _ in range(3)]
    client = api_for(viewer)
    ids = [a["id"] for a in client.get(URL, {"ordering": "-id"}).json()["results"]]
    assert ids == sorted((a.pk for a in made), reverse=True)
    codes = [a["ssc_id"] for a in client.get(URL, {"ordering": "ssc_id"}).json()["results"]]
    assert codes == sorted(codes)


def test_page_size_is_capped(api_for: ApiFor, viewer: User) -> None:
    for _ in range(3):
        ActivityFactory()
    body = api_for(viewer).get(URL, {"page_size": 1}).json()
    assert len(body["results"]) == 1
    assert body["next"]


# --- CSV --------------------------------------------------------------------------------------


def test_csv_has_the_same_rows_and_escapes_formulas(api_for: ApiFor, viewer: User) -> None:
    ActivityFactory(title='=HYPERLINK("http://evil")', countries=["BR"])
    ActivityFactory(title="Plain title")
    client = api_for(viewer)
    response = client.get(URL, {"format": "csv", "page_size": 1})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'rel="next"' in response["Link"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("id,ssc_id,title,status")
    assert len(lines) == 2
    everything = client.get(URL, {"format": "csv"}).content.decode()
    assert "'=HYPERLINK" in everything
    assert "BR (provider)" in everything


def test_errors_stay_json_when_csv_was_asked_for(api_for: ApiFor, viewer: User) -> None:
    response = api_for(viewer).get(URL, {"format": "csv", "status": "nope"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


# --- writes -----------------------------------------------------------------------------------


def _new_activity(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Learning route on dairy cooperatives",
        "activity_type": "learning_route",
        "modality": "south_south",
        "funding_nature": "grant",
        "lead_division": "LAC",
        "approval_year": 2025,
        "countries": [{"iso2": "BR", "role": "provider"}, {"iso2": "PE", "role": "receiver"}],
        "themes": [theme(1).code],
    }
    body.update(changes)
    return body


def test_a_cpm_creates_an_activity_through_the_services(api_for: ApiFor, cpm: User) -> None:
    partner = PartnerFactory()
    response = api_for(cpm).post(
        URL,
        _new_activity(partners=[{"id": partner.pk, "roles": ["host", "funder"]}], sdgs=[2]),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    activity = Activity.objects.get(pk=body["id"])
    assert activity.ssc_id == "SSC-2025-01"
    assert activity.responsible_cpm == cpm  # as on the New activity page
    assert activity.created_by == cpm
    assert sorted(activity.partner_links.values_list("role", flat=True)) == ["funder", "host"]
    assert StatusChange.objects.filter(activity=activity).count() == 1
    authors = set(activity.history.values_list("history_user", flat=True))  # type: ignore[attr-defined]
    assert authors == {cpm.pk}
    assert body["status"] == "pipeline" and body["visibility"] == "internal"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"activity_type": ""}, "activity_type"),
        ({"funding_nature": "in_project", "project_id": ""}, "project_id"),
        ({"themes": []}, "themes"),
        ({"planned_start": "2025-05-01", "planned_end": "2025-01-01"}, "planned_end"),
        ({"countries": [{"iso2": "BR", "role": "provider", "share": "60"}]}, "countries"),
        ({"countries": [{"iso2": "ZZ", "role": "provider"}]}, "countries.0.iso2"),
        ({"lead_division": "XYZ"}, "lead_division"),
        # What a status needs (Activity.missing_status_facts), named by the field that lacks it.
        ({"status": "ongoing"}, "actual_start"),
        ({"status": "completed", "outcomes": "Two laws drafted."}, "actual_end"),
        ({"status": "completed", "actual_end": "2025-06-30"}, "outcomes"),
    ],
)
def test_the_browsers_rules_apply_to_api_writes(
    api_for: ApiFor, cpm: User, changes: dict[str, Any], field: str
) -> None:
    response = api_for(cpm).post(URL, _new_activity(**changes), content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Activity.objects.exists()


def test_viewers_and_partners_cannot_create(
    api_for: ApiFor, viewer: User, partner_user: User
) -> None:
    for user in (viewer, partner_user):
        response = api_for(user).post(URL, _new_activity(), content_type="application/json")
        assert response.status_code == 403
    assert not Activity.objects.exists()


def test_patch_changes_only_what_is_sent_and_bumps_the_version(api_for: ApiFor, cpm: User) -> None:
    partner = PartnerFactory()
    activity = ActivityFactory(countries=["BR", ("PE", CountryRole.RECEIVER)], partners=[partner])
    response = api_for(cpm).patch(
        f"{URL}{activity.pk}/",
        {"version": activity.version, "title": "Renamed", "status": "approved"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["status"], body["version"]) == ("Renamed", "approved", 2)
    assert [c["iso2"] for c in body["countries"]] == ["BR", "PE"]
    assert [p["id"] for p in body["partners"]] == [partner.pk]
    assert StatusChange.objects.filter(activity=activity, to_status="approved").exists()


def test_a_text_sent_with_cr_lf_is_stored_with_lf(api_for: ApiFor, cpm: User) -> None:
    # As a page's form stores it: one kind of line end in every export, and a text sent again
    # unchanged is no change in the history.
    activity = ActivityFactory()
    response = api_for(cpm).patch(
        f"{URL}{activity.pk}/",
        {"version": activity.version, "summary": "First line.\r\nSecond line.\rThird."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    activity.refresh_from_db()
    assert activity.summary == "First line.\nSecond line.\nThird."


def test_a_stale_version_is_refused_with_409_and_nothing_changes(
    api_for: ApiFor, cpm: User, focal: User
) -> None:
    activity = ActivityFactory(title="Original")
    read = api_for(cpm).get(f"{URL}{activity.pk}/").json()
    first = api_for(focal).patch(
        f"{URL}{activity.pk}/",
        {"version": read["version"], "title": "Focal's change"},
        content_type="application/json",
    )
    assert first.status_code == 200
    second = api_for(cpm).patch(
        f"{URL}{activity.pk}/",
        {"version": read["version"], "title": "CPM's change"},
        content_type="application/json",
    )
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("Focal's change", 2)


def test_a_change_without_a_version_is_refused(api_for: ApiFor, cpm: User) -> None:
    activity = ActivityFactory()
    response = api_for(cpm).patch(
        f"{URL}{activity.pk}/", {"title": "No version"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]


def test_put_replaces_the_links(api_for: ApiFor, cpm: User) -> None:
    activity = ActivityFactory(countries=["BR", ("PE", CountryRole.RECEIVER)])
    body = _new_activity(version=activity.version, countries=[{"iso2": "CO", "role": "both"}])
    response = api_for(cpm).put(f"{URL}{activity.pk}/", body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert [(c["iso2"], c["role"]) for c in response.json()["countries"]] == [("CO", "both")]


def test_status_moves_follow_the_lifecycle(api_for: ApiFor, cpm: User) -> None:
    activity = ActivityFactory(status="pipeline")
    response = api_for(cpm).patch(
        f"{URL}{activity.pk}/",
        {"version": activity.version, "status": "closed"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_editors_only(api_for: ApiFor, cpm_other: User, viewer: User) -> None:
    activity = ActivityFactory()  # LAC: not cpm_other's
    for user in (cpm_other, viewer):
        response = api_for(user).patch(
            f"{URL}{activity.pk}/",
            {"version": activity.version, "title": "Not allowed"},
            content_type="application/json",
        )
        assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.version == 1


def test_activities_are_never_deleted(api_for: ApiFor, focal: User) -> None:
    activity = ActivityFactory()
    response = api_for(focal).delete(f"{URL}{activity.pk}/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_malformed_json_is_a_400(api_for: ApiFor, cpm: User) -> None:
    response = api_for(cpm).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_the_representation_has_exactly_the_fields_the_schema_declares(
    api_for: ApiFor, viewer: User
) -> None:
    ActivityFactory(countries=["BR"], partners=[PartnerFactory()])
    item = api_for(viewer).get(URL).json()["results"][0]
    assert list(item) == list(ActivitySerializer().fields)
    assert list(item["finance"]) == list(FinanceSummarySerializer().fields)
    assert list(item["finance"]["ifad"]) == list(StageAmountsSerializer().fields)
    assert list(item["countries"][0]) == list(ActivityCountrySerializer().fields)
    assert list(item["partners"][0]) == list(ActivityPartnerSerializer().fields)


def test_a_divisions_activities_of_one_status_are_indexed_in_the_order_the_api_pages_them() -> None:
    # Filtered by division and status, a page is then read down the index: without it PostgreSQL
    # walked every activity by date and kept the few of that division and status.
    index = next(i for i in Activity._meta.indexes if i.name == "activity_division_status_idx")
    ordering = ActivityViewSet.ordering_choices[ActivityViewSet.default_ordering]
    assert index.fields == ["lead_division", "status", *ordering]
