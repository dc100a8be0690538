"""The results dashboard's pages: the figures as the page, the workbook and the list of the
activities behind them show them, the filters, the empty states, and constant query counts."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from results import services
from results.models import CoreIndicator, Indicator, Update
from tests.factories import ActivityFactory, division
from tests.results.factories import core_people_trained, dated, framework, sex_dimension, value_of

pytestmark = pytest.mark.django_db


def approve(indicator: Indicator, value: str) -> Update:
    sex = sex_dimension()
    update = services.save_update(
        period=indicator.periods.get(),
        data=services.UpdateData(
            value=Decimal(value),
            parts={value_of(sex, "Women"): Decimal(value) / 2},
        ),
        user=None,
    )
    return services.approve_update(
        update=services.submit_update(update=update, user=None), user=None
    )


def reported_activity(code: str = "LAC", value: str = "30") -> Indicator:
    activity = dated(ActivityFactory(lead_division=division(code), countries=["BR"]))
    trained, _ = framework(activity)
    approve(trained, value)
    return trained


def test_the_focal_point_sees_each_core_indicator_with_its_target_and_actual(focal_client):
    trained = reported_activity()
    response = focal_client.get(reverse("results:dashboard"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "People trained" in text
    assert 'data-figure="actual">30<' in text
    assert 'data-figure="target">100<' in text
    assert 'data-chart="core-' in text
    assert "results-dashboard-data" in text
    list_url = reverse("results:dashboard_activities", args=[trained.core_id])
    assert list_url in text


def test_a_draft_or_submitted_update_is_not_on_the_dashboard(focal_client):
    activity = dated(ActivityFactory())
    trained, _ = framework(activity)
    update = services.save_update(
        period=trained.periods.get(), data=services.UpdateData(value=Decimal(9)), user=None
    )
    services.submit_update(update=update, user=None)
    text = focal_client.get(reverse("results:dashboard")).content.decode()
    assert 'data-figure="actual">\N{EN DASH}<' in text
    assert 'data-state="nothing-reported"' in text


def test_the_filters_narrow_the_figures_and_name_a_bad_parameter(focal_client):
    reported_activity("LAC", "30")
    reported_activity("ESA", "12")
    url = reverse("results:dashboard")
    assert 'data-figure="actual">42<' in focal_client.get(url).content.decode()
    assert 'data-figure="actual">12<' in focal_client.get(url + "?division=ESA").content.decode()
    assert "nothing-reported" in focal_client.get(url + "?year_from=2026").content.decode()
    refused = focal_client.get(url + "?year_from=2026&year_to=2025&division=XXX")
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "To year: " in text and "Lead division: " in text


def test_the_activities_behind_a_figure_with_their_contribution(focal_client):
    trained = reported_activity("LAC", "30")
    other = reported_activity("ESA", "12")
    url = reverse("results:dashboard_activities", args=[trained.core_id])
    text = focal_client.get(url).content.decode()
    assert text.index(trained.result.activity.title) < text.index(other.result.activity.title)
    assert reverse("activities:detail", args=[trained.result.activity_id]) in text
    assert '<td class="num nowrap" data-actual>30</td>' in text
    one_division = focal_client.get(url + "?division=ESA").content.decode()
    assert other.result.activity.title in one_division
    assert trained.result.activity.title not in one_division
    empty = focal_client.get(url + "?year_from=2026").content.decode()
    assert "No activity behind this figure" in empty
    assert focal_client.get(url + "?page=999999999999999999999").status_code == 200


def test_an_inactive_core_indicator_has_no_list(focal_client):
    trained = reported_activity()
    CoreIndicator.objects.filter(pk=trained.core_id).update(is_active=False)
    url = reverse("results:dashboard_activities", args=[trained.core_id])
    assert focal_client.get(url).status_code == 404
    # With the whole library retired, the dashboard says so.
    CoreIndicator.objects.update(is_active=False)
    text = focal_client.get(reverse("results:dashboard")).content.decode()
    assert "No core indicators yet" in text


def test_the_workbook_holds_the_page_figures_under_the_same_names(focal_client):
    reported_activity("LAC", "30")
    reported_activity("ESA", "12.5")
    response = focal_client.get(reverse("results:dashboard_xlsx") + "?division=LAC&division=ESA")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = next(row for row in rows if row and row[0] == "Core indicator")
    line = next(row for row in rows if row and row[0] == core_people_trained().title)
    figures = dict(zip(header, line, strict=True))
    assert Decimal(str(figures["Actual"])) == Decimal("42.5")
    assert Decimal(str(figures["Target"])) == Decimal(200)
    assert figures["Activities"] == 2
    assert book.worksheets[1]["A1"].value == "Year"
    assert focal_client.get(reverse("results:dashboard_xlsx") + "?year_to=x").status_code == 400


def test_the_dashboard_and_the_list_take_the_same_queries_whatever_the_portfolio(
    focal_client, django_assert_max_num_queries
):
    trained = reported_activity()
    url = reverse("results:dashboard")
    list_url = reverse("results:dashboard_activities", args=[trained.core_id])
    with django_assert_max_num_queries(100) as few:
        focal_client.get(url)
    with django_assert_max_num_queries(100) as few_list:
        focal_client.get(list_url)
    for code in ("ESA", "WCA", "APR", "LAC"):
        reported_activity(code)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert focal_client.get(url + "?division=LAC&country=BR").status_code == 200
    with django_assert_max_num_queries(len(few_list.captured_queries)):
        assert focal_client.get(list_url).status_code == 200
