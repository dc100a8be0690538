"""The History pages of a learning route (with its host cases, participants and action plans),
a learning demand and a learning offer: who changed what, from what to what, through what; read
like the record, in a fixed number of queries."""

from __future__ import annotations

import datetime
import html
from typing import Any

import pytest
from django.db.models import F, Model
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.history import Through
from activities.models import Partner
from knowledge import services
from knowledge.models import (
    ActionPlan,
    HostCase,
    LearningDemand,
    LearningOffer,
    LearningRoute,
    RouteParticipant,
)
from knowledge.record_history import (
    demand_history_entries,
    offer_history_entries,
    route_history_entries,
)
from tests.factories import PartnerFactory, country, theme
from tests.knowledge.factories import make_demand, make_offer, make_plan, make_route
from tests.knowledge.test_routes import plan_form, route_form

pytestmark = pytest.mark.django_db

# Names of columns and bookkeeping a reader must never see on a History page.
INTERNAL_NAMES = (
    "_id",
    "history_change_reason",
    "history_type",
    "knowledge:form",
    "knowledge:api",
    "match_score",
)


def _an_hour_ago(*models_and_lookups: tuple[type[Model], dict[str, Any]]) -> None:
    """The recorded history, an hour older: changes by one person within seconds are one entry,
    and the test's next change must be an entry of its own."""
    for model, lookup in models_and_lookups:
        model.history.filter(**lookup).update(  # type: ignore[attr-defined]
            history_date=F("history_date") - datetime.timedelta(hours=1)
        )


def _route_an_hour_ago(route: LearningRoute) -> LearningRoute:
    _an_hour_ago(
        (LearningRoute, {"id": route.pk}),
        (HostCase, {"route_id": route.pk}),
        (RouteParticipant, {"route_id": route.pk}),
        (ActionPlan, {"route_id": route.pk}),
    )
    return route


# As the edit page sends them: its first rows are the route's own host case and participant.
AS_EDITED = {"hosts-INITIAL_FORMS": 1, "participants-INITIAL_FORMS": 1}


def _page(client: Client, name: str, pk: int) -> str:
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _changes(entries: list[Any]) -> list[tuple[str, str, str, str]]:
    return [(c.label, c.kind, c.old, c.new) for entry in entries for c in entry.changes]


@pytest.fixture
def orgs() -> dict[str, Partner]:
    bd = country("BD")
    return {
        "ngf": PartnerFactory(name="Nawabenki Gonomukhi Foundation", country=bd),
        "rrf": PartnerFactory(name="Rural Reconstruction Firm", country=bd),
        "pksf": PartnerFactory(name="Palli Karma-Sahayak Foundation", country=bd),
    }


def _route(orgs: dict[str, Partner], user: User) -> LearningRoute:
    return make_route(hosts=[(orgs["ngf"], "BD")], participants=[(orgs["pksf"], "BD")], user=user)


