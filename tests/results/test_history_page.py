"""An activity's results history page: who changed which result, indicator, period, target and
update, when, before -> after, and through what; read by who reads the results page, updates as
that page shows them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from activities.history import Through
from activities.models import Activity, Partner, PartnerRole
from results import services
from results.history import results_history_entries
from results.models import (
    ActivityRelation,
    BenefitStream,
    Dimension,
    Indicator,
    Period,
    Result,
    ScalingPathway,
    Update,
)
from results.services.updates import UpdateData
from tests.factories import ActivityFactory, division
from tests.results.factories import dated, framework, sex_dimension, value_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(partner_org: Partner) -> Activity:
    """A LAC activity (the cpm's), 2025-2026, that the partner user's organization implements."""
    return dated(
        ActivityFactory(
            title="Seed exchange",
            lead_division=division("LAC"),
            partners=[(partner_org, PartnerRole.IMPLEMENTER)],
        )
    )


@pytest.fixture
def trained(activity: Activity) -> Indicator:
    """'Farmers trained' under the result 'Skills', its 2025 period's target 100 (60 women)."""
    return framework(activity)[0]


def history(client: Client, activity: Activity) -> str:
    response = client.get(reverse("results:history", args=[activity.pk]))
    assert response.status_code == 200
    return response.content.decode()


def change_target(period: Period, target: int, women: int, through: Through | None) -> None:
    sex = sex_dimension()
    period.target_value = Decimal(target)
    services.save_period(
        period=period,
        target_parts={value_of(sex, "Women"): Decimal(women), value_of(sex, "Men"): Decimal(40)},
        through=through,
    )


def test_the_results_page_links_to_its_history(activity: Activity, viewer_client: Client) -> None:
    response = viewer_client.get(reverse("results:activity", args=[activity.pk]))
    assert reverse("results:history", args=[activity.pk]) in response.content.decode()


def test_without_any_change_the_page_says_so(activity: Activity, cpm_client: Client) -> None:
    page = history(cpm_client, activity)
    assert "No change recorded yet." in page
    assert "Seed exchange" in page
    assert reverse("results:activity", args=[activity.pk]) in page


def test_a_results_and_an_indicators_fields_read_before_and_after(
    trained: Indicator, cpm: User, cpm_client: Client
) -> None:
    result = trained.result
    result.title, result.side = "Skills shared", "provider"
    services.save_result(result=result, user=cpm, through=Through.FORM)
    trained.baseline_value = Decimal(12)
    services.save_indicator(indicator=trained, through=Through.API)
    page = history(cpm_client, result.activity)
    assert "Result &#x27;Skills shared&#x27;: Title:" in page
    assert "Skills</span>" in page  # the old title, before the arrow
    assert "Provider / host" in page and "Receiver / guest" in page
    assert "Indicator &#x27;Farmers trained&#x27;: Baseline value:" in page
    assert "through the page&#x27;s form" in page
    assert "through the API" in page


def test_a_periods_target_and_its_parts_read_with_the_indicator_and_dates(
    trained: Indicator, cpm_client: Client
) -> None:
    change_target(trained.periods.get(), 120, 80, Through.FORM)
    page = history(cpm_client, trained.result.activity)
    name = "Indicator &#x27;Farmers trained&#x27;, 1 Jan 2025 \N{EN DASH} 31 Dec 2025"
    assert f"{name}: Target:</span>" in page
    assert '<span class="change__old">100</span>' in page
    assert '<span class="change__new">120</span>' in page
    # The parts are written anew on each save: the women's part changed, the men's did not.
    assert f"{name}: Target for Sex: Women:</span>" in page
    assert "Target for Sex: Men:</span>" not in page
    assert "Target for Sex: Men removed" not in page


def test_period_names_write_their_dates_in_the_readers_language(
    trained: Indicator, cpm_client: Client, settings: Any
) -> None:
    change_target(trained.periods.get(), 120, 80, Through.FORM)
    cpm_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = history(cpm_client, trained.result.activity)
    assert "1 janvier 2025 \N{EN DASH} 31 décembre 2025" in page
    assert "2025-01-01" not in page


def test_an_updates_status_moves_and_revision_read_for_its_reporters(
    trained: Indicator, partner_user: User, cpm: User, partner_client: Client
) -> None:
    period = trained.periods.get()
    sex = sex_dimension()
    parts = {value_of(sex, "Women"): Decimal(3), value_of(sex, "Men"): Decimal(2)}
    update = services.save_update(
        period=period, data=UpdateData(value=Decimal(5), parts=parts), user=partner_user
    )
    services.submit_update(update=update, user=partner_user, through=Through.FORM)
    update.refresh_from_db()
    services.approve_update(update=update, user=cpm, through=Through.API)
    update.refresh_from_db()
    services.revise_update(
        update=update, user=partner_user, reason="A late list", through=Through.FORM
    )
    page = history(partner_client, trained.result.activity)
    assert "update of" in page
    assert "Draft" in page and "Submitted for approval" in page and "Approved" in page
    assert "(Draft), a revision: A late list" in page
    assert "Value for Sex: Women" in page
    assert "through the API" in page


def test_readers_who_do_not_report_see_approved_updates_only(
    trained: Indicator, partner_user: User, viewer_client: Client
) -> None:
    services.save_update(
        period=trained.periods.get(),
        data=UpdateData(value=Decimal(7), comment="A draft nobody approved"),
        user=partner_user,
    )
    page = history(viewer_client, trained.result.activity)
    assert "A draft nobody approved" not in page
    assert "update of" not in page


def test_deleted_rows_read_by_their_own_names(trained: Indicator, cpm_client: Client) -> None:
    period = trained.periods.get()
    services.delete_period(period=period, through=Through.FORM)
    services.delete_result(result=trained.result, through=Through.FORM)
    assert not Result.objects.exists()
    page = history(cpm_client, trained.result.activity)
    assert "Reporting period removed:" in page
    assert "Indicator &#x27;Farmers trained&#x27;, 1 Jan 2025 \N{EN DASH} 31 Dec 2025: 100" in page
    assert "Result removed:" in page and "Skills (Outcome)" in page
    assert "Indicator removed:" in page
    assert "Seed law drafted, under Result &#x27;Skills&#x27;" in page


def _edits(indicator: Indicator, count: int, user: User) -> None:
    period = indicator.periods.get()
    for step in range(count):
        change_target(period, 100 + step + 1, 60 + step + 1, Through.FORM)
        indicator.title = f"Farmers trained ({step})"
        services.save_indicator(indicator=indicator, through=Through.FORM)
        services.save_update(period=period, data=UpdateData(value=Decimal(step + 1)), user=user)


def _queries(client: Client, activity: Activity) -> int:
    with CaptureQueriesContext(connection) as captured:
        history(client, activity)
    return len(captured)


def test_the_page_reads_a_fixed_number_of_queries(
    partner_org: Partner, cpm: User, cpm_client: Client, django_assert_max_num_queries: Any
) -> None:
    short, long = (
        dated(
            ActivityFactory(lead_division=division("LAC"), partners=[(partner_org, "implementer")])
        )
        for _ in range(2)
    )
    _edits(framework(short)[0], 3, cpm)
    _edits(framework(long)[0], 12, cpm)
    assert (
        Update.history.filter(  # type: ignore[attr-defined]
            period__indicator__result__activity=long
        ).count()
        == 12
    )
    few = _queries(cpm_client, short)
    many = _queries(cpm_client, long)
    assert few == many
    with django_assert_max_num_queries(few):
        history(cpm_client, long)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", 200),
        ("focal", 200),
        ("cpm", 200),
        ("cpm_other", 200),
        ("viewer", 200),
        ("partner_user", 200),
        ("counterpart_user", 404),
    ],
)
def test_the_page_answers_as_the_results_page(
    trained: Indicator,
    role: str,
    expected: int,
    request: pytest.FixtureRequest,
    client_for: Any,
) -> None:
    client = client_for(request.getfixturevalue(role))
    activity = trained.result.activity
    assert client.get(reverse("results:activity", args=[activity.pk])).status_code == expected
    assert client.get(reverse("results:history", args=[activity.pk])).status_code == expected
    assert client.post(reverse("results:history", args=[activity.pk])).status_code == 405


