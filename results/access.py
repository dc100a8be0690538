"""Who may see and change results, updates, benefits and follow-ups.

Everything here hangs on an activity (or, for follow-ups, on a learning route), so the rules are
the activity's (activities.access) and the route's (knowledge.access), applied through
accounts.roles:

| Object                         | Read                           | Change                       |
|--------------------------------|--------------------------------|------------------------------|
| framework (results, indicators,| who reads the activity         | who changes the activity     |
| periods, targets), benefits,   |                                | (focal point, a CPM's patch) |
| scaling up, related activities |                                |                              |
| update: draft, submit, revise  | reporters: every state;        | reporters: who changes the   |
|                                | other readers: approved only   | activity, and users of a     |
|                                |                                | partner implementing or      |
|                                |                                | hosting it                   |
| update: approve, return        | -                              | who changes the activity     |
| core indicators, dimensions    | staff                          | focal point                  |
| plan follow-ups                | who reads the route            | who changes the route        |

Reading something one may not read answers 404; acting on something one reads but may not act
on answers 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Reach, access_of
from activities.models import Activity, ActivityPartner, PartnerRole
from knowledge.models import LearningRoute

# The querysets in models hand over to this module, which reads the models when a rule runs.
from . import models

# The partner roles whose users report on an activity's results.
REPORTING_ROLES = (PartnerRole.IMPLEMENTER, PartnerRole.HOST)


def readable[S: QuerySet[Any]](records: S, user: User | Any, activity_path: str) -> S:
    """Records of the activities the user reads (`activity_path` leads from them to it)."""
    return records.filter(**{f"{activity_path}__in": Activity.objects.visible_to(user)})


def changeable_activities(user: User | Any) -> QuerySet[Activity]:
    """Whose framework a user builds, and whose updates they approve or return."""
    return Activity.objects.editable_by(user)


def reporting_activities(user: User | Any) -> QuerySet[Activity]:
    """On which activities a user drafts and submits updates: those they change, and for a
    partner user those their organization implements or hosts (and reads)."""
    scope = access_of(user).reads
    if scope.reach is Reach.ORGANIZATION:
        assert scope.partner_id is not None, "an organization scope names its organization"
        links = ActivityPartner.objects.filter(
            partner_id=scope.partner_id, role__in=REPORTING_ROLES
        )
        return Activity.objects.visible_to(user).filter(pk__in=links.values("activity_id"))
    return changeable_activities(user)


def readable_updates[S: QuerySet[Any]](updates: S, user: User | Any) -> S:
    """Reporters and approvers see every state; other readers approved updates only."""
    activity = "period__indicator__result__activity"
    read = readable(updates, user, activity)
    if not user.is_authenticated:
        return read
    involved = Q(**{f"{activity}__in": reporting_activities(user)}) | Q(
        **{f"{activity}__in": changeable_activities(user)}
    )
    return read.filter(involved | Q(status=models.UpdateStatus.APPROVED))


class ActivityResultsAccess:
    """What one user may do with one activity's results (read by the caller first)."""

    def __init__(self, user: User | Any, activity: Activity):
        self.user = user
        self.activity = activity
        self.edits_framework = changeable_activities(user).filter(pk=activity.pk).exists()
        self.approves = self.edits_framework
        self.reports = self.edits_framework or (
            reporting_activities(user).filter(pk=activity.pk).exists()
        )

    def require_framework(self) -> None:
        if not self.edits_framework:
            raise PermissionDenied(_("You may read this activity's results but not change them."))

    def require_reporting(self) -> None:
        if not self.reports:
            raise PermissionDenied(_("You may not report on this activity's results."))

    def require_approving(self) -> None:
        if not self.approves:
            raise PermissionDenied(
                _("Only the activity's CPM or the focal point approve or return updates.")
            )


def get_activity_for_results(user: User | Any, pk: int) -> tuple[Activity, ActivityResultsAccess]:
    activity = (
        Activity.objects.visible_to(user)
        .select_related("lead_division", "responsible_cpm")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404(_("No such activity."))
    return activity, ActivityResultsAccess(user, activity)


def get_result_for_user(user: User | Any, pk: int) -> tuple[models.Result, ActivityResultsAccess]:
    result = models.Result.objects.visible_to(user).select_related("activity").filter(pk=pk).first()
    if result is None:
        raise Http404(_("No such result."))
    return result, ActivityResultsAccess(user, result.activity)


def get_indicator_for_user(
    user: User | Any, pk: int
) -> tuple[models.Indicator, ActivityResultsAccess]:
    indicator = (
        models.Indicator.objects.visible_to(user)
        .select_related("result__activity", "core")
        .filter(pk=pk)
        .first()
    )
    if indicator is None:
        raise Http404(_("No such indicator."))
    return indicator, ActivityResultsAccess(user, indicator.result.activity)


def get_period_for_user(user: User | Any, pk: int) -> tuple[models.Period, ActivityResultsAccess]:
    period = (
        models.Period.objects.visible_to(user)
        .select_related("indicator__result__activity", "indicator__core")
        .filter(pk=pk)
        .first()
    )
    if period is None:
        raise Http404(_("No such reporting period."))
    return period, ActivityResultsAccess(user, period.indicator.result.activity)


def get_update_for_user(user: User | Any, pk: int) -> tuple[models.Update, ActivityResultsAccess]:
    update = (
        models.Update.objects.visible_to(user)
        .select_related("period__indicator__result__activity", "period__indicator__core")
        .filter(pk=pk)
        .first()
    )
    if update is None:
        raise Http404(_("No such update."))
    return update, ActivityResultsAccess(user, update.period.indicator.result.activity)


def get_relation_for_user(
    user: User | Any, pk: int
) -> tuple[models.ActivityRelation, ActivityResultsAccess]:
    """A link between two activities, reached through the activity that records it."""
    relation = (
        models.ActivityRelation.objects.filter(activity__in=Activity.objects.visible_to(user))
        .select_related("activity", "related")
        .filter(pk=pk)
        .first()
    )
    if relation is None:
        raise Http404(_("No such related activity."))
    return relation, ActivityResultsAccess(user, relation.activity)


def keeps_library(user: User | Any) -> bool:
    """Who keeps the core indicators and the disaggregation dimensions."""
    return access_of(user).keeps_reference_data


def reads_library(user: User | Any) -> bool:
    return access_of(user).is_staff


def require_library_keeper(user: User | Any) -> None:
    if not keeps_library(user):
        raise PermissionDenied(_("Only the focal point keeps the core indicators."))


def readable_follow_ups[S: QuerySet[Any]](follow_ups: S, user: User | Any) -> S:
    return follow_ups.filter(plan__route__in=LearningRoute.objects.visible_to(user))


def changeable_follow_ups(user: User | Any) -> QuerySet[models.PlanFollowUp]:
    return models.PlanFollowUp.objects.filter(
        plan__route__in=LearningRoute.objects.editable_by(user)
    )


def get_follow_up_for_user(
    user: User | Any, pk: int, *, write: bool = False
) -> models.PlanFollowUp:
    follow_up = (
        models.PlanFollowUp.objects.visible_to(user)
        .select_related("plan__route", "plan__participant__organization")
        .filter(pk=pk)
        .first()
    )
    if follow_up is None:
        raise Http404(_("No such follow-up."))
    if write and not changeable_follow_ups(user).filter(pk=pk).exists():
        raise PermissionDenied(_("Only the route's CPM or the focal point record its follow-ups."))
    return follow_up