def test_a_route_edit_through_the_form_shows_who_before_after_and_through(
    focal: User, cpm: User, cpm_client: Client, orgs: dict[str, Partner]
) -> None:
    route = _route_an_hour_ago(_route(orgs, focal))
    bd = country("BD").pk
    response = cpm_client.post(
        reverse("knowledge:route_edit", args=[route.pk]),
        route_form(
            # The host case as it was: saved again, it is no change.
            hosts=[
                {
                    "title": "Case of Nawabenki Gonomukhi Foundation",
                    "host": orgs["ngf"].pk,
                    "country": bd,
                    "theme": theme(3).pk,
                }
            ],
            participants=[
                {"organization": orgs["pksf"].pk, "country": bd, "people": 7},
                {"organization": orgs["rrf"].pk, "country": bd, "people": 2},
            ],
            title="Crab and flower value chains",
            division=route.division_id,
            start_date="2024-03-04",
            end_date="2024-03-09",
            visibility="internal",
            themes=[theme(3).pk, theme(5).pk],
        )
        | AS_EDITED,
    )
    assert response.status_code == 302
    last, first = route_history_entries(route)
    assert (last.user, last.through, first.user, first.created) == (
        cpm,
        "the page's form",
        focal,
        True,
    )
    changes = _changes([last])
    assert (
        "Title",
        "changed",
        "Learning route on value chains",
        "Crab and flower value chains",
    ) in (changes)
    assert ("Themes", "added", "", theme(5).display_name) in changes
    assert (
        "Participant",
        "changed",
        "Palli Karma-Sahayak Foundation (Bangladesh), 4 people",
        "Palli Karma-Sahayak Foundation (Bangladesh), 7 people",
    ) in changes
    assert (
        "Participant",
        "added",
        "",
        "Rural Reconstruction Firm (Bangladesh), 2 people",
    ) in changes
    assert not [c for c in changes if c[0] == "Host case"]

    text = _page(cpm_client, "knowledge:route_history", route.pk)
    assert str(cpm) in text and str(focal) in text
    assert "through the page's form" in text
    assert "created this learning route" in text
    assert "Learning route on value chains" in text and "Crab and flower value chains" in text
    assert theme(5).display_name in text
    assert not [name for name in INTERNAL_NAMES if name in text]


def test_a_changed_host_case_is_removed_and_added(
    focal: User, focal_client: Client, orgs: dict[str, Partner]
) -> None:
    route = _route_an_hour_ago(_route(orgs, focal))
    bd = country("BD").pk
    edited = focal_client.post(
        reverse("knowledge:route_edit", args=[route.pk]),
        route_form(
            hosts=[
                {"title": "Flowers", "host": orgs["rrf"].pk, "country": bd, "theme": theme(3).pk}
            ],
            participants=[{"organization": orgs["pksf"].pk, "country": bd, "people": 4}],
            title=route.title,
            division=route.division_id,
            visibility="internal",
        )
        | AS_EDITED,
    )
    assert edited.status_code == 302
    changes = _changes(route_history_entries(route)[:1])
    host_changes = [c for c in changes if c[0] == "Host case"]
    theme_name = theme(3).display_name
    assert host_changes == [
        (
            "Host case",
            "removed",
            f"Case of Nawabenki Gonomukhi Foundation (Nawabenki Gonomukhi Foundation, "
            f"Bangladesh; {theme_name})",
            "",
        ),
        (
            "Host case",
            "added",
            "",
            f"Flowers (Rural Reconstruction Firm, Bangladesh; {theme_name})",
        ),
    ]


def test_action_plans_added_changed_and_removed_show_on_the_route_page(
    focal: User, cpm: User, cpm_client: Client, orgs: dict[str, Partner]
) -> None:
    route = _route(orgs, focal)
    plan = make_plan(route, title="Crab fattening in two villages")
    _route_an_hour_ago(route)
    edited = cpm_client.post(
        reverse("knowledge:plan_edit", args=[route.pk, plan.pk]),
        plan_form(route, status="adopted", status_date="2024-05-02"),
    )
    assert edited.status_code == 302
    of = "Action plan of Palli Karma-Sahayak Foundation (Bangladesh)"
    changes = _changes(route_history_entries(route)[:1])
    assert (f"{of}: follow-up status", "changed", "Drafted", "Adopted") in changes
    # Dated today when it was recorded without a date (services.save_action_plan).
    assert [c for c in changes if c[0] == f"{of}: status reached on" and c[2] != c[3]]
    assert (of, "added", "", "Crab fattening in two villages") in _changes(
        route_history_entries(route)
    )

    _route_an_hour_ago(route)
    cpm_client.post(reverse("knowledge:plan_delete", args=[route.pk, plan.pk]))
    last = route_history_entries(route)[0]
    assert (last.user, last.through) == (cpm, "the page's form")
    assert _changes([last]) == [(of, "removed", "Crab fattening in two villages", "")]
    text = _page(cpm_client, "knowledge:route_history", route.pk)
    assert f"{of} removed:" in text and "Crab fattening in two villages" in text
    assert "Drafted" in text and "Adopted" in text


