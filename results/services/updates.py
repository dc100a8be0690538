"""Updates and their approval: draft, submit, return, approve, revise, delete. Every write
claims the update's version, so two people cannot overwrite each other."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.history import (
    Through,
    create_all_marked,
    delete_all_marked,
    delete_marked,
    marked,
)
from knowledge.uploads import CheckedFile

from ..models import (
    DimensionValue,
    Measure,
    Period,
    Update,
    UpdateDisaggregation,
    UpdateStatus,
)
from ..period_figures import refresh_periods

if TYPE_CHECKING:
    from accounts.models import User

from .common import (
    ResultsError,
    UpdateConflict,
    _check_parts,
    _check_percentage,
    _clean,
    _raise_if,
    activity_dates,
)

# --- updates -----------------------------------------------------------------------------------


@dataclass
class UpdateData:
    value: Decimal | None = None
    narrative: str = ""
    achieved: bool | None = None
    comment: str = ""
    parts: dict[DimensionValue, Decimal] = field(default_factory=dict)
    evidence_url: str = ""
    evidence_asset: Any = None
    evidence_file: CheckedFile | None = None
    remove_evidence_file: bool = False


def _claim(update: Update, expected_version: int | None) -> None:
    """Claim the next version, or fail if someone saved since `expected_version` (atomic in the
    database, so two writes of one version cannot both win)."""
    expected = update.version if expected_version is None else expected_version
    claimed = Update.objects.filter(pk=update.pk, version=expected).update(version=F("version") + 1)
    if not claimed:
        update.refresh_from_db()
        raise UpdateConflict(update)
    update.version = expected + 1


def _check_update(update: Update, data: UpdateData) -> dict[str, list[str]]:
    period = update.period
    indicator = period.indicator
    errors = _clean(update, exclude=["period", "revises", "evidence_file"])
    start, end = activity_dates(indicator.result.activity)
    if (start and period.start < start) or (end and period.end > end):
        errors.setdefault("period", []).append(
            _(
                "This period (%(period)s) is no longer within the activity's dates "
                "(%(start)s to %(end)s): correct the period first."
            )
            % {"period": period, "start": start or "...", "end": end or "..."}
        )
    if indicator.is_quantitative:
        if data.value is None:
            errors.setdefault("value", []).append(_("Give the value, as a number."))
        elif indicator.measure == Measure.PERCENTAGE:
            _check_percentage(errors, "value", data.value)
        elif data.value < 0:
            errors.setdefault("value", []).append(_("A value cannot be negative."))
        if data.parts:
            _check_parts(errors, "parts", data.value, data.parts, indicator)
    else:
        if data.value is not None:
            errors.setdefault("value", []).append(
                _("A qualitative indicator is reported as a narrative, not as a number.")
            )
        if not data.narrative.strip():
            errors.setdefault("narrative", []).append(_("Describe what happened."))
        if data.achieved is None:
            errors.setdefault("achieved", []).append(_("Say whether the indicator was achieved."))
        if data.parts:
            errors.setdefault("parts", []).append(
                _("A qualitative indicator has no disaggregated values.")
            )
    return errors


def _apply(update: Update, data: UpdateData) -> None:
    update.value = data.value
    update.narrative = data.narrative
    update.achieved = data.achieved
    update.comment = data.comment
    update.evidence_url = data.evidence_url
    update.evidence_asset = data.evidence_asset


def save_update(
    *,
    period: Period,
    data: UpdateData,
    user: User | None,
    update: Update | None = None,
    expected_version: int | None = None,
    through: Through | None = None,
) -> Update:
    """Draft a new update, or change a draft or a returned one. Approved and submitted updates
    are locked (a change to an approved value is a revision: revise_update). `through`: the
    page's form or the API, kept in the update's history, as by every write below."""
    if update is not None and not update.is_editable:
        raise ResultsError(
            {
                "status": [
                    _("An approved update is locked: revise it with a reason instead.")
                    if update.is_locked
                    else _("A submitted update waits for approval: it cannot be changed now.")
                ]
            }
        )
    target = update or Update(period=period, created_by=user)
    _apply(target, data)
    _raise_if(_check_update(target, data))
    stored: list[str] = []
    try:
        with transaction.atomic():
            if target.pk:
                _claim(target, expected_version)
            _store_evidence(target, data, stored)
            marked(target, through).save()
            delete_all_marked(target.parts.all(), through)
            create_all_marked(
                UpdateDisaggregation,
                (
                    UpdateDisaggregation(update=target, dimension_value=value, value=amount)
                    for value, amount in data.parts.items()
                ),
                through,
            )
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise
    return target


def _store_evidence(update: Update, data: UpdateData, stored: list[str]) -> None:
    old = update.evidence_file.name if update.evidence_file else ""
    if data.evidence_file is not None:
        update.evidence_file.save(data.evidence_file.name, data.evidence_file.upload, save=False)
        update.evidence_file_name = data.evidence_file.name
        stored.append(update.evidence_file.name or "")
    elif data.remove_evidence_file:
        update.evidence_file = ""  # type: ignore[assignment]
        update.evidence_file_name = ""
    if old and old != (update.evidence_file.name if update.evidence_file else ""):
        transaction.on_commit(lambda: default_storage.delete(old))


def _move(
    update: Update,
    *,
    allowed: Sequence[str],
    to: str,
    expected_version: int | None,
) -> None:
    # The version first: a stale caller learns that the update moved, not that it cannot.
    _claim(update, expected_version)
    if update.status not in allowed:
        raise ResultsError(
            {
                "status": [
                    _("This update is %(status)s: it cannot be %(action)s.")
                    % {
                        "status": update.get_status_display().lower(),
                        "action": UpdateStatus(to).label.lower(),
                    }
                ]
            }
        )
    update.status = to


def submit_update(
    *,
    update: Update,
    user: User | None,
    expected_version: int | None = None,
    through: Through | None = None,
) -> Update:
    """Send a draft (or a returned update, corrected) for approval."""
    with transaction.atomic():
        locked = (
            Update.objects.select_for_update().select_related("period__indicator").get(pk=update.pk)
        )
        _move(
            locked,
            allowed=(UpdateStatus.DRAFT, UpdateStatus.RETURNED),
            to=UpdateStatus.SUBMITTED,
            expected_version=expected_version if expected_version is not None else update.version,
        )
        parts = {
            p.dimension_value: p.value
            for p in locked.parts.select_related("dimension_value__dimension")
        }
        data = UpdateData(
            value=locked.value, narrative=locked.narrative, achieved=locked.achieved, parts=parts
        )
        _raise_if(_check_update(locked, data))
        locked.submitted_by, locked.submitted_at = user, timezone.now()
        marked(locked, through).save()
    return locked


def return_update(
    *,
    update: Update,
    user: User | None,
    reason: str,
    expected_version: int | None = None,
    through: Through | None = None,
) -> Update:
    """Send a submitted update back to its reporter, saying what to correct."""
    if not reason.strip():
        raise ResultsError({"return_reason": [_("Say what should be corrected.")]})
    with transaction.atomic():
        locked = Update.objects.select_for_update().get(pk=update.pk)
        _move(
            locked,
            allowed=(UpdateStatus.SUBMITTED,),
            to=UpdateStatus.RETURNED,
            expected_version=expected_version if expected_version is not None else update.version,
        )
        locked.return_reason = reason.strip()
        _raise_if(_clean(locked, exclude=["period", "revises", "evidence_file"]))
        locked.reviewed_by, locked.reviewed_at = user, timezone.now()
        marked(locked, through).save()
    return locked


def approve_update(
    *,
    update: Update,
    user: User | None,
    expected_version: int | None = None,
    through: Through | None = None,
) -> Update:
    """Approve a submitted update: its value now counts and is locked. A revision retires the
    approved update it revises."""
    with transaction.atomic():
        locked = Update.objects.select_for_update().get(pk=update.pk)
        _move(
            locked,
            allowed=(UpdateStatus.SUBMITTED,),
            to=UpdateStatus.APPROVED,
            expected_version=expected_version if expected_version is not None else update.version,
        )
        locked.reviewed_by, locked.reviewed_at = user, timezone.now()
        locked.return_reason = ""
        marked(locked, through).save()
        if locked.revises_id:
            revised = Update.objects.select_for_update().get(pk=locked.revises_id)
            revised.retired = True
            marked(revised, through).save(update_fields=["retired"])
        # The revision and the value it retires share the period.
        refresh_periods([locked.period_id])
    return locked


def revise_update(
    *,
    update: Update,
    user: User | None,
    reason: str,
    expected_version: int | None = None,
    through: Through | None = None,
) -> Update:
    """Start a correction of an approved value: a new draft naming the update and the reason.
    The approved value counts until the revision is approved. Claiming the approved update's
    version keeps two people from both starting one, and tells a stale caller."""
    if not reason.strip():
        raise ResultsError({"revision_reason": [_("Say why the approved value must change.")]})
    under_way = _("A revision of this update is already under way: continue that one.")
    with transaction.atomic():
        _claim(update, expected_version)
        # Retiring an approved update does not move its version: read its state as it is now.
        update.refresh_from_db(fields=["status", "retired"])
        if not update.counts:
            raise ResultsError({"status": [_("Only an approved, current update can be revised.")]})
        if Update.objects.filter(revises=update).exists():
            raise ResultsError({"status": [under_way]})
        revision = Update(
            period=update.period,
            value=update.value,
            narrative=update.narrative,
            achieved=update.achieved,
            comment=update.comment,
            evidence_url=update.evidence_url,
            evidence_asset=update.evidence_asset,
            revises=update,
            revision_reason=reason.strip(),
            created_by=user,
        )
        _raise_if(_clean(revision, exclude=["period", "revises", "evidence_file"]))
        marked(revision, through).save()
        create_all_marked(
            UpdateDisaggregation,
            (
                UpdateDisaggregation(
                    update=revision, dimension_value=p.dimension_value, value=p.value
                )
                for p in update.parts.all()
            ),
            through,
        )
    return revision


def delete_update(
    *, update: Update, expected_version: int | None = None, through: Through | None = None
) -> None:
    """Delete a draft or a returned update; with `expected_version`, only as the caller saw it
    (a page loaded before someone submitted it must not delete it)."""
    if not update.is_editable:
        raise ResultsError({"status": [_("Only a draft or a returned update can be deleted.")]})
    name = update.evidence_file.name if update.evidence_file else ""
    with transaction.atomic():
        if expected_version is not None:
            _claim(update, expected_version)
        delete_marked(update, through)
        if name:
            transaction.on_commit(lambda: default_storage.delete(name))
