"""Every URL of the project, for every role, with GET and POST: the answer each one gets.

The REST API's addresses (the "api" namespace) have their own matrix with every HTTP method:
tests/api/test_permissions.py.

The table below says what each role may do on each page. A URL pattern that the table does not
cover fails `test_every_url_pattern_is_in_the_permission_table`, so a new page cannot ship
without its permission row. A POST from a role that may not change anything must leave the
database exactly as it was (the POST bodies are valid, so a missing check would show); no GET
changes anything for anyone.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings, urls
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.translation import get_language
from django.views import defaults

from accounts.models import ApiToken, User
from accounts.services import PersonData, create_api_token, invite_person
from activities.models import (
    Activity,
    CountryRole,
    DuplicatePair,
    FoundVia,
    Partner,
    PartnerRole,
    Theme,
    Visibility,
)
from activities.saved_views import SavedView
from activities.services import create_saved_view
from finance import in_kind, reports, services
from finance.in_kind import CardData
from finance.models import (
    ClosedPeriod,
    ContributorGroup,
    FinancialEntry,
    PendingImport,
    RateCard,
    ReportExport,
)
from results.models import CoreIndicator
from standards.models import StandardsExport
from tests.counterparts import walk as counterparts_walk
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    PartnerFactory,
    make_partner_org,
    make_role_user,
)
from tests.helpers import (
    activity_form_data,
    db_state,
    edit_form_data,
    group_line,
    partner_form_data,
    person_form_data,
)
from tests.html import post_forms_without_csrf_token
from tests.knowledge import walk as knowledge_walk
from tests.results import walk as results_walk
from tests.results import walk_framework
from tests.results.factories import core_people_trained
from tests.standards import walk as standards_walk
from tests.writes import EachRolledBack, Watched, each_rolled_back

pytestmark = pytest.mark.django_db

SAMPLE = "../shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"
ROLES = (
    "anonymous",
    "viewer",
    "partner",
    "counterpart",
    "counterpart_other",
    "cpm_other",
    "cpm",
    "focal",
    "admin",
)
# Country counterparts (Mozambique's, Kenya's) read like partner users: the public activities
# and those their country takes part in (of the world's, only Mozambique's in "sided"). A rule
# that does not name them gives them the partner user's answer.
COUNTERPARTS = ("counterpart", "counterpart_other")
STAFF = ("focal", "admin")  # Django admin access
EDITORS = ("cpm", "focal", "admin")  # may change the LAC activities under test
CREATORS = ("cpm_other", "cpm", "focal", "admin")

# Expected answers. "login": redirect to the portal's login page; "admin_login": redirect to the
# admin's; "done": 302 after a successful write; "created": 201 after a successful write that
# answers with a page (a new API token is shown once, never redirected to); a number: that code.
LOGIN, ADMIN_LOGIN, DONE, CREATED = "login", "admin_login", "done", "created"

# The admin is Django's; only its entry points are checked here, the rest is Django's business.
ADMIN_CHECKED = {
    "admin:index",
    "admin:activities_activity_changelist",
    "admin:activities_country_changelist",
    "admin:accounts_user_changelist",
}


@dataclass
class World:
    users: dict[str, User]
    internal: Activity  # LAC-led, internal; the partner org does not take part
    public: Activity  # LAC-led, public
    stranger: Partner  # only in the internal activity: hidden from the partner user
    own_org: Partner  # the partner user's organization
    other_partner: Partner  # for merging
    entries: dict[str, FinancialEntry]  # one ledger entry per activity, to correct
    pending: PendingImport  # an uploaded workbook, checked and ready to import
    token: ApiToken  # the focal point's API token
    saved_view: SavedView  # the focal point's saved view of the list, not shared
    report: ReportExport  # the LAC CPM's dashboard report, built and ready to download
    period: ClosedPeriod  # fiscal year 2019, closed: none of the walk's writes fall in it
    rate_card: RateCard  # expert-days in Brazil, 2026, changed since it valued a line
    knowledge: knowledge_walk.KnowledgeWorld  # LAC assets, route, plan, demand and offer
    results: results_walk.ResultsWorld  # updates in each state, the plan's follow-up
    framework: walk_framework.FrameworkWorld  # results frameworks, internal and implemented
    core: CoreIndicator  # a core indicator of the results dashboard
    counterparts: counterparts_walk.CounterpartsWorld  # an activity's sides, a proposal
    standards_export: StandardsExport  # the LAC CPM's SDG 17.3.1 export, built
    sessions: dict[str, str]  # role -> key of a session its user signed in with
    invited: User  # invited by the focal point, no password set yet
    group: ContributorGroup  # "Other contributors", with a line on the internal activity
    pair: DuplicatePair  # the internal and public activities, an open likely duplicate

    def client(self, role: str, **options: Any) -> Client:
        """A new client signed in as the role's user with its world session (anonymous: none).

        The sessions are made with the world: signing in again for each role of each case cost
        more than many cases' requests. A request that changes or ends the session (a password
        change, a logout) does so in the test's transaction, undone after it.
        """
        client = Client(**options)
        if role in self.sessions:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def make_world() -> World:
    """Users of every role and the objects the walk's URLs are about."""
    own_org = make_partner_org()
    users = {
        name: make_role_user(name, partner=own_org if name == "partner" else None)
        for name in ROLES
        if name != "anonymous"
    }
    focal = users["focal"]
    stranger = PartnerFactory(name="Asociación de Productores Andinos")
    internal = ActivityFactory(
        title="Internal LAC exchange",
        countries=["BR", ("PE", CountryRole.RECEIVER)],
        partners=[(stranger, PartnerRole.HOST)],
    )
    public = ActivityFactory(
        title="Public LAC exchange", countries=["CO"], visibility=Visibility.PUBLIC
    )
    knowledge = knowledge_walk.make_world(focal=focal, activity=internal)
    pair = DuplicatePair.objects.create(
        first=internal, second=public, score=70, found_via=FoundVia.IMPORT
    )
    return World(
        pair=pair,
        users=users,
        internal=internal,
        public=public,
        stranger=stranger,
        own_org=own_org,
        other_partner=PartnerFactory(name="Fundación Semillas"),
        entries={
            name: services.record_entries(
                activity=activity,
                entries=[
                    services.EntryData(
                        kind="ifad_grant",
                        stage="planned",
                        amount=Decimal(1000),
                        currency="USD",
                        value_date=datetime.date(2024, 1, 1),
                    )
                ],
                user=focal,
                expected_version=None,
            )[0]
            for name, activity in (("internal", internal), ("public", public))
        },
        pending=PendingImport.objects.create(
            user=focal,
            filename="sample.xlsx",
            sha256="0" * 64,
            file=_sample_upload(),
            state=PendingImport.State.CHECKED,
        ),
        token=create_api_token(user=focal, name="Walk")[0],
        saved_view=create_saved_view(owner=focal, name="LAC, ongoing", query="division=LAC"),
        report=_built_report(users["cpm"]),
        period=services.close_period(
            fiscal_year=2019, up_to=None, reason="Sent to the Executive Board", user=focal
        ),
        rate_card=_revised_card(focal, internal, stranger),
        knowledge=knowledge,
        results=results_walk.make_world(
            focal=focal, own_org=own_org, stranger=stranger, plan=knowledge.plan
        ),
        framework=walk_framework.make_world(partner_org=own_org),
        core=core_people_trained(),
        counterparts=counterparts_walk.make_world(users=users, own_org=own_org),
        standards_export=standards_walk.make_export(users["cpm"]),
        sessions={role: _session_key(user) for role, user in users.items()},
        invited=invite_person(
            actor=focal,
            data=PersonData(
                first_name="Invited", last_name="Walker", email="walker@example.org", role="viewer"
            ),
            site_url="http://testserver/",
        ),
        group=_group_with_a_line(internal),
    )


