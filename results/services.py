"""Writes to results frameworks, updates, benefits and follow-ups.

Pages, the API and the demo loader all come through here: each function authorizes nothing (the
caller has, through results.access) but validates everything, runs in one transaction, raises
one ResultsError naming the field, and leaves nothing half-written. Updates carry a version
that each write claims, so two people approving or editing the same update cannot overwrite
each other.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from activities.services import ActivityError
from finance.models.rates import to_usd
from finance.services import FinanceError, rate_for
from knowledge.models import ActionPlan
from knowledge.uploads import CheckedFile

from .models import (
    FOLLOW_UP_MONTHS,
    ActivityRelation,
    BenefitStream,
    CoreIndicator,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorKind,
    Measure,
    Period,
    PlanFollowUp,
    Result,
    ScalingPathway,
    TargetDisaggregation,
    Update,
    UpdateDisaggregation,
    UpdateStatus,
)

if TYPE_CHECKING:
    from accounts.models import User

HUNDRED = Decimal(100)


class ResultsError(ActivityError):
    """A results write was refused. `errors` maps a field name (or "__all__") to messages."""


class UpdateConflict(ResultsError):
    """Someone else changed the update after the caller loaded it."""

    def __init__(self, update: Update):
        self.update = update
        super().__init__(
            {
                "version": [
                    _(
                        "This update was changed by someone else while you were working on it "
                        "(now at version %(version)s). Reload it: your change was not saved."
                    )
                    % {"version": update.version}
                ]
            }
        )


def _clean(instance: Any, *, exclude: Sequence[str] = ()) -> dict[str, list[str]]:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        return ResultsError.from_validation_error(error).errors
    return {}


def _raise_if(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise ResultsError(dict(errors))


def activity_dates(activity: Activity) -> tuple[datetime.date | None, datetime.date | None]:
    """The dates a period must fall within: actual where known, else planned."""
    return (
        activity.actual_start or activity.planned_start,
        activity.actual_end or activity.planned_end,
    )


# --- the library -------------------------------------------------------------------------------


def save_core_indicator(*, core: CoreIndicator) -> CoreIndicator:
    """Create or change a core indicator. Its kind and measure are fixed once activities use it:
    their values were reported under them."""
    errors = _clean(core)
    if core.pk:
        before = CoreIndicator.objects.get(pk=core.pk)
        in_use = before.indicators.exists()
        if in_use and (before.kind, before.measure) != (core.kind, core.measure):
            errors.setdefault("kind", []).append(
                _("Activities report on this indicator: its kind and measure can no longer change.")
            )
    if core.kind == IndicatorKind.QUALITATIVE and core.measure != Measure.QUALITATIVE:
        errors.setdefault("measure", []).append(
            _("A qualitative indicator is measured qualitatively.")
        )
    _raise_if(errors)
    with transaction.atomic():
        try:
            core.save()
        except IntegrityError as error:
            raise ResultsError(
                {"aggregation": [_("This rule does not fit the indicator's kind.")]}
            ) from error
    return core


def save_dimension(*, dimension: Dimension, values: Sequence[str]) -> Dimension:
    """Create or change a dimension with its values, in the order given. A value in use by a
    target or an update cannot be removed (its figures would lose their label)."""
    names = [v.strip() for v in values if v.strip()]
    errors = _clean(dimension)
    if len(names) < 2:
        errors.setdefault("values", []).append(_("A dimension needs at least two values."))
    if len({n.casefold() for n in names}) != len(names):
        errors.setdefault("values", []).append(_("Each value may appear once."))
    _raise_if(errors)
    with transaction.atomic():
        dimension.save()
        existing = {v.value.casefold(): v for v in dimension.values.all()}
        kept = []
        for position, name in enumerate(names):
            row = existing.get(name.casefold()) or DimensionValue(dimension=dimension)
            row.value, row.position = name, position
            row_errors = _clean(row, exclude=["dimension"])
            _raise_if(
                {f"values.{position}": [m for ms in row_errors.values() for m in ms]}
                if row_errors
                else {}
            )
            row.save()
            kept.append(row.pk)
        gone = dimension.values.exclude(pk__in=kept)
        used = TargetDisaggregation.objects.filter(dimension_value__in=gone).exists() or (
            UpdateDisaggregation.objects.filter(dimension_value__in=gone).exists()
        )
        if used:
            raise ResultsError(
                {"values": [_("A value that targets or updates use cannot be removed.")]}
            )
        gone.delete()
    return dimension


# --- the framework -----------------------------------------------------------------------------


def save_result(*, result: Result, user: User | None) -> Result:
    _raise_if(_clean(result, exclude=["activity"]))
    if result.pk is None:
        result.created_by = user
    with transaction.atomic():
        result.save()
    return result


def delete_result(*, result: Result) -> None:
    """A result whose indicators hold approved values keeps its history: it cannot be deleted."""
    if Update.objects.filter(period__indicator__result=result).approved().exists():
        raise ResultsError(
            _("This result has approved values: they stay on record, so it cannot be deleted.")
        )
    with transaction.atomic():
        result.delete()


def save_indicator(
    *, indicator: Indicator, dimensions: Iterable[Dimension] | None = None
) -> Indicator:
    """Create or change an indicator. Adopting a core indicator takes its kind, unit and measure,
    so that the values add up with every other activity's."""
    if indicator.core_id:
        core = indicator.core
        assert core is not None
        indicator.kind, indicator.unit, indicator.measure = core.kind, core.unit, core.measure
    if indicator.kind == IndicatorKind.QUALITATIVE:
        indicator.measure, indicator.unit = Measure.QUALITATIVE, ""
        indicator.baseline_value = None
    errors = _clean(indicator, exclude=["result"])
    if indicator.kind == IndicatorKind.QUANTITATIVE and indicator.measure == Measure.QUALITATIVE:
        errors.setdefault("measure", []).append(
            _("A quantitative indicator is measured in units or as a percentage.")
        )
    if indicator.baseline_value is not None and indicator.baseline_value < 0:  # as updates
        errors.setdefault("baseline_value", []).append(_("A baseline cannot be negative."))
    elif indicator.measure == Measure.PERCENTAGE and indicator.baseline_value is not None:
        _check_percentage(errors, "baseline_value", indicator.baseline_value)
    if indicator.core_id and not indicator.core.is_active:  # type: ignore[union-attr]
        errors.setdefault("core", []).append(_("This core indicator is no longer in use."))
    if indicator.pk:
        _check_kind_kept(indicator, errors)
    _raise_if(errors)
    with transaction.atomic():
        indicator.save()
        if dimensions is not None:
            _set_dimensions(indicator, list(dimensions))
    return indicator


