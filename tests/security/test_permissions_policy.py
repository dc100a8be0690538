"""Every answer (page, API, error, static file, redirect) refuses the browser features the portal
does not use: a script that got into a page still cannot open the camera or read the location."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from ssc_portal.middleware import permissions_policy

pytestmark = pytest.mark.django_db


def _features(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.split(","))


@pytest.mark.parametrize(
    "path",
    [
        "/",  # a page (or its redirect to the sign-in page)
        "/accounts/login/",
        "/api/v1/themes/",  # the API, 401 without a token
        "/no-such-page/",  # the 404 page
    ],
)
def test_every_answer_turns_off_camera_microphone_and_location(path: str) -> None:
    response = Client().get(path)
    features = _features(response["Permissions-Policy"])
    assert features["camera"] == "()"
    assert features["microphone"] == "()"
    assert features["geolocation"] == "()"
    assert features["payment"] == "()"
    assert features["usb"] == "()"


def test_signed_in_pages_carry_the_same_policy(cpm_client: Client, cpm: User) -> None:
    response = cpm_client.get("/activities/")
    assert response.status_code == 200
    assert set(_features(response["Permissions-Policy"]).values()) == {"()"}


def test_allowed_origins_are_written_as_the_header_expects() -> None:
    header = permissions_policy({"camera": [], "fullscreen": ["self", "https://maps.example.org"]})
    assert header == 'camera=(), fullscreen=(self "https://maps.example.org")'
