"""The focal point's writes to people: invite, change, deactivate and reactivate, send the
invitation again.

Each write runs in one transaction, claims the person's next version (two focal points editing
the same person cannot overwrite each other silently) and writes one history snapshot with who
made it and through what (`Reason`). The invitation mail leaves once the transaction commits,
so a refused or rolled-back write sends nothing.
"""

from __future__ import annotations

import copy
import enum
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.language import is_offered
from accounts.mail import Mail, compose_mails, send_mails
from accounts.models import USER_HISTORY, Role, User


class PeopleError(Exception):
    """A change to a person was refused; `field` names the form field it is about ("" when it
    is about the whole change), the message says why in the focal point's words."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Reason(enum.StrEnum):
    """What a change came through, kept as the history snapshot's change reason and read back
    by accounts.people.history. Changes made elsewhere (the Django admin) have none."""

    INVITE = "people:invite"
    CHANGE = "people:change"
    DEACTIVATE = "people:deactivate"
    REACTIVATE = "people:reactivate"
    RESEND = "people:resend"


@dataclass
class PersonData:
    """What the focal point sets on a person, already parsed by the form."""

    first_name: str
    last_name: str
    email: str
    role: str
    divisions: list[Any] = field(default_factory=list)
    countries: list[Any] = field(default_factory=list)
    partner: Any = None
    counterpart_country: Any = None
    # The language the invitation and the person's later mails are written in, until they
    # choose their own; only an invitation sets it ("" leaves the site's).
    language: str = ""


def may_manage(actor: User, person: User | None = None) -> bool:
    """The focal point manages people; administrators' accounts (superusers and the
    administrator role) stay with superusers, as does making one (assignable_roles)."""
    if not actor.is_focal_point:
        return False
    if person is None or actor.is_superuser:
        return True
    return not (person.is_superuser or person.role == Role.ADMIN)


def assignable_roles(actor: User) -> list[tuple[str, Any]]:
    """Administrators hold every power; only a superuser makes one."""
    return [
        (value, label) for value, label in Role.choices if value != Role.ADMIN or actor.is_superuser
    ]


def _check_role(actor: User, data: PersonData) -> None:
    if data.role not in dict(assignable_roles(actor)):
        raise PeopleError(_("Choose one of the roles in the list."), field="role")
    if data.role == Role.PARTNER and data.partner is None:
        raise PeopleError(
            _("Choose the organization this partner user belongs to."), field="partner"
        )


def _check_email(email: str, *, exclude_pk: int | None = None) -> str:
    email = email.strip()
    taken = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise PeopleError(
            _("Someone already has an account with this e-mail address."), field="email"
        )
    return email


def _apply(person: User, data: PersonData) -> None:
    """Set the fields and check the model's own rules (a counterpart's country)."""
    person.first_name = data.first_name.strip()
    person.last_name = data.last_name.strip()
    person.email = data.email
    person.role = data.role
    person.partner = data.partner
    person.counterpart_country = data.counterpart_country
    try:
        person.clean()
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise PeopleError(messages[0], field=name) from error


def _active_focal_points() -> Any:
    return User.objects.filter(is_active=True).filter(
        Q(role__in=(Role.FOCAL_POINT, Role.ADMIN)) | Q(is_superuser=True)
    )


def _check_not_last_focal_point(person: User, *, message: str, field: str = "") -> None:
    """Someone must still be able to manage people after the change. Every active focal
    point's row is locked, in one order: of two focal points deactivating each other at the
    same moment, the second waits for the first, then finds itself deactivated and no one
    else left, and is refused."""
    active = list(_active_focal_points().select_for_update().order_by("pk").values_list("pk"))
    if not [pk for (pk,) in active if pk != person.pk]:
        raise PeopleError(message, field=field)


def _claim_version(person: User, expected_version: int) -> None:
    """Claim the next version, or refuse if someone saved since `expected_version`. The
    conditional UPDATE is atomic, so two saves of the same version cannot both succeed."""
    claimed = User.objects.filter(pk=person.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        person.refresh_from_db(fields=["version"])
        raise PeopleError(
            _(
                "Someone else changed this person while you were editing. Nothing was saved: "
                "reload the page to see their change, then make yours again."
            )
        )
    person.version = expected_version + 1


def _snapshot(person: User, *, actor: User, reason: Reason, history_type: str) -> None:
    """One history snapshot of the saved person, their divisions and countries included."""
    person._history_user = actor  # type: ignore[attr-defined]
    person._change_reason = reason.value  # type: ignore[attr-defined]
    try:
        USER_HISTORY.create_historical_record(person, history_type)
    finally:
        del person._history_user  # type: ignore[attr-defined]
        del person._change_reason  # type: ignore[attr-defined]


def _save_without_snapshots(person: User, data: PersonData, *, fields: list[str] | None) -> None:
    """Save the row and its divisions and countries, with the per-signal snapshots off: the
    caller writes one snapshot of the whole change."""
    person.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        person.save(update_fields=fields)
        person.divisions.set(data.divisions)
        person.countries.set(data.countries)
    finally:
        del person.skip_history_when_saving  # type: ignore[attr-defined]


def _queue_invitation(person: User, *, site_url: str) -> None:
    """Render the mail now, in the person's language (accounts.mail), and send it once the
    transaction commits. The link is Django's password-reset link: it works once, until the
    person sets a password, and for PASSWORD_RESET_TIMEOUT."""
    token = default_token_generator.make_token(person)
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {
        "person": person,
        "link": site_url.rstrip("/") + path,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }

    def compose(_recipient: User) -> Mail:
        return Mail(
            subject=render_to_string("accounts/invite_subject.txt", context),
            body=render_to_string("accounts/invite_email.txt", context),
        )

    messages = compose_mails([person], compose)
    transaction.on_commit(lambda: send_mails(messages))


@transaction.atomic
def invite_person(*, actor: User, data: PersonData, site_url: str) -> User:
    """A new account without a usable password, and a mail with a link to set one. The person
    signs in with their e-mail address as their username."""
    if not may_manage(actor):
        raise PeopleError(_("Only the focal point invites people."))
    _check_role(actor, data)
    email = _check_email(data.email)
    if data.language and not is_offered(data.language):
        raise PeopleError(_("This language is not offered."), field="language")
    person = User(username=email.lower(), is_active=True, language=data.language)
    _apply(person, PersonData(**{**data.__dict__, "email": email}))
    person.set_unusable_password()
    _save_without_snapshots(person, data, fields=None)
    _snapshot(person, actor=actor, reason=Reason.INVITE, history_type="+")
    _queue_invitation(person, site_url=site_url)
    return person


@transaction.atomic
def change_person(*, actor: User, person: User, data: PersonData, expected_version: int) -> User:
    """Set a person's name, e-mail, role and scope."""
    if not may_manage(actor, person):
        raise PeopleError(_("Only an administrator changes an administrator's account."))
    _check_role(actor, data)
    email = _check_email(data.email, exclude_pk=person.pk)
    data = PersonData(**{**data.__dict__, "email": email})
    # Checked on a copy: a refused change leaves the caller's object as it was.
    candidate = copy.copy(person)
    _apply(candidate, data)
    if person.is_focal_point and not candidate.is_focal_point:
        if person.pk == actor.pk:
            raise PeopleError(
                _("You cannot take the focal point role from yourself: ask another focal point."),
                field="role",
            )
        _check_not_last_focal_point(
            person,
            message=_("This is the last active focal point: make someone else one first."),
            field="role",
        )
    _claim_version(person, expected_version)
    _apply(person, data)
    fields = ["first_name", "last_name", "email", "role", "partner", "counterpart_country"]
    _save_without_snapshots(person, data, fields=[*fields, "version"])
    _snapshot(person, actor=actor, reason=Reason.CHANGE, history_type="~")
    return person


