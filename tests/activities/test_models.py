"""Rules about one object: scope, status transitions, date checks, SSC IDs, name matching."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from activities.country_names import CountryMatcher
from activities.models import (
    STATUS_TRANSITIONS,
    Activity,
    Country,
    CountryRole,
    FundingNature,
    Scope,
    Status,
    derive_scope,
    next_ssc_id,
    normalize_name,
)
from tests.factories import ActivityFactory, country


def _country(division_id: int | None) -> Country:
    return Country(iso2="XX", iso3="XXX", name="Somewhere", division_id=division_id)


# --- derive_scope ------------------------------------------------------------------------------


def test_scope_is_global_without_countries() -> None:
    assert derive_scope([]) == Scope.GLOBAL


def test_scope_is_national_for_one_country() -> None:
    assert derive_scope([_country(1)]) == Scope.NATIONAL


def test_scope_is_intraregional_within_one_division() -> None:
    assert derive_scope([_country(1), _country(1), _country(1)]) == Scope.INTRAREGIONAL


def test_scope_is_interregional_across_two_divisions() -> None:
    assert derive_scope([_country(1), _country(2), _country(2)]) == Scope.INTERREGIONAL


def test_scope_is_global_across_three_divisions() -> None:
    assert derive_scope([_country(1), _country(2), _country(3)]) == Scope.GLOBAL


def test_scope_accepts_a_generator() -> None:
    assert derive_scope(c for c in [_country(1), _country(2)]) == Scope.INTERREGIONAL


@pytest.mark.django_db
def test_activity_scope_uses_its_countries() -> None:
    activity = ActivityFactory(countries=["BR", ("PE", CountryRole.RECEIVER)])
    assert activity.scope == Scope.INTRAREGIONAL
    activity = ActivityFactory(countries=["BR", ("MZ", CountryRole.RECEIVER)])
    assert activity.scope == Scope.INTERREGIONAL


@pytest.mark.django_db
def test_providers_and_receivers_count_both_role_on_each_side() -> None:
    activity = ActivityFactory(
        countries=["BR", ("MZ", CountryRole.RECEIVER), ("IN", CountryRole.BOTH)]
    )
    assert {c.iso2 for c in activity.providers} == {"BR", "IN"}
    assert {c.iso2 for c in activity.receivers} == {"MZ", "IN"}


# --- status transitions ------------------------------------------------------------------------


def test_every_status_has_a_transition_entry() -> None:
    assert set(STATUS_TRANSITIONS) == set(Status.values)


def test_transitions_only_name_known_statuses() -> None:
    for targets in STATUS_TRANSITIONS.values():
        assert set(targets) <= set(Status.values)


@pytest.mark.django_db
@pytest.mark.parametrize("final", [Status.CLOSED, Status.CANCELLED])
def test_closed_and_cancelled_are_final(final: str) -> None:
    activity = Activity(status=final)
    assert activity.allowed_next_statuses == ()
    assert not any(activity.can_move_to(s) for s in Status.values if s != final)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.PIPELINE, Status.APPROVED),
        (Status.PIPELINE, Status.CANCELLED),
        (Status.APPROVED, Status.ONGOING),
        (Status.ONGOING, Status.COMPLETED),
        (Status.ONGOING, Status.SUSPENDED),
        (Status.SUSPENDED, Status.ONGOING),
        (Status.COMPLETED, Status.CLOSED),
        (Status.COMPLETED, Status.ONGOING),
    ],
)
def test_allowed_transition(current: str, target: str) -> None:
    assert Activity(status=current).can_move_to(target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (Status.PIPELINE, Status.ONGOING),
        (Status.PIPELINE, Status.COMPLETED),
        (Status.PIPELINE, Status.CLOSED),
        (Status.APPROVED, Status.PIPELINE),
        (Status.ONGOING, Status.CLOSED),
        (Status.CLOSED, Status.ONGOING),
        (Status.CANCELLED, Status.PIPELINE),
    ],
)
def test_refused_transition(current: str, target: str) -> None:
    assert not Activity(status=current).can_move_to(target)


def test_staying_in_the_same_status_is_allowed() -> None:
    assert Activity(status=Status.CLOSED).can_move_to(Status.CLOSED)


def test_new_activity_starts_in_pipeline() -> None:
    assert Activity().status == Status.PIPELINE


# --- Activity.clean ----------------------------------------------------------------------------

DAY = datetime.date(2024, 5, 1)


@pytest.mark.parametrize("prefix", ["planned", "actual"])
def test_end_before_start_is_refused_on_the_end_field(prefix: str) -> None:
    activity = Activity(
        **{f"{prefix}_start": DAY, f"{prefix}_end": DAY - datetime.timedelta(days=1)}
    )
    with pytest.raises(ValidationError) as caught:
        activity.clean()
    assert caught.value.message_dict == {
        f"{prefix}_end": ["The end date cannot be before the start date."]
    }


@pytest.mark.parametrize("prefix", ["planned", "actual"])
def test_end_on_the_start_day_is_accepted(prefix: str) -> None:
    Activity(**{f"{prefix}_start": DAY, f"{prefix}_end": DAY}).clean()


def test_open_ended_dates_are_accepted() -> None:
    Activity(planned_start=DAY, actual_end=DAY).clean()


def test_both_date_pairs_are_reported_at_once() -> None:
    earlier = DAY - datetime.timedelta(days=3)
    activity = Activity(
        planned_start=DAY, planned_end=earlier, actual_start=DAY, actual_end=earlier
    )
    with pytest.raises(ValidationError) as caught:
        activity.clean()
    assert set(caught.value.message_dict) == {"planned_end", "actual_end"}


@pytest.mark.parametrize("year", [1977, 2101])
def test_approval_year_out_of_range_is_refused(year: int) -> None:
    with pytest.raises(ValidationError) as caught:
        Activity(approval_year=year).clean()
    assert "approval_year" in caught.value.message_dict


@pytest.mark.parametrize("year", [1978, 2024, 2100])
def test_approval_year_in_range_is_accepted(year: int) -> None:
    Activity(approval_year=year).clean()


def test_youth_cannot_outnumber_women_and_men() -> None:
    with pytest.raises(ValidationError) as caught:
        Activity(participants_women=3, participants_men=2, participants_youth=6).clean()
    assert "participants_youth" in caught.value.message_dict
    Activity(participants_women=3, participants_men=2, participants_youth=5).clean()


def test_participants_total_is_none_when_unknown() -> None:
    assert Activity().participants_total is None
    assert Activity(participants_women=4).participants_total == 4


def test_year_falls_back_from_approval_to_actual_to_planned_start() -> None:
    assert Activity(approval_year=2020, actual_start=DAY).year == 2020
    assert Activity(actual_start=DAY, planned_start=datetime.date(2019, 1, 1)).year == 2024
    assert Activity(planned_start=datetime.date(2019, 1, 1)).year == 2019
    assert Activity().year is None


def test_missing_project_id_flags_in_project_rows_only() -> None:
    assert Activity(funding_nature=FundingNature.IN_PROJECT, project_id=" ").missing_project_id
    assert not Activity(
        funding_nature=FundingNature.IN_PROJECT, project_id="2000001234"
    ).missing_project_id
    assert not Activity(funding_nature=FundingNature.GRANT).missing_project_id


# --- next_ssc_id -------------------------------------------------------------------------------


def test_first_ssc_id_of_a_year_is_01() -> None:
    assert next_ssc_id(2025, []) == "SSC-2025-01"


def test_next_ssc_id_follows_the_highest_number_of_that_year() -> None:
    taken = ["SSC-2025-01", "SSC-2025-07", "SSC-2025-03", "SSC-2024-40"]
    assert next_ssc_id(2025, taken) == "SSC-2025-08"


def test_next_ssc_id_ignores_other_years_and_malformed_ids() -> None:
    assert next_ssc_id(2025, ["SSC-2024-12", "SSC-2025-X1", "SSC-2025-"]) == "SSC-2025-01"


def test_next_ssc_id_grows_past_two_digits() -> None:
    assert next_ssc_id(2025, ["SSC-2025-99"]) == "SSC-2025-100"


# --- normalize_name ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "Ministry of Agriculture",
        "  ministry   of agriculture ",
        "MINISTRY OF AGRICULTURE",
        "Ministry-of-Agriculture",
        "Ministry of Agriculture.",
    ],
)
def test_normalize_name_ignores_case_spacing_and_punctuation(variant: str) -> None:
    assert normalize_name(variant) == "ministry of agriculture"


def test_normalize_name_keeps_different_names_apart() -> None:
    assert normalize_name("Ministry of Agriculture") != normalize_name("Ministry of Agricultures")


# --- CountryMatcher ----------------------------------------------------------------------------


# Tests using the matcher are marked django_db although they do not write: pytest-django runs
# unmarked tests after the transactional (browser) tests, whose flush removes the countries.
@pytest.fixture(scope="module")
def matcher(django_db_setup: None, django_db_blocker) -> CountryMatcher:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        return CountryMatcher(Country.objects.all())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "iso2"),
    [
        ("Viet Nam", "VN"),
        ("Vietnam", "VN"),
        ("Lao PDR", "LA"),
        ("Lao People's Democratic Republic", "LA"),
        ("Bolivia (Plurinational State of)", "BO"),
        ("Bolivia, Plurinational State of", "BO"),
        ("Bolivia", "BO"),
        ("Iran", "IR"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Swaziland", "SZ"),
        ("Eswatini", "SZ"),
        ("brazil", "BR"),
        ("  Brazil  ", "BR"),
        ("BRA", "BR"),
        ("br", "BR"),
        ("Côte d'Ivoire", "CI"),
        ("Cote d'Ivoire", "CI"),
        ("Guinea-Bissau", "GW"),
        ("Guinea", "GN"),
    ],
)
def test_matcher_recognizes_names_as_people_write_them(
    matcher: CountryMatcher, text: str, iso2: str
) -> None:
    found = matcher.match(text)
    assert found is not None, text
    assert found.iso2 == iso2


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "Westeros"])
def test_matcher_returns_none_for_unknown_names(matcher: CountryMatcher, text: str) -> None:
    assert matcher.match(text) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    ["Brazil; Viet Nam; Lao PDR", "Brazil, Viet Nam, Lao PDR", "Brazil - Viet Nam - Lao PDR"],
)
def test_matcher_splits_lists_on_semicolons_commas_and_dashes(
    matcher: CountryMatcher, text: str
) -> None:
    found, unknown = matcher.match_list(text)
    assert [c.iso2 for c in found] == ["BR", "VN", "LA"]
    assert unknown == []


@pytest.mark.django_db
def test_matcher_splits_lines(matcher: CountryMatcher) -> None:
    found, unknown = matcher.match_list("Brazil\nMozambique")
    assert [c.iso2 for c in found] == ["BR", "MZ"]
    assert unknown == []


@pytest.mark.django_db
def test_matcher_keeps_a_comma_inside_one_name(matcher: CountryMatcher) -> None:
    found, unknown = matcher.match_list(
        "Bolivia, Plurinational State of; Iran (Islamic Republic of)"
    )
    assert [c.iso2 for c in found] == ["BO", "IR"]
    assert unknown == []


@pytest.mark.django_db
def test_matcher_does_not_split_hyphenated_names(matcher: CountryMatcher) -> None:
    found, unknown = matcher.match_list("Guinea-Bissau; Timor-Leste")
    assert [c.iso2 for c in found] == ["GW", "TL"]
    assert unknown == []


@pytest.mark.django_db
def test_matcher_returns_unknown_parts(matcher: CountryMatcher) -> None:
    found, unknown = matcher.match_list("Brazil; Atlantis; Swaziland - Narnia")
    assert [c.iso2 for c in found] == ["BR", "SZ"]
    assert unknown == ["Atlantis", "Narnia"]


@pytest.mark.django_db
def test_matcher_returns_unknown_name_beside_a_known_one_in_a_comma_list(
    matcher: CountryMatcher,
) -> None:
    # An importer must not silently drop "Atlantis" because "Swaziland" is in the same cell.
    found, unknown = matcher.match_list("Atlantis, Swaziland")
    assert [c.iso2 for c in found] == ["SZ"]
    assert unknown == ["Atlantis"]


@pytest.mark.django_db
def test_matcher_lists_a_country_once(matcher: CountryMatcher) -> None:
    found, _ = matcher.match_list("Viet Nam; Vietnam; VNM")
    assert [c.iso2 for c in found] == ["VN"]


@pytest.mark.django_db
def test_matcher_on_empty_list(matcher: CountryMatcher) -> None:
    assert matcher.match_list("") == ([], [])
    assert matcher.match_list(None) == ([], [])  # type: ignore[arg-type]


@pytest.mark.django_db
def test_matcher_skips_a_broken_pattern() -> None:
    brazil = country("BR")
    brazil.match_pattern = "(unclosed"
    assert CountryMatcher([brazil]).match("Brazil") == brazil
