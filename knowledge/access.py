"""The one way views (and the API) fetch a knowledge record for a user.

As for activities: reading something the user may not see answers 404 (it does not exist for
them); changing something they may read but not change answers 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import KnowledgeAsset, LearningDemand, LearningOffer, LearningRoute

if TYPE_CHECKING:
    from accounts.models import User


def can_contribute(user: User | Any) -> bool:
    """Who records assets, routes, demands and offers: the focal point and CPMs."""
    return bool(user.is_authenticated and user.can_create_activities)


def require_contributor(user: User | Any) -> None:
    if not can_contribute(user):
        raise PermissionDenied(_("Only CPMs and the focal point record knowledge."))


def require_staff(user: User | Any) -> None:
    """Demands and offers are the agency's planning records."""
    if not (user.is_authenticated and user.is_staff_reader):
        raise PermissionDenied(_("Learning demands and offers are for agency staff."))


def get_asset_for_user(user: User | Any, pk: int, *, write: bool = False) -> KnowledgeAsset:
    asset = (
        KnowledgeAsset.objects.visible_to(user)
        .select_related("division", "created_by")
        .defer("search_vector", "search_head")
        .filter(pk=pk)
        .first()
    )
    if asset is None:
        raise Http404(_("No such knowledge asset."))
    if write and not KnowledgeAsset.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("You may read this asset but not change it."))
    return asset


def can_edit_asset(user: User | Any, asset: KnowledgeAsset) -> bool:
    return KnowledgeAsset.objects.editable_by(user).filter(pk=asset.pk).exists()


def get_route_for_user(user: User | Any, pk: int, *, write: bool = False) -> LearningRoute:
    route = (
        LearningRoute.objects.visible_to(user)
        .select_related("division", "organizer", "activity", "created_by")
        .filter(pk=pk)
        .first()
    )
    if route is None:
        raise Http404(_("No such learning route."))
    if write and not LearningRoute.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("You may read this learning route but not change it."))
    return route


def can_edit_route(user: User | Any, route: LearningRoute) -> bool:
    return LearningRoute.objects.editable_by(user).filter(pk=route.pk).exists()


def get_demand_for_user(user: User | Any, pk: int, *, write: bool = False) -> LearningDemand:
    demand = (
        LearningDemand.objects.visible_to(user)
        .select_related("country__division", "created_by", "accepted_offer", "activity")
        .filter(pk=pk)
        .first()
    )
    if demand is None:
        raise Http404(_("No such learning demand."))
    if write and not LearningDemand.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("You may read this demand but not change it."))
    return demand


def can_edit_demand(user: User | Any, demand: LearningDemand) -> bool:
    return LearningDemand.objects.editable_by(user).filter(pk=demand.pk).exists()


def get_offer_for_user(user: User | Any, pk: int, *, write: bool = False) -> LearningOffer:
    offer = (
        LearningOffer.objects.visible_to(user)
        .select_related("institution__country", "country__division", "activity")
        .filter(pk=pk)
        .first()
    )
    if offer is None:
        raise Http404(_("No such learning offer."))
    if write and not LearningOffer.objects.editable_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("You may read this offer but not change it."))
    return offer