def test_a_demand_edit_shows_labels_and_names_not_codes(
    cpm: User, cpm_client: Client, viewer_client: Client
) -> None:
    demand = make_demand(user=cpm, country_code="PE")
    _an_hour_ago((LearningDemand, {"id": demand.pk}))
    response = cpm_client.post(
        reverse("knowledge:demand_edit", args=[demand.pk]),
        {
            "country": country("BO").pk,
            "title": demand.title,
            "description": "",
            "themes": [theme(3).pk, theme(4).pk],
            "audience": demand.audience,
            "needed_by": "2025-06-30",
            "language": "en",
            "preferred_type": "",
            "status": "closed",
        },
    )
    assert response.status_code == 302
    last = demand_history_entries(demand)[0]
    assert (last.user, last.through) == (cpm, "the page's form")
    changes = _changes([last])
    assert ("Country programme", "changed", "Peru", country("BO").display_name) in changes
    assert ("Working language", "changed", "Spanish", "English") in changes
    assert ("Status", "changed", "Open", "Closed") in changes
    assert ("Themes", "added", "", theme(4).display_name) in changes

    # Any staff member who reads the demand reads its history.
    text = _page(viewer_client, "knowledge:demand_history", demand.pk)
    assert "through the page's form" in text and str(cpm) in text
    assert "Peru" in text and theme(4).display_name in text
    assert not [name for name in INTERNAL_NAMES if name in text]


def test_a_change_through_the_api_says_so(cpm: User, cpm_client: Client) -> None:
    demand = make_demand(user=cpm)
    _an_hour_ago((LearningDemand, {"id": demand.pk}))
    services.save_demand(
        demand=demand,
        fields={"title": "Crab fattening, from the API"},
        themes=[theme(3)],
        user=cpm,
        through=Through.API,
    )
    last = demand_history_entries(demand)[0]
    assert last.through == "the API"
    assert _changes([last]) == [
        (
            "What they want to learn",
            "changed",
            "Community crab fattening and its market",
            "Crab fattening, from the API",
        )
    ]
    assert "through the API" in _page(cpm_client, "knowledge:demand_history", demand.pk)


def test_an_offer_edit_shows_its_languages_and_whether_it_is_still_offered(
    focal: User, focal_client: Client
) -> None:
    institution = PartnerFactory(name="Instituto de la Papa", country=country("PE"))
    offer = make_offer(institution=institution, user=focal)
    _an_hour_ago((LearningOffer, {"id": offer.pk}))
    response = focal_client.post(
        reverse("knowledge:offer_edit", args=[offer.pk]),
        {
            "institution": institution.pk,
            "title": offer.title,
            "themes": [theme(3).pk],
            "languages": ["es", "en"],
            # is_active left out: the box unticked, the offer withdrawn.
        },
    )
    assert response.status_code == 302
    changes = _changes(offer_history_entries(offer)[:1])
    assert ("Languages", "changed", "Spanish", "Spanish, English") in changes
    assert ("Still offered", "changed", "Yes", "No") in changes
    text = _page(focal_client, "knowledge:offer_history", offer.pk)
    assert "Spanish, English" in text and "recorded this offer" in text
    assert not [name for name in INTERNAL_NAMES if name in text]


def test_the_history_pages_are_linked_from_the_records(
    focal: User, focal_client: Client, orgs: dict[str, Partner]
) -> None:
    route = _route(orgs, focal)
    demand = make_demand(user=focal)
    offer = make_offer(institution=orgs["ngf"], user=focal)
    pages = {
        reverse("knowledge:route_detail", args=[route.pk]): "route_history",
        reverse("knowledge:demand_detail", args=[demand.pk]): "demand_history",
        reverse("knowledge:offer_edit", args=[offer.pk]): "offer_history",
        reverse("knowledge:offer_list"): "offer_history",
    }
    targets = {"route_history": route.pk, "demand_history": demand.pk, "offer_history": offer.pk}
    for page, name in pages.items():
        link = reverse(f"knowledge:{name}", args=[targets[name]])
        assert f'href="{link}"' in focal_client.get(page).content.decode(), page


