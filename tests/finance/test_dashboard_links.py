"""Every chart element of the dashboard opens the activity list filtered to the activities it
counts (finance.dashboard.links, finance.list_filters): followed link by link on a synthetic
portfolio, the list holds as many activities as the dashboard's own count for that element."""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, CountryRole
from finance import rollups
from finance.dashboard import Reference, Selection, build_dashboard
from finance.dashboard.links import ListLinks, _selection_params
from finance.models import FinancialEntry
from finance.rollups import RollupFilters, rollup_state
from tests.factories import division
from tests.finance.dashboard_data import generate_ledger, small_portfolio

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("contexts_without_widgets")]


def _listed(client: Client, url: str) -> list[Activity]:
    """Every activity the list shows at `url`, all pages."""
    found: list[Activity] = []
    page = 1
    while True:
        response = client.get(f"{url}&page={page}")
        assert response.status_code == 200, url
        assert not response.context["filter_errors"], (url, response.context["filter_errors"])
        page_obj = response.context["page_obj"]
        found += list(page_obj.object_list)
        if not page_obj.has_next():
            return found
        page += 1


def _element_cases(selection: Selection) -> list[tuple[str, str, RollupFilters]]:
    """(chart, url, the element as a dashboard filter) for every bar, pie slice and country."""
    board = build_dashboard(selection, rollup_state(), map_url="")
    charts = {chart.slug: chart for chart in board.charts}
    base = selection.filters
    dimensions: list[tuple[str, list[Any], Any]] = [
        ("years", selection.by_year, lambda k: {"year_from": k, "year_to": k}),
        ("divisions", selection.by_division, lambda k: {"divisions": (k,)}),
        ("leverage", selection.by_division, lambda k: {"divisions": (k,)}),
        ("themes", selection.by_theme, lambda k: {"themes": (k,)}),
        ("modalities", selection.by_modality, lambda k: {"modalities": (k,)}),
        ("countries", selection.by_country, lambda k: {"countries": (k,)}),
    ]
    cases = []
    for slug, groups, narrowed in dimensions:
        links = charts[slug].table.links
        assert len(links) == len(groups), slug
        for group, url in zip(groups, links, strict=True):
            if group.key is None:
                assert url == "", "money attributed to nothing has no list to open"
                continue
            cases.append((slug, url, dataclasses.replace(base, **narrowed(group.key))))
    return cases


def _check_elements(client: Client, user: User, filters: RollupFilters) -> int:
    reference = Reference.load()
    selection = Selection(user, filters, reference)
    checked = 0
    for slug, url, element in _element_cases(selection):
        expected = Selection(user, element, reference).activity_count
        assert len(_listed(client, url)) == expected, (slug, url)
        checked += 1
    board = build_dashboard(selection, rollup_state(), map_url="")
    flows = next(chart for chart in board.charts if chart.slug == "flows")
    for flow, url in zip(selection.flows, flows.table.links, strict=True):
        listed = _listed(client, url)
        assert len(listed) == flow.activities, url
        for activity in listed:
            roles = {(link.country_id, link.role) for link in activity.country_links.all()}
            assert roles & {(flow.provider.pk, r) for r in ("provider", "both")}
            assert roles & {(flow.receiver.pk, r) for r in ("receiver", "both")}
        checked += 1
    return checked


def test_each_chart_element_lists_exactly_the_activities_it_counts(
    focal: User, focal_client: Client
) -> None:
    generate_ledger(activities=30, entries_per_activity=3, seed=22)
    checked = _check_elements(focal_client, focal, RollupFilters())
    assert checked > 30  # years, divisions, themes, modalities, countries and flows
    # Without an element: the list of everything with money is the dashboard's count.
    everything = Selection(focal, RollupFilters(), Reference.load()).activity_count
    assert len(_listed(focal_client, reverse("activities:list") + "?with_money=true")) == everything


def test_the_elements_keep_the_dashboards_filters(focal: User, focal_client: Client) -> None:
    generate_ledger(activities=30, entries_per_activity=3, seed=23)
    filters = RollupFilters(year_from=2020, year_to=2023, divisions=(division("LAC").pk,))
    assert _check_elements(focal_client, focal, filters) > 5


def test_a_year_lists_the_activities_with_money_that_year(focal_client: Client) -> None:
    lac, apr = small_portfolio()
    FinancialEntry.objects.filter(activity=apr).update(fiscal_year=2023)
    rollups.rebuild_all()
    url = reverse("activities:list") + "?money_from=2024&money_to=2024"
    assert [a.pk for a in _listed(focal_client, url)] == [lac.pk]
    url = reverse("activities:list") + "?money_from=2023"
    assert {a.pk for a in _listed(focal_client, url)} == {lac.pk, apr.pk}


