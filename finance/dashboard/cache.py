"""The dashboard's figures cache: query results kept under the roll-ups' "as of" time.

The roll-up tables change only when a slice is recomputed, which moves "as of", so a result
cached under it is never older than the tables it was read from. The key holds the scope, not
the user: CPMs of the same division share their figures.
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
from django.db.models import Q
from redis.exceptions import RedisError

from ..rollups import RollupFilters, RollupState

logger = logging.getLogger(__name__)

# Cached results are keyed by the roll-ups' "as of" time, so they are never stale; the timeout
# only bounds how long superseded ones take memory. The cache ("dashboard" in settings.CACHES) is
# Redis in production: every web process shares what one of them, or the worker, computed.
CACHE_SECONDS = 3600
T = TypeVar("T")


def cache_version(state: RollupState) -> str:
    """What cached figures are keyed by: the roll-ups' "as of" time ("" when never computed)."""
    return state.as_of.isoformat() if state.as_of else ""


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

    def get_or_compute(self, part: str, compute: Callable[[], T]) -> T:
        if not self.version or self._cache_down:
            return compute()
        key = self._cache_prefix + part
        cache = caches["dashboard"]
        try:
            value = cache.get(key)
        except (RedisError, OSError):
            self._cache_unreachable()
            return compute()
        if value is None:
            value = compute()
            try:
                cache.set(key, value, CACHE_SECONDS)
            except (RedisError, OSError):
                self._cache_unreachable()
        return value

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
