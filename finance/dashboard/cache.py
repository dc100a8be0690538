"""The dashboard's figures cache: query results kept under the "as of" time of the slices
they read.

The roll-up tables change only when a slice (a fiscal year of a division) is recomputed, which
stamps the slice with its time (RollupSlice), so a result cached under the latest time of the
slices a selection reads is never older than the tables it was read from. A selection of some
years or divisions reads only their slices: an edit elsewhere leaves its figures cached. The
key holds the scope, not the user: CPMs of the same division share their figures.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar, cast

from django.core.cache import caches
from django.db.models import Count, Max, Q
from redis.exceptions import RedisError

from ..models import RollupSlice
from ..rollups import RollupFilters, RollupState

logger = logging.getLogger(__name__)

# Cached results are keyed by the roll-ups' "as of" time, so they are never stale; the timeout
# only bounds how long superseded ones take memory. The cache ("dashboard" in settings.CACHES) is
# Redis in production: every web process shares what one of them, or the worker, computed.
CACHE_SECONDS = 3600
T = TypeVar("T")


def cache_version(state: RollupState) -> str:
    """The roll-ups' "as of" time ("" when never computed): a version for figures of any
    selection (selection_version is narrower)."""
    return state.as_of.isoformat() if state.as_of else ""


def selection_version(filters: RollupFilters) -> str:
    """What the cached figures of a selection under `filters` are keyed by: the latest time
    one of the slices of its years and divisions was computed, and how many there are ("" when
    none was ever computed). One small query.

    Every table the dashboard reads is written by the recomputation of a slice, for the rows
    of its fiscal year and its division (an activity that changes division has its old
    division's slices recomputed too), and each recomputation stamps its slices: the figures
    of the other slices' years and divisions cannot have changed. The count moves when a
    slice disappears (its division deleted), which the latest time alone might not show.
    """
    slices = RollupSlice.objects.all()
    if filters.year_from is not None:
        slices = slices.filter(year__gte=filters.year_from)
    if filters.year_to is not None:
        slices = slices.filter(year__lte=filters.year_to)
    if filters.divisions:
        slices = slices.filter(division_id__in=filters.divisions)
    found = slices.aggregate(latest=Max("computed_at"), count=Count("pk"))
    if found["latest"] is None:
        return ""
    return f"{found['latest'].isoformat()}/{found['count']}"


class FigureCache:
    """The cached query results of one scope under one set of filters. Without a version (no
    roll-up computed yet) nothing is cached."""

    def __init__(self, version: str, scope: Q | None, filters: RollupFilters) -> None:
        self.version = version
        self.scope = scope
        self.filters = filters
        self._cache_down = False

    @cached_property
    def _cache_prefix(self) -> str:
        scope = "none" if self.scope is None else q_key(self.scope)
        key = json.dumps([self.version, scope, dataclasses.asdict(self.filters)], default=str)
        return "dashboard:" + hashlib.sha256(key.encode()).hexdigest()[:40] + ":"

    def get_or_compute(
        self, part: str, compute: Callable[[], T], *, holds: Callable[[T], bool] | None = None
    ) -> T:
        """The cached `part`, or `compute()`'s, cached; `holds` says whether a cached value
        still holds (what it depends on beyond the figures, read live, is unchanged)."""
        if not self.version or self._cache_down:
            return compute()
        key = self._cache_prefix + part
        cache = caches["dashboard"]
        try:
            value = cache.get(key)
        except (RedisError, OSError):
            self._cache_unreachable()
            return compute()
        if value is None or (holds is not None and not holds(value)):
            value = compute()
            try:
                cache.set(key, value, CACHE_SECONDS)
            except (RedisError, OSError):
                self._cache_unreachable()
        return cast(T, value)

    def _cache_unreachable(self) -> None:
        # Redis down: the page is computed without the cache, which is not asked again for this
        # page (each attempt would wait for its connection timeout).
        logger.warning("Dashboard cache unreachable: figures computed without it")
        self._cache_down = True


def q_key(query: Q) -> Any:
    """A Q as plain, ordered data: the same scope always gives the same cache key."""
    children = []
    for child in query.children:
        if isinstance(child, Q):
            children.append(q_key(child))
        else:
            name, value = cast(tuple[str, Any], child)
            if isinstance(value, set | frozenset | list | tuple):
                value = sorted(value, key=str)
            children.append([name, value])
    return [query.connector, query.negated, children]
