"""Every REST API address, for every role, with every method: the status each one gets.

The pages have their own walk (tests/activities/test_permissions.py), which leaves the "api"
namespace to this one. An /api/ URL pattern without a row here fails
test_every_api_url_pattern_is_in_the_matrix. Refused writes must leave the database as it was
(the bodies are valid, so a missing check would show); accepted ones must change it; no GET
changes anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from accounts.services import create_api_token
from activities.models import Activity
from finance import services

# The page walk's world (users of every role, an internal and a public LAC activity with a ledger
# entry each, a partner organization hidden from the partner user): the same fixture, imported.
from tests.activities.test_permissions import (  # noqa: F401 (fixtures)
    World,
    _patterns,
    shared_world,
    world,
)
from tests.counterparts import api_walk as counterparts_walk
from tests.factories import theme
from tests.helpers import db_state
from tests.results import api_walk
from tests.standards import walk as standards_walk
from tests.writes import EachRolledBack, each_rolled_back

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "viewer",
    "partner",
    "cpm_other",
    "cpm",
    "focal",
    "admin",
    "counterpart",
    "counterpart_other",
)
# Country counterparts (Mozambique's, Kenya's) take part in none of the page walk's activities:
# there they get what a partner user gets where its organization takes no part. The
# counterparts world (tests/counterparts/api_walk.py) has an activity Mozambique takes part in.
COUNTERPARTS = ("counterpart", "counterpart_other")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
EDITORS = ("cpm", "focal", "admin")  # may change the LAC activities under test
CREATORS = ("cpm_other", "cpm", "focal", "admin")


@dataclass
class ApiWorld:
    objects: World
    tokens: dict[str, str]  # role -> API token
    results: api_walk.ResultsApiWorld
    counterparts: counterparts_walk.CounterpartsWorld


# The parameters name the fixtures imported above (pytest passes them), hence the noqa.
@pytest.fixture(scope="class")
def shared_users(shared_world: World, django_db_blocker: Any) -> dict[str, Any]:  # noqa: F811
    """The shared world's users and the country counterparts, made in its transaction."""
    with django_db_blocker.unblock():
        return counterparts_walk.role_users(shared_world.users)


@pytest.fixture(scope="class")
def shared_tokens(shared_users: dict[str, Any], django_db_blocker: Any) -> dict[str, str]:
    """An API token for each of those users."""
    with django_db_blocker.unblock():
        return {
            role: create_api_token(user=user, name="matrix")[1]
            for role, user in shared_users.items()
        }


@pytest.fixture(scope="class")
def shared_counterparts(
    shared_world: World,  # noqa: F811
    shared_users: dict[str, Any],
    django_db_blocker: Any,
) -> counterparts_walk.CounterpartsWorld:
    """The sides, messages, proposals and inboxes the walk reads and acts on."""
    with django_db_blocker.unblock():
        return counterparts_walk.make_world(shared_users, own_org=shared_world.own_org)


@pytest.fixture(scope="class")
def shared_results(
    shared_world: World,  # noqa: F811
    django_db_blocker: Any,
) -> api_walk.ResultsApiWorld:
    """The results the API walk reads and writes, made in the shared world's transaction."""
    with django_db_blocker.unblock():
        return api_walk.make_world(
            focal=shared_world.users["focal"], partner_org=shared_world.own_org
        )


@pytest.fixture
def api_world(
    world: World,  # noqa: F811
    shared_tokens: dict[str, str],
    shared_results: api_walk.ResultsApiWorld,
    shared_counterparts: counterparts_walk.CounterpartsWorld,
) -> ApiWorld:
    """The page walk's world and an API token for each of its users."""
    return ApiWorld(world, shared_tokens, shared_results, shared_counterparts)


Rule = Callable[[str, str], int]  # (role, method) -> expected status


def api(
    read: dict[str, int] | int,
    writes: dict[str, dict[str, int] | int],
    *,
    counterparts_as_partner: bool = True,
) -> Rule:
    """Anonymous callers get 401; methods not in `writes` are not allowed (405). Country
    counterparts get what the partner user gets unless named (counterparts_as_partner=False:
    the "*" answer)."""

    def rule(role: str, method: str) -> int:
        if role == "anonymous":
            return 401
        answer = read if method == "GET" else writes.get(method, 405)
        if not isinstance(answer, dict):
            return answer
        if role in COUNTERPARTS and role not in answer and counterparts_as_partner:
            role = "partner"
        return answer.get(role, answer.get("*", 0))

    return rule


def public_rule(get: int) -> Rule:
    """Open to everyone, signed in or not: GET answers, other methods are not allowed."""
    return lambda role, method: get if method == "GET" else 405