def _check_kind_kept(indicator: Indicator, errors: dict[str, list[str]]) -> None:
    before = Indicator.objects.get(pk=indicator.pk)
    has_updates = Update.objects.filter(period__indicator=indicator).exists()
    changed = (before.kind, before.measure, before.core_id) != (
        indicator.kind,
        indicator.measure,
        indicator.core_id,
    )
    if has_updates and changed:
        errors.setdefault("kind", []).append(
            _("Updates were reported on this indicator: its kind, measure and core indicator stay.")
        )


def _set_dimensions(indicator: Indicator, dimensions: list[Dimension]) -> None:
    removed = set(indicator.dimensions.values_list("pk", flat=True)) - {d.pk for d in dimensions}
    in_use = (
        TargetDisaggregation.objects.filter(
            period__indicator=indicator, dimension_value__dimension__in=removed
        ).exists()
        or UpdateDisaggregation.objects.filter(
            update__period__indicator=indicator, dimension_value__dimension__in=removed
        ).exists()
    )
    if in_use:
        raise ResultsError(
            {"dimensions": [_("Targets or updates use a dimension you removed: it stays.")]}
        )
    indicator.dimensions.set(dimensions)


def delete_indicator(*, indicator: Indicator) -> None:
    if Update.objects.filter(period__indicator=indicator).approved().exists():
        raise ResultsError(
            _("This indicator has approved values: they stay on record, so it cannot be deleted.")
        )
    with transaction.atomic():
        indicator.delete()


