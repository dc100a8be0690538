"""API clients: a token per user (created through the service, as the tokens page does), and
throttling counters emptied for each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from accounts.models import User
from accounts.services import create_api_token

TEST_RATES = {"token": "10000/minute", "session": "10000/minute", "anonymous": "10000/minute"}


@pytest.fixture(autouse=True)
def _api_throttling() -> Iterator[None]:
    """Rates no test reaches (the throttling tests set their own), counters from zero (they
    live in local memory in tests: tests/conftest.py)."""
    with override_settings(API_THROTTLE_RATES=TEST_RATES):
        caches["api"].clear()
        yield


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def make(user: User) -> str:
        return create_api_token(user=user, name="tests")[1]

    return make


@pytest.fixture
def api_for(token_for: Callable[[User], str]) -> Callable[[User | None], Client]:
    """A client that sends a fresh token of the user (anonymous for None)."""

    def make(user: User | None) -> Client:
        if user is None:
            return Client()
        return Client(headers={"Authorization": f"Bearer {token_for(user)}"})

    return make
