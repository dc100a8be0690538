"""Read-only tokens and tokens with a last day: a read-only token is refused (403, JSON, the
reason named) on every method that writes; an expired token gets 401; the tokens page proposes
an expiry date, refuses a past one and shows each token's access and expiry."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, User
from accounts.services.tokens import DEFAULT_LIFETIME, TokenError, create_api_token
from activities.models import Activity
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date


def _bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_read_only_token_is_refused_every_write_with_a_json_403(cpm: User, method: str) -> None:
    activity = ActivityFactory(lead_division=cpm.divisions.first(), title="Untouched")
    _token, secret = create_api_token(user=cpm, name="Sync", read_only=True)
    url = "/api/v1/activities/" if method == "post" else f"/api/v1/activities/{activity.pk}/"
    response = getattr(_bearer(secret), method)(
        url, {"title": "Changed", "version": activity.version}, content_type="application/json"
    )
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert "read-only" in body["detail"]
    assert Activity.objects.get(pk=activity.pk).title == "Untouched"
    assert Activity.objects.count() == 1


def test_a_read_only_token_reads_and_a_read_write_token_reaches_the_write(cpm: User) -> None:
    _token, reader = create_api_token(user=cpm, name="Reader", read_only=True)
    _token, writer = create_api_token(user=cpm, name="Writer")
    assert _bearer(reader).get("/api/v1/activities/").status_code == 200
    assert _bearer(reader).head("/api/v1/activities/").status_code == 200
    # The same empty write from a read-write token is judged on its content: a 400, not a 403.
    answer = _bearer(writer).post("/api/v1/activities/", {}, content_type="application/json")
    assert answer.status_code == 400


def test_an_expired_token_gets_401_and_one_ending_today_still_works(viewer: User) -> None:
    old, old_secret = create_api_token(user=viewer, name="Old", expires_on=TODAY())
    _new, new_secret = create_api_token(user=viewer, name="New", expires_on=TODAY())
    assert _bearer(new_secret).get("/api/v1/themes/").status_code == 200
    yesterday = TODAY() - datetime.timedelta(days=1)
    ApiToken.objects.filter(pk=old.pk).update(expires_on=yesterday)
    answer = _bearer(old_secret).get("/api/v1/themes/")
    assert answer.status_code == 401
    assert answer.json() == {
        "detail": f"This token expired on {yesterday.isoformat()}.",
        "code": "authentication_failed",
    }
    assert list(viewer.api_tokens.active().values_list("name", flat=True)) == ["New"]


def test_the_service_refuses_a_past_expiry_date_naming_the_field(viewer: User) -> None:
    with pytest.raises(TokenError) as refused:
        create_api_token(user=viewer, name="Late", expires_on=TODAY() - datetime.timedelta(days=1))
    assert refused.value.field == "expires_on"
    assert not ApiToken.objects.exists()


def test_the_page_proposes_an_expiry_date_and_refuses_a_past_one(viewer: User, client_for) -> None:
    client = client_for(viewer)
    page = client.get(reverse("accounts:api_tokens")).text
    default = (TODAY() + DEFAULT_LIFETIME).isoformat()
    assert re.search(rf'type="date" name="expires_on" value="{default}"', page)
    past = (TODAY() - datetime.timedelta(days=3)).isoformat()
    response = client.post(reverse("accounts:api_tokens"), {"name": "Late", "expires_on": past})
    assert response.status_code == 400
    errors = re.search(r'id="id_expires_on_error">(.*?)</ul>', response.text, re.S)
    assert errors and "The expiry date is in the past" in errors.group(1)
    assert not ApiToken.objects.exists()
    response = client.post(reverse("accounts:api_tokens"), {"name": "x", "expires_on": "31/31"})
    assert response.status_code == 400
    assert 'id="id_expires_on_error"' in response.text


def test_the_page_creates_a_read_only_token_and_lists_its_access_and_expiry(
    viewer: User, client_for
) -> None:
    client = client_for(viewer)
    last_day = TODAY() + datetime.timedelta(days=30)
    response = client.post(
        reverse("accounts:api_tokens"),
        {"name": "Feed", "expires_on": last_day.isoformat(), "read_only": "on"},
    )
    assert response.status_code == 201
    token = ApiToken.objects.get(user=viewer)
    assert (token.read_only, token.expires_on) == (True, last_day)
    create_api_token(user=viewer, name="Forever")
    expired, _secret = create_api_token(user=viewer, name="Gone", expires_on=TODAY())
    ApiToken.objects.filter(pk=expired.pk).update(expires_on=TODAY() - datetime.timedelta(days=1))
    page = client.get(reverse("accounts:api_tokens")).text
    rows = {
        name: row
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        for name in ("Feed", "Forever", "Gone")
        if f"<td>{name}</td>" in row
    }
    assert "Read only" in rows["Feed"] and last_day.strftime("%-d %b %Y") in rows["Feed"]
    assert "Read and write" in rows["Forever"] and rows["Forever"].count("Never") == 2
    assert "Expired" in rows["Gone"] and "Revoke" in rows["Gone"]
