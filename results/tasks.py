"""The results app's background work: the nightly check of the dashboard's stored rows. Takes
nothing and calls one tested function (results.period_figures.rebuild)."""

from __future__ import annotations

from celery import shared_task

from .period_figures import rebuild


@shared_task
def rebuild_period_figures_task() -> int:
    """Rewrite the stored rows a write's refresh missed; a right table costs reads only."""
    result = rebuild()
    return result.written + result.deleted
