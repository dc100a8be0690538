"""`generate_synthetic --results SHARE`: frameworks on about that share of the activities, written
in bulk but within the services' rules, and progress.actuals reads them."""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from activities.models import Activity
from demo.management.commands import generate_synthetic
from results import progress
from results.models import Period, Result, Update, UpdateDisaggregation, UpdateStatus
from results.services import activity_dates

pytestmark = pytest.mark.django_db


def test_synthetic_results_keep_the_rules_of_the_services() -> None:
    out = io.StringIO()
    call_command("generate_synthetic", activities=120, results=0.5, seed=4, stdout=out)
    with_results = Result.objects.values("activity").distinct().count()
    assert f"results on {with_results:,} of them" in out.getvalue()
    assert 40 <= with_results <= 80
    assert set(Update.objects.values_list("status", flat=True)) == set(UpdateStatus.values)
    today = datetime.date.today()
    periods = list(Period.objects.select_related("indicator__result__activity"))
    for period in periods:
        start, end = activity_dates(period.indicator.result.activity)
        assert start is not None and end is not None
        assert start <= period.start <= period.end <= end
    parts: dict[int, Decimal] = defaultdict(Decimal)
    for update_id, value in UpdateDisaggregation.objects.values_list("update_id", "value"):
        parts[update_id] += value
    for update in Update.objects.select_related("period__indicator"):
        assert update.period.start <= today
        if update.period.indicator.is_quantitative:
            assert update.value is not None and parts[update.pk] <= update.value
        else:
            assert update.value is None and update.achieved is not None and update.narrative
        assert bool(update.return_reason) == (update.status == UpdateStatus.RETURNED)
    actuals = progress.actuals(periods)
    approved = Update.objects.filter(status=UpdateStatus.APPROVED).values("period").distinct()
    assert sum(a.reported for a in actuals.values()) == approved.count()


def test_synthetic_results_leave_the_portfolio_as_the_seed_makes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Batches of 10: results drawn from the portfolio's generator would change the next batch.
    monkeypatch.setattr(generate_synthetic, "BATCH", 10)
    with transaction.atomic():
        call_command("generate_synthetic", activities=30, results=1, seed=8, stdout=io.StringIO())
        assert Result.objects.exists()
        with_results = list(
            Activity.objects.order_by("ssc_id").values_list("title", "planned_start")
        )
        transaction.set_rollback(True)  # back to the database before the first run
    call_command("generate_synthetic", activities=30, seed=8, stdout=io.StringIO())
    without = list(Activity.objects.order_by("ssc_id").values_list("title", "planned_start"))
    assert with_results == without


def test_synthetic_results_share_must_be_between_0_and_1() -> None:
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("generate_synthetic", activities=1, results=1.5, stdout=io.StringIO())
