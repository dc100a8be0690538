"""The merge page of a likely duplicate pair: the focal point's alone, both activities side by
side, one POST that merges and leads to the kept activity, refusals in the error summary; the
merged activity's page leads to the kept one and its history stays readable."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, ActivityMerge, DuplicatePair, PairState
from finance.models import FinancialEntry
from tests.activities.merging import make_merge_pair
from tests.helpers import db_state

pytestmark = pytest.mark.django_db


def _url(pair: DuplicatePair) -> str:
    return reverse("activities:duplicate_merge", args=[pair.pk])


def _post(client: Client, keep: Activity, remove: Activity, /, **changes: Any) -> Any:
    pair = DuplicatePair.objects.get()
    first, second = (keep, remove) if keep.pk < remove.pk else (remove, keep)
    data = {"keep": keep.pk, "first_version": first.version, "second_version": second.version}
    data.update(changes)
    return client.post(_url(pair), data)


@pytest.mark.parametrize("role", ["cpm_client", "viewer_client", "partner_client"])
def test_only_the_focal_point_opens_the_merge_page(
    role: str, request: pytest.FixtureRequest, focal: User
) -> None:
    keep, remove = make_merge_pair(focal)
    client: Client = request.getfixturevalue(role)
    before = db_state()
    assert client.get(_url(DuplicatePair.objects.get())).status_code == 403
    assert _post(client, keep, remove).status_code == 403
    assert db_state() == before


def test_the_page_shows_both_side_by_side_with_their_money_and_results(
    focal_client: Client, focal: User, django_assert_max_num_queries: Any
) -> None:
    keep, remove = make_merge_pair(focal)
    with django_assert_max_num_queries(20):
        response = focal_client.get(_url(DuplicatePair.objects.get()))
    assert response.status_code == 200
    page = response.content.decode()
    assert keep.ssc_id in page and remove.ssc_id in page
    assert "Peru (Receiver / guest)" in page and "FAO (Broker" in page
    assert "Ledger lines" in page and "Results" in page
    assert "33.33" in page and "100.00" in page
    sides = response.context["sides"]
    assert [dict(side["facts"])["Ledger lines"] for side in sides] == ["1", "2"]
    assert 'name="keep"' in page and "Merge the two activities" in page


def test_the_report_offers_the_merge_and_counts_merged_pairs(
    focal_client: Client, focal: User
) -> None:
    keep, remove = make_merge_pair(focal)
    report = focal_client.get(reverse("activities:duplicates")).content.decode()
    assert _url(DuplicatePair.objects.get()) in report
    _post(focal_client, keep, remove)
    report = focal_client.get(reverse("activities:duplicates"), {"state": "merged"})
    assert "Merged (1)" in report.content.decode()
    assert [row[0].state for row in report.context["rows"]] == [PairState.MERGED]


def test_a_post_merges_and_leads_to_the_kept_activity(focal_client: Client, focal: User) -> None:
    keep, remove = make_merge_pair(focal)
    response = _post(focal_client, keep, remove)
    assert response.status_code == 302 and response["Location"] == keep.get_absolute_url()
    assert ActivityMerge.objects.get().removed == remove
    assert FinancialEntry.objects.filter(activity=keep).count() == 3
    page = focal_client.get(response["Location"]).content.decode()
    assert f"{remove.ssc_id} was merged into {keep.ssc_id}" in page

    # The merged activity's page leads to the kept one; its history stays readable.
    moved = focal_client.get(remove.get_absolute_url())
    assert moved.status_code == 302 and moved["Location"] == keep.get_absolute_url()
    history = focal_client.get(reverse("activities:history", args=[remove.pk]))
    assert history.status_code == 200
    assert f"This activity was merged into {keep.ssc_id}" in history.content.decode()
    kept_history = focal_client.get(reverse("activities:history", args=[keep.pk])).content
    assert f"Merged {remove.ssc_id} into this activity" in kept_history.decode()
    assert reverse("activities:history", args=[remove.pk]) in kept_history.decode()
    # Gone from the lists.
    listed = focal_client.get(reverse("activities:list")).content.decode()
    assert keep.ssc_id in listed and remove.ssc_id not in listed
    assert focal_client.get(reverse("activities:edit", args=[remove.pk])).status_code == 404


def test_the_later_record_may_be_the_one_kept(focal_client: Client, focal: User) -> None:
    first, second = make_merge_pair(focal)
    response = _post(focal_client, second, first)
    assert response["Location"] == second.get_absolute_url()
    assert ActivityMerge.objects.get().kept == second


def test_a_stale_page_is_refused_in_the_summary_and_nothing_changes(
    focal_client: Client, focal: User
) -> None:
    keep, remove = make_merge_pair(focal)
    before = db_state()
    response = _post(focal_client, keep, remove, second_version=remove.version + 5)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="error-summary"' in page and "changed by someone else" in page
    assert db_state() == before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"keep": 999999}, "Choose one of the two activities shown."),
        ({"keep": ""}, "Choose which of the two activities to keep."),
        ({"first_version": "x"}, "reload the page"),
    ],
)
def test_a_bad_post_names_the_problem(
    focal_client: Client, focal: User, changes: dict[str, Any], message: str
) -> None:
    keep, remove = make_merge_pair(focal)
    before = db_state()
    response = _post(focal_client, keep, remove, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert db_state() == before


def test_a_merged_pair_shows_no_form(focal_client: Client, focal: User) -> None:
    keep, remove = make_merge_pair(focal)
    _post(focal_client, keep, remove)
    page = focal_client.get(_url(DuplicatePair.objects.get())).content.decode()
    assert "These two activities were merged already." in page and 'name="keep"' not in page
