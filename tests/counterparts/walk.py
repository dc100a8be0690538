"""The counterparts records the permission walk (tests/activities/test_permissions.py) visits:
an internal LAC activity ("sided") that Brazil provides, Mozambique receives (the
`counterpart` role's country, not `counterpart_other`'s Kenya) and the partner user's
organization implements, with its three sides (Brazil's marked disputed, to be answered); a
contribution the partner user proposed; a notification of Mozambique's counterpart. And the
URLs and valid POST bodies for them: if a role that may not act were let through, the body
would change something."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse

from accounts.models import User
from activities.models import Activity, CountryRole, Partner, PartnerRole
from counterparts import services
from counterparts.models import (
    Confirmation,
    ConfirmationState,
    ContributionProposal,
    Notification,
)
from tests.factories import ActivityFactory, PartnerFactory, country

# The sides the walk acts on: Mozambique's (its counterpart confirms or disputes), the
# organization's (the partner user's), Brazil's (disputed: the activity's editors answer).
SIDE_TARGETS = ("side_mz", "side_org", "side_br")


@dataclass
class CounterpartsWorld:
    activity: Activity
    sides: dict[str, Confirmation]
    mz_org: Partner  # an organization of Mozambique: what its counterpart proposes for
    proposal: ContributionProposal  # proposed by the partner user for its organization
    notification: Notification  # Mozambique's counterpart's


def make_world(*, users: dict[str, User], own_org: Partner) -> CounterpartsWorld:
    activity = ActivityFactory(
        title="Sided LAC exchange",
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        partners=[(own_org, PartnerRole.IMPLEMENTER)],
    )
    services.sync_sides([activity.pk], user=None)
    sides = {
        "side_mz": Confirmation.objects.with_side().get(
            activity=activity, country_link__country__iso2="MZ"
        ),
        "side_br": Confirmation.objects.with_side().get(
            activity=activity, country_link__country__iso2="BR"
        ),
        "side_org": Confirmation.objects.with_side().get(
            activity=activity, partner_link__isnull=False
        ),
    }
    # Brazil has no counterpart user to dispute: the state is set as a dispute would leave it.
    Confirmation.objects.filter(pk=sides["side_br"].pk).update(state=ConfirmationState.DISPUTED)
    sides["side_br"].refresh_from_db()
    proposal = services.propose(
        activity=activity,
        user=users["partner"],
        data=services.ProposalData(
            contributor=own_org,
            kind="cofinancing",
            stage="planned",
            amount=Decimal(1500),
            currency="USD",
            value_date=datetime.date(2024, 3, 1),
        ),
    )
    return CounterpartsWorld(
        activity=activity,
        sides=sides,
        mz_org=PartnerFactory(name="Associação de Agricultores do Niassa", country=country("MZ")),
        proposal=proposal,
        notification=Notification.objects.filter(user=users["counterpart"]).first()
        or Notification.objects.create(user=users["counterpart"], kind="reminder"),
    )


def url(name: str, target: str, world: CounterpartsWorld, activities: dict[str, Activity]) -> str:
    if target in SIDE_TARGETS:
        return reverse(name, args=[world.sides[target].pk])
    if target == "proposal":
        return reverse(name, args=[world.proposal.pk])
    if target == "notification":
        return reverse(name, args=[world.notification.pk])
    if target == "sided":
        return reverse(name, args=[world.activity.pk])
    if target in activities:
        return reverse(name, args=[activities[target].pk])
    return reverse(name)


def post_body(
    name: str, target: str, world: CounterpartsWorld, user: User | None, own_org: Partner
) -> dict[str, Any]:
    side = world.sides.get(target)
    version = side.version if side else world.proposal.version
    match name:
        case "counterparts:confirm":
            return {"version": version}
        case "counterparts:dispute":
            return {"version": version, "disputed": ["dates"], "comment": "It was in October."}
        case "counterparts:answer":
            return {"version": version, "comment": "The dates are corrected."}
        case "counterparts:comment":
            return {"body": "A message from the walk."}
        case "counterparts:propose":
            # Each counterpart's own contributor; anyone else tries the partner user's.
            mz = user is not None and user.counterpart_country_id is not None
            return {
                "contributor": (world.mz_org if mz else own_org).pk,
                "kind": "cofinancing",
                "stage": "planned",
                "amount": "900",
                "currency": "USD",
                "value_date": "2024-03-01",
            }
        case "counterparts:accept" | "counterparts:withdraw":
            return {"version": version}
        case "counterparts:decline":
            return {"version": version, "reason": "Outside the scope."}
    return {}