def hidden_from_partner(target: str) -> dict[str, int]:
    return {"partner": 404} if target in ("internal", "stranger") else {}


def activity_detail(target: str) -> Rule:
    hidden = hidden_from_partner(target)
    edit = {**hidden, **dict.fromkeys(EDITORS, 200), "*": 403}
    return api({**hidden, "*": 200}, {"PUT": edit, "PATCH": edit})


def ledger_record(target: str) -> Rule:
    return api(
        200, {"POST": {**hidden_from_partner(target), **dict.fromkeys(EDITORS, 201), "*": 403}}
    )


def ledger_correct(target: str) -> Rule:
    hidden = hidden_from_partner(target)
    return api(405, {"POST": {**hidden, **dict.fromkeys(EDITORS, 201), "*": 403}})


def action(answers: dict[str, int]) -> Rule:
    """A POST-only action on one record."""
    return api(405, {"POST": answers})


LIBRARY = ("core-indicator", "dimension")


@dataclass(frozen=True)
class Case:
    name: str
    target: str
    rule: Rule


READ_ONLY = api(200, {})
CASES: list[Case] = [
    Case("api:activity-list", "", api(200, {"POST": {**dict.fromkeys(CREATORS, 201), "*": 403}})),
    *[Case("api:activity-detail", t, activity_detail(t)) for t in ("internal", "public")],
    # Its likely duplicates: whoever reads the activity (among what each reads).
    *[
        Case("api:activity-duplicates", t, api({**hidden_from_partner(t), "*": 200}, {}))
        for t in ("internal", "public")
    ],
    # Merging the other activity into this one: who changes both (the LAC editors).
    *[
        Case(
            "api:activity-merge",
            t,
            action({**hidden_from_partner(t), **dict.fromkeys(EDITORS, 200), "*": 403}),
        )
        for t in ("internal", "public")
    ],
    Case("api:partner-list", "", READ_ONLY),
    *[
        # Mozambique's counterpart meets the partner's organization in the counterparts walk's
        # activity; Kenya's nowhere.
        Case(
            "api:partner-detail",
            t,
            api({**hidden_from_partner(t), "counterpart_other": 404, "*": 200}, {}),
        )
        for t in ("stranger", "own_org")
    ],
    Case("api:country-list", "", READ_ONLY),
    Case("api:country-detail", "BR", READ_ONLY),
    Case("api:theme-list", "", READ_ONLY),
    Case("api:theme-detail", "theme", READ_ONLY),
    # The list's POST records lines on the target activity.
    *[Case("api:ledger-list", t, ledger_record(t)) for t in ("internal", "public")],
    *[
        Case("api:ledger-detail", t, api({**hidden_from_partner(t), "*": 200}, {}))
        for t in ("internal", "public")
    ],
    *[Case("api:ledger-correct", t, ledger_correct(t)) for t in ("internal", "public")],
    Case("api:rollups", "", READ_ONLY),
    # Knowledge assets: read; internal ones hide from partner users. Their versions in other
    # languages are written (PUT, PATCH) by the asset's editors, as on the asset's page.
    Case("api:knowledge-list", "", READ_ONLY),
    *[Case("api:knowledge-detail", t, activity_detail(t)) for t in ("internal", "public")],
    # Results: read as their activity; updates as results.access says (tests/results/api_walk).
    Case("api:result-list", "", READ_ONLY),
    Case("api:indicator-list", "", READ_ONLY),
    *[
        Case(f"api:{name}-detail", t, api(api_walk.read(t), {}))
        for name in ("result", "indicator")
        for t in api_walk.ACTIVITIES
    ],
    *[Case(f"api:{name}-list", "", api(api_walk.LIBRARY, {})) for name in LIBRARY],
    *[Case(f"api:{name}-detail", "", api(api_walk.LIBRARY, {})) for name in LIBRARY],
    *[
        Case("api:update-list", t, api(200, {"POST": api_walk.create(t)}))
        for t in api_walk.ACTIVITIES
    ],
    *[
        Case(
            "api:update-detail", t, api(api_walk.update_read(t), {"PUT": api_walk.update_change(t)})
        )
        for t in ("r_own:draft", "r_public:draft", "r_internal:approved", "r_own:approved")
    ],
    *[
        Case("api:update-submit", t, action(api_walk.submit(t)))
        for t in ("r_own:draft", "r_public:draft")
    ],
    *[
        Case(f"api:update-{name}", t, action(api_walk.review(t)))
        for name in ("approve", "return")
        for t in ("r_own:submitted", "r_internal:submitted")
    ],
    *[
        Case("api:update-revise", t, action(api_walk.revise(t)))
        for t in ("r_own:approved", "r_public:approved", "r_internal:approved")
    ],
    # Both sides agree (issue 20): tests/counterparts/api_walk.py says who gets what.
    *[
        Case(name, target, api(read, writes, counterparts_as_partner=False))
        for name, target, read, writes in counterparts_walk.CASES
    ],
    # Standards reporting (tests/standards/walk.py): staff and counterparts ask for exports,
    # each read by who asked (and the focal point); the TOSSD rows are the staff's.
    Case(
        "api:standards-export-list",
        "",
        api(
            {"partner": 403, "*": 200},
            {"POST": {"partner": 403, "*": 201}},
            counterparts_as_partner=False,
        ),
    ),
    *[
        Case(name, "", api(standards_walk.export_read(), {}, counterparts_as_partner=False))
        for name in ("api:standards-export-detail", "api:standards-export-download")
    ],
    Case(
        "api:standards-tossd",
        "",
        api({"partner": 403, "counterpart": 403, "counterpart_other": 403, "*": 200}, {}),
    ),
    # Public by nature: the IATI file, the schema and its documentation (the reference and the
    # getting-started guide: HTML pages).
    Case("api:iati-activities", "", public_rule(200)),
    Case("api:schema", "", public_rule(200)),
    Case("api:docs", "", public_rule(200)),
    Case("api:getting_started", "", public_rule(200)),
    Case("api:not_found", "", lambda role, method: 404),
]


