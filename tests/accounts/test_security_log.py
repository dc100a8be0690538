"""Sign-ins and failed sign-ins are logged (never the password), as JSON lines in production."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from accounts.models import User
from ssc_portal.logs import JsonFormatter
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_failed_sign_in_is_logged_with_username_and_address_but_no_password(
    client: Client, cpm: User, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ssc_portal.security"):
        client.post(
            "/accounts/login/",
            {"username": cpm.username, "password": "wrong-Secret-42"},
            REMOTE_ADDR="203.0.113.7",
        )
    [record] = [r for r in caplog.records if r.name == "ssc_portal.security"]
    assert record.levelname == "WARNING"
    assert (record.event, record.username, record.ip) == (  # type: ignore[attr-defined]
        "login_failed",
        cpm.username,
        "203.0.113.7",
    )
    assert "wrong-Secret-42" not in caplog.text


def test_sign_in_is_logged(client: Client, cpm: User, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ssc_portal.security"):
        client.post("/accounts/login/", {"username": cpm.username, "password": PASSWORD})
    events = [r.event for r in caplog.records if r.name == "ssc_portal.security"]  # type: ignore[attr-defined]
    assert events == ["login"]


def test_json_formatter_writes_one_object_with_the_extra_fields() -> None:
    record = logging.LogRecord(
        "ssc_portal.security", logging.WARNING, __file__, 1, "x %s", ("y",), None
    )
    record.event = "login_failed"
    line = JsonFormatter().format(record)
    data = json.loads(line)
    assert data["message"] == "x y"
    assert data["level"] == "WARNING"
    assert data["event"] == "login_failed"
    assert "\n" not in line
