"""The results records the API's permission walk (tests/api/test_permissions.py) visits, their
URLs, valid bodies and the answer each role gets.

Three LAC activities (the cpm's) with a framework each: one internal that the partner user's
organization has no part in, one public that it has no part in either, and one internal that
it implements (so its users report on it). Each has a draft, a submitted and an approved
update on its quantitative indicator's period. The rules follow results.access: readers
outside an activity's reporters see its approved updates only (404 for the others); reporters
draft, change, submit and revise; the activity's editors approve and return.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse

from accounts.models import User
from activities.models import Activity, Partner, PartnerRole, Visibility
from results import services
from results.models import CoreIndicator, Dimension, Indicator, Update
from tests.factories import ActivityFactory, division
from tests.results.factories import dated, framework

ACTIVITIES = ("r_internal", "r_public", "r_own")
STATES = ("draft", "submitted", "approved")
EDITORS = ("cpm", "focal", "admin")  # change the LAC activities: report, approve, return


@dataclass
class ResultsApiWorld:
    activities: dict[str, Activity]
    indicators: dict[str, Indicator]  # the quantitative one, by activity target
    updates: dict[str, Update]  # by "<activity target>:<state>"
    core: CoreIndicator
    dimension: Dimension


def make_world(*, focal: User, partner_org: Partner) -> ResultsApiWorld:
    activities = {
        "r_internal": ActivityFactory(title="Results, internal"),
        "r_public": ActivityFactory(title="Results, public", visibility=Visibility.PUBLIC),
        "r_own": ActivityFactory(
            title="Results, implemented by the partner",
            partners=[(partner_org, PartnerRole.IMPLEMENTER)],
        ),
    }
    indicators, updates = {}, {}
    for name, activity in activities.items():
        assert activity.lead_division == division("LAC")
        trained, _policy = framework(dated(activity))
        indicators[name] = trained
        for state in STATES:
            update = services.save_update(
                period=trained.periods.get(),
                data=services.UpdateData(value=Decimal(5)),
                user=focal,
            )
            if state != "draft":
                update = services.submit_update(update=update, user=focal)
            if state == "approved":
                update = services.approve_update(update=update, user=focal)
            updates[f"{name}:{state}"] = update
    return ResultsApiWorld(
        activities=activities,
        indicators=indicators,
        updates=updates,
        core=CoreIndicator.objects.get(code="people-trained"),
        dimension=Dimension.objects.get(name="Sex"),
    )


def _activity(target: str) -> str:
    return target.split(":", 1)[0]


def _partner(target: str, *, reports: int, reads: int = 403) -> int:
    """The partner user's answer: 404 where they may not read the activity, `reports` where
    their organization implements it, `reads` on a public one they only read."""
    activity = _activity(target)
    if activity == "r_internal":
        return 404
    return reports if activity == "r_own" else reads


# The rules, as functions of the target: answers for (role) -> status, before api() wraps them.
def read(target: str) -> dict[str, int]:
    hidden = {"partner": 404} if _activity(target) == "r_internal" else {}
    return {**hidden, "*": 200}


def create(target: str) -> dict[str, int]:
    return {**dict.fromkeys(EDITORS, 201), "partner": _partner(target, reports=201), "*": 403}


def update_read(target: str) -> dict[str, int]:
    """Approved updates to every reader of the activity; the others to its reporters."""
    if target.endswith(":approved"):
        return {"partner": _partner(target, reports=200, reads=200), "*": 200}
    return {
        **dict.fromkeys(EDITORS, 200),
        "partner": _partner(target, reports=200, reads=404),
        "*": 404,
    }


def update_change(target: str) -> dict[str, int]:
    """PUT: a draft changes (200); an approved one is locked (400 to its reporters)."""
    if target.endswith(":approved"):
        return {**dict.fromkeys(EDITORS, 400), "partner": _partner(target, reports=400), "*": 403}
    return submit(target)


def submit(target: str) -> dict[str, int]:
    """A draft: only its activity's reporters see it."""
    return {
        **dict.fromkeys(EDITORS, 200),
        "partner": _partner(target, reports=200, reads=404),
        "*": 404,
    }


def review(target: str) -> dict[str, int]:
    """Approve or return a submitted update: its activity's editors; reporters may not."""
    return {
        **dict.fromkeys(EDITORS, 200),
        "partner": _partner(target, reports=403, reads=404),
        "*": 404,
    }


def revise(target: str) -> dict[str, int]:
    return {**dict.fromkeys(EDITORS, 201), "partner": _partner(target, reports=201), "*": 403}


LIBRARY = {"partner": 403, "*": 200}


def url(name: str, target: str, world: ResultsApiWorld) -> str:
    match name:
        case "api:result-detail":
            return reverse(name, args=[world.indicators[target].result_id])
        case "api:indicator-detail":
            return reverse(name, args=[world.indicators[target].pk])
        case "api:core-indicator-detail":
            return reverse(name, args=[world.core.pk])
        case "api:dimension-detail":
            return reverse(name, args=[world.dimension.pk])
    if name.startswith("api:update-") and name != "api:update-list":
        return reverse(name, args=[world.updates[target].pk])
    return reverse(name)


def body(name: str, target: str, world: ResultsApiWorld, method: str) -> dict[str, Any]:
    """A valid body: if a role that may not write were let through, something would change."""
    if name == "api:update-list" and method == "POST":
        return {"period": world.indicators[target].periods.get().pk, "value": "7"}
    if not name.startswith("api:update-") or name == "api:update-list":
        return {}
    update = world.updates[target]
    update.refresh_from_db()
    version = {"version": update.version}
    match name:
        case "api:update-detail":
            return {**version, "value": "7"}
        case "api:update-return" | "api:update-revise":
            return {**version, "reason": "Counted twice."}
    return version
