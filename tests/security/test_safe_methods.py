"""GET never writes, and every write needs its CSRF token.

Every page of the permission table (tests/activities/test_permissions.py) and every API address
of the API matrix (tests/api/test_permissions.py), as every role:

- a GET runs no INSERT, UPDATE or DELETE, caught at the database cursor (so a write to a table
  no snapshot lists shows too); only the session's and an API token's bookkeeping may be written;
- every POST form on a page carries a csrfmiddlewaretoken;
- a POST without the token is refused with 403, whoever sends it.

The first two are checked by the permission walks themselves, on every GET they make
(`_get_problems` there, tests.writes.watched): asking every page again here, as every role, cost
as much as the walk. This file sends the POSTs without a token and checks the recorder itself.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from activities.models import SDG, Partner
from tests.activities import test_permissions as pages
from tests.activities.test_permissions import World
from tests.api import test_permissions as api
from tests.factories import make_partner_org
from tests.helpers import db_state
from tests.html import post_forms_without_csrf_token
from tests.writes import each_rolled_back, watched, writes_recorded

pytestmark = pytest.mark.django_db


def _case_id(case: Any) -> str:
    return f"{case.name}[{case.target}]" if case.target else case.name


# Pages that take a POST: each is sent one without its token, by a user it would serve.
POSTED = [case for case in pages.CASES if case.rule("admin", "POST") not in (405, 403)]


class TestSafeMethods:
    """Every case against one shared world (shared_world, shared_tokens)."""

    @pytest.mark.parametrize("case", POSTED, ids=_case_id)
    def test_page_post_without_csrf_token_is_refused(
        self, case: pages.Case, world: World, fast_templates: None
    ) -> None:
        role = "focal" if case.name == "accounts:revoke_api_token" else "admin"
        user = world.users[role]
        client = world.client(role, enforce_csrf_checks=True)
        with transaction.atomic():
            url, body = pages._url(case, world), pages._post_body(case, world, user)
            with watched() as seen:
                response = client.post(url, body)
            # Snapshotted only when something may have been written (tests.writes); the state
            # before the request is the one its savepoint's rollback brings back.
            after = db_state() if seen.may_have_changed else None
            transaction.set_rollback(True)
        assert response.status_code == 403
        assert after is None or after == db_state()

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


def test_the_watch_counts_rows_written_past_the_recorder_and_in_rolled_back_savepoints(
    db: None,
) -> None:
    """The walks snapshot a request only when tests.writes saw that it may have written: a
    write that bypasses Django's cursor (the importers' COPY) and one undone since must both
    show, or a refused write could pass unseen."""
    with watched() as seen, connection.cursor() as cursor:
        cursor.cursor.copy_expert(  # type: ignore[attr-defined]
            "COPY activities_sdg (number, name) FROM STDIN", io.StringIO("99\tWalked\n")
        )
    assert seen.writes == [] and seen.others == []
    assert seen.may_have_changed
    with watched() as seen, transaction.atomic():
        Partner.objects.filter(name="No such partner").update(acronym="X")  # no row
        transaction.set_rollback(True)
    assert seen.writes and seen.rows_after == seen.rows_before
    with watched() as seen, transaction.atomic():
        make_partner_org()
        transaction.set_rollback(True)
    assert seen.rows_after > seen.rows_before
    with watched() as seen:
        Partner.objects.count()
    assert not seen.may_have_changed


def test_each_block_is_rolled_back_and_its_writes_seen(db: None) -> None:
    """tests.writes.EachRolledBack, as the walks use it: each block starts from the state the
    first did, the state a block left is read when it wrote (through Django or past it, with
    COPY), the commit callbacks it left go with it, and a block that fails is undone too."""
    partners = Partner.objects.count()
    before = db_state()
    with each_rolled_back(before, db_state) as blocks:
        with blocks.watched() as seen:
            make_partner_org()
            transaction.on_commit(lambda: None)
        assert seen.writes and blocks.after["partners"] != before["partners"]
        assert Partner.objects.count() == partners and not connection.run_on_commit
        with blocks.watched() as seen, connection.cursor() as cursor:
            cursor.cursor.copy_expert(  # type: ignore[attr-defined]
                "COPY activities_sdg (number, name) FROM STDIN", io.StringIO("99\tWalked\n")
            )
        assert not seen.writes and seen.may_have_changed and blocks.after is not before
        assert not SDG.objects.filter(number=99).exists()
        with blocks.watched() as seen:
            Partner.objects.count()
        assert not seen.may_have_changed and blocks.after is before
        with pytest.raises(ZeroDivisionError), blocks.watched():
            make_partner_org()
            _ = 1 / 0
        assert Partner.objects.count() == partners
    assert db_state() == before


def test_a_post_form_without_its_token_is_found() -> None:
    page = (
        '<form method="post" action="/a/"><input name="csrfmiddlewaretoken"></form>'
        '<form method="POST" action="/b/"><input name="title"></form>'
        '<form method="get" action="/c/"></form>'
    )
    assert post_forms_without_csrf_token(page) == ["/b/"]
