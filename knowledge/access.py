"""Who may see and change knowledge records, and the one way views and the API fetch them.

The rules apply the scopes of accounts.roles; the querysets' `visible_to` and `editable_by`
hand over to them. As for activities: reading something the user may not see answers 404 (it
does not exist for them); changing something they may read but not change answers 403.

| Object           | Read (list, one)                      | Create           | Change, delete    |
|------------------|---------------------------------------|------------------|-------------------|
| asset, its files | `reads`: staff all, others public     | focal point, CPM | `changes` (patch) |
| route, its plans | `reads`: staff all, others public     | focal point, CPM | `changes` (patch) |
| demand, offer    | staff only (the agency's planning)    | focal point, CPM | `changes` (patch) |

No organization takes part in a knowledge record, so a partner user's organization scope reads
them at the public level. The organizations credited as an asset's authors are readable by
whoever reads the asset (readable_authors), so that the author links open.

A CPM's patch: the records they recorded, those of their divisions
and those about their countries (an asset's countries, a route's host cases, a demand's or an
offer's country).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.roles import Scope, access_of
from activities.models import Visibility

# The querysets in models hand over to this module, which reads the models when a rule runs:
# the module, not its names, so that either may be imported first.
from . import models

if TYPE_CHECKING:
    from accounts.models import User


def readable[S: QuerySet[Any]](records: S, user: User | Any, *, agency_only: bool = False) -> S:
    """What a user may read of assets or routes (agency_only: demands and offers)."""
    reads = access_of(user).reads
    if reads.is_everything:
        return records
    if reads.is_nothing or agency_only:
        return records.none()
    return records.filter(visibility=Visibility.PUBLIC)


def readable_authors(user: User | Any) -> QuerySet[Any]:
    """The organizations credited as authors of the assets a user reads, as partner ids: an
    asset's author link leads to the organization's page, which must open for whoever reads the
    asset (named in settings.ACTIVITY_EXTENSIONS["partner_reach"], read by activities.access)."""
    assets = readable(models.KnowledgeAsset.objects.all(), user).values("pk")
    return models.KnowledgeAsset.author_organizations.through.objects.filter(
        knowledgeasset__in=assets
    ).values("partner_id")


def changeable[S: QuerySet[Any]](records: S, user: User | Any, patch: Callable[[Scope], Q]) -> S:
    """What a user may change and delete: everything, or the patch (a Q of the scope)."""
    changes = access_of(user).changes
    if changes.is_everything:
        return records
    if changes.is_nothing:
        return records.none()
    return records.filter(patch(changes))


def asset_patch(scope: Scope) -> Q:
    countries = models.KnowledgeAsset.countries.through.objects.filter(
        country__in=scope.countries()
    )
    return (
        Q(created_by=scope.user)
        | Q(division__in=scope.divisions())
        | Q(pk__in=countries.values("knowledgeasset_id"))
    )


def route_patch(scope: Scope) -> Q:
    hosts = models.HostCase.objects.filter(country__in=scope.countries())
    return (
        Q(created_by=scope.user)
        | Q(division__in=scope.divisions())
        | Q(pk__in=hosts.values("route_id"))
    )


def country_record_patch(scope: Scope) -> Q:
    """A demand's or an offer's: both are about one country."""
    return (
        Q(created_by=scope.user)
        | Q(country__division__in=scope.divisions())
        | Q(country__in=scope.countries())
    )


def can_contribute(user: User | Any) -> bool:
    """Who records assets, routes, demands and offers: the focal point and CPMs."""
    return access_of(user).creates_records


def require_contributor(user: User | Any) -> None:
    if not can_contribute(user):
        raise PermissionDenied(_("Only CPMs and the focal point record knowledge."))


def require_staff(user: User | Any) -> None:
    """Demands and offers are the agency's planning records."""
    if not access_of(user).is_staff:
        raise PermissionDenied(_("Learning demands and offers are for agency staff."))


def get_asset_for_user(user: User | Any, pk: int, *, write: bool = False) -> models.KnowledgeAsset:
    asset = (
        models.KnowledgeAsset.objects.visible_to(user)
        .select_related("division", "created_by")
        .defer("search_vector", "search_head")
        .filter(pk=pk)
        .first()
    )
    if asset is None:
        raise Http404(_("No such knowledge asset."))
    if write and not models.KnowledgeAsset.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("You may read this asset but not change it."))
    return asset


def can_edit_asset(user: User | Any, asset: models.KnowledgeAsset) -> bool:
    return models.KnowledgeAsset.objects.editable_by(user).filter(pk=asset.pk).exists()


def get_route_for_user(user: User | Any, pk: int, *, write: bool = False) -> models.LearningRoute:
    route = (
        models.LearningRoute.objects.visible_to(user)
        .select_related("division", "organizer", "activity", "created_by")
        .filter(pk=pk)
        .first()
    )
    if route is None:
        raise Http404(_("No such learning route."))
    if write and not models.LearningRoute.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("You may read this learning route but not change it."))
    return route


def can_edit_route(user: User | Any, route: models.LearningRoute) -> bool:
    return models.LearningRoute.objects.editable_by(user).filter(pk=route.pk).exists()


def get_demand_for_user(user: User | Any, pk: int, *, write: bool = False) -> models.LearningDemand:
    demand = (
        models.LearningDemand.objects.visible_to(user)
        .select_related("country__division", "created_by", "accepted_offer", "activity")
        .filter(pk=pk)
        .first()
    )
    if demand is None:
        raise Http404(_("No such learning demand."))
    if write and not models.LearningDemand.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("You may read this demand but not change it."))
    return demand


def can_edit_demand(user: User | Any, demand: models.LearningDemand) -> bool:
    return models.LearningDemand.objects.editable_by(user).filter(pk=demand.pk).exists()


def get_offer_for_user(user: User | Any, pk: int, *, write: bool = False) -> models.LearningOffer:
    offer = (
        models.LearningOffer.objects.visible_to(user)
        .select_related("institution__country", "country__division", "activity")
        .filter(pk=pk)
        .first()
    )
    if offer is None:
        raise Http404(_("No such learning offer."))
    if write and not models.LearningOffer.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("You may read this offer but not change it."))
    return offer


def can_edit_offer(user: User | Any, offer: models.LearningOffer) -> bool:
    return models.LearningOffer.objects.editable_by(user).filter(pk=offer.pk).exists()
