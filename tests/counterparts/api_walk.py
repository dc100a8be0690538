"""The counterparts endpoints in the API walk (tests/api/test_permissions.py): the world they
act on and who gets what.

An internal LAC activity ("walk") that Mozambique receives and the partner user's organization
implements, so Mozambique's counterpart and the partner user each speak for a side of it and
Kenya's counterpart reads nothing of it; a second one ("disputed") whose Mozambican side
disputes it, so its manager may answer; a message and an internal note, a proposal by the
partner user and an unread notification for every user.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse

from accounts.models import User
from activities.models import Activity, CountryRole, Partner, PartnerRole
from activities.services import create_activity
from counterparts import services
from counterparts.models import (
    Comment,
    Confirmation,
    ContributionProposal,
    Notification,
    NotificationKind,
)
from tests.factories import activity_data, make_role_user

PREFIXES = ("api:confirmation", "api:comment", "api:proposal", "api:notification")
COUNTERPART_ROLES = ("counterpart", "counterpart_other")
MANAGERS = ("cpm", "focal", "admin")


@dataclass
class CounterpartsWorld:
    walk: Activity
    confirmations: dict[str, Confirmation]  # moz, org (walk's), disputed (the other's)
    comments: dict[str, Comment]  # shared, internal_note
    proposal: ContributionProposal
    note: Notification  # Mozambique's counterpart's


def role_users(users: dict[str, User]) -> dict[str, User]:
    """The walk's users and the two country counterparts (made if the page walk has none)."""
    found = dict(users)
    for name in COUNTERPART_ROLES:
        if name not in found:
            found[name] = make_role_user(name)
    return found


def _activity(cpm: User, countries: list[Any], partners: list[Any]) -> Activity:
    data = activity_data(
        countries=countries,
        partners=partners,
        planned_start=datetime.date(2025, 3, 1),
        planned_end=datetime.date(2025, 9, 30),
        responsible_cpm=cpm,
    )
    return create_activity(data=data, user=cpm)


