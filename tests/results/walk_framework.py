"""The frameworks the permission walk (tests/activities/test_permissions.py) visits, and the URLs
and valid POST bodies of the results page and its editing pages: if a role that may not write
were let through, the body would change something.

Two LAC activities, internal, each with the factories' framework (an outcome with a core
quantitative indicator disaggregated by sex and a qualitative one, 2025 periods) and a related
activity: `res_internal`, in which the partner user's organization takes no part (hidden from
them: 404), and `res_implemented`, which it implements (they read it and report on it, but do
not build its framework: 403).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from activities.models import Activity, Partner, PartnerRole, Visibility
from results import services
from results.models import ActivityRelation, Indicator, Period, Result
from tests.factories import ActivityFactory, division
from tests.results.factories import dated, framework, sex_dimension

TARGETS = ("res_internal", "res_implemented")
ACTIVITY_PAGES = (
    "activity",
    "history",
    "result_create",
    "benefits",
    "pathway",
    "relation_create",
)
READ_PAGES = ("activity", "history")
RESULT_PAGES = ("result_edit", "result_delete", "indicator_create")
INDICATOR_PAGES = ("indicator_edit", "indicator_delete", "period_create", "annual_periods")
PERIOD_PAGES = ("period_edit", "period_delete")
EDIT_PAGES = (
    *[p for p in ACTIVITY_PAGES if p not in READ_PAGES],
    *RESULT_PAGES,
    *INDICATOR_PAGES,
    *PERIOD_PAGES,
    "relation_delete",
)

NAMES = {f"results:{page}" for page in (*READ_PAGES, "library", *EDIT_PAGES)}


@dataclass
class Framework:
    activity: Activity
    result: Result
    indicator: Indicator  # the core quantitative one, disaggregated by sex
    period: Period
    relation: ActivityRelation


@dataclass
class FrameworkWorld:
    frameworks: dict[str, Framework]
    other: Activity  # public: every editor reads it and may link to it


def _framework(activity: Activity, other: Activity) -> Framework:
    indicator, _policy = framework(dated(activity))
    relation = services.add_relation(
        relation=ActivityRelation(activity=activity, type="follow_up_of", related=other)
    )
    return Framework(activity, indicator.result, indicator, indicator.periods.get(), relation)


def make_world(*, partner_org: Partner) -> FrameworkWorld:
    other = ActivityFactory(title="Earlier public exchange", visibility=Visibility.PUBLIC)
    internal = ActivityFactory(title="Internal results", lead_division=division("LAC"))
    implemented = ActivityFactory(
        title="Implemented results",
        lead_division=division("LAC"),
        partners=[(partner_org, PartnerRole.IMPLEMENTER)],
    )
    return FrameworkWorld(
        frameworks={
            "res_internal": _framework(internal, other),
            "res_implemented": _framework(implemented, other),
        },
        other=other,
    )


def url(name: str, target: str, world: FrameworkWorld) -> str:
    short = name.split(":", 1)[1]
    if short == "library":
        return reverse(name)
    found = world.frameworks[target]
    if short in ACTIVITY_PAGES:
        return reverse(name, args=[found.activity.pk])
    if short in RESULT_PAGES:
        return reverse(name, args=[found.result.pk])
    if short in INDICATOR_PAGES:
        return reverse(name, args=[found.indicator.pk])
    if short in PERIOD_PAGES:
        return reverse(name, args=[found.period.pk])
    return reverse(name, args=[found.relation.pk])


def _benefits_body() -> dict[str, Any]:
    body: dict[str, Any] = {}
    for side in ("provider", "receiver", "broker", "all"):
        body |= {f"{side}-TOTAL_FORMS": "1", f"{side}-INITIAL_FORMS": "0"}
    return body | {"receiver-0-description": "Benefit added by the walk"}


def post_body(name: str, target: str, world: FrameworkWorld) -> dict[str, Any]:
    short = name.split(":", 1)[1]
    match short:
        case "result_create" | "result_edit":
            return {"type": "2", "side": "all", "title": "Result of the walk"}
        case "indicator_create":
            return {"kind": "quantitative", "measure": "1", "unit": "people", "title": "Walk"}
        case "indicator_edit":
            indicator = world.frameworks[target].indicator
            return {
                "core": indicator.core_id,
                "title": "Farmers trained, as the walk says",
                "ascending": "on",
                "cumulative": "on",
                "dimensions": [sex_dimension().pk],
            }
        case "period_create":
            return {"start": "2026-01-01", "end": "2026-12-31", "target_value": "50"}
        case "period_edit":
            return {"start": "2025-01-01", "end": "2025-12-31", "target_value": "120"}
        case "benefits":
            return _benefits_body()
        case "pathway":
            return {"description": "Pathway written by the walk"}
        case "relation_create":
            return {"type": "scaling_up_of", "related_ssc_id": world.other.ssc_id}
    return {}
