"""The seam through which the results app says which activities have approved results.

A completed activity must report what it achieved (Activity.missing_status_facts): its outcomes
text, or results approved in its results framework. The framework lives in the results app,
above this one, which activities never imports: results registers here, in its
AppConfig.ready(), a function giving the ids of the activities with approved results as a
`values()` queryset of one column, so that a check of one activity and the list's flag are each
a subquery rather than a query per activity. Without a registered function (the results app not
installed) no activity has approved results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

type ApprovedResults = Callable[[], QuerySet[Any]]
_approved_results: list[ApprovedResults] = []


def register_approved_results(finder: ApprovedResults) -> None:
    """Add an app's activities with approved results (once, however often ready() runs)."""
    if finder not in _approved_results:
        _approved_results.append(finder)


def with_approved_results() -> Q:
    """Matches the activities that have approved results, in a filter on Activity."""
    found = Q(pk__in=[])
    for finder in _approved_results:
        found |= Q(pk__in=finder())
    return found