def _check_percentage(errors: dict[str, list[str]], name: str, value: Decimal) -> None:
    if not Decimal(0) <= value <= HUNDRED:
        errors.setdefault(name, []).append(_("A percentage is between 0 and 100."))


def _check_parts(
    errors: dict[str, list[str]],
    name: str,
    total: Decimal | None,
    parts: Mapping[DimensionValue, Decimal],
    indicator: Indicator,
) -> None:
    """Disaggregated values belong to the indicator's dimensions and, per dimension, add up to
    no more than the total (a total may count people no dimension value describes)."""
    allowed = {d.pk for d in indicator.dimensions.all()}
    sums: dict[Dimension, Decimal] = defaultdict(Decimal)
    for value, amount in parts.items():
        if value.dimension_id not in allowed:
            errors.setdefault(name, []).append(
                _("%(value)s is not one of this indicator's dimensions.") % {"value": value}
            )
        if amount < 0:
            errors.setdefault(name, []).append(
                _("%(value)s: a value cannot be negative.") % {"value": value}
            )
        sums[value.dimension] += amount
    for dimension, amount in sums.items():
        if total is None or amount > total:
            errors.setdefault(name, []).append(
                _("The values by %(dimension)s add up to %(sum)s, more than the total (%(total)s).")
                % {"dimension": dimension.name, "sum": _plain(amount), "total": _plain(total)}
            )


def _plain(value: Decimal | None) -> str:
    if value is None:
        return _("none")
    return f"{value.normalize():f}"


def save_period(
    *, period: Period, target_parts: Mapping[DimensionValue, Decimal] | None = None
) -> Period:
    """Create or change a reporting period and its targets: inside the activity's dates, not
    overlapping another period of the indicator."""
    indicator = period.indicator
    errors = _clean(period, exclude=["indicator"])
    _check_period_dates(errors, period)
    if indicator.kind == IndicatorKind.QUALITATIVE and period.target_value is not None:
        errors.setdefault("target_value", []).append(
            _("A qualitative indicator's target is described in the comment, not as a number.")
        )
    if period.target_value is not None:
        if period.target_value < 0:
            errors.setdefault("target_value", []).append(_("A target cannot be negative."))
        elif indicator.measure == Measure.PERCENTAGE:
            _check_percentage(errors, "target_value", period.target_value)
        if target_parts:
            _check_parts(errors, "target_parts", period.target_value, target_parts, indicator)
    elif target_parts:
        errors.setdefault("target_parts", []).append(
            _("Give the total target before its disaggregation.")
        )
    _raise_if(errors)
    with transaction.atomic():
        period.save()
        if target_parts is not None:
            period.target_parts.all().delete()
            TargetDisaggregation.objects.bulk_create(
                TargetDisaggregation(period=period, dimension_value=value, value=amount)
                for value, amount in target_parts.items()
            )
    return period


def _check_period_dates(errors: dict[str, list[str]], period: Period) -> None:
    if not (period.start and period.end) or "start" in errors or "end" in errors:
        return
    if period.end < period.start:
        errors.setdefault("end", []).append(_("The period cannot end before it starts."))
        return
    start, end = activity_dates(period.indicator.result.activity)
    if (start and period.start < start) or (end and period.end > end):
        errors.setdefault("start", []).append(
            _("The period must fall within the activity's dates (%(start)s to %(end)s).")
            % {"start": start or "...", "end": end or "..."}
        )
    overlapping = (
        Period.objects.filter(
            indicator=period.indicator, start__lte=period.end, end__gte=period.start
        )
        .exclude(pk=period.pk)
        .exists()
    )
    if overlapping:
        errors.setdefault("start", []).append(
            _("This period overlaps another reporting period of the indicator.")
        )


