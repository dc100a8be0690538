"""Where each chart element leads: the activity list filtered to the activities it counts.

A bar, a country or a flow counts the activities with money in the dashboard's selection and in
that element; the list's parameters say the same (its money filters are finance.list_filters):
the dashboard's filters carried over by the list's names and codes, `with_money`, the fiscal
years as `money_from`/`money_to`, then the element's own dimension in place of the dashboard's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from django.urls import reverse

from ..rollups import RollupFilters
from .reference import Reference


def _selection_params(filters: RollupFilters, reference: Reference) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {"with_money": ["true"]}
    if filters.year_from is not None:
        params["money_from"] = [str(filters.year_from)]
    if filters.year_to is not None:
        params["money_to"] = [str(filters.year_to)]
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


def _encoded(name: str, value: str) -> str:
    # What QueryDict.urlencode writes for one value (quote_plus of the name and of the value).
    return f"{quote_plus(name)}={quote_plus(value)}"


class ListLinks:
    """The activity list's links of one selection's elements.

    The selection's part of the query string and the list's URL are built once: a chart asks
    for one link per element (the country chart about two hundred), and each link then only
    writes its own parameters. The parameters come in the order the list's QueryDict would
    write them from the selection's, each element's in place of the selection's own when the
    selection has it (a country chart's element under a country filter)."""

    def __init__(self, filters: RollupFilters, reference: Reference) -> None:
        self.path = reverse("activities:list")
        self._params = {
            name: "&".join(_encoded(name, value) for value in values)
            for name, values in _selection_params(filters, reference).items()
        }
        # names of an element's parameters -> the query string's parts in order: the
        # selection's, encoded, and the element's names where its values go
        self._shapes: dict[tuple[str, ...], list[tuple[bool, str]]] = {}

    def _shape(self, names: tuple[str, ...]) -> list[tuple[bool, str]]:
        shape = self._shapes.get(names)
        if shape is None:
            parts = {name: (False, encoded) for name, encoded in self._params.items()}
            for name in names:
                parts[name] = (True, name)
            shape = self._shapes[names] = list(parts.values())
        return shape

    def url(self, **element: Any) -> str:
        """The activity list of one element: `element` names it by the list's parameters (a
        fiscal year as `year`, which becomes the span of that one year)."""
        year = element.pop("year", None)
        if year is not None:
            element = {"money_from": year, "money_to": year, **element}
        query = "&".join(
            _encoded(part, str(element[part])) if is_element else part
            for is_element, part in self._shape(tuple(element))
        )
        return f"{self.path}?{query}"


def activity_list_url(filters: RollupFilters, reference: Reference, **element: Any) -> str:
    """One element's link alone (ListLinks builds a chart's)."""
    return ListLinks(filters, reference).url(**element)
