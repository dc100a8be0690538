"""The results API: reads scoped like the pages, the update workflow with its version checks
(409 on a stale one), refusals naming the field with nothing saved, and lists in a fixed
number of queries."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.services import create_api_token
from activities.models import Activity, Partner, PartnerRole, Visibility
from results import services
from results.models import CoreIndicator, Indicator, Update, UpdateStatus
from tests.factories import ActivityFactory, PartnerFactory, UserFactory, division
from tests.helpers import db_state
from tests.knowledge.factories import make_asset
from tests.results.factories import dated, framework, sex_dimension, value_of

pytestmark = pytest.mark.django_db

Api = Callable[[User | None], Client]


@pytest.fixture
def api_for() -> Api:
    """A client that sends a fresh token of the user (as tests/api's), throttling counters
    emptied."""
    caches["api"].clear()

    def make(user: User | None) -> Client:
        token = create_api_token(user=user, name="tests")[1]  # type: ignore[arg-type]
        return Client(headers={"Authorization": f"Bearer {token}"})

    return make


@pytest.fixture
def activity(partner_org: Partner) -> Activity:
    """A LAC activity (the cpm's) that the partner user's organization implements."""
    return dated(
        ActivityFactory(
            lead_division=division("LAC"), partners=[(partner_org, PartnerRole.IMPLEMENTER)]
        )
    )


@pytest.fixture
def indicators(activity: Activity) -> tuple[Indicator, Indicator]:
    return framework(activity)


def parts(women: str, men: str) -> list[dict[str, Any]]:
    sex = sex_dimension()
    return [
        {"dimension_value": value_of(sex, "Women").pk, "value": women},
        {"dimension_value": value_of(sex, "Men").pk, "value": men},
    ]


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def put(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json")


def draft(client: Client, indicator: Indicator, **body: Any) -> Any:
    return post(client, "/api/v1/updates/", {"period": indicator.periods.get().pk, **body})


def act(client: Client, update: dict[str, Any], name: str, **body: Any) -> Any:
    return post(
        client,
        f"/api/v1/updates/{update['id']}/{name}/",
        {"version": update["version"], **body},
    )


def test_a_partner_reports_the_cpm_returns_and_approves_and_the_value_counts(
    api_for: Api, partner_user: User, cpm: User, viewer: User, indicators: Any
) -> None:
    trained, _policy = indicators
    partner, manager = api_for(partner_user), api_for(cpm)
    created = draft(partner, trained, value="30", parts=parts("20", "10"), comment="First")
    assert created.status_code == 201, created.content
    update = created.json()
    assert (update["status"], update["version"], update["value"]) == ("draft", 1, "30.0000")
    assert [p["label"] for p in update["parts"]] == ["Women", "Men"]
    update = act(partner, update, "submit").json()
    assert update["status"] == "submitted"
    returned = act(manager, update, "return", reason="Men were 12, not 10.")
    assert returned.status_code == 200, returned.content
    update = returned.json()
    assert (update["status"], update["return_reason"]) == ("returned", "Men were 12, not 10.")
    corrected = put(
        partner,
        f"/api/v1/updates/{update['id']}/",
        {"version": update["version"], "value": "32", "parts": parts("20", "12")},
    )
    assert corrected.status_code == 200, corrected.content
    update = act(partner, corrected.json(), "submit").json()
    approved = act(manager, update, "approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    # The indicator's period shows the approved value, for any reader.
    for reader in (partner, manager, api_for(viewer)):
        body = reader.get(f"/api/v1/indicators/{trained.pk}/").json()
        actual = body["periods"][0]["actual"]
        assert (actual["value"], actual["updates"], actual["progress_percent"]) == (
            "32.0000",
            1,
            32,
        )
        sex = sex_dimension()
        assert actual["parts"] == [
            {"dimension_value": value_of(sex, "Women").pk, "value": "20.0000"},
            {"dimension_value": value_of(sex, "Men").pk, "value": "12.0000"},
        ]
    assert Update.objects.get().history.count() >= 5  # every step in the audit history


def test_a_stale_version_is_refused_with_409_and_nothing_changes(
    api_for: Api, partner_user: User, cpm: User, indicators: Any
) -> None:
    trained, _policy = indicators
    partner, manager = api_for(partner_user), api_for(cpm)
    first = draft(partner, trained, value="5").json()
    changed = put(partner, f"/api/v1/updates/{first['id']}/", {"version": 1, "value": "6"})
    assert changed.json()["version"] == 2
    before = db_state()
    stale_put = put(partner, f"/api/v1/updates/{first['id']}/", {"version": 1, "value": "7"})
    assert stale_put.status_code == 409
    assert "version 2" in stale_put.json()["detail"]
    for name, body in (("approve", {}), ("return", {"reason": "No"}), ("submit", {})):
        answer = act(manager if name != "submit" else partner, first, name, **body)
        assert answer.status_code == 409, (name, answer.content)
        assert answer.json()["code"] == "conflict"
    assert db_state() == before
    current = act(partner, {**first, "version": 2}, "submit").json()
    approved = act(manager, current, "approve").json()
    assert act(partner, {**approved, "version": 1}, "revise", reason="x").status_code == 409
    revision = act(partner, approved, "revise", reason="Five were counted twice.")
    assert revision.status_code == 201, revision.content
    body = revision.json()
    assert (body["status"], body["revises"], body["value"]) == ("draft", first["id"], "6.0000")
    # A second revision of the same update: already under way, named on the status.
    again = manager.get(f"/api/v1/updates/{first['id']}/").json()
    refused = act(partner, again, "revise", reason="Again")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["status"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "many"}, "value"),  # text in a quantitative value
        ({"value": "NaN"}, "value"),
        ({"value": "1.00001"}, "value"),
        ({"value": "-3"}, "value"),
        ({"value": None}, "value"),
        ({"value": "10", "parts": "sixty"}, "parts"),
        ({"value": "10", "parts": [{"dimension_value": 10**6, "value": "1"}]}, None),
        ({"value": "10", "evidence_url": "not a link"}, "evidence_url"),
        ({"value": "10", "comment": "Rural \u202eecnanif"}, "comment"),
        ({"value": "10", "evidence_asset": 10**6}, "evidence_asset"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(
    api_for: Api, partner_user: User, indicators: Any, body: dict[str, Any], field: str | None
) -> None:
    trained, _policy = indicators
    partner = api_for(partner_user)
    before = db_state()
    answer = draft(partner, trained, **body)
    assert answer.status_code == 400, answer.content
    expected = field or "parts.0.dimension_value"
    assert list(answer.json()["errors"]) == [expected]
    assert db_state() == before


def test_the_services_rules_are_named_too(
    api_for: Api, partner_user: User, cpm: User, indicators: Any, activity: Activity
) -> None:
    trained, policy = indicators
    partner = api_for(partner_user)
    too_many = draft(partner, trained, value="10", parts=parts("8", "5"))
    assert too_many.status_code == 400
    assert "more than the total" in too_many.json()["errors"]["parts"][0]
    number = draft(partner, policy, value="1", narrative="Drafted", achieved=True)
    assert list(number.json()["errors"]) == ["value"]
    no_narrative = draft(partner, policy)
    assert set(no_narrative.json()["errors"]) == {"narrative", "achieved"}
    # An asset the partner may not read is answered as one that does not exist.
    hidden = make_asset(title="Internal note", user=cpm)
    refused = draft(partner, trained, value="3", evidence_asset=hidden.pk)
    assert list(refused.json()["errors"]) == ["evidence_asset"]
    public = make_asset(title="Public brief", user=cpm, visibility=Visibility.PUBLIC)
    accepted = draft(partner, trained, value="3", evidence_asset=public.pk)
    assert accepted.json()["evidence_asset"] == public.pk
    # A period that no longer falls within the activity's dates.
    activity.planned_start = activity.planned_end = None
    activity.actual_start = activity.actual_end = trained.periods.get().start.replace(year=2026)
    activity.save()
    late = draft(partner, trained, value="3")
    assert list(late.json()["errors"]) == ["period"]


def test_an_approved_value_is_locked(
    api_for: Api, partner_user: User, cpm: User, indicators: Any
) -> None:
    trained, _policy = indicators
    partner, manager = api_for(partner_user), api_for(cpm)
    update = act(partner, draft(partner, trained, value="5").json(), "submit").json()
    update = act(manager, update, "approve").json()
    changed = put(partner, f"/api/v1/updates/{update['id']}/", {"version": 3, "value": "9"})
    assert changed.status_code == 400
    assert "locked" in changed.json()["errors"]["status"][0]
    no_reason = act(partner, update, "revise", reason="  ")
    assert list(no_reason.json()["errors"]) == ["reason"]


def test_who_may_do_what_with_updates(
    api_for: Api,
    partner_user: User,
    cpm: User,
    cpm_other: User,
    viewer: User,
    indicators: Any,
    activity: Activity,
) -> None:
    trained, _policy = indicators
    partner = api_for(partner_user)
    update = draft(partner, trained, value="5").json()
    # A partner user of another organization: the activity is internal, nothing of it shows.
    stranger = UserFactory(username="stranger", role="partner", partner=PartnerFactory())
    other = api_for(stranger)
    assert other.get(f"/api/v1/updates/{update['id']}/").status_code == 404
    assert draft(other, trained, value="1").status_code == 404
    assert other.get("/api/v1/updates/").json()["results"] == []
    # Once the activity is public it reads its approved updates only, and reports on none.
    Activity.objects.filter(pk=activity.pk).update(visibility=Visibility.PUBLIC)
    assert other.get(f"/api/v1/updates/{update['id']}/").status_code == 404
    assert draft(other, trained, value="1").status_code == 403
    # A viewer reads, without drafts; a CPM of another division may not approve.
    assert api_for(viewer).get(f"/api/v1/updates/{update['id']}/").status_code == 404
    update = act(partner, update, "submit").json()
    # (Another division's CPM reads approved updates only: a submitted one is not found.)
    refused = act(api_for(cpm_other), update, "approve")
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    assert act(partner, update, "approve").status_code == 403  # reporters do not approve
    assert Update.objects.get().status == UpdateStatus.SUBMITTED
    assert act(api_for(cpm), update, "approve").status_code == 200
    assert api_for(viewer).get(f"/api/v1/updates/{update['id']}/").status_code == 200


def test_reads_filter_by_activity_and_a_hidden_one_reads_as_unknown(
    api_for: Api, partner_user: User, focal: User, indicators: Any, activity: Activity
) -> None:
    trained, _policy = indicators
    services.approve_update(
        update=services.submit_update(
            update=services.save_update(
                period=trained.periods.get(),
                data=services.UpdateData(value=Decimal(4)),
                user=focal,
            ),
            user=focal,
        ),
        user=focal,
    )
    hidden = dated(ActivityFactory(visibility=Visibility.INTERNAL))
    framework(hidden)
    partner, staff = api_for(partner_user), api_for(focal)
    for path, count in (("results", 1), ("indicators", 2), ("updates", 1)):
        mine = partner.get(f"/api/v1/{path}/", {"activity": activity.pk}).json()["results"]
        assert len(mine) == count, path
        secret = partner.get(f"/api/v1/{path}/", {"activity": hidden.pk})
        unknown = partner.get(f"/api/v1/{path}/", {"activity": 10**6})
        assert secret.status_code == unknown.status_code == 200
        assert secret.json() == unknown.json()
        assert secret.json()["results"] == []
        assert len(staff.get(f"/api/v1/{path}/").json()["results"]) >= count
    result = partner.get("/api/v1/results/").json()["results"][0]
    assert (result["type"], result["side"], result["activity"]) == ("2", "receiver", activity.pk)
    indicator = partner.get(f"/api/v1/indicators/{trained.pk}/").json()
    assert (indicator["core"], indicator["measure"], indicator["unit"]) == (
        "people-trained",
        "1",
        "people",
    )
    assert [v["value"] for v in indicator["dimensions"][0]["values"]] == ["Women", "Men"]
    period = indicator["periods"][0]
    assert (period["target_value"], [p["value"] for p in period["target_parts"]]) == (
        "100.0000",
        ["60.0000", "40.0000"],
    )
    bad = partner.get("/api/v1/updates/", {"status": "lost"})
    assert list(bad.json()["errors"]) == ["status"]


def test_the_library_is_read_by_staff_only(
    api_for: Api, partner_user: User, viewer: User, indicators: Any
) -> None:
    for path in ("core-indicators", "dimensions"):
        assert api_for(partner_user).get(f"/api/v1/{path}/").status_code == 403
        listed = api_for(viewer).get(f"/api/v1/{path}/")
        assert listed.status_code == 200
        first = listed.json()["results"][0]
        assert api_for(viewer).get(f"/api/v1/{path}/{first['id']}/").status_code == 200
        assert api_for(partner_user).get(f"/api/v1/{path}/{first['id']}/").status_code == 403
        assert api_for(viewer).get(f"/api/v1/{path}/999999/").status_code == 404
    codes = [c["code"] for c in api_for(viewer).get("/api/v1/core-indicators/").json()["results"]]
    # The library the data migration keeps, in its order.
    assert codes == list(CoreIndicator.objects.values_list("code", flat=True))
    assert "people-trained" in codes


def test_lists_make_as_many_queries_for_many_rows_as_for_few(
    api_for: Api, focal: User, partner_org: Partner
) -> None:
    def grow(number: int) -> None:
        for _ in range(number):
            activity = dated(
                ActivityFactory(
                    visibility=Visibility.PUBLIC,
                    partners=[(partner_org, PartnerRole.IMPLEMENTER)],
                )
            )
            trained, policy = framework(activity)
            for indicator, data in (
                (trained, services.UpdateData(value=Decimal(3))),
                (policy, services.UpdateData(narrative="Done", achieved=True)),
            ):
                update = services.save_update(period=indicator.periods.get(), data=data, user=focal)
                services.approve_update(
                    update=services.submit_update(update=update, user=focal), user=focal
                )

    def counts(client: Client) -> dict[str, int]:
        found = {}
        for path in ("results", "indicators", "updates", "core-indicators", "dimensions"):
            url = f"/api/v1/{path}/?page_size=100"
            client.get(url)  # warm up: the token's last use, content types
            with CaptureQueriesContext(connection) as queries:
                answer = client.get(url)
            if answer.status_code == 200:
                found[path] = len(queries)
        return found

    partner = UserFactory(username="reporter", role="partner", partner=partner_org)
    clients = {"focal": api_for(focal), "partner": api_for(partner)}
    grow(2)
    few = {role: counts(client) for role, client in clients.items()}
    grow(8)
    many = {role: counts(client) for role, client in clients.items()}
    assert many == few
    assert set(few["partner"]) == {"results", "indicators", "updates"}
    assert len(api_for(focal).get("/api/v1/indicators/").json()["results"]) == 20


def test_a_revision_reason_is_checked_like_any_text(
    api_for: Api, partner_user: User, cpm: User, indicators: Any
) -> None:
    trained, _policy = indicators
    partner, manager = api_for(partner_user), api_for(cpm)
    update = act(partner, draft(partner, trained, value="5").json(), "submit").json()
    update = act(manager, update, "approve").json()
    before = db_state()
    refused = act(partner, update, "revise", reason="Counted \u202etwice")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["reason"]
    assert db_state() == before  # not even the approved update's version moved
