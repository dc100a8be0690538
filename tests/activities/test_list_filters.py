"""The activity list's sorts and filters whose queries were reshaped for 100,000 activities: they
find exactly what they found before."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import F
from django.db.models.signals import post_init
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from accounts.models import User
from activities.duplicate_pairs import MergedVia
from activities.filters import ActivityFilter
from activities.models import Activity, Country, Status, status_rank
from activities.services import merge_activities
from tests.factories import ActivityFactory, PartnerFactory, division

pytestmark = pytest.mark.django_db

URL = reverse("activities:list")


def _listed(client: Client, **params: str) -> list[int]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return [activity.pk for activity in response.context["activities"]]


def test_sorting_by_status_follows_the_lifecycle_newest_first_within_a_status(
    cpm_client: Client,
) -> None:
    closed = ActivityFactory(status=Status.CLOSED)
    first_pipeline = ActivityFactory(status=Status.PIPELINE)
    ongoing = ActivityFactory(status=Status.ONGOING)
    second_pipeline = ActivityFactory(status=Status.PIPELINE)
    suspended = ActivityFactory(status=Status.SUSPENDED)
    assert _listed(cpm_client, ordering="status") == [
        second_pipeline.pk,
        first_pipeline.pk,
        ongoing.pk,
        suspended.pk,
        closed.pk,
    ]


def test_the_status_sort_reads_the_index_built_on_the_same_expression() -> None:
    # PostgreSQL reads the index only for the very expression it was built on.
    index = next(i for i in Activity._meta.indexes if i.name == "activity_status_rank_idx")
    assert index.expressions[0] == status_rank()
    assert index.expressions[1] == F("id").desc()


def test_partner_name_finds_the_activities_of_organizations_whose_name_or_acronym_has_it(
    cpm_client: Client,
) -> None:
    ministry = PartnerFactory(name="Ministry of Agriculture")
    acronym = PartnerFactory(name="Instituto Nacional", acronym="MINAGRI")
    other = PartnerFactory(name="Farmers' union")
    by_name = ActivityFactory(partners=[ministry])
    by_acronym = ActivityFactory(partners=[acronym])
    ActivityFactory(partners=[other])
    assert set(_listed(cpm_client, partner_name="ministry")) == {by_name.pk}
    assert set(_listed(cpm_client, partner_name="minagri")) == {by_acronym.pk}
    assert set(_listed(cpm_client, partner_name="MIN")) == {by_name.pk, by_acronym.pk}


def test_partner_name_of_no_organization_finds_nothing(cpm_client: Client) -> None:
    ActivityFactory(partners=[PartnerFactory(name="Ministry of Agriculture")])
    assert _listed(cpm_client, partner_name="cooperative") == []


def test_only_my_activities_lists_a_cpms_patch(cpm: User, cpm_client: Client) -> None:
    own_division = ActivityFactory()
    responsible = ActivityFactory(lead_division=division("WCA"), responsible_cpm=cpm)
    ActivityFactory(lead_division=division("APR"))
    assert set(_listed(cpm_client, mine="1")) == {own_division.pk, responsible.pk}


def test_only_my_activities_lists_nothing_for_a_viewer(viewer_client: Client) -> None:
    ActivityFactory()
    assert _listed(viewer_client, mine="1") == []


def test_only_my_activities_reads_the_cpms_divisions_as_a_list(
    cpm: User, cpm_client: Client
) -> None:
    # `lead_division_id IN (...)`, not a subquery of the CPM's divisions or of every activity.
    ActivityFactory()
    with CaptureQueriesContext(connection) as queries:
        cpm_client.get(URL, {"mine": "1"})
    counted = next(q["sql"] for q in queries if q["sql"].startswith("SELECT COUNT(*)"))
    # No sub-select at all: nothing is merged away (test_merged_away_activities_are_a_list).
    assert re.findall(r'FROM "(\w+)"', counted) == ["activities_activity"]
    assert '"lead_division_id" IN (' in counted


def test_merged_away_activities_are_a_list(focal: User, cpm_client: Client) -> None:
    # Their ids, read first, as a list (none: no condition), not a probe of the merges per
    # activity counted; never the reverse relation's LEFT JOIN ... IS NULL, which made
    # PostgreSQL guess a few hundred rows out of 100,000 and sort every activity for each page
    # (benchmarks/README.md, load, 2026-12-07).
    keep, remove = ActivityFactory(), ActivityFactory()

    def listed() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            cpm_client.get(URL, {"ordering": "-updated"})
        starts = ('SELECT "activities_activity".', 'SELECT COUNT(*) AS "__count" FROM "activities_')
        return [q["sql"] for q in queries if q["sql"].startswith(starts)]

    before = listed()
    assert len(before) == 2  # the count and the page
    for sql in before:
        assert "activities_activitymerge" not in sql
    merge_activities(
        keep=keep,
        remove=remove,
        user=focal,
        keep_version=None,
        remove_version=None,
        via=MergedVia.FORM,
    )
    after = listed()
    assert len(after) == 2
    for sql in after:
        assert f'NOT ("activities_activity"."id" IN ({remove.pk}))' in sql
        assert "activities_activitymerge" not in sql


@pytest.mark.parametrize("name", ["country", "provider", "receiver"])
def test_the_country_selects_name_every_country_in_the_language_from_plain_rows(
    name: str,
) -> None:
    built: list[object] = []

    def count(sender: type, instance: object, **kwargs: object) -> None:
        built.append(instance)

    post_init.connect(count, sender=Country)
    try:
        with override("fr"):
            html = str(ActivityFilter({name: "DE"}, queryset=Activity.objects.all()).form[name])
    finally:
        post_init.disconnect(count, sender=Country)
    assert '<option value="DE" selected>Allemagne</option>' in html
    assert html.count("<option") == Country.objects.count() + 1
    # Plain rows: no Country instance (with its aliases and pattern) per option; the one
    # chosen is read when the form is checked.
    assert len(built) <= 1
