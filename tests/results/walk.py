"""The results records the permission walk (tests/activities/test_permissions.py) visits: on
each of two LAC activities, one the partner user's organization implements ("own") and the
one it takes no part in ("internal", hidden from it), a framework with a draft, a submitted
and an approved update (with an evidence file); the knowledge walk's plan's follow-up. And the
URLs and valid POST bodies for them: if a role that may not write were let through, the body
would change something."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse

from accounts.models import User
from activities.models import Partner, PartnerRole
from knowledge.models import ActionPlan
from knowledge.uploads import check_upload
from results import services
from results.models import Period, PlanFollowUp, Update
from tests.factories import ActivityFactory
from tests.knowledge.files import pdf_bytes, upload
from tests.results.factories import dated, framework

TARGETS = ("own", "internal")
# Which update each action is tried on: the state it is meant for.
UPDATE_FOR = {
    "update_edit": "draft",
    "update_delete": "draft",
    "update_submit": "draft",
    "update_return": "submitted",
    "update_approve": "submitted",
    "update_revise": "approved",
    "evidence": "approved",
}


@dataclass
class ResultsWorld:
    periods: dict[str, Period]  # by target: a period of a core quantitative indicator
    updates: dict[str, dict[str, Update]]  # by target, then state
    follow_up: PlanFollowUp


def _updates(period: Period, user: User) -> dict[str, Update]:
    def draft(value: int, **evidence: Any) -> Update:
        data = services.UpdateData(value=Decimal(value), **evidence)
        return services.save_update(period=period, data=data, user=user)

    submitted = services.submit_update(update=draft(20), user=user)
    evidence = check_upload(upload("attendance.pdf", pdf_bytes("Attendance")))
    approved = services.submit_update(update=draft(10, evidence_file=evidence), user=user)
    return {
        "draft": draft(5),
        "submitted": submitted,
        "approved": services.approve_update(update=approved, user=user),
    }


def make_world(
    *, focal: User, own_org: Partner, stranger: Partner, plan: ActionPlan
) -> ResultsWorld:
    activities = {
        "own": ActivityFactory(
            title="Reported LAC exchange", partners=[(own_org, PartnerRole.IMPLEMENTER)]
        ),
        "internal": ActivityFactory(
            title="Internal reported exchange", partners=[(stranger, PartnerRole.HOST)]
        ),
    }
    periods = {
        name: framework(dated(activity))[0].periods.get() for name, activity in activities.items()
    }
    return ResultsWorld(
        periods=periods,
        updates={name: _updates(period, focal) for name, period in periods.items()},
        follow_up=plan.follow_ups.get(months=3),
    )


def url(name: str, target: str, world: ResultsWorld) -> str:
    short = name.split(":", 1)[1]
    if short in UPDATE_FOR:
        return reverse(name, args=[world.updates[target][UPDATE_FOR[short]].pk])
    if short in ("period", "update_create"):
        return reverse(name, args=[world.periods[target].pk])
    if short == "follow_up":
        return reverse(name, args=[world.follow_up.pk])
    if short == "route_follow_ups":
        return reverse(name, args=[world.follow_up.plan.route_id])
    return reverse(name)


def post_body(name: str, target: str, world: ResultsWorld) -> dict[str, Any]:
    short = name.split(":", 1)[1]
    if short == "update_create":
        return {"value": "12", "comment": "Reported by the walk"}
    if short == "follow_up":
        observed = world.follow_up.plan.route.end_date + datetime.timedelta(days=100)
        return {"outcome": "adopted", "recorded_on": observed.isoformat()}
    if short not in UPDATE_FOR:
        return {}
    update = world.updates[target][UPDATE_FOR[short]]
    body: dict[str, Any] = {"version": update.version}
    if short == "update_edit":
        body["value"] = "13"
    if short in ("update_return", "update_revise"):
        body["reason"] = "Asked by the walk"
    return body
