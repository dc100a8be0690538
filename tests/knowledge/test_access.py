"""Who reads and who changes knowledge records: internal assets never reach partner users,
anonymous callers or the public API; CPMs change what belongs to their divisions and countries."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Role, User
from activities.models import Partner, Visibility
from knowledge.access import (
    get_asset_for_user,
    get_demand_for_user,
    get_offer_for_user,
    get_route_for_user,
)
from knowledge.models import KnowledgeAsset, LearningDemand, LearningOffer, LearningRoute
from tests.factories import PartnerFactory, UserFactory
from tests.knowledge.factories import make_asset, make_demand, make_offer, make_route

pytestmark = pytest.mark.django_db


@pytest.fixture
def assets() -> dict[str, KnowledgeAsset]:
    return {
        "internal": make_asset(title="Internal note"),
        "public": make_asset(title="Public case", visibility=Visibility.PUBLIC),
        "apr": make_asset(title="APR guide", division_code="APR"),
    }


def _titles(queryset: object) -> set[str]:
    return {asset.title for asset in queryset}  # type: ignore[attr-defined]


def test_internal_assets_never_reach_partner_users_or_anonymous_callers(
    assets: dict[str, KnowledgeAsset], partner_user: User, partner_org: Partner
) -> None:
    # Even an asset the partner's own organization wrote stays internal until made public.
    own = make_asset(title="Written by the partner", authors=[partner_org])
    for user in (partner_user, AnonymousUser()):
        assert _titles(KnowledgeAsset.objects.visible_to(user)) == {"Public case"}
    with pytest.raises(Http404):
        get_asset_for_user(partner_user, own.pk)
    with pytest.raises(Http404):
        get_asset_for_user(AnonymousUser(), assets["internal"].pk)


def test_staff_read_every_asset_and_inactive_accounts_none(
    assets: dict[str, KnowledgeAsset], viewer: User, cpm_other: User
) -> None:
    assert len(KnowledgeAsset.objects.visible_to(viewer)) == 3
    assert len(KnowledgeAsset.objects.visible_to(cpm_other)) == 3
    viewer.is_active = False
    assert not KnowledgeAsset.objects.visible_to(viewer).exists()


def test_cpm_edits_assets_of_their_division_their_countries_and_their_own(
    assets: dict[str, KnowledgeAsset], cpm: User, cpm_other: User
) -> None:
    assert _titles(KnowledgeAsset.objects.editable_by(cpm)) == {"Internal note", "Public case"}
    assert _titles(KnowledgeAsset.objects.editable_by(cpm_other)) == {"APR guide"}
    by_country = make_asset(title="About Peru", division_code="ESA", countries=["PE"])
    peru_cpm = UserFactory(role=Role.CPM, countries=["PE"])
    assert _titles(KnowledgeAsset.objects.editable_by(peru_cpm)) == {by_country.title}
    mine = make_asset(title="Recorded by cpm_other", user=cpm_other)
    assert get_asset_for_user(cpm_other, mine.pk, write=True) == mine


def test_reading_is_not_changing(
    assets: dict[str, KnowledgeAsset],
    viewer: User,
    cpm_other: User,
    focal: User,
    partner_user: User,
) -> None:
    with pytest.raises(PermissionDenied):
        get_asset_for_user(viewer, assets["internal"].pk, write=True)
    with pytest.raises(PermissionDenied):
        get_asset_for_user(cpm_other, assets["internal"].pk, write=True)
    with pytest.raises(PermissionDenied):
        get_asset_for_user(partner_user, assets["public"].pk, write=True)
    assert get_asset_for_user(focal, assets["apr"].pk, write=True) == assets["apr"]


def test_routes_follow_the_same_rules(cpm: User, cpm_other: User, partner_user: User) -> None:
    host = PartnerFactory()
    internal = make_route(hosts=[(host, "BR")])
    public = make_route(title="Public route", hosts=[(host, "BR")], visibility=Visibility.PUBLIC)
    assert set(LearningRoute.objects.visible_to(partner_user)) == {public}
    assert set(LearningRoute.objects.editable_by(cpm)) == {internal, public}
    assert not LearningRoute.objects.editable_by(cpm_other).exists()
    with pytest.raises(Http404):
        get_route_for_user(partner_user, internal.pk)
    with pytest.raises(PermissionDenied):
        get_route_for_user(cpm_other, internal.pk, write=True)
    by_host_country = make_route(title="Host in Senegal", division_code="WCA", hosts=[(host, "SN")])
    senegal_cpm = UserFactory(role=Role.CPM, countries=["SN"])
    assert set(LearningRoute.objects.editable_by(senegal_cpm)) == {by_host_country}


def test_demands_and_offers_are_staff_records(
    cpm: User, cpm_other: User, partner_user: User, viewer: User
) -> None:
    demand = make_demand(country_code="PE")
    offer = make_offer(institution=PartnerFactory(), country=None)
    for model in (LearningDemand, LearningOffer):
        assert not model.objects.visible_to(partner_user).exists()
        assert not model.objects.visible_to(AnonymousUser()).exists()
        assert model.objects.visible_to(viewer).exists()
    with pytest.raises(Http404):
        get_demand_for_user(partner_user, demand.pk)
    with pytest.raises(Http404):
        get_offer_for_user(partner_user, offer.pk)
    # Peru is a LAC country: the LAC CPM changes the demand, the APR one only reads it.
    assert get_demand_for_user(cpm, demand.pk, write=True) == demand
    with pytest.raises(PermissionDenied):
        get_demand_for_user(cpm_other, demand.pk, write=True)
    with pytest.raises(PermissionDenied):
        get_offer_for_user(viewer, offer.pk, write=True)
