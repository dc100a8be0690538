"""Each side's confirmation of an activity: asked when the side is added, confirmed or disputed
by the side, answered by the agency, asked again when a key fact changes; and the activity's
summary (activities.Agreement) that follows them."""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import User
from activities import bulk
from activities.history import marked
from activities.models import Activity, ActivityCountry, ActivityPartner, Agreement, Partner
from finance.rollups import request_refresh_for_changed_activities

from .. import access
from ..models import (
    AWAITING_SIDE,
    Channel,
    Confirmation,
    ConfirmationState,
    ConfirmationStep,
    DisputedField,
    Fact,
    NotificationKind,
    StepAction,
)
from .common import CounterpartError, claim_version, required_text, through_of
from .facts import changed_facts, key_facts
from .notifications import Notice, activity_managers, notify, send_notices

# Sides whose own money changes now by their own agreement (an accepted proposal): the change
# is recorded as what they confirmed instead of asking them again (services.proposals).
Side = tuple[int, str, int | None]  # activity, "country" or "partner", its id
_agreed_sides: ContextVar[frozenset[Side]] = ContextVar("agreed_sides", default=frozenset())


@contextlib.contextmanager
def agreed_money(activity_id: int, contributor: Partner) -> Iterator[None]:
    """While inside, a change of `contributor`'s money on the activity is agreed by its sides
    (the organization's, and its country's)."""
    sides = {
        (activity_id, "partner", contributor.pk),
        (activity_id, "country", contributor.country_id),
    }
    token = _agreed_sides.set(_agreed_sides.get() | sides)
    try:
        yield
    finally:
        _agreed_sides.reset(token)


# --- following the activity --------------------------------------------------------------


def sync_sides(activity_ids: Collection[int], *, user: User | None) -> None:
    """Bring the activities' confirmations in line with their roles and key facts: a new side
    is asked to confirm; a confirmed side whose key facts changed is asked to re-confirm. Called
    in the write's transaction (counterparts.receivers)."""
    ids = set(activity_ids)
    if not ids:
        return
    drop_removed_sides(ids, user)
    _ask_new_sides(ids, user)
    _reopen_changed(ids, user)
    refresh_agreement(ids)


def drop_removed_sides(activity_ids: Collection[int] | None, user: User | None) -> None:
    """Delete the confirmations whose role is gone (of these activities, or of all): the role
    rows are deleted without Django's collector, so nothing cascades to them."""
    confirmations = Confirmation.objects.all()
    countries = ActivityCountry.objects.all()
    partners = ActivityPartner.objects.all()
    if activity_ids is not None:
        confirmations = confirmations.filter(activity_id__in=activity_ids)
        countries = countries.filter(activity_id__in=activity_ids)
        partners = partners.filter(activity_id__in=activity_ids)
    gone = list(
        confirmations.filter(
            Q(country_link_id__isnull=False) & ~Q(country_link_id__in=countries.values("pk"))
            | Q(partner_link_id__isnull=False) & ~Q(partner_link_id__in=partners.values("pk"))
        )
    )
    if not gone:
        return
    # In three statements whatever their number (an import may remove many roles): the steps,
    # the deletions' history rows (with their author), the rows.
    pks = [confirmation.pk for confirmation in gone]
    ConfirmationStep.objects.filter(confirmation_id__in=pks).delete()
    bulk.insert_history(gone, history_type="-", user=user, when=timezone.now())
    bulk.delete(Confirmation, pks)


def _ask_new_sides(ids: set[int], user: User | None) -> None:
    """A confirmation, its first step and a notice to its speakers for every role without one:
    a fixed number of statements however many activities an import brings."""
    now = timezone.now()
    new: list[Confirmation] = [
        Confirmation(activity_id=link.activity_id, country_link=link, asked_at=now)
        for link in ActivityCountry.objects.filter(
            activity_id__in=ids, confirmation__isnull=True
        ).select_related("country")
    ] + [
        Confirmation(activity_id=link.activity_id, partner_link=link, asked_at=now)
        for link in ActivityPartner.objects.filter(
            activity_id__in=ids, confirmation__isnull=True
        ).select_related("partner")
    ]
    if not new:
        return
    bulk_create_with_history(new, Confirmation, default_user=user, default_date=now)
    if any(c.pk is None for c in new):  # a database that does not return ids on insert
        new = list(Confirmation.objects.with_side().filter(activity_id__in=ids, asked_at=now))
    _record(new, StepAction.ASKED, NotificationKind.CONFIRM_REQUESTED, user)