def _group_with_a_line(activity: Activity) -> ContributorGroup:
    """A group as the workbook import makes it, with 1,000 US$ of cofinancing to split."""
    group = ContributorGroup.objects.create(label="Other contributors", label_key="other")
    group_line(activity, group, "1000")
    return group


def _revised_card(focal: User, activity: Activity, partner: Partner) -> RateCard:
    """A card that valued a line and changed since: its re-valuation has a line to move."""
    data = CardData(
        unit="expert_days", country=None, year=2026, amount=Decimal(250), currency="USD"
    )
    card = in_kind.save_rate_card(card=None, data=data, user=focal, expected_version=None)
    services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="in_kind",
                stage="allocated",
                amount=None,
                currency="USD",
                value_date=datetime.date(2026, 3, 10),
                contributor=partner,
                unit="expert_days",
                quantity=Decimal(40),
                valued_by="rate_card",
            )
        ],
        user=focal,
        expected_version=None,
    )
    revised = dataclasses.replace(data, amount=Decimal(300))
    return in_kind.save_rate_card(card=card, data=revised, user=focal, expected_version=1)


def _session_key(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="class")
def shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The world, made once per test class (and worker) in a transaction rolled back after the
    class's last test. Each test runs in a savepoint of it (pytest-django's `db`), so whatever a
    test wrote is undone before the next. Making the world for each route case cost more than
    most cases. Only tests that all ask for the world belong in such a class: any other test
    there would run inside its transaction and find its users. A test outside a class gets a
    world of its own (pytest falls back to the function for a class-scoped fixture)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield make_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    # A copy per test: a test may change its objects in memory (a login sets last_login).
    return copy.deepcopy(shared_world)


def _built_report(user: User) -> ReportExport:
    export = ReportExport.objects.create(requested_by=user, format=ReportExport.Format.XLSX)
    reports.build_report_export(export.pk)
    export.refresh_from_db()
    return export


def _sample_upload() -> SimpleUploadedFile:
    with open(SAMPLE, "rb") as handle:
        return SimpleUploadedFile("sample.xlsx", handle.read())


Expect = str | int
Rule = Callable[[str, str], Expect]  # (role, method) -> expected answer


def logged_in(get: dict[str, Expect] | Expect, post: dict[str, Expect] | Expect) -> Rule:
    """Anonymous users go to the login page; others get the per-role answer."""

    def rule(role: str, method: str) -> Expect:
        if role == "anonymous":
            return LOGIN
        answer = get if method == "GET" else post
        if not isinstance(answer, dict):
            return answer
        if role in COUNTERPARTS and role not in answer and "partner" in answer:
            return answer["partner"]
        return answer.get(role, answer.get("*", 0))

    return rule


def everyone(get: Expect, post: Expect) -> Rule:
    return lambda role, method: get if method == "GET" else post


def admin_page(role: str, method: str) -> Expect:
    return 200 if role in STAFF else ADMIN_LOGIN


def only(roles: tuple[str, ...], *, get: Expect, post: Expect, others: Expect = 403) -> Rule:
    return logged_in(
        {**{r: get for r in roles}, "*": others}, {**{r: post for r in roles}, "*": others}
    )


# Per-target rules for pages about one activity: the internal one hides from the partner user.
def activity_read(target: str) -> Rule:
    hidden = {"partner": 404} if target == "internal" else {}
    return logged_in({**hidden, "*": 200}, {**hidden, "*": 200})