def make_world(users: dict[str, User], *, own_org: Partner) -> CounterpartsWorld:
    cpm, moz_user = users["cpm"], users["counterpart"]
    walk = _activity(
        cpm, ["BR", ("MZ", CountryRole.RECEIVER)], [(own_org, [PartnerRole.IMPLEMENTER])]
    )
    other = _activity(cpm, [("MZ", CountryRole.RECEIVER)], [])
    disputed = Confirmation.objects.get(activity=other)
    services.dispute(
        confirmation=disputed,
        user=moz_user,
        fields=["dates"],
        comment="Held in October.",
        expected_version=None,
    )
    comments = {
        "shared": services.post_comment(activity=walk, user=cpm, body="Dates?", internal=False),
        "internal_note": services.post_comment(
            activity=walk, user=cpm, body="Check the budget.", internal=True
        ),
    }
    proposal = services.propose(
        activity=walk,
        user=users["partner"],
        data=services.ProposalData(
            contributor=own_org,
            kind="cofinancing",
            stage="planned",
            amount=Decimal(500),
            currency="USD",
            value_date=datetime.date(2025, 3, 10),
        ),
    )
    # Every user has one unread notification, so that "mark all read" changes something.
    Notification.objects.update(read_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    notes = {
        name: Notification.objects.create(user=user, kind=NotificationKind.REMINDER, activity=walk)
        for name, user in users.items()
    }
    return CounterpartsWorld(
        walk=walk,
        confirmations={
            "moz": Confirmation.objects.get(activity=walk, country_link__country__iso2="MZ"),
            "org": Confirmation.objects.get(activity=walk, partner_link__isnull=False),
            "disputed": disputed,
        },
        comments=comments,
        proposal=proposal,
        note=notes["counterpart"],
    )


# --- who gets what ----------------------------------------------------------------------------

ALL = {"*": 200}
READS_WALK = {"counterpart_other": 404, "*": 200}
NOT_FOR_KENYA = {"counterpart_other": 404}
HIDDEN_PROPOSAL = {"counterpart": 404, "counterpart_other": 404}
DECIDE = {**HIDDEN_PROPOSAL, **dict.fromkeys(MANAGERS, 200), "*": 403}
SPEAK = {"counterpart": 200, **NOT_FOR_KENYA, "*": 403}

# (URL name, target, GET answers, other methods' answers)
CASES: list[tuple[str, str, Any, dict[str, Any]]] = [
    ("api:confirmation-list", "", ALL, {}),
    ("api:confirmation-detail", "moz", READS_WALK, {}),
    ("api:confirmation-confirm", "moz", 405, {"POST": SPEAK}),
    ("api:confirmation-confirm", "org", 405, {"POST": {"partner": 200, **NOT_FOR_KENYA, "*": 403}}),
    ("api:confirmation-dispute", "moz", 405, {"POST": SPEAK}),
    (
        "api:confirmation-answer",
        "disputed",
        405,
        {"POST": {"partner": 404, **NOT_FOR_KENYA, **dict.fromkeys(MANAGERS, 200), "*": 403}},
    ),
    (
        "api:comment-list",
        "",
        ALL,
        {
            "POST": {
                **dict.fromkeys((*MANAGERS, "partner", "counterpart"), 201),
                **NOT_FOR_KENYA,
                "*": 403,
            }
        },
    ),
    ("api:comment-detail", "shared", READS_WALK, {}),
    ("api:comment-detail", "internal_note", {"partner": 404, **HIDDEN_PROPOSAL, "*": 200}, {}),
    # Mozambique's counterpart proposes for Mozambique's organizations only: the partner
    # organization is Peruvian (400 naming the contributor).
    (
        "api:proposal-list",
        "",
        ALL,
        {"POST": {"partner": 201, "counterpart": 400, **NOT_FOR_KENYA, "*": 403}},
    ),
    ("api:proposal-detail", "", {**HIDDEN_PROPOSAL, "*": 200}, {}),
    ("api:proposal-accept", "", 405, {"POST": DECIDE}),
    ("api:proposal-decline", "", 405, {"POST": DECIDE}),
    ("api:proposal-withdraw", "", 405, {"POST": {"partner": 200, **HIDDEN_PROPOSAL, "*": 403}}),
    ("api:notification-list", "", ALL, {}),
    ("api:notification-detail", "", {"counterpart": 200, "*": 404}, {}),
    ("api:notification-read", "", 405, {"POST": {"counterpart": 200, "*": 404}}),
    ("api:notification-read-all", "", 405, {"POST": ALL}),
]


def url(name: str, target: str, world: CounterpartsWorld) -> str:
    if name.endswith("-list") or name.endswith("-read-all"):
        return reverse(name)
    if name.startswith("api:confirmation"):
        return reverse(name, args=[world.confirmations[target].pk])
    if name.startswith("api:comment"):
        return reverse(name, args=[world.comments[target].pk])
    if name.startswith("api:proposal"):
        return reverse(name, args=[world.proposal.pk])
    return reverse(name, args=[world.note.pk])


def body(name: str, target: str, world: CounterpartsWorld, method: str) -> dict[str, Any]:
    """A valid body for each action, with the record's version as it is now."""
    if method != "POST":
        return {}
    if name == "api:comment-list":
        return {"activity": world.walk.pk, "body": "From the walk"}
    if name == "api:proposal-list":
        return {
            "activity": world.walk.pk,
            "contributor": world.proposal.contributor_id,
            "kind": "cofinancing",
            "stage": "planned",
            "amount": "700.00",
            "currency": "USD",
            "value_date": "2025-04-01",
        }
    if name.endswith("-list") or name.endswith("-read-all"):
        return {}
    if name.startswith("api:confirmation-"):
        version = Confirmation.objects.get(pk=world.confirmations[target].pk).version
        return {"version": version, "fields": ["dates"], "comment": "From the walk"}
    if name.startswith("api:proposal-"):
        version = ContributionProposal.objects.get(pk=world.proposal.pk).version
        return {"version": version, "reason": "From the walk"}
    return {}
