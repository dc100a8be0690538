"""Every change to the knowledge base is in its history (who, when, before, after, through
what), and an asset's history page reads it, in a fixed number of queries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.services import merge_partners
from knowledge.history import asset_history_entries
from knowledge.models import AssetFile, KnowledgeAsset, LearningDemand
from tests.activities.merging import make_merge_pair
from tests.activities.test_merges import _merge
from tests.factories import PartnerFactory, theme
from tests.knowledge.factories import make_asset, make_demand
from tests.knowledge.test_assets import asset_form

pytestmark = pytest.mark.django_db


def _an_hour_ago(asset: KnowledgeAsset) -> KnowledgeAsset:
    """The asset's recorded history, an hour older: changes made by one person within seconds
    are one entry, and the tests' next change must be an entry of its own."""
    for model in (KnowledgeAsset, AssetFile):
        rows = model.history.filter(**{"id" if model is KnowledgeAsset else "asset_id": asset.pk})  # type: ignore[attr-defined]
        rows.update(history_date=F("history_date") - datetime.timedelta(hours=1))
    return asset


def _changes(asset: KnowledgeAsset) -> list[tuple[str, str, str, str]]:
    return [
        (change.label, change.kind, change.old, change.new)
        for entry in asset_history_entries(asset)
        for change in entry.changes
    ]


def test_an_edit_through_the_form_is_recorded_with_who_before_and_after(
    cpm: User, cpm_client: Client
) -> None:
    asset = _an_hour_ago(make_asset(title="Crab fattening in Mozambique", user=cpm))
    response = cpm_client.post(
        reverse("knowledge:asset_edit", args=[asset.pk]),
        asset_form(
            title="Crab fattening in Mozambique and Madagascar",
            external_url="https://example.org/asset",
            themes=[theme(1).pk, theme(2).pk],
        ),
    )
    assert response.status_code == 302
    entries = asset_history_entries(asset)
    assert [entry.user for entry in entries] == [cpm, cpm]
    assert entries[-1].created
    changes = _changes(asset)
    assert (
        "Title",
        "changed",
        "Crab fattening in Mozambique",
        "Crab fattening in Mozambique and Madagascar",
    ) in changes
    assert ("Themes", "added", "", theme(2).display_name) in changes

    page = cpm_client.get(reverse("knowledge:asset_history", args=[asset.pk]))
    text = page.content.decode()
    assert "Crab fattening in Mozambique and Madagascar" in text
    assert "created this asset" in text
    assert str(cpm) in text


def test_an_activity_merge_moves_links_and_says_so_in_each_records_history(
    focal: User,
) -> None:
    keep, remove = make_merge_pair(focal)
    asset = _an_hour_ago(make_asset(activities=[remove], user=focal))
    demand = make_demand(user=focal)
    LearningDemand.objects.filter(pk=demand.pk).update(activity=remove)
    _merge(keep, remove, focal)
    through = f"the merge of {remove.ssc_id} into {keep.ssc_id}"
    last = asset_history_entries(asset)[0]
    assert last.through == through
    assert last.user == focal
    changes = {(c.label, c.kind, c.old, c.new) for c in last.changes}
    assert changes == {
        ("Linked activities", "added", "", keep.ssc_id),
        ("Linked activities", "removed", remove.ssc_id, ""),
    }
    moved = LearningDemand.history.filter(id=demand.pk).latest("history_date")  # type: ignore[attr-defined]
    assert (moved.activity_id, moved.history_change_reason) == (
        keep.pk,
        f"merge:{remove.ssc_id}->{keep.ssc_id}",
    )


def test_a_partner_merge_changes_the_authors_in_the_assets_history(focal: User) -> None:
    keep, remove = PartnerFactory(name="Procasur"), PartnerFactory(name="PROCASUR Africa")
    asset = _an_hour_ago(make_asset(authors=[remove], user=focal))
    merge_partners(keep=keep, remove=remove, user=focal)
    last = asset_history_entries(asset)[0]
    assert last.through == "the merge of PROCASUR Africa into Procasur"
    assert {(c.kind, c.old, c.new) for c in last.changes} == {
        ("added", "", "Procasur"),
        ("removed", "PROCASUR Africa", ""),
    }


def test_the_history_page_reads_in_a_fixed_number_of_queries(
    cpm: User, cpm_client: Client, django_assert_max_num_queries: Any
) -> None:
    asset = make_asset(user=cpm)
    url = reverse("knowledge:asset_history", args=[asset.pk])
    cpm_client.get(url)  # the session and the menus' first reads
    for number in range(12):
        cpm_client.post(
            reverse("knowledge:asset_edit", args=[asset.pk]),
            asset_form(title=f"Version {number}", external_url="https://example.org/asset"),
        )
    with django_assert_max_num_queries(30) as captured:
        page = cpm_client.get(url)
    assert page.status_code == 200
    assert "Version 11" in page.content.decode()
    queries = len(captured)
    cpm_client.post(
        reverse("knowledge:asset_edit", args=[asset.pk]),
        asset_form(
            title="One more", external_url="https://example.org/asset", themes=[theme(3).pk]
        ),
    )
    with django_assert_max_num_queries(queries):
        cpm_client.get(url)


def test_a_text_box_s_line_breaks_are_stored_as_the_api_stores_them(
    cpm: User, cpm_client: Client
) -> None:
    asset = _an_hour_ago(make_asset(abstract="First finding.\nSecond finding.", user=cpm))
    cpm_client.post(
        reverse("knowledge:asset_edit", args=[asset.pk]),
        # What a browser sends for the same two lines: CR LF.
        asset_form(
            title="A new title",
            abstract="First finding.\r\nSecond finding.",
            external_url="https://example.org/asset",
        ),
    )
    asset.refresh_from_db()
    assert asset.abstract == "First finding.\nSecond finding."
    changed = [c.label for c in asset_history_entries(asset)[0].changes]
    assert "Title" in changed
    assert "Abstract" not in changed
