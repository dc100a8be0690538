"""Shared users per role, clients logged in as them, and test-wide settings.

The roles (accounts.models.Role): the admin and the focal point read and edit
everything; `cpm` is a CPM of the LAC division, `cpm_other` one of APR; `partner_user` belongs to
a partner organization; `viewer` reads all and edits nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import caches
from django.test import Client, override_settings

from accounts.models import Role, User
from activities.models import Partner
from tests.factories import PartnerFactory, UserFactory, country

TESTS = Path(__file__).resolve().parent
# Directories whose every test is of one slow family, marked here rather than file by file so that
# a new test there is left out of `make test-fast` too.
MARK_BY_DIRECTORY = {"browser": "browser", "ops": "ops"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        directory = item.path.relative_to(TESTS).parts[0]
        if directory in MARK_BY_DIRECTORY:
            item.add_marker(MARK_BY_DIRECTORY[directory])


@pytest.fixture(autouse=True, scope="session")
def _test_settings() -> Iterator[None]:
    # A fast password hasher (logins in the browser test and password checks), and plain static
    # files storage: the manifest storage used with DEBUG off needs `collectstatic` first.
    # WhiteNoise in autorefresh mode looks files up when asked instead of indexing STATIC_ROOT
    # each time a test client loads the middleware (80 ms per client with a collected admin).
    # The API's throttling counters in local memory rather than the shared Redis, where parallel
    # test databases (which reuse the same ids) would count each other's requests.
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        WHITENOISE_AUTOREFRESH=True,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"},
            "dashboard": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "dashboard",
            },
        },
    ):
        yield


@pytest.fixture(autouse=True)
def _empty_dashboard_cache() -> None:
    # Local memory outlives a test: a "warming queued" mark or cached figures of one test must
    # not decide what the next one sees.
    caches["dashboard"].clear()


@pytest.fixture
def partner_org(db: None) -> Partner:
    return PartnerFactory(name="Cooperativa Agraria del Sur", acronym="CAS", country=country("PE"))


@pytest.fixture
def admin(db: None) -> User:
    return UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def focal(db: None) -> User:
    # The focal point keeps reference data and users in the Django admin: staff, not superuser.
    return UserFactory(username="focal", role=Role.FOCAL_POINT, is_staff=True)


@pytest.fixture
def cpm(db: None) -> User:
    return UserFactory(username="cpm", role=Role.CPM, divisions=["LAC"])


@pytest.fixture
def cpm_other(db: None) -> User:
    """A CPM of another division (APR)."""
    return UserFactory(username="cpm_other", role=Role.CPM, divisions=["APR"])


@pytest.fixture
def partner_user(partner_org: Partner) -> User:
    return UserFactory(username="partner", role=Role.PARTNER, partner=partner_org)


@pytest.fixture
def viewer(db: None) -> User:
    return UserFactory(username="viewer", role=Role.VIEWER)


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    """A new test client logged in as the user (anonymous for None)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def admin_client(admin: User, client_for: Callable[[User | None], Client]) -> Client:
    return client_for(admin)


@pytest.fixture
def focal_client(focal: User, client_for: Callable[[User | None], Client]) -> Client:
    return client_for(focal)


@pytest.fixture
def cpm_client(cpm: User, client_for: Callable[[User | None], Client]) -> Client:
    return client_for(cpm)


@pytest.fixture
def cpm_other_client(cpm_other: User, client_for: Callable[[User | None], Client]) -> Client:
    return client_for(cpm_other)


@pytest.fixture
def partner_client(partner_user: User, client_for: Callable[[User | None], Client]) -> Client:
    return client_for(partner_user)


@pytest.fixture
def viewer_client(viewer: User, client_for: Callable[[User | None], Client]) -> Client:
    return client_for(viewer)


@pytest.fixture
def fast_templates() -> Iterator[None]:
    """Render templates without the test runner's instrumentation.

    The test client records a copy of the context for every template rendered, and Django renders
    one template per <option>: a form with a few 249-country selects then takes a second. Tests
    that only look at status codes, HTML or query counts (not `response.context`) use this.
    """
    from django.template import Template
    from django.test.utils import _TestState

    instrumented = Template._render
    Template._render = _TestState.saved_data.template_render
    try:
        yield
    finally:
        Template._render = instrumented
