"""Where each chart element leads: the activity list filtered to the activities it counts.

A bar, a country or a flow counts the activities with money in the dashboard's selection and in
that element; the list's parameters say the same (its money filters are finance.list_filters):
the dashboard's filters carried over by the list's names and codes, `with_money`, the fiscal
years as `money_from`/`money_to`, then the element's own dimension in place of the dashboard's.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.urls import reverse

from ..rollups import RollupFilters
from .reference import Reference


def _selection_params(filters: RollupFilters, reference: Reference) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {"with_money": ["true"]}
    if filters.year_from is not None:
        params["money_from"] = [str(filters.year_from)]
    if filters.year_to is not None:
        params["money_to"] = [str(filters.year_to)]
    # Only the selected rows are looked up: a chart asks for one link per element (a country
    # chart about two hundred), and each link's parameters are built anew.
    coded: tuple[tuple[str, tuple[int, ...], dict[int, Any], str], ...] = (
        ("division", filters.divisions, reference.divisions, "code"),
        ("country", filters.countries, reference.countries, "iso2"),
        ("theme", filters.themes, reference.themes, "code"),
    )
    for name, ids, rows, attribute in coded:
        if ids:
            params[name] = [getattr(rows[pk], attribute) for pk in ids if pk in rows]
    for name, values in (
        ("modality", filters.modalities),
        ("status", filters.statuses),
        ("funding_nature", filters.funding_natures),
        ("agreement", filters.agreements),
    ):
        if values:
            params[name] = list(values)
    return params


def activity_list_url(filters: RollupFilters, reference: Reference, **element: Any) -> str:
    """The activity list of one element: `element` names it by the list's parameters (a fiscal
    year as `year`, which becomes the span of that one year)."""
    params = _selection_params(filters, reference)
    year = element.pop("year", None)
    if year is not None:
        params["money_from"] = params["money_to"] = [str(year)]
    for name, value in element.items():
        params[name] = [str(value)]
    query = QueryDict(mutable=True)
    for name, values in params.items():
        query.setlist(name, values)
    return f"{reverse('activities:list')}?{query.urlencode()}"
