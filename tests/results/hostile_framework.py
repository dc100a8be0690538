"""The framework pages' fields in the hostile-input table (tests/security/test_hostile_fields.py):
their kinds, the records they are submitted against, and how each form is submitted.

The activity runs from 1978 to 2100 (the portal's whole range of dates), so that a period's
dates are refused for what they are, not for falling outside the activity.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from activities.models import Activity, Visibility
from results import services
from results.models import (
    ActivityRelation,
    BenefitStream,
    Indicator,
    Period,
    Result,
    ScalingPathway,
)
from tests.factories import ActivityFactory, division

# An indicator's value, target or baseline: 16 digits before the point, 4 after, not negative.
VALUE = "indicator_value"

_RESULT = {"type": "choice", "side": "choice", "title": "text", "description": "lines"}
_INDICATOR = {
    "core": "choice",
    "title": "text",
    "description": "lines",
    "kind": "choice",
    "unit": "text",
    "measure": "choice",
    "ascending": "flag",
    "cumulative": "flag",
    "baseline_value": VALUE,
    "baseline_year": "year",
    "baseline_comment": "lines",
    "dimensions": "choice",
}
_PERIOD = {"start": "date", "end": "date", "target_value": VALUE, "target_comment": "lines"}
_PATHWAY = {
    "description": "lines",
    "champion": "choice",
    "investment": "lines",
    "amount": VALUE,
    "currency": "choice",
}
_RELATION = {
    "type": "choice",
    "related_ssc_id": "lookup",
    "related_pick": "choice",
    "note": "lines",
}
FIELDS: dict[str, str] = {
    **{f"ResultForm.{name}": kind for name, kind in _RESULT.items()},
    **{f"IndicatorForm.{name}": kind for name, kind in _INDICATOR.items()},
    **{f"PeriodForm.{name}": kind for name, kind in _PERIOD.items()},
    "BenefitForm.description": "lines",
    **{f"PathwayForm.{name}": kind for name, kind in _PATHWAY.items()},
    **{f"RelationForm.{name}": kind for name, kind in _RELATION.items()},
}
# The pathway's amount keeps cents, not the indicator values' four places.
RULED = {("PathwayForm.amount", "tiny"): "refused"}


@dataclass
class HostileFramework:
    activity: Activity
    result: Result
    indicator: Indicator  # quantitative, in units, no period
    other: Activity  # to relate to


def make_records() -> tuple[int, int]:
    """The activity and its indicator, by primary key (the table's records are kept so)."""
    activity = ActivityFactory(
        title="Results target",
        lead_division=division("LAC"),
        visibility=Visibility.PUBLIC,
        planned_start=datetime.date(1978, 1, 1),
        planned_end=datetime.date(2100, 12, 31),
    )
    result = services.save_result(
        result=Result(activity=activity, type="2", title="Hostile result"), user=None
    )
    indicator = services.save_indicator(
        indicator=Indicator(result=result, kind="quantitative", measure="1", title="Count")
    )
    ActivityFactory(ssc_id="SSC-2099-900", title="Related target", visibility=Visibility.PUBLIC)
    return activity.pk, indicator.pk


def load(activity_id: int, indicator_id: int) -> HostileFramework:
    indicator = Indicator.objects.select_related("result__activity").get(pk=indicator_id)
    return HostileFramework(
        activity=indicator.result.activity,
        result=indicator.result,
        indicator=indicator,
        other=Activity.objects.get(ssc_id="SSC-2099-900"),
    )


def _read(record: Any, field: str) -> Callable[[], Any]:
    def read() -> Any:
        record.refresh_from_db()
        value = getattr(record, field)
        return value.isoformat() if isinstance(value, datetime.date) else value

    return read


def surfaces(answer: Callable[..., Any], refused: Callable[[Any, str], bool]) -> dict[str, Any]:
    """The table's submit functions, given its Answer and its "refused next to the control"."""

    def submit(
        url: Callable[[HostileFramework], str],
        body: Callable[[HostileFramework, str, Any], dict[str, Any]],
        created: Callable[[HostileFramework], Any],
        control: Callable[[str], str] = lambda field: f"id_{field}",
    ) -> Callable[[Any, str, Any], Any]:
        def run(world: Any, field: str, value: Any) -> Any:
            framework: HostileFramework = world.framework
            before = created(framework)
            response = world.client.post(url(framework), body(framework, field, value))
            after = created(framework)
            page = reverse("results:activity", args=[framework.activity.pk])
            if response.status_code != 302 or after is None or after == before:
                return answer(refused(response, control(field)), None)
            return answer(False, _read(after, field), page, (page,))

        return run

    def period_body(f: HostileFramework, field: str, value: Any) -> dict[str, Any]:
        if field in ("start", "end"):  # a one-day period: the end is not before the start
            return {"start": value, "end": value}
        return {"start": "2030-01-01", "end": "2030-12-31", field: value}

    def pathway_body(f: HostileFramework, field: str, value: Any) -> dict[str, Any]:
        money = {"amount": "1000", "currency": "USD"} if field != "description" else {}
        return {"description": "Pathway", **money, field: value}

    def benefits_body(f: HostileFramework, field: str, value: Any) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for side in ("provider", "receiver", "broker", "all"):
            body |= {f"{side}-TOTAL_FORMS": "1", f"{side}-INITIAL_FORMS": "0"}
        return body | {"receiver-0-description": value}

    return {
        "ResultForm": submit(
            lambda f: reverse("results:result_create", args=[f.activity.pk]),
            lambda f, field, value: {"type": "2", "side": "all", "title": "R", field: value},
            lambda f: Result.objects.filter(activity=f.activity).order_by("pk").last(),
        ),
        "IndicatorForm": submit(
            lambda f: reverse("results:indicator_create", args=[f.result.pk]),
            lambda f, field, value: (
                {"kind": "quantitative", "measure": "1", "title": "I"} | {field: value}
            ),
            lambda f: Indicator.objects.filter(result=f.result).order_by("pk").last(),
        ),
        "PeriodForm": submit(
            lambda f: reverse("results:period_create", args=[f.indicator.pk]),
            period_body,
            lambda f: Period.objects.filter(indicator=f.indicator).order_by("pk").last(),
        ),
        "BenefitForm": submit(
            lambda f: reverse("results:benefits", args=[f.activity.pk]),
            benefits_body,
            lambda f: BenefitStream.objects.filter(activity=f.activity).order_by("pk").last(),
            control=lambda field: "id_receiver-0-description",
        ),
        "PathwayForm": submit(
            lambda f: reverse("results:pathway", args=[f.activity.pk]),
            pathway_body,
            lambda f: ScalingPathway.objects.filter(activity=f.activity).first(),
        ),
        "RelationForm": submit(
            lambda f: reverse("results:relation_create", args=[f.activity.pk]),
            lambda f, field, value: (
                {"type": "follow_up_of", "related_ssc_id": f.other.ssc_id} | {field: value}
            ),
            lambda f: ActivityRelation.objects.filter(activity=f.activity).order_by("pk").last(),
        ),
    }
