"""Who may see and change activities and partner organizations, and the one way views and the
API fetch them for a user.

The rules apply the scopes of accounts.roles (its table says who reads and changes what); the
querysets' `visible_to` and `editable_by` hand over to them. Reading something the user may not
see answers 404 (it does not exist for them); changing something they may read but not change
answers 403.

| Object   | Read (list, one)                      | Create               | Change, delete      |
|----------|---------------------------------------|----------------------|---------------------|
| activity | `reads` (anonymous: none)             | focal point, CPM     | `changes` (patch)   |
| money    | `reads_money` of the activities read  | as the activity      | as the activity     |
| partner  | staff all; others those of the        | focal point, CPM     | focal point         |
|          | activities they read, their own and   |                      |                     |
|          | those other apps name (`partner_`     |                      |                     |
|          | `reaches`)                            |                      |                     |
| division | loggable: focal point all, CPM patch  | -                    | -                   |
| saved    | its owner; by its link, anyone signed | anyone signed in     | its owner           |
| view     | in once shared (the list then shows   |                      |                     |
|          | each what they read)                  |                      |                     |
| likely   | focal point                           | (with an activity)   | focal point         |
| duplicate|                                       |                      |                     |

inline_ids (`readable_activities`, `changeable_activities`, `cpm_patch`, `without_merged`):
read the ids a rule needs first (one query each) and give them to the database as lists rather
than subqueries. Lists that filter further, sort and page use it: PostgreSQL cannot estimate
`public OR id IN (subquery)` and guesses half the table, so it walks the whole sort index
instead of the few matching rows; for a CPM's patch, `lead_division_id IN (...)` and the
responsible CPM become index scans OR-ed together where the subqueries had it read every
activity. A subquery stays the default where the scope is itself a subquery.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.roles import Reach, Scope, access_of

# The querysets in models hand over to this module, which reads the models when a rule runs:
# the module, not its names, so that either may be imported first.
from . import models
from .extensions import extensions
from .saved_views import SavedView


def readable_activities[S: QuerySet[Any]](
    activities: S, user: User | Any, *, inline_ids: bool = False, merged: bool = False
) -> S:
    """What a user may read (Activity.objects.visible_to). Anything else answers 404 to them.

    An anonymous caller reads no activity here: the public IATI file selects its own. Merged
    activities are left out unless asked for (`merged`: their history stays readable)."""
    scope = access_of(user).reads
    if scope.is_nothing or not user.is_authenticated:
        return activities.none()
    readable = activities.filter(_reach_q(scope, inline_ids=inline_ids))
    return readable if merged else without_merged(readable, inline_ids=inline_ids)


def changeable_activities[S: QuerySet[Any]](
    activities: S, user: User | Any, *, inline_ids: bool = False
) -> S:
    """What a user may change and delete (Activity.objects.editable_by)."""
    scope = access_of(user).changes
    if scope.is_nothing:
        return activities.none()
    return without_merged(
        activities.filter(_reach_q(scope, inline_ids=inline_ids)), inline_ids=inline_ids
    )


def without_merged[S: QuerySet[Any]](activities: S, *, inline_ids: bool = False) -> S:
    """The activities not merged into another (models.ActivityMerge): a merged one's money,
    results and links moved to the one it was merged into, so lists, sums, exports and the
    IATI file leave it out; its page and the API point to the kept one (merged_into_for_user).

    NOT EXISTS rather than the reverse relation's `isnull`: PostgreSQL plans the latter's
    LEFT JOIN ... IS NULL as a filter it guesses keeps a small share of the rows, so the list's
    sorted pages were sorted in full instead of read down an index.

    inline_ids: the merged activities' ids are read first (few: one small query) and left out
    as a list, or not at all when there are none. The anti-join costs a probe per row counted,
    which a list's full count pays on every request; a list of constants costs a hash lookup
    and is estimated exactly."""
    if inline_ids:
        merged = list(models.ActivityMerge.objects.values_list("removed_id", flat=True))
        return activities.exclude(pk__in=merged) if merged else activities
    merges = models.ActivityMerge.objects.filter(removed_id=OuterRef("pk"))
    return activities.filter(~Exists(merges))


def money_readable_activities(user: User | Any) -> Q:
    """The activities whose money a user reads, among those they read: the ledger, the finance
    page, the API's `finance` and the roll-ups all follow it (accounts.roles)."""
    return _reach_q(access_of(user).reads_money)


