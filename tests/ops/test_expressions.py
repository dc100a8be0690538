"""ssc_portal.expressions: IdsIn reads as `__in` does, without preparing each id."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import ActivityCountry
from ssc_portal.expressions import IdsIn
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def test_ids_in_writes_the_same_sql_and_finds_the_same_rows_as_in() -> None:
    activities = [ActivityFactory(), ActivityFactory(), ActivityFactory()]
    ids = [activities[0].pk, activities[2].pk]
    by_lookup = ActivityCountry.objects.filter(activity_id__in=ids).order_by("pk")
    by_expression = ActivityCountry.objects.filter(IdsIn("activity_id", ids)).order_by("pk")
    assert str(by_expression.query) == str(by_lookup.query)
    assert list(by_expression) == list(by_lookup)


def test_no_id_finds_nothing_without_a_query() -> None:
    ActivityFactory()
    with CaptureQueriesContext(connection) as queries:
        assert list(ActivityCountry.objects.filter(IdsIn("activity_id", []))) == []
    assert len(queries) == 0


def test_an_id_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValueError):
        IdsIn("activity_id", ["1 OR 1=1"])  # type: ignore[list-item]