def test_a_partner_user_outside_the_activity_gets_404(
    partner_client: Client,
) -> None:
    activity = dated(ActivityFactory(lead_division=division("APR")))
    assert partner_client.get(reverse("results:history", args=[activity.pk])).status_code == 404


def test_anonymous_is_sent_to_log_in(trained: Indicator) -> None:
    response = Client().get(reverse("results:history", args=[trained.result.activity.pk]))
    assert response.status_code == 302


def test_expected_benefits_read_as_changed_where_a_save_rewrote_them(
    activity: Activity, cpm_client: Client
) -> None:
    services.save_benefits(
        activity=activity,
        benefits=[BenefitStream(side="provider", description="New buyers for seed")],
        through=Through.FORM,
    )
    services.save_benefits(
        activity=activity,
        benefits=[
            BenefitStream(side="provider", description="New buyers for certified seed"),
            BenefitStream(side="receiver", description="A seed law"),
        ],
        through=Through.API,
    )
    page = history(cpm_client, activity)
    # The first stream is written anew on the second save: it reads as changed, not removed.
    assert '<span class="change__field">Expected benefit 1: Expected benefit</span> changed' in page
    assert '<dt>Before</dt><dd class="prose">New buyers for seed</dd>' in page
    assert "Expected benefit removed" not in page
    assert "A seed law (Receiver / guest)" in page


