"""The knowledge records the permission walk (tests/activities/test_permissions.py) visits, and
the URLs and valid POST bodies for them: if a role that may not write were let through, the
body would change something."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, Partner, Visibility
from knowledge.models import (
    ActionPlan,
    AssetText,
    KnowledgeAsset,
    LearningDemand,
    LearningOffer,
    LearningRoute,
)
from tests.factories import PartnerFactory, country, division, theme
from tests.knowledge.factories import make_asset, make_demand, make_offer, make_plan, make_route

ASSET_TARGETS = ("asset_internal", "asset_public")


@dataclass
class KnowledgeWorld:
    assets: dict[str, KnowledgeAsset]  # LAC-led, one internal and one public, each with a PDF
    route: LearningRoute  # LAC, internal, with a participant and a plan
    plan: ActionPlan
    demand: LearningDemand  # Peru (LAC), open
    offer: LearningOffer  # a Brazilian institution (LAC)
    host: Partner


def make_world(*, focal: User, activity: Activity) -> KnowledgeWorld:
    host = PartnerFactory(name="Instituto de la Papa", country=country("PE"))
    assets = {
        "asset_internal": make_asset(title="Internal note", pdf_lines=["internal"], user=focal),
        "asset_public": make_asset(
            title="Public case", pdf_lines=["public"], visibility=Visibility.PUBLIC, user=focal
        ),
    }
    route = make_route(hosts=[(host, "PE")], participants=[(host, "PE")], user=focal)
    return KnowledgeWorld(
        assets=assets,
        route=route,
        plan=make_plan(route),
        demand=make_demand(country_code="PE", user=focal),
        offer=make_offer(institution=PartnerFactory(country=country("BR")), user=focal),
        host=host,
    )


def url(name: str, target: str, world: KnowledgeWorld) -> str:
    short = name.split(":", 1)[1]
    if short == "file_download":
        asset = world.assets[target]
        return reverse(name, args=[asset.pk, asset.files.get().pk])
    if target in ASSET_TARGETS:
        return reverse(name, args=[world.assets[target].pk])
    if short in ("plan_edit", "plan_delete"):
        return reverse(name, args=[world.route.pk, world.plan.pk])
    if (
        short.startswith(("route_", "plan_create"))
        and short != "route_create"
        and short != "route_list"
    ):
        return reverse(name, args=[world.route.pk])
    if short.startswith("demand_") and short not in ("demand_list", "demand_create"):
        return reverse(name, args=[world.demand.pk])
    if short in ("offer_edit", "offer_delete", "offer_history"):
        return reverse(name, args=[world.offer.pk])
    return reverse(name)


def _asset_body(title: str) -> dict[str, Any]:
    return {
        "asset_type": "toolkit",
        "title": title,
        "abstract": "",
        "body": "A how-to note written in the portal.",
        "language": "en",
        "published_on": "2024-06-01",
        "division": division("LAC").pk,
        "themes": [theme(2).pk],
        "licence": "cc_by",
        "visibility": "internal",
    }


def _route_body(world: KnowledgeWorld, title: str) -> dict[str, Any]:
    pe = country("PE").pk
    return {
        "title": title,
        "division": division("LAC").pk,
        "start_date": "2024-03-04",
        "end_date": "2024-03-09",
        "themes": [theme(3).pk],
        "visibility": "internal",
        "hosts-TOTAL_FORMS": 1,
        "hosts-INITIAL_FORMS": 0,
        "hosts-0-title": "Potato seed fairs",
        "hosts-0-host": world.host.pk,
        "hosts-0-country": pe,
        "hosts-0-theme": theme(3).pk,
        "participants-TOTAL_FORMS": 1,
        "participants-INITIAL_FORMS": 0,
        "participants-0-organization": world.host.pk,
        "participants-0-country": pe,
        "participants-0-people": 3,
    }


def post_body(name: str, world: KnowledgeWorld, user: User | None) -> dict[str, Any]:
    short = name.split(":", 1)[1]
    # Only the asked body is built: each reads reference rows, and the walk asks for thousands.
    bodies: dict[str, Callable[[], dict[str, Any]]] = {
        "asset_create": lambda: _asset_body("Created by the walk"),
        "asset_edit": lambda: _asset_body("Changed by the walk"),
        "route_create": lambda: _route_body(world, "Created by the walk"),
        "route_edit": lambda: _route_body(world, "Changed by the walk"),
        "plan_create": lambda: _plan_body(world),
        "plan_edit": lambda: _plan_body(world),
        "demand_create": lambda: _demand_body(user),
        "demand_edit": lambda: _demand_body(user),
        "demand_accept": lambda: {"offer": world.offer.pk},
        "offer_create": lambda: _offer_body(world),
        "offer_edit": lambda: _offer_body(world),
    }
    return bodies[short]() if short in bodies else {}


def _plan_body(world: KnowledgeWorld) -> dict[str, Any]:
    return {
        "participant": world.route.participants.get().pk,
        "title": "Changed by the walk",
        "status": "adopted",
    }


def _demand_body(user: User | None) -> dict[str, Any]:
    return {
        # Each CPM records demands for its own division's countries.
        "country": country("BD" if user is not None and user.username == "cpm_other" else "PE").pk,
        "title": "Changed by the walk",
        "themes": [theme(3).pk],
        "audience": "Project staff",
        "language": "es",
        "status": "open",
    }


def _offer_body(world: KnowledgeWorld) -> dict[str, Any]:
    return {
        "institution": world.offer.institution_id,
        "title": "Changed by the walk",
        "themes": [theme(3).pk],
        "languages": ["es"],
        "is_active": "on",
    }


def state_queries() -> dict[str, QuerySet[Any]]:
    """Every knowledge row a page could change (read by tests.helpers.db_state)."""
    return {
        "assets": KnowledgeAsset.objects.order_by("pk").values_list("pk", "title"),
        "asset_files": KnowledgeAsset.files.rel.related_model.objects.values_list("pk"),
        "asset_texts": AssetText.objects.order_by("pk").values_list("pk", "language", "title"),
        "routes": LearningRoute.objects.order_by("pk").values_list("pk", "title"),
        "plans": ActionPlan.objects.order_by("pk").values_list("pk", "title", "status"),
        "demands": LearningDemand.objects.order_by("pk").values_list("pk", "title", "status"),
        "offers": LearningOffer.objects.order_by("pk").values_list("pk", "title"),
    }