def activity_write(target: str, *, get: Expect, post: Expect) -> Rule:
    hidden = {"partner": 404} if target == "internal" else {}
    return logged_in(
        {**hidden, **{r: get for r in EDITORS}, "*": 403},
        {**hidden, **{r: post for r in EDITORS}, "*": 403},
    )


def status_rule(target: str) -> Rule:
    write = activity_write(target, get=405, post=DONE)
    return lambda role, method: (
        405 if method == "GET" and role != "anonymous" else write(role, method)
    )


def activity_write_or_read(target: str) -> Rule:
    """Everyone who reads the activity reads its money; only its editors record lines."""
    hidden = {"partner": 404} if target == "internal" else {}
    return logged_in({**hidden, "*": 200}, {**hidden, **{r: DONE for r in EDITORS}, "*": 403})


def post_only(rule: Rule) -> Rule:
    """A POST-only action refuses any GET (405) before looking at who asks."""
    return lambda role, method: (
        405 if method == "GET" and role != "anonymous" else rule(role, method)
    )


def _partner_hidden(target: str) -> dict[str, Expect]:
    """The stranger hides from partner users and counterparts; the partner user's organization
    shows to Mozambique's counterpart (it implements the "sided" activity), not to Kenya's."""
    if target == "stranger":
        return {"partner": 404, "counterpart": 404, "counterpart_other": 404}
    return {"counterpart_other": 404}


def partner_read(target: str) -> Rule:
    hidden = _partner_hidden(target)
    return logged_in({**hidden, "*": 200}, {**hidden, "*": 200})


def partner_write(target: str) -> Rule:
    hidden = _partner_hidden(target)
    return logged_in(
        {**hidden, **{r: 200 for r in STAFF}, "*": 403},
        {**hidden, **{r: DONE for r in STAFF}, "*": 403},
    )


def get_only(rule: Rule) -> Rule:
    """A read-only page refuses any POST (405) before looking at who asks."""
    return lambda role, method: (
        405 if method == "POST" and role != "anonymous" else rule(role, method)
    )


@dataclass(frozen=True)
class Case:
    name: str
    target: str  # "" or which object the URL is about
    rule: Rule


ACTIVITY_TARGETS = ("internal", "public")
PARTNER_TARGETS = ("stranger", "own_org")


def _as_activity(target: str) -> str:
    """Knowledge targets read like the internal or the public activity."""
    return "public" if target == "asset_public" else "internal"


STAFF_ONLY = logged_in({"partner": 403, "*": 200}, {"partner": 403, "*": 200})
K_ASSETS = knowledge_walk.ASSET_TARGETS
knowledge_cases: list[Case] = [
    # Knowledge: assets read like activities (internal ones hide from partner users); CPMs of
    # the division and the focal point change them; demands and offers are staff records.
    Case("knowledge:search", "", logged_in(200, 200)),
    Case("knowledge:asset_create", "", only(CREATORS, get=200, post=DONE)),
    *[Case("knowledge:asset_detail", t, activity_read(_as_activity(t))) for t in K_ASSETS],
    *[
        Case(f"knowledge:asset_{a}", t, activity_write(_as_activity(t), get=200, post=DONE))
        for a in ("edit", "delete")
        for t in K_ASSETS
    ],
    *[
        Case(
            f"knowledge:{name}",
            t,
            lambda role, method, t=t: (
                405
                if method == "POST" and role != "anonymous"
                else activity_read(_as_activity(t))(role, method)
            ),
        )
        for name in ("file_download", "asset_history")
        for t in K_ASSETS
    ],
    Case("knowledge:route_list", "", logged_in(200, 200)),
    Case("knowledge:plan_list", "", logged_in(200, 200)),
    Case("knowledge:route_create", "", only(CREATORS, get=200, post=DONE)),
    Case("knowledge:route_detail", "route", activity_read("internal")),
    *[
        Case(f"knowledge:{name}", "route", activity_write("internal", get=200, post=DONE))
        for name in ("route_edit", "route_delete", "plan_create", "plan_edit", "plan_delete")
    ],
    Case("knowledge:demand_list", "", STAFF_ONLY),
    Case("knowledge:offer_list", "", STAFF_ONLY),
    Case("knowledge:demand_create", "", only(CREATORS, get=200, post=DONE)),
    Case("knowledge:offer_create", "", only(CREATORS, get=200, post=DONE)),
    Case("knowledge:demand_detail", "demand", activity_read("internal")),
    *[
        Case(f"knowledge:{name}", "demand", activity_write("internal", get=200, post=DONE))
        for name in ("demand_edit", "demand_delete", "offer_edit", "offer_delete")
    ],
    Case(
        "knowledge:demand_accept",
        "demand",
        post_only(activity_write("internal", get=405, post=DONE)),
    ),
    # A record's history reads like the record (GET only); demands and offers are staff's.
    Case("knowledge:route_history", "route", get_only(activity_read("internal"))),
    Case("knowledge:demand_history", "demand", get_only(activity_read("internal"))),
    Case("knowledge:offer_history", "demand", get_only(activity_read("internal"))),
]

# Results: the period page reads like its activity ("own": the partner user's organization
# implements it; "internal": it takes no part). Reporters (the activity's editors and, on
# "own", the partner user) draft, submit and revise; only editors approve and return. Drafts
# and submitted updates exist for reporters and approvers alone (404 to other readers).
REPORTERS = (*EDITORS, "partner")


