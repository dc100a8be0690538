"""The counterparts API as a partner's system calls it (a token): the activity's agreement and
its filter, each side's confirmation and its actions, the conversation, proposed contributions
and the inbox. Refusals name the field (400) or the conflict (409), never a 500, and save
nothing; lists take the same number of queries for 1 record as for many."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from accounts.services import create_api_token
from activities.history import Through
from activities.models import Activity, CountryRole, PartnerRole, Visibility
from activities.services import create_activity
from counterparts import services
from counterparts.models import (
    Comment,
    Confirmation,
    ContributionProposal,
    Notification,
    ProposalState,
)
from finance import services as ledger
from finance.models import FinancialEntry
from tests.factories import activity_data
from tests.helpers import db_state

pytestmark = pytest.mark.django_db

ApiFor = Callable[[User], Client]


@pytest.fixture
def api_for() -> ApiFor:
    """A client with the user's token, made once per user (a new token is a write)."""
    tokens: dict[int, str] = {}

    def make(user: User) -> Client:
        if user.pk not in tokens:
            tokens[user.pk] = create_api_token(user=user, name="tests")[1]
        return Client(headers={"Authorization": f"Bearer {tokens[user.pk]}"})

    return make


@pytest.fixture
def activity(cpm: User, partner_org: Any, counterpart_user: User, partner_user: User) -> Activity:
    """An internal LAC activity: Brazil provides, Mozambique receives, the partner implements."""
    data = activity_data(
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        partners=[(partner_org, [PartnerRole.IMPLEMENTER])],
        planned_start=datetime.date(2025, 3, 1),
        planned_end=datetime.date(2025, 9, 30),
        responsible_cpm=cpm,
    )
    return create_activity(data=data, user=cpm)


@pytest.fixture
def eur_rate(db: None) -> None:
    ledger.set_rate(
        currency="EUR",
        month=datetime.date(2025, 3, 1),
        units_per_usd=Decimal("0.8"),
        source="test",
        user=None,
    )


def side(activity: Activity, iso2: str | None) -> Confirmation:
    found = Confirmation.objects.filter(activity=activity)
    if iso2 is None:
        return found.get(partner_link__isnull=False)
    return found.get(country_link__country__iso2=iso2)


def url(name: str, pk: int | None = None, action: str = "") -> str:
    base = f"/api/v1/{name}/"
    if pk is not None:
        base += f"{pk}/"
    return base + (f"{action}/" if action else "")


# --- the activity endpoint ----------------------------------------------------------------


def test_the_activity_says_whether_its_sides_agree(api_for, activity, counterpart_user, cpm):
    answer = api_for(counterpart_user).get(url("activities", activity.pk)).json()
    assert answer["agreement"] == {"value": "waiting", "label": "Waiting for confirmation"}
    moz = side(activity, "MZ")
    services.dispute(
        confirmation=moz,
        user=counterpart_user,
        fields=["dates"],
        comment="It was in October.",
        expected_version=moz.version,
    )
    client = api_for(cpm)
    assert client.get(url("activities", activity.pk)).json()["agreement"]["value"] == "disputed"
    found = client.get(url("activities"), {"agreement": "disputed"}).json()["results"]
    assert [row["id"] for row in found] == [activity.pk]
    assert client.get(url("activities"), {"agreement": "confirmed"}).json()["results"] == []
    csv = client.get(url("activities"), {"format": "csv"}).content.decode()
    assert csv.splitlines()[0].split(",").count("agreement") == 1 and ",disputed," in csv


def test_an_unknown_agreement_is_refused_naming_the_parameter(api_for, cpm):
    response = api_for(cpm).get(url("activities"), {"agreement": "maybe"})
    assert response.status_code == 400
    assert "agreement" in response.json()["errors"]


# --- confirmations ------------------------------------------------------------------------


