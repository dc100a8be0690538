"""The library (core indicators, dimensions) and an activity's framework: results,
indicators, reporting periods and their targets."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from activities.history import (
    Through,
    create_all_marked,
    delete_all_marked,
    delete_marked,
    marked,
)

from ..models import (
    CoreIndicator,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorKind,
    Measure,
    Period,
    Result,
    TargetDisaggregation,
    Update,
    UpdateDisaggregation,
)
from ..period_figures import refresh_activities, restate_rule

if TYPE_CHECKING:
    from accounts.models import User

from .common import (
    ResultsError,
    _check_parts,
    _check_percentage,
    _clean,
    _raise_if,
    activity_dates,
)

# --- the library -------------------------------------------------------------------------------


def save_core_indicator(*, core: CoreIndicator) -> CoreIndicator:
    """Create or change a core indicator. Its kind and measure are fixed once activities use it:
    their values were reported under them."""
    errors = _clean(core)
    before = None
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
        if before is not None and before.aggregation != core.aggregation:
            restate_rule(core)
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


def save_result(*, result: Result, user: User | None, through: Through | None = None) -> Result:
    """`through`: the page's form or the API, kept in the result's history (as by every write
    of the framework below)."""
    _raise_if(_clean(result, exclude=["activity"]))
    if result.pk is None:
        result.created_by = user
    with transaction.atomic():
        marked(result, through).save()
    return result


def delete_result(*, result: Result, through: Through | None = None) -> None:
    """A result whose indicators hold approved values keeps its history: it cannot be deleted."""
    if Update.objects.filter(period__indicator__result=result).approved().exists():
        raise ResultsError(
            _("This result has approved values: they stay on record, so it cannot be deleted.")
        )
    with transaction.atomic():
        delete_marked(result, through)
        refresh_activities([result.activity_id])


def save_indicator(
    *,
    indicator: Indicator,
    dimensions: Iterable[Dimension] | None = None,
    through: Through | None = None,
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
        marked(indicator, through).save()
        if dimensions is not None:
            _set_dimensions(indicator, list(dimensions))
        # Adopting (or leaving) a core indicator, or how updates add up, moves its figures.
        refresh_activities([indicator.result.activity_id])
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


def delete_indicator(*, indicator: Indicator, through: Through | None = None) -> None:
    if Update.objects.filter(period__indicator=indicator).approved().exists():
        raise ResultsError(
            _("This indicator has approved values: they stay on record, so it cannot be deleted.")
        )
    activity_id = indicator.result.activity_id
    with transaction.atomic():
        delete_marked(indicator, through)
        refresh_activities([activity_id])


def save_period(
    *,
    period: Period,
    target_parts: Mapping[DimensionValue, Decimal] | None = None,
    through: Through | None = None,
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
        marked(period, through).save()
        if target_parts is not None:
            delete_all_marked(period.target_parts.all(), through)
            create_all_marked(
                TargetDisaggregation,
                (
                    TargetDisaggregation(period=period, dimension_value=value, value=amount)
                    for value, amount in target_parts.items()
                ),
                through,
            )
        refresh_activities([indicator.result.activity_id])
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


def annual_periods(indicator: Indicator, *, through: Through | None = None) -> list[Period]:
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
                created.append(save_period(period=period, through=through))
    return created


def delete_period(*, period: Period, through: Through | None = None) -> None:
    if period.updates.exists():
        raise ResultsError(_("Updates were reported for this period: it cannot be deleted."))
    activity_id = period.indicator.result.activity_id
    with transaction.atomic():
        delete_marked(period, through)
        refresh_activities([activity_id])
