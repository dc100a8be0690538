"""Who may see and do what with confirmations, the conversation, proposals and the inbox.

Everything hangs on an activity, so reading follows the activity's rules (activities.access,
through accounts.roles); acting is for the people who speak for a side, and for the agency
staff who change the activity:

- confirmation: read by who reads the activity; confirmed or disputed by who speaks for the
  side; answered by who changes the activity.
- comment: shared ones read by who reads the activity, internal notes by agency staff who read
  it; shared ones posted by who changes the activity and by its counterparts, internal notes by
  who changes the activity.
- proposed contribution: read by staff (all), by a counterpart (its own organization's, or its
  country's organizations'); proposed by the activity's counterparts; accepted or declined by
  who changes the activity; withdrawn by whoever proposed it, while proposed.
- notification: read and marked read by its user.

Who speaks for a side: for a country's role, the active country counterparts of that country;
for an organization's role, the active partner users of that organization. "The activity's
counterparts" are those who speak for any of its sides.

Reading something one may not read answers 404; acting on something one reads but may not act
on answers 403.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.roles import access_of
from activities.models import Activity, ActivityCountry, ActivityPartner, Partner

# The querysets hand over to this module, which reads the models when a rule runs.
from . import models


def speakers_q(confirmation: models.Confirmation) -> Q:
    """The users who speak for one side (a filter on users)."""
    if confirmation.country_link_id is not None:
        return Q(role=Role.COUNTERPART, counterpart_country_id=confirmation.country_id)
    return Q(role=Role.PARTNER, partner_id=confirmation.partner_id)


def side_speakers(confirmation: models.Confirmation) -> QuerySet[User]:
    return User.objects.filter(speakers_q(confirmation), is_active=True)


def speakers_of_sides(confirmations: Iterable[models.Confirmation]) -> dict[int, list[int]]:
    """The ids of the users who speak for each side, by confirmation id, in one query."""
    confirmations = list(confirmations)
    countries = {c.country_id for c in confirmations if c.country_link_id is not None}
    partners = {c.partner_id for c in confirmations if c.partner_link_id is not None}
    if not confirmations:
        return {}
    by_country: dict[int | None, list[int]] = defaultdict(list)
    by_partner: dict[int | None, list[int]] = defaultdict(list)
    for pk, role, country_id, partner_id in User.objects.filter(
        Q(role=Role.COUNTERPART, counterpart_country_id__in=countries)
        | Q(role=Role.PARTNER, partner_id__in=partners),
        is_active=True,
    ).values_list("pk", "role", "counterpart_country_id", "partner_id"):
        if role == Role.COUNTERPART:
            by_country[country_id].append(pk)
        else:
            by_partner[partner_id].append(pk)
    return {
        c.pk: by_country[c.country_id]
        if c.country_link_id is not None
        else by_partner[c.partner_id]
        for c in confirmations
    }


def speaks_for(user: User | Any, confirmation: models.Confirmation) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if confirmation.country_link_id is not None:
        return bool(
            user.role == Role.COUNTERPART
            and user.counterpart_country_id is not None
            and user.counterpart_country_id == confirmation.country_id
        )
    return bool(
        user.role == Role.PARTNER
        and user.partner_id is not None
        and user.partner_id == confirmation.partner_id
    )


def counterpart_activities(user: User | Any) -> QuerySet[Activity]:
    """The activities a user takes part in as a counterpart: their organization's or their
    country's (none for agency staff)."""
    if not user.is_authenticated or not user.is_active:
        return Activity.objects.none()
    if user.role == Role.PARTNER and user.partner_id:
        links: QuerySet[Any] = ActivityPartner.objects.filter(partner_id=user.partner_id)
    elif user.role == Role.COUNTERPART and user.counterpart_country_id:
        links = ActivityCountry.objects.filter(country_id=user.counterpart_country_id)
    else:
        return Activity.objects.none()
    return Activity.objects.filter(pk__in=links.values("activity_id"))


def is_counterpart_of(user: User | Any, activity: Activity) -> bool:
    return counterpart_activities(user).filter(pk=activity.pk).exists()


def is_agency_staff(user: User | Any) -> bool:
    return user.is_authenticated and access_of(user).is_staff


def changes_activity(user: User | Any, activity: Activity) -> bool:
    return Activity.objects.editable_by(user).filter(pk=activity.pk).exists()


