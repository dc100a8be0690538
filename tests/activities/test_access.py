"""Who may read and who may change what: ActivityQuerySet.visible_to/editable_by, access helpers."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from pytest_django import DjangoDbBlocker

from accounts.models import Role, User
from activities.access import (
    can_edit_activity,
    get_activity_for_user,
    get_partner_for_user,
    visible_partners,
)
from activities.models import Activity, CountryRole, Partner, PartnerRole, Visibility
from tests.factories import (
    ActivityFactory,
    PartnerFactory,
    UserFactory,
    division,
    make_partner_org,
    make_role_user,
)
from tests.helpers import shared_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]


@dataclass
class Portfolio:
    lac_internal: Activity  # LAC-led, internal, the partner org is not in it
    lac_public: Activity  # LAC-led, public
    apr_internal: Activity  # APR-led, internal
    apr_joint: Activity  # APR-led, internal, the partner org takes part
    esa_in_mozambique: Activity  # ESA-led, internal, involves Mozambique
    wca_responsible: Activity  # WCA-led, internal, `cpm` is the responsible CPM
    apr_with_brazil: Activity  # APR-led, internal, involves Brazil (a LAC country)
    other_partner: Partner  # a partner org in no activity the partner user sees


def make_portfolio(partner_org: Partner, cpm: User) -> Portfolio:
    stranger = PartnerFactory(name="Unrelated cooperative")
    return Portfolio(
        lac_internal=ActivityFactory(
            countries=["BR", ("PE", CountryRole.RECEIVER)], partners=[stranger]
        ),
        lac_public=ActivityFactory(countries=["CO"], visibility=Visibility.PUBLIC),
        apr_internal=ActivityFactory(lead_division=division("APR"), countries=["VN"]),
        apr_joint=ActivityFactory(
            lead_division=division("APR"),
            countries=["LA"],
            partners=[(partner_org, PartnerRole.GUEST), (partner_org, PartnerRole.FUNDER)],
        ),
        esa_in_mozambique=ActivityFactory(
            lead_division=division("ESA"), countries=[("MZ", CountryRole.RECEIVER)]
        ),
        wca_responsible=ActivityFactory(lead_division=division("WCA"), responsible_cpm=cpm),
        apr_with_brazil=ActivityFactory(
            lead_division=division("APR"), countries=["BR", ("KH", CountryRole.RECEIVER)]
        ),
        other_partner=PartnerFactory(name="Not in any public activity"),
    )


@dataclass
class World:
    """The role users (conftest's, by fixture name), the partner user's organization and the
    portfolio."""

    users: dict[str, User]
    partner_org: Partner
    portfolio: Portfolio


@pytest.fixture(scope="class")
def shared_world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """The role users and the portfolio, made once per test class (tests.helpers
    .shared_transaction): making them cost more than most of the cases that read them."""
    with shared_transaction(django_db_blocker):
        partner_org = make_partner_org()
        users = {name: make_role_user(name) for name in ("admin", "focal", "cpm", "cpm_other")}
        users["viewer"] = make_role_user("viewer")
        users["partner_user"] = make_role_user("partner", partner=partner_org)
        yield World(users, partner_org, make_portfolio(partner_org, users["cpm"]))


def _visible(user: User | AnonymousUser) -> set[int]:
    """What the user reads; the rule with its ids read first (lists) must agree with it."""
    found = set(Activity.objects.visible_to(user).values_list("pk", flat=True))
    inline = Activity.objects.visible_to(user, inline_ids=True)
    assert set(inline.values_list("pk", flat=True)) == found
    return found


def _editable(user: User | AnonymousUser) -> set[int]:
    """What the user changes; the rule with its ids read first (lists) must agree with it."""
    found = set(Activity.objects.editable_by(user).values_list("pk", flat=True))
    inline = Activity.objects.editable_by(user, inline_ids=True)
    assert set(inline.values_list("pk", flat=True)) == found
    return found


def _all() -> set[int]:
    return set(Activity.objects.values_list("pk", flat=True))


class TestOnOnePortfolio:
    """The cases of one world (shared_world), each in a savepoint of it. The role fixtures
    hand out its users, the portfolio fixture its activities: copies per case, since a case may
    change them in memory."""

    @pytest.fixture
    def world(self, shared_world: World, db: None) -> World:
        return copy.deepcopy(shared_world)

    @pytest.fixture
    def portfolio(self, world: World) -> Portfolio:
        return world.portfolio

    @pytest.fixture
    def partner_org(self, world: World) -> Partner:
        return world.partner_org

    @pytest.fixture
    def admin(self, world: World) -> User:
        return world.users["admin"]

    @pytest.fixture
    def focal(self, world: World) -> User:
        return world.users["focal"]

    @pytest.fixture
    def cpm(self, world: World) -> User:
        return world.users["cpm"]

    @pytest.fixture
    def cpm_other(self, world: World) -> User:
        return world.users["cpm_other"]

    @pytest.fixture
    def viewer(self, world: World) -> User:
        return world.users["viewer"]

    @pytest.fixture
    def partner_user(self, world: World) -> User:
        return world.users["partner_user"]

    # --- reading ----------------------------------------------------------------------------------

    @pytest.mark.parametrize("role", ["admin", "focal", "cpm", "cpm_other", "viewer"])
    def test_staff_roles_read_every_activity(
        self, request: pytest.FixtureRequest, portfolio: Portfolio, role: str
    ) -> None:
        assert _visible(request.getfixturevalue(role)) == _all()

    def test_partner_reads_public_and_own_organization_activities_only(
        self, portfolio: Portfolio, partner_user: User
    ) -> None:
        assert _visible(partner_user) == {portfolio.lac_public.pk, portfolio.apr_joint.pk}

    def test_partner_sees_a_joint_activity_once_whatever_its_roles(
        self, portfolio: Portfolio, partner_user: User
    ) -> None:
        rows = Activity.objects.visible_to(partner_user).filter(pk=portfolio.apr_joint.pk)
        assert rows.count() == 1

    def test_partner_user_without_organization_reads_public_activities(
        self, portfolio: Portfolio
    ) -> None:
        orphan = UserFactory(role=Role.PARTNER, partner=None)
        assert _visible(orphan) == {portfolio.lac_public.pk}

    def test_anonymous_user_reads_nothing(self, portfolio: Portfolio) -> None:
        assert _visible(AnonymousUser()) == set()
        assert _editable(AnonymousUser()) == set()

    @pytest.mark.parametrize("role", [Role.ADMIN, Role.FOCAL_POINT, Role.CPM, Role.VIEWER])
    def test_inactive_user_reads_and_edits_nothing(self, portfolio: Portfolio, role: str) -> None:
        user = UserFactory(role=role, is_active=False, divisions=["LAC"])
        assert _visible(user) == set()
        assert _editable(user) == set()

    # --- changing ---------------------------------------------------------------------------------

    @pytest.mark.parametrize("role", ["admin", "focal"])
    def test_admin_and_focal_point_edit_everything(
        self, request: pytest.FixtureRequest, portfolio: Portfolio, role: str
    ) -> None:
        assert _editable(request.getfixturevalue(role)) == _all()

    def test_superuser_with_any_role_edits_everything(self, portfolio: Portfolio) -> None:
        assert _editable(UserFactory(role=Role.VIEWER, is_superuser=True)) == _all()

    @pytest.mark.parametrize("role", ["viewer", "partner_user"])
    def test_viewer_and_partner_edit_nothing(
        self, request: pytest.FixtureRequest, portfolio: Portfolio, role: str
    ) -> None:
        assert _editable(request.getfixturevalue(role)) == set()

    def test_cpm_edits_own_division_and_own_responsibility(
        self, portfolio: Portfolio, cpm: User
    ) -> None:
        assert _editable(cpm) == {
            portfolio.lac_internal.pk,
            portfolio.lac_public.pk,
            portfolio.wca_responsible.pk,
        }

    def test_cpm_cannot_edit_other_division(self, portfolio: Portfolio, cpm: User) -> None:
        for activity in (portfolio.apr_internal, portfolio.apr_joint, portfolio.esa_in_mozambique):
            assert not can_edit_activity(cpm, activity)

    def test_cpm_of_another_division_cannot_edit_lac_activities(
        self, portfolio: Portfolio, cpm_other: User
    ) -> None:
        assert not can_edit_activity(cpm_other, portfolio.lac_internal)
        assert not can_edit_activity(cpm_other, portfolio.lac_public)
        assert _editable(cpm_other) == {
            portfolio.apr_internal.pk,
            portfolio.apr_joint.pk,
            portfolio.apr_with_brazil.pk,
        }

    def test_cpm_edits_activities_involving_own_country(self, portfolio: Portfolio) -> None:
        country_cpm = UserFactory(role=Role.CPM, countries=["MZ"])
        assert _editable(country_cpm) == {portfolio.esa_in_mozambique.pk}

    def test_division_does_not_extend_to_its_countries_in_other_divisions_activities(
        self, portfolio: Portfolio, cpm: User
    ) -> None:
        # The LAC CPM is tied to the LAC division, not to each LAC country: an APR-led activity with
        # Brazil stays with the APR division unless Brazil is one of the CPM's own countries.
        assert not can_edit_activity(cpm, portfolio.apr_with_brazil)
        cpm.countries.add(portfolio.apr_with_brazil.country_links.get(country__iso2="BR").country)
        assert can_edit_activity(cpm, portfolio.apr_with_brazil)

    def test_cpm_matching_several_rules_sees_each_activity_once(
        self, portfolio: Portfolio, cpm: User
    ) -> None:
        cpm.countries.add(*[link.country for link in portfolio.lac_internal.country_links.all()])
        portfolio.lac_internal.responsible_cpm = cpm
        portfolio.lac_internal.save()
        assert Activity.objects.editable_by(cpm).filter(pk=portfolio.lac_internal.pk).count() == 1

    def test_cpm_without_divisions_or_countries_edits_only_own_responsibility(
        self,
        portfolio: Portfolio,
    ) -> None:
        loner = UserFactory(role=Role.CPM)
        assert _editable(loner) == set()
        portfolio.apr_internal.responsible_cpm = loner
        portfolio.apr_internal.save()
        assert _editable(loner) == {portfolio.apr_internal.pk}

    # --- access helpers ---------------------------------------------------------------------------

    def test_get_activity_for_user_returns_a_visible_activity(
        self, portfolio: Portfolio, viewer: User
    ) -> None:
        assert get_activity_for_user(viewer, portfolio.lac_internal.pk) == portfolio.lac_internal

    def test_get_activity_for_user_hides_what_the_user_may_not_see(
        self, portfolio: Portfolio, partner_user: User
    ) -> None:
        with pytest.raises(Http404):
            get_activity_for_user(partner_user, portfolio.lac_internal.pk)
        with pytest.raises(Http404):
            get_activity_for_user(partner_user, 999_999_999)

    def test_get_activity_for_user_refuses_writing_what_the_user_only_reads(
        self, portfolio: Portfolio, cpm_other: User, partner_user: User, viewer: User
    ) -> None:
        with pytest.raises(PermissionDenied):
            get_activity_for_user(cpm_other, portfolio.lac_internal.pk, write=True)
        with pytest.raises(PermissionDenied):
            get_activity_for_user(viewer, portfolio.lac_internal.pk, write=True)
        with pytest.raises(PermissionDenied):
            get_activity_for_user(partner_user, portfolio.apr_joint.pk, write=True)

    def test_get_activity_for_user_allows_writing_own_activity(
        self, portfolio: Portfolio, cpm: User
    ) -> None:
        assert (
            get_activity_for_user(cpm, portfolio.lac_internal.pk, write=True)
            == portfolio.lac_internal
        )

    @pytest.mark.parametrize("role", ["admin", "focal", "cpm", "viewer"])
    def test_staff_see_every_partner(
        self, request: pytest.FixtureRequest, portfolio: Portfolio, role: str
    ) -> None:
        assert set(visible_partners(request.getfixturevalue(role))) == set(Partner.objects.all())

    def test_partner_user_sees_own_organization_and_those_in_its_visible_activities(
        self, portfolio: Portfolio, partner_user: User, partner_org: Partner
    ) -> None:
        public_partner = PartnerFactory(name="Public partner")
        ActivityFactory(visibility=Visibility.PUBLIC, partners=[public_partner])
        joint_partner = PartnerFactory(name="Joint partner")
        ActivityFactory(partners=[partner_org, joint_partner])
        assert set(visible_partners(partner_user)) == {partner_org, public_partner, joint_partner}

    def test_anonymous_sees_no_partner(self, portfolio: Portfolio) -> None:
        assert not visible_partners(AnonymousUser()).exists()

    def test_get_partner_for_user_hides_partners_outside_the_users_view(
        self, portfolio: Portfolio, partner_user: User
    ) -> None:
        with pytest.raises(Http404):
            get_partner_for_user(partner_user, portfolio.other_partner.pk)

    @pytest.mark.parametrize("role", ["cpm", "viewer", "partner_user"])
    def test_only_the_focal_point_changes_partners(
        self, request: pytest.FixtureRequest, partner_org: Partner, role: str
    ) -> None:
        with pytest.raises(PermissionDenied):
            get_partner_for_user(request.getfixturevalue(role), partner_org.pk, write=True)

    @pytest.mark.parametrize("role", ["admin", "focal"])
    def test_focal_point_and_admin_change_partners(
        self, request: pytest.FixtureRequest, partner_org: Partner, role: str
    ) -> None:
        assert (
            get_partner_for_user(request.getfixturevalue(role), partner_org.pk, write=True)
            == partner_org
        )

    # --- the rules with their ids read first ------------------------------------------------------

    def test_partner_scope_with_ids_read_first_names_the_activities(
        self, portfolio: Portfolio, partner_user: User
    ) -> None:
        # A list PostgreSQL can estimate, not a subquery of the organization's links.
        sql = str(Activity.objects.visible_to(partner_user, inline_ids=True).query)
        assert "activities_activitypartner" not in sql
        assert str(portfolio.apr_joint.pk) in sql

    def test_cpm_patch_with_ids_read_first_leaves_out_the_rules_that_match_nothing(
        self, portfolio: Portfolio, cpm: User
    ) -> None:
        # The LAC CPM has no countries: no subquery of country links at all.
        sql = str(Activity.objects.editable_by(cpm, inline_ids=True).query)
        assert "activities_activitycountry" not in sql
        assert "accounts_user_divisions" not in sql
        country_cpm = UserFactory(role=Role.CPM, countries=["MZ"])
        assert "activities_activitycountry" in str(
            Activity.objects.editable_by(country_cpm, inline_ids=True).query
        )


def test_role_properties() -> None:
    cpm = User(role=Role.CPM)
    assert cpm.can_create_activities and cpm.can_add_partners and not cpm.can_manage_partners
    focal = User(role=Role.FOCAL_POINT)
    assert focal.can_create_activities and focal.can_manage_partners and focal.is_staff_reader
    partner = User(role=Role.PARTNER)
    assert not (
        partner.is_staff_reader or partner.can_create_activities or partner.can_add_partners
    )
    viewer = User(role=Role.VIEWER)
    assert viewer.is_staff_reader and not viewer.can_create_activities
    assert not User(role=Role.CPM, is_active=False).can_create_activities