def test_who_cannot_see_the_record_cannot_see_its_history(
    focal: User, partner_client: Client, orgs: dict[str, Partner]
) -> None:
    route = _route(orgs, focal)  # internal
    demand = make_demand(user=focal)
    offer = make_offer(institution=orgs["ngf"], user=focal)
    for name, pk in (
        ("route_history", route.pk),
        ("demand_history", demand.pk),
        ("offer_history", offer.pk),
    ):
        assert partner_client.get(reverse(f"knowledge:{name}", args=[pk])).status_code == 404


def test_a_record_from_before_the_history_shows_a_sentence(
    focal: User, focal_client: Client, orgs: dict[str, Partner]
) -> None:
    route = _route(orgs, focal)
    for model in (HostCase, RouteParticipant, ActionPlan):
        model.history.filter(route_id=route.pk).delete()  # type: ignore[attr-defined]
    LearningRoute.history.filter(id=route.pk).delete()  # type: ignore[attr-defined]
    text = _page(focal_client, "knowledge:route_history", route.pk)
    assert "No recorded changes" in text
    assert "recorded before the history was kept" in text


def test_the_route_history_reads_in_a_fixed_number_of_queries(
    focal: User,
    focal_client: Client,
    orgs: dict[str, Partner],
    django_assert_max_num_queries: Any,
) -> None:
    route = _route(orgs, focal)
    plan = make_plan(route)
    url = reverse("knowledge:route_history", args=[route.pk])
    focal_client.get(url)  # the session and the menus' first reads
    for number in range(12):
        services.save_action_plan(
            plan=plan, route=route, fields={"title": f"Version {number}"}, user=focal
        )
    with django_assert_max_num_queries(30) as captured:
        page = focal_client.get(url)
    assert "Version 11" in page.content.decode()
    queries = len(captured)
    bd = country("BD").pk
    edited = focal_client.post(
        reverse("knowledge:route_edit", args=[route.pk]),
        route_form(
            hosts=[
                {"title": "Flowers", "host": orgs["rrf"].pk, "country": bd, "theme": theme(4).pk}
            ],
            participants=[
                {"organization": orgs["pksf"].pk, "country": bd, "people": 4},
                {"organization": orgs["ngf"].pk, "country": bd, "people": 1},
            ],
            themes=[theme(3).pk, theme(6).pk],
        )
        | AS_EDITED,
    )
    assert edited.status_code == 302
    with django_assert_max_num_queries(queries):
        focal_client.get(url)


@pytest.mark.parametrize("kind", ["demand", "offer"])
def test_a_demand_or_offer_history_reads_in_a_fixed_number_of_queries(
    kind: str,
    focal: User,
    focal_client: Client,
    orgs: dict[str, Partner],
    django_assert_max_num_queries: Any,
) -> None:
    record: Any = (
        make_demand(user=focal)
        if kind == "demand"
        else make_offer(institution=orgs["ngf"], user=focal)
    )
    save_service: Any = services.save_demand if kind == "demand" else services.save_offer

    def save(fields: dict[str, Any], themes: list[Any]) -> None:
        save_service(**{kind: record}, fields=fields, themes=themes, user=focal)

    url = reverse(f"knowledge:{kind}_history", args=[record.pk])
    focal_client.get(url)
    for number in range(12):
        save({"title": f"Version {number}"}, [theme(3)])
    with django_assert_max_num_queries(20) as captured:
        assert "Version 11" in focal_client.get(url).content.decode()
    queries = len(captured)
    save({"title": "One more", "country": country("BO")}, [theme(3), theme(7)])
    with django_assert_max_num_queries(queries):
        focal_client.get(url)
