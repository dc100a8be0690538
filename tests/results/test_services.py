"""The results services: what they accept, what they refuse (naming the field) and the approval
workflow, with nothing half-written when they refuse."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from activities.models import PartnerRole
from knowledge.models import ActionPlan, LearningRoute, RouteParticipant
from results import progress, services
from results.access import ActivityResultsAccess, readable_updates
from results.models import (
    ActivityRelation,
    FollowUpOutcome,
    Indicator,
    IndicatorKind,
    Period,
    PlanFollowUp,
    RelationType,
    Update,
    UpdateStatus,
)
from tests.factories import ActivityFactory, PartnerFactory, UserFactory, country, division
from tests.results.factories import dated, framework, sex_dimension, value_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(partner_org, cpm):
    return dated(ActivityFactory(lead_division=division("LAC"), partners=[partner_org]))


def women_men(women: str, men: str) -> dict:
    sex = sex_dimension()
    return {value_of(sex, "Women"): Decimal(women), value_of(sex, "Men"): Decimal(men)}


def draft(indicator: Indicator, user, **data) -> Update:
    return services.save_update(
        period=indicator.periods.get(), data=services.UpdateData(**data), user=user
    )


def test_a_core_indicator_gives_its_kind_unit_and_measure(activity):
    trained, policy = framework(activity)
    assert (trained.kind, trained.unit, trained.measure) == ("quantitative", "people", "1")
    assert (policy.kind, policy.measure) == ("qualitative", "5")


def test_a_period_outside_the_activity_dates_is_refused_naming_start(activity):
    trained, _ = framework(activity)
    with pytest.raises(services.ResultsError) as refused:
        services.save_period(
            period=Period(
                indicator=trained, start=datetime.date(2027, 1, 1), end=datetime.date(2027, 6, 30)
            )
        )
    assert "within the activity's dates" in refused.value.errors["start"][0]
    assert trained.periods.count() == 1


def test_overlapping_periods_are_refused(activity):
    trained, _ = framework(activity)
    with pytest.raises(services.ResultsError) as refused:
        services.save_period(
            period=Period(
                indicator=trained, start=datetime.date(2025, 6, 1), end=datetime.date(2026, 5, 31)
            )
        )
    assert "overlaps" in refused.value.errors["start"][0]


def test_disaggregated_targets_above_the_total_are_refused(activity):
    trained, _ = framework(activity)
    period = Period(
        indicator=trained,
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
        target_value=Decimal(50),
    )
    with pytest.raises(services.ResultsError) as refused:
        services.save_period(period=period, target_parts=women_men("40", "20"))
    assert "more than the total" in refused.value.errors["target_parts"][0]
    assert not Period.objects.filter(start=datetime.date(2026, 1, 1)).exists()


def test_annual_periods_cover_the_activity_years(activity):
    trained, _ = framework(activity)
    created = services.annual_periods(trained)
    assert [(p.start, p.end) for p in created] == [
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    ]


def test_a_quantitative_update_needs_a_number_and_parts_within_the_total(activity, partner_user):
    trained, _ = framework(activity)
    with pytest.raises(services.ResultsError) as refused:
        draft(trained, partner_user, value=None)
    assert "number" in refused.value.errors["value"][0]
    with pytest.raises(services.ResultsError) as refused:
        draft(trained, partner_user, value=Decimal(30), parts=women_men("20", "15"))
    assert "more than the total (30)" in refused.value.errors["parts"][0]
    assert not Update.objects.exists()


def test_a_qualitative_update_needs_a_narrative_and_achieved(activity, partner_user):
    _, policy = framework(activity)
    with pytest.raises(services.ResultsError) as refused:
        draft(policy, partner_user, value=Decimal(1))
    assert set(refused.value.errors) == {"value", "narrative", "achieved"}


def test_the_approval_workflow_with_a_return_for_revision(activity, partner_user, cpm):
    trained, _ = framework(activity)
    update = draft(trained, partner_user, value=Decimal(80), parts=women_men("50", "30"))
    update = services.submit_update(update=update, user=partner_user)
    assert update.status == UpdateStatus.SUBMITTED
    with pytest.raises(services.ResultsError) as refused:
        services.return_update(update=update, user=cpm, reason="  ")
    assert "return_reason" in refused.value.errors
    update = services.return_update(update=update, user=cpm, reason="Count only trained farmers.")
    assert (update.status, update.return_reason) == ("returned", "Count only trained farmers.")
    update = services.save_update(
        period=update.period,
        update=update,
        data=services.UpdateData(value=Decimal(70), parts=women_men("45", "25")),
        user=partner_user,
        expected_version=update.version,
    )
    update = services.submit_update(update=update, user=partner_user)
    update = services.approve_update(update=update, user=cpm)
    assert update.counts and update.reviewed_by == cpm and update.return_reason == ""
    assert update.history.count() >= 5


def test_an_approved_update_is_locked_and_revised_with_a_reason(activity, partner_user, cpm):
    trained, _ = framework(activity)
    update = services.submit_update(
        update=draft(trained, partner_user, value=Decimal(80)), user=partner_user
    )
    update = services.approve_update(update=update, user=cpm)
    with pytest.raises(services.ResultsError) as refused:
        services.save_update(
            period=update.period,
            update=update,
            data=services.UpdateData(value=Decimal(90)),
            user=cpm,
        )
    assert "locked" in refused.value.errors["status"][0]
    assert Update.objects.get(pk=update.pk).value == Decimal(80)
    with pytest.raises(services.ResultsError):
        services.revise_update(update=update, user=cpm, reason="")
    revision = services.revise_update(update=update, user=cpm, reason="Double counted a group.")
    assert revision.status == UpdateStatus.DRAFT and revision.value == Decimal(80)
    revision = services.save_update(
        period=revision.period,
        update=revision,
        data=services.UpdateData(value=Decimal(65)),
        user=cpm,
    )
    services.approve_update(update=services.submit_update(update=revision, user=cpm), user=cpm)
    update.refresh_from_db()
    assert update.retired and not update.counts
    assert Update.objects.get(pk=revision.pk).counts


def test_a_stale_version_is_a_conflict_and_changes_nothing(activity, partner_user, cpm):
    trained, _ = framework(activity)
    update = services.submit_update(
        update=draft(trained, partner_user, value=Decimal(80)), user=partner_user
    )
    stale = update.version
    services.return_update(update=update, user=cpm, reason="Add the evidence.")
    with pytest.raises(services.UpdateConflict):
        services.approve_update(update=update, user=cpm, expected_version=stale)
    assert Update.objects.get(pk=update.pk).status == UpdateStatus.RETURNED


def test_who_reports_and_who_approves(activity, partner_user, cpm, cpm_other):
    other_org_user = UserFactory(role="partner", partner=PartnerFactory())
    guest_org = PartnerFactory()
    activity.partner_links.create(partner=guest_org, role=PartnerRole.GUEST)
    guest_user = UserFactory(role="partner", partner=guest_org)
    implementer = ActivityResultsAccess(partner_user, activity)
    assert implementer.reports and not implementer.approves
    assert ActivityResultsAccess(cpm, activity).approves
    assert not ActivityResultsAccess(cpm_other, activity).approves
    assert not ActivityResultsAccess(guest_user, activity).reports
    assert not ActivityResultsAccess(other_org_user, activity).reports


def test_readers_outside_the_work_see_approved_updates_only(activity, partner_user, cpm, viewer):
    trained, _ = framework(activity)
    approved = services.approve_update(
        update=services.submit_update(
            update=draft(trained, partner_user, value=Decimal(5)), user=partner_user
        ),
        user=cpm,
    )
    waiting = draft(trained, partner_user, value=Decimal(7))
    everyone = Update.objects.all()
    assert set(readable_updates(everyone, viewer)) == {approved}
    assert set(readable_updates(everyone, partner_user)) == {approved, waiting}
    assert set(readable_updates(everyone, cpm)) == {approved, waiting}


def test_an_indicator_with_updates_keeps_its_kind(activity, partner_user):
    trained, _ = framework(activity)
    draft(trained, partner_user, value=Decimal(5))
    trained.core = None
    trained.kind = IndicatorKind.QUALITATIVE
    with pytest.raises(services.ResultsError) as refused:
        services.save_indicator(indicator=trained)
    assert "kind" in refused.value.errors


def test_a_relation_to_itself_or_twice_is_refused(activity):
    other = ActivityFactory()
    services.add_relation(
        relation=ActivityRelation(activity=activity, type=RelationType.FOLLOW_UP_OF, related=other)
    )
    with pytest.raises(services.ResultsError) as refused:
        services.add_relation(
            relation=ActivityRelation(
                activity=activity, type=RelationType.FOLLOW_UP_OF, related=other
            )
        )
    assert "already" in refused.value.errors["related"][0]
    with pytest.raises(services.ResultsError):
        services.add_relation(
            relation=ActivityRelation(
                activity=activity, type=RelationType.PART_OF, related=activity
            )
        )


def test_an_action_plan_gets_three_follow_ups_that_move_with_its_route(activity, partner_org):
    route = LearningRoute.objects.create(
        title="Route",
        division=division("LAC"),
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2025, 3, 31),
    )
    participant = RouteParticipant.objects.create(
        route=route, organization=partner_org, country=country("PE")
    )
    plan = ActionPlan.objects.create(route=route, participant=participant, title="Plan")
    assert list(plan.follow_ups.values_list("months", "due_date")) == [
        (3, datetime.date(2025, 6, 30)),
        (6, datetime.date(2025, 9, 30)),
        (12, datetime.date(2026, 3, 31)),
    ]
    first = plan.follow_ups.get(months=3)
    services.record_follow_up(
        follow_up=first,
        data=services.FollowUpData(
            outcome=FollowUpOutcome.ADOPTED,
            recorded_on=datetime.date(2025, 7, 2),
            money_found=Decimal("1000.00"),
            currency="USD",
        ),
        user=None,
    )
    route.end_date = datetime.date(2025, 4, 30)
    route.save()
    assert list(plan.follow_ups.values_list("months", "due_date")) == [
        (3, datetime.date(2025, 6, 30)),  # recorded: stays
        (6, datetime.date(2025, 10, 30)),
        (12, datetime.date(2026, 4, 30)),
    ]
    assert PlanFollowUp.objects.get(pk=first.pk).money_found_usd == Decimal("1000.00")


def test_money_found_without_a_rate_is_refused_naming_currency(activity, partner_org):
    route = LearningRoute.objects.create(
        title="Route",
        division=division("LAC"),
        start_date=datetime.date(2025, 3, 1),
        end_date=datetime.date(2025, 3, 31),
    )
    participant = RouteParticipant.objects.create(
        route=route, organization=partner_org, country=country("PE")
    )
    plan = ActionPlan.objects.create(route=route, participant=participant, title="Plan")
    follow_up = plan.follow_ups.get(months=3)
    with pytest.raises(services.ResultsError) as refused:
        services.record_follow_up(
            follow_up=follow_up,
            data=services.FollowUpData(
                outcome=FollowUpOutcome.PARTLY,
                recorded_on=datetime.date(2025, 7, 2),
                money_found=Decimal("1000"),
                currency="PEN",
            ),
            user=None,
        )
    assert "PEN" in refused.value.errors["currency"][0]
    assert PlanFollowUp.objects.get(pk=follow_up.pk).outcome == ""


def test_the_actual_sums_approved_updates_and_a_revision_replaces_its_original(
    activity, partner_user, cpm
):
    trained, policy = framework(activity)

    def approved(indicator, **data):
        update = services.submit_update(
            update=draft(indicator, partner_user, **data), user=partner_user
        )
        return services.approve_update(update=update, user=cpm)

    first = approved(trained, value=Decimal(30), parts=women_men("20", "10"))
    approved(trained, value=Decimal(25), parts=women_men("15", "10"))
    draft(trained, partner_user, value=Decimal(1000))  # not approved: does not count
    approved(policy, narrative="Draft law tabled.", achieved=True)
    period = trained.periods.get()
    actual = progress.actuals([period, policy.periods.get()])
    sex = sex_dimension()
    assert actual[period.pk].value == Decimal(55)
    assert actual[period.pk].parts == {
        value_of(sex, "Women").pk: Decimal(35),
        value_of(sex, "Men").pk: Decimal(20),
    }
    assert actual[policy.periods.get().pk].achieved is True
    assert progress.progress_percent(period, actual[period.pk]) == 55
    revision = services.revise_update(update=first, user=cpm, reason="Ten were counted twice.")
    revision = services.save_update(
        period=period, update=revision, data=services.UpdateData(value=Decimal(20)), user=cpm
    )
    services.approve_update(update=services.submit_update(update=revision, user=cpm), user=cpm)
    assert progress.actuals([period])[period.pk].value == Decimal(45)