def reads_money_of(user: User | Any, visibility: str) -> bool:
    """money_readable_activities for one activity the user reads, by its visibility."""
    money = access_of(user).reads_money
    return money.is_everything or (not money.is_nothing and visibility == models.Visibility.PUBLIC)


def _reach_q(scope: Scope, *, inline_ids: bool = False) -> Q:
    if scope.reach is Reach.EVERYTHING:
        return Q()
    if scope.reach is Reach.NOTHING:
        return Q(pk__in=[])
    public = Q(visibility=models.Visibility.PUBLIC)
    if scope.reach is Reach.PUBLIC:
        return public
    if scope.reach is Reach.ORGANIZATION:
        assert scope.partner_id is not None, "an organization scope names its organization"
        links = models.ActivityPartner.objects.filter(partner_id=scope.partner_id)
        linked: Any = (
            list(links.order_by().values_list("activity_id", flat=True).distinct())
            if inline_ids
            else links.values("activity_id")
        )
        return public | Q(pk__in=linked)
    if scope.reach is Reach.COUNTRY:
        assert scope.country_id is not None, "a country scope names its country"
        taking_part = models.ActivityCountry.objects.filter(country_id=scope.country_id)
        ids: Any = (
            list(taking_part.order_by().values_list("activity_id", flat=True).distinct())
            if inline_ids
            else taking_part.values("activity_id")
        )
        return public | Q(pk__in=ids)
    assert scope.user is not None
    return cpm_patch(scope.user, inline_ids=inline_ids)


def cpm_patch(user: User, *, inline_ids: bool = False) -> Q:
    """The activities a CPM manages: theirs as responsible CPM, their divisions' and those in
    their countries."""
    patch = Scope(Reach.PATCH, user=user)
    if not inline_ids:
        return (
            Q(responsible_cpm=user)
            | Q(lead_division__in=patch.divisions())
            | Q(
                pk__in=models.ActivityCountry.objects.filter(country__in=patch.countries()).values(
                    "activity_id"
                )
            )
        )
    rule = Q(responsible_cpm=user)
    divisions = patch.division_ids()
    if divisions:
        rule |= Q(lead_division_id__in=divisions)
    countries = patch.country_ids()
    if countries:
        links = models.ActivityCountry.objects.filter(country_id__in=countries)
        rule |= Q(pk__in=links.values("activity_id"))
    return rule


def get_activity_for_user(
    user: User, pk: int, *, write: bool = False, merged: bool = False
) -> models.Activity:
    """The activity `pk` as `user` may read it (404) or change it (403). `merged`: a merged
    activity is found too, for the pages that show what it was (its history)."""
    activity = (
        readable_activities(models.Activity.objects.all(), user, merged=merged and not write)
        .select_related("lead_division", "responsible_cpm", "created_by")
        .filter(pk=pk)
        .first()
    )
    if activity is None:
        raise Http404(_("No such activity."))
    if write and not models.Activity.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("You may read this activity but not change it."))
    return activity


def merged_into_for_user(user: User, pk: int) -> models.Activity | None:
    """The activity that `pk` was merged into, when the user reads it (a chain of merges is
    followed to its end); None otherwise, and the caller answers 404 as for any unknown id."""
    seen = {pk}
    merge = models.ActivityMerge.objects.filter(removed_id=pk).first()
    while merge is not None and merge.kept_id not in seen:
        seen.add(merge.kept_id)
        found = models.ActivityMerge.objects.filter(removed_id=merge.kept_id).first()
        if found is None:
            return models.Activity.objects.visible_to(user).filter(pk=merge.kept_id).first()
        merge = found
    return None


def can_edit_activity(user: User, activity: models.Activity) -> bool:
    return models.Activity.objects.editable_by(user).filter(pk=activity.pk).exists()