def annual_periods(indicator: Indicator) -> list[Period]:
    """Create one calendar-year period per year of the activity's dates, where none exists."""
    start, end = activity_dates(indicator.result.activity)
    if start is None or end is None:
        raise ResultsError(
            {"start": [_("Give the activity its start and end dates before its periods.")]}
        )
    created = []
    with transaction.atomic():
        for year in range(start.year, end.year + 1):
            period = Period(
                indicator=indicator,
                start=max(start, datetime.date(year, 1, 1)),
                end=min(end, datetime.date(year, 12, 31)),
            )
            overlapping = Period.objects.filter(
                indicator=indicator, start__lte=period.end, end__gte=period.start
            ).exists()
            if not overlapping:
                created.append(save_period(period=period))
    return created


def delete_period(*, period: Period) -> None:
    if period.updates.exists():
        raise ResultsError(_("Updates were reported for this period: it cannot be deleted."))
    with transaction.atomic():
        period.delete()


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
) -> Update:
    """Draft a new update, or change a draft or a returned one. Approved and submitted updates
    are locked (a change to an approved value is a revision: revise_update)."""
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
            target.save()
            target.parts.all().delete()
            UpdateDisaggregation.objects.bulk_create(
                UpdateDisaggregation(update=target, dimension_value=value, value=amount)
                for value, amount in data.parts.items()
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
    *, update: Update, user: User | None, expected_version: int | None = None
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
        locked.save()
    return locked


def return_update(
    *, update: Update, user: User | None, reason: str, expected_version: int | None = None
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
        locked.save()
    return locked


def approve_update(
    *, update: Update, user: User | None, expected_version: int | None = None
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
        locked.save()
        if locked.revises_id:
            revised = Update.objects.select_for_update().get(pk=locked.revises_id)
            revised.retired = True
            revised.save(update_fields=["retired"])
    return locked


def revise_update(
    *, update: Update, user: User | None, reason: str, expected_version: int | None = None
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
        revision.save()
        UpdateDisaggregation.objects.bulk_create(
            UpdateDisaggregation(update=revision, dimension_value=p.dimension_value, value=p.value)
            for p in update.parts.all()
        )
    return revision


def delete_update(*, update: Update, expected_version: int | None = None) -> None:
    """Delete a draft or a returned update; with `expected_version`, only as the caller saw it
    (a page loaded before someone submitted it must not delete it)."""
    if not update.is_editable:
        raise ResultsError({"status": [_("Only a draft or a returned update can be deleted.")]})
    name = update.evidence_file.name if update.evidence_file else ""
    with transaction.atomic():
        if expected_version is not None:
            _claim(update, expected_version)
        update.delete()
        if name:
            transaction.on_commit(lambda: default_storage.delete(name))


# --- benefits, scaling up, related activities ----------------------------------------------------


def save_benefits(*, activity: Activity, benefits: Sequence[BenefitStream]) -> None:
    """Replace the activity's expected benefit streams with `benefits`, in order."""
    errors: dict[str, list[str]] = {}
    for index, benefit in enumerate(benefits):
        benefit.activity, benefit.position = activity, index
        for name, messages in _clean(benefit, exclude=["activity"]).items():
            errors.setdefault(f"benefits.{index}.{name}", []).extend(messages)
    _raise_if(errors)
    with transaction.atomic():
        activity.benefits.all().delete()
        for benefit in benefits:
            benefit.pk = None
            benefit.save()


def save_pathway(*, pathway: ScalingPathway, user: User | None) -> ScalingPathway:
    errors = _clean(pathway, exclude=["activity"])
    if pathway.amount is not None and not pathway.currency:
        errors.setdefault("currency", []).append(_("Give the amount's currency."))
    if pathway.currency and pathway.amount is None:
        errors.setdefault("amount", []).append(_("Give the amount, or leave the currency empty."))
    _raise_if(errors)
    pathway.updated_by = user
    with transaction.atomic():
        pathway.save()
    return pathway


def add_relation(*, relation: ActivityRelation) -> ActivityRelation:
    errors = _clean(relation, exclude=["activity"])
    if relation.related_id == relation.activity_id:
        errors.setdefault("related", []).append(_("An activity cannot be related to itself."))
    duplicate = ActivityRelation.objects.filter(
        activity_id=relation.activity_id, type=relation.type, related_id=relation.related_id
    ).exists()
    if duplicate:
        errors.setdefault("related", []).append(_("This relation is already recorded."))
    _raise_if(errors)
    with transaction.atomic():
        relation.save()
    return relation


def delete_relation(*, relation: ActivityRelation) -> None:
    with transaction.atomic():
        relation.delete()


# --- learning-route follow-ups -----------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def schedule_follow_ups(plan: ActionPlan) -> list[PlanFollowUp]:
    """The plan's 3-, 6- and 12-month follow-ups, counted from the end of its route; kept in
    step when the route's dates move (unrecorded ones only)."""
    end = plan.route.end_date
    existing = {f.months: f for f in plan.follow_ups.all()}
    rows = []
    with transaction.atomic():
        for months in FOLLOW_UP_MONTHS:
            due = add_months(end, months)
            row = existing.get(months)
            if row is None:
                row = PlanFollowUp.objects.create(plan=plan, months=months, due_date=due)
            elif not row.outcome and row.due_date != due:
                row.due_date = due
                row.save(update_fields=["due_date", "updated_at"])
            rows.append(row)
    return rows


@dataclass
class FollowUpData:
    outcome: str
    recorded_on: datetime.date | None
    evidence: str = ""
    evidence_url: str = ""
    money_found: Decimal | None = None
    currency: str = ""


def record_follow_up(
    *, follow_up: PlanFollowUp, data: FollowUpData, user: User | None
) -> PlanFollowUp:
    """Record what became of the plan; money found is kept in its currency and in US$ at the
    rate of the month it was observed."""
    follow_up.outcome = data.outcome
    follow_up.recorded_on = data.recorded_on
    follow_up.evidence = data.evidence
    follow_up.evidence_url = data.evidence_url
    follow_up.money_found = data.money_found
    follow_up.currency = data.currency
    errors = _clean(follow_up, exclude=["plan"])
    if not data.outcome:
        errors.setdefault("outcome", []).append(_("Choose what became of the plan."))
    if data.recorded_on is None:
        errors.setdefault("recorded_on", []).append(_("Give the day it was observed."))
    elif data.recorded_on > timezone.localdate():
        errors.setdefault("recorded_on", []).append(
            _("A follow-up cannot be observed in the future.")
        )
    elif data.recorded_on < follow_up.plan.route.end_date:
        errors.setdefault("recorded_on", []).append(
            _("A follow-up is observed after the route ended (%(end)s).")
            % {"end": follow_up.plan.route.end_date}
        )
    if data.money_found is not None and not data.currency:
        errors.setdefault("currency", []).append(_("Give the currency of the money found."))
    if data.currency and data.money_found is None:
        errors.setdefault("money_found", []).append(
            _("Give the amount, or leave the currency empty.")
        )
    if not errors and data.money_found is not None and data.recorded_on is not None:
        try:
            follow_up.usd_rate = rate_for(data.currency, data.recorded_on)
        except FinanceError as error:
            errors.update(error.errors)
        else:
            follow_up.money_found_usd = to_usd(data.money_found, follow_up.usd_rate)
    if data.money_found is None:
        follow_up.usd_rate = follow_up.money_found_usd = None
    _raise_if(errors)
    follow_up.recorded_by = user
    with transaction.atomic():
        follow_up.save()
    return follow_up
