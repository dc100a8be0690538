"""Results keep what each change came through: an update's every step on its pages names the
page's form and through the API names the API; the framework's pages (results, indicators,
periods, benefits, relations) and a follow-up's page name the form. No page shows results
history yet (the admin does), so the snapshots' change reasons are read."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import caches
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import create_api_token
from activities.history import Through, through_label
from activities.models import Activity, Partner, PartnerRole
from knowledge.models import ActionPlan
from results import services
from results.models import (
    ActivityRelation,
    BenefitStream,
    Indicator,
    Period,
    PlanFollowUp,
    Result,
    ScalingPathway,
    TargetDisaggregation,
    Update,
    UpdateDisaggregation,
    UpdateStatus,
)
from tests.factories import ActivityFactory, PartnerFactory, country, division
from tests.knowledge.factories import make_plan, make_route
from tests.results.factories import dated, framework, sex_dimension, value_of

pytestmark = pytest.mark.django_db

Api = Callable[[User], Client]


@pytest.fixture
def api_for() -> Api:
    caches["api"].clear()

    def make(user: User) -> Client:
        token = create_api_token(user=user, name="tests")[1]
        return Client(headers={"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture
def activity(partner_org: Partner) -> Activity:
    """A LAC activity (the cpm's), 2025-2026, that the partner user's organization implements."""
    return dated(
        ActivityFactory(
            lead_division=division("LAC"), partners=[(partner_org, PartnerRole.IMPLEMENTER)]
        )
    )


@pytest.fixture
def period(activity: Activity) -> Period:
    trained, _policy = framework(activity)
    return trained.periods.get()


def reasons(model: type[models.Model], **match: Any) -> list[str | None]:
    """The change reasons of the matching snapshots, oldest first."""
    return list(
        model.history.filter(**match)  # type: ignore[attr-defined]
        .order_by("history_id")
        .values_list("history_change_reason", flat=True)
    )


def test_an_updates_every_step_on_its_pages_names_the_form(
    period: Period, partner_client: Client, cpm_client: Client
) -> None:
    created = partner_client.post(
        reverse("results:update_create", args=[period.pk]), {"value": "3"}
    )
    assert created.status_code == 302
    update = Update.objects.get()
    steps = [
        (partner_client, "results:update_submit", {}),
        (cpm_client, "results:update_return", {"reason": "Count the men"}),
        (partner_client, "results:update_edit", {"value": "4"}),
        (partner_client, "results:update_submit", {}),
        (cpm_client, "results:update_approve", {}),
        (partner_client, "results:update_revise", {"reason": "A late list"}),
    ]
    for client, name, body in steps:
        update.refresh_from_db()
        response = client.post(reverse(name, args=[update.pk]), {"version": update.version, **body})
        assert response.status_code == 302, name
    update.refresh_from_db()
    assert update.status == UpdateStatus.APPROVED
    assert reasons(Update, id=update.pk) == [Through.FORM] * 6  # the revise claims, no save
    revision = Update.objects.get(revises=update)
    assert reasons(Update, id=revision.pk) == [Through.FORM]
    response = partner_client.post(
        reverse("results:update_delete", args=[revision.pk]), {"version": revision.version}
    )
    assert response.status_code == 302
    assert reasons(Update, id=revision.pk) == [Through.FORM] * 2
    assert through_label(reasons(Update, id=update.pk)[-1]) == "the page's form"


def test_an_updates_every_step_through_the_api_names_the_api(
    period: Period, api_for: Api, partner_user: User, cpm: User
) -> None:
    partner, manager = api_for(partner_user), api_for(cpm)

    def post(client: Client, url: str, **body: Any) -> dict[str, Any]:
        response = client.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code in (200, 201), response.content
        return response.json()

    update = post(partner, "/api/v1/updates/", period=period.pk, value="3")
    url = f"/api/v1/updates/{update['id']}/"
    update = post(partner, url + "submit/", version=update["version"])
    update = post(manager, url + "return/", version=update["version"], reason="Count the men")
    changed = partner.put(
        url, json.dumps({"version": update["version"], "value": "4"}), "application/json"
    )
    assert changed.status_code == 200, changed.content
    update = post(partner, url + "submit/", version=changed.json()["version"])
    update = post(manager, url + "approve/", version=update["version"])
    revision = post(partner, url + "revise/", version=update["version"], reason="A late list")
    assert reasons(Update, id=update["id"]) == [Through.API] * 6
    assert reasons(Update, id=revision["id"]) == [Through.API]
    assert through_label(reasons(Update, id=update["id"])[-1]) == "the API"


def test_the_framework_pages_name_the_form(activity: Activity, cpm_client: Client) -> None:
    created = cpm_client.post(
        reverse("results:result_create", args=[activity.pk]),
        {"type": "2", "side": "provider", "title": "Curriculum renewed"},
    )
    assert created.status_code == 302
    result = Result.objects.get(activity=activity)
    created = cpm_client.post(
        reverse("results:indicator_create", args=[result.pk]),
        {"title": "Visits", "kind": "quantitative", "measure": "1", "unit": "visits"},
    )
    assert created.status_code == 302
    indicator = Indicator.objects.get(result=result)
    assert (
        cpm_client.post(reverse("results:annual_periods", args=[indicator.pk])).status_code == 302
    )
    first = indicator.periods.order_by("start").first()
    assert first is not None
    deleted = cpm_client.post(reverse("results:period_delete", args=[first.pk]))
    assert deleted.status_code == 302
    benefits: dict[str, str] = {}
    for side in ("provider", "receiver", "broker", "all"):
        benefits |= {f"{side}-TOTAL_FORMS": "1", f"{side}-INITIAL_FORMS": "0"}
    url = reverse("results:benefits", args=[activity.pk])
    for description in ("Methods shared", "Methods shared twice"):  # the second replaces
        assert (
            cpm_client.post(url, {**benefits, "provider-0-description": description}).status_code
            == 302
        )
    pathway = cpm_client.post(
        reverse("results:pathway", args=[activity.pk]),
        {"description": "The extension service adopts it", "investment": "A loan"},
    )
    assert pathway.status_code == 302
    other = dated(ActivityFactory(lead_division=division("LAC")))
    related = cpm_client.post(
        reverse("results:relation_create", args=[activity.pk]),
        {"type": "part_of", "related_ssc_id": other.ssc_id},
    )
    assert related.status_code == 302
    relation = ActivityRelation.objects.get(activity=activity)
    assert (
        cpm_client.post(reverse("results:relation_delete", args=[relation.pk])).status_code == 302
    )
    deleted = cpm_client.post(reverse("results:indicator_delete", args=[indicator.pk]))
    assert deleted.status_code == 302
    assert cpm_client.post(reverse("results:result_delete", args=[result.pk])).status_code == 302

    assert reasons(Result, id=result.pk) == [Through.FORM] * 2  # created, deleted
    assert set(reasons(Indicator, id=indicator.pk)) == {Through.FORM}
    assert set(reasons(Period, indicator_id=indicator.pk)) == {Through.FORM}
    assert reasons(ActivityRelation, id=relation.pk) == [Through.FORM] * 2
    # Two streams written, the first removed by the second save: each snapshot names the form.
    assert reasons(BenefitStream, activity_id=activity.pk) == [Through.FORM] * 3
    assert reasons(ScalingPathway, activity_id=activity.pk) == [Through.FORM]


def test_a_follow_up_recorded_on_its_page_names_the_form(focal: User, cpm_client: Client) -> None:
    host = PartnerFactory(name="Instituto de la Papa", country=country("PE"))
    plan: ActionPlan = make_plan(
        make_route(hosts=[(host, "PE")], participants=[(host, "PE")], user=focal)
    )
    follow_up = plan.follow_ups.get(months=3)
    observed = plan.route.end_date + datetime.timedelta(days=1)
    response = cpm_client.post(
        reverse("results:follow_up", args=[follow_up.pk]),
        {"outcome": "adopted", "recorded_on": observed.isoformat(), "evidence": "Pens run"},
    )
    assert response.status_code == 302
    assert reasons(PlanFollowUp, id=follow_up.pk)[-1] == Through.FORM


def snapshots(model: type[models.Model], **match: Any) -> list[tuple[str, str | None]]:
    """(type, change reason) of the matching snapshots, oldest first."""
    return list(
        model.history.filter(**match)  # type: ignore[attr-defined]
        .order_by("history_id")
        .values_list("history_type", "history_change_reason")
    )


def test_a_targets_disaggregation_keeps_its_history_and_channel(activity: Activity) -> None:
    trained, _policy = framework(activity)  # its 2025 target: 60 women, 40 men
    period = trained.periods.get()
    sex = sex_dimension()
    services.save_period(
        period=period,
        target_parts={value_of(sex, "Women"): Decimal(55), value_of(sex, "Men"): Decimal(45)},
        through=Through.FORM,
    )
    assert snapshots(TargetDisaggregation, period_id=period.pk) == [
        ("+", None),
        ("+", None),
        ("-", Through.FORM),
        ("-", Through.FORM),
        ("+", Through.FORM),
        ("+", Through.FORM),
    ]
    added = TargetDisaggregation.history.filter(period_id=period.pk, history_type="+")
    assert sorted(added.order_by("history_id").values_list("value", flat=True)[2:]) == [
        Decimal(45),
        Decimal(55),
    ]


def test_an_updates_disaggregation_keeps_its_history_and_channel(
    period: Period, partner_user: User, cpm: User
) -> None:
    sex = sex_dimension()

    def parts(women: int, men: int) -> dict[Any, Decimal]:
        return {value_of(sex, "Women"): Decimal(women), value_of(sex, "Men"): Decimal(men)}

    update = services.save_update(
        period=period,
        data=services.UpdateData(value=Decimal(30), parts=parts(20, 10)),
        user=partner_user,
        through=Through.API,
    )
    update = services.save_update(
        period=period,
        data=services.UpdateData(value=Decimal(30), parts=parts(18, 12)),
        user=partner_user,
        update=update,
        through=Through.API,
    )
    assert snapshots(UpdateDisaggregation, update_id=update.pk) == [
        ("+", Through.API),
        ("+", Through.API),
        ("-", Through.API),
        ("-", Through.API),
        ("+", Through.API),
        ("+", Through.API),
    ]
    update = services.submit_update(update=update, user=partner_user)
    update = services.approve_update(update=update, user=cpm)
    revision = services.revise_update(
        update=update, user=partner_user, reason="A late list", through=Through.FORM
    )
    assert snapshots(UpdateDisaggregation, update_id=revision.pk) == [("+", Through.FORM)] * 2
