"""The OpenAPI schema against the running API: schemathesis generates requests for every
operation (its examples, coverage, fuzzing and stateful phases: valid and invalid data, boundary
values, methods the schema does not list, chains of calls) and runs every one of its checks on
every answer, as the focal point and as a partner user.

The normal suite runs a few examples per operation (SCHEMATHESIS_EXAMPLES, default 5) and no
coverage phase (its thousands of boundary requests are not bounded by the examples), with a
fixed seed so that a failure in CI can be replayed. `make schemathesis` runs 50 examples per
operation with the coverage phase (SCHEMATHESIS_COVERAGE=1).
"""

from __future__ import annotations

import copy
import datetime
import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
import schemathesis
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client, override_settings
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis.engine import events, from_schema

from accounts.models import Role, User
from accounts.services import create_api_token
from activities.models import Activity, Partner, PartnerRole, Theme, Visibility
from counterparts import services as counterparts_services
from finance import services
from results import services as results_services
from standards.forms import MAX_YEARS
from tests.factories import ActivityFactory, PartnerFactory, UserFactory
from tests.results.factories import dated, framework

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
COVERAGE = os.environ.get("SCHEMATHESIS_COVERAGE", "0") == "1"
SEED = 20261205
# The activity form's and the ledger's rules (dates in order, status moves, a rate for the
# month of a foreign currency, a closed period, an SSC ID not taken, a record that exists) are
# no JSON schema's to state: a body the schema allows may still be refused with 400 naming the
# field. Every other operation must accept every request its schema allows.
WRITES_MAY_BREAK_RULES = {
    "include-method-regex": "^(POST|PUT|PATCH)$",
    "checks": {
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
        }
    },
}


@dataclass
class Run:
    """What one schemathesis run did: operations, requests per phase, and each failure."""

    operations: set[str] = field(default_factory=set)
    requests: Counter[str] = field(default_factory=Counter)
    failures: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    known: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [
            f"known values: {self.known}",
            f"{len(self.operations)} operations, requests by phase {dict(self.requests)}, "
            f"{len(self.failures)} failures, {len(self.errors)} errors",
            *sorted(self.failures),
            *self.errors,
        ]
        return "\n".join(lines)