def results_rule(
    target: str,
    *,
    get: Expect,
    post: Expect,
    roles: tuple[str, ...],
    others: Expect,
    partner: Expect | None = None,
) -> Rule:
    """`roles` get `get` / `post`, the other signed-in roles `others`; the partner user
    `partner` when given, and 404 where the activity is hidden from them (and from the
    counterparts: always)."""

    def answers(value: Expect) -> dict[str, Expect]:
        table = {r: others for r in ROLES} | {r: value for r in roles}
        if partner is not None:
            table["partner"] = partner
        if target == "internal":
            table["partner"] = 404
        # Both results activities are internal, in countries no counterpart speaks for.
        return table | dict.fromkeys(COUNTERPARTS, 404)

    return logged_in(answers(get), answers(post))


def results_cases() -> list[Case]:
    cases = [
        Case("results:tasks", "", logged_in(200, 405)),
        Case("results:route_follow_ups", "route", get_only(activity_read("internal"))),
        Case("results:follow_up", "route", activity_write("internal", get=200, post=DONE)),
    ]
    for t in results_walk.TARGETS:
        read = get_only(results_rule(t, get=200, post=405, roles=ROLES, others=200))
        draft = results_rule(t, get=200, post=DONE, roles=REPORTERS, others=404)
        cases += [
            Case("results:period", t, read),
            Case("results:evidence", t, read),
            Case(
                "results:update_create",
                t,
                results_rule(t, get=200, post=DONE, roles=REPORTERS, others=403),
            ),
            # A draft: readers who do not report do not see it.
            Case("results:update_edit", t, draft),
            Case("results:update_delete", t, draft),
            Case("results:update_submit", t, post_only(draft)),
            # Submitted: the partner user sees it and may not approve; other readers do not.
            *[
                Case(
                    f"results:{name}",
                    t,
                    post_only(
                        results_rule(t, get=405, post=DONE, roles=EDITORS, others=404, partner=403)
                    ),
                )
                for name in ("update_return", "update_approve")
            ],
            # Approved: every reader sees it; reporters revise it.
            Case(
                "results:update_revise",
                t,
                post_only(results_rule(t, get=405, post=DONE, roles=REPORTERS, others=403)),
            ),
        ]
    return cases


# Results frameworks: read like their activity (the partner user reads the one their organization
# implements, not the other internal one); built by who changes the activity; the core indicator
# library is read by staff.
def hidden_from_counterparts(rule: Rule) -> Rule:
    """The frameworks' activities are internal, in countries no counterpart speaks for."""
    return lambda role, method: 404 if role in COUNTERPARTS else rule(role, method)


def _framework_activity(target: str) -> str:
    """res_internal hides from the partner user like the internal activity; res_implemented
    reads like the public one (they read it, may not change it)."""
    return "internal" if target == "res_internal" else "public"


framework_cases: list[Case] = [
    *[
        Case("results:activity", t, hidden_from_counterparts(activity_read(_framework_activity(t))))
        for t in walk_framework.TARGETS
    ],
    # The results' history reads like the results page; it changes nothing.
    *[
        Case(
            "results:history",
            t,
            get_only(hidden_from_counterparts(activity_read(_framework_activity(t)))),
        )
        for t in walk_framework.TARGETS
    ],
    *[
        Case(
            f"results:{name}",
            t,
            post_only(
                hidden_from_counterparts(activity_write(_framework_activity(t), get=405, post=DONE))
            )
            if name == "annual_periods"
            else hidden_from_counterparts(
                activity_write(_framework_activity(t), get=200, post=DONE)
            ),
        )
        for name in walk_framework.EDIT_PAGES
        for t in walk_framework.TARGETS
    ],
    Case("results:library", "", STAFF_ONLY),
]


def sided(get: dict[str, Expect], post: dict[str, Expect]) -> Rule:
    """On the "sided" activity: Kenya's counterpart does not read it (404); every role not
    named is refused (403): a rule here names the partner user and the counterpart itself."""
    hidden: dict[str, Expect] = {"counterpart_other": 404}
    return logged_in(
        {**hidden, "partner": 403, "counterpart": 403, **get, "*": 403},
        {**hidden, "partner": 403, "counterpart": 403, **post, "*": 403},
    )


EDITORS_DONE: dict[str, Expect] = dict.fromkeys(EDITORS, DONE)
EDITORS_200: dict[str, Expect] = dict.fromkeys(EDITORS, 200)
# Counterparts: a side is confirmed and disputed by who speaks for it (Mozambique's counterpart,
# the partner user for its organization), answered by the activity's editors (Brazil's side is
# the disputed one); the conversation is its editors' and counterparts'; a proposal is made by a
# counterpart, decided by the editors, withdrawn by its proposer (the partner user) or the
# editors, and hidden from counterparts of other countries' organizations; the inbox is one's own.
counterparts_cases: list[Case] = [
    Case("counterparts:confirm", "side_mz", post_only(sided({}, {"counterpart": DONE}))),
    Case("counterparts:confirm", "side_org", post_only(sided({}, {"partner": DONE}))),
    Case("counterparts:dispute", "side_mz", sided({"counterpart": 200}, {"counterpart": DONE})),
    Case("counterparts:dispute", "side_org", sided({"partner": 200}, {"partner": DONE})),
    Case("counterparts:answer", "side_br", post_only(sided({}, EDITORS_DONE))),
    Case(
        "counterparts:comment",
        "sided",
        post_only(sided({}, {**EDITORS_DONE, "partner": DONE, "counterpart": DONE})),
    ),
    *[
        Case("counterparts:comment", t, post_only(activity_write(t, get=405, post=DONE)))
        for t in ACTIVITY_TARGETS
    ],
    Case(
        "counterparts:propose",
        "sided",
        sided({"partner": 200, "counterpart": 200}, {"partner": DONE, "counterpart": DONE}),
    ),
    Case("counterparts:propose", "public", logged_in(403, 403)),
    Case(
        "counterparts:accept",
        "proposal",
        post_only(sided({"counterpart": 404}, {**EDITORS_DONE, "counterpart": 404})),
    ),
    Case(
        "counterparts:decline",
        "proposal",
        sided({**EDITORS_200, "counterpart": 404}, {**EDITORS_DONE, "counterpart": 404}),
    ),
    Case(
        "counterparts:withdraw",
        "proposal",
        sided({"partner": 200, "counterpart": 404}, {"partner": DONE, "counterpart": 404}),
    ),
    Case("counterparts:inbox", "", logged_in(200, 405)),
    Case("counterparts:inbox_read_all", "", post_only(logged_in(405, DONE))),
    Case(
        "counterparts:inbox_open",
        "notification",
        post_only(logged_in(405, {"counterpart": DONE, "partner": 404, "*": 404})),
    ),
]

