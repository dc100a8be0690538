"""The OpenAPI schema against the running API: schemathesis generates requests for every
operation (valid and invalid data) and checks that none gets a server error and that every
answer (status code, content type, body) is one the schema documents."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.services import create_api_token
from activities.models import PartnerRole, Visibility
from finance import services
from ssc_portal.wsgi import application
from tests.factories import ActivityFactory, PartnerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.schemathesis]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def served_schema() -> Any:
    """The schema exactly as /api/schema/?format=json serves it, sent to the Django WSGI app.

    Built at import (schemathesis parametrizes at collection) without a request: the schema
    depends on the code only.
    """
    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
    # The coverage phase (every boundary of every parameter, not bounded by max_examples) takes
    # most of a minute; the fuzzing phase, valid and invalid data, is kept to max_examples.
    config = schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}})
    loaded = schemathesis.openapi.from_dict(document, config=config)
    loaded.app = application
    return loaded


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Like Django's test client, the requests keep the test's database connection open (a WSGI
    request would close it when it finishes, and the test's transaction with it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def focal_token(focal: User) -> str:
    """The focal point may do everything: the most operations get past permissions. A little
    data, so that lists, filters and a few ids have something to find."""
    partner = PartnerFactory()
    for _ in range(3):
        activity = ActivityFactory(
            countries=["BR", "MZ"],
            partners=[(partner, PartnerRole.FUNDER)],
            visibility=Visibility.PUBLIC,
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
    return create_api_token(user=focal, name="schemathesis")[1]


schema = served_schema()


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure in CI can be replayed
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case: Any, focal_token: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {focal_token}"}, checks=CHECKS)


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


def test_the_reference_page_lists_every_operation(client: Client) -> None:
    page = client.get("/api/docs/").content.decode()
    document = client.get("/api/schema/?format=json").json()
    for path, item in document["paths"].items():
        assert f'<span class="mono">{path}</span>' in page
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                assert parameter["name"] in page
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    assert "cdn" not in page.lower()
