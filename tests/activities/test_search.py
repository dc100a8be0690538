"""The activity list's text search (ActivityQuerySet.search, the list's `q` and the API's
`search`): what it finds, and that PostgreSQL can answer each of its branches from an index."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.models import QuerySet

from activities.models import Activity, ActivityText, Visibility
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db


def _found(text: str, queryset: QuerySet[Activity] | None = None) -> set[str]:
    queryset = Activity.objects.all() if queryset is None else queryset
    return set(queryset.search(text).values_list("ssc_id", flat=True))


def test_the_search_finds_the_title_the_summary_the_ssc_id_and_the_other_languages() -> None:
    ActivityFactory(ssc_id="SSC-2099-001", title="Learning route on rural microfinance")
    ActivityFactory(ssc_id="SSC-2099-002", summary="Visits to MICROFINANCE institutions.")
    other = ActivityFactory(ssc_id="SSC-2099-003", title="Route d'apprentissage")
    ActivityText.objects.create(
        activity=other, language="fr", title="Microfinance rurale", summary=""
    )
    ActivityFactory(ssc_id="SSC-2099-004", title="Exposure visit on irrigation")

    assert _found("microfinance") == {"SSC-2099-001", "SSC-2099-002", "SSC-2099-003"}
    assert _found("ssc-2099-004") == {"SSC-2099-004"}
    assert _found("  ") == {"SSC-2099-001", "SSC-2099-002", "SSC-2099-003", "SSC-2099-004"}
    assert _found("nothing like it") == set()


def test_an_activity_matched_by_several_texts_is_listed_once() -> None:
    activity = ActivityFactory(title="Rural finance", summary="Rural finance in practice")
    for language in ("fr", "es"):
        ActivityText.objects.create(activity=activity, language=language, title="Rural finance")

    assert list(Activity.objects.search("rural finance")) == [activity]
    assert Activity.objects.search("rural finance").count() == 1


def test_the_search_keeps_the_other_filters() -> None:
    ActivityFactory(ssc_id="SSC-2099-001", title="Rice value chains", visibility=Visibility.PUBLIC)
    ActivityFactory(
        ssc_id="SSC-2099-002", title="Rice value chains", visibility=Visibility.INTERNAL
    )

    public = Activity.objects.filter(visibility=Visibility.PUBLIC)
    assert _found("rice", public) == {"SSC-2099-001"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_every_branch_of_the_search_can_be_read_from_an_index() -> None:
    # With sequential scans priced out, a plan still reads a table in full only where a branch
    # has no index: an OR with a subquery, or the SSC ID compared without its UPPER index, made
    # PostgreSQL test the texts of every activity of a 100,000-row list (benchmarks/README.md).
    ActivityFactory(title="Rice value chains")
    query = Activity.objects.search("rice").values("pk")
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    for index in (
        "activity_title_trgm",
        "activity_summary_trgm",
        "activity_ssc_id_upper_idx",
        "activity_text_title_trgm",
        "activity_text_summary_trgm",
    ):
        assert index in plan, plan