CASES: list[Case] = [
    # Read-only pages answer a POST like a GET: nothing to change there.
    Case("home", "", logged_in(200, 200)),
    Case("healthz", "", everyone(200, 200)),
    Case("login", "", everyone(200, 200)),
    Case("logout", "", everyone(405, DONE)),
    Case("password_change", "", logged_in(200, DONE)),
    # The language switcher: anyone, the sign-in page's visitors included; a POST only.
    Case("accounts:set_language", "", everyone(405, DONE)),
    Case("password_change_done", "", logged_in(200, 405)),
    Case("password_reset", "", everyone(200, DONE)),
    Case("password_reset_done", "", everyone(200, 405)),
    Case("password_reset_confirm", "", everyone(200, 200)),
    Case("password_reset_complete", "", everyone(200, 405)),
    *[
        Case(name, "", admin_page)
        for name in sorted(ADMIN_CHECKED)
        if name != "admin:accounts_user_changelist"
    ],
    # User accounts in the admin are the superusers'; the focal point uses the People pages.
    Case(
        "admin:accounts_user_changelist",
        "",
        lambda role, method: {"admin": 200, "focal": 403}.get(role, ADMIN_LOGIN),
    ),
    # People: the focal point's (and the admins'); anyone else is refused, the target (the
    # viewer) included.
    Case("accounts:people", "", logged_in({"focal": 200, "admin": 200, "*": 403}, 405)),
    Case("accounts:person_invite", "", only(STAFF, get=200, post=DONE)),
    Case(
        "accounts:person_detail", "person", logged_in({"focal": 200, "admin": 200, "*": 403}, 405)
    ),
    Case("accounts:person_edit", "person", only(STAFF, get=200, post=DONE)),
    Case("accounts:person_deactivate", "person", only(STAFF, get=200, post=DONE)),
    Case("accounts:person_reactivate", "person", only(STAFF, get=200, post=DONE)),
    Case("accounts:person_resend", "invited", post_only(only(STAFF, get=405, post=DONE))),
    # Everyone signed in keeps their own API tokens; another user's token does not exist for them.
    Case("accounts:api_tokens", "", logged_in(200, CREATED)),
    Case(
        "accounts:revoke_api_token",
        "token",
        post_only(logged_in({"*": 405}, {"focal": DONE, "*": 404})),
    ),
    Case("activities:list", "", logged_in(200, 200)),
    # The list as a file: everyone who reads the list, GET only.
    Case("activities:export", "", logged_in(200, 405)),
    # Saved views are their owner's (the focal point's here): anyone signed in saves their own;
    # another user's view does not exist for them until shared (then its link opens the list).
    Case("activities:saved_views", "", logged_in(200, DONE)),
    Case("activities:saved_view", "saved_view", logged_in({"focal": DONE, "*": 404}, 405)),
    *[
        Case(name, "saved_view", logged_in({"focal": 200, "*": 404}, {"focal": DONE, "*": 404}))
        for name in ("activities:saved_view_edit", "activities:saved_view_delete")
    ],
    Case("activities:create", "", only(CREATORS, get=200, post=DONE)),
    *[Case("activities:detail", t, activity_read(t)) for t in ACTIVITY_TARGETS],
    *[Case("activities:history", t, activity_read(t)) for t in ACTIVITY_TARGETS],
    *[Case("activities:edit", t, activity_write(t, get=200, post=DONE)) for t in ACTIVITY_TARGETS],
    # The status change is a POST-only action: any GET is refused before looking further.
    *[Case("activities:status", t, status_rule(t)) for t in ACTIVITY_TARGETS],
    Case("activities:partner_list", "", logged_in(200, 200)),
    Case("activities:partner_create", "", only(CREATORS, get=200, post=DONE)),
    Case("activities:partner_merge", "", only(STAFF, get=200, post=DONE)),
    # Likely duplicates: the focal point's report (read-only: a POST reads it too) and decision.
    Case("activities:duplicates", "", only(STAFF, get=200, post=200)),
    Case("activities:duplicate_tell_apart", "pair", post_only(only(STAFF, get=405, post=DONE))),
    # Its merge: the page of both side by side, and the POST that merges them.
    Case("activities:duplicate_merge", "pair", only(STAFF, get=200, post=DONE)),
    *[Case("activities:partner_detail", t, partner_read(t)) for t in PARTNER_TARGETS],
    *[Case("activities:partner_edit", t, partner_write(t)) for t in PARTNER_TARGETS],
    # Finance: an activity's money reads like the activity; its editors record and correct.
    *[Case("finance:activity", t, activity_write_or_read(t)) for t in ACTIVITY_TARGETS],
    *[
        Case("finance:correct", t, post_only(activity_write(t, get=405, post=DONE)))
        for t in ACTIVITY_TARGETS
    ],
    Case(
        "finance:rates",
        "",
        logged_in(
            {"partner": 403, "*": 200}, {"partner": 403, "focal": DONE, "admin": DONE, "*": 403}
        ),
    ),
    Case("finance:rates_upload", "", post_only(only(STAFF, get=405, post=DONE))),
    # Rate cards read like the rates; the focal point keeps them and re-values their lines.
    Case(
        "finance:rate_cards",
        "",
        logged_in(
            {"partner": 403, "*": 200}, {"partner": 403, "focal": DONE, "admin": DONE, "*": 403}
        ),
    ),
    Case(
        "finance:rate_card",
        "rate_card",
        logged_in(
            {"partner": 403, "*": 200}, {"partner": 403, "focal": DONE, "admin": DONE, "*": 403}
        ),
    ),
    Case("finance:rate_card_revalue", "rate_card", only(STAFF, get=200, post=DONE)),
    # Contributor groups are the focal point's, as the import that makes them: the list only
    # answers GETs; the split is checked, then confirmed (the walk posts the confirmation).
    Case("finance:groups", "", logged_in({"focal": 200, "admin": 200, "*": 403}, 405)),
    # A group is not even shown to anyone else (404, as an object one may not read).
    Case("finance:group_split", "group", only(STAFF, get=200, post=DONE, others=404)),
    # Theme codes (the IATI file's DAC sectors) read like the rates; the focal point keeps them.
    Case(
        "finance:theme_codes",
        "",
        logged_in(
            {"partner": 403, "*": 200}, {"partner": 403, "focal": DONE, "admin": DONE, "*": 403}
        ),
    ),
    Case("finance:imports", "", only(STAFF, get=200, post=DONE)),
    Case("finance:history", "", only(STAFF, get=200, post=200)),
    Case("finance:import_detail", "pending", only(STAFF, get=200, post=200)),
    Case("finance:import_commit", "pending", post_only(only(STAFF, get=405, post=DONE))),
    Case("finance:rollup_rebuild", "", only(STAFF, get=200, post=DONE)),
    # Closed periods are the focal point's (and the admins'): anyone else is refused.
    Case("finance:periods", "", only(STAFF, get=200, post=DONE)),
    Case("finance:period_reopen", "period", only(STAFF, get=200, post=DONE)),
    Case("finance:period_exception", "period", post_only(only(STAFF, get=405, post=DONE))),
    Case(
        "finance:export_workbook",
        "",
        logged_in({"partner": 403, "*": 200}, {"partner": 403, "*": 200}),
    ),
    Case(
        "finance:export_ledger",
        "",
        logged_in({"partner": 403, "*": 200}, {"partner": 403, "*": 200}),
    ),
    # The dashboard is for agency staff (a CPM sees their divisions); it only answers GETs.
    Case("finance:dashboard", "", logged_in({"partner": 403, "*": 200}, 405)),
    Case("finance:dashboard_table", "", logged_in({"partner": 403, "*": 200}, 405)),
    Case(
        "finance:reports",
        "",
        logged_in({"partner": 403, "*": 200}, {"partner": 403, "*": DONE}),
    ),
    # A report is downloaded by the one who asked for it (the CPM) and the focal point.
    Case(
        "finance:report_download",
        "report",
        logged_in({r: 200 for r in ("cpm", "focal", "admin")} | {"*": 403}, 405),
    ),
    *knowledge_cases,
    *results_cases(),
    *framework_cases,
    *counterparts_cases,
    # The results dashboard, its workbook and the activities behind a figure: agency staff
    # read them (the whole portfolio), partner users are refused; GET only.
    Case("results:dashboard", "", logged_in({"partner": 403, "*": 200}, 405)),
    Case("results:dashboard_xlsx", "", logged_in({"partner": 403, "*": 200}, 405)),
    Case("results:dashboard_activities", "core", logged_in({"partner": 403, "*": 200}, 405)),
    # Standards reporting (tests/standards/walk.py): staff and counterparts build exports.
    Case(
        "standards:index",
        "",
        logged_in(
            {"partner": 403, **dict.fromkeys(COUNTERPARTS, 200), "*": 200},
            {"partner": 403, **dict.fromkeys(COUNTERPARTS, DONE), "*": DONE},
        ),
    ),
    *[
        Case(name, "standards_export", logged_in(standards_walk.export_read(), 405))
        for name in ("standards:detail", "standards:status", "standards:download")
    ],
]


