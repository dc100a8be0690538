"""Likely duplicates: the scoring, the candidate query and the decisions that silence a pair."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from accounts.models import User
from activities.duplicates import (
    THRESHOLD,
    Facts,
    score,
    similarity,
    suggest,
    trigrams,
    year_span,
)
from activities.models import DuplicatePair, FoundVia, PairState
from tests.factories import ActivityFactory, PartnerFactory, activity_data, country

TITLE = "Learning route on inclusive rice value chains (Brazil - Mozambique)"


def facts(**overrides: object) -> Facts:
    values: dict[str, object] = {
        "title": TITLE,
        "countries": frozenset({1, 2}),
        "partners": frozenset({10}),
        "years": (2024, 2025),
    }
    values.update(overrides)
    return Facts(**values)  # type: ignore[arg-type]


def test_trigrams_follow_pg_trgm_padding() -> None:
    assert trigrams("Cat") == {"  c", " ca", "cat", "at "}
    assert trigrams("") == frozenset()


def test_similarity_ignores_case_and_punctuation() -> None:
    assert similarity("Rice, value chains", "rice value CHAINS") == 1.0
    assert similarity("rice", "") == 0.0
    assert 0 < similarity("rice value chains", "rice value chain") < 1


@pytest.mark.django_db
def test_python_similarity_agrees_with_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    pairs = [(TITLE, TITLE.lower()), (TITLE, "Study tour on dairy (Kenya)"), ("a-b c", "abc")]
    with connection.cursor() as cursor:
        for left, right in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [left, right])
            assert cursor.fetchone()[0] == pytest.approx(similarity(left, right), abs=1e-6)


def test_year_span_reads_whatever_the_activity_records() -> None:
    assert year_span(None, None, None, None, None) is None
    assert year_span(2023, None, None, None, None) == (2023, 2023)
    assert year_span(None, date(2022, 5, 1), date(2024, 1, 1), None, None) == (2022, 2024)
    assert year_span(2021, date(2022, 5, 1), None, date(2022, 6, 1), date(2023, 1, 1)) == (
        2021,
        2023,
    )


def test_identical_facts_score_one_and_unrelated_score_low() -> None:
    assert score(facts(), facts()) == pytest.approx(1.0)
    unrelated = facts(
        title="Study tour on dairy",
        countries=frozenset({7}),
        partners=frozenset(),
        years=(2001, 2001),
    )
    assert score(facts(), unrelated) < 0.2


def test_a_fact_the_new_activity_leaves_out_does_not_count_against() -> None:
    without_partners = facts(partners=frozenset())
    old = facts(partners=frozenset({99}))
    assert score(without_partners, old) == pytest.approx(1.0)
    assert score(facts(), old) < THRESHOLD + 0.2


def test_years_far_apart_lower_the_score() -> None:
    near = score(facts(), facts(years=(2026, 2026)))
    far = score(facts(), facts(years=(2010, 2011)))
    assert score(facts(), facts()) > near > far


@pytest.mark.django_db
def test_suggests_the_retyped_activity_with_its_reasons(focal: User) -> None:
    partner = PartnerFactory(name="Rural Women's Network")
    original = ActivityFactory(
        title=TITLE, countries=["BR", ("MZ", "receiver")], partners=[partner]
    )
    ActivityFactory(title="Study tour on dairy (Brazil)", countries=["BR"], approval_year=2024)
    ActivityFactory(title=TITLE, countries=["KE"], approval_year=2024)  # shares nothing
    data = activity_data(
        title="Learning route on inclusive rice value chain (Mozambique - Brazil)",
        partners=[(partner, ["implementer"])],
    )
    found = suggest(Facts.of_data(data), focal)
    assert [m.activity for m in found] == [original]
    reasons = found[0].reasons()
    assert "same countries: Brazil, Mozambique" in reasons
    assert "overlapping years" in reasons
    assert "shared partners: Rural Women's Network" in reasons


@pytest.mark.django_db
def test_no_suggestion_outside_the_years(focal: User) -> None:
    ActivityFactory(title=TITLE, countries=["BR", "MZ"], approval_year=2010)
    assert suggest(Facts.of_data(activity_data(title=TITLE)), focal) == []


@pytest.mark.django_db
def test_suggestions_only_among_what_the_user_reads(cpm: User, focal: User) -> None:
    hidden = ActivityFactory(title=TITLE, countries=["BR", "MZ"])
    new = Facts.of_data(activity_data(title=TITLE))
    readable = {m.activity.pk for m in suggest(new, cpm)}
    expected = set(
        type(hidden).objects.visible_to(cpm).filter(pk=hidden.pk).values_list("pk", flat=True)
    )
    assert readable == expected
    assert [m.activity for m in suggest(new, focal)] == [hidden]


@pytest.mark.django_db
def test_a_pair_told_apart_is_not_suggested_again(focal: User) -> None:
    first = ActivityFactory(title=TITLE, countries=["BR", "MZ"])
    second = ActivityFactory(title=TITLE, countries=["BR", "MZ"])
    assert [m.activity for m in suggest(Facts.of_activity(second), focal)] == [first]
    DuplicatePair.objects.create(
        first=first, second=second, score=90, state=PairState.DIFFERENT, found_via=FoundVia.FORM
    )
    assert suggest(Facts.of_activity(second), focal) == []
    assert suggest(Facts.of_activity(first), focal) == []


@pytest.mark.django_db
def test_suggestions_take_a_fixed_number_of_queries(
    focal: User, django_assert_max_num_queries: object
) -> None:
    partner = PartnerFactory()
    for n in range(12):
        ActivityFactory(
            title=f"{TITLE} {n}", countries=["BR", "MZ", country("AR")], partners=[partner]
        )
    new = Facts.of_data(activity_data(title=TITLE, partners=[(partner, ["implementer"])]))
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        assert len(suggest(new, focal)) == 5
