"""Every list endpoint issues the same number of SQL queries for a page of 10 and of 100."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoDbBlocker

from accounts.models import User
from activities.models import Activity, ActivityPartner, Partner, PartnerRole, Visibility
from finance.models import FinancialEntry
from tests.factories import PartnerFactory, make_partner_org, make_role_user
from tests.helpers import shared_transaction

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/activities/",
    "/api/v1/activities/?role=receiver&ordering=-id",
    "/api/v1/activities/?updated_since=2000-01-01T00:00:00Z",
    "/api/v1/activities/?format=csv",
    "/api/v1/partners/",
    "/api/v1/countries/",
    "/api/v1/themes/",
    "/api/v1/ledger/",
    "/api/v1/ledger/?stage=allocated",
]


@pytest.fixture(scope="class")
def shared_portfolio(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[tuple[User, Partner]]:
    """The portfolio, its focal point and the partner user's organization, made once per class:
    making them cost more than counting the queries of every list."""
    with shared_transaction(django_db_blocker):
        focal, partner_org = make_role_user("focal"), make_partner_org()
        make_portfolio(focal, partner_org)
        yield focal, partner_org


def make_portfolio(focal: User, partner_org: Partner) -> None:
    """240 activities with countries, partners, themes and SDGs; 150 partners; money on each
    activity; the partner user's organization in a third of them, a third public."""
    with open("/dev/null", "w") as quiet:
        call_command("generate_synthetic", activities=240, seed=3, stdout=quiet)
    PartnerFactory.create_batch(130)
    activities = list(Activity.objects.order_by("pk"))
    ActivityPartner.objects.bulk_create(
        [
            ActivityPartner(activity=activity, partner=partner_org, role=PartnerRole.GUEST)
            for activity in activities[::3]
        ],
        ignore_conflicts=True,  # the generator may have drawn the organization already
    )
    Activity.objects.filter(pk__in=[a.pk for a in activities[1::3]]).update(
        visibility=Visibility.PUBLIC
    )
    contributor = Partner.objects.exclude(pk=partner_org.pk).first()
    FinancialEntry.objects.bulk_create(
        FinancialEntry(
            activity=activity,
            contributor=None if kind == "ifad_grant" else contributor,
            kind=kind,
            stage=stage,
            amount=Decimal(1000),
            currency="USD",
            value_date=datetime.date(2024, 1, 1),
            fiscal_year=2024,
            units_per_usd=Decimal(1),
            amount_usd=Decimal(1000),
            created_by=focal,
        )
        for activity in activities
        for kind, stage in (("ifad_grant", "allocated"), ("cofinancing", "planned"))
    )


def _count(client: Client, url: str, page_size: int) -> int:
    separator = "&" if "?" in url else "?"
    full = f"{url}{separator}page_size={page_size}"
    client.get(full)  # warm up: the token's last-use write, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(full)
    assert response.status_code == 200, response.content
    if "themes" not in url:
        # The page is really full: otherwise the comparison would prove nothing.
        body = response.json() if "csv" not in url else None
        rows = len(body["results"]) if body else len(response.content.splitlines()) - 1
        assert rows == page_size, (url, rows)
    return len(queries)


class TestOnOnePortfolio:
    """The cases of one portfolio (shared_portfolio: made once for them)."""

    @pytest.fixture
    def focal(self, shared_portfolio: tuple[User, Partner], db: None) -> User:
        # A copy per test: a test may change its objects in memory.
        return copy.deepcopy(shared_portfolio[0])

    @pytest.fixture
    def partner_org(self, shared_portfolio: tuple[User, Partner], db: None) -> Partner:
        return copy.deepcopy(shared_portfolio[1])

    @pytest.fixture
    def portfolio(self, focal: User, partner_org: Partner) -> None:
        """The shared portfolio, with the focal point and partner organization it was made with."""

    @pytest.mark.parametrize("role", ["focal", "cpm", "partner_user"])
    def test_list_endpoints_make_as_many_queries_for_100_rows_as_for_10(
        self,
        portfolio: None,
        api_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
        role: str,
    ) -> None:
        client = api_for(request.getfixturevalue(role))
        grown = {}
        for url in LISTS:
            if role == "partner_user" and url.startswith("/api/v1/partners/"):
                continue  # a partner user sees fewer than 100 organizations: checked below
            ten, hundred = _count(client, url, 10), _count(client, url, 100)
            if ten != hundred:
                grown[url] = (ten, hundred)
        assert not grown, f"(queries for 10 rows, for 100) where they differ: {grown}"

    def test_a_partner_users_partner_list_makes_a_fixed_number_of_queries(
        self, portfolio: None, api_for: Callable[[User | None], Client], partner_user: User
    ) -> None:
        client = api_for(partner_user)
        url = "/api/v1/partners/?page_size="
        client.get(url + "5")
        with CaptureQueriesContext(connection) as five:
            assert len(client.get(url + "5").json()["results"]) == 5
        with CaptureQueriesContext(connection) as twenty:
            assert len(client.get(url + "20").json()["results"]) == 20
        assert len(five) == len(twenty)
