"""Who may see and change money: ledger entries, the finance pages, the roll-ups and what is
built on them, and the reference data finance keeps. Built on accounts.roles and
activities.access.

| Object                         | Read                                 | Create, change, delete   |
|--------------------------------|--------------------------------------|--------------------------|
| ledger entry, finance page     | `reads_money` of the activities read | the activity's editors   |
| roll-up API                    | `reads_money` (rollup_scope)         | -                        |
| dashboard, its tables, reports | staff (rollup_scope: everything)     | reports: staff; rebuild: |
|                                |                                      | focal point              |
| exports (workbook, ledger CSV) | staff                                | -                        |
| exchange rates, theme codes    | staff                                | focal point              |
| closed periods, imports,       | focal point                          | focal point              |
| money history                  |                                      |                          |
| contributor groups, their split| focal point                          | focal point              |

The roll-ups follow the pages: what each standing's roll-up sums is the money of the activities
it reads with their money on the pages. Staff (the focal point, CPMs, viewers) read every
activity and its money, so their roll-ups and dashboard cover the whole portfolio, a CPM's
included (their patch is what they change, not what they read). Partner users read the money
of public activities only: their organization's internal activities show on the pages without
their money, since the roll-up cells tell public money from the rest and nothing finer, and
adding one organization's internal money would need a second, per-activity path.
Anonymous callers read public money; an inactive account reads none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.roles import Reach, access_of
from activities.access import (
    get_activity_for_user,
    money_readable_activities,
    reads_money_of,
    without_merged,
)
from activities.models import Activity

from .models import ContributorGroup, FinancialEntry

if TYPE_CHECKING:
    from accounts.models import User


def rollup_scope(user: User | Any) -> Q | None:
    """The roll-up cells whose money a user reads, as a filter on them; None: nothing."""
    money = access_of(user).reads_money
    if money.reach is Reach.EVERYTHING:
        return Q()
    if money.reach is Reach.PUBLIC:
        return Q(is_public=True)
    return None


def reads_agency_figures(user: User | Any) -> bool:
    """The dashboard, its reports, exports, rates and theme codes: agency staff."""
    return access_of(user).is_staff


def require_agency_figures(user: User | Any, refusal: str) -> None:
    if not reads_agency_figures(user):
        raise PermissionDenied(refusal)


def money_activities(user: User | Any) -> QuerySet[Activity]:
    """The activities whose money a user reads: those they read, as far as reads_money goes.
    An anonymous caller reads no activity page, only the public IATI file: public money."""
    read = (
        Activity.objects.visible_to(user)
        if user.is_authenticated
        else without_merged(Activity.objects.all())
    )
    return read.filter(money_readable_activities(user))


def readable_entries(
    user: User | Any, entries: QuerySet[FinancialEntry]
) -> QuerySet[FinancialEntry]:
    if access_of(user).reads_money.is_everything:
        return entries
    return entries.filter(activity__in=money_activities(user).values("pk"))


def get_activity_money_for_user(user: User | Any, pk: int) -> Activity:
    """The activity whose finance page a user opens: 404 when they may not read its money."""
    activity = get_activity_for_user(user, pk)
    if not reads_money_of(user, activity.visibility):
        raise Http404(_("No money of this activity is shown to you."))
    return activity


def require_group_keeper(user: User | Any) -> None:
    """The contributor groups' pages: the focal point's, as the import that makes them."""
    if not access_of(user).keeps_reference_data:
        raise PermissionDenied(_("Only the focal point splits a group's money."))


def readable_groups(user: User | Any) -> QuerySet[ContributorGroup]:
    """The contributor groups a user reads, and changes: the focal point's alone."""
    if not access_of(user).keeps_reference_data:
        return ContributorGroup.objects.none()
    return ContributorGroup.objects.all()


def get_contributor_group_for_user(
    user: User | Any, pk: int, *, write: bool = False
) -> ContributorGroup:
    """A group of contributors, which only the focal point reads and splits: 404 for anyone
    else, as for any object one may not read. `write` changes nothing: who reads, splits."""
    group = readable_groups(user).prefetch_related("members").filter(pk=pk).first()
    if group is None:
        raise Http404(_("No such contributor group."))
    return group
