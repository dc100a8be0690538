"""The activity page lists the activity's knowledge and related knowledge from activities on the
same themes and countries, in one query however many assets there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from activities.models import Activity, Visibility
from tests.factories import ActivityFactory, theme
from tests.knowledge.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity() -> Activity:
    return ActivityFactory(
        title="Cassava exchange", countries=["BR", "MZ"], themes=[theme(3)], visibility="public"
    )


def _section(client: Client, activity: Activity) -> str:
    page = client.get(activity.get_absolute_url()).content.decode()
    start = page.index('id="knowledge-title"')
    return page[start : page.index("</section>", start)]


def test_own_and_related_knowledge_are_shown(viewer_client: Client, activity: Activity) -> None:
    neighbour = ActivityFactory(countries=["MZ"], themes=[theme(3)])
    other_theme = ActivityFactory(countries=["MZ"], themes=[theme(5)])
    other_country = ActivityFactory(countries=["SN"], themes=[theme(3)])
    make_asset(title="Our own case study", activities=[activity])
    make_asset(title="Neighbour's guide", activities=[neighbour])
    make_asset(title="Climate note", activities=[other_theme])
    make_asset(title="Senegal story", activities=[other_country])
    section = _section(viewer_client, activity)
    own, related = section.split("Related knowledge")
    assert "Our own case study" in own and "Neighbour&#x27;s guide" in related
    assert "Climate note" not in section and "Senegal story" not in section


def test_partner_users_see_no_internal_knowledge_on_the_activity_page(
    partner_client: Client, activity: Activity
) -> None:
    make_asset(title="Internal debrief", activities=[activity])
    make_asset(title="Public case", activities=[activity], visibility=Visibility.PUBLIC)
    section = _section(partner_client, activity)
    assert "Public case" in section and "Internal debrief" not in section
    assert "Add an asset from this activity" not in section


def test_empty_state_and_link_to_add_knowledge(cpm_client: Client, activity: Activity) -> None:
    section = _section(cpm_client, activity)
    assert "No knowledge asset comes from this activity yet." in section
    assert f"/knowledge/assets/new/?activity={activity.pk}" in section


def test_activity_page_queries_do_not_grow_with_knowledge(
    cpm_client: Client, activity: Activity, fast_templates: None
) -> None:
    neighbour = ActivityFactory(countries=["BR"], themes=[theme(3)])

    def count() -> int:
        cpm_client.get(activity.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            assert cpm_client.get(activity.get_absolute_url()).status_code == 200
        return len(queries)

    make_asset(activities=[activity])
    few = count()
    for i in range(15):
        make_asset(title=f"Own {i}", activities=[activity], countries=["BR"])
        make_asset(title=f"Related {i}", activities=[neighbour])
    assert count() == few
    section = _section(cpm_client, activity)
    assert "All the assets of this activity" in section
