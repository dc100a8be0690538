"""One migrated database per run, cloned by each xdist worker (hooks used by tests/conftest.py).

Each worker used to build its test database by running every migration; the data migrations
(reference data, codelists) rule out --nomigrations. The controller migrates one template
database, and each worker's database is created from it (PostgreSQL's CREATE DATABASE ...
TEMPLATE, Django's TEST["TEMPLATE"] setting): its migrate then finds nothing left to apply. The
template is rebuilt on every run, so it can never be stale.

The controller migrates in a thread of its own while the workers start and collect the tests
(one core each): a worker waits for the template only when its first database test needs it.
The thread tells the workers it is done through a file, holding "ok" or the failure.

The template is kept after the run, named after a fingerprint of everything its contents come
from (fingerprint()): the next run whose fingerprint is the same clones it without migrating. A
change to a migration, to the project's own code or data files, or to an installed package
gives another name, and the build that follows drops the old template. It is built under a
name of its own and renamed once complete, so a build cut short is never taken for a template.
`--create-db` and CI (the CI variable set) build it anew all the same.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection
from pytest_django.plugin import blocking_manager_key

if TYPE_CHECKING:
    from xdist.workermanage import WorkerController

TEMPLATE_KEY = "ssc_test_database_template"
STATUS_KEY = "ssc_test_database_template_status"
READY = "ok"
# A worker gives up waiting after this long: migrating takes well under a minute.
PATIENCE_SECONDS = 30 * 60


def template_wanted(config: pytest.Config) -> bool:
    # --reuse-db keeps the workers' databases: a template would be built for nothing.
    reused = config.getoption("reuse_db") and not config.getoption("create_db")
    return connection.vendor == "postgresql" and not reused


def _sources() -> Iterator[Path]:
    """The files a migrated database's contents can come from: the project's own code and data
    files (its data migrations read reference data and import app code), and the migrations
    of the other apps (their packages' versions are counted apart)."""
    base = Path(settings.BASE_DIR).resolve()
    # The settings' package (settings.SETTINGS_MODULE is None under override_settings).
    package = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"]).__file__
    project = Path(package or "").resolve().parent
    roots = [project] + [Path(app.path).resolve() for app in apps.get_app_configs()]
    for root in roots:
        if base not in root.parents:
            yield from sorted((root / "migrations").glob("*.py"))
            continue
        for path in sorted(root.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            if path.suffix == ".py" or "data" in path.relative_to(root).parts[:-1]:
                yield path


def fingerprint() -> str:
    """Twelve hex digits that change whenever a file of _sources() or a package's version does."""
    digest = hashlib.sha256()
    for path in _sources():
        digest.update(f"{path}\0".encode())
        digest.update(path.read_bytes())
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    digest.update("\n".join(packages).encode())
    return digest.hexdigest()[:12]


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


@contextlib.contextmanager
def _server_cursor() -> Iterator[Any]:
    """A cursor on the server's `postgres` database, outside the test databases (which cannot
    be created, renamed or dropped from a session connected to them), in autocommit."""
    params = {**connection.get_connection_params(), "dbname": "postgres"}
    server = psycopg2.connect(**params)
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            yield cursor
    finally:
        server.close()


class TemplateBuild:
    """The controller's template database: the one kept from an earlier run with the same
    fingerprint, or one built in a thread."""

    def __init__(self, config: pytest.Config, *, in_thread: bool = True) -> None:
        self.config = config
        database = settings.DATABASES["default"]
        self.original_name = database["NAME"]
        self.original_test_name = database["TEST"].get("NAME")
        self.family = f"{database['TEST'].get('NAME') or 'test_' + self.original_name}_template"
        self.name = f"{self.family}_{fingerprint()}"
        # Its appearance is the signal.
        self.status = Path(tempfile.mkdtemp(prefix="ssc-template-")) / "status"
        self.thread: threading.Thread | None = None
        rebuild = config.getoption("create_db") or bool(os.environ.get("CI"))
        if not rebuild and self._exists():
            self._tell(READY)
            return
        if not in_thread:
            self._build()
            self._name_the_database_again()
            return
        self.thread = threading.Thread(target=self._build, name="test-database-template")
        self.thread.start()

    def _exists(self) -> bool:
        unblocked = self.config.stash[blocking_manager_key].unblock()
        with unblocked, _server_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s", [self.name])
            return cursor.fetchone() is not None

    def _build(self) -> None:
        try:
            with self.config.stash[blocking_manager_key].unblock():
                self._migrate_and_rename()
            outcome = READY
        except BaseException:  # told to the workers, which fail with it
            outcome = traceback.format_exc()
        self._tell(outcome)

    def _migrate_and_rename(self) -> None:
        building = f"{self.name}_{os.getpid()}"
        settings.DATABASES["default"]["TEST"]["NAME"] = building
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        # PostgreSQL copies (and renames) a database only while no one is connected to it.
        connection.close()
        with _server_cursor() as cursor:
            cursor.execute(
                "SELECT datname FROM pg_catalog.pg_database WHERE starts_with(datname, %s)",
                [f"{self.family}_"],
            )
            for (old,) in cursor.fetchall():
                if old == building:
                    continue
                # Older fingerprints' (one another run is copying stays for a later build),
                # and this one's with --create-db.
                with contextlib.suppress(DatabaseError):
                    cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(old)}")
            cursor.execute(f"ALTER DATABASE {_quoted(building)} RENAME TO {_quoted(self.name)}")

    def _tell(self, outcome: str) -> None:
        partial = self.status.with_suffix(".partial")
        partial.write_text(outcome)
        partial.rename(self.status)

    def _name_the_database_again(self) -> None:
        for database in (settings.DATABASES["default"], connection.settings_dict):
            database["NAME"] = self.original_name
            database["TEST"]["NAME"] = self.original_test_name

    def finish(self) -> None:
        """The template stays for the next run."""
        if self.thread is not None:
            self.thread.join()
            self._name_the_database_again()
        shutil.rmtree(self.status.parent, ignore_errors=True)


_builds: pytest.StashKey[TemplateBuild] = pytest.StashKey()


def pytest_configure_node(node: WorkerController) -> None:
    """xdist's controller, before it starts each worker: start the build once, name it."""
    config = node.config
    if not template_wanted(config):
        return
    if _builds not in config.stash:
        config.stash[_builds] = TemplateBuild(config)
    build = config.stash[_builds]
    node.workerinput[TEMPLATE_KEY] = build.name
    node.workerinput[STATUS_KEY] = str(build.status)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _builds in config.stash:
        config.stash[_builds].finish()


def template_for_this_process(config: pytest.Config) -> str | None:
    """Without xdist: the template, kept or built here and now (None where none is wanted)."""
    if not template_wanted(config):
        return None
    build = config.stash[_builds] = TemplateBuild(config, in_thread=False)
    return wait_for_template({TEMPLATE_KEY: build.name, STATUS_KEY: str(build.status)})


def wait_for_template(workerinput: dict[str, str]) -> str | None:
    """In a worker: the template's name once the controller has built it (None without one)."""
    if TEMPLATE_KEY not in workerinput:
        return None
    status = Path(workerinput[STATUS_KEY])
    deadline = time.monotonic() + PATIENCE_SECONDS
    while not status.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"The template test database was not ready after {PATIENCE_SECONDS} s.")
        time.sleep(0.2)
    outcome = status.read_text()
    if outcome != READY:
        pytest.fail(f"Building the template test database failed:\n{outcome}", pytrace=False)
    return workerinput[TEMPLATE_KEY]
