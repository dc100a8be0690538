"""What activities announces to the apps above it (activities.signals): each write that changes
what an activity's money is summed by, with the divisions before and after, and each partner
merge before the merged partner goes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.dispatch import Signal

from accounts.models import User
from activities.models import Partner
from activities.services import create_activity, merge_partners, update_activity
from activities.signals import activities_changed, partners_merged
from tests.factories import PartnerFactory, activity_data, division

pytestmark = pytest.mark.django_db


def listen(signal: Signal) -> Iterator[list[dict[str, Any]]]:
    heard: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        heard.append({k: v for k, v in kwargs.items() if k != "signal"})

    signal.connect(receiver, weak=False, dispatch_uid="tests.activities.test_signals")
    yield heard
    signal.disconnect(dispatch_uid="tests.activities.test_signals")


@pytest.fixture
def changed() -> Iterator[list[dict[str, Any]]]:
    yield from listen(activities_changed)


def test_moving_an_activity_announces_its_old_and_new_division(
    focal: User, changed: list[dict[str, Any]]
) -> None:
    activity = create_activity(data=activity_data(), user=focal)
    update_activity(
        activity=activity,
        data=activity_data(lead_division=division("ESA")),
        user=focal,
        expected_version=None,
    )
    assert changed == [{"divisions": {activity.pk: {division("LAC").pk, division("ESA").pk}}}]


def test_a_change_to_nothing_the_money_is_summed_by_announces_nothing(
    focal: User, changed: list[dict[str, Any]]
) -> None:
    activity = create_activity(data=activity_data(), user=focal)
    update_activity(
        activity=activity,
        data=activity_data(title="Another title"),
        user=focal,
        expected_version=None,
    )
    assert changed == []


def test_a_merge_announces_both_partners_before_the_merged_one_goes(focal: User) -> None:
    keep, remove = PartnerFactory(), PartnerFactory()
    remove_pk = remove.pk
    heard: list[tuple[int, int, User | None, bool]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        gone = kwargs["remove"]
        exists = Partner.objects.filter(pk=gone.pk).exists()
        heard.append((kwargs["keep"].pk, gone.pk, kwargs["user"], exists))

    partners_merged.connect(receiver, weak=False, dispatch_uid="tests.merge")
    try:
        merge_partners(keep=keep, remove=remove, user=focal)
    finally:
        partners_merged.disconnect(dispatch_uid="tests.merge")
    assert heard == [(keep.pk, remove_pk, focal, True)]
    assert not Partner.objects.filter(pk=remove_pk).exists()
