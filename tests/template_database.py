"""One migrated database per run, cloned by each xdist worker (hooks used by tests/conftest.py).

Each worker used to build its test database by running every migration; the data migrations
(reference data, codelists) rule out --nomigrations. The controller migrates one template
database, and each worker's database is created from it (PostgreSQL's CREATE DATABASE ...
TEMPLATE, Django's TEST["TEMPLATE"] setting): its migrate then finds nothing left to apply. The
template is rebuilt on every run, so it can never be stale.

The controller migrates in a thread of its own while the workers start and collect the tests
(one core each): a worker waits for the template only when its first database test needs it.
The thread tells the workers it is done through a file, holding "ok" or the failure.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.db import connection
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


class TemplateBuild:
    """The controller's build of the template database, in a thread."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        test_settings = settings.DATABASES["default"]["TEST"]
        self.original_name = settings.DATABASES["default"]["NAME"]
        self.name = f"{test_settings.get('NAME') or 'test_' + self.original_name}_template"
        test_settings["NAME"] = self.name
        # Its appearance is the signal.
        self.status = Path(tempfile.mkdtemp(prefix="ssc-template-")) / "status"
        self.thread = threading.Thread(target=self._build, name="test-database-template")
        self.thread.start()

    def _build(self) -> None:
        try:
            with self.config.stash[blocking_manager_key].unblock():
                connection.creation.create_test_db(verbosity=0, autoclobber=True)
                # PostgreSQL copies a template only while no one else is connected to it.
                connection.close()
            outcome = READY
        except BaseException:  # told to the workers, which fail with it
            outcome = traceback.format_exc()
        partial = self.status.with_suffix(".partial")
        partial.write_text(outcome)
        partial.rename(self.status)

    def finish(self) -> None:
        self.thread.join()
        shutil.rmtree(self.status.parent, ignore_errors=True)
        if settings.DATABASES["default"]["NAME"] == self.original_name:
            return  # the build failed before creating the database
        with self.config.stash[blocking_manager_key].unblock():
            connection.creation.destroy_test_db(self.original_name, verbosity=0)


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
