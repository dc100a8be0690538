"""What the apps above activities add to it is named in settings.ACTIVITY_EXTENSIONS, by dotted
path (activities/extensions.py), not filled in from their AppConfig.ready(): every entry loads
and is of its kind, and taking an entry out of the setting takes its contribution away."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from activities.extensions import extensions
from activities.filters import ActivityFilter, ListFilterExtension
from activities.merge_facts import merge_facts
from activities.models import Status
from finance.filters import ApiActivityFilter
from results.models import Update, UpdateStatus
from tests.factories import ActivityFactory
from tests.results.factories import dated, framework

WITHOUT = {kind: [] for kind in settings.ACTIVITY_EXTENSIONS}


def test_every_named_contribution_loads_and_is_of_its_kind() -> None:
    assert set(settings.ACTIVITY_EXTENSIONS) == {
        "list_filters",
        "merge_facts",
        "partner_reach",
        "approved_results",
    }
    assert all(isinstance(found, ListFilterExtension) for found in extensions("list_filters"))
    for kind in ("merge_facts", "partner_reach", "approved_results"):
        assert extensions(kind) and all(callable(found) for found in extensions(kind))


def test_the_list_page_gets_the_money_filters_and_the_api_keeps_its_documented_ones() -> None:
    assert {"money_from", "money_to", "with_money"} <= set(ActivityFilter().filters)
    assert not {"money_from", "money_to", "with_money"} & set(ApiActivityFilter().filters)
    with override_settings(ACTIVITY_EXTENSIONS=WITHOUT):
        assert "with_money" not in ActivityFilter().filters


@pytest.mark.django_db
def test_two_filter_sets_do_not_share_a_money_filter() -> None:
    first, second = ActivityFilter(), ActivityFilter()
    assert first.filters["with_money"] is not second.filters["with_money"]
    assert first.filters["with_money"].parent is first


@pytest.mark.django_db
def test_the_list_page_shows_the_money_filters_only_while_finance_adds_them(
    focal_client: Client,
) -> None:
    page = focal_client.get(reverse("activities:list"))
    assert 'name="with_money"' in page.content.decode()
    with override_settings(ACTIVITY_EXTENSIONS=WITHOUT):
        page = focal_client.get(reverse("activities:list"))
    assert 'name="with_money"' not in page.content.decode()


@pytest.mark.django_db
def test_without_the_results_entry_approved_results_no_longer_stand_for_the_outcomes() -> None:
    activity = dated(ActivityFactory(status=Status.ONGOING), "2025-01-01", "2025-12-31")
    trained, _policy = framework(activity)
    Update.objects.create(
        period=trained.periods.get(), value=Decimal(12), status=UpdateStatus.APPROVED
    )
    assert "outcomes" not in activity.missing_status_facts(Status.COMPLETED)
    with override_settings(ACTIVITY_EXTENSIONS=WITHOUT):
        missing = activity.missing_status_facts(Status.COMPLETED)
        facts = merge_facts([activity.pk])
    assert "outcomes" in missing
    assert facts == {activity.pk: []}
    assert merge_facts([activity.pk])[activity.pk]  # the results' facts are back
