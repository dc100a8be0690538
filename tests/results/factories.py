"""Building blocks for the results tests: a framework on an activity, saved through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from activities.models import Activity
from results import services
from results.models import (
    Aggregation,
    CoreIndicator,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorKind,
    Measure,
    Period,
    Result,
    ResultType,
    Side,
)


def sex_dimension() -> Dimension:
    existing = Dimension.objects.filter(name="Sex").first()
    if existing:
        return existing
    return services.save_dimension(dimension=Dimension(name="Sex"), values=["Women", "Men"])


def value_of(dimension: Dimension, name: str) -> DimensionValue:
    return dimension.values.get(value=name)


def core_people_trained() -> CoreIndicator:
    return CoreIndicator.objects.get_or_create(
        code="people-trained",
        defaults={
            "title": "People trained",
            "kind": IndicatorKind.QUANTITATIVE,
            "unit": "people",
            "measure": Measure.UNIT,
            "aggregation": Aggregation.SUM,
        },
    )[0]


def core_policies() -> CoreIndicator:
    return CoreIndicator.objects.get_or_create(
        code="policies-influenced",
        defaults={
            "title": "Policies influenced",
            "kind": IndicatorKind.QUALITATIVE,
            "measure": Measure.QUALITATIVE,
            "aggregation": Aggregation.ACHIEVED,
        },
    )[0]


def dated(activity: Activity, start: str = "2025-01-01", end: str = "2026-12-31") -> Activity:
    activity.planned_start = datetime.date.fromisoformat(start)
    activity.planned_end = datetime.date.fromisoformat(end)
    activity.save(update_fields=["planned_start", "planned_end"])
    return activity


def framework(activity: Activity) -> tuple[Indicator, Indicator]:
    """An outcome with a core quantitative indicator disaggregated by sex and a qualitative one,
    each with one 2025 period (target 100 people: 60 women, 40 men)."""
    result = services.save_result(
        result=Result(
            activity=activity, type=ResultType.OUTCOME, side=Side.RECEIVER, title="Skills"
        ),
        user=None,
    )
    sex = sex_dimension()
    trained = services.save_indicator(
        indicator=Indicator(result=result, core=core_people_trained(), title="Farmers trained"),
        dimensions=[sex],
    )
    policy = services.save_indicator(
        indicator=Indicator(result=result, kind=IndicatorKind.QUALITATIVE, title="Seed law drafted")
    )
    services.save_period(
        period=Period(
            indicator=trained,
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2025, 12, 31),
            target_value=Decimal(100),
        ),
        target_parts={value_of(sex, "Women"): Decimal(60), value_of(sex, "Men"): Decimal(40)},
    )
    services.save_period(
        period=Period(
            indicator=policy, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)
        )
    )
    return trained, policy
