"""A session ends SESSION_COOKIE_AGE after sign-in, or after SESSION_IDLE_TIMEOUT idle seconds,
and an active one is written at most every few minutes (not on every request)."""

from __future__ import annotations

import logging
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.middleware import SEEN_AT, SEEN_PRECISION, SIGNED_IN_AT
from accounts.models import User

pytestmark = pytest.mark.django_db


def _set_clock(client: Client, *, signed_in_ago: int, seen_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[SEEN_AT] = now - seen_ago
    session.save()


def _home_status(client: Client) -> int:
    return client.get(reverse("home")).status_code


def test_session_settings_are_a_working_day_and_an_idle_hour() -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_IDLE_TIMEOUT == 3600


def test_an_active_session_goes_on(cpm_client: Client) -> None:
    assert _home_status(cpm_client) == 200
    _set_clock(cpm_client, signed_in_ago=7 * 3600, seen_ago=50 * 60)
    assert _home_status(cpm_client) == 200


def test_an_idle_session_ends_and_sends_to_the_login_page(
    cpm_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    assert _home_status(cpm_client) == 200
    _set_clock(cpm_client, signed_in_ago=2 * 3600, seen_ago=settings.SESSION_IDLE_TIMEOUT + 1)
    with caplog.at_level(logging.INFO, logger="ssc_portal.security"):
        response = cpm_client.get(reverse("activities:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    [record] = [r for r in caplog.records if getattr(r, "event", "") == "session_expired"]
    assert (record.username, record.reason) == ("cpm", "idle")  # type: ignore[attr-defined]
    # The session is gone, not only refused once.
    assert _home_status(cpm_client) == 302


def test_a_session_ends_a_working_day_after_sign_in_however_active(cpm_client: Client) -> None:
    assert _home_status(cpm_client) == 200
    _set_clock(cpm_client, signed_in_ago=settings.SESSION_COOKIE_AGE + 1, seen_ago=10)
    assert _home_status(cpm_client) == 302


def test_the_idle_clock_is_written_at_most_every_few_minutes(cpm_client: Client) -> None:
    _home_status(cpm_client)
    _set_clock(cpm_client, signed_in_ago=600, seen_ago=SEEN_PRECISION - 60)
    seen = cpm_client.session[SEEN_AT]
    _home_status(cpm_client)
    assert cpm_client.session[SEEN_AT] == seen  # not rewritten: a minute from the next write
    _set_clock(cpm_client, signed_in_ago=600, seen_ago=SEEN_PRECISION + 1)
    _home_status(cpm_client)
    assert cpm_client.session[SEEN_AT] >= int(time.time()) - 5


def test_signing_in_starts_the_clock(cpm: User) -> None:
    from tests.factories import PASSWORD

    client = Client()
    client.post(reverse("login"), {"username": "cpm", "password": PASSWORD})
    _home_status(client)
    assert abs(client.session[SIGNED_IN_AT] - int(time.time())) < 5
