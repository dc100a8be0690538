"""Celery tasks of the standards app: each takes ids and calls one plain, tested function."""

from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from django.db import OperationalError

from .services import build_export, requeue_unfinished_exports

# As finance.tasks: late acknowledgement and requeue on worker loss (the build is idempotent),
# database hiccups retried with backoff a bounded number of times.
RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


@shared_task(**RELIABLE)
def build_standards_export_task(export_id: int) -> None:
    """A TOSSD extract or an SDG 17.3.1 aggregate for the user who asked for it."""
    build_export(export_id)


@worker_ready.connect
def _requeue_on_worker_start(**_kwargs: Any) -> None:
    requeue_unfinished_exports()
