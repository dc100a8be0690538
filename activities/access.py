"""The one way views and the API fetch an activity or a partner for a user.

Reading something the user may not see answers 404 (it does not exist for them); changing
something they may read but not change answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Role, User

from .models import Activity, ActivityPartner, Division, Partner, Visibility


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
    activities it may read; an anonymous caller (the public IATI file) those of the public
    activities."""
    partners = Partner.objects.select_related("country")
    if not user.is_authenticated:
        public = ActivityPartner.objects.filter(activity__visibility=Visibility.PUBLIC)
        return partners.filter(pk__in=public.values("partner_id"))
    if not user.is_active:
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


def loggable_divisions(user: User) -> QuerySet[Division]:
    """The divisions a user may create activities in or move them to: every one for the focal
    point; for a CPM their divisions and those of their countries (the README: CPMs log the
    activities of their divisions and countries); none for anyone else."""
    if not user.is_authenticated or not user.is_active:
        return Division.objects.none()
    if user.is_focal_point:
        return Division.objects.all()
    if not user.is_cpm:
        return Division.objects.none()
    return Division.objects.filter(
        Q(pk__in=user.divisions.values("pk")) | Q(pk__in=user.countries.values("division_id"))
    )


def responsible_cpms(divisions: QuerySet[Division] | None = None) -> QuerySet[User]:
    """Who may be an activity's responsible CPM: an active focal point, or an active CPM for
    whom the lead division is loggable (one of `divisions`; None: any division)."""
    people = User.objects.filter(is_active=True).order_by("last_name", "first_name", "username")
    if divisions is None:
        return people.filter(role__in=[Role.CPM, Role.FOCAL_POINT])
    by_division = User.divisions.through.objects.filter(division__in=divisions)
    by_country = User.countries.through.objects.filter(country__division__in=divisions)
    return people.filter(
        Q(role=Role.FOCAL_POINT)
        | Q(role=Role.CPM, pk__in=by_division.values("user_id"))
        | Q(role=Role.CPM, pk__in=by_country.values("user_id"))
    )
