"""Sign-in throttling (django-axes): five wrong passwords lock one username from one address for
the cool-off; the lockout is logged, says so clearly and lifts by itself."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"
OWNER = "203.0.113.10"


def sign_in(client: Client, username: str, password: str, address: str = ATTACKER) -> int:
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    return response.status_code


def fail(client: Client, username: str, times: int, address: str = ATTACKER) -> list[int]:
    return [sign_in(client, username, "wrong-guess", address) for _ in range(times)]


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(cpm: User) -> None:
    client = Client()
    # Four failures show the form again; the fifth is answered with the lockout page.
    assert fail(client, "cpm", settings.AXES_FAILURE_LIMIT) == [200, 200, 200, 200, 429]
    response = client.post(
        reverse("login"), {"username": "cpm", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert response.status_code == 429
    assert "Sign-in locked" in response.text
    assert "Try again in 15 minutes." in response.text
    assert '<form method="post"' not in response.text
    assert "_auth_user_id" not in client.session


def test_lockout_page_uses_the_portal_layout_and_language(cpm: User, settings: Any) -> None:
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]  # as once French is complete
    client = Client(headers={"accept-language": "fr"})
    fail(client, "cpm", settings.AXES_FAILURE_LIMIT)
    response = client.get(reverse("login"))
    # A locked pair may still open the form; only its sign-ins are refused.
    assert response.status_code == 200
    locked = client.post(
        reverse("login"), {"username": "cpm", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert '<html lang="fr"' in locked.text or 'lang="fr"' in locked.text
    assert 'href="/static/' in locked.text  # the base layout's style sheet


def test_sign_in_works_again_after_the_cool_off(cpm: User) -> None:
    client = Client()
    fail(client, "cpm", settings.AXES_FAILURE_LIMIT)
    assert sign_in(client, "cpm", PASSWORD) == 429
    # Move the failures back past the cool-off, as if the clock had run on.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time
        - settings.AXES_COOLOFF_TIME
        - datetime.timedelta(seconds=1)
    )
    assert sign_in(client, "cpm", PASSWORD) == 302
    assert client.get(reverse("home")).status_code == 200


def test_lockout_is_per_username_and_address_so_the_owner_still_signs_in(cpm: User) -> None:
    fail(Client(), "cpm", settings.AXES_FAILURE_LIMIT, address=ATTACKER)
    assert sign_in(Client(), "cpm", PASSWORD, address=OWNER) == 302


def test_a_success_clears_the_failures(cpm: User) -> None:
    client = Client()
    fail(client, "cpm", settings.AXES_FAILURE_LIMIT - 1)
    assert sign_in(client, "cpm", PASSWORD) == 302
    client.logout()
    # Counting starts again: four more failures do not lock.
    assert fail(client, "cpm", settings.AXES_FAILURE_LIMIT - 1) == [200] * 4
    assert sign_in(client, "cpm", PASSWORD) == 302


def test_lockout_is_in_the_security_log(cpm: User, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ssc_portal.security"):
        fail(Client(), "cpm", settings.AXES_FAILURE_LIMIT)
    [locked] = [r for r in caplog.records if getattr(r, "event", "") == "login_locked_out"]
    assert locked.levelname == "WARNING"
    assert (locked.username, locked.ip) == ("cpm", ATTACKER)  # type: ignore[attr-defined]


@override_settings(TRUSTED_PROXIES=["172.18.0.0/16"])
def test_the_address_behind_a_trusted_proxy_is_the_one_it_appended(cpm: User) -> None:
    # A client writes any X-Forwarded-For it likes; our proxy appends the address it saw.
    for forged in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"):
        Client().post(
            reverse("login"),
            {"username": "cpm", "password": "wrong-guess"},
            REMOTE_ADDR="172.18.0.2",
            HTTP_X_FORWARDED_FOR=f"{forged}, {ATTACKER}",
        )
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    assert sign_in(Client(), "cpm", PASSWORD, address=ATTACKER) == 429


@override_settings(TRUSTED_PROXIES=["172.18.0.0/16"])
def test_a_client_reaching_the_server_directly_cannot_rotate_its_address(cpm: User) -> None:
    # No proxy in between: whatever X-Forwarded-For it writes, the address is the connection's.
    for forged in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"):
        Client().post(
            reverse("login"),
            {"username": "cpm", "password": "wrong-guess"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"{forged}, {OWNER}",
        )
    assert AccessAttempt.objects.get().ip_address == ATTACKER
    response = Client().post(
        reverse("login"),
        {"username": "cpm", "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="10.0.0.6",
    )
    assert response.status_code == 429


def test_api_tokens_are_not_subject_to_the_sign_in_lockout(cpm: User) -> None:
    from accounts.services import create_api_token

    _token, secret = create_api_token(user=cpm, name="sync")
    fail(Client(), "cpm", settings.AXES_FAILURE_LIMIT)
    response = Client().get("/api/v1/themes/", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 200