def duplicate_pairs_for_user(user: User) -> QuerySet[models.DuplicatePair]:
    """The likely duplicates a user may review: the focal point's, who reads every activity and
    keeps the portfolio clean; anyone else is refused (403), as on the partner merge."""
    if not user.is_authenticated or not user.is_focal_point:
        raise PermissionDenied(_("Only the focal point reviews likely duplicates."))
    # A pair naming an activity merged into a third one has nothing left to decide.
    merged = Q(first__merged_into__isnull=False) | Q(second__merged_into__isnull=False)
    return models.DuplicatePair.objects.exclude(merged & ~Q(state=models.PairState.MERGED))


def get_duplicate_pair_for_user(user: User, pk: int) -> models.DuplicatePair:
    pair = (
        duplicate_pairs_for_user(user)
        .select_related("first", "second", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if pair is None:
        raise Http404(_("No such pair of activities."))
    return pair


# The seam through which the apps above activities make more organizations readable: a record
# they show a user may name an organization (a knowledge asset its authors), whose page must then
# open rather than answer 404. Each function gives, for a user, the ids of those organizations
# (a `values("partner_id")` queryset); settings.ACTIVITY_EXTENSIONS["partner_reach"] names them.
type PartnerReach = Callable[[User | Any], QuerySet[Any]]


def visible_partners(user: User | Any) -> QuerySet[models.Partner]:
    """Staff see every organization; others those taking part in the activities they read, a
    partner user its own (the anonymous caller: the public IATI file), and those the records of
    other apps they read name (the "partner_reach" extensions)."""
    partners = models.Partner.objects.select_related("country")
    scope = access_of(user).reads
    if scope.is_everything:
        return partners
    if scope.is_nothing:
        return partners.none()
    named = Q(pk__in=[])
    reach: PartnerReach
    for reach in extensions("partner_reach"):
        named |= Q(pk__in=reach(user))
    if scope.reach is Reach.PUBLIC:
        public = models.ActivityPartner.objects.filter(
            activity__visibility=models.Visibility.PUBLIC
        )
        return partners.filter(Q(pk__in=public.values("partner_id")) | named)
    read = models.Activity.objects.filter(_reach_q(scope)).values("pk")
    links = models.ActivityPartner.objects.filter(activity__in=read)
    own = Q(pk=scope.partner_id) if scope.partner_id else Q(pk__in=[])
    return partners.filter(Q(pk__in=links.values("partner_id")) | own | named)


def get_partner_for_user(user: User, pk: int, *, write: bool = False) -> models.Partner:
    partner = visible_partners(user).filter(pk=pk).first()
    if partner is None:
        raise Http404(_("No such partner organization."))
    if write and not access_of(user).keeps_reference_data:
        raise PermissionDenied(_("Only the focal point changes partner organizations."))
    return partner


def loggable_divisions(user: User) -> QuerySet[models.Division]:
    """The divisions a user may create activities in or move them to: every one for the focal
    point; for a CPM their divisions and those of their countries (the README: CPMs log the
    activities of their divisions and countries); none for anyone else."""
    scope = access_of(user).changes
    if scope.is_everything:
        return models.Division.objects.all()
    if scope.is_nothing:
        return models.Division.objects.none()
    return models.Division.objects.filter(
        Q(pk__in=scope.divisions().values("pk")) | Q(pk__in=scope.countries().values("division_id"))
    )


def responsible_cpms(divisions: QuerySet[models.Division] | None = None) -> QuerySet[User]:
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


def get_saved_view_for_user(user: User, pk: int) -> SavedView:
    """One of the user's own saved views (to rename or delete): another user's does not exist
    for them, shared or not."""
    view = SavedView.objects.filter(owner=user, pk=pk).first()
    if view is None:
        raise Http404(_("No such saved view."))
    return view


def open_saved_view_for_user(user: User, token: str) -> SavedView:
    """The saved view a link names: the owner's, or one shared by its owner; 404 otherwise, so
    that an unshared view's existence does not show."""
    if not user.is_authenticated:
        raise Http404(_("No such saved view, or it is no longer shared."))
    view = SavedView.objects.filter(Q(owner=user) | Q(shared=True), token=token).first()
    if view is None:
        raise Http404(_("No such saved view, or it is no longer shared."))
    return view
