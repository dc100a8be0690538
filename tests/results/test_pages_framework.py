"""The activity's results page and the framework's editing pages: what each shows, what a CPM
builds through them, and refusals that name the field and save nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Visibility
from results import services
from results.models import (
    ActivityRelation,
    BenefitStream,
    CoreIndicator,
    Dimension,
    Indicator,
    Period,
    Result,
    ScalingPathway,
    TargetDisaggregation,
)
from tests.factories import ActivityFactory, division
from tests.html import errors_next_to, parse
from tests.results.factories import (
    core_people_trained,
    dated,
    framework,
    sex_dimension,
    value_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(partner_org):
    return dated(ActivityFactory(lead_division=division("LAC"), partners=[partner_org]))


def page(client: Client, activity) -> str:
    response = client.get(reverse("results:activity", args=[activity.pk]))
    assert response.status_code == 200
    return response.text


def report(indicator: Indicator, user, value: str, parts: dict | None = None):
    return services.save_update(
        period=indicator.periods.get(),
        data=services.UpdateData(value=Decimal(value), parts=parts or {}),
        user=user,
    )


def approved(indicator: Indicator, user, value: str, parts: dict | None = None):
    update = services.submit_update(update=report(indicator, user, value, parts), user=user)
    return services.approve_update(update=update, user=user)


# --- the results page ----------------------------------------------------------------------------


def test_the_page_shows_targets_actuals_progress_and_disaggregation(activity, cpm, cpm_client):
    trained, _policy = framework(activity)
    sex = sex_dimension()
    parts = {value_of(sex, "Women"): Decimal(30), value_of(sex, "Men"): Decimal(15)}
    approved(trained, cpm, "45", parts)
    html = page(cpm_client, activity)
    indicator = parse(html)
    assert "Farmers trained" in html and "Core" in html and "People trained" in html
    meter = [n for n in indicator.iter() if n.tag == "meter"]
    assert [m.attrs["value"] for m in meter] == ["45"]  # 45 of 100 from a baseline of 0
    rows = {n.text() for n in indicator.iter() if n.tag == "tr" and n.text().startswith("Sex: ")}
    assert rows == {"Sex: Women 60 30", "Sex: Men 40 15"}
    assert "Seed law drafted" in html and "Outcomes" in html
    assert "For: Receiver / guest" in html


def test_readers_outside_see_approved_updates_only(activity, cpm, partner_user, viewer, client_for):
    trained, _policy = framework(activity)
    approved(trained, cpm, "20")
    report(trained, partner_user, "7")  # a partner's draft, not yet submitted
    staff_reader = page(client_for(viewer), activity)
    assert "Approved" in staff_reader and "Draft" not in staff_reader
    for reporter in (cpm, partner_user):
        html = page(client_for(reporter), activity)
        assert "Approved" in html and "Draft" in html


def test_an_empty_framework_tells_the_cpm_what_to_do_first(activity, cpm_client, viewer_client):
    html = page(cpm_client, activity)
    assert "No results framework yet" in html
    assert reverse("results:result_create", args=[activity.pk]) in html
    reader = page(viewer_client, activity)
    assert "has not set out its results yet" in reader
    assert reverse("results:result_create", args=[activity.pk]) not in reader


def test_an_indicator_without_periods_offers_annual_periods(activity, cpm_client):
    result = services.save_result(
        result=Result(activity=activity, type="1", title="Out"), user=None
    )
    indicator = services.save_indicator(
        indicator=Indicator(result=result, kind="quantitative", measure="1", title="Visits")
    )
    html = page(cpm_client, activity)
    assert "No reporting period yet" in html
    url = reverse("results:annual_periods", args=[indicator.pk])
    assert url in html
    response = cpm_client.post(url)
    assert response.status_code == 302
    assert list(indicator.periods.values_list("start", "end")) == [
        (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
    ]


def test_the_activity_page_links_to_its_results(activity, viewer_client):
    response = viewer_client.get(activity.get_absolute_url())
    assert reverse("results:activity", args=[activity.pk]) in response.text


# --- results and indicators -----------------------------------------------------------------------


def test_a_cpm_adds_a_result(activity, cpm, cpm_client):
    url = reverse("results:result_create", args=[activity.pk])
    body = {"type": "2", "side": "provider", "title": "Host institute's curriculum renewed"}
    response = cpm_client.post(url, body)
    result = Result.objects.get(activity=activity)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#result-{result.pk}")
    assert (result.type, result.side, result.created_by) == ("2", "provider", cpm)


def test_a_result_without_a_title_is_refused_naming_the_field(activity, cpm_client):
    url = reverse("results:result_create", args=[activity.pk])
    response = cpm_client.post(url, {"type": "2", "side": "all", "title": ""})
    assert response.status_code == 400
    assert errors_next_to(response.text, "id_title")
    assert not Result.objects.exists()


def test_adopting_a_core_indicator_takes_its_kind_unit_and_measure(activity, cpm_client):
    result = services.save_result(result=Result(activity=activity, type="2", title="R"), user=None)
    core = core_people_trained()
    sex = sex_dimension()
    response = cpm_client.post(
        reverse("results:indicator_create", args=[result.pk]),
        {
            "core": core.pk,
            "title": "Extension agents trained",
            "kind": "qualitative",  # ignored: the core indicator's own apply
            "unit": "agents",
            "measure": "2",
            "ascending": "on",
            "cumulative": "on",
            "baseline_value": "0",
            "baseline_year": "2024",
            "dimensions": [sex.pk],
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(result=result)
    assert (indicator.kind, indicator.unit, indicator.measure) == ("quantitative", "people", "1")
    assert list(indicator.dimensions.all()) == [sex]


def test_an_indicator_needs_a_kind_or_a_core_indicator(activity, cpm_client):
    result = services.save_result(result=Result(activity=activity, type="2", title="R"), user=None)
    response = cpm_client.post(
        reverse("results:indicator_create", args=[result.pk]), {"title": "Something"}
    )
    assert response.status_code == 400
    assert errors_next_to(response.text, "id_kind")
    assert not Indicator.objects.exists()


def test_the_kind_of_an_indicator_with_updates_stays(activity, cpm, cpm_client):
    trained, _policy = framework(activity)
    report(trained, cpm, "5")
    response = cpm_client.post(
        reverse("results:indicator_edit", args=[trained.pk]),
        {"title": "Farmers trained", "kind": "quantitative", "measure": "2", "unit": "%"},
    )
    assert response.status_code == 400
    assert any("stay" in e for e in errors_next_to(response.text, "id_kind"))
    trained.refresh_from_db()
    assert trained.core_id is not None


def test_deleting_a_result_asks_first_and_keeps_approved_values(activity, cpm, cpm_client):
    trained, _policy = framework(activity)
    url = reverse("results:result_delete", args=[trained.result_id])
    confirm = cpm_client.get(url)
    assert confirm.status_code == 200 and "Delete this result?" in confirm.text
    approved(trained, cpm, "10")
    refused = cpm_client.post(url)
    assert refused.status_code == 400 and "approved values" in refused.text
    assert Result.objects.filter(pk=trained.result_id).exists()


def test_deleting_a_result_without_approved_values(activity, cpm_client):
    trained, _policy = framework(activity)
    response = cpm_client.post(reverse("results:result_delete", args=[trained.result_id]))
    assert response.status_code == 302
    assert not Result.objects.exists() and not Period.objects.exists()


# --- periods --------------------------------------------------------------------------------------


def test_a_period_with_disaggregated_targets(activity, cpm_client):
    trained, _policy = framework(activity)
    sex = sex_dimension()
    women, men = value_of(sex, "Women"), value_of(sex, "Men")
    response = cpm_client.post(
        reverse("results:period_create", args=[trained.pk]),
        {
            "start": "2026-01-01",
            "end": "2026-12-31",
            "target_value": "200",
            f"part_{women.pk}": "120",
            f"part_{men.pk}": "80",
        },
    )
    assert response.status_code == 302
    period = trained.periods.get(start=datetime.date(2026, 1, 1))
    assert {p.dimension_value: p.value for p in period.target_parts.all()} == {
        women: Decimal(120),
        men: Decimal(80),
    }


def test_disaggregated_targets_over_the_total_are_refused(activity, cpm_client):
    trained, _policy = framework(activity)
    women = value_of(sex_dimension(), "Women")
    period = trained.periods.get()
    response = cpm_client.post(
        reverse("results:period_edit", args=[period.pk]),
        {
            "start": "2025-01-01",
            "end": "2025-12-31",
            "target_value": "50",
            f"part_{women.pk}": "90",
        },
    )
    assert response.status_code == 400
    assert any(
        "more than the total" in e for e in errors_next_to(response.text, f"id_part_{women.pk}")
    )
    period.refresh_from_db()
    assert period.target_value == Decimal(100)
    assert TargetDisaggregation.objects.filter(period=period).count() == 2


@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("id_start", {"start": "2027-01-01", "end": "2027-06-30"}),  # after the activity's end
        ("id_start", {"start": "2025-06-01", "end": "2025-08-31"}),  # overlaps 2025
        ("id_end", {"start": "2026-06-01", "end": "2026-01-01"}),
        ("id_target_value", {"start": "2026-01-01", "end": "2026-12-31", "target_value": "ten"}),
        ("id_target_value", {"start": "2026-01-01", "end": "2026-12-31", "target_value": "-3"}),
    ],
)
def test_bad_periods_are_refused_naming_the_field(activity, cpm_client, field, body):
    trained, _policy = framework(activity)
    response = cpm_client.post(reverse("results:period_create", args=[trained.pk]), body)
    assert response.status_code == 400
    assert errors_next_to(response.text, field)
    assert trained.periods.count() == 1


def test_a_period_with_updates_cannot_be_deleted(activity, cpm, cpm_client):
    trained, _policy = framework(activity)
    report(trained, cpm, "3")
    response = cpm_client.post(reverse("results:period_delete", args=[trained.periods.get().pk]))
    assert response.status_code == 400 and "cannot be deleted" in response.text
    assert trained.periods.count() == 1


# --- benefits, scaling up, related activities -----------------------------------------------------


def test_benefits_are_kept_per_side(activity, cpm_client):
    url = reverse("results:benefits", args=[activity.pk])
    assert cpm_client.get(url).status_code == 200
    body = {}
    for side in ("provider", "receiver", "broker", "all"):
        body |= {f"{side}-TOTAL_FORMS": "2", f"{side}-INITIAL_FORMS": "0"}
    body |= {
        "provider-0-description": "Staff of the host institute train abroad for the first time",
        "receiver-0-description": "Seed producers learn certification",
        "receiver-1-description": "A draft seed law",
    }
    response = cpm_client.post(url, body)
    assert response.status_code == 302
    rows = list(BenefitStream.objects.filter(activity=activity).values_list("side", "description"))
    assert rows == [
        ("provider", "Staff of the host institute train abroad for the first time"),
        ("receiver", "Seed producers learn certification"),
        ("receiver", "A draft seed law"),
    ]
    html = page(cpm_client, activity)
    assert "A draft seed law" in html and "Provider / host" in html


def test_the_scaling_up_pathway_and_its_money(activity, cpm_client, partner_org):
    url = reverse("results:pathway", args=[activity.pk])
    body = {
        "description": "National extension service adopts the curriculum",
        "champion": partner_org.pk,
        "investment": "The IFAD loan's second phase",
        "amount": "250000",
        "currency": "usd",
    }
    refused = cpm_client.post(url, {**body, "currency": ""})
    assert refused.status_code == 400 and errors_next_to(refused.text, "id_currency")
    assert not ScalingPathway.objects.exists()
    assert cpm_client.post(url, body).status_code == 302
    pathway = ScalingPathway.objects.get(activity=activity)
    assert (pathway.amount, pathway.currency, pathway.champion) == (
        Decimal("250000"),
        "USD",
        partner_org,
    )
    assert "The IFAD loan" in page(cpm_client, activity)


def test_related_activities_by_ssc_id_or_pick_show_both_ways(activity, cpm_client):
    programme = ActivityFactory(lead_division=division("LAC"), title="Regional programme")
    earlier = ActivityFactory(lead_division=division("LAC"), title="First route")
    url = reverse("results:relation_create", args=[activity.pk])
    by_id = cpm_client.post(url, {"type": "part_of", "related_ssc_id": programme.ssc_id})
    assert by_id.status_code == 302
    picked = cpm_client.post(url, {"type": "follow_up_of", "related_pick": str(earlier.pk)})
    assert picked.status_code == 302
    assert set(activity.relations.values_list("type", "related")) == {
        ("part_of", programme.pk),
        ("follow_up_of", earlier.pk),
    }
    other_side = page(cpm_client, programme)
    assert "Programme that includes" in other_side and activity.ssc_id in other_side
    assert "Followed up by" in page(cpm_client, earlier)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "part_of", "related_ssc_id": "SSC-1999-99"},
        {"type": "part_of", "related_ssc_id": "<i>x</i>"},
        {"type": "part_of"},
    ],
)
def test_an_unknown_related_activity_is_refused(activity, cpm_client, body):
    response = cpm_client.post(reverse("results:relation_create", args=[activity.pk]), body)
    assert response.status_code == 400
    assert errors_next_to(response.text, "id_related_ssc_id")
    assert not ActivityRelation.objects.exists()


def test_a_partner_cannot_link_an_activity_it_cannot_read(activity, cpm_client, focal):
    hidden = ActivityFactory(lead_division=division("APR"), visibility=Visibility.INTERNAL)
    dup = cpm_client.post(
        reverse("results:relation_create", args=[activity.pk]),
        {"type": "scaling_up_of", "related_ssc_id": hidden.ssc_id},
    )
    assert dup.status_code == 302  # a CPM reads every activity
    again = cpm_client.post(
        reverse("results:relation_create", args=[activity.pk]),
        {"type": "scaling_up_of", "related_ssc_id": hidden.ssc_id},
    )
    assert again.status_code == 400
    assert "already recorded" in " ".join(errors_next_to(again.text, "id_related_ssc_id"))


def test_removing_a_related_activity_asks_first(activity, cpm_client):
    other = ActivityFactory(lead_division=division("LAC"))
    relation = services.add_relation(
        relation=ActivityRelation(activity=activity, type="follow_up_of", related=other)
    )
    url = reverse("results:relation_delete", args=[relation.pk])
    assert "Remove this related activity?" in cpm_client.get(url).text
    assert cpm_client.post(url).status_code == 302
    assert not ActivityRelation.objects.exists()


# --- the core indicator library -------------------------------------------------------------------


def test_staff_read_the_library_with_how_many_activities_use_each(
    activity, viewer_client, partner_client
):
    framework(activity)
    other = dated(ActivityFactory(lead_division=division("LAC")))
    framework(other)
    response = viewer_client.get(reverse("results:library"))
    assert response.status_code == 200
    row = next(
        n for n in parse(response.text).iter() if n.tag == "tr" and "People trained" in n.text()
    )
    assert row.text().endswith(" 2")
    assert partner_client.get(reverse("results:library")).status_code == 403


def test_the_admin_keeps_a_used_core_indicators_kind(activity, focal_client):
    trained, _policy = framework(activity)
    report(trained, None, "4")
    core = trained.core
    url = reverse("admin:results_coreindicator_change", args=[core.pk])
    body = {
        "code": core.code,
        "title": core.title,
        "kind": "quantitative",
        "unit": "people",
        "measure": "2",
        "aggregation": "sum",
        "source": "updates",
        "position": "0",
        "is_active": "on",
    }
    response = focal_client.post(url, body)
    assert response.status_code == 200 and "can no longer change" in response.text
    assert CoreIndicator.objects.get(pk=core.pk).measure == "1"
    assert (
        focal_client.post(
            url, {**body, "measure": "1", "title": "People trained (all)"}
        ).status_code
        == 302
    )
    assert CoreIndicator.objects.get(pk=core.pk).title == "People trained (all)"


def test_the_admin_keeps_dimensions_and_their_values(focal_client):
    url = reverse("admin:results_dimension_add")
    one = focal_client.post(url, {"name": "Farm size", "values": "Small", "position": "1"})
    assert one.status_code == 200 and "at least two values" in one.text
    assert not Dimension.objects.filter(name="Farm size").exists()
    body = {"name": "Farm size", "values": "Small\nLarge\n", "position": "1", "is_active": "on"}
    body |= {"values-TOTAL_FORMS": "0", "values-INITIAL_FORMS": "0"}
    assert focal_client.post(url, body).status_code == 302
    dimension = Dimension.objects.get(name="Farm size")
    assert list(dimension.values.values_list("value", flat=True)) == ["Small", "Large"]


def test_the_services_refuse_negative_targets_and_baselines(activity):
    """The pages' fields refuse them first; the API comes straight to the services."""
    trained, _policy = framework(activity)
    period = trained.periods.get()
    period.target_value = Decimal(-1)
    with pytest.raises(services.ResultsError) as target:
        services.save_period(period=period)
    assert "target_value" in target.value.errors
    trained.baseline_value = Decimal("-0.5")
    with pytest.raises(services.ResultsError) as baseline:
        services.save_indicator(indicator=trained)
    assert "baseline_value" in baseline.value.errors


def test_text_in_a_disaggregated_target_is_refused_next_to_it(activity, cpm_client):
    trained, _policy = framework(activity)
    men = value_of(sex_dimension(), "Men")
    period = trained.periods.get()
    response = cpm_client.post(
        reverse("results:period_edit", args=[period.pk]),
        {
            "start": "2025-01-01",
            "end": "2025-12-31",
            "target_value": "100",
            f"part_{men.pk}": "forty",
        },
    )
    assert response.status_code == 400
    assert errors_next_to(response.text, f"id_part_{men.pk}")
    assert period.target_parts.get(dimension_value=men).value == Decimal(40)


def test_a_partner_implementer_reads_the_framework_without_its_editing_links(
    activity, partner_client
):
    trained, _policy = framework(activity)
    html = page(partner_client, activity)
    assert "Farmers trained" in html
    assert reverse("results:indicator_edit", args=[trained.pk]) not in html
    assert reverse("results:result_create", args=[activity.pk]) not in html
    assert (
        partner_client.get(reverse("results:indicator_edit", args=[trained.pk])).status_code == 403
    )
