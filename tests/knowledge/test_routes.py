"""Learning routes through their pages: host cases, participants, and the action plans each
participating project drew up, followed until implemented, with evidence."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Partner
from knowledge import services
from knowledge.models import ActionPlan, HostCase, LearningRoute, PlanStatus
from tests.factories import ActivityFactory, PartnerFactory, country, division, theme
from tests.html import errors_next_to
from tests.knowledge.factories import make_asset, make_plan, make_route

pytestmark = pytest.mark.django_db


def _formset(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


def route_form(
    hosts: list[dict[str, Any]], participants: list[dict[str, Any]], **fields: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Learning route on crab and flower value chains",
        "summary": "",
        "organizer": "",
        "division": division("APR").pk,
        "start_date": "2014-09-07",
        "end_date": "2014-09-11",
        "themes": [theme(3).pk],
        "visibility": "public",
        "activity_ssc_id": "",
    }
    data.update(fields)
    data.update(_formset("hosts", hosts))
    data.update(_formset("participants", participants))
    return data


@pytest.fixture
def orgs() -> dict[str, Partner]:
    bd = country("BD")
    return {
        "ngf": PartnerFactory(name="Nawabenki Gonomukhi Foundation", country=bd),
        "rrf": PartnerFactory(name="Rural Reconstruction Firm", country=bd),
        "pksf": PartnerFactory(name="Palli Karma-Sahayak Foundation", country=bd),
    }


def test_cpm_records_a_route_with_host_cases_and_participants(
    focal_client: Client, orgs: dict[str, Partner]
) -> None:
    activity = ActivityFactory(title="Bangladesh learning route")
    bd = country("BD").pk
    response = focal_client.post(
        reverse("knowledge:route_create"),
        route_form(
            hosts=[
                {
                    "title": "Crab culture",
                    "host": orgs["ngf"].pk,
                    "country": bd,
                    "theme": theme(3).pk,
                },
                {"title": "Flowers", "host": orgs["rrf"].pk, "country": bd, "theme": theme(3).pk},
                {"title": "", "host": "", "country": "", "theme": ""},
            ],
            participants=[{"organization": orgs["pksf"].pk, "country": bd, "people": 5}],
            activity_ssc_id=activity.ssc_id,
        ),
    )
    route = LearningRoute.objects.get()
    assert response.status_code == 302 and response["Location"] == route.get_absolute_url()
    assert route.activity == activity
    assert sorted(HostCase.objects.values_list("title", flat=True)) == ["Crab culture", "Flowers"]
    assert route.participants.get().people == 5
    page = focal_client.get(route.get_absolute_url()).content.decode()
    assert "Nawabenki Gonomukhi Foundation" in page and "Palli Karma-Sahayak Foundation" in page


def test_a_route_needs_a_host_case_and_complete_rows(
    focal_client: Client, orgs: dict[str, Partner]
) -> None:
    response = focal_client.post(reverse("knowledge:route_create"), route_form([], []))
    assert response.status_code == 400
    assert "Add at least one host case: the places the route visits." in response.content.decode()
    half = focal_client.post(
        reverse("knowledge:route_create"),
        route_form(
            [{"title": "Crab culture", "host": orgs["ngf"].pk, "country": "", "theme": ""}], []
        ),
    )
    assert errors_next_to(half.content, "id_hosts-0-country") == ["Choose the country."]
    assert not LearningRoute.objects.exists()


def test_a_participant_with_a_plan_cannot_be_removed(orgs: dict[str, Partner]) -> None:
    route = make_route(hosts=[(orgs["ngf"], "BD")], participants=[(orgs["pksf"], "BD")])
    make_plan(route)
    with pytest.raises(services.KnowledgeError, match="drew up an action plan"):
        services.save_route(
            route=route,
            data=services.RouteData(
                fields={},
                themes=[theme(3)],
                host_cases=[services.HostCaseData("Crab", orgs["ngf"], country("BD"), theme(3))],
                participants=[],
            ),
            user=None,
        )
    assert route.participants.count() == 1 and ActionPlan.objects.count() == 1


def test_editing_a_route_keeps_participants_and_their_plans(
    focal_client: Client, orgs: dict[str, Partner]
) -> None:
    route = make_route(hosts=[(orgs["ngf"], "BD")], participants=[(orgs["pksf"], "BD")])
    plan = make_plan(route)
    edit = focal_client.get(reverse("knowledge:route_edit", args=[route.pk]))
    assert edit.context["participants"].initial[0]["organization"] == orgs["pksf"].pk
    bd = country("BD").pk
    response = focal_client.post(
        reverse("knowledge:route_edit", args=[route.pk]),
        route_form(
            hosts=[{"title": "Crab", "host": orgs["ngf"].pk, "country": bd, "theme": theme(3).pk}],
            participants=[
                {"organization": orgs["pksf"].pk, "country": bd, "people": 7},
                {"organization": orgs["rrf"].pk, "country": bd, "people": 2},
            ],
            title="Renamed route",
        ),
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.participant.people == 7
    assert route.participants.count() == 2


def plan_form(route: LearningRoute, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "participant": route.participants.first().pk,  # type: ignore[union-attr]
        "title": "Crab fattening in two villages",
        "summary": "",
        "status": "drafted",
        "status_date": "",
        "evidence": "",
        "evidence_url": "",
        "evidence_reference": "",
    }
    data.update(fields)
    return data


def test_an_implemented_plan_needs_evidence(cpm_client: Client, orgs: dict[str, Partner]) -> None:
    route = make_route(
        division_code="LAC", hosts=[(orgs["ngf"], "BD")], participants=[(orgs["pksf"], "BD")]
    )
    url = reverse("knowledge:plan_create", args=[route.pk])
    refused = cpm_client.post(url, plan_form(route, status="implemented"))
    assert refused.status_code == 400
    assert errors_next_to(refused.content, "id_evidence") == [
        "A plan marked implemented needs evidence: a note, a link or a document."
    ]
    assert not ActionPlan.objects.exists()
    report = make_asset(title="Field report on crab fattening")
    accepted = cpm_client.post(
        url,
        plan_form(
            route,
            status="implemented",
            evidence_reference=f"https://ssc.example.org{report.get_absolute_url()}",
        ),
    )
    assert accepted.status_code == 302
    plan = ActionPlan.objects.get()
    assert plan.evidence_asset == report
    # No date given: the status is dated the day it was recorded.
    assert plan.status_date == timezone.localdate()


def test_evidence_must_be_an_asset_the_user_can_see(
    cpm_client: Client, orgs: dict[str, Partner]
) -> None:
    route = make_route(hosts=[(orgs["ngf"], "BD")], participants=[(orgs["pksf"], "BD")])
    response = cpm_client.post(
        reverse("knowledge:plan_create", args=[route.pk]),
        plan_form(route, status="funded", evidence_reference="/knowledge/assets/999999/"),
    )
    assert errors_next_to(response.content, "id_evidence_reference") == [
        "No knowledge asset you can see has this address."
    ]


def test_the_portal_shows_which_plans_got_implemented(
    viewer_client: Client, orgs: dict[str, Partner]
) -> None:
    route = make_route(
        hosts=[(orgs["ngf"], "BD")],
        participants=[(orgs["pksf"], "BD"), (orgs["rrf"], "BD")],
    )
    make_plan(route, title="Drafted only")
    make_plan(
        route,
        participant=route.participants.get(organization=orgs["rrf"]),
        title="Done and shown",
        status=PlanStatus.IMPLEMENTED,
        status_date=datetime.date(2015, 3, 1),
        evidence="The district adopted the flower market rules.",
    )
    listing = viewer_client.get(reverse("knowledge:plan_list") + "?status=implemented")
    assert [p.title for p in listing.context["plans"]] == ["Done and shown"]
    counts = {row["status"]: row["count"] for row in listing.context["plan_counts"]}
    assert counts == {"drafted": 1, "adopted": 0, "funded": 0, "implemented": 1}
    routes = viewer_client.get(reverse("knowledge:route_list"))
    row = routes.context["routes"][0]
    assert (row.n_plans, row.n_implemented, row.n_hosts, row.n_participants) == (2, 1, 1, 2)
    bad = viewer_client.get(reverse("knowledge:plan_list") + "?status=done")
    assert bad.context["problems"] == ["Unknown status 'done' was ignored."]


def test_route_page_queries_do_not_grow_with_cases_participants_and_plans(
    viewer_client: Client, fast_templates: None
) -> None:
    def route_with(n: int) -> LearningRoute:
        partners = [PartnerFactory(country=country("BD")) for _ in range(n)]
        route = make_route(
            hosts=[(p, "BD") for p in partners], participants=[(p, "BD") for p in partners]
        )
        for participant in route.participants.all():
            make_plan(route, participant=participant, evidence_asset=make_asset())
        return route

    def count(route: LearningRoute) -> int:
        url = route.get_absolute_url()
        viewer_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert viewer_client.get(url).status_code == 200
        return len(queries)

    assert count(route_with(1)) == count(route_with(6))
    lists = [reverse("knowledge:route_list"), reverse("knowledge:plan_list")]
    before = [len(_queries(viewer_client, url)) for url in lists]
    route_with(8)
    assert [len(_queries(viewer_client, url)) for url in lists] == before


def _queries(client: Client, url: str) -> list[dict[str, str]]:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return queries.captured_queries
