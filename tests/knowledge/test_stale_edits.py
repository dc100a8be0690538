"""Two people editing the same knowledge record: the second save over the first is refused,
saying so and keeping what was typed; saving again keeps it knowingly. Assets are covered in
tests/knowledge/test_assets.py; here the routes, action plans, demands and offers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import ActivityFactory
from tests.knowledge import walk

pytestmark = pytest.mark.django_db

READ_AT = re.compile(r'name="read_at" value="([^"]+)"')

KINDS = {
    # url name: (what the refusal calls it, how to read the record's title back)
    "knowledge:route_edit": ("learning route", lambda world: world.route),
    "knowledge:plan_edit": ("action plan", lambda world: world.plan),
    "knowledge:demand_edit": ("learning demand", lambda world: world.demand),
    "knowledge:offer_edit": ("learning offer", lambda world: world.offer),
}


def body(name: str, world: walk.KnowledgeWorld, user: User, title: str, read_at: str) -> Any:
    data = {**walk.post_body(name, world, user), "title": title, "read_at": read_at}
    if name == "knowledge:route_edit":
        # As the page sends them: its rows are the route's own (one host case, one participant),
        # not new ones.
        data.update({"hosts-INITIAL_FORMS": 1, "participants-INITIAL_FORMS": 1})
    return data


@pytest.mark.parametrize("name", KINDS)
def test_a_save_over_someone_elses_later_change_is_refused_then_kept_when_saved_again(
    name: str, focal: User, cpm: User, focal_client: Client, cpm_client: Client
) -> None:
    world = walk.make_world(focal=focal, activity=ActivityFactory())
    noun, record_of = KINDS[name]
    record = record_of(world)
    url = walk.url(name, "", world)
    opened = READ_AT.search(cpm_client.get(url).text)
    assert opened is not None
    read_at = opened.group(1)

    first = focal_client.post(url, body(name, world, focal, "Saved first", read_at))
    assert first.status_code == 302
    late = cpm_client.post(url, body(name, world, cpm, "Saved second", read_at))

    assert late.status_code == 400
    assert f"Someone else changed this {noun} since you read it." in late.text
    assert "What you typed is still below" in late.text
    assert 'value="Saved second"' in late.text  # what the CPM typed, kept
    assert "Open the current version in a new tab" in late.text
    record.refresh_from_db()
    assert record.title == "Saved first"
    # The page now carries the current time: saving again keeps the CPM's version.
    again = READ_AT.search(late.text)
    assert again is not None and again.group(1) != read_at
    saved = cpm_client.post(url, body(name, world, cpm, "Saved second", again.group(1)))
    assert saved.status_code == 302
    record.refresh_from_db()
    assert record.title == "Saved second"


@pytest.mark.parametrize("name", KINDS)
@pytest.mark.parametrize(
    ("read_at", "saved"),
    [
        ("not a time", False),  # tampered: taken as read long ago
        ("", True),  # a page opened before this check existed sends none: not refused
    ],
)
def test_a_tampered_read_time_is_refused_and_a_missing_one_is_not(
    name: str, read_at: str, saved: bool, focal: User, cpm: User, cpm_client: Client
) -> None:
    world = walk.make_world(focal=focal, activity=ActivityFactory())
    noun, record_of = KINDS[name]
    record = record_of(world)
    before = record.title

    response = cpm_client.post(
        walk.url(name, "", world), body(name, world, cpm, "Changed", read_at)
    )

    refusal = f"Someone else changed this {noun} since you read it."
    assert response.status_code == (302 if saved else 400)
    assert (refusal in response.content.decode()) is not saved
    record.refresh_from_db()
    assert record.title == ("Changed" if saved else before)
