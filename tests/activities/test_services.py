"""Writes through activities.services: IDs, validation, concurrency, statuses, partners, history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role, User
from activities.models import (
    Activity,
    ActivityCountry,
    ActivityPartner,
    CountryRole,
    Partner,
    PartnerRole,
    PartnerType,
    Status,
    StatusChange,
)
from activities.services import (
    ActivityError,
    ConflictError,
    CountryLink,
    PartnerError,
    change_status,
    create_activity,
    create_partner,
    merge_partners,
    update_activity,
    update_partner,
)
from tests.factories import (
    ActivityFactory,
    PartnerFactory,
    UserFactory,
    activity_data,
    country,
    theme,
)

pytestmark = pytest.mark.django_db


def _history_counts() -> tuple[int, int, int]:
    return (
        Activity.history.count(),
        ActivityCountry.history.count(),
        ActivityPartner.history.count(),
    )


# --- create_activity ---------------------------------------------------------------------------


def test_create_activity_numbers_ids_per_approval_year(focal: User) -> None:
    first = create_activity(data=activity_data(approval_year=2024), user=focal)
    second = create_activity(data=activity_data(approval_year=2024), user=focal)
    other_year = create_activity(data=activity_data(approval_year=2019), user=focal)
    assert (first.ssc_id, second.ssc_id, other_year.ssc_id) == (
        "SSC-2024-01",
        "SSC-2024-02",
        "SSC-2019-01",
    )


def test_create_activity_continues_after_imported_ids(focal: User) -> None:
    create_activity(data=activity_data(ssc_id="SSC-2024-17"), user=focal)
    assert create_activity(data=activity_data(), user=focal).ssc_id == "SSC-2024-18"


def test_create_activity_without_year_uses_the_current_year(focal: User) -> None:
    activity = create_activity(data=activity_data(approval_year=None), user=focal)
    assert activity.ssc_id == f"SSC-{timezone.localdate().year}-01"


def test_create_activity_uses_the_start_year_when_no_approval_year(focal: User) -> None:
    data = activity_data(approval_year=None, planned_start=datetime.date(2021, 3, 1))
    assert create_activity(data=data, user=focal).ssc_id == "SSC-2021-01"


def test_create_activity_accepts_an_imported_id(focal: User) -> None:
    activity = create_activity(data=activity_data(ssc_id=" SSC-2016-03 "), user=focal)
    assert activity.ssc_id == "SSC-2016-03"


def test_create_activity_refuses_a_duplicate_imported_id(focal: User) -> None:
    create_activity(data=activity_data(ssc_id="SSC-2016-03"), user=focal)
    before = (Activity.objects.count(), *_history_counts())
    with pytest.raises(ActivityError) as caught:
        create_activity(data=activity_data(ssc_id="SSC-2016-03", title="Other"), user=focal)
    assert caught.value.errors == {"ssc_id": ["SSC ID SSC-2016-03 is already used."]}
    assert (Activity.objects.count(), *_history_counts()) == before


def test_create_activity_saves_links_and_first_status(focal: User) -> None:
    partner = PartnerFactory()
    data = activity_data(
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        partners=[(partner, {PartnerRole.BROKER, PartnerRole.FUNDER})],
        themes=[theme(1), theme(3)],
        status_note="Imported from the 2024 workbook",
    )
    activity = create_activity(data=data, user=focal)
    assert {(link.country.iso2, link.role) for link in activity.country_links.all()} == {
        ("BR", CountryRole.PROVIDER),
        ("MZ", CountryRole.RECEIVER),
    }
    assert set(activity.partner_links.values_list("partner_id", "role")) == {
        (partner.pk, PartnerRole.BROKER),
        (partner.pk, PartnerRole.FUNDER),
    }
    assert set(activity.themes.values_list("position", flat=True)) == {1, 3}
    change = activity.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "pipeline", focal)
    assert change.note == "Imported from the 2024 workbook"
    assert activity.created_by == focal
    assert activity.version == 1


def test_create_activity_makes_the_creating_cpm_responsible(cpm: User) -> None:
    assert create_activity(data=activity_data(), user=cpm).responsible_cpm == cpm


def test_create_activity_keeps_a_named_responsible_cpm(cpm: User) -> None:
    colleague = UserFactory(username="colleague", role=Role.CPM, divisions=["LAC"])
    activity = create_activity(data=activity_data(responsible_cpm=colleague), user=cpm)
    assert activity.responsible_cpm == colleague


def test_create_activity_by_focal_point_leaves_responsible_empty(focal: User) -> None:
    assert create_activity(data=activity_data(), user=focal).responsible_cpm is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"planned_start": datetime.date(2024, 5, 1), "planned_end": datetime.date(2024, 4, 1)},
            "planned_end",
            "The end date cannot be before the start date.",
        ),
        ({"themes": []}, "themes", "Choose at least one theme."),
        ({"countries": ["BR", "BR"]}, "countries", "Brazil is listed twice"),
        ({"title": "x" * 10_000}, "title", "at most 300 characters"),
        ({"title": ""}, "title", "This field cannot be blank."),
        ({"countries": [("BR", "lender")]}, "countries", "Unknown country role 'lender'."),
    ],
)
def test_create_activity_refuses_bad_input_and_saves_nothing(
    focal: User, overrides: dict, field: str, message: str
) -> None:
    before = (Activity.objects.count(), StatusChange.objects.count(), *_history_counts())
    with pytest.raises(ActivityError) as caught:
        create_activity(data=activity_data(**overrides), user=focal)
    assert any(message in text for text in caught.value.errors[field]), caught.value.errors
    assert (Activity.objects.count(), StatusChange.objects.count(), *_history_counts()) == before


def test_country_shares_must_all_be_given_and_add_up_to_100(focal: User) -> None:
    data = activity_data()
    data.countries = [
        CountryLink(country("BR"), CountryRole.PROVIDER, Decimal(60)),
        CountryLink(country("MZ"), CountryRole.RECEIVER, Decimal(30)),
    ]
    with pytest.raises(ActivityError) as caught:
        create_activity(data=data, user=focal)
    assert "countries" in caught.value.errors
    data.countries = [
        CountryLink(country("BR"), CountryRole.PROVIDER, Decimal(60)),
        CountryLink(country("MZ"), CountryRole.RECEIVER, Decimal(40)),
    ]
    activity = create_activity(data=data, user=focal)
    assert sorted(activity.country_links.values_list("share", flat=True)) == [40, 60]


def test_a_partner_listed_twice_is_refused(focal: User) -> None:
    partner = PartnerFactory(name="Embrapa")
    data = activity_data(partners=[(partner, {PartnerRole.HOST}), (partner, {PartnerRole.BROKER})])
    with pytest.raises(ActivityError) as caught:
        create_activity(data=data, user=focal)
    assert caught.value.errors["partners"] == [
        "Embrapa is listed twice: tick all its roles on one line."
    ]


def test_a_partner_without_role_is_refused(focal: User) -> None:
    partner = PartnerFactory(name="Embrapa")
    with pytest.raises(ActivityError) as caught:
        create_activity(data=activity_data(partners=[(partner, set())]), user=focal)
    assert caught.value.errors["partners"] == ["Give Embrapa at least one role."]


# --- update_activity ---------------------------------------------------------------------------


@pytest.fixture
def activity(focal: User) -> Activity:
    return create_activity(data=activity_data(), user=focal)


def test_update_activity_saves_and_bumps_the_version(activity: Activity, cpm: User) -> None:
    data = activity_data(title="Renamed", countries=[("PE", CountryRole.BOTH)])
    update_activity(activity=activity, data=data, user=cpm, expected_version=1)
    activity.refresh_from_db()
    assert activity.title == "Renamed"
    assert activity.version == 2
    assert list(activity.country_links.values_list("country__iso2", "role")) == [
        ("PE", CountryRole.BOTH)
    ]


def test_update_with_a_stale_version_raises_conflict_and_changes_nothing(
    activity: Activity, cpm: User, focal: User
) -> None:
    first = Activity.objects.get(pk=activity.pk)
    second = Activity.objects.get(pk=activity.pk)
    update_activity(
        activity=first, data=activity_data(title="First save"), user=cpm, expected_version=1
    )
    before = (StatusChange.objects.count(), *_history_counts())
    with pytest.raises(ConflictError) as caught:
        update_activity(
            activity=second,
            data=activity_data(title="Second save", countries=["IN"], themes=[theme(5)]),
            user=focal,
            expected_version=1,
        )
    assert "changed by someone else" in str(caught.value)
    assert "version 2" in str(caught.value)
    stored = Activity.objects.get(pk=activity.pk)
    assert stored.title == "First save"
    assert stored.version == 2
    assert set(stored.country_links.values_list("country__iso2", flat=True)) == {"BR", "MZ"}
    assert list(stored.themes.values_list("position", flat=True)) == [1]
    assert (StatusChange.objects.count(), *_history_counts()) == before


def test_update_without_expected_version_uses_the_loaded_one(activity: Activity, cpm: User) -> None:
    stale = Activity.objects.get(pk=activity.pk)
    update_activity(activity=activity, data=activity_data(), user=cpm, expected_version=None)
    with pytest.raises(ConflictError):
        update_activity(activity=stale, data=activity_data(), user=cpm, expected_version=None)


def test_update_refuses_a_status_jump_naming_both_statuses(activity: Activity, cpm: User) -> None:
    data = activity_data(status=Status.COMPLETED)
    with pytest.raises(ActivityError) as caught:
        update_activity(activity=activity, data=data, user=cpm, expected_version=1)
    (message,) = caught.value.errors["status"]
    assert "Pipeline" in message
    assert "Completed" in message
    assert "Approved" in message  # the allowed next statuses are listed
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.status, stored.version) == (Status.PIPELINE, 1)


def test_update_records_an_allowed_status_move(activity: Activity, cpm: User) -> None:
    data = activity_data(status=Status.APPROVED, status_note="Board approved")
    update_activity(activity=activity, data=data, user=cpm, expected_version=1)
    change = activity.status_changes.first()
    assert (change.from_status, change.to_status, change.note, change.changed_by) == (
        Status.PIPELINE,
        Status.APPROVED,
        "Board approved",
        cpm,
    )


def test_update_with_invalid_data_changes_nothing(activity: Activity, cpm: User) -> None:
    before = (StatusChange.objects.count(), *_history_counts())
    with pytest.raises(ActivityError):
        update_activity(
            activity=activity, data=activity_data(themes=[]), user=cpm, expected_version=1
        )
    stored = Activity.objects.get(pk=activity.pk)
    assert stored.version == 1
    assert (StatusChange.objects.count(), *_history_counts()) == before


def test_an_unchanged_save_writes_no_link_history(activity: Activity, cpm: User) -> None:
    before = (ActivityCountry.history.count(), ActivityPartner.history.count())
    update_activity(activity=activity, data=activity_data(), user=cpm, expected_version=1)
    assert (ActivityCountry.history.count(), ActivityPartner.history.count()) == before


# --- change_status -----------------------------------------------------------------------------


def test_change_status_moves_and_records_the_note(activity: Activity, cpm: User) -> None:
    change_status(activity=activity, status=Status.APPROVED, note="Approved by OSC", user=cpm)
    stored = Activity.objects.get(pk=activity.pk)
    assert (stored.status, stored.version) == (Status.APPROVED, 2)
    change = stored.status_changes.first()
    assert (change.from_status, change.to_status, change.note, change.changed_by) == (
        Status.PIPELINE,
        Status.APPROVED,
        "Approved by OSC",
        cpm,
    )
    assert stored.history.first().history_user == cpm


def test_change_status_refuses_a_jump_naming_both_statuses(activity: Activity, cpm: User) -> None:
    with pytest.raises(ActivityError) as caught:
        change_status(activity=activity, status=Status.CLOSED, note="", user=cpm)
    (message,) = caught.value.errors["status"]
    assert "from Pipeline to Closed" in message
    assert Activity.objects.get(pk=activity.pk).status == Status.PIPELINE
    assert activity.status_changes.count() == 1


def test_change_status_from_a_final_status_says_it_is_final(activity: Activity, cpm: User) -> None:
    change_status(activity=activity, status=Status.CANCELLED, note="", user=cpm)
    with pytest.raises(ActivityError) as caught:
        change_status(activity=activity, status=Status.APPROVED, note="", user=cpm)
    (message,) = caught.value.errors["status"]
    assert "from Cancelled to Approved" in message
    assert "final" in message


def test_change_status_to_the_same_status_is_refused(activity: Activity, cpm: User) -> None:
    with pytest.raises(ActivityError) as caught:
        change_status(activity=activity, status=Status.PIPELINE, note="", user=cpm)
    assert caught.value.errors == {"status": ["The activity already has this status."]}


def test_change_status_with_a_stale_version_conflicts(activity: Activity, cpm: User) -> None:
    stale = Activity.objects.get(pk=activity.pk)
    update_activity(
        activity=activity, data=activity_data(title="New"), user=cpm, expected_version=1
    )
    with pytest.raises(ConflictError):
        change_status(activity=stale, status=Status.APPROVED, note="", user=cpm, expected_version=1)
    assert Activity.objects.get(pk=activity.pk).status == Status.PIPELINE


def test_change_status_walks_a_whole_life_cycle(activity: Activity, cpm: User) -> None:
    # What Ongoing and Completed need (tests/activities/test_status_facts.py).
    Activity.objects.filter(pk=activity.pk).update(
        actual_start=datetime.date(2024, 1, 10),
        actual_end=datetime.date(2024, 6, 30),
        outcomes="Two municipalities adopted the approach.",
    )
    activity.refresh_from_db()
    for status in (Status.APPROVED, Status.ONGOING, Status.COMPLETED, Status.CLOSED):
        change_status(activity=activity, status=status, note="", user=cpm)
    assert Activity.objects.get(pk=activity.pk).status == Status.CLOSED
    assert activity.status_changes.count() == 5


# --- history -----------------------------------------------------------------------------------


def test_history_rows_carry_the_acting_user(cpm: User, focal: User) -> None:
    partner = PartnerFactory()
    activity = create_activity(
        data=activity_data(partners=[(partner, {PartnerRole.HOST})]), user=cpm
    )
    assert {row.history_user for row in activity.history.all()} == {cpm}
    assert {row.history_user for row in ActivityCountry.history.all()} == {cpm}
    assert {row.history_user for row in ActivityPartner.history.all()} == {cpm}
    update_activity(
        activity=activity,
        data=activity_data(title="Changed by the focal point", countries=["BR"]),
        user=focal,
        expected_version=1,
    )
    latest = activity.history.first()
    assert (latest.history_user, latest.title, latest.history_type) == (
        focal,
        "Changed by the focal point",
        "~",
    )
    removed = ActivityCountry.history.filter(history_type="-").get()
    assert (removed.country.iso2, removed.history_user) == ("MZ", focal)
    removed_partner = ActivityPartner.history.filter(history_type="-").get()
    assert removed_partner.history_user == focal


# --- partners ----------------------------------------------------------------------------------


def test_create_partner_tidies_the_name_and_records_the_author(focal: User) -> None:
    partner = create_partner(
        user=focal,
        name="  Ministry of   Agriculture ",
        type=PartnerType.GOVERNMENT,
        country=country("BR"),
    )
    assert partner.name == "Ministry of Agriculture"
    assert partner.name_key == "ministry of agriculture"
    assert partner.history.get().history_user == focal


@pytest.mark.parametrize(
    "duplicate",
    ["Ministry of Agriculture", "ministry of  AGRICULTURE", " Ministry-of-Agriculture "],
)
def test_duplicate_partner_by_name_and_country_is_refused(focal: User, duplicate: str) -> None:
    create_partner(
        user=focal,
        name="Ministry of Agriculture",
        type=PartnerType.GOVERNMENT,
        country=country("BR"),
    )
    with pytest.raises(PartnerError) as caught:
        create_partner(
            user=focal, name=duplicate, type=PartnerType.GOVERNMENT, country=country("BR")
        )
    assert caught.value.errors["name"] == [
        "Ministry of Agriculture already exists in Brazil: use it, or merge the two."
    ]
    assert Partner.objects.count() == 1


def test_same_partner_name_in_another_country_is_accepted(focal: User) -> None:
    create_partner(
        user=focal,
        name="Ministry of Agriculture",
        type=PartnerType.GOVERNMENT,
        country=country("BR"),
    )
    create_partner(
        user=focal,
        name="Ministry of Agriculture",
        type=PartnerType.GOVERNMENT,
        country=country("MZ"),
    )
    assert Partner.objects.count() == 2


def test_duplicate_partner_without_country_is_refused(focal: User) -> None:
    create_partner(user=focal, name="FAO", type=PartnerType.MULTILATERAL, country=None)
    with pytest.raises(PartnerError) as caught:
        create_partner(user=focal, name="fao", type=PartnerType.MULTILATERAL, country=None)
    assert caught.value.errors["name"] == [
        "FAO already exists in no country: use it, or merge the two."
    ]


def test_partner_with_invalid_fields_is_refused(focal: User) -> None:
    with pytest.raises(PartnerError) as caught:
        create_partner(user=focal, name="Embrapa", type="spaceship", country=None, website="nope")
    assert set(caught.value.errors) == {"type", "website"}
    assert not Partner.objects.exists()


def test_update_partner_refuses_renaming_onto_another(focal: User) -> None:
    create_partner(user=focal, name="Embrapa", type=PartnerType.RESEARCH, country=country("BR"))
    other = create_partner(
        user=focal, name="Embrapa Cerrados", type=PartnerType.RESEARCH, country=country("BR")
    )
    with pytest.raises(PartnerError):
        update_partner(partner=other, user=focal, name="EMBRAPA")
    assert Partner.objects.get(pk=other.pk).name == "Embrapa Cerrados"


def test_update_partner_may_keep_its_own_name(focal: User) -> None:
    partner = create_partner(
        user=focal, name="Embrapa", type=PartnerType.RESEARCH, country=country("BR")
    )
    update_partner(partner=partner, user=focal, name="EMBRAPA", acronym="EMB")
    stored = Partner.objects.get(pk=partner.pk)
    assert (stored.name, stored.acronym) == ("EMBRAPA", "EMB")
    assert stored.history.first().history_user == focal


def test_merge_partners_moves_links_users_and_deletes_the_merged_one(focal: User) -> None:
    keep = PartnerFactory(name="Embrapa", acronym="")
    remove = PartnerFactory(name="EMBRAPA Brazil", acronym="EMB", website="https://embrapa.br")
    shared = ActivityFactory(partners=[(keep, PartnerRole.HOST), (remove, PartnerRole.HOST)])
    two_roles = ActivityFactory(partners=[(keep, PartnerRole.HOST), (remove, PartnerRole.BROKER)])
    only_removed = ActivityFactory(partners=[(remove, PartnerRole.FUNDER)])
    staff = UserFactory(role=Role.PARTNER, partner=remove)

    removed_pk = remove.pk
    merge_partners(keep=keep, remove=remove, user=focal)

    assert not Partner.objects.filter(pk=removed_pk).exists()
    assert list(shared.partner_links.values_list("partner_id", "role")) == [
        (keep.pk, PartnerRole.HOST)
    ]
    assert set(two_roles.partner_links.values_list("partner_id", "role")) == {
        (keep.pk, PartnerRole.HOST),
        (keep.pk, PartnerRole.BROKER),
    }
    assert list(only_removed.partner_links.values_list("partner_id", "role")) == [
        (keep.pk, PartnerRole.FUNDER)
    ]
    staff.refresh_from_db()
    assert staff.partner == keep
    keep.refresh_from_db()
    assert (keep.acronym, keep.website) == ("EMB", "https://embrapa.br")
    assert keep.history.first().history_user == focal
    deleted = Partner.history.filter(id=removed_pk, history_type="-").get()
    assert deleted.history_user == focal


def test_merge_partners_keeps_the_fields_the_kept_one_has(focal: User) -> None:
    keep = PartnerFactory(acronym="KEPT")
    remove = PartnerFactory(acronym="GONE")
    merge_partners(keep=keep, remove=remove, user=focal)
    assert Partner.objects.get(pk=keep.pk).acronym == "KEPT"


def test_merging_a_partner_into_itself_is_refused(focal: User) -> None:
    partner = PartnerFactory()
    with pytest.raises(PartnerError):
        merge_partners(keep=partner, remove=partner, user=focal)
    assert Partner.objects.filter(pk=partner.pk).exists()