def get_activity(user: User | Any, pk: int) -> Activity:
    """The activity, if the user reads it (404 otherwise)."""
    activity = (
        Activity.objects.visible_to(user)
        .select_related("lead_division", "responsible_cpm")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404(_("No such activity."))
    return activity


# --- confirmations ------------------------------------------------------------------------


def readable_confirmations(user: User | Any) -> QuerySet[models.Confirmation]:
    return models.Confirmation.objects.filter(activity__in=Activity.objects.visible_to(user))


def get_confirmation_for_user(
    user: User | Any, pk: int, *, action: str | None = None
) -> models.Confirmation:
    """A confirmation the user reads; with `action` ("confirm", "dispute" or "answer"), one
    they may take that action on (403 otherwise)."""
    confirmation = (
        readable_confirmations(user)
        .select_related("activity", "country_link__country", "partner_link__partner")
        .filter(pk=pk)
        .first()
    )
    if confirmation is None:
        raise Http404(_("No such confirmation."))
    if action in ("confirm", "dispute") and not speaks_for(user, confirmation):
        raise PermissionDenied(
            _("Only the counterparts of %(side)s confirm or dispute its role.")
            % {"side": confirmation.side_label}
        )
    if action == "answer" and not changes_activity(user, confirmation.activity):
        raise PermissionDenied(_("Only who manages this activity answers a dispute."))
    return confirmation


# --- the conversation ---------------------------------------------------------------------


def readable_comments(user: User | Any) -> QuerySet[models.Comment]:
    comments = models.Comment.objects.filter(activity__in=Activity.objects.visible_to(user))
    if not is_agency_staff(user):
        comments = comments.filter(internal=False)
    return comments


def may_comment(user: User | Any, activity: Activity, *, internal: bool) -> bool:
    if changes_activity(user, activity):
        return True
    return not internal and is_counterpart_of(user, activity)


def check_may_comment(user: User | Any, activity: Activity, *, internal: bool) -> None:
    if not may_comment(user, activity, internal=internal):
        if internal:
            raise PermissionDenied(_("Only who manages this activity writes internal notes."))
        raise PermissionDenied(
            _("Only who manages this activity and its counterparts take part in its conversation.")
        )


# --- proposed contributions ---------------------------------------------------------------


def readable_proposals(user: User | Any) -> QuerySet[models.ContributionProposal]:
    """Staff read every proposal of the activities they read; a counterpart the proposals of
    its own organization (partner user) or of its country's organizations (counterpart)."""
    proposals = models.ContributionProposal.objects.filter(
        activity__in=Activity.objects.visible_to(user)
    )
    if is_agency_staff(user):
        return proposals
    if user.is_authenticated and user.role == Role.PARTNER and user.partner_id:
        return proposals.filter(contributor_id=user.partner_id)
    if user.is_authenticated and user.role == Role.COUNTERPART and user.counterpart_country_id:
        return proposals.filter(contributor__country_id=user.counterpart_country_id)
    return proposals.none()


def get_proposal_for_user(
    user: User | Any, pk: int, *, action: str | None = None
) -> models.ContributionProposal:
    """A proposal the user reads; with `action` ("decide" or "withdraw"), one they may act on."""
    proposal = readable_proposals(user).select_related("activity", "contributor").filter(pk=pk)
    found = proposal.first()
    if found is None:
        raise Http404(_("No such proposed contribution."))
    if action == "decide" and not changes_activity(user, found.activity):
        raise PermissionDenied(_("Only who manages this activity accepts or declines proposals."))
    # Only the proposer withdraws (the service refuses anyone else): the activity's managers
    # decline instead, with a reason the proposer reads.
    if action == "withdraw" and found.proposed_by_id != user.pk:
        raise PermissionDenied(_("Only whoever proposed it withdraws a proposal."))
    return found


def proposing_contributors(user: User | Any, activity: Activity) -> QuerySet[Partner]:
    """The organizations a user may propose a contribution for on this activity: a partner
    user's own organization, a country counterpart's country's organizations; none if the user
    is not one of the activity's counterparts."""
    if not is_counterpart_of(user, activity):
        return Partner.objects.none()
    if user.role == Role.PARTNER:
        return Partner.objects.filter(users=user)
    return Partner.objects.filter(country__counterparts=user).order_by("name")


# --- the inbox ----------------------------------------------------------------------------


def own_notifications(user: User | Any) -> QuerySet[models.Notification]:
    if not user.is_authenticated:
        return models.Notification.objects.none()
    return models.Notification.objects.filter(user=user)
