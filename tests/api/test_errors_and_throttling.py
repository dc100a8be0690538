"""Errors are JSON with a message naming what is wrong, never an HTML page; each token has its
own request budget (429 with Retry-After beyond it); throttling never takes the API down."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from accounts.models import User
from accounts.services import create_api_token
from activities.models import Visibility
from finance import activity_api
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

ApiFor = Callable[[User | None], Client]


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_unknown_api_addresses_answer_json_404_to_everyone(
    api_for: ApiFor, viewer: User, method: str
) -> None:
    for client in (Client(), api_for(viewer)):
        for address in ("/api/v1/nothing-here/", "/api/v1/countries/%0AXY/"):
            response = getattr(client, method)(address)
            assert response.status_code == 404, address
            assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    "address",
    ["/api/v1/countries/?format=csv", "/api/v1/countries/BR/?format=csv", "/api/v1/ledger/"],
)
@pytest.mark.parametrize("method", ["TRACE", "DELETE", "QUERY"])
def test_a_method_an_endpoint_does_not_take_is_a_json_405_with_allow(
    api_for: ApiFor, viewer: User, address: str, method: str
) -> None:
    """Even with a format the endpoint offers for reads only (the format was once looked at
    first, and a TRACE with format=csv answered 400)."""
    response = api_for(viewer).generic(method, address)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]
    assert method not in response["Allow"]


@pytest.mark.parametrize(
    ("address", "parameter"),
    [
        ("/api/v1/knowledge/?page_size=501", "page_size"),
        ("/api/v1/knowledge/?year=2024&year=2025", "year"),
        ("/api/v1/themes/?format=", "format"),
        ("/api/v1/countries/BR/?format=", "format"),
        ("/api/v1/ledger/?fiscal_year=2024.5", "fiscal_year"),
        ("/api/v1/ledger/?activity=", "activity"),
        ("/api/v1/ledger/?created_since=", "created_since"),
        ("/api/v1/partners/?updated_since=", "updated_since"),
        ("/api/v1/iati/activities.xml?modality=", "modality"),
    ],
)
def test_an_empty_repeated_or_out_of_range_parameter_is_a_400_naming_it(
    api_for: ApiFor, focal: User, address: str, parameter: str
) -> None:
    response = api_for(focal).get(address)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == [parameter]


@pytest.mark.parametrize(
    ("address", "parameter"),
    [
        ("/api/v1/ledger/?created_since=1365-07-01T14:58:16.9%2B16:19", "created_since"),
        ("/api/v1/ledger/?created_since=0001-01-01T00:00:00Z", "created_since"),
        ("/api/v1/activities/?updated_since=2025-01-01T00:00:00-15:00", "updated_since"),
        ("/api/v1/partners/?updated_since=1899-12-31T23:00:00Z", "updated_since"),
    ],
)
def test_a_date_time_the_database_cannot_compare_is_a_400_naming_it(
    api_for: ApiFor, focal: User, address: str, parameter: str
) -> None:
    response = api_for(focal).get(address)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [parameter]


def test_an_unexpected_error_is_a_json_500_and_is_logged(
    api_for: ApiFor, viewer: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(activity_api, "load_activity_links", broken)
    ActivityFactory()
    client = api_for(viewer)
    client.raise_request_exception = False
    response = client.get("/api/v1/activities/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error.", "code": "server_error"}
    assert "disk on fire" not in response.content.decode()
    assert any("disk on fire" in str(record.exc_info) for record in caplog.records)


def test_a_token_beyond_its_budget_gets_429_with_retry_after(viewer: User) -> None:
    first, second = (create_api_token(user=viewer, name=n)[1] for n in ("one", "two"))
    with override_settings(API_THROTTLE_RATES={"token": "3/minute", "session": "3/minute"}):
        client = Client(headers={"Authorization": f"Bearer {first}"})
        assert [client.get("/api/v1/themes/").status_code for _ in range(3)] == [200] * 3
        refused = client.get("/api/v1/themes/")
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 60
        assert refused.json()["code"] == "throttled"
        # Each token has its own budget.
        other = Client(headers={"Authorization": f"Bearer {second}"})
        assert other.get("/api/v1/themes/").status_code == 200


def test_anonymous_iati_readers_are_throttled_by_address() -> None:
    ActivityFactory(visibility=Visibility.PUBLIC)
    with override_settings(API_THROTTLE_RATES={"anonymous": "2/minute"}):
        here = Client(REMOTE_ADDR="192.0.2.1")
        assert [here.get("/api/v1/iati/activities.xml").status_code for _ in range(2)] == [
            200,
            200,
        ]
        assert here.get("/api/v1/iati/activities.xml").status_code == 429
        elsewhere = Client(REMOTE_ADDR="192.0.2.2")
        assert elsewhere.get("/api/v1/iati/activities.xml").status_code == 200


def test_an_anonymous_caller_rotating_x_forwarded_for_is_still_throttled() -> None:
    ActivityFactory(visibility=Visibility.PUBLIC)
    with override_settings(
        API_THROTTLE_RATES={"anonymous": "2/minute"}, TRUSTED_PROXIES=["172.18.0.0/16"]
    ):
        answers = [
            Client(REMOTE_ADDR="192.0.2.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
            .get("/api/v1/iati/activities.xml")
            .status_code
            for n in range(3)
        ]
    assert answers == [200, 200, 429]


def test_behind_a_trusted_proxy_anonymous_callers_are_told_apart_by_forwarded_address() -> None:
    ActivityFactory(visibility=Visibility.PUBLIC)
    with override_settings(
        API_THROTTLE_RATES={"anonymous": "2/minute"}, TRUSTED_PROXIES=["172.18.0.0/16"]
    ):

        def read(forwarded: str) -> int:
            client = Client(REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR=forwarded)
            return client.get("/api/v1/iati/activities.xml").status_code

        # What the client wrote left of our proxy's entry does not make a new caller.
        assert [read(f"10.0.0.{n}, 192.0.2.8") for n in range(3)] == [200, 200, 429]
        assert read("192.0.2.9") == 200


def test_the_api_keeps_serving_when_the_throttle_cache_is_down(
    api_for: ApiFor, viewer: User, caplog: pytest.LogCaptureFixture
) -> None:
    closed_port = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
    client = api_for(viewer)
    with override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "api": closed_port,
        }
    ):
        assert client.get("/api/v1/themes/").status_code == 200
    assert "API throttling is off" in caplog.text
    caches["api"].clear()
