"""The standards page's and API's inputs in the hostile-input table
(tests/security/test_hostile_fields.py): their rows (FIELDS) and how a value is submitted
(surfaces). Years are tried with the table's values; the export's other inputs are choices and
links, rows without values yet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse

from standards.models import StandardsExport

YEAR, CHOICE, LINK, NUMBER = "year", "choice", "link", "number"
_SELECTION = {"year_from": YEAR, "year_to": YEAR, "division": LINK, "country": LINK}
FIELDS: dict[str, str] = {
    **{f"ExportForm.{name}": kind for name, kind in _SELECTION.items()},
    "ExportForm.kind": CHOICE,
    "ExportForm.format": CHOICE,
    **{f"StandardsSelectionInput.{name}": kind for name, kind in _SELECTION.items()},
    **{f"StandardsExportInput.{name}": kind for name, kind in _SELECTION.items()},
    "StandardsExportInput.kind": CHOICE,
    "StandardsExportInput.format": CHOICE,
    **{f"TossdPageQuery.{name}": kind for name, kind in _SELECTION.items()},
    "TossdPageQuery.page": NUMBER,
}
INPUT_SERIALIZERS = {"StandardsSelectionInput", "StandardsExportInput", "TossdPageQuery"}
OUTPUT_SERIALIZERS = {
    "StandardsProblemSerializer",
    "StandardsChecksFailedSerializer",
    "StandardsExportSerializer",
    "TossdRowSerializer",
    "TossdPageSerializer",
}
REQUEST = {"kind": "sdg1731", "format": "csv"}


def _year_of(field: str) -> Callable[[], Any]:
    """The year the latest export's selection starts (year_from) or ends (year_to) with."""

    def read() -> Any:
        years = StandardsExport.objects.latest("pk").selection["years"]
        return years[0] if field == "year_from" else years[-1]

    return read


def surfaces(
    answer: Callable[..., Any], page_refused: Callable[[Any, str], bool]
) -> dict[str, Callable[[Any, str, Any], Any]]:
    """The table's submit functions, given its Answer and its "refused next to the control"."""

    def page(world: Any, field: str, value: Any) -> Any:
        before = StandardsExport.objects.count()
        response = world.client.post(reverse("standards:index"), {**REQUEST, field: value})
        if StandardsExport.objects.count() == before:
            return answer(page_refused(response, f"id_{field}"), None)
        url = reverse("standards:index")
        return answer(False, _year_of(field), url, (url,))

    def api(world: Any, field: str, value: Any) -> Any:
        response = world.api.post(
            "/api/v1/standards-exports/", {**REQUEST, field: value}, content_type="application/json"
        )
        if response.status_code != 201:
            refused = response.status_code == 400 and field in response.json().get("errors", {})
            return answer(refused, None)
        return answer(False, _year_of(field), "", ("/api/v1/standards-exports/",))

    def tossd(world: Any, field: str, value: Any) -> Any:
        response = world.api.get("/api/v1/standards/tossd/", {field: value})
        if response.status_code != 200:
            refused = response.status_code == 400 and field in response.json().get("errors", {})
            return answer(refused, None)
        return answer(False, lambda: value, "", ("/api/v1/standards/tossd/",))

    return {
        "ExportForm": page,
        "StandardsExportInput": api,
        "StandardsSelectionInput": api,
        "TossdPageQuery": tossd,
    }