def _reopen_changed(ids: set[int], user: User | None) -> None:
    confirmed = list(
        Confirmation.objects.with_side().filter(
            activity_id__in=ids, state=ConfirmationState.CONFIRMED
        )
    )
    now_facts = key_facts(confirmed)
    agreed = _agreed_sides.get()
    reopened: list[Confirmation] = []
    changes: dict[int, list[str]] = {}
    silent: list[Confirmation] = []
    for confirmation in confirmed:
        changed = changed_facts(confirmation.facts, now_facts[confirmation.pk])
        if not changed:
            continue
        if changed == [Fact.MONEY] and _side(confirmation) in agreed:
            confirmation.facts = now_facts[confirmation.pk]
            silent.append(confirmation)
            continue
        confirmation.state = ConfirmationState.RECONFIRM
        confirmation.asked_at = timezone.now()
        confirmation.version += 1
        reopened.append(confirmation)
        changes[confirmation.pk] = changed
    if silent:
        Confirmation.objects.bulk_update(silent, ["facts"])
    if reopened:
        bulk_update_with_history(
            reopened, Confirmation, ["state", "asked_at", "version"], default_user=user
        )
        _record(reopened, StepAction.REOPENED, NotificationKind.RECONFIRM_REQUESTED, user, changes)


def _record(
    confirmations: list[Confirmation],
    action: str,
    kind: NotificationKind,
    user: User | None,
    changes: dict[int, list[str]] | None = None,
) -> None:
    """The step each side took (by `user`, through the portal) and a notice to its speakers."""
    changes = changes or {}
    ConfirmationStep.objects.bulk_create(
        ConfirmationStep(
            confirmation=c, action=action, fields=changes.get(c.pk, []), by=user, via=Channel.SYSTEM
        )
        for c in confirmations
    )
    speakers = access.speakers_of_sides(confirmations)
    send_notices(
        Notice(
            speaker,
            kind,
            c.activity_id,
            user,
            {**c.side_details(), **({"facts": changes[c.pk]} if c.pk in changes else {})},
        )
        for c in confirmations
        for speaker in speakers[c.pk]
    )


@transaction.atomic
def refresh_agreement(activity_ids: Iterable[int]) -> None:
    """Set each activity's summary from its confirmations: disputed if a side disputes,
    confirmed when every side confirmed, waiting otherwise, none without sides. An activity
    whose summary moves is touched (`updated_at`), so that API syncs see it, and its roll-ups
    are asked to be refreshed in this transaction: the dashboard sums money by agreement, and
    the request waits in RollupRefresh until a worker drains it."""
    ids = set(activity_ids)
    states: dict[int, dict[str, int]] = defaultdict(dict)
    for activity_id, state, count in (
        Confirmation.objects.filter(activity_id__in=ids)
        .values("activity_id", "state")
        .annotate(count=Count("pk"))
        .values_list("activity_id", "state", "count")
        .order_by()
    ):
        states[activity_id][state] = count
    wanted: dict[str, list[int]] = defaultdict(list)
    for activity_id in ids:
        wanted[_summary(states.get(activity_id, {}))].append(activity_id)
    now = timezone.now()
    moved: dict[int, list[int]] = {}
    for agreement, members in wanted.items():
        changing = dict(
            Activity.objects.filter(pk__in=members)
            .exclude(agreement=agreement)
            .values_list("pk", "lead_division")
        )
        if changing:
            Activity.objects.filter(pk__in=list(changing)).update(
                agreement=agreement, updated_at=now
            )
            moved |= {pk: [division] for pk, division in changing.items()}
    if moved:
        request_refresh_for_changed_activities(moved)


def _summary(states: dict[str, int]) -> str:
    if not states:
        return Agreement.NONE
    if states.get(ConfirmationState.DISPUTED):
        return Agreement.DISPUTED
    if set(states) == {ConfirmationState.CONFIRMED}:
        return Agreement.CONFIRMED
    return Agreement.WAITING


# --- what a side and the agency do ---------------------------------------------------------


@transaction.atomic
def confirm(
    *,
    confirmation: Confirmation,
    user: User,
    expected_version: int | None,
    comment: str = "",
    via: str = Channel.FORM,
) -> Confirmation:
    """The side confirms the record as it stands now."""
    _check_speaks_for(user, confirmation)
    if confirmation.state == ConfirmationState.CONFIRMED:
        raise CounterpartError(
            {"__all__": [_("%(side)s has already confirmed.") % {"side": confirmation.side_label}]}
        )
    comment = comment.strip()
    # The optional comment obeys the text rules as a dispute's or an answer's does.
    _check_text(comment)
    claim_version(confirmation, expected_version)
    confirmation.state = ConfirmationState.CONFIRMED
    confirmation.facts = key_facts([confirmation])[confirmation.pk]
    _save(confirmation, user, via)
    _step(confirmation, StepAction.CONFIRMED, user, comment=comment, via=via)
    notify(
        activity_managers(confirmation.activity),
        NotificationKind.CONFIRMED,
        activity=confirmation.activity,
        actor=user,
        details=confirmation.side_details(),
    )
    refresh_agreement([confirmation.activity_id])
    return confirmation


