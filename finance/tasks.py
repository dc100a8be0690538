"""Celery tasks of the finance app: each takes ids and calls one plain, tested function."""

from celery import shared_task
from django.db import OperationalError

from .importer import process_pending_import


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def process_pending_import_task(pending_id: int, commit: bool) -> None:
    process_pending_import(pending_id, commit=commit)
