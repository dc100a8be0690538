"""Two portal processes share their files through S3-compatible storage: a knowledge file
uploaded through one is downloaded through the other.

Each process is a real `manage.py runserver` on its own port, with its own empty MEDIA_ROOT (so
that no local disk can be the one answering), the test database and the same bucket on moto's
server. The user signs in and uploads over HTTP with the CSRF token, as a browser would, and
the session, kept in the database, is carried from one node to the other as a load balancer
would carry it. Run alone with `pytest -m ops`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from accounts.models import Role
from knowledge.models import KnowledgeAsset
from tests.factories import PASSWORD, UserFactory
from tests.knowledge.files import pdf_bytes
from tests.knowledge.test_assets import asset_form
from tests.storage.conftest import Bucket

pytestmark = [
    pytest.mark.ops,
    # The portal processes see committed rows only; serialized_rollback brings back the
    # reference data (divisions, themes) that the flush after a transactional test removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    """The test database (not the one named in DATABASE_URL) as a URL for another process."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER'] or 'postgres'}{password}@{host}/{db['NAME']}"


class Node:
    """One portal process: `manage.py runserver` on a free port, stopped at the end."""

    def __init__(self, environ: dict[str, str], media_root: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.media_root = media_root
        self.log = media_root.parent / f"{media_root.name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and manage.py)
                [
                    sys.executable,
                    "manage.py",
                    "runserver",
                    "--noreload",
                    "--skip-checks",
                    f"127.0.0.1:{self.port}",
                ],
                cwd=ROOT,
                env={**environ, "MEDIA_ROOT": str(media_root)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_until_serving(self, timeout: float = 60) -> None:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                pytest.fail(f"the portal process stopped:\n{self.log.read_text()}")
            try:
                # The sign-in page: /healthz also asks Redis and the worker, not what this needs.
                requests.get(f"{self.base}{reverse('login')}", timeout=10)
            except requests.RequestException:
                time.sleep(0.1)
            else:
                return
        pytest.fail(f"the portal process did not answer within {timeout} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def form_token(self, session: requests.Session, path: str) -> str:
        page = session.get(f"{self.base}{path}", timeout=30)
        assert page.status_code == 200, page.text
        match = TOKEN.search(page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)


@pytest.fixture
def nodes(s3_bucket: Bucket, tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    environ = {
        **os.environ,
        **s3_bucket.environ(),
        "DATABASE_URL": database_url(),
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_TASK_ALWAYS_EAGER": "1",
    }
    started: list[Node] = []
    try:
        for name in ("a", "b"):
            media_root = tmp_path / f"media-{name}"
            media_root.mkdir()
            started.append(Node(environ, media_root))
        for node in started:
            node.wait_until_serving()
        yield started[0], started[1]
    finally:
        for node in started:
            node.stop()


def sign_in(node: Node, username: str) -> requests.Session:
    session = requests.Session()
    path = reverse("login")
    token = node.form_token(session, path)
    response = session.post(
        f"{node.base}{path}",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text
    return session


def test_a_knowledge_file_uploaded_through_one_node_is_downloaded_through_the_other(
    nodes: tuple[Node, Node], s3_bucket: Bucket
) -> None:
    node_a, node_b = nodes
    # The portal processes check passwords with the production hasher, not the tests' fast one
    # (few rounds: the strength of a test password is not the point).
    hasher = PBKDF2PasswordHasher()
    user = UserFactory(username="cpm_nodes", role=Role.CPM, divisions=["LAC"])
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    session = sign_in(node_a, "cpm_nodes")
    create = reverse("knowledge:asset_create")
    content = pdf_bytes("Uploaded on node A, read on node B")
    response = session.post(
        f"{node_a.base}{create}",
        data={**asset_form(), "csrfmiddlewaretoken": node_a.form_token(session, create)},
        files=[("attachments", ("Palenque case.pdf", content, "application/pdf"))],
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302, response.text
    stored = KnowledgeAsset.objects.get().files.get()

    download = session.get(f"{node_b.base}{stored.get_absolute_url()}", timeout=60)
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["Content-Type"] == "application/pdf"
    # The bytes came from the bucket: neither node kept anything on its own disk.
    assert s3_bucket.keys() == {stored.file.name}
    assert not any(node_a.media_root.iterdir()) and not any(node_b.media_root.iterdir())
    # And node B still asks who is downloading: without a session there is no file.
    anonymous = requests.get(
        f"{node_b.base}{stored.get_absolute_url()}", allow_redirects=False, timeout=30
    )
    assert anonymous.status_code == 302 and reverse("login") in anonymous.headers["Location"]