def test_the_pathways_champion_reads_by_name(
    activity: Activity, partner_org: Partner, cpm: User, cpm_client: Client
) -> None:
    pathway = ScalingPathway(activity=activity, description="Through the seed programme")
    services.save_pathway(pathway=pathway, user=cpm, through=Through.FORM)
    pathway.champion = partner_org
    services.save_pathway(pathway=pathway, user=cpm, through=Through.FORM)
    page = history(cpm_client, activity)
    assert "Scaling-up pathway added:" in page and "Through the seed programme" in page
    assert "Scaling-up pathway: Who would take it further:</span>" in page
    assert f'<span class="change__new">{partner_org.name}</span>' in page


def test_relations_to_activities_the_reader_cannot_read_are_left_out(
    activity: Activity, partner_client: Client, cpm_client: Client
) -> None:
    hidden = dated(ActivityFactory(title="Closed programme", lead_division=division("APR")))
    services.add_relation(
        relation=ActivityRelation(activity=activity, type="part_of", related=hidden),
        through=Through.FORM,
    )
    assert "Closed programme" in history(cpm_client, activity)
    page = history(partner_client, activity)
    assert "Closed programme" not in page
    assert "No change recorded yet." in page


def _age() -> Dimension:
    return services.save_dimension(dimension=Dimension(name="Farm size"), values=["Small", "Large"])


def test_an_indicators_dimensions_read_before_and_after_through_their_channel(
    trained: Indicator, cpm: User, cpm_client: Client
) -> None:
    policy = Indicator.objects.get(result=trained.result, title="Seed law drafted")
    age = _age()
    services.save_indicator(indicator=policy, dimensions=[age], through=Through.API)
    services.save_indicator(
        indicator=policy, dimensions=[age, Dimension.objects.get(name="Sex")], through=Through.FORM
    )
    page = history(cpm_client, trained.result.activity)
    label = "Indicator &#x27;Seed law drafted&#x27;: Disaggregated by:"
    assert page.count(label) == 2
    assert "Farm size, Sex" in page
    assert "through the API" in page and "through the page&#x27;s form" in page


def test_a_dimension_swapped_in_one_save_reads_as_one_change(
    trained: Indicator, cpm_client: Client
) -> None:
    """Replacing the set records a removal and an addition: the page shows the set before and
    after, not the moment in between with neither."""
    policy = Indicator.objects.get(result=trained.result, title="Seed law drafted")
    sex, age = Dimension.objects.get(name="Sex"), _age()
    services.save_indicator(indicator=policy, dimensions=[sex], through=Through.FORM)
    # A later change, outside the grouping window of the first.
    Indicator.history.filter(id=policy.pk).update(  # type: ignore[attr-defined]
        history_date=F("history_date") - datetime.timedelta(minutes=5)
    )
    services.save_indicator(indicator=policy, dimensions=[age], through=Through.FORM)
    entries = results_history_entries(
        trained.result.activity, all_updates=True, readable=Activity.objects.all()
    )
    swaps = [
        (change.old, change.new)
        for entry in entries
        for change in entry.changes
        if change.label == "Indicator 'Seed law drafted': Disaggregated by"
    ]
    assert swaps == [("Sex", "Farm size"), ("", "Sex")]