def test_a_partner_confirms_its_side_through_the_api(api_for, activity, partner_user):
    client = api_for(partner_user)
    listed = client.get(url("confirmations"), {"activity": activity.pk}).json()["results"]
    assert len(listed) == 3
    own = side(activity, None)
    response = client.post(
        url("confirmations", own.pk, "confirm"),
        {"version": own.version, "comment": "All correct."},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "confirmed" and body["side"]["kind"] == "organization"
    assert body["steps"][-1]["via"] == "api" and body["steps"][-1]["by"] == "partner"
    assert body["steps"][-1]["comment"] == "All correct."
    # The side's own history keeps the step's channel in the portal's words.
    assert own.history.latest("history_id").history_change_reason == Through.API


def test_dispute_and_answer_then_a_stale_version_is_a_conflict(
    api_for, activity, counterpart_user, cpm
):
    moz = side(activity, "MZ")
    dispute = {"version": moz.version, "fields": ["dates", "roles"], "comment": "Wrong dates."}
    response = api_for(counterpart_user).post(
        url("confirmations", moz.pk, "dispute"), dispute, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["steps"][-1]["fields"] == ["dates", "roles"]
    answered = api_for(cpm).post(
        url("confirmations", moz.pk, "answer"),
        {"version": moz.version + 1, "comment": "Corrected."},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["state"] == "answered"
    before = db_state()
    stale = api_for(counterpart_user).post(
        url("confirmations", moz.pk, "confirm"),
        {"version": moz.version},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    assert db_state() == before


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"fields": [], "comment": "Wrong."}, "fields"),
        ({"fields": ["colour"], "comment": "Wrong."}, "fields"),
        ({"fields": ["dates"], "comment": "  "}, "comment"),
        ({"fields": "dates", "comment": "Wrong."}, "fields"),
        ({"fields": ["dates"], "comment": "Bad\x00byte"}, "comment"),
    ],
)
def test_a_bad_dispute_is_refused_naming_the_field(
    api_for, activity, counterpart_user, body, named
):
    moz = side(activity, "MZ")
    client = api_for(counterpart_user)
    before = db_state()
    response = client.post(
        url("confirmations", moz.pk, "dispute"),
        {"version": moz.version, **body},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert named in response.json()["errors"]
    assert db_state() == before


def test_only_the_sides_speakers_confirm_and_only_the_manager_answers(
    api_for, activity, counterpart_user, counterpart_other, partner_user, viewer
):
    moz = side(activity, "MZ")
    body = {"version": moz.version}
    assert (
        api_for(partner_user)
        .post(url("confirmations", moz.pk, "confirm"), body, content_type="application/json")
        .status_code
        == 403
    )
    # Kenya's counterpart does not read this internal activity at all.
    assert api_for(counterpart_other).get(url("confirmations", moz.pk)).status_code == 404
    assert api_for(counterpart_other).get(url("confirmations")).json()["results"] == []
    assert (
        api_for(counterpart_user)
        .post(
            url("confirmations", moz.pk, "answer"),
            {**body, "comment": "x"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert api_for(viewer).get(url("confirmations", moz.pk)).status_code == 200


# --- the conversation ---------------------------------------------------------------------


def test_internal_notes_stay_with_the_agency(api_for, activity, cpm, counterpart_user):
    staff = api_for(cpm)
    note = staff.post(
        url("comments"),
        {"activity": activity.pk, "body": "Check the dates.", "internal": True},
        content_type="application/json",
    )
    assert note.status_code == 201 and note.json()["via"] == "api"
    shared = api_for(counterpart_user).post(
        url("comments"),
        {"activity": activity.pk, "body": "Hello @cpm, dates?"},
        content_type="application/json",
    )
    assert shared.status_code == 201 and shared.json()["mentions"] == ["cpm"]
    seen = api_for(counterpart_user).get(url("comments"), {"activity": activity.pk}).json()
    assert [c["body"] for c in seen["results"]] == ["Hello @cpm, dates?"]
    assert api_for(counterpart_user).get(url("comments", note.json()["id"])).status_code == 404
    assert len(staff.get(url("comments"), {"activity": activity.pk}).json()["results"]) == 2
    refused = api_for(counterpart_user).post(
        url("comments"),
        {"activity": activity.pk, "body": "Secret", "internal": True},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert Comment.objects.count() == 2


def test_a_mention_of_a_stranger_is_refused_naming_them(api_for, activity, cpm, counterpart_other):
    response = api_for(cpm).post(
        url("comments"),
        {"activity": activity.pk, "body": "Ask @counterpart_other"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "counterpart_other" in str(response.json()["errors"]["body"])
    assert not Comment.objects.exists()


# --- proposed contributions ---------------------------------------------------------------


def proposal_body(activity: Activity, org: Any, **changes: Any) -> dict[str, Any]:
    return {
        "activity": activity.pk,
        "contributor": org.pk,
        "kind": "in_kind",
        "stage": "allocated",
        "amount": "1200.00",
        "currency": "EUR",
        "value_date": "2025-03-10",
        "valuation_method": "venue",
        "valuation_basis": "Training hall, 3 days",
        **changes,
    }


def test_a_proposal_is_made_accepted_and_enters_the_ledger(
    api_for, activity, partner_user, partner_org, cpm, eur_rate
):
    made = api_for(partner_user).post(
        url("proposals"), proposal_body(activity, partner_org), content_type="application/json"
    )
    assert made.status_code == 201, made.json()
    proposal = made.json()
    assert proposal["state"] == "proposed" and proposal["entry"] is None
    accepted = api_for(cpm).post(
        url("proposals", proposal["id"], "accept"),
        {"version": proposal["version"]},
        content_type="application/json",
    )
    assert accepted.status_code == 200, accepted.json()
    entry = FinancialEntry.objects.get()
    assert accepted.json()["entry"] == entry.pk and entry.amount_usd == Decimal("1500.00")
    # The proposal, its acceptance and the ledger line it wrote keep the API as their channel.
    assert entry.history.get().history_change_reason == Through.API  # type: ignore[attr-defined]
    made_row = ContributionProposal.objects.get(pk=proposal["id"])
    reasons = [h.history_change_reason for h in made_row.history.order_by("history_id")]
    assert reasons == [Through.API, Through.API]
    again = api_for(cpm).post(
        url("proposals", proposal["id"], "decline"),
        {"version": proposal["version"], "reason": "Late."},
        content_type="application/json",
    )
    # Decided already: refused, the ledger as it was.
    assert again.status_code == 400 and "__all__" in again.json()["errors"]
    assert FinancialEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"currency": "XXY"}, "currency"),
        ({"kind": "loan"}, "kind"),
        ({"stage": "dreamt"}, "stage"),
        ({"value_date": "2025-13-01"}, "value_date"),
        ({"valuation_method": ""}, "valuation_method"),
        ({"contributor": 999999}, "contributor"),
    ],
)
def test_a_bad_proposal_is_refused_naming_the_field(
    api_for, activity, partner_user, partner_org, eur_rate, changes, named
):
    client = api_for(partner_user)
    before = db_state()
    response = client.post(
        url("proposals"),
        proposal_body(activity, partner_org, **changes),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert named in response.json()["errors"]
    assert db_state() == before


def test_proposals_are_read_by_their_own_side_and_decided_by_the_manager(
    api_for, activity, partner_user, partner_org, counterpart_user, counterpart_other, cpm, eur_rate
):
    proposal = services.propose(
        activity=activity,
        user=partner_user,
        data=services.ProposalData(
            contributor=partner_org,
            kind="cofinancing",
            stage="planned",
            amount=Decimal(500),
            currency="EUR",
            value_date=datetime.date(2025, 3, 10),
        ),
    )
    # Mozambique's counterpart reads Mozambique's organizations' proposals; the partner's
    # organization is Peruvian.
    assert api_for(counterpart_user).get(url("proposals")).json()["results"] == []
    assert api_for(counterpart_user).get(url("proposals", proposal.pk)).status_code == 404
    assert api_for(counterpart_other).get(url("proposals", proposal.pk)).status_code == 404
    assert (
        api_for(partner_user)
        .post(
            url("proposals", proposal.pk, "decline"),
            {"version": proposal.version, "reason": "No."},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    blank = api_for(cpm).post(
        url("proposals", proposal.pk, "decline"),
        {"version": proposal.version, "reason": ""},
        content_type="application/json",
    )
    assert blank.status_code == 400 and "reason" in blank.json()["errors"]
    withdrawn = api_for(partner_user).post(
        url("proposals", proposal.pk, "withdraw"),
        {"version": proposal.version},
        content_type="application/json",
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == ProposalState.WITHDRAWN


def test_an_outsider_may_not_propose(api_for, activity, counterpart_other, partner_org, eur_rate):
    public = Activity.objects.filter(pk=activity.pk)
    public.update(visibility=Visibility.PUBLIC)
    response = api_for(counterpart_other).post(
        url("proposals"), proposal_body(activity, partner_org), content_type="application/json"
    )
    assert response.status_code == 403
    assert not ContributionProposal.objects.exists()


# --- the inbox ----------------------------------------------------------------------------


def test_the_inbox_is_ones_own_and_marks_read(api_for, activity, counterpart_user, partner_user):
    client = api_for(counterpart_user)
    inbox = client.get(url("notifications")).json()["results"]
    assert [n["kind"] for n in inbox] == ["confirm"]
    assert (
        inbox[0]["link"].endswith(f"/activities/{activity.pk}/#sides")
        or "#sides" in (inbox[0]["link"])
    )
    assert inbox[0]["text"] and inbox[0]["read_at"] is None
    other = Notification.objects.get(user=partner_user)
    assert client.get(url("notifications", other.pk)).status_code == 404
    assert client.post(url("notifications", other.pk, "read")).status_code == 404
    marked = client.post(url("notifications", inbox[0]["id"], "read"))
    assert marked.status_code == 200 and marked.json()["read_at"]
    assert client.get(url("notifications"), {"unread": "true"}).json()["results"] == []
    assert api_for(partner_user).post(url("notifications", None, "read-all")).json() == {
        "marked": 1
    }
    assert Notification.objects.unread().count() == 0


# --- query counts -------------------------------------------------------------------------


def _fill(cpm: User, partner_user: User, count: int) -> None:
    """`count` activities with three sides each, a message mentioning Mozambique's counterpart
    and a proposal by the partner."""
    for _ in range(count):
        activity = create_activity(
            data=activity_data(
                countries=["BR", ("MZ", CountryRole.RECEIVER)],
                partners=[(partner_user.partner, [PartnerRole.IMPLEMENTER])],
                responsible_cpm=cpm,
            ),
            user=cpm,
        )
        services.post_comment(activity=activity, user=cpm, body="Hi @counterpart", internal=False)
        services.propose(
            activity=activity,
            user=partner_user,
            data=services.ProposalData(
                contributor=partner_user.partner,
                kind="cofinancing",
                stage="planned",
                amount=Decimal(500),
                currency="EUR",
                value_date=datetime.date(2025, 3, 10),
            ),
        )


@pytest.mark.parametrize("name", ["confirmations", "comments", "proposals", "notifications"])
def test_lists_take_the_same_queries_for_one_record_as_for_many(
    api_for, cpm, counterpart_user, partner_user, eur_rate, name
):
    client = api_for(partner_user if name == "proposals" else counterpart_user)
    client.get(url(name))  # the token's first use is recorded once
    counts, sizes = [], []
    for batch in (1, 7):
        _fill(cpm, partner_user, batch)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url(name))
        assert response.status_code == 200
        counts.append(len(queries))
        sizes.append(len(response.json()["results"]))
    assert sizes[1] > sizes[0] > 0
    assert counts[0] == counts[1], counts
