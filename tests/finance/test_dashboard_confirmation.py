"""The dashboard's Confirmation filter and its coverage figure reconcile: for the filter sets of
the dashboard's reconciliation tests, the money of each agreement state adds up to the unfiltered
money to the cent, chart by chart; the activities counted under each state are those the
activity list finds with ?agreement=<state> and the same filters; the roll-up API answers the
same money and counts; and the page costs the same number of queries with the filter as without,
whatever the size of the portfolio."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import caches
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from accounts.models import User
from activities.models import Activity, ActivityCountry, Agreement
from finance import rollups
from finance.figures import percent
from finance.models import FinancialEntry, RollupRefresh, Stage
from tests.finance.dashboard_data import generate_ledger
from tests.finance.test_dashboard import (
    activities_with_money,
    column_sum,
    listed,
    money,
    pages_money,
    queries_for,
    summary,
    table_csv,
)
from tests.helpers import shared_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

STATES = tuple(Agreement.values)
# The filter sets of tests/finance/test_dashboard.py (its reconciliations and its constant
# number of queries), a country this generated portfolio has in place of Brazil.
QUERIES = (
    "",
    "division=APR",
    "status=ongoing",
    "modality=south_south",
    "funding_nature=grant",
    "fiscal_year_from=2019&fiscal_year_to=2023",
    "division=APR&status=ongoing",
    "country={busiest}",
    "theme=gender&funding_nature=grant",
)
COVERAGE_ACTIVITIES = "Confirmed by every side, activities: confirmed / all (%)"
COVERAGE_MONEY = "Confirmed by every side, money: allocated in confirmed activities / allocated (%)"


def move_agreements(moves: dict[int, str]) -> None:
    """Set activities' agreement as the counterparts app does (a bulk update that touches
    `updated_at`, and the roll-ups' refresh requested in the same transaction), without
    draining the requests."""
    divisions = dict(Activity.objects.filter(pk__in=list(moves)).values_list("pk", "lead_division"))
    for state in set(moves.values()):
        ids = [pk for pk, moved_to in moves.items() if moved_to == state]
        Activity.objects.filter(pk__in=ids).update(agreement=state, updated_at=timezone.now())
    rollups.request_refresh_for_changed_activities(
        {pk: [division] for pk, division in divisions.items()}
    )


def spread_agreements(seed: int) -> None:
    """Every agreement state on some of the activities, as the counterparts app sets them, and
    the roll-ups refreshed (as a worker drains the requests)."""
    rng = random.Random(seed)
    pks = Activity.objects.order_by("pk").values_list("pk", flat=True)
    move_agreements({pk: rng.choice(STATES) for pk in pks})
    rollups.drain_refresh_requests()


def with_state(query: str, state: str) -> str:
    return f"{query}&agreement={state}" if query else f"agreement={state}"


def expected_activities(query: str, user: User, state: str | None = None) -> QuerySet[Activity]:
    """The activities with money in the selection, from the activity list's filter (the list's
    years are reporting years: a fiscal year range is applied to the entries instead)."""
    params = [part for part in query.split("&") if part and not part.startswith("fiscal_year")]
    if state is not None:
        params.append(f"agreement={state}")
    activities = activities_with_money(listed("&".join(params), user))
    if "fiscal_year_from" in query:
        in_years = FinancialEntry.objects.filter(fiscal_year__range=(2019, 2023))
        activities = activities.filter(pk__in=in_years.values("activity_id"))
    return activities


def allocated(figures: dict[tuple[str, str], Decimal]) -> Decimal:
    return sum(
        (figures[family, Stage.ALLOCATED] for family in ("ifad", "cofinancing", "in_kind")),
        Decimal(0),
    )


@pytest.fixture(scope="class")
def shared_portfolio(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Generating the portfolio cost more than most of its tests: made once per class."""
    with shared_transaction(django_db_blocker):
        generate_ledger(activities=40, entries_per_activity=6, seed=11)
        spread_agreements(seed=12)
        yield