def test_the_dashboard_page_links_each_row_and_chart_element(focal_client: Client) -> None:
    small_portfolio()
    page = focal_client.get(reverse("finance:dashboard")).content.decode()
    assert 'href="/activities/?with_money=true&amp;money_from=2024&amp;money_to=2024"' in page
    assert 'href="/activities/?with_money=true&amp;country=MZ"' in page
    # A flow's link says both countries: several rows may start with the same provider.
    flow_link = (
        '<a href="/activities/?with_money=true&amp;provider=BR&amp;receiver=MZ" '
        'aria-label="Activities from Brazil to Mozambique">Brazil</a>'
    )
    assert flow_link in page
    found = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert found
    data = json.loads(found[1])
    assert (
        data["flows"]["links"][0]["url"] == "/activities/?with_money=true&provider=BR&receiver=MZ"
    )
    assert data["years"]["urls"] == ["/activities/?with_money=true&money_from=2024&money_to=2024"]
    assert all(item["url"] for item in data["countries"]["items"])


def test_money_filters_show_only_the_money_the_caller_reads(
    partner_user: User, client_for: Any
) -> None:
    """A partner user reads public money only: internal activities with money never match."""
    lac, _apr = small_portfolio()
    lac.partner_links.create(partner=partner_user.partner, role="implementing")
    client = client_for(partner_user)
    listed = _listed(client, reverse("activities:list") + "?with_money=true")
    assert listed == []  # the activity is internal: its money is not the partner user's to read
    Activity.objects.filter(pk=lac.pk).update(visibility="public")
    rollups.rebuild_all()
    assert [a.pk for a in _listed(client, reverse("activities:list") + "?with_money=1")] == [lac.pk]


def test_a_provider_and_a_receiver_are_matched_by_their_roles(focal_client: Client) -> None:
    lac, _apr = small_portfolio()  # BR provides (both), MZ receives
    assert lac.country_links.get(country__iso2="MZ").role == CountryRole.RECEIVER
    listed = _listed(focal_client, reverse("activities:list") + "?provider=MZ&receiver=BR")
    assert listed == []
    listed = _listed(focal_client, reverse("activities:list") + "?provider=BR&receiver=MZ")
    assert [a.pk for a in listed] == [lac.pk]


def _url_as_before(filters: RollupFilters, reference: Reference, **element: Any) -> str:
    """An element's link as the dashboard wrote it before ListLinks: every link's parameters
    built anew in a QueryDict."""
    params = _selection_params(filters, reference)
    year = element.pop("year", None)
    if year is not None:
        params["money_from"] = params["money_to"] = [str(year)]
    for name, value in element.items():
        params[name] = [str(value)]
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, values)
    return f"{reverse('activities:list')}?{query.urlencode()}"


def test_each_elements_link_is_the_one_written_before(db: None) -> None:
    """The links of a selection are built from its part of the query string, written once: the
    same URLs, parameters in the same order, as each link built anew."""
    reference = Reference.load()
    division_ids = list(reference.divisions)[:2]
    country_ids = list(reference.countries)[:2]
    theme_ids = list(reference.themes)[:1]
    selections = [
        RollupFilters(),
        RollupFilters(year_from=2015, year_to=2020, divisions=tuple(division_ids)),
        RollupFilters(year_to=2020, countries=tuple(country_ids), agreements=("confirmed",)),
        RollupFilters(
            year_from=2019,
            themes=tuple(theme_ids),
            modalities=("triangular",),
            statuses=("ongoing",),
            funding_natures=("grant",),
            agreements=("waiting", "disputed"),
        ),
    ]
    country = reference.countries[country_ids[1]].iso2
    elements: list[dict[str, Any]] = [
        {"year": 2018},
        {"division": reference.divisions[division_ids[0]].code},
        {"country": country},
        {"theme": reference.themes[theme_ids[0]].code},
        {"modality": "south-south & more"},  # a value the query string must escape
        {"provider": "BR", "receiver": country},
    ]
    for filters in selections:
        links = ListLinks(filters, reference)
        for element in elements:
            # Twice: the second reuses the first's shape of the query string.
            for _twice in range(2):
                expected = _url_as_before(filters, reference, **dict(element))
                assert links.url(**dict(element)) == expected, (filters, element)