def _patterns(resolver: URLResolver, namespace: str = "", prefix: str = "") -> Iterator[str]:
    """The qualified name of every URL pattern (or its route when unnamed), includes included."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner, route)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {route}>"


def test_every_url_pattern_is_in_the_permission_table() -> None:
    covered = {case.name for case in CASES}
    found = {
        name
        for name in _patterns(get_resolver("ssc_portal.urls"))
        if not name.startswith(("admin:", "api:")) or name in ADMIN_CHECKED
    }
    missing = found - covered
    assert not missing, f"URL patterns without a row in the permission table: {sorted(missing)}"
    stale = covered - found
    assert not stale, f"Rows in the permission table for URLs that no longer exist: {sorted(stale)}"


def _url(case: Case, world: World) -> str:
    name = case.name
    if name.startswith("counterparts:"):
        activities = {"internal": world.internal, "public": world.public}
        return counterparts_walk.url(name, case.target, world.counterparts, activities)
    if name.startswith("knowledge:"):
        return knowledge_walk.url(name, case.target, world.knowledge)
    if name in walk_framework.NAMES:
        return walk_framework.url(name, case.target, world.framework)
    if name.startswith("results:") and not name.startswith("results:dashboard"):
        return results_walk.url(name, case.target, world.results)
    if name == "password_reset_confirm":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    if name == "finance:correct":
        return reverse(name, args=[getattr(world, case.target).pk, world.entries[case.target].pk])
    if case.target == "pending":
        return reverse(name, args=[world.pending.pk])
    if case.target == "token":
        return reverse(name, args=[world.token.pk])
    if name == "activities:saved_view":
        return reverse(name, args=[world.saved_view.token])
    if case.target == "saved_view":
        return reverse(name, args=[world.saved_view.pk])
    if case.target == "pair":
        return reverse(name, args=[world.pair.pk])
    if case.target == "person":
        return reverse(name, args=[world.users["viewer"].pk])
    if case.target == "invited":
        return reverse(name, args=[world.invited.pk])
    if case.target == "report":
        return reverse(name, args=[world.report.pk])
    if case.target == "period":
        return reverse(name, args=[world.period.pk])
    if case.target == "rate_card":
        return reverse(name, args=[world.rate_card.pk])
    if case.target == "group":
        return reverse(name, args=[world.internal.pk, world.group.pk])
    if name == "finance:dashboard_table":
        return reverse(name, args=["summary", "csv"])
    if case.target == "core":
        return reverse(name, args=[world.core.pk])
    if case.target == "standards_export":
        return reverse(name, args=[world.standards_export.pk])
    if case.target in ACTIVITY_TARGETS:
        return reverse(name, args=[getattr(world, case.target).pk])
    if case.target in PARTNER_TARGETS:
        return reverse(name, args=[getattr(world, case.target).pk])
    return reverse(name)


def _post_body(case: Case, world: World, user: User | None) -> dict[str, Any]:
    """A valid body: if a role that may not write were let through, something would change."""
    if case.name.startswith("counterparts:"):
        return counterparts_walk.post_body(
            case.name, case.target, world.counterparts, user, world.own_org
        )
    if case.name.startswith("knowledge:"):
        return knowledge_walk.post_body(case.name, world.knowledge, user)
    if case.name in walk_framework.NAMES:
        return walk_framework.post_body(case.name, case.target, world.framework)
    if case.name.startswith("results:") and not case.name.startswith("results:dashboard"):
        return results_walk.post_body(case.name, case.target, world.results)
    target = getattr(world, case.target, None) if case.target else None
    if case.name.startswith("finance:"):
        return _finance_body(case, world, target)
    if case.name == "standards:index":
        return standards_walk.post_body()
    match case.name:
        case "activities:create":
            # A CPM creates in their own division (the other CPM's is APR).
            own = user.divisions.order_by("code").first() if user is not None else None
            return activity_form_data(
                title="Created through the permission walk",
                **({"lead_division": own.pk} if own is not None else {}),
            )
        case "activities:edit":
            return edit_form_data(target, title="Changed through the permission walk")
        case "activities:status":
            return {"status": "approved", "note": "Moved by the walk", "version": target.version}
        case "activities:partner_create":
            return partner_form_data()
        case "activities:partner_edit":
            return partner_form_data(name="Renamed by the walk", country=target.country_id)
        case "activities:partner_merge":
            return {"keep": world.own_org.pk, "remove": world.other_partner.pk, "confirm": "1"}
        case "activities:duplicate_tell_apart":
            return {"version": world.pair.version}
        case "activities:duplicate_merge":
            return {
                "keep": world.pair.first_id,
                "first_version": world.pair.first.version,
                "second_version": world.pair.second.version,
            }
        case "accounts:api_tokens":
            return {"name": "Created by the walk"}
        case "activities:saved_views":
            return {"name": "Saved by the walk", "query": "status=ongoing&division=LAC"}
        case "activities:saved_view_edit":
            return {"name": "Renamed by the walk", "shared": "on", "version": 1}
        case "accounts:person_invite":
            return person_form_data(email="invited.by.the.walk@example.org")
        case "accounts:person_edit":
            return person_form_data(world.users["viewer"], role="cpm", last_name="Walked")
        case "accounts:person_deactivate" | "accounts:person_reactivate":
            return {"version": world.users["viewer"].version}
        case "password_change":
            return {
                "old_password": PASSWORD,
                "new_password1": "a new and long passphrase 42",
                "new_password2": "a new and long passphrase 42",
            }
        case "password_reset":
            return {"email": user.email if user else "nobody@example.org"}
        case "login":
            return {"username": "nobody", "password": "wrong"}
        case "accounts:set_language":
            return {"language": "en", "next": "/"}
    return {}


def _finance_body(case: Case, world: World, target: Any) -> dict[str, Any]:
    """_post_body for the money pages."""
    match case.name:
        case "finance:activity":
            return {
                "version": services.ledger_version(target),
                "lines-TOTAL_FORMS": 1,
                "lines-INITIAL_FORMS": 0,
                "lines-0-kind": "ifad_grant",
                "lines-0-stage": "allocated",
                "lines-0-amount": "5000",
                "lines-0-currency": "USD",
                "lines-0-value_date": "2024-02-01",
            }
        case "finance:correct":
            return {
                "new_amount": "900",
                "reason": "Walk",
                "version": services.ledger_version(target),
            }
        case "finance:rates":
            return {"currency": "EUR", "month": "2024-01", "units_per_usd": "0.9"}
        case "finance:theme_codes":
            return {"theme": Theme.objects.get(position=1).pk, "code": "31182"}
        case "finance:rate_cards":
            return {"unit": "venue_days", "year": "2026", "amount": "900", "currency": "USD"}
        case "finance:rate_card":
            return {"amount": "300", "version": world.rate_card.version}
        case "finance:rates_upload":
            return {
                "file": SimpleUploadedFile(
                    "r.csv", b"currency,month,units_per_usd\nEUR,2024-02,0.9\n"
                )
            }
        case "finance:imports":
            return {"file": _sample_upload()}
        case "finance:reports":
            return {"format": "xlsx", "division": "LAC"}
        case "finance:periods":
            return {"fiscal_year": "2018", "reason": "Walk", "confirm": "on"}
        case "finance:period_reopen":
            return {"reason": "Walk"}
        case "finance:group_split":
            entry = world.group.entries.get()
            return {
                "version": services.ledger_version(world.internal),
                "partner_0": world.own_org.pk,
                "partner_1": world.stranger.pk,
                f"amount_0_{entry.pk}": "600",
                f"amount_1_{entry.pk}": "400",
                "confirm": "on",
            }
        case "finance:period_exception":
            return {"activity": world.internal.ssc_id, "reason": "Walk", "expires_on": "2100-01-01"}
    return {}


def _answer(response: Any) -> Expect:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/accounts/login/?next="):
            return LOGIN
        if location.startswith("/admin/login/?next="):
            return ADMIN_LOGIN
        return DONE
    return response.status_code


def _normalize(expected: Expect) -> Expect:
    return {DONE: 302, CREATED: 201}.get(str(expected), expected)


def _get_problems(role: str, response: Any, seen: Watched) -> list[str]:
    """What a GET must never do (tests/security/test_safe_methods.py's rules, checked here on the
    walk's own GETs rather than by requesting every page again): write anything but the
    session's bookkeeping, caught at the database cursor (so a write to a table no snapshot lists
    shows too), or show a POST form without its CSRF token."""
    problems = [f"{role:9} GET  wrote {seen.writes}"] if seen.writes else []
    if response.status_code == 200 and "text/html" in response["Content-Type"]:
        missing = post_forms_without_csrf_token(response.content)
        if missing:
            problems.append(f"{role:9} GET  POST forms without a CSRF token: {missing}")
    return problems


# (status, username, language) of the refusal pages rendered in full by this process.
_REFUSALS_RENDERED: set[tuple[int, str, str]] = set()


@pytest.fixture
def refusal_pages_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The portal's 403 and 404 pages rendered in full for the first refusal of each role (in
    each language) only; the later ones answer with the status and no page. The walk reads a
    refusal's status alone, and rendering the whole layout for each of about 1,200 refusals was
    a tenth of the walk's requests' time. A 200's page is always rendered."""

    def once(status: int, view: Any) -> Any:
        def refuse(request: HttpRequest, exception: Exception) -> HttpResponse:
            user = getattr(request, "user", None)
            key = (status, user.get_username() if user is not None else "", get_language())
            if key in _REFUSALS_RENDERED:
                return HttpResponse(status=status)
            _REFUSALS_RENDERED.add(key)
            return view(request, exception)

        return refuse

    monkeypatch.setattr(urls, "handler403", once(403, defaults.permission_denied))
    monkeypatch.setattr(urls, "handler404", once(404, defaults.page_not_found))


