"""Role x object type x action: what every standing of accounts.roles may do with each object.

One table (EXPECTED) says, for each object type and action, which objects each role reaches;
the tests ask the access modules (activities.access, knowledge.access, finance.access) through
the ways views and the API ask them: the querysets for lists, the get_*_for_user helpers for
one object (404 when it is not readable, 403 when readable but not changeable). The money part
checks that what each role's roll-ups sum is the money of the activities whose money it reads
on the pages, so the dashboard and the roll-up API cannot drift from the pages again.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from accounts.models import Role, User
from accounts.roles import Standing, access_of
from activities import access as activity_access
from activities.models import Activity, DuplicatePair, Partner
from activities.services import create_saved_view, merge_activities
from finance import access as finance_access
from finance import rollups, services
from finance.models import ContributionKind, ContributorGroup, FinancialEntry, Stage
from finance.services import EntryData
from finance.summary import activity_finance
from knowledge import access as knowledge_access
from knowledge.models import KnowledgeAsset, LearningDemand, LearningOffer, LearningRoute
from tests.factories import (
    ActivityFactory,
    PartnerFactory,
    UserFactory,
    division,
    make_partner_org,
    make_role_user,
)
from tests.helpers import shared_transaction
from tests.knowledge.factories import make_asset, make_demand, make_offer, make_route

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "inactive", "viewer", "partner", "cpm", "cpm_other", "focal")
STANDINGS = {
    "anonymous": Standing.ANONYMOUS,
    "inactive": Standing.INACTIVE,
    "viewer": Standing.STAFF_READER,
    "partner": Standing.PARTNER_USER,
    "cpm": Standing.CPM,
    "cpm_other": Standing.CPM,
    "focal": Standing.FOCAL_POINT,
}
ALL = "all"  # every object of the type

# Objects: activities "org" (LAC, internal, the partner user's organization takes part),
# "public" (LAC, public) and "apr" (APR, internal); partners "own" (the partner user's),
# "listed" (in the public activity) and "hidden" (in the APR one only); assets "lac"
# (internal) and "apr" (public); one LAC route, demand and offer, all internal.
EXPECTED: dict[tuple[str, str], dict[str, set[str] | str | bool]] = {
    ("activity", "read"): {
        "anonymous": set(),
        "inactive": set(),
        "viewer": ALL,
        "partner": {"org", "public"},
        "cpm": ALL,
        "cpm_other": ALL,
        "focal": ALL,
    },
    ("activity", "change"): {
        "cpm": {"org", "public"},
        "cpm_other": {"apr"},
        "focal": ALL,
    },
    ("activity", "create"): {"cpm": True, "cpm_other": True, "focal": True},
    ("money", "read"): {
        "anonymous": {"public"},  # the public IATI file
        "viewer": ALL,
        "partner": {"public"},
        "cpm": ALL,
        "cpm_other": ALL,
        "focal": ALL,
    },
    ("partner", "read"): {
        "anonymous": {"listed"},
        "viewer": ALL,
        "partner": {"own", "listed"},
        "cpm": ALL,
        "cpm_other": ALL,
        "focal": ALL,
    },
    ("partner", "change"): {"focal": ALL},
    ("asset", "read"): {
        "anonymous": {"apr"},
        "viewer": ALL,
        "partner": {"apr"},
        "cpm": ALL,
        "cpm_other": ALL,
        "focal": ALL,
    },
    ("asset", "change"): {"cpm": {"lac"}, "cpm_other": {"apr"}, "focal": ALL},
    ("asset", "create"): {"cpm": True, "cpm_other": True, "focal": True},
    ("route", "read"): {"viewer": ALL, "cpm": ALL, "cpm_other": ALL, "focal": ALL},
    ("route", "change"): {"cpm": ALL, "focal": ALL},
    ("demand", "read"): {"viewer": ALL, "cpm": ALL, "cpm_other": ALL, "focal": ALL},
    ("demand", "change"): {"cpm": ALL, "focal": ALL},
    ("offer", "read"): {"viewer": ALL, "cpm": ALL, "cpm_other": ALL, "focal": ALL},
    ("offer", "change"): {"cpm": ALL, "focal": ALL},
    # Contributor groups (finance.models.groups): the focal point's, as the import making them.
    ("group", "read"): {"focal": ALL},
    ("group", "change"): {"focal": ALL},
}


@dataclass
class World:
    users: dict[str, Any]
    activities: dict[str, Activity]
    partners: dict[str, Partner]
    assets: dict[str, KnowledgeAsset]
    routes: dict[str, LearningRoute]
    demands: dict[str, LearningDemand]
    offers: dict[str, LearningOffer]
    groups: dict[str, ContributorGroup]


def _entry(amount: str, stage: str = Stage.ALLOCATED) -> EntryData:
    return EntryData(
        kind=ContributionKind.IFAD_GRANT,
        stage=stage,
        amount=Decimal(amount),
        currency="USD",
        value_date=datetime.date(2024, 3, 1),
    )


@pytest.fixture(scope="class")
def shared_world(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[World]:
    """The world, made once per test class (tests.helpers.shared_transaction): making it cost
    more than most of its cases. The users in the order the conftest fixtures made them."""
    with shared_transaction(django_db_blocker):
        focal, cpm, cpm_other = (make_role_user(n) for n in ("focal", "cpm", "cpm_other"))
        partner_org = make_partner_org()
        partner_user = make_role_user("partner", partner=partner_org)
        yield make_world(focal, cpm, cpm_other, partner_user, make_role_user("viewer"), partner_org)


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    # A copy per test: a test may change its objects in memory.
    return copy.deepcopy(shared_world)


def make_world(
    focal: User, cpm: User, cpm_other: User, partner_user: User, viewer: User, partner_org: Partner
) -> World:
    listed = PartnerFactory(name="Listed cooperative")
    hidden = PartnerFactory(name="Hidden cooperative")
    activities = {
        "org": ActivityFactory(countries=["BR"], partners=[partner_org]),
        "public": ActivityFactory(countries=["CO"], partners=[listed], visibility="public"),
        "apr": ActivityFactory(lead_division=division("APR"), countries=["VN"], partners=[hidden]),
    }
    for amount, activity in zip(("100.00", "30.00", "7.00"), activities.values(), strict=True):
        services.record_entries(
            activity=activity,
            entries=[_entry(amount), _entry("1.00", Stage.SPENT)],
            user=focal,
            expected_version=None,
        )
    rollups.compute_slices(None)
    users: dict[str, Any] = {
        "anonymous": AnonymousUser(),
        "inactive": UserFactory(username="gone", role=Role.FOCAL_POINT, is_active=False),
        "viewer": viewer,
        "partner": partner_user,
        "cpm": cpm,
        "cpm_other": cpm_other,
        "focal": focal,
    }
    return World(
        users=users,
        activities=activities,
        partners={"own": partner_org, "listed": listed, "hidden": hidden},
        assets={
            "lac": make_asset(title="LAC note"),
            "apr": make_asset(title="APR guide", division_code="APR", visibility="public"),
        },
        routes={"lac": make_route(hosts=[(listed, "BR")])},
        demands={"lac": make_demand()},
        offers={"lac": make_offer(institution=partner_org, country=partner_org.country)},
        groups={"other": ContributorGroup.objects.create(label="Others", label_key="others")},
    )


def _names(objects: dict[str, Any], expected: set[str] | str | bool | None) -> set[str]:
    if expected == ALL:
        return set(objects)
    return set(expected or ())  # type: ignore[arg-type]


def _found(objects: dict[str, Any], rows: Any) -> set[str]:
    ids = set(rows.values_list("pk", flat=True))
    return {name for name, obj in objects.items() if obj.pk in ids}


Getter = Callable[..., Any]
# Object type: the world's objects, the list of what a user reads, of what they change, and the
# helper that fetches one.
TYPES: dict[str, tuple[str, Callable[[Any], Any], Callable[[Any], Any], Getter]] = {
    "activity": (
        "activities",
        lambda user: Activity.objects.visible_to(user),
        lambda user: Activity.objects.editable_by(user),
        activity_access.get_activity_for_user,
    ),
    "partner": (
        "partners",
        activity_access.visible_partners,
        lambda user: (
            Partner.objects.all()
            if access_of(user).keeps_reference_data
            else Partner.objects.none()
        ),
        activity_access.get_partner_for_user,
    ),
    "asset": (
        "assets",
        lambda user: KnowledgeAsset.objects.visible_to(user),
        lambda user: KnowledgeAsset.objects.editable_by(user),
        knowledge_access.get_asset_for_user,
    ),
    "route": (
        "routes",
        lambda user: LearningRoute.objects.visible_to(user),
        lambda user: LearningRoute.objects.editable_by(user),
        knowledge_access.get_route_for_user,
    ),
    "demand": (
        "demands",
        lambda user: LearningDemand.objects.visible_to(user),
        lambda user: LearningDemand.objects.editable_by(user),
        knowledge_access.get_demand_for_user,
    ),
    "offer": (
        "offers",
        lambda user: LearningOffer.objects.visible_to(user),
        lambda user: LearningOffer.objects.editable_by(user),
        knowledge_access.get_offer_for_user,
    ),
    "group": (
        "groups",
        finance_access.readable_groups,
        finance_access.readable_groups,
        finance_access.get_contributor_group_for_user,
    ),
}


def _answer(get: Getter, user: Any, pk: int, *, write: bool) -> str:
    try:
        get(user, pk, write=write)
    except Http404:
        return "404"
    except PermissionDenied:
        return "403"
    return "ok"


class TestTheTable:
    """The cases of one world (shared_world: made once for them)."""

    @pytest.mark.parametrize("role", ROLES)
    def test_each_role_has_the_standing_the_table_of_roles_gives(
        self, world: World, role: str
    ) -> None:
        assert access_of(world.users[role]).standing is STANDINGS[role]

    @pytest.mark.parametrize("object_type", list(TYPES))
    @pytest.mark.parametrize("role", ROLES)
    def test_each_role_reads_and_changes_what_the_table_says(
        self, world: World, role: str, object_type: str
    ) -> None:
        """Lists, one object read, one object changed (or deleted: the same check), for each."""
        attribute, read_list, change_list, get = TYPES[object_type]
        objects = getattr(world, attribute)
        user = world.users[role]
        readable = _names(objects, EXPECTED[object_type, "read"].get(role))
        changeable = _names(objects, EXPECTED[object_type, "change"].get(role))
        assert _found(objects, read_list(user)) == readable
        assert _found(objects, change_list(user)) == changeable
        for name, obj in objects.items():
            expected_read = "ok" if name in readable else "404"
            write = "ok" if name in changeable else "403" if name in readable else "404"
            assert _answer(get, user, obj.pk, write=False) == expected_read, (name, "read")
            assert _answer(get, user, obj.pk, write=True) == write, (name, "change")

    @pytest.mark.parametrize("role", ROLES)
    def test_each_role_creates_what_the_table_says(self, world: World, role: str) -> None:
        user = world.users[role]
        expected_activity = EXPECTED["activity", "create"].get(role, False)
        assert activity_access.loggable_divisions(user).exists() == expected_activity
        expected_asset = EXPECTED["asset", "create"].get(role, False)
        assert knowledge_access.can_contribute(user) == expected_asset

    @pytest.mark.parametrize("role", ROLES)
    def test_money_is_read_where_the_table_says_on_the_pages_and_the_ledger(
        self, world: World, role: str
    ) -> None:
        user = world.users[role]
        expected = _names(world.activities, EXPECTED["money", "read"].get(role))
        assert _found(world.activities, finance_access.money_activities(user)) == expected
        entries = finance_access.readable_entries(user, FinancialEntry.objects.all())
        activity_ids = set(entries.values_list("activity_id", flat=True))
        assert {n for n, a in world.activities.items() if a.pk in activity_ids} == expected
        if not user.is_authenticated:
            return  # no finance page for anonymous callers: they read the IATI file
        for name, activity in world.activities.items():
            try:
                finance_access.get_activity_money_for_user(user, activity.pk)
            except Http404:
                shown = False
            else:
                shown = True
            assert shown == (name in expected), name

    @pytest.mark.parametrize("role", ROLES)
    def test_each_roles_roll_ups_sum_the_money_it_reads_on_the_pages(
        self, world: World, role: str
    ) -> None:
        user = world.users[role]
        expected = _names(world.activities, EXPECTED["money", "read"].get(role))
        pages = [activity_finance(world.activities[name]) for name in sorted(expected)]
        total = rollups.totals(user, rollups.RollupFilters())
        for stage in (Stage.ALLOCATED, Stage.SPENT):
            assert total.ifad[stage] == sum((page.ifad[stage] for page in pages), Decimal(0))
        by_division = rollups.grouped_totals(user, rollups.RollupFilters(), "division")
        assert (
            sum((g.ifad[Stage.ALLOCATED] for g in by_division), Decimal(0))
            == total.ifad[Stage.ALLOCATED]
        )

    def test_the_roll_up_api_answers_each_role_with_the_money_it_reads(
        self, world: World, client_for: Callable[[User | None], Any]
    ) -> None:
        answers = {}
        for role in ("partner", "cpm", "viewer", "focal"):
            url = reverse("api:rollups")
            body = client_for(world.users[role]).get(url, {"group_by": "division"}).json()
            answers[role] = body["total"]["ifad"]["allocated"]
        assert answers == {
            "partner": "30.00",
            "cpm": "137.00",
            "viewer": "137.00",
            "focal": "137.00",
        }

    def test_the_activity_api_shows_money_only_where_the_table_says(
        self, world: World, client_for: Callable[[User | None], Any]
    ) -> None:
        for role in ("partner", "cpm", "viewer"):
            rows = client_for(world.users[role]).get(reverse("api:activity-list")).json()["results"]
            with_money = {row["id"] for row in rows if row["finance"] is not None}
            expected = _names(world.activities, EXPECTED["money", "read"][role])
            assert with_money == {world.activities[name].pk for name in expected}, role

    @pytest.mark.parametrize("role", ROLES)
    def test_saved_views_are_their_owners_and_open_to_others_once_shared(
        self, world: World, role: str
    ) -> None:
        """A saved view: its owner renames and deletes it; by its link, anyone signed in opens
        it once shared (the list then shows each reader what they read); otherwise it does not
        exist."""
        owner = world.users["focal"]
        private = create_saved_view(owner=owner, name="Private", query="division=LAC")
        shared = create_saved_view(owner=owner, name="Shared", query="", shared=True)
        user = world.users[role]

        def opens(view: Any) -> bool:
            try:
                activity_access.open_saved_view_for_user(user, view.token)
            except Http404:
                return False
            return True

        def keeps(view: Any) -> bool:
            if not user.is_authenticated:
                return False
            try:
                activity_access.get_saved_view_for_user(user, view.pk)
            except Http404:
                return False
            return True

        is_owner = role == "focal"
        assert (opens(private), keeps(private)) == (is_owner, is_owner)
        assert (opens(shared), keeps(shared)) == (user.is_authenticated, is_owner)

    @pytest.mark.parametrize("role", ROLES)
    def test_only_the_focal_point_reviews_likely_duplicates(self, world: World, role: str) -> None:
        """The pairs are the focal point's to check (activities.access.duplicate_pairs_for_user):
        anyone else is refused the list and each pair (403), the pair existing or not."""
        org, public = world.activities["org"], world.activities["public"]
        pair = DuplicatePair.objects.create(first=org, second=public, score=70, found_via="import")
        user = world.users[role]
        answers = []
        for fetch in (
            lambda: activity_access.duplicate_pairs_for_user(user).get(),
            lambda: activity_access.get_duplicate_pair_for_user(user, pair.pk),
        ):
            try:
                answers.append("ok" if fetch() == pair else "other")
            except PermissionDenied:
                answers.append("403")
        assert answers == (["ok", "ok"] if role == "focal" else ["403", "403"])
        if role == "focal":
            with pytest.raises(Http404):
                activity_access.get_duplicate_pair_for_user(user, pair.pk + 1)

    @pytest.mark.parametrize("role", ROLES)
    def test_a_merged_activity_is_read_and_changed_by_nobody_and_points_to_the_kept_one(
        self, world: World, role: str
    ) -> None:
        """After a merge (activities.services.merge_activities) the merged activity leaves every
        role's lists, reads and writes; who reads the kept one is pointed to it; each role's
        roll-ups still sum exactly the money its pages show."""
        keep, remove = world.activities["org"], world.activities["apr"]
        merge_activities(
            keep=keep,
            remove=remove,
            user=world.users["focal"],
            keep_version=None,
            remove_version=None,
            via="form",
        )
        rollups.drain_refresh_requests()
        user = world.users[role]
        assert not Activity.objects.visible_to(user).filter(pk=remove.pk).exists()
        assert not Activity.objects.editable_by(user).filter(pk=remove.pk).exists()
        assert _answer(activity_access.get_activity_for_user, user, remove.pk, write=False) == "404"
        reads_keep = Activity.objects.visible_to(user).filter(pk=keep.pk).exists()
        pointed = activity_access.merged_into_for_user(user, remove.pk)
        assert pointed == (keep if reads_keep else None)
        pages = [activity_finance(activity) for activity in finance_access.money_activities(user)]
        total = rollups.totals(user, rollups.RollupFilters())
        assert total.ifad[Stage.ALLOCATED] == sum(
            (page.ifad[Stage.ALLOCATED] for page in pages), Decimal(0)
        )


def test_an_inactive_account_reads_no_money() -> None:
    gone = UserFactory(role=Role.VIEWER, is_active=False)
    assert finance_access.rollup_scope(gone) is None
    assert not finance_access.reads_agency_figures(gone)
