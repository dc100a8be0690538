"""What every results service shares: the one error, its conflict kind, validation
helpers and the dates a period must fall within."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from activities.models import Activity
from activities.services import ActivityError

from ..models import (
    Dimension,
    DimensionValue,
    Indicator,
    Update,
)

if TYPE_CHECKING:
    pass


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
