"""The demo results loaded by `manage.py load_demo_data`: every state of the approval workflow,
benefits, pathways, related activities and follow-ups, work waiting for each demo account, and a
rerun that changes nothing."""

from __future__ import annotations

import datetime
import importlib
import io
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from results import progress
from results.access import ActivityResultsAccess, changeable_follow_ups, reporting_activities
from results.models import (
    ActivityRelation,
    BenefitStream,
    CoreIndicator,
    Dimension,
    FollowUpOutcome,
    Indicator,
    Period,
    PlanFollowUp,
    RelationType,
    ScalingPathway,
    Side,
    Update,
    UpdateStatus,
)
from tests.factories import ActivityFactory, division
from tests.results.factories import dated, framework

pytestmark = pytest.mark.django_db
library = importlib.import_module("results.migrations.0002_core_library")


def _counts() -> tuple[int, ...]:
    return (
        Update.objects.count(),
        Update.history.count(),
        Period.objects.count(),
        Indicator.objects.count(),
        BenefitStream.objects.count(),
        ScalingPathway.objects.count(),
        ActivityRelation.objects.count(),
        PlanFollowUp.objects.count(),
        PlanFollowUp.history.count(),
    )


class TestOnTheDemo:
    """The cases of one loaded demo (shared_demo)."""

    def test_demo_updates_are_in_every_state_of_the_workflow(self, demo: io.StringIO) -> None:
        assert "Results frameworks and action plan follow-ups: 8 created" in demo.getvalue()
        states = Counter(Update.objects.values_list("status", flat=True))
        assert set(states) == set(UpdateStatus.values)
        returned = Update.objects.get(status=UpdateStatus.RETURNED)
        assert "14 women" in returned.return_reason
        revision = Update.objects.get(revises__isnull=False)
        assert revision.status == UpdateStatus.APPROVED and revision.revision_reason
        assert revision.revises is not None and revision.revises.retired
        # A value first returned, corrected and then approved keeps the trail in its history.
        trail = Update.objects.get(period__start__year=2007, status=UpdateStatus.APPROVED)
        statuses = list(trail.history.order_by("history_date").values_list("status", flat=True))
        assert statuses.count(UpdateStatus.SUBMITTED) == 2 and UpdateStatus.RETURNED in statuses
        assert Update.objects.exclude(evidence_url="").exists()
        assert Update.objects.filter(evidence_asset__isnull=False).exists()

    def test_demo_frameworks_use_the_core_library_and_roll_up(self, demo: io.StringIO) -> None:
        cores = set(Indicator.objects.exclude(core=None).values_list("core__code", flat=True))
        assert {"people-trained", "institutions-strengthened", "policies-influenced"} <= cores
        assert Indicator.objects.filter(core=None, kind="qualitative").exists()
        assert Indicator.objects.filter(dimensions__name="Sex").exists()
        periods = list(Period.objects.filter(indicator__core__code="people-trained"))
        assert all(p.target_value is not None for p in periods)
        assert sum(a.value or 0 for a in progress.actuals(periods).values()) == 36 + 46
        # The revision replaced the approved 14: the period counts 12.
        institutions = Period.objects.get(indicator__core__code="institutions-strengthened")
        assert progress.actuals([institutions])[institutions.pk].value == 12

    def test_demo_partner_fixes_a_returned_update_and_cpm_has_updates_to_approve(
        self,
        demo: io.StringIO,
    ) -> None:
        partner = User.objects.get(username="partner")
        activity = reporting_activities(partner).get()
        assert activity.ssc_id == "SSC-2007-03"
        assert ActivityResultsAccess(partner, activity).reports
        mine = Update.objects.visible_to(partner)
        assert mine.filter(status=UpdateStatus.RETURNED, created_by=partner).exists()
        cpm = User.objects.get(username="cpm")
        waiting = Update.objects.filter(status=UpdateStatus.SUBMITTED)
        assert sum(ActivityResultsAccess(cpm, u.period.indicator.result.activity).approves
                   for u in waiting) == 2  # fmt: skip
        # On activities it does not report on, the partner user sees approved values only.
        assert (
            not Update.objects.visible_to(partner)
            .exclude(period__indicator__result__activity=activity)
            .exclude(status=UpdateStatus.APPROVED)
        )

    def test_demo_benefits_pathways_relations_and_follow_ups(self, demo: io.StringIO) -> None:
        sides = set(BenefitStream.objects.values_list("side", flat=True))
        assert {Side.PROVIDER, Side.RECEIVER, Side.BROKER} <= sides
        currencies = set(ScalingPathway.objects.values_list("currency", flat=True))
        assert len(currencies) >= 3 and "USD" not in currencies
        assert set(ActivityRelation.objects.values_list("type", flat=True)) == set(
            RelationType.values
        )
        outcomes = set(PlanFollowUp.objects.recorded().values_list("outcome", flat=True))
        assert outcomes == {FollowUpOutcome.ADOPTED, FollowUpOutcome.PARTLY}
        assert PlanFollowUp.objects.overdue(datetime.date.today()).count() == 4
        adopted = PlanFollowUp.objects.get(outcome=FollowUpOutcome.ADOPTED)
        assert adopted.money_found_usd == adopted.money_found
        # The route's CPM records them; the LAC CPM may not.
        overdue = PlanFollowUp.objects.overdue(datetime.date.today())
        cpm2, cpm = User.objects.get(username="cpm2"), User.objects.get(username="cpm")
        assert changeable_follow_ups(cpm2).filter(pk__in=overdue).count() == 4
        assert not changeable_follow_ups(cpm).filter(pk__in=overdue).exists()

    def test_demo_results_load_once(self, demo: io.StringIO, settings) -> None:  # type: ignore[no-untyped-def]
        before = _counts()
        again = io.StringIO()
        call_command("load_demo_data", stdout=again)
        assert "Results frameworks and action plan follow-ups: 0 created, 8 unchanged" in (
            again.getvalue()
        )
        assert _counts() == before


def test_the_core_library_ships_with_the_migrations() -> None:
    library = dict(CoreIndicator.objects.values_list("code", "aggregation"))
    assert library == {
        "people-trained": "sum",
        "institutions-strengthened": "sum",
        "innovations-adopted": "sum",
        "policies-influenced": "achieved",
        "action-plans-implemented": "sum",
        "follow-up-activities-financed": "sum",
    }
    assert CoreIndicator.objects.get(code="action-plans-implemented").source == "plan_follow_ups"


def test_the_library_migration_reruns_and_goes_back_without_touching_what_is_in_use() -> None:
    framework(dated(ActivityFactory(lead_division=division("LAC"))))  # uses people-trained and Sex
    library.add_library(apps, None)
    assert CoreIndicator.objects.count() == 6 and Dimension.objects.count() == 3
    library.remove_library(apps, None)
    assert list(CoreIndicator.objects.values_list("code", flat=True)) == ["people-trained"]
    assert list(Dimension.objects.values_list("name", flat=True)) == ["Sex"]
    library.add_library(apps, None)
    assert CoreIndicator.objects.count() == 6 and Dimension.objects.count() == 3