# The API's addresses that are pages for people, not JSON endpoints.
HTML_PAGES = ("api:docs", "api:getting_started")


def outside_for_counterparts(case: Case) -> Case:
    """The results walk's "r_own" activity is the partner organization's: the country
    counterparts take no part in it and read nothing of it (lists still answer)."""

    def rule(role: str, method: str) -> int:
        expected = case.rule(role, method)
        listing = case.name.endswith("-list") and method == "GET"
        if role in COUNTERPARTS and expected != 405 and not listing:
            return 404
        return expected

    return Case(case.name, case.target, rule)


CASES = [outside_for_counterparts(c) if c.target.startswith("r_own") else c for c in CASES]


def test_every_api_url_pattern_is_in_the_matrix() -> None:
    covered = {case.name for case in CASES}
    found = {name for name in _patterns(get_resolver("ssc_portal.urls")) if name.startswith("api:")}
    assert found - covered == set(), "API URL patterns without a row in the matrix"
    assert covered - found == set(), "rows for API URL patterns that no longer exist"


def _url(case: Case, api_world: ApiWorld) -> str:
    objects, results = api_world.objects, api_world.results
    if case.name.split("-", 1)[0] in counterparts_walk.PREFIXES:
        return counterparts_walk.url(case.name, case.target, api_world.counterparts)
    if case.name.split("-", 1)[0] in (
        "api:result",
        "api:indicator",
        "api:update",
        "api:core",
        "api:dimension",
    ):
        return api_walk.url(case.name, case.target, results)
    match case.name:
        case "api:activity-detail" | "api:activity-duplicates" | "api:activity-merge":
            return reverse(case.name, args=[getattr(objects, case.target).pk])
        case "api:partner-detail":
            return reverse(case.name, args=[getattr(objects, case.target).pk])
        case "api:country-detail":
            return reverse(case.name, args=["BR"])
        case "api:theme-detail":
            return reverse(case.name, args=[theme(1).code])
        case "api:knowledge-detail":
            return reverse(case.name, args=[objects.knowledge.assets[f"asset_{case.target}"].pk])
        case "api:ledger-detail" | "api:ledger-correct":
            return reverse(case.name, args=[objects.entries[case.target].pk])
        case "api:not_found":
            return "/api/v2/activities/"
        case "api:rollups":
            return reverse(case.name) + "?group_by=division"
        case "api:standards-export-detail" | "api:standards-export-download":
            return reverse(case.name, args=[objects.standards_export.pk])
    return reverse(case.name)


def _activity_body(activity: Activity) -> dict[str, Any]:
    activity.refresh_from_db()
    return {
        "version": activity.version,
        "title": "Changed by the matrix",
        "activity_type": "learning_route",
        "modality": "south_south",
        "funding_nature": "grant",
        "lead_division": "LAC",
        "approval_year": 2024,
        "countries": [{"iso2": "BR", "role": "provider"}],
        "themes": [theme(1).code],
    }