@pytest.fixture
def portfolio(shared_portfolio: None, db: None) -> None:
    """The generated portfolio, every agreement state on some of its activities."""


def resolved(query: str) -> str:
    """`{busiest}`: the country with the most activities with money."""
    if "{busiest}" not in query:
        return query
    links = ActivityCountry.objects.filter(
        activity_id__in=FinancialEntry.objects.values("activity_id")
    )
    busiest = Counter(links.values_list("country__iso2", flat=True)).most_common(1)
    return query.replace("{busiest}", busiest[0][0])


class TestOnOnePortfolio:
    """The tests that read the generated portfolio (shared_portfolio: made once for them)."""

    @pytest.mark.parametrize("query", QUERIES)
    def test_each_state_adds_up_to_the_whole_and_counts_the_activity_lists_activities(
        self, portfolio: None, focal: User, focal_client: Client, query: str
    ) -> None:
        query = resolved(query)
        everything = summary(focal_client, query)
        whole = money(everything)
        assert expected_activities(query, focal).exists(), query
        parts = {state: summary(focal_client, with_state(query, state)) for state in STATES}
        for family, stage in whole:
            assert (
                sum(money(parts[state])[family, stage] for state in STATES) == whole[family, stage]
            )
        for state in STATES:
            activities = expected_activities(query, focal, state)
            count = activities.count()
            assert int(parts[state]["Activities with money"]) == count, (query, state)
            # The coverage's counts, on the unfiltered page and on every filtered one alike.
            label = f"Activities: {Agreement(state).label}"
            assert int(everything[label]) == count == int(parts[state][label]), (query, state)
            if "fiscal_year" not in query and "country" not in query and "theme" not in query:
                # The whole money of the state's activities, as their finance pages sum it.
                assert money(parts[state]) == pages_money(activities), (query, state)
        confirmed = int(everything[f"Activities: {Agreement.CONFIRMED.label}"])
        assert Decimal(everything[COVERAGE_ACTIVITIES]) == percent(
            Decimal(confirmed), Decimal(int(everything["Activities with money"]))
        )
        assert Decimal(everything[COVERAGE_MONEY]) == percent(
            allocated(money(parts[Agreement.CONFIRMED])), allocated(whole)
        )
        assert parts[Agreement.WAITING][COVERAGE_MONEY] == everything[COVERAGE_MONEY]

    @pytest.mark.parametrize("query", ["", "country={busiest}", "theme=gender"])
    def test_every_chart_of_a_state_adds_up_to_its_total(
        self, portfolio: None, focal_client: Client, query: str
    ) -> None:
        query = resolved(query)
        for state in (Agreement.CONFIRMED, Agreement.WAITING):
            filtered = with_state(query, state)
            total = money(summary(focal_client, filtered))
            for slug in ("years", "divisions", "themes", "modalities", "countries"):
                body, table_total = column_sum(
                    table_csv(focal_client, slug, filtered), "IFAD allocated (US$)"
                )
                assert body == table_total == total["ifad", Stage.ALLOCATED], (filtered, slug)

    @pytest.mark.parametrize("query", QUERIES)
    def test_the_api_answers_the_dashboards_money_and_coverage(
        self, portfolio: None, focal: User, focal_client: Client, query: str
    ) -> None:
        client = focal_client  # the API reads the signed-in session as it reads a token
        query = resolved(query)
        params: dict[str, Any] = {}
        for part in query.split("&") if query else ():
            name, value = part.split("=")
            params.setdefault(name, []).append(value)
        for state in (Agreement.CONFIRMED, Agreement.DISPUTED):
            response = client.get(
                "/api/v1/rollups/", {"group_by": "country", **params, "agreement": state}
            )
            assert response.status_code == 200, response.content
            body = response.json()
            dashboard = money(summary(focal_client, with_state(query, state)))
            assert Decimal(body["total"]["ifad"]["allocated"]) == dashboard["ifad", Stage.ALLOCATED]
            assert Decimal(body["total"]["total"]["spent"]) == sum(
                dashboard[family, Stage.SPENT] for family in ("ifad", "cofinancing", "in_kind")
            )
            groups = sum(Decimal(group["total"]["allocated"]) for group in body["groups"])
            assert groups == Decimal(body["total"]["total"]["allocated"])
            coverage = body["coverage"]
            assert (
                coverage["confirmed"]
                == expected_activities(query, focal, Agreement.CONFIRMED).count()
            )
            assert (
                coverage["no_counterpart"]
                == expected_activities(query, focal, Agreement.NONE).count()
            )
            assert coverage["activities"] == expected_activities(query, focal).count()
            assert coverage["confirmed_allocated_usd"] == str(
                allocated(money(summary(focal_client, with_state(query, Agreement.CONFIRMED))))
            )

    def test_a_moved_agreement_shows_once_its_refresh_is_drained(
        self, portfolio: None, focal_client: Client
    ) -> None:
        before = summary(focal_client)
        before_confirmed = summary(focal_client, "agreement=confirmed")
        waiting = Activity.objects.filter(
            agreement=Agreement.WAITING, pk__in=FinancialEntry.objects.values("activity_id")
        ).first()
        assert waiting is not None
        move_agreements({waiting.pk: Agreement.CONFIRMED})
        # The roll-ups (and so the cached figures, keyed by their "as of") move with the refresh.
        assert RollupRefresh.objects.exists()
        assert summary(focal_client, "agreement=confirmed") == before_confirmed
        rollups.drain_refresh_requests()
        after = summary(focal_client)
        assert int(after["Activities: Confirmed by all sides"]) == (
            int(before["Activities: Confirmed by all sides"]) + 1
        )
        confirmed = summary(focal_client, "agreement=confirmed")
        assert int(confirmed["Activities with money"]) == (
            int(before_confirmed["Activities with money"]) + 1
        )
        gained = pages_money(Activity.objects.filter(pk=waiting.pk))
        for key, amount in money(before_confirmed).items():
            assert money(confirmed)[key] == amount + gained[key], key
        assert money(after) == money(before)

    def test_the_page_shows_the_filter_and_the_coverage(
        self, portfolio: None, focal_client: Client
    ) -> None:
        page = focal_client.get(
            reverse("finance:dashboard") + "?agreement=disputed"
        ).content.decode()
        assert 'name="agreement" value="disputed" id="id_agreement_2" checked' in page
        assert 'data-figure="coverage_activities"' in page
        assert 'data-figure="coverage_money"' in page
        assert "Activities confirmed by every side:" in page
        bad = focal_client.get(reverse("finance:dashboard") + "?agreement=maybe")
        assert bad.status_code == 400
        assert "Confirmation: Select a valid choice." in bad.content.decode()


def test_the_filter_and_coverage_cost_the_same_queries_whatever_the_portfolio(
    focal_client: Client,
) -> None:
    urls = [
        reverse("finance:dashboard") + "?" + with_state(query, state)
        for query in ("", "division=APR&status=ongoing", "country=BR&modality=triangular")
        for state in ("confirmed", "waiting")
    ]

    def counts() -> list[tuple[int, int]]:
        found = []
        for url in urls:
            caches["dashboard"].clear()
            found.append((queries_for(focal_client, url), queries_for(focal_client, url)))
        return found

    generate_ledger(activities=6, entries_per_activity=2, seed=3)
    spread_agreements(seed=3)
    small = counts()
    generate_ledger(activities=120, entries_per_activity=8, seed=4)
    spread_agreements(seed=4)
    assert counts() == small
    # The unfiltered page's queries (tests/finance/test_dashboard.py) plus the coverage's base
    # money (the page's own money is then the filtered one); once cached, the unfiltered page's.
    caches["dashboard"].clear()
    plain = reverse("finance:dashboard")
    unfiltered = queries_for(focal_client, plain), queries_for(focal_client, plain)
    assert small[0] == (unfiltered[0] + 1, unfiltered[1]) == (21, 12)
