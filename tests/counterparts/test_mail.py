"""The counterparts' mail, received by a real SMTP server on loopback: a change to a confirmed
activity's dates sends each counterpart one mail (a digest of all that the write asked of them),
linking to the page that needs them, in one language; a mail server that refuses or is down, or
a stopped broker, delays the mail without losing it (beat's sweep sends it).

The writes run as a page's do: the on-commit callbacks run when the write commits, and the mail
task runs eagerly, as `make test` (and `make run`) configure Celery.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from celery import current_app
from django.conf import settings as django_settings
from django.utils import translation

from accounts.models import User
from activities.models import Activity, CountryRole, Partner, PartnerRole
from activities.services import create_activity, update_activity
from counterparts import access, services, tasks
from counterparts.models import Confirmation, ConfirmationState, Notification, NotificationKind
from demo.loader import current_activity_data
from tests.counterparts.smtp import (
    Mailbox,
    smtp_mailers,
    smtp_server,
    unused_port,
    write_catalogue,
)
from tests.factories import activity_data
from tests.helpers import broker_refuses

pytestmark = pytest.mark.django_db

# Some of the portal's strings in French: what a mail written partly in the writer's language
# would show.
FRENCH = {
    "Receiver / guest": "Bénéficiaire / invité",
    "Provider / host": "Fournisseur / hôte",
    "Implementer": "Maître d'œuvre",
    "Funder": "Bailleur",
    "%(activity)s changed (%(facts)s): please confirm the role of %(side)s again.": (
        "%(activity)s a changé (%(facts)s) : veuillez confirmer de nouveau le rôle de %(side)s."
    ),
    "News from the SSC Portal on activities you take part in or manage:": (
        "Nouvelles du portail SSC sur les activités auxquelles vous participez :"
    ),
    "SSC Portal: %(text)s": "Portail SSC : %(text)s",
    "dates": "les dates",
}
FRENCH_WORDS = (
    "Bénéficiaire",
    "Maître",
    "Bailleur",
    "veuillez",
    "Portail",
    "portail",
    "Nouvelles",
    "les dates",
)


@pytest.fixture(autouse=True)
def _french(settings: Any, tmp_path: Path) -> None:
    write_catalogue(tmp_path / "locale", "fr", FRENCH)
    settings.LOCALE_PATHS = [tmp_path / "locale"]


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    assert current_app.conf.task_always_eager, "these tests run tasks eagerly, as make test does"
    with smtp_server() as mailbox:
        settings.MAILERS = smtp_mailers(mailbox.port)
        yield mailbox


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """A block whose on-commit callbacks run at its end, as when a page's write commits."""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def make_confirmed(
    cpm: User,
    partner_org: Partner,
    partner_user: User,
    counterpart_user: User,
    counterpart_other: User,
    smtp: Mailbox,
    committed: Callable[[], Any],
) -> Callable[..., Activity]:
    """An activity whose sides with a counterpart (Mozambique's, Kenya's, the organization's
    roles; Brazil has none) all confirmed, their mails sent and forgotten."""

    def make(partner_roles: Sequence[str] = (PartnerRole.IMPLEMENTER,)) -> Activity:
        data = activity_data(
            countries=["BR", ("MZ", CountryRole.RECEIVER), ("KE", CountryRole.RECEIVER)],
            partners=[(partner_org, partner_roles)],
            planned_start=datetime.date(2025, 3, 1),
            planned_end=datetime.date(2025, 9, 30),
            responsible_cpm=cpm,
        )
        with committed():
            activity = create_activity(data=data, user=cpm)
        for side in Confirmation.objects.with_side().filter(activity=activity):
            for user in (counterpart_user, counterpart_other, partner_user):
                if access.speaks_for(user, side):
                    with committed():
                        services.confirm(confirmation=side, user=user, expected_version=None)
        assert not Notification.objects.unmailed().exists()
        smtp.received.clear()
        activity.refresh_from_db()
        return activity

    return make


def move_dates(activity: Activity, user: User) -> None:
    """The CPM moves the activity a month later, through the service a page calls."""
    data = current_activity_data(activity)
    data.fields = {
        **data.fields,
        "planned_start": datetime.date(2025, 4, 1),
        "planned_end": datetime.date(2025, 10, 31),
    }
    update_activity(activity=activity, data=data, user=user, expected_version=activity.version)


@pytest.fixture
def speakers(counterpart_user: User, counterpart_other: User, partner_user: User) -> list[str]:
    """The addresses of everyone who speaks for a side with a counterpart, once each."""
    return sorted(user.email for user in (counterpart_user, counterpart_other, partner_user))


