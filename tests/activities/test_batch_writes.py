"""Writing many activities at once (activities.services.save_activities, activities.bulk): the
same checks as single saves, all or nothing, and the same rows whichever database writes them."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from accounts.models import User
from activities import bulk, services
from activities.models import Activity, CountryRole, Partner, StatusChange
from tests.factories import ActivityFactory, country, division, theme
from tests.helpers import row_counts

pytestmark = pytest.mark.django_db


def new_data(ssc_id: str, **fields: Any) -> services.ActivityData:
    return services.ActivityData(
        fields={
            "title": f"Exchange {ssc_id}",
            "modality": "south_south",
            "funding_nature": "grant",
            "lead_division": division("LAC"),
            "status": "pipeline",
            **fields,
        },
        countries=[services.CountryLink(country("BR"), CountryRole.BOTH)],
        themes=[theme(1)],
        ssc_id=ssc_id,
        status_note="Batch",
    )


def test_a_batch_is_checked_like_single_saves(focal: User) -> None:
    with pytest.raises(services.ActivityError) as caught:
        services.prepare_new_activity(data=new_data("SSC-2010-01", approval_year=1900), user=focal)
    assert "approval_year" in caught.value.errors
    existing = ActivityFactory(status="pipeline")
    with pytest.raises(services.ActivityError) as caught:
        services.prepare_activity_update(
            activity=existing, data=new_data("", status="closed"), expected_version=None
        )
    assert "cannot move" in caught.value.errors["status"][0]


def test_a_stale_version_or_a_taken_ssc_id_refuses_the_whole_batch(focal: User) -> None:
    existing = ActivityFactory(ssc_id="SSC-2010-01", status="pipeline")
    stale = services.prepare_activity_update(
        activity=existing, data=new_data("", title="Renamed"), expected_version=existing.version
    )
    Activity.objects.filter(pk=existing.pk).update(version=existing.version + 1)
    items = [
        services.prepare_new_activity(data=new_data("SSC-2010-02"), user=focal),
        services.prepare_new_activity(data=new_data("SSC-2010-01"), user=focal),
        stale,
    ]
    before = row_counts()
    with pytest.raises(services.ActivityBatchError) as caught:
        services.save_activities(items=items, user=focal)
    assert sorted(caught.value.by_item) == [1, 2]
    assert "already used" in str(caught.value.by_item[1])
    assert isinstance(caught.value.by_item[2], services.ConflictError)
    assert row_counts() == before


def test_a_batch_update_moves_the_version_and_records_one_change(focal: User) -> None:
    existing = ActivityFactory(status="pipeline", countries=["PE", "CO"])
    version = existing.version
    item = services.prepare_activity_update(
        activity=existing,
        data=new_data("", title="Renamed", status="approved"),
        expected_version=version,
    )
    services.save_activities(items=[item], user=focal)
    existing.refresh_from_db()
    assert (existing.title, existing.status, existing.version) == (
        "Renamed",
        "approved",
        version + 1,
    )
    assert [c.iso2 for c in existing.providers] == ["BR"]
    record = existing.history.first()  # type: ignore[attr-defined]
    assert (record.history_type, record.history_user) == ("~", focal)
    removed = existing.country_links.model.history.filter(  # type: ignore[attr-defined]
        activity_id=existing.pk, history_type="-"
    )
    assert sorted((row.country.iso2, row.history_user) for row in removed) == [
        ("CO", focal),
        ("PE", focal),
    ]
    move = StatusChange.objects.get(activity=existing, to_status="approved")
    assert (move.from_status, move.note, move.changed_by) == ("pipeline", "Batch", focal)


@pytest.mark.parametrize("write", ["instances", "rows"])
def test_copy_and_bulk_create_write_the_same_rows(
    focal: User, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    when = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.UTC)
    results = []
    for fast, code in ((True, "PE"), (False, "CO")):
        monkeypatch.setattr(bulk, "_fast", lambda fast=fast: fast)
        values = {"name": "Cooperativa", "name_key": "cooperativa", "type": "ngo"}
        if write == "instances":
            partner = Partner(**values, country=country(code))
            bulk.insert_with_history([partner], user=focal, when=when)
            assert partner.pk and partner.created_at and not partner._state.adding
            pk = partner.pk
        else:
            row = {**values, "country_id": country(code).pk}
            bulk.insert_rows_with_history(Partner, [row], user=focal, when=when)
            pk = row["id"]
        stored = Partner.objects.get(pk=pk)
        record = Partner.history.get(id=pk)  # type: ignore[attr-defined]
        results.append(
            (
                Partner.objects.filter(pk=pk)
                .values("name", "name_key", "type", "acronym", "website", "iati_identifier")
                .get(),
                record.created_at == stored.created_at,
                (record.history_type, record.history_user, record.history_date),
                (record.name, record.acronym, record.history_change_reason),
            )
        )
    assert results[0] == results[1]
    assert results[0][2] == ("+", focal, when)


@pytest.mark.parametrize("fast", [True, False])
def test_an_update_writes_the_chosen_fields_only(
    monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    monkeypatch.setattr(bulk, "_fast", lambda: fast)
    first, second = ActivityFactory(title="One"), ActivityFactory(title="Two")
    first.title, first.approval_year, first.notes = "One, renamed", 2011, "not written"
    second.title, second.approval_year = "Two, renamed", None
    bulk.update([first, second], ["title", "approval_year"])
    stored = Activity.objects.order_by("pk").values_list("title", "approval_year", "notes")
    assert list(stored) == [("One, renamed", 2011, ""), ("Two, renamed", None, "")]
