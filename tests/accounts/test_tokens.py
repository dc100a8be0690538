"""API tokens: created, named and revoked on the tokens page; shown once, stored hashed; they
authenticate API calls as their user until revoked or the user is deactivated."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services import MAX_ACTIVE_TOKENS, TokenError, create_api_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/themes/"


def _bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(
    partner_user: User, client_for
) -> None:
    client = client_for(partner_user)
    response = client.post(reverse("accounts:api_tokens"), {"name": "  Nightly   sync "})
    assert response.status_code == 201
    assert response["Cache-Control"].startswith("max-age=0")
    secret = re.search(r'id="new-token"[^>]*value="(ssc_[^"]+)"', response.text).group(1)
    token = ApiToken.objects.get(user=partner_user)
    assert token.name == "Nightly sync"
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    assert len(secret) >= 40
    # Reloading the page never shows it again.
    assert secret not in client.get(reverse("accounts:api_tokens")).text


def test_the_token_authenticates_api_calls_as_its_user_and_records_its_use(
    viewer: User,
) -> None:
    token, secret = create_api_token(user=viewer, name="Script")
    assert token.last_used_at is None
    response = _bearer(secret).get(API)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    first_use = token.last_used_at
    _bearer(secret).get(API)
    token.refresh_from_db()
    assert token.last_used_at == first_use, "written at most once a minute"
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    _bearer(secret).get(API)
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_the_page_lists_tokens_with_their_last_use(viewer: User, client_for) -> None:
    token, _secret = create_api_token(user=viewer, name="Dashboard feed")
    page = client_for(viewer).get(reverse("accounts:api_tokens")).text
    assert "Dashboard feed" in page
    assert f"ssc_{token.hint}…" in page
    assert "Never" in page


def test_a_revoked_token_gets_401_with_a_json_reason(viewer: User, client_for) -> None:
    token, secret = create_api_token(user=viewer, name="Old script")
    response = client_for(viewer).post(reverse("accounts:revoke_api_token", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    answer = _bearer(secret).get(API)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "This token was revoked.", "code": "authentication_failed"}
    assert answer["WWW-Authenticate"] == 'Bearer realm="api"'


def test_nobody_revokes_someone_elses_token(viewer: User, cpm: User, client_for) -> None:
    token, secret = create_api_token(user=viewer, name="Mine")
    response = client_for(cpm).post(reverse("accounts:revoke_api_token", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _bearer(secret).get(API).status_code == 200


def test_a_deactivated_users_tokens_stop_working(viewer: User) -> None:
    _token, secret = create_api_token(user=viewer, name="Script")
    User.objects.filter(pk=viewer.pk).update(is_active=False)
    assert _bearer(secret).get(API).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ssc_a b", "Bearer not-a-portal-token", "Bearer ssc_" + "x" * 43],
)
def test_malformed_or_unknown_tokens_get_401_not_anonymous_access(header: str) -> None:
    response = Client(headers={"Authorization": header}).get(API)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_token_needs_a_name(viewer: User, client_for) -> None:
    response = client_for(viewer).post(reverse("accounts:api_tokens"), {"name": "   "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_active_tokens_are_capped_per_user(viewer: User) -> None:
    for number in range(MAX_ACTIVE_TOKENS):
        create_api_token(user=viewer, name=f"Token {number}")
    with pytest.raises(TokenError):
        create_api_token(user=viewer, name="One too many")
    other = UserFactory()
    assert create_api_token(user=other, name="Another user's first")[0].pk


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get(reverse("accounts:api_tokens"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