@cache
def _document() -> dict[str, Any]:
    """The OpenAPI document the API serves, generated once per process for both runs (it is
    made from the code alone, by walking every endpoint). Each run gets a copy, should
    schemathesis change what it reads."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))


def run_schemathesis(base_url: str, token: str, known: dict[str, Any]) -> Run:
    """Every phase and every check of schemathesis against the live server, with `token`."""
    document = copy.deepcopy(_document())
    config = schemathesis.Config.from_dict(
        {
            "base-url": base_url,
            "headers": {"Authorization": f"Bearer {token}"},
            "seed": SEED,
            # No state carried from one run to the next (the same requests every time, and no
            # files left in the working tree).
            "cache": {"enabled": False},
            "workers": 1,
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
                # Every text the API reads refuses NUL characters (Django's
                # ProhibitNullCharactersValidator, PostgreSQL cannot store them), which no JSON
                # schema keyword says short of a pattern on every string.
                "allow-x00": False,
            },
            "phases": {"coverage": {"enabled": COVERAGE}, "stateful": {"max-steps": 10}},
            "operations": [WRITES_MAY_BREAK_RULES],
        }
    )
    schema = schemathesis.openapi.from_dict(document, config=config)

    @schema.hook
    def map_case(context: Any, case: Any) -> Any:
        """Valid requests name records that exist. A reference code or id (a division, a
        country, a theme, a partner) is valid by its form, but the filters refuse one that
        does not exist, and only a cursor from a `next` link is one: the schema cannot list
        them, so a valid request takes real ones (invalid requests keep what was drawn)."""
        negative = case.meta is not None and not case.meta.generation.mode.is_positive
        if negative or not case.query:
            return case
        case.query.pop("cursor", None)
        for name, value in list(case.query.items()):
            if name in known:
                case.query[name] = [known[name]] if isinstance(value, list) else known[name]
        # The roll-ups take one fiscal year, or a range from fiscal_year_from to fiscal_year_to,
        # not both.
        if "fiscal_year" in case.query:
            case.query.pop("fiscal_year_from", None)
            case.query.pop("fiscal_year_to", None)
        elif {"fiscal_year_from", "fiscal_year_to"} <= set(case.query):
            low, high = sorted([case.query["fiscal_year_from"], case.query["fiscal_year_to"]])
            case.query["fiscal_year_from"], case.query["fiscal_year_to"] = low, high
        # The standards exports take years in order, at most MAX_YEARS of them (its docs say so).
        if {"year_from", "year_to"} <= set(case.query):
            low, high = sorted([case.query["year_from"], case.query["year_to"]])
            case.query["year_from"], case.query["year_to"] = low, min(high, low + MAX_YEARS - 1)
        return case

    run = Run(known=known)
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            if event.label:
                run.operations.add(event.label)
            run.requests[event.phase.value] += len(event.recorder.cases)
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        run.failures.add(
                            f"{event.label or event.phase.value}: {check.name}: {failure.title}"
                            f" ({_answer(event.recorder, case_id)})"
                            f" | {check.failure_info.code_sample}"
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            run.errors.append(str(getattr(event, "info", None) or event))
    return run


def _answer(recorder: Any, case_id: str) -> str:
    """The status and the start of the body that failed a check: why, at a glance."""
    interaction = recorder.interactions.get(case_id)
    response = getattr(interaction, "response", None)
    if response is None:
        return "no response"
    request = getattr(interaction, "request", None)
    return (
        f"{response.status_code} {bytes(response.content or b'')[:200]!r}"
        f" to {getattr(request, 'uri', '')}"
    )


@pytest.fixture
def _generous_throttling() -> Iterator[None]:
    # Hundreds of requests a minute from one token: the throttle would answer most with 429.
    rates = {"token": "100000/minute", "session": "100000/minute", "anonymous": "100000/minute"}
    with override_settings(API_THROTTLE_RATES=rates):
        yield


@pytest.fixture
def api_data(focal: User) -> dict[str, Any]:
    """A little data, so that lists, filters and ids have something to find: public and
    internal activities with money from a partner, whose user is the partner role's caller."""
    partner = PartnerFactory()
    for visibility in (Visibility.PUBLIC, Visibility.INTERNAL, Visibility.PUBLIC):
        activity = ActivityFactory(
            countries=["BR", "MZ"], partners=[(partner, PartnerRole.FUNDER)], visibility=visibility
        )
        services.record_entries(
            activity=activity,
            entries=[
                services.EntryData(
                    kind="cofinancing",
                    stage="allocated",
                    amount=Decimal(500),
                    currency="USD",
                    value_date=datetime.date(2024, 1, 1),
                    contributor=partner,
                )
            ],
            user=focal,
            expected_version=None,
        )
    # Each side asked to confirm, and a message: the counterparts endpoints have something to
    # list (the partner user, made by its test, speaks for the funder's sides).
    ids = list(Activity.objects.values_list("pk", flat=True))
    counterparts_services.sync_sides(ids, user=focal)
    counterparts_services.post_comment(
        activity=Activity.objects.get(pk=ids[0]), user=focal, body="Dates?", internal=False
    )
    # A results framework with approved values: the results endpoints' lists and the IATI
    # file's result elements have something to show.
    reported = dated(Activity.objects.filter(visibility=Visibility.PUBLIC).order_by("pk")[0])
    for indicator, data in zip(
        framework(reported),
        (
            results_services.UpdateData(value=Decimal(30)),
            results_services.UpdateData(narrative="Drafted", achieved=True),
        ),
        strict=True,
    ):
        update = results_services.save_update(period=indicator.periods.get(), data=data, user=focal)
        update = results_services.submit_update(update=update, user=focal)
        results_services.approve_update(update=update, user=focal)
    return {
        "partner": partner,
        "known": {
            "division": "LAC",
            "country": "BR",
            "provider": "BR",
            "receiver": "BR",
            "theme": Theme.objects.order_by("position").values_list("code", flat=True)[0],
            "partner": partner.pk,
        },
    }


def _assert_clean(run: Run) -> None:
    print(run.summary())  # the figures, for `make schemathesis` (pytest -s)
    assert run.operations and not run.failures and not run.errors, run.summary()


@pytest.fixture
def _server_connections_closed() -> Iterator[None]:
    # schemathesis leaves its keep-alive connections to the live server open after a run, and
    # the server's thread for each keeps its database connection open with it (CONN_MAX_AGE):
    # the test database could then not be dropped at the end of the run. A connection made
    # meanwhile is closed at the end of each request instead.
    database = connections.settings[DEFAULT_DB_ALIAS]
    kept = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 0
    yield
    database["CONN_MAX_AGE"] = kept


# The requests reach a live server in another thread: the data must be committed, and
# serialized_rollback brings back the reference data (countries, themes) afterwards.
fuzzed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@fuzzed
@pytest.mark.schemathesis
@pytest.mark.usefixtures("_generous_throttling", "_server_connections_closed")
def test_every_operation_answers_as_documented_to_the_focal_point(
    live_server: Any, focal: User, api_data: dict[str, Any]
) -> None:
    token = create_api_token(user=focal, name="schemathesis")[1]
    _assert_clean(run_schemathesis(f"{live_server.url}/", token, api_data["known"]))


@fuzzed
@pytest.mark.schemathesis
@pytest.mark.usefixtures("_generous_throttling", "_server_connections_closed")
def test_every_operation_answers_as_documented_to_a_partner_user(
    live_server: Any, api_data: dict[str, Any]
) -> None:
    partner: Partner = api_data["partner"]
    user = UserFactory(username="partner", role=Role.PARTNER, partner=partner)
    token = create_api_token(user=user, name="schemathesis")[1]
    _assert_clean(run_schemathesis(f"{live_server.url}/", token, api_data["known"]))


