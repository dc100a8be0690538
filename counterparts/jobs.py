"""Queueing the counterparts' background work: the one seam between the services that record
notifications and the task that mails them (counterparts.tasks), found by name as finance.jobs
finds its tasks.

The notifications are rows in the database before anything is queued: when Redis or the worker
is down, no mail is lost, only delayed; beat's sweep (`send-counterpart-mail`) sends what is
still unmailed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.db import transaction

from finance.jobs import BROKER_ERRORS, task

logger = logging.getLogger(__name__)

SEND_MAIL = "counterparts.tasks.send_mail_task"


def queue_mail(user_ids: Iterable[int]) -> None:
    """Once the write commits, ask a worker to mail these users their unmailed notifications
    (one digest each); never fails the caller."""
    ids = sorted(set(user_ids))
    if ids:
        transaction.on_commit(partial(_queue_mail, ids), robust=True)


def _queue_mail(user_ids: list[int]) -> None:
    try:
        task(SEND_MAIL).apply_async((user_ids,), retry=False)
    except BROKER_ERRORS:
        logger.warning("Task queue unreachable: mail left for the next sweep")
