"""POST /api/v1/activities/{id}/merge/: who may change both merges, a stale version is a 409,
every refusal a JSON 4xx with nothing saved; a merged activity answers 404 naming the kept one
and leaves the list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from activities.models import Activity, ActivityMerge
from finance.models import FinancialEntry
from tests.activities.merging import make_merge_pair
from tests.factories import ActivityFactory
from tests.helpers import db_state

pytestmark = pytest.mark.django_db

ApiFor = Callable[[User | None], Client]


def _merge(client: Client, keep: Activity, remove: Activity, /, **changes: Any) -> Any:
    body: dict[str, Any] = {
        "remove": remove.pk,
        "version": keep.version,
        "remove_version": remove.version,
    }
    body.update(changes)
    return client.post(
        f"/api/v1/activities/{keep.pk}/merge/", body, content_type="application/json"
    )


def test_the_focal_point_merges_and_reads_the_kept_activity(api_for: ApiFor, focal: User) -> None:
    keep, remove = make_merge_pair(focal)
    api = api_for(focal)
    response = _merge(api, keep, remove)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == keep.pk and body["version"] == keep.version + 1
    assert {c["iso2"] for c in body["countries"]} == {"BR", "MZ", "PE"}
    assert FinancialEntry.objects.filter(activity=keep).count() == 3
    assert ActivityMerge.objects.get().via == "api"

    gone = api.get(f"/api/v1/activities/{remove.pk}/")
    assert gone.status_code == 404
    assert keep.ssc_id in gone.json()["detail"]
    assert f"/api/v1/activities/{keep.pk}/" in gone.json()["detail"]
    ids = {row["id"] for row in api.get("/api/v1/activities/").json()["results"]}
    assert keep.pk in ids and remove.pk not in ids


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("stale version", 409, "conflict"),
        ("stale remove_version", 409, "conflict"),
        ("itself", 400, "invalid"),
        ("no such activity", 404, "not_found"),
        ("missing versions", 400, "invalid"),
        ("garbled", 400, "invalid"),
    ],
)
def test_refusals_are_json_4xx_and_save_nothing(
    api_for: ApiFor, focal: User, case: str, status: int, code: str
) -> None:
    keep, remove = make_merge_pair(focal)
    changes: dict[str, Any] = {
        "stale version": {"version": keep.version + 3},
        "stale remove_version": {"remove_version": 1 if remove.version > 1 else 9},
        "itself": {"remove": keep.pk},
        "no such activity": {"remove": 999999},
        "missing versions": {"version": None, "remove_version": None},
        "garbled": {"remove": "SSC-2099-001"},
    }[case]
    if case == "stale remove_version" and remove.version == 1:
        changes = {"remove_version": 9}
    api = api_for(focal)
    before = db_state()
    response = _merge(api, keep, remove, **changes)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert db_state() == before


def test_an_activity_merged_already_is_refused_naming_where_it_went(
    api_for: ApiFor, focal: User
) -> None:
    keep, remove = make_merge_pair(focal)
    api = api_for(focal)
    assert _merge(api, keep, remove).status_code == 200
    keep.refresh_from_db()
    remove.refresh_from_db()
    third = ActivityFactory()
    response = _merge(api, third, remove)
    assert response.status_code == 400
    assert f"was already merged into {keep.ssc_id}" in str(response.json()["errors"])


def test_a_cpm_merges_only_what_they_may_change(
    api_for: ApiFor, focal: User, cpm: User, cpm_other: User
) -> None:
    keep, remove = make_merge_pair(focal)  # LAC and ESA: the CPM manages LAC only
    cpm_api, other_api = api_for(cpm), api_for(cpm_other)
    before = db_state()
    refused = _merge(cpm_api, keep, remove)
    assert refused.status_code == 403
    assert f"You may read {remove.ssc_id} but not change it" in refused.json()["detail"]
    # Another division's CPM changes neither.
    assert _merge(other_api, keep, remove).status_code == 403
    assert db_state() == before
    lac = ActivityFactory()
    assert _merge(cpm_api, keep, lac).status_code == 200


def test_the_iati_file_leaves_the_merged_activity_out(api_for: ApiFor, focal: User) -> None:
    keep, remove = make_merge_pair(focal)
    Activity.objects.filter(pk__in=[keep.pk, remove.pk]).update(visibility="public")
    keep.refresh_from_db()
    remove.refresh_from_db()
    before = Client().get("/api/v1/iati/activities.xml")
    assert remove.ssc_id in b"".join(before.streaming_content).decode()  # type: ignore[attr-defined]
    assert _merge(api_for(focal), keep, remove).status_code == 200
    after = b"".join(Client().get("/api/v1/iati/activities.xml").streaming_content).decode()  # type: ignore[attr-defined]
    assert keep.ssc_id in after and remove.ssc_id not in after