@transaction.atomic
def set_person_active(*, actor: User, person: User, active: bool, expected_version: int) -> User:
    """Deactivate (they can no longer sign in, and their API tokens stop working) or
    reactivate an account. Accounts are never deleted: the history points at them."""
    if not may_manage(actor, person):
        raise PeopleError(_("Only an administrator changes an administrator's account."))
    if person.is_active == active:
        return person
    if not active:
        if person.pk == actor.pk:
            raise PeopleError(_("You cannot deactivate your own account."))
        if person.is_focal_point:
            _check_not_last_focal_point(
                person,
                message=_(
                    "This is the last active focal point: make someone else one before "
                    "deactivating this account."
                ),
            )
    _claim_version(person, expected_version)
    person.is_active = active
    person.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        person.save(update_fields=["is_active", "version"])
    finally:
        del person.skip_history_when_saving  # type: ignore[attr-defined]
    reason = Reason.REACTIVATE if active else Reason.DEACTIVATE
    _snapshot(person, actor=actor, reason=reason, history_type="~")
    return person


@transaction.atomic
def resend_invitation(*, actor: User, person: User, site_url: str) -> User:
    """A new set-password link. The person's unusable password is drawn again, which ends the
    links sent before: only the newest mail works."""
    if not may_manage(actor, person):
        raise PeopleError(_("Only an administrator changes an administrator's account."))
    if not person.is_active:
        raise PeopleError(_("Reactivate the account before sending the invitation again."))
    if not person.email:
        raise PeopleError(_("Give this person an e-mail address first: the invitation goes there."))
    if person.has_usable_password():
        raise PeopleError(
            _("This person has already set a password: they can reset it from the sign-in page.")
        )
    person.set_unusable_password()
    person.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        person.save(update_fields=["password"])
    finally:
        del person.skip_history_when_saving  # type: ignore[attr-defined]
    _snapshot(person, actor=actor, reason=Reason.RESEND, history_type="~")
    _queue_invitation(person, site_url=site_url)
    return person