@transaction.atomic
def dispute(
    *,
    confirmation: Confirmation,
    user: User,
    fields: Sequence[str],
    comment: str,
    expected_version: int | None,
    via: str = Channel.FORM,
) -> Confirmation:
    """The side says what is wrong: one or more fields, and a comment."""
    _check_speaks_for(user, confirmation)
    errors: dict[str, list[str]] = {}
    chosen = list(dict.fromkeys(fields or ()))
    unknown = [name for name in chosen if name not in DisputedField.values]
    if not chosen:
        errors["fields"] = [_("Say what is wrong: choose at least one field.")]
    elif unknown:
        errors["fields"] = [
            _("%(names)s: not something one can dispute. Choose among: %(choices)s.")
            % {
                "names": ", ".join(unknown),
                "choices": ", ".join(str(label) for label in DisputedField.labels),
            }
        ]
    text = required_text(errors, "comment", comment, _("Say in a comment what is wrong."))
    if confirmation.state == ConfirmationState.DISPUTED:
        errors.setdefault("__all__", []).append(
            _("%(side)s already disputes this record: wait for the answer, or add a comment.")
            % {"side": confirmation.side_label}
        )
    if errors:
        raise CounterpartError(errors)
    _check_text(text)
    claim_version(confirmation, expected_version)
    confirmation.state = ConfirmationState.DISPUTED
    _save(confirmation, user, via)
    _step(confirmation, StepAction.DISPUTED, user, fields=chosen, comment=text, via=via)
    notify(
        activity_managers(confirmation.activity),
        NotificationKind.DISPUTED,
        activity=confirmation.activity,
        actor=user,
        details={**confirmation.side_details(), "fields": chosen},
    )
    refresh_agreement([confirmation.activity_id])
    return confirmation


@transaction.atomic
def answer(
    *,
    confirmation: Confirmation,
    user: User,
    comment: str,
    expected_version: int | None,
    via: str = Channel.FORM,
) -> Confirmation:
    """The agency answers a dispute (after fixing the record, or explaining why not): the side
    is asked to confirm again."""
    if not access.changes_activity(user, confirmation.activity):
        raise CounterpartError(
            {"__all__": [_("Only who manages this activity answers a dispute.")]}
        )
    errors: dict[str, list[str]] = {}
    text = required_text(errors, "comment", comment, _("Write the answer to the dispute."))
    if confirmation.state != ConfirmationState.DISPUTED:
        errors.setdefault("__all__", []).append(
            _("%(side)s does not dispute this record: there is nothing to answer.")
            % {"side": confirmation.side_label}
        )
    if errors:
        raise CounterpartError(errors)
    _check_text(text)
    claim_version(confirmation, expected_version)
    confirmation.state = ConfirmationState.ANSWERED
    confirmation.asked_at = timezone.now()
    _save(confirmation, user, via)
    _step(confirmation, StepAction.ANSWERED, user, comment=text, via=via)
    _tell_side(confirmation, NotificationKind.ANSWERED, user)
    refresh_agreement([confirmation.activity_id])
    return confirmation


# --- helpers --------------------------------------------------------------------------------


def _check_speaks_for(user: User, confirmation: Confirmation) -> None:
    if not access.speaks_for(user, confirmation):
        raise CounterpartError(
            {
                "__all__": [
                    _("Only the counterparts of %(side)s confirm or dispute its role.")
                    % {"side": confirmation.side_label}
                ]
            }
        )


def _check_text(text: str) -> None:
    """The comment obeys the portal's text rules (accounts.text), checked on the model field."""
    step = ConfirmationStep(comment=text)
    try:
        step.clean_fields(exclude=["confirmation", "action", "fields", "by", "via", "at"])
    except ValidationError as error:
        raise CounterpartError.from_validation_error(error) from error


def _save(confirmation: Confirmation, user: User | None, via: str) -> None:
    confirmation._history_user = user  # type: ignore[attr-defined]
    # The version was claimed by an UPDATE already: save the rest, not the version again.
    marked(confirmation, through_of(via)).save(
        update_fields=["state", "facts", "asked_at", "updated_at"]
    )


def _step(
    confirmation: Confirmation,
    action: str,
    user: User | None,
    *,
    fields: Sequence[str] = (),
    comment: str = "",
    via: str,
) -> None:
    ConfirmationStep.objects.create(
        confirmation=confirmation,
        action=action,
        fields=list(fields),
        comment=comment,
        by=user,
        via=via,
    )


def _tell_side(
    confirmation: Confirmation,
    kind: NotificationKind,
    actor: User | None,
    *,
    details: dict[str, object] | None = None,
) -> None:
    notify(
        access.side_speakers(confirmation),
        kind,
        activity=confirmation.activity,
        actor=actor,
        details={**confirmation.side_details(), **(details or {})},
    )


def _side(confirmation: Confirmation) -> Side:
    if confirmation.country_link_id is not None:
        return (confirmation.activity_id, "country", confirmation.country_id)
    return (confirmation.activity_id, "partner", confirmation.partner_id)


def awaiting_side(confirmation: Confirmation) -> bool:
    return confirmation.state in AWAITING_SIDE
