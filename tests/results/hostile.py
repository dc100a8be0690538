"""The results API's input for the hostile-input table (tests/security/test_hostile_fields.py):
one value submitted through the endpoint that owns the field, on the framework of the activity
given (make_framework, once per module: each case finds it as made, in its savepoint). What comes
back is (refused naming the field, read back)."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.test import Client

from accounts.models import User
from activities.models import Activity, Visibility
from results import services
from results.models import Indicator, Update
from tests.factories import ActivityFactory
from tests.results.factories import dated, framework, sex_dimension, value_of

# An indicator value: 16 digits before the point, 4 after, never negative (a percentage is
# 0 to 100, checked by the service on its own rows).
VALUE_CASES = [
    ("1e17", "1e17", "refused"),
    ("json_1e17", 10**17, "refused"),
    ("five_places", "0.00001", "refused"),
    ("1e-10", "1e-10", "refused"),
    ("json_1e-10", 1e-10, "refused"),
    ("negative", "-5", "refused"),
    ("nan", "NaN", "refused"),
    ("infinity", "Infinity", "refused"),
    ("minus_infinity", "-Infinity", "refused"),
    ("1e400", "1e400", "refused"),
    ("ambiguous_decimal", "0,785", "refused"),
    ("ambiguous_thousands", "1,500", "refused"),
    ("text", "many", "refused"),
    ("maximum", "9999999999999999.9999", "stored"),
    ("smallest", "0.0001", "stored"),
    ("zero", "0", "stored"),
]
TOTAL = "9999999999999999.9999"  # the largest value: any disaggregated value fits under it
EXPORTS = ("/api/v1/updates/", "/api/v1/iati/activities.xml")

Result = tuple[bool, Callable[[], Any] | None, tuple[str, ...]]


def make_framework() -> tuple[int, int]:
    """An activity with results.factories' framework: its quantitative and qualitative
    indicators, by primary key."""
    quantitative, qualitative = framework(
        dated(ActivityFactory(title="Updates target", visibility=Visibility.PUBLIC))
    )
    return quantitative.pk, qualitative.pk


def _indicator(activity: Activity) -> Indicator:
    """The quantitative indicator of make_framework()'s activity."""
    return Indicator.objects.filter(result__activity=activity).earliest("pk")


def _send(api: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(api, method)(url, json.dumps(body), content_type="application/json")


def _refused(response: Any, path: str) -> bool:
    return response.status_code == 400 and path in response.json().get("errors", {})


def _read(update_id: int, field: str) -> Callable[[], Any]:
    def read() -> Any:
        update = Update.objects.get(pk=update_id)
        if field == "reason":
            return update.return_reason
        return getattr(update, field)

    return read


def create(api: Client, activity: Activity, field: str, value: Any) -> Result:
    """POST /api/v1/updates/: a draft on the activity's quantitative indicator."""
    period = _indicator(activity).periods.get()
    body = {"period": period.pk, "value": "10", field: value}
    response = _send(api, "post", "/api/v1/updates/", body)
    if response.status_code != 201:
        return _refused(response, field), None, ()
    return False, _read(response.json()["id"], field), EXPORTS


def change(api: Client, activity: Activity, field: str, value: Any, user: User) -> Result:
    """PUT /api/v1/updates/<id>/ of a draft."""
    period = _indicator(activity).periods.get()
    update = services.save_update(
        period=period, data=services.UpdateData(value=Decimal(1)), user=user
    )
    body = {"version": update.version, "value": "10", field: value}
    response = _send(api, "put", f"/api/v1/updates/{update.pk}/", body)
    if response.status_code != 200:
        return _refused(response, field), None, ()
    return False, _read(update.pk, field), EXPORTS


def part(api: Client, activity: Activity, field: str, value: Any) -> Result:
    """A disaggregated value of a new draft, under the largest total."""
    period = _indicator(activity).periods.get()
    row = {"dimension_value": value_of(sex_dimension(), "Women").pk, "value": "1", field: value}
    body = {"period": period.pk, "value": TOTAL, "parts": [row]}
    response = _send(api, "post", "/api/v1/updates/", body)
    if response.status_code != 201:
        return _refused(response, f"parts.0.{field}"), None, ()
    update = Update.objects.get(pk=response.json()["id"])
    return False, lambda: getattr(update.parts.get(), field), EXPORTS


def reason(api: Client, activity: Activity, field: str, value: Any, user: User) -> Result:
    """POST /api/v1/updates/<id>/return/ of a submitted update, with its reason."""
    period = _indicator(activity).periods.get()
    update = services.save_update(
        period=period, data=services.UpdateData(value=Decimal(1)), user=user
    )
    update = services.submit_update(update=update, user=user)
    body = {"version": update.version, field: value}
    response = _send(api, "post", f"/api/v1/updates/{update.pk}/return/", body)
    if response.status_code != 200:
        return _refused(response, field), None, ()
    return False, _read(update.pk, field), EXPORTS
