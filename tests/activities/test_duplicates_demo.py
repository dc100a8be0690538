"""The demo's likely duplicate: one open pair in the focal point's report, suggested again on
the New activity page, and a rerun changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import User
from activities.duplicate_pairs import MergedVia
from activities.duplicates import Facts, suggest
from activities.models import Activity, DuplicatePair, PairState
from activities.services import merge_activities
from demo.duplicates import ORIGINAL
from finance import rollups
from finance.models import FinancialEntry

pytestmark = pytest.mark.django_db


def load(settings: Any) -> str:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_the_demo_has_an_open_pair_and_a_rerun_changes_nothing(settings: Any) -> None:
    assert "SSC-2010-02 logged twice, one open pair to check." in load(settings)
    pair = DuplicatePair.objects.get()
    assert pair.state == PairState.OPEN and pair.first.ssc_id == ORIGINAL
    count = Activity.objects.count()
    assert "Likely duplicates: unchanged." in load(settings)
    assert (Activity.objects.count(), DuplicatePair.objects.count()) == (count, 1)
    focal = User.objects.get(username="admin")
    copy = Activity.objects.prefetch_related("country_links", "partner_links").get(
        pk=pair.second_id
    )
    again = Facts(
        title=copy.title, countries=Facts.of_activity(copy).countries, partners=frozenset(),
        years=Facts.of_activity(copy).years,
    )  # fmt: skip
    assert {m.activity.pk for m in suggest(again, focal)} >= {pair.first_id, pair.second_id}


def test_merging_the_demo_duplicate_keeps_every_line_and_the_portfolio_total(
    settings: Any,
) -> None:
    """The demo leaves its pair open (the report shows it); merging it works on the demo
    data. The original, with its money, is merged into the second log (the harder way): its
    lines move, the money of the portfolio is the same to the cent."""
    load(settings)
    pair = DuplicatePair.objects.select_related("first", "second").get()
    focal = User.objects.get(username="admin")
    rollups.drain_refresh_requests()
    before = rollups.totals(focal, rollups.RollupFilters())
    lines = FinancialEntry.objects.filter(activity__in=[pair.first, pair.second]).count()
    assert FinancialEntry.objects.filter(activity=pair.first).exists()

    merge_activities(
        keep=pair.second,
        remove=pair.first,
        user=focal,
        keep_version=pair.second.version,
        remove_version=pair.first.version,
        via=MergedVia.FORM,
    )
    rollups.drain_refresh_requests()

    assert rollups.totals(focal, rollups.RollupFilters()) == before
    assert FinancialEntry.objects.filter(activity=pair.second).count() == lines
    assert not FinancialEntry.objects.filter(activity=pair.first).exists()
    pair.refresh_from_db()
    assert pair.state == PairState.MERGED
    assert not Activity.objects.visible_to(focal).filter(pk=pair.first_id).exists()
    assert rollups.compute_slices(None, verify_first=True) is False
