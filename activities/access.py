"""The one way views and the API fetch an activity or a partner for a user.

Reading something the user may not see answers 404 (it does not exist for them); changing
something they may read but not change answers 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Activity, ActivityPartner, Partner

if TYPE_CHECKING:
    from accounts.models import User


def get_activity_for_user(user: User, pk: int, *, write: bool = False) -> Activity:
    activity = (
        Activity.objects.visible_to(user)
        .select_related("lead_division", "responsible_cpm", "created_by")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404(_("No such activity."))
    if write and not Activity.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("You may read this activity but not change it."))
    return activity


def can_edit_activity(user: User, activity: Activity) -> bool:
    return Activity.objects.editable_by(user).filter(pk=activity.pk).exists()


def visible_partners(user: User) -> QuerySet[Partner]:
    """Staff see every organization; a partner user sees its own and those sharing the
    activities it may read."""
    partners = Partner.objects.select_related("country")
    if not user.is_authenticated or not user.is_active:
        return partners.none()
    if user.is_staff_reader:
        return partners
    links = ActivityPartner.objects.filter(
        activity__in=Activity.objects.visible_to(user).values("pk")
    )
    return partners.filter(Q(pk__in=links.values("partner_id")) | Q(pk=user.partner_id))


def get_partner_for_user(user: User, pk: int, *, write: bool = False) -> Partner:
    partner = visible_partners(user).filter(pk=pk).first()
    if partner is None:
        raise Http404(_("No such partner organization."))
    if write and not user.can_manage_partners:
        raise PermissionDenied(_("Only the focal point changes partner organizations."))
    return partner
