"""The seam through which the results app says which activities have approved results.

A completed activity must report what it achieved (Activity.missing_status_facts): its outcomes
text, or results approved in its results framework. The framework lives in the results app,
above this one, which activities never imports: settings.ACTIVITY_EXTENSIONS["approved_results"]
names results' function giving the ids of the activities with approved results as a `values()`
queryset of one column (activities/extensions.py), so that a check of one activity and the
list's flag are each a subquery rather than a query per activity. With none named (the results
app not installed) no activity has approved results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from .extensions import extensions

type ApprovedResults = Callable[[], QuerySet[Any]]


def with_approved_results() -> Q:
    """Matches the activities that have approved results, in a filter on Activity."""
    found = Q(pk__in=[])
    finder: ApprovedResults
    for finder in extensions("approved_results"):
        found |= Q(pk__in=finder())
    return found
