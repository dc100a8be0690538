"""Pages issue a fixed number of SQL queries, however many rows they show."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, CountryRole, Partner, PartnerRole, Status, StatusChange
from tests.factories import ActivityFactory, PartnerFactory, country, theme

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

ROLES = ["focal", "cpm"]
COUNTRY_CODES = ["BR", "PE", "CO", "MX", "HT", "IN", "MZ", "SN"]


def _activities(n: int, partners: list[Partner]) -> list[Activity]:
    """n activities, each with countries, partners in two roles, themes and a status change;
    responsible CPMs and lead divisions vary so that every related row is different."""
    made = []
    for i in range(n):
        activity = ActivityFactory(
            countries=[COUNTRY_CODES[i % 8], (COUNTRY_CODES[(i + 3) % 8], CountryRole.RECEIVER)],
            partners=[
                (partners[i % len(partners)], PartnerRole.HOST),
                (partners[(i + 1) % len(partners)], PartnerRole.BROKER),
            ],
            themes=[theme(1 + i % 10), theme(1 + (i + 1) % 10)],
            status=[Status.PIPELINE, Status.APPROVED, Status.ONGOING][i % 3],
        )
        StatusChange.objects.create(activity=activity, to_status=activity.status)
        made.append(activity)
    return made


def _count(client: Client, url: str) -> int:
    client.get(url)  # warm caches (sessions, content types) so both sides are comparable
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def partners() -> list[Partner]:
    return [PartnerFactory(country=country(code)) for code in COUNTRY_CODES]


@pytest.fixture
def as_role(request: pytest.FixtureRequest, client_for: Callable[[User | None], Client]):  # type: ignore[no-untyped-def]
    def make(role: str) -> Client:
        return client_for(request.getfixturevalue(role))

    return make


LIST_QUERIES = {
    "plain": "",
    "country": "?country=BR",
    "country_and_role": "?country=MZ&role=receiver",
    "status_sorted": "?status=approved&ordering=-updated",
    "theme": "?theme=agri-technologies",
    "mine": "?mine=1",
    "search": "?q=rural",
    "second_page": "?page=2",
}


def _counts(clients: dict[str, Client], urls: dict[str, str]) -> dict[tuple[str, str], int]:
    return {(role, name): _count(client, url) for role, client in clients.items()
            for name, url in urls.items()}  # fmt: skip


def test_activity_list_and_home_queries_do_not_grow_with_rows(
    as_role, partners: list[Partner]
) -> None:
    """Each role's list (with each filter) and home page, for 5 activities and then for 50: the
    portfolio made once for both roles and both pages."""
    clients = {role: as_role(role) for role in ROLES}
    urls = {name: reverse("activities:list") + query for name, query in LIST_QUERIES.items()}
    urls["home"] = reverse("home")
    _activities(5, partners)
    few = _counts(clients, urls)
    _activities(45, partners)
    many = _counts(clients, urls)
    grown = {key: (few[key], many[key]) for key in few if few[key] != many[key]}
    assert not grown, f"(queries for 5 activities, for 50) where they differ: {grown}"


@pytest.mark.parametrize("page", ["activities:detail", "activities:edit", "activities:history"])
def test_activity_page_queries_do_not_grow_with_countries_and_partners(
    as_role, partners: list[Partner], page: str
) -> None:
    small = ActivityFactory(countries=["BR"], partners=[partners[0]], themes=[theme(1)])
    big = ActivityFactory(
        countries=COUNTRY_CODES,
        partners=[(p, PartnerRole.HOST) for p in partners]
        + [(p, PartnerRole.FUNDER) for p in partners],
        themes=[theme(i) for i in range(1, 9)],
    )
    for activity in (small, big):
        StatusChange.objects.create(activity=activity, to_status=activity.status)
    for role in ROLES:
        client = as_role(role)
        one = _count(client, reverse(page, args=[small.pk]))
        eight = _count(client, reverse(page, args=[big.pk]))
        assert one == eight, f"{role}: {one} queries with 1 country/partner, {eight} with 8"


def test_partner_list_queries_do_not_grow_with_rows(as_role) -> None:
    clients = {role: as_role(role) for role in ROLES}
    urls = {"partners": reverse("activities:partner_list")}
    for code in COUNTRY_CODES[:5]:
        PartnerFactory(country=country(code))
    few = _counts(clients, urls)
    for i in range(45):
        ActivityFactory(partners=[PartnerFactory(country=country(COUNTRY_CODES[i % 8]))])
    assert _counts(clients, urls) == few


def test_partner_detail_queries_do_not_grow_with_activities(
    as_role, partners: list[Partner]
) -> None:
    clients = {role: as_role(role) for role in ROLES}
    partner = partners[0]
    ActivityFactory(partners=[partner])
    urls = {"partner": reverse("activities:partner_detail", args=[partner.pk])}
    few = _counts(clients, urls)
    for _ in range(30):
        ActivityFactory(partners=[(partner, PartnerRole.HOST), (partner, PartnerRole.FUNDER)])
    assert _counts(clients, urls) == few


def test_partner_user_list_queries_do_not_grow_with_rows(
    partner_user: User, partner_org: Partner, partners: list[Partner], client_for
) -> None:
    client = client_for(partner_user)
    for activity in _activities(5, partners):
        activity.partner_links.create(partner=partner_org, role=PartnerRole.GUEST)
    few = _count(client, reverse("activities:list"))
    for activity in _activities(45, partners):
        activity.partner_links.create(partner=partner_org, role=PartnerRole.GUEST)
    assert _count(client, reverse("activities:list")) == few


@pytest.mark.parametrize("role", ROLES)
def test_activity_page_runs_no_statement_twice(as_role, role: str) -> None:
    """Whether the user may change the activity is read once, for the page's buttons and its
    counterparts panels alike."""
    activity = ActivityFactory(countries=["BR"], themes=[theme(1)])
    client = as_role(role)
    url = reverse("activities:detail", args=[activity.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    repeated = {sql for sql in statements if statements.count(sql) > 1}
    assert not repeated, repeated