class TestPermissions:
    """Every route case against one world (shared_world)."""

    @pytest.mark.parametrize(
        "case", CASES, ids=lambda c: f"{c.name}[{c.target}]" if c.target else c.name
    )
    @pytest.mark.usefixtures("refusal_pages_once")
    def test_permissions(self, case: Case, world: World, fast_templates: None) -> None:
        # Each request below runs in a savepoint rolled back after it (roles do not see each
        # other's writes), so each starts from this state: read once, compared with the state
        # after each request that may have written (tests.writes: most write nothing, and then
        # the state cannot differ), and checked again after the last one.
        before = db_state()
        mismatches = []
        with each_rolled_back(before, db_state) as requests:
            for role in ROLES:
                # A crash is an answer (500) in the table, not an exception that hides the other
                # rows.
                client = world.client(role, raise_request_exception=False)
                for method in ("GET", "POST"):
                    mismatches += _mismatches(case, world, role, method, client, requests)
        if db_state() != before:
            mismatches.append("the rolled-back requests left the database changed")
        assert not mismatches, f"{case.name} {case.target}:\n" + "\n".join(mismatches)


def _mismatches(
    case: Case, world: World, role: str, method: str, client: Client, requests: EachRolledBack
) -> list[str]:
    """How the answer to the role's request differs from the table, and what it did that no
    request may (tests.writes.EachRolledBack rolls it back after it)."""
    user = world.users.get(role)
    expected = case.rule(role, method)
    url = _url(case, world)
    body = _post_body(case, world, user) if method == "POST" else None
    with requests.watched() as seen:
        response = client.get(url) if body is None else client.post(url, body)
    before, after = requests.before, requests.after
    mismatches = []
    got = _answer(response)
    if got != expected and got != _normalize(expected):
        mismatches.append(f"{role:9} {method:4} expected {expected!r:14} got {got!r}")
    if method == "GET":
        mismatches += _get_problems(role, response, seen)
    may_write = method == "POST" and expected in (DONE, CREATED)
    if not may_write and after != before:
        changed = sorted(key for key in before if before[key] != after[key])
        mismatches.append(f"{role:9} {method} changed the database ({changed}) without leave")
    if (
        may_write
        and case.name.startswith(("activities:", "knowledge:", "results:", "counterparts:"))
        # Marking all read when nothing is unread has nothing to save.
        and case.name != "counterparts:inbox_read_all"
        and after == before
    ):
        mismatches.append(f"{role:9} POST answered {got!r} but saved nothing")
    return mismatches