@pytest.mark.django_db
def test_the_schema_documents_every_operation_with_its_errors() -> None:
    document = Client().get("/api/schema/?format=json").json()
    operations = {
        (method.upper(), path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }
    assert set(operations) >= {
        ("GET", "/api/v1/activities/"),
        ("POST", "/api/v1/activities/"),
        ("GET", "/api/v1/activities/{id}/"),
        ("PUT", "/api/v1/activities/{id}/"),
        ("PATCH", "/api/v1/activities/{id}/"),
        ("GET", "/api/v1/partners/"),
        ("GET", "/api/v1/countries/"),
        ("GET", "/api/v1/themes/"),
        ("GET", "/api/v1/ledger/"),
        ("POST", "/api/v1/ledger/"),
        ("POST", "/api/v1/ledger/{id}/correct/"),
        ("GET", "/api/v1/iati/activities.xml"),
    }
    for (method, path), operation in operations.items():
        codes = set(operation["responses"])
        assert {"400", "401", "429"} <= codes, (method, path, codes)
        if "{" in path:
            assert "404" in codes, (method, path)
        if method in ("POST", "PUT", "PATCH"):
            assert "403" in codes, (method, path)
        if method in ("PUT", "PATCH") or path.endswith("/correct/") or path == "/api/v1/ledger/":
            assert "409" in codes or method == "GET", (method, path)
        for code, response in operation["responses"].items():
            assert response.get("description") or code.startswith("2"), (method, path, code)


@pytest.mark.django_db
def test_the_schema_states_the_limits_the_api_enforces() -> None:
    """What schemathesis found the schema leaving out, each refused by the API with a 400."""
    document = Client().get("/api/schema/?format=json").json()
    components = document["components"]["schemas"]

    def parameter(path: str, method: str, name: str) -> dict[str, Any]:
        found = document["paths"][path][method]["parameters"]
        return next(p["schema"] for p in found if p["name"] == name)

    assert parameter("/api/v1/activities/", "get", "page_size")["maximum"] == 500
    assert parameter("/api/v1/activities/", "get", "cursor")["minLength"] == 1
    assert parameter("/api/v1/activities/", "get", "division")["minLength"] == 1
    assert parameter("/api/v1/activities/", "get", "mine") == {"type": "boolean"}
    assert parameter("/api/v1/activities/", "get", "reporting_year") == {
        "type": "integer",
        "minimum": 1978,
        "maximum": 2100,
    }
    assert parameter("/api/v1/activities/", "get", "updated_since")["format"] == "date-time"
    assert parameter("/api/v1/ledger/", "get", "fiscal_year")["minimum"] == 1978
    assert parameter("/api/v1/ledger/", "get", "activity")["minimum"] == 1
    assert parameter("/api/v1/knowledge/{id}/", "get", "id")["minimum"] == 1
    assert parameter("/api/v1/ledger/{id}/correct/", "post", "id")["minimum"] == 1

    assert components["ActivityWriteRequest"]["properties"]["themes"]["minItems"] == 1
    assert components["RecordEntriesInputRequest"]["properties"]["entries"]["minItems"] == 1
    assert components["RecordEntriesInputRequest"]["properties"]["entries"]["maxItems"] == 50
    entry = components["EntryInputRequest"]["properties"]
    assert (entry["fiscal_year"]["minimum"], entry["fiscal_year"]["maximum"]) == (1978, 2100)
    assert entry["contributor"]["minimum"] == 1
    assert not entry["amount"]["pattern"].startswith("^-")
    assert "version" not in components["ActivityWriteRequest"].get("required", [])
    for operation in ("put", "patch"):
        body = document["paths"]["/api/v1/activities/{id}/"][operation]["requestBody"]
        name = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert "version" in components[name]["required"], operation
    patch = document["paths"]["/api/v1/activities/{id}/"]["patch"]["requestBody"]
    patch_name = patch["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert components[patch_name]["required"] == ["version"]


@pytest.mark.django_db
def test_a_request_the_schema_refuses_is_refused(api_for: Any, focal: User) -> None:
    client = api_for(focal)
    activity = ActivityFactory()
    for method in ("put", "patch"):
        response = getattr(client, method)(
            f"/api/v1/activities/{activity.pk}/", {"title": "No version"}, "application/json"
        )
        assert response.status_code == 400
        assert "version" in response.json()["errors"]
    created = client.post("/api/v1/activities/", {"themes": []}, "application/json").json()
    assert "themes" in created["errors"]
    recorded = client.post(
        "/api/v1/ledger/",
        {
            "activity": activity.pk,
            "ledger_version": 0,
            "entries": [
                {
                    "kind": "cofinancing",
                    "stage": "planned",
                    "amount": "10",
                    "currency": "USD",
                    "value_date": "2024-01-01",
                    "fiscal_year": 1900,
                }
            ],
        },
        "application/json",
    )
    assert recorded.status_code == 400
    assert list(recorded.json()["errors"]) == ["entries.0.fiscal_year"]
