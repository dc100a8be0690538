"""GET never writes, and every write needs its CSRF token.

Walks every page of the permission table (tests/activities/test_permissions.py) and every API
address of the API matrix (tests/api/test_permissions.py), as every role:

- a GET runs no INSERT, UPDATE or DELETE, caught at the database cursor (so a write to a table
  no snapshot lists shows too); only the session's and an API token's bookkeeping may be written;
- every POST form on a page carries a csrfmiddlewaretoken;
- a POST without the token is refused with 403, whoever sends it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.activities import test_permissions as pages
from tests.activities.test_permissions import World
from tests.api import test_permissions as api
from tests.helpers import db_state
from tests.html import parse

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# Writes a GET may make: the session (its idle clock), an API token's last-used time.
BOOKKEEPING = (
    re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM) "django_session"', re.IGNORECASE),
    re.compile(r'^\s*UPDATE "accounts_apitoken" SET "last_used_at" = ', re.IGNORECASE),
)


@contextmanager
def writes_recorded() -> Iterator[list[str]]:
    """The data-changing SQL statements run inside the block, bookkeeping left out."""
    seen: list[str] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if WRITE.match(sql) and not any(allowed.match(sql) for allowed in BOOKKEEPING):
            seen.append(sql[:120])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def _case_id(case: Any) -> str:
    return f"{case.name}[{case.target}]" if case.target else case.name


def _post_forms_without_token(html: str) -> list[str]:
    root = parse(html)
    missing = []
    for form in root.iter():
        if form.tag != "form" or form.attrs.get("method", "get").lower() != "post":
            continue
        names = {node.attrs.get("name") for node in form.iter() if node.tag == "input"}
        if "csrfmiddlewaretoken" not in names:
            missing.append(form.attrs.get("action", "(this page)"))
    return missing


# Pages that take a POST: each is sent one without its token, by a user it would serve.
POSTED = [case for case in pages.CASES if case.rule("admin", "POST") not in (405, 403)]


class TestSafeMethods:
    """Every case against one shared world (shared_world, shared_tokens)."""

    @pytest.mark.parametrize("case", pages.CASES, ids=_case_id)
    def test_page_get_writes_nothing_and_its_post_forms_carry_a_csrf_token(
        self, case: pages.Case, world: World, fast_templates: None
    ) -> None:
        problems = []
        for role in pages.ROLES:
            client = world.client(role, raise_request_exception=False)
            with writes_recorded() as writes:
                response = client.get(pages._url(case, world))
            if writes:
                problems.append(f"{role}: GET wrote {writes}")
            if response.status_code == 200 and "text/html" in response["Content-Type"]:
                missing = _post_forms_without_token(response.text)
                if missing:
                    problems.append(f"{role}: POST forms without a CSRF token: {missing}")
        assert not problems, "\n".join(problems)

    @pytest.mark.parametrize("case", api.CASES, ids=_case_id)
    def test_api_get_writes_nothing(self, case: api.Case, api_world: api.ApiWorld) -> None:
        problems = []
        for role in api.ROLES:
            token = api_world.tokens.get(role)
            client = Client(headers={"Authorization": f"Bearer {token}"} if token else {})
            with writes_recorded() as writes:
                client.get(api._url(case, api_world))
            if writes:
                problems.append(f"{role}: GET wrote {writes}")
        assert not problems, "\n".join(problems)

    @pytest.mark.parametrize("case", POSTED, ids=_case_id)
    def test_page_post_without_csrf_token_is_refused(
        self, case: pages.Case, world: World, fast_templates: None
    ) -> None:
        role = "focal" if case.name == "accounts:revoke_api_token" else "admin"
        user = world.users[role]
        client = world.client(role, enforce_csrf_checks=True)
        before = db_state()
        response = client.post(pages._url(case, world), pages._post_body(case, world, user))
        assert response.status_code == 403
        assert db_state() == before

    def test_api_write_with_a_session_but_no_csrf_token_is_refused(
        self, api_world: api.ApiWorld
    ) -> None:
        # A browser session is a cookie any site could make the browser send; a token is not.
        world = api_world.objects
        client = Client(enforce_csrf_checks=True)
        client.force_login(world.users["focal"])
        case = next(c for c in api.CASES if c.name == "api:activity-list")
        response = client.post(
            api._url(case, api_world),
            data=json.dumps(api._body(case, api_world, "POST", "focal")),
            content_type="application/json",
        )
        assert response.status_code == 403
        assert "CSRF" in response.json()["detail"]

    def test_the_recorder_sees_a_write_and_lets_session_bookkeeping_pass(
        self, world: World
    ) -> None:
        client = Client()
        client.force_login(world.users["cpm"])
        with writes_recorded() as writes:
            world.public.__class__.objects.filter(pk=world.public.pk).update(title="Changed")
            session = client.session
            session["x"] = 1
            session.save()
        assert len(writes) == 1
        assert writes[0].startswith('UPDATE "activities_activity"')