def _body(case: Case, api_world: ApiWorld, method: str, role: str = "focal") -> dict[str, Any]:
    """A valid body: if a role that may not write were let through, something would change."""
    objects, results = api_world.objects, api_world.results
    if case.name.startswith("api:update-"):
        return api_walk.body(case.name, case.target, results, method)
    if case.name.split("-", 1)[0] in counterparts_walk.PREFIXES:
        return counterparts_walk.body(case.name, case.target, api_world.counterparts, method)
    target = getattr(objects, case.target, None) if case.target in ("internal", "public") else None
    match case.name, method:
        case "api:activity-list", "POST":
            body = _activity_body(objects.internal)
            # A CPM creates in their own division (the other CPM's is APR).
            user = objects.users.get(role)
            own = user.divisions.order_by("code").first() if user is not None else None
            return {
                **{k: v for k, v in body.items() if k != "version"},
                "lead_division": own.code if own is not None else "LAC",
            }
        case "api:activity-detail", "PUT":
            return _activity_body(target)
        case "api:activity-merge", "POST":
            other = objects.public if case.target == "internal" else objects.internal
            return {
                "remove": other.pk,
                "version": _activity_body(target)["version"],
                "remove_version": _activity_body(other)["version"],
            }
        case "api:knowledge-detail", "PUT" | "PATCH":
            asset = objects.knowledge.assets[f"asset_{case.target}"]
            asset.refresh_from_db()
            return {
                "updated_at": asset.updated_at.isoformat(),
                "texts": [{"language": "fr", "title": "Modifié par la matrice"}],
            }
        case "api:activity-detail", "PATCH":
            return {"version": _activity_body(target)["version"], "title": "Patched"}
        case "api:ledger-list", "POST":
            return {
                "activity": target.pk,
                "ledger_version": services.ledger_version(target),
                "entries": [
                    {
                        "kind": "ifad_grant",
                        "stage": "allocated",
                        "amount": "500",
                        "currency": "USD",
                        "value_date": "2024-02-01",
                    }
                ],
            }
        case "api:standards-export-list", "POST":
            return standards_walk.post_body()
        case "api:ledger-correct", "POST":
            entry = objects.entries[case.target]
            return {
                "new_amount": "900",
                "reason": "Matrix",
                "ledger_version": services.ledger_version(entry.activity),
            }
    return {}


class TestApiPermissions:
    """Every API case against one world (shared_world, shared_tokens)."""

    @pytest.mark.parametrize(
        "case", CASES, ids=lambda c: f"{c.name}[{c.target}]" if c.target else c.name
    )
    def test_api_permissions(self, case: Case, api_world: ApiWorld, fast_templates: None) -> None:
        # Each request below runs in a savepoint rolled back after it (roles do not see each
        # other's writes), so each starts from this state: read once, compared with the state
        # after each request that may have written (tests.writes: most write nothing, and then
        # the state cannot differ), and checked again after the last one.
        before = db_state()
        mismatches = []
        with each_rolled_back(before, db_state) as requests:
            for role in ROLES:
                tokens = api_world.tokens
                headers = {"Authorization": f"Bearer {tokens[role]}"} if role != "anonymous" else {}
                client = Client(headers=headers, raise_request_exception=False)
                for method in METHODS:
                    mismatches += _mismatches(case, api_world, role, method, client, requests)
        if db_state() != before:
            mismatches.append("the rolled-back requests left the database changed")
        assert not mismatches, f"{case.name} {case.target}:\n" + "\n".join(mismatches)


def _mismatches(
    case: Case,
    api_world: ApiWorld,
    role: str,
    method: str,
    client: Client,
    requests: EachRolledBack,
) -> list[str]:
    """How the answer to the role's request differs from the table, and what it did that no
    request may (tests.writes.EachRolledBack rolls it back after it)."""
    expected = case.rule(role, method)
    url = _url(case, api_world)
    data = json.dumps(_body(case, api_world, method, role))
    with requests.watched() as seen:
        response = client.generic(method, url, data=data, content_type="application/json")
    mismatches = []
    got = response.status_code
    if got != expected:
        mismatches.append(f"{role:9} {method:6} expected {expected} got {got}")
    # Caught at the database cursor, a write to a table no snapshot lists shows too (the rule
    # of tests/security/test_safe_methods.py, checked on the walk's GETs).
    if method == "GET" and seen.writes:
        mismatches.append(f"{role:9} GET    wrote {seen.writes}")
    wrote = requests.after != requests.before
    if wrote and (got not in (200, 201) or method == "GET"):
        mismatches.append(f"{role:9} {method:6} answered {got} but changed the database")
    if got in (200, 201) and method != "GET" and not wrote:
        mismatches.append(f"{role:9} {method:6} answered {got} but saved nothing")
    if got >= 400 and case.name not in HTML_PAGES:
        assert response["Content-Type"] == "application/json", (role, method)
    return mismatches
