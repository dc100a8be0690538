"""The results pages issue a fixed number of SQL queries, however large the framework."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from accounts.models import User
from activities.models import Activity
from results import services
from results.models import ActivityRelation, BenefitStream, Result, ScalingPathway
from tests.factories import ActivityFactory, division, make_partner_org, make_role_user
from tests.helpers import shared_transaction
from tests.results.factories import dated, framework, sex_dimension, value_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]


def _count(client: Client, url: str) -> int:
    client.get(url)  # warm caches (sessions, content types) so both sides are comparable
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _framework_of(activity: Activity, results: int, user) -> None:  # type: ignore[no-untyped-def]
    """`results` outcomes, each with a disaggregated core indicator (approved update, draft)
    and a qualitative one (approved); benefits per result, related activities both ways."""
    sex = sex_dimension()
    for n in range(results):
        trained, policy = framework(activity)
        Result.objects.filter(pk=trained.result_id).update(title=f"Result {n}")
        update = services.save_update(
            period=trained.periods.get(),
            data=services.UpdateData(
                value=Decimal(10 + n), parts={value_of(sex, "Women"): Decimal(n)}
            ),
            user=user,
        )
        services.approve_update(update=services.submit_update(update=update, user=user), user=user)
        services.save_update(
            period=trained.periods.get(), data=services.UpdateData(value=Decimal(1)), user=user
        )
        answer = services.save_update(
            period=policy.periods.get(),
            data=services.UpdateData(narrative="Drafted", achieved=True),
            user=user,
        )
        services.approve_update(update=services.submit_update(update=answer, user=user), user=user)
        BenefitStream.objects.create(activity=activity, side="receiver", description=f"B{n}")
        other = ActivityFactory(lead_division=division("LAC"))
        ActivityRelation.objects.create(activity=activity, type="follow_up_of", related=other)
        ActivityRelation.objects.create(activity=other, type="part_of", related=activity)
    ScalingPathway.objects.get_or_create(activity=activity, defaults={"description": "Wider"})


@dataclass
class Frameworks:
    small: Activity  # one result
    large: Activity  # ten results
    users: dict[str, User]  # by role


@pytest.fixture(scope="class")
def frameworks(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Frameworks]:
    """Building the frameworks through the services cost more than counting a page's queries:
    built once for the four roles (tests.helpers.shared_transaction)."""
    with shared_transaction(django_db_blocker):
        partner_org = make_partner_org()
        users = {role: make_role_user(role) for role in ("focal", "cpm", "viewer")}
        users["partner_user"] = make_role_user("partner", partner=partner_org)
        small = dated(ActivityFactory(lead_division=division("LAC"), partners=[partner_org]))
        large = dated(ActivityFactory(lead_division=division("LAC"), partners=[partner_org]))
        _framework_of(small, 1, users["cpm"])
        _framework_of(large, 10, users["cpm"])
        yield Frameworks(small, large, users)


class TestOnTwoFrameworks:
    """The roles' cases on the same two frameworks (frameworks: built once for them)."""

    @pytest.mark.parametrize("role", ["focal", "cpm", "viewer", "partner_user"])
    def test_the_results_page_queries_do_not_grow_with_the_framework(
        self,
        role: str,
        frameworks: Frameworks,
        client_for: Callable[[User | None], Client],
        db: None,
    ) -> None:
        client = client_for(frameworks.users[role])
        one = _count(client, reverse("results:activity", args=[frameworks.small.pk]))
        ten = _count(client, reverse("results:activity", args=[frameworks.large.pk]))
        assert one == ten, f"{role}: {one} queries for 1 result, {ten} for 10"
        assert ten <= 25, f"{role}: {ten} queries"
        print(f"results page, {role}: {one} queries for 1 result, {ten} for 10")