def sides_page(activity: Activity) -> str:
    return f"{django_settings.SITE_URL}/activities/{activity.pk}/#sides"


def test_new_dates_send_each_counterpart_one_mail_in_one_language(
    make_confirmed: Callable[..., Activity],
    cpm: User,
    counterpart_user: User,
    partner_user: User,
    speakers: list[str],
    smtp: Mailbox,
    committed: Callable[[], Any],
) -> None:
    activity = make_confirmed()
    # The CPM works in French: the write, and the mail task it queues, run in French.
    with translation.override("fr"):
        assert translation.gettext("Receiver / guest") == FRENCH["Receiver / guest"]
        with committed():
            move_dates(activity, cpm)
    states = Confirmation.objects.filter(activity=activity).values_list("state", flat=True)
    assert sorted(states) == ["proposed"] + ["reconfirm"] * 3  # Brazil was never confirmed
    assert smtp.recipients() == speakers
    assert not Notification.objects.unmailed().exists()
    for mail in smtp.received:
        # One action, so the subject says it; the link leads to the sides on the activity page.
        assert mail.subject.startswith(f"SSC Portal: {activity.ssc_id} changed (dates):")
        assert mail.subject.endswith("again.")
        assert sides_page(activity) in mail.body
        # All in the portal's language, including the sides' roles the notification named.
        text = mail.subject + mail.body
        assert [word for word in FRENCH_WORDS if word in text] == []
        assert "Hello" in mail.body and "News from the SSC Portal" in mail.body
    [mozambique] = smtp.to(counterpart_user.email)
    assert "Mozambique (Receiver / guest)" in mozambique.subject
    [organization] = smtp.to(partner_user.email)
    assert f"{partner_user.partner.name} (Implementer)" in organization.body
    assert activity.title in organization.body


def test_several_events_in_one_write_make_one_mail_per_person(
    make_confirmed: Callable[..., Activity],
    cpm: User,
    partner_user: User,
    speakers: list[str],
    smtp: Mailbox,
    committed: Callable[[], Any],
) -> None:
    # The organization implements and funds: two sides, both asked again by one write.
    activity = make_confirmed([PartnerRole.IMPLEMENTER, PartnerRole.FUNDER])
    with committed():
        move_dates(activity, cpm)
    assert smtp.recipients() == speakers
    [digest] = smtp.to(partner_user.email)
    assert digest.subject == "SSC Portal: 2 new notifications"
    assert digest.body.count(sides_page(activity)) == 2
    assert "(Implementer)" in digest.body and "(Funder)" in digest.body
    reasked = Notification.objects.filter(
        user=partner_user, kind=NotificationKind.RECONFIRM_REQUESTED
    )
    assert [note.mailed_at is not None for note in reasked] == [True, True]


@pytest.mark.parametrize("failure", ["refuses", "down"])
def test_mail_the_server_did_not_take_is_sent_by_the_sweep(
    failure: str,
    make_confirmed: Callable[..., Activity],
    cpm: User,
    speakers: list[str],
    smtp: Mailbox,
    settings: Any,
    committed: Callable[[], Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    activity = make_confirmed()
    if failure == "refuses":
        smtp.refusing = True
    else:
        settings.MAILERS = smtp_mailers(unused_port())
    with committed():
        move_dates(activity, cpm)
    assert smtp.received == []
    assert Notification.objects.unmailed().count() == 3
    assert "kept for the next sweep" in caplog.text
    # The mail server is back: beat's sweep (send-counterpart-mail) sends what waited, once.
    smtp.refusing = False
    settings.MAILERS = smtp_mailers(smtp.port)
    tasks.sweep_mail_task.delay()
    assert smtp.recipients() == speakers
    assert all(sides_page(activity) in mail.body for mail in smtp.received)
    assert not Notification.objects.unmailed().exists()
    tasks.sweep_mail_task.delay()
    assert len(smtp.received) == 3


def test_a_stopped_broker_loses_no_mail(
    make_confirmed: Callable[..., Activity],
    cpm: User,
    speakers: list[str],
    smtp: Mailbox,
    committed: Callable[[], Any],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    activity = make_confirmed()
    monkeypatch.setattr(tasks.send_mail_task, "apply_async", broker_refuses)
    with committed():
        move_dates(activity, cpm)
    # The write stands; its mail waits in the database.
    assert Confirmation.objects.filter(state=ConfirmationState.RECONFIRM).count() == 3
    assert smtp.received == []
    assert Notification.objects.unmailed().count() == 3
    assert "mail left for the next sweep" in caplog.text
    monkeypatch.undo()
    tasks.sweep_mail_task.delay()
    assert smtp.recipients() == speakers
    assert not Notification.objects.unmailed().exists()
