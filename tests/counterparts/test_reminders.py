"""Reminders: a side that has not acted for COUNTERPART_REMINDER_DAYS is reminded once per
period, its people get one digest however many activities wait for them, and beat runs the
reminders and the mail sweep."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from celery import current_app
from celery.beat import Scheduler
from celery.schedules import crontab
from django.core import mail as outbox
from django.utils import timezone

from accounts.models import User
from activities.models import Activity, CountryRole, Partner, PartnerRole
from activities.services import create_activity
from counterparts import mail, services, tasks
from counterparts.models import Confirmation, ConfirmationState, Notification, NotificationKind
from tests.factories import activity_data

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _a_week(settings: Any) -> None:
    settings.COUNTERPART_REMINDER_DAYS = 7


@pytest.fixture
def make_activity(cpm: User, partner_org: Partner) -> Callable[..., Activity]:
    """An activity whose sides were asked to confirm (Brazil's, Mozambique's, the
    organization's), and told so by mail already."""

    def make(**fields: Any) -> Activity:
        data = activity_data(
            countries=["BR", ("MZ", CountryRole.RECEIVER)],
            partners=[(partner_org, [PartnerRole.IMPLEMENTER])],
            responsible_cpm=cpm,
            **fields,
        )
        activity = create_activity(data=data, user=cpm)
        Notification.objects.update(mailed_at=timezone.now())
        return activity

    return make


def reminded() -> Counter[str]:
    kinds = Notification.objects.filter(kind=NotificationKind.REMINDER)
    return Counter(kinds.values_list("user__username", flat=True))


def test_a_waiting_side_is_reminded_once_per_period(
    make_activity: Callable[..., Activity], counterpart_user: User, partner_user: User
) -> None:
    activity = make_activity()
    asked = Confirmation.objects.filter(activity=activity).latest("asked_at").asked_at
    assert mail.remind_waiting(now=asked + 7 * DAY - datetime.timedelta(minutes=1)) == 0
    first = asked + 7 * DAY
    assert mail.remind_waiting(now=first) == 3  # Brazil's side too, though no one speaks for it
    assert reminded() == {"counterpart": 1, "partner": 1}
    # Beat runs daily: the days after within the period remind no one again.
    for days in range(1, 7):
        assert mail.remind_waiting(now=first + days * DAY) == 0
    assert reminded() == {"counterpart": 1, "partner": 1}
    assert mail.remind_waiting(now=first + 7 * DAY) == 3
    assert reminded() == {"counterpart": 2, "partner": 2}
    note = Notification.objects.filter(user=counterpart_user, kind=NotificationKind.REMINDER)[0]
    assert mail.describe(note) == (
        f"{activity.ssc_id}: still waiting for the confirmation of Mozambique (Receiver / guest)."
    )
    assert mail.link(note) == f"/activities/{activity.pk}/#sides"


def test_only_sides_asked_to_act_are_reminded(
    make_activity: Callable[..., Activity], cpm: User, counterpart_user: User, partner_user: User
) -> None:
    activity = make_activity()
    sides = Confirmation.objects.with_side().filter(activity=activity)
    organization = sides.get(partner_link__isnull=False)
    services.confirm(confirmation=organization, user=partner_user, expected_version=None)
    mozambique = sides.get(country_link__country__iso2="MZ")
    # A disputed side waits for the agency's answer, not for its own people.
    services.dispute(
        confirmation=mozambique,
        user=counterpart_user,
        fields=["dates"],
        comment="It ended in 2024.",
        expected_version=None,
    )
    later = timezone.now() + 8 * DAY
    assert mail.remind_waiting(now=later) == 1  # Brazil's, still proposed
    assert reminded() == {}
    # Answered, Mozambique's side is asked again: the reminders count from the answer.
    answered_at = timezone.now()
    services.answer(
        confirmation=mozambique, user=cpm, comment="Fixed: 2023 to 2024.", expected_version=None
    )
    assert mail.remind_waiting(now=answered_at + 6 * DAY) == 0
    assert mail.remind_waiting(now=answered_at + 8 * DAY) == 1
    assert reminded() == {"counterpart": 1}
    mozambique.refresh_from_db()
    assert mozambique.state == ConfirmationState.ANSWERED


def test_one_digest_per_person_for_several_activities(
    make_activity: Callable[..., Activity],
    counterpart_user: User,
    partner_user: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = make_activity(title="Learning route on rural finance")
    second = make_activity(title="Exchange on seed systems")
    Confirmation.objects.update(asked_at=timezone.now() - 8 * DAY)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.remind_task.delay()  # as beat queues it; eager, as `make test` runs tasks
    assert sorted(m.to[0] for m in outbox.outbox) == [counterpart_user.email, partner_user.email]
    for digest in outbox.outbox:
        assert digest.subject == "SSC Portal: 2 new notifications"
        for activity in (first, second):
            assert f"/activities/{activity.pk}/#sides" in digest.body
            assert f"{activity.ssc_id}: still waiting for the confirmation of" in digest.body
    assert not Notification.objects.unmailed().exists()


def test_beat_runs_the_mail_sweep_and_the_reminders() -> None:
    scheduler = Scheduler(app=current_app, lazy=True)
    scheduler.setup_schedule()
    entries = {name: entry.task for name, entry in scheduler.schedule.items()}
    assert entries["send-counterpart-mail"] == "counterparts.tasks.sweep_mail_task"
    assert entries["remind-counterparts"] == "counterparts.tasks.remind_task"
    # Every scheduled task is one a worker knows (as it discovers them when it starts).
    current_app.loader.import_default_modules()
    assert set(entries.values()) <= set(current_app.tasks)
    # Reminders once a day (a period counts whole days); the sweep every few minutes.
    remind = scheduler.schedule["remind-counterparts"].schedule
    assert isinstance(remind, crontab) and len(remind.hour) == 1 and len(remind.minute) == 1
    sweep = scheduler.schedule["send-counterpart-mail"].schedule
    assert sweep.run_every <= datetime.timedelta(minutes=15)
