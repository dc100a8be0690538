"""Full-text search of the library: PostgreSQL's ranked search over titles, abstracts, bodies
and the text of attached PDFs, the facets, the filters and sorts, and the SQLite fallback."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from activities.models import Visibility
from knowledge.models import KnowledgeAsset
from tests.factories import ActivityFactory
from tests.html import parse
from tests.knowledge.factories import make_asset

pytestmark = pytest.mark.django_db


def titles(client: Client, query: str = "") -> list[str]:
    response = client.get(reverse("knowledge:search") + query)
    assert response.status_code == 200
    return [
        node.text()
        for node in parse(response.content).iter()
        if node.tag == "h3" and node.parent is not None and "result" in node.parent.classes
    ]


def test_a_word_only_inside_an_attached_pdf_finds_the_asset(viewer_client: Client) -> None:
    make_asset(title="Crab culture value chain", pdf_lines=["The Munshiganj quorvex method"])
    make_asset(title="Flower marketing in Jessore")
    assert titles(viewer_client, "?q=quorvex") == ["Crab culture value chain"]
    response = viewer_client.get(reverse("knowledge:search") + "?q=quorvex")
    # The snippet shows where the word was found.
    assert b"<mark>quorvex</mark>" in response.content


def test_results_are_ranked_title_before_abstract_before_body_before_files(
    viewer_client: Client,
) -> None:
    make_asset(title="Attached", pdf_lines=["irrigation"], published_on=datetime.date(2024, 4, 1))
    make_asset(title="In the body", body="Drip irrigation.", published_on=datetime.date(2024, 3, 1))
    make_asset(title="Irrigation schemes", published_on=datetime.date(2020, 1, 1))
    make_asset(title="Abstract", abstract="On irrigation.", published_on=datetime.date(2024, 2, 1))
    assert titles(viewer_client, "?q=irrigation") == [
        "Irrigation schemes",
        "Abstract",
        "In the body",
        "Attached",
    ]
    # Sorting by date instead of relevance.
    assert titles(viewer_client, "?q=irrigation&sort=oldest")[0] == "Irrigation schemes"


def test_words_are_stemmed_in_the_asset_language(viewer_client: Client) -> None:
    make_asset(title="Learning routes in the Andes", abstract="", language="en")
    make_asset(title="Rutas de aprendizaje rurales", abstract="", language="es")
    assert titles(viewer_client, "?q=route") == ["Learning routes in the Andes"]
    assert titles(viewer_client, "?q=ruta") == ["Rutas de aprendizaje rurales"]


def test_search_syntax_phrases_and_exclusions(viewer_client: Client) -> None:
    make_asset(title="Value chains for cassava")
    make_asset(title="Chains of value for rice")
    assert set(titles(viewer_client, "?q=value+chains")) == {
        "Value chains for cassava",
        "Chains of value for rice",
    }
    assert titles(viewer_client, '?q="value+chains"') == ["Value chains for cassava"]
    assert titles(viewer_client, "?q=value+-rice") == ["Value chains for cassava"]


def test_facets_count_the_results_and_filter_them(viewer_client: Client) -> None:
    make_asset(title="Brazil case", countries=["BR"], themes=[1, 2], asset_type="case_study")
    make_asset(title="Peru guide", countries=["PE"], themes=[2], asset_type="toolkit")
    make_asset(
        title="Old APR brief",
        division_code="APR",
        themes=[5],
        asset_type="policy_brief",
        language="fr",
        published_on=datetime.date(2012, 5, 1),
    )
    response = viewer_client.get(reverse("knowledge:search"))
    groups = {g["name"]: g for g in response.context["facet_groups"]}
    counts = {
        name: {item["facet"].value: item["facet"].count for item in group["values"]}
        for name, group in groups.items()
    }
    assert counts["type"] == {"case_study": 1, "toolkit": 1, "policy_brief": 1}
    assert counts["country"] == {"BR": 1, "PE": 1}
    assert counts["division"] == {"APR": 1, "LAC": 2}
    assert counts["theme"] == {"agri-technologies": 1, "agri-production": 2, "climate-change": 1}
    assert counts["language"] == {"en": 2, "fr": 1}
    assert counts["year"] == {"2024": 2, "2012": 1}
    labels = {
        name: [item["facet"].label for item in group["values"]] for name, group in groups.items()
    }
    assert labels["year"] == ["2024", "2012"]
    assert labels["division"] == [
        "Asia and the Pacific Division",
        "Latin America and the Caribbean Division",
    ]
    assert labels["type"] == ["Case study", "Policy brief", "Toolkit / how-to note"]
    assert labels["country"] == ["Brazil", "Peru"]
    assert titles(viewer_client, "?theme=agri-production&country=PE") == ["Peru guide"]
    assert titles(viewer_client, "?division=APR") == ["Old APR brief"]
    assert titles(viewer_client, "?year=2012") == ["Old APR brief"]
    assert titles(viewer_client, "?language=fr") == ["Old APR brief"]
    assert titles(viewer_client, "?type=toolkit") == ["Peru guide"]
    assert titles(viewer_client, "?sort=title") == ["Brazil case", "Old APR brief", "Peru guide"]
    filtered = viewer_client.get(reverse("knowledge:search") + "?country=BR")
    types = next(g for g in filtered.context["facet_groups"] if g["name"] == "type")
    assert [(i["facet"].value, i["facet"].count) for i in types["values"]] == [("case_study", 1)]


def test_a_page_past_the_last_shows_the_last(viewer_client: Client) -> None:
    for i in range(23):
        make_asset(title=f"Asset {i:02d}", published_on=datetime.date(2024, 1, 1 + i))
    response = viewer_client.get(reverse("knowledge:search") + "?page=99")
    assert response.context["page_obj"].number == 2
    assert [a.title for a in response.context["assets"]] == ["Asset 02", "Asset 01", "Asset 00"]
    assert titles(viewer_client, "?page=abc")[0] == "Asset 22"


def test_assets_of_an_activity(viewer_client: Client) -> None:
    activity = ActivityFactory()
    make_asset(title="From the activity", activities=[activity])
    make_asset(title="Elsewhere")
    assert titles(viewer_client, f"?activity={activity.pk}") == ["From the activity"]


def test_bad_filters_are_reported_and_ignored(viewer_client: Client) -> None:
    make_asset(title="Anything")
    response = viewer_client.get(reverse("knowledge:search") + "?country=XX&year=abc")
    assert set(response.context["filter_errors"]) == {"country", "year"}
    assert titles(viewer_client, "?country=XX&year=abc") == ["Anything"]


def test_internal_assets_are_neither_listed_nor_counted_for_partner_users(
    partner_client: Client,
) -> None:
    make_asset(title="Internal quorvex notes", countries=["BR"])
    make_asset(title="Public quorvex case", visibility=Visibility.PUBLIC, countries=["PE"])
    assert titles(partner_client, "?q=quorvex") == ["Public quorvex case"]
    response = partner_client.get(reverse("knowledge:search"))
    countries = next(g for g in response.context["facet_groups"] if g["name"] == "country")
    assert [i["facet"].value for i in countries["values"]] == ["PE"]
    assert titles(partner_client, "?country=BR") == []


def test_sqlite_quickstart_falls_back_to_substrings_newest_first(
    viewer_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_asset(title="Older", body="Cassava processing", published_on=datetime.date(2020, 1, 1))
    make_asset(
        title="Newer", pdf_lines=["cassava processing"], published_on=datetime.date(2023, 1, 1)
    )
    make_asset(title="Unrelated", body="Rice")
    monkeypatch.setattr(connection, "vendor", "sqlite")
    # Every word, anywhere, in any case; no ranking: newest first.
    assert titles(viewer_client, "?q=CASSAVA+process") == ["Newer", "Older"]
    assert titles(viewer_client, "?q=cassava+rice") == []


def _count(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_search_page_queries_do_not_grow_with_assets(
    client_for: Callable[[User | None], Client], cpm: User, fast_templates: None
) -> None:
    """The four pages counted over one library, then over the same grown: making its 52 assets
    for each page cost most of this file's time."""
    client = client_for(cpm)
    queries = ("", "?q=route", "?q=route&country=BR&theme=value-chains&sort=title", "?page=2")
    urls = [reverse("knowledge:search") + query for query in queries]

    def add(n: int) -> None:
        for i in range(n):
            make_asset(
                title=f"Learning route {i}",
                countries=["BR", "PE"][: 1 + i % 2],
                themes=[3, 1 + i % 10],
                pdf_lines=["route"] if i % 3 == 0 else [],
            )

    add(22)
    few = {url: _count(client, url) for url in urls}
    add(30)
    assert {url: _count(client, url) for url in urls} == few
    assert KnowledgeAsset.objects.count() == 52
