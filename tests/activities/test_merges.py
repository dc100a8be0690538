"""Merging two activities found to be one: every ledger line and link moves to the kept one,
the merged one stays as a tombstone with its history, the portfolio's money is unchanged to the
cent, and whatever may not be merged is refused with nothing changed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from activities.access import get_activity_for_user, merged_into_for_user
from activities.duplicate_pairs import MergedVia
from activities.history import activity_history_entries
from activities.models import (
    Activity,
    ActivityMerge,
    CountryRole,
    DuplicatePair,
    PairState,
    PartnerRole,
)
from activities.services import ActivityError, ConflictError, merge_activities
from counterparts.models import Comment, Confirmation, ConfirmationState
from counterparts.services.facts import key_facts
from finance import rollups
from finance import services as finance_services
from finance.importer import ImportRefused, import_legacy_workbook
from finance.models import FinancialEntry, RollupRefresh, Stage
from finance.rollups import RollupFilters
from knowledge.models import KnowledgeAsset
from results import services as results_services
from results.models import ActivityRelation, RelationType, Result, ResultType
from tests.activities.merging import make_merge_pair
from tests.factories import ActivityFactory, division
from tests.finance.workbooks import activity_row, build
from tests.helpers import db_state
from tests.knowledge.factories import make_asset

pytestmark = pytest.mark.django_db

EVERYTHING = RollupFilters()


def _merge(keep: Activity, remove: Activity, user: User, **extra: Any) -> ActivityMerge:
    values: dict[str, Any] = {
        "keep_version": keep.version,
        "remove_version": remove.version,
        "via": MergedVia.FORM,
    }
    values.update(extra)
    return merge_activities(keep=keep, remove=remove, user=user, **values)


def test_every_ledger_line_moves_with_its_amount_currency_and_rate_and_says_so(
    focal: User,
) -> None:
    keep, remove = make_merge_pair(focal)
    before = {
        e.pk: (e.amount, e.currency, e.amount_usd, e.fiscal_year, e.stage)
        for e in FinancialEntry.objects.filter(activity=remove)
    }

    _merge(keep, remove, focal)

    moved = FinancialEntry.objects.filter(pk__in=list(before))
    assert {e.pk: (e.amount, e.currency, e.amount_usd, e.fiscal_year, e.stage) for e in moved} == (
        before
    )
    assert {e.activity_id for e in moved} == {keep.pk}
    assert FinancialEntry.objects.filter(activity=keep).count() == 3
    for entry in moved:
        last, previous = entry.history.order_by("-history_id")[:2]  # type: ignore[attr-defined]
        assert (previous.activity_id, last.activity_id) == (remove.pk, keep.pk)
        assert last.history_user == focal
        assert last.history_change_reason == f"merge:{remove.ssc_id}->{keep.ssc_id}"


def test_the_portfolio_money_is_the_same_to_the_cent_and_the_rollups_agree(focal: User) -> None:
    keep, remove = make_merge_pair(focal)
    before = rollups.totals(focal, EVERYTHING)
    by_division = {
        f.key: f.ifad[Stage.ALLOCATED]
        for f in rollups.grouped_totals(focal, EVERYTHING, "division")
    }
    assert by_division[division("ESA").pk] == Decimal("33.33")

    _merge(keep, remove, focal)
    rollups.drain_refresh_requests()

    assert rollups.totals(focal, EVERYTHING) == before
    after = {
        f.key: f.ifad[Stage.ALLOCATED]
        for f in rollups.grouped_totals(focal, EVERYTHING, "division")
        if f.ifad[Stage.ALLOCATED]
    }
    # The merged activity's money now sums under the kept one's division.
    assert after == {division("LAC").pk: Decimal("133.33")}
    # What the refresh left is what a full recomputation gives.
    assert rollups.compute_slices(None, verify_first=True) is False
    assert rollups.recompute_all_activity_money() is False


def test_roles_themes_and_the_pair_are_merged_and_the_merged_activity_is_a_tombstone(
    focal: User,
) -> None:
    keep, remove = make_merge_pair(focal)
    merge = _merge(keep, remove, focal)

    assert sorted(keep.country_links.values_list("country__iso2", "role")) == [
        ("BR", CountryRole.PROVIDER),
        ("MZ", CountryRole.RECEIVER),
        ("PE", CountryRole.RECEIVER),
    ]
    assert sorted(keep.partner_links.values_list("partner__name", "role")) == [
        ("FAO", PartnerRole.BROKER),
        ("Procasur", PartnerRole.IMPLEMENTER),
    ]
    assert set(keep.themes.values_list("position", flat=True)) == {1, 2}
    pair = DuplicatePair.objects.get()
    assert pair.state == PairState.MERGED and pair.decided_by == focal
    # Not deleted: its record and roles stay, hidden from every list.
    assert Activity.objects.filter(pk=remove.pk).exists()
    assert remove.country_links.count() == 2
    assert merge.kept == keep and merge.merged_by == focal
    assert not Activity.objects.visible_to(focal).filter(pk=remove.pk).exists()
    assert not Activity.objects.editable_by(focal).filter(pk=remove.pk).exists()
    # The lists' way too (their ids read first).
    assert not Activity.objects.visible_to(focal, inline_ids=True).filter(pk=remove.pk).exists()
    assert not Activity.objects.editable_by(focal, inline_ids=True).filter(pk=remove.pk).exists()
    assert Activity.objects.visible_to(focal, inline_ids=True).filter(pk=keep.pk).exists()
    assert merged_into_for_user(focal, remove.pk) == keep
    assert get_activity_for_user(focal, remove.pk, merged=True) == remove


def test_both_histories_say_what_the_merge_did(focal: User) -> None:
    keep, remove = make_merge_pair(focal)
    _merge(keep, remove, focal)

    [kept_entry, *_older] = activity_history_entries(keep)
    assert any(f"Merged {remove.ssc_id} into this activity" in n for n in kept_entry.notes)
    assert kept_entry.user == focal and kept_entry.through == "Duplicates report"
    # One entry: the roles and themes it gained are listed with the merge.
    added = {(c.label, c.new) for c in kept_entry.changes if c.kind == "added"}
    assert ("Country", "Peru (Receiver / guest)") in added, kept_entry.changes
    [removed_entry, *_rest] = activity_history_entries(remove)
    assert any(f"Merged into {keep.ssc_id}" in n for n in removed_entry.notes)


def test_results_knowledge_links_and_the_conversation_move(focal: User) -> None:
    keep, remove = make_merge_pair(focal)
    results_services.save_result(
        result=Result(activity=keep, type=ResultType.OUTCOME, title="Kept change"), user=focal
    )
    results_services.save_result(
        result=Result(activity=remove, type=ResultType.OUTCOME, title="Moved change"), user=focal
    )
    asset = make_asset(activities=[remove], user=focal)
    both = make_asset(title="Another case", activities=[keep, remove], user=focal)
    Comment.objects.create(activity=remove, author=focal, body="Seen in Peru.")
    earlier = ActivityFactory()
    ActivityRelation.objects.create(
        activity=remove, type=RelationType.FOLLOW_UP_OF, related=earlier
    )
    # A relation between the two would relate the kept activity to itself: it stays behind.
    ActivityRelation.objects.create(activity=remove, type=RelationType.PART_OF, related=keep)

    _merge(keep, remove, focal)

    assert list(Result.objects.filter(activity=keep).values_list("title", flat=True)) == [
        "Kept change",
        "Moved change",
    ]
    assert list(asset.activities.all()) == [keep]
    assert list(both.activities.all()) == [keep]
    assert KnowledgeAsset.objects.filter(activities=remove).count() == 0
    assert Comment.objects.get().activity == keep
    assert sorted(ActivityRelation.objects.values_list("activity_id", "type", "related_id")) == [
        (keep.pk, RelationType.FOLLOW_UP_OF, earlier.pk),
        (remove.pk, RelationType.PART_OF, keep.pk),
    ]


def test_the_kept_activitys_confirmed_sides_are_asked_again(focal: User) -> None:
    keep, remove = make_merge_pair(focal)
    confirmations = list(Confirmation.objects.filter(activity=keep))
    facts = key_facts(confirmations)
    for confirmation in confirmations:
        confirmation.state, confirmation.facts = ConfirmationState.CONFIRMED, facts[confirmation.pk]
    Confirmation.objects.bulk_update(confirmations, ["state", "facts"])

    _merge(keep, remove, focal)

    states = dict(
        Confirmation.objects.filter(activity=keep).values_list(
            "country_link__country__iso2", "state"
        )
    )
    # Brazil confirmed roles and money that changed; Peru is a new side, asked to confirm.
    assert states["BR"] == ConfirmationState.RECONFIRM
    assert states["PE"] == ConfirmationState.PROPOSED


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("itself", "Choose two different activities to merge."),
        ("already merged", "was already merged into"),
        ("kept already merged", "was already merged into"),
    ],
)
def test_what_may_not_be_merged_is_refused_naming_the_problem(
    focal: User, case: str, message: str
) -> None:
    keep, remove = make_merge_pair(focal)
    if case == "itself":
        remove = keep
    else:
        third = ActivityFactory()
        _merge(keep if case == "already merged" else third, remove, focal)
        if case == "kept already merged":
            keep, remove = remove, third
        keep.refresh_from_db()
        remove.refresh_from_db()
    before = db_state()
    with pytest.raises(ActivityError, match=message):
        _merge(keep, remove, focal)
    assert db_state() == before


def test_a_ledger_line_in_a_closed_period_is_not_moved_until_both_activities_may_write_there(
    focal: User,
) -> None:
    keep, remove = make_merge_pair(focal)  # remove has a 2023 line
    closed = finance_services.close_period(
        fiscal_year=2023, up_to=None, reason="Reported to the Board", user=focal
    )
    before = db_state()
    with pytest.raises(ActivityError) as refused:
        _merge(keep, remove, focal)
    message = str(refused.value)
    assert f"{remove.ssc_id} has a ledger line dated" in message
    assert f"move to {keep.ssc_id}" in message
    assert "Fiscal year 2023 is closed since" in message
    assert db_state() == before
    until = timezone.localdate() + datetime.timedelta(days=7)
    for activity in (remove, keep):
        finance_services.grant_period_exception(
            period=closed, activity=activity, reason="Duplicate log", expires_on=until, user=focal
        )
        keep.refresh_from_db()
        remove.refresh_from_db()
        if activity == remove:  # one side's exception is not enough
            with pytest.raises(ActivityError, match="closed period"):
                _merge(keep, remove, focal)
    _merge(keep, remove, focal)
    assert not FinancialEntry.objects.filter(activity=remove).exists()


def test_a_country_without_a_share_is_not_added_beside_given_shares(focal: User) -> None:
    keep, remove = make_merge_pair(focal)  # remove has Peru, keep does not
    keep.country_links.update(share=Decimal(50))
    before = db_state()
    with pytest.raises(ActivityError) as refused:
        _merge(keep, remove, focal)
    assert str(refused.value) == (
        f"{keep.ssc_id} splits its money between its countries by given shares, and the merge "
        f"would add Peru without one. Add them to {keep.ssc_id} with their shares, or leave "
        f"every share of {keep.ssc_id} empty, first."
    )
    assert db_state() == before
    keep.country_links.update(share=None)
    keep.refresh_from_db()
    remove.refresh_from_db()
    _merge(keep, remove, focal)
    assert set(keep.country_links.values_list("country__iso2", "share")) == {
        ("BR", None),
        ("MZ", None),
        ("PE", None),
    }


def test_a_cpm_may_not_merge_an_activity_they_do_not_manage(focal: User, cpm: User) -> None:
    keep, remove = make_merge_pair(focal)  # the CPM manages LAC, not ESA
    before = db_state()
    with pytest.raises(ActivityError, match=f"You may not change {remove.ssc_id}"):
        _merge(keep, remove, cpm)
    assert db_state() == before


@pytest.mark.parametrize("stale", ["keep_version", "remove_version"])
def test_a_stale_version_is_refused_and_nothing_changes(focal: User, stale: str) -> None:
    keep, remove = make_merge_pair(focal)
    before = db_state()
    with pytest.raises(ConflictError):
        _merge(keep, remove, focal, **{stale: 0})
    assert db_state() == before
    assert not ActivityMerge.objects.exists()


def test_a_failure_half_way_leaves_nothing_changed(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ledger has moved when results fail: the whole merge rolls back."""
    keep, remove = make_merge_pair(focal)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("results unavailable")

    monkeypatch.setattr("results.receivers.move_results_of_merged_activity", broken)
    before = db_state()
    with pytest.raises(RuntimeError):
        _merge(keep, remove, focal)
    assert db_state() == before
    assert FinancialEntry.objects.filter(activity=remove).count() == 2
    assert not RollupRefresh.objects.exists()


def test_a_workbook_naming_the_merged_activity_is_refused_naming_the_kept_one(
    focal: User,
) -> None:
    """The tombstone takes no new lines: an old copy of the workbook is sent back, not
    written onto a record nobody sees."""
    keep, remove = make_merge_pair(focal)
    _merge(keep, remove, focal)
    before = db_state()
    handle = build([activity_row(remove.ssc_id)])
    with pytest.raises(ImportRefused) as refused:
        import_legacy_workbook(handle=handle, filename="old.xlsx", user=focal, dry_run=False)
    assert refused.value.problems == [
        f"{remove.ssc_id} was merged into {keep.ssc_id}: give its rows under {keep.ssc_id}."
    ]
    assert db_state() == before
