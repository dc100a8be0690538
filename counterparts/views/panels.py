"""What the activity page shows of its sides, conversation and proposed contributions, read in
a fixed number of queries however many there are (the activity page asks for it through the
counterparts_panels template tags: activities never imports this app)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch

from accounts.models import User
from activities.models import Activity

from .. import access
from ..models import (
    Comment,
    Confirmation,
    ConfirmationState,
    ConfirmationStep,
    ContributionProposal,
    ProposalState,
)


@dataclass(frozen=True)
class SideView:
    confirmation: Confirmation
    steps: list[ConfirmationStep]
    can_confirm: bool
    can_dispute: bool
    can_answer: bool


@dataclass(frozen=True)
class ProposalView:
    proposal: ContributionProposal
    can_decide: bool
    can_withdraw: bool


def _sides(user: User | Any, activity: Activity, *, manages: bool) -> list[SideView]:
    confirmations = (
        Confirmation.objects.filter(activity=activity)
        .with_side()
        .prefetch_related(Prefetch("steps", queryset=ConfirmationStep.objects.select_related("by")))
    )
    sides = []
    for confirmation in confirmations:
        speaks = access.speaks_for(user, confirmation)
        state = confirmation.state
        sides.append(
            SideView(
                confirmation=confirmation,
                steps=list(confirmation.steps.all()),
                can_confirm=speaks and state != ConfirmationState.CONFIRMED,
                can_dispute=speaks and state != ConfirmationState.DISPUTED,
                can_answer=manages and state == ConfirmationState.DISPUTED,
            )
        )
    return sides


def _proposals(user: User | Any, activity: Activity, *, manages: bool) -> list[ProposalView]:
    proposals = (
        access.readable_proposals(user)
        .filter(activity=activity)
        .select_related("contributor", "proposed_by", "decided_by")
    )
    return [
        ProposalView(
            proposal=proposal,
            can_decide=manages and proposal.state == ProposalState.PROPOSED,
            can_withdraw=proposal.state == ProposalState.PROPOSED
            and proposal.proposed_by_id == user.pk,
        )
        for proposal in proposals
    ]


def activity_panels(
    user: User | Any, activity: Activity, *, manages: bool | None = None
) -> dict[str, Any]:
    """The three sections' context: each side with its thread and the actions the user may
    take, the comments the user reads, the proposals the user reads. `manages`: whether the
    user changes the activity, when the caller knows it already (None: read here)."""
    if manages is None:
        manages = access.changes_activity(user, activity)
    counterpart = access.is_counterpart_of(user, activity)
    comments: list[Comment] = list(
        access.readable_comments(user).filter(activity=activity).select_related("author")
    )
    return {
        "activity": activity,
        "sides": _sides(user, activity, manages=manages),
        "comments": comments,
        "proposals": _proposals(user, activity, manages=manages),
        "manages": manages,
        "is_counterpart": counterpart,
        "may_comment": manages or counterpart,
        "is_staff": access.is_agency_staff(user),
    }
