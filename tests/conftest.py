"""Shared users per role, clients logged in as them, and test-wide settings.

The roles (accounts.models.Role): the admin and the focal point read and edit
everything; `cpm` is a CPM of the LAC division, `cpm_other` one of APR; `partner_user` belongs to
a partner organization; `viewer` reads all and edits nothing.
"""

from __future__ import annotations

import copy
import gc
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import translation
from django.utils.translation import get_language
from drf_spectacular.views import SpectacularAPIView
from pytest_django import DjangoDbBlocker

from accounts.models import User
from activities.models import Partner
from ssc_portal.db_router import REPLICA_DB_ALIAS
from tests import template_database
from tests.factories import make_partner_org, make_role_user
from tests.helpers import shared_transaction, sign_in

TESTS = Path(__file__).resolve().parent
# Directories whose every test is of one slow family, marked here rather than file by file so that
# a new test there is left out of `make test-fast` too.
MARK_BY_DIRECTORY = {"browser": "browser", "ops": "ops"}


# The slow families, the longest first (the backup test runs pg_dump and pg_restore).
SLOW_FIRST = ("ops", "browser", "schemathesis", "worker")


def _transactional(item: pytest.Item) -> bool:
    """As pytest-django decides it: such tests flush the database after them."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _uses_db(item: pytest.Item) -> bool:
    """As pytest-django decides it (the project's tests are no unittest classes)."""
    if item.get_closest_marker("django_db") is not None:
        return True
    return bool({"db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _slowness(item: pytest.Item) -> int:
    ranks = [rank for rank, name in enumerate(SLOW_FIRST) if item.get_closest_marker(name)]
    return min(ranks, default=len(SLOW_FIRST))


def pytest_itemcollected(item: pytest.Item) -> None:
    # As each test is collected: `-m` deselects in pytest_collection_modifyitems, before the
    # reordering below runs.
    directory = item.path.relative_to(TESTS).parts[0]
    if directory in MARK_BY_DIRECTORY:
        item.add_marker(MARK_BY_DIRECTORY[directory])


def _order(item: pytest.Item) -> tuple[int, bool]:
    # The slow families first; in the browser tests, those sharing the demo (demo_site, in
    # tests/browser/conftest.py) in a row, so that it is loaded once for the run of them.
    return _slowness(item), "demo_site" not in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest-django has put the transactional tests after the others (their flush would take the
    # reference data away from the tests after them). Within them, the slow families go first:
    # xdist hands tests out in this order, so the last ones to start are short and the two
    # workers finish together instead of one waiting for the other's long test.
    transactional = [index for index, item in enumerate(items) if _transactional(item)]
    if transactional and transactional[-1] + 1 - transactional[0] == len(transactional):
        start, end = transactional[0], transactional[-1] + 1
        items[start:end] = sorted(items[start:end], key=_order)
    # pytest-django has put the tests that use no database last of all, the slow ones among
    # them too (the demo on SQLite, in a child process): one worker ran that while the other
    # had nothing left. They go first instead: a worker starts them while the template
    # database is still being migrated (tests/template_database.py), which its database tests
    # would wait for. Earlier is safe for a test without the database: no flush is before it.
    first = [item for item in items if _slowness(item) < len(SLOW_FIRST) and not _uses_db(item)]
    if first:
        moved = set(map(id, first))
        items[:] = sorted(first, key=_order) + [item for item in items if id(item) not in moved]


@pytest.hookimpl(trylast=True)
def pytest_collection_finish() -> None:
    # Python's cyclic garbage collector went over every object alive (the collected tests,
    # Django's apps and URLs, the shared worlds) again and again, and its young generations ran
    # every few hundred allocations of a request: a large share of a worker's CPU time
    # (benchmarks/README.md). What is alive once the tests are collected is set aside for good,
    # and the youngest generation waits for 20,000 allocations instead of 700; cycles made by
    # the tests are still freed.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


# --- one migrated database per run, cloned by each xdist worker (tests/template_database.py) ---
pytest_configure_node = template_database.pytest_configure_node
pytest_unconfigure = template_database.pytest_unconfigure


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    request: pytest.FixtureRequest, django_db_modify_db_settings_parallel_suffix: None
) -> None:
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is None:
        template = template_database.template_for_this_process(request.config)
    else:
        template = template_database.wait_for_template(workerinput)
    if template:
        settings.DATABASES["default"]["TEST"]["TEMPLATE"] = template


@pytest.fixture(autouse=True, scope="session")
def _test_settings() -> Iterator[None]:
    # A fast password hasher (logins in the browser test and password checks), and plain static
    # files storage: the manifest storage used with DEBUG off needs `collectstatic` first.
    # WhiteNoise in autorefresh mode looks files up when asked instead of indexing STATIC_ROOT
    # each time a test client loads the middleware, which a collected admin makes slow.
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
def _replica_only_where_asked(request: pytest.FixtureRequest) -> Iterator[None]:
    # With DATABASE_REPLICA_URL (make test sets it) the router sends the lag-tolerant views'
    # reads to the replica, a database only the tests that ask for it have (a transactional
    # test without it would be refused the query). The others run as a portal without one.
    marker = request.node.get_closest_marker("django_db")
    asked = marker.kwargs.get("databases", ()) if marker else ()
    if (
        REPLICA_DB_ALIAS not in settings.DATABASES
        or asked == "__all__"
        or REPLICA_DB_ALIAS in asked
    ):
        yield
        return
    with override_settings(DATABASE_ROUTERS=[]):
        yield


# --- the OpenAPI schema /api/schema/ serves, generated once per test ------------------------------
# drf-spectacular generates the schema again for every request to /api/schema/ (the portal's own
# /api/docs/ page keeps it per process): about half a second of walking every endpoint, seven
# times in each permission walk's case (once per role). Within one test, under one settings
# object, the code the schema is made from cannot change, so the view reuses the first answer;
# the cache is emptied before each test. SchemaGenerator used directly is left as it is.
_served_schemas: dict[tuple[Any, ...], dict[str, Any]] = {}


class _SchemaOncePerTest(SpectacularAPIView.generator_class):
    def get_schema(self, request: Any = None, public: bool = False) -> dict[str, Any]:
        key = (
            settings._wrapped,
            repr(self.urlconf),
            repr(self.patterns),
            self.api_version,
            public,
            get_language(),
        )
        if key not in _served_schemas:
            _served_schemas[key] = super().get_schema(request=request, public=public)
        return copy.deepcopy(_served_schemas[key])


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language() -> Iterator[None]:
    """A request leaves the language it was answered in active in its thread (the locale
    middleware activates one per request and never deactivates it); the next test in the same
    process must not inherit it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True, scope="session")
def _schema_view_once_per_test() -> Iterator[None]:
    with patch.object(SpectacularAPIView, "generator_class", _SchemaOncePerTest):
        yield


@pytest.fixture(autouse=True)
def _new_served_schemas() -> None:
    _served_schemas.clear()


@pytest.fixture(autouse=True)
def _empty_dashboard_cache() -> None:
    # Local memory outlives a test: a "warming queued" mark or cached figures of one test must
    # not decide what the next one sees.
    caches["dashboard"].clear()


@pytest.fixture(scope="class")
def shared_demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[io.StringIO]:
    """The demo `make run` shows, loaded once per test class (tests.helpers.shared_transaction),
    and what load_demo_data said. Loading it cost more than most of the tests that read it; a
    module's `demo` fixture hands it to each test of its class, with DEBUG on as when it was
    loaded (the demo's accounts sign in only then: their password is published)."""
    out = io.StringIO()
    with shared_transaction(django_db_blocker):
        with override_settings(DEBUG=True):
            call_command("load_demo_data", stdout=out)
        yield out


@pytest.fixture
def demo(shared_demo: io.StringIO, settings: Any, db: None) -> io.StringIO:
    """The demo loaded once for the test's class (shared_demo), with DEBUG on as it was loaded."""
    settings.DEBUG = True
    return shared_demo


@pytest.fixture
def partner_org(db: None) -> Partner:
    return make_partner_org()


@pytest.fixture
def admin(db: None) -> User:
    return make_role_user("admin")


@pytest.fixture
def focal(db: None) -> User:
    return make_role_user("focal")


@pytest.fixture
def cpm(db: None) -> User:
    return make_role_user("cpm")


@pytest.fixture
def cpm_other(db: None) -> User:
    """A CPM of another division (APR)."""
    return make_role_user("cpm_other")


@pytest.fixture
def partner_user(partner_org: Partner) -> User:
    return make_role_user("partner", partner=partner_org)


@pytest.fixture
def viewer(db: None) -> User:
    return make_role_user("viewer")


@pytest.fixture
def counterpart_user(db: None) -> User:
    """Mozambique's country counterpart."""
    return make_role_user("counterpart")


@pytest.fixture
def counterpart_other(db: None) -> User:
    """Kenya's country counterpart."""
    return make_role_user("counterpart_other")


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    """A new test client logged in as the user (anonymous for None)."""

    def make(user: User | None) -> Client:
        client = Client()
        if user is not None:
            sign_in(client, user)
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
    one template per <option>: a form with a few 249-country selects is then slow. Tests
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


@pytest.fixture
def contexts_without_widgets() -> Iterator[None]:
    """As fast_templates, but the test client still records the context of every template other
    than Django's form templates (the widgets, one per <option>): `response.context` holds the
    page's context, for tests that read it on pages with large selects."""
    from django.template import Template
    from django.test.utils import _TestState

    instrumented = Template._render
    plain = _TestState.saved_data.template_render

    def render(template: Template, context: Any) -> Any:
        widget = (template.origin.template_name or "").startswith("django/forms/")
        return (plain if widget else instrumented)(template, context)

    Template._render = render
    try:
        yield
    finally:
        Template._render = instrumented
