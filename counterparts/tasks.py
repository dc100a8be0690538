"""The counterparts' background work: mailing notifications and reminding sides. Each task takes
ids (or nothing) and calls one tested function of counterparts.mail."""

from __future__ import annotations

from celery import shared_task

from . import mail


@shared_task
def send_mail_task(user_ids: list[int]) -> int:
    return mail.send_digests(user_ids)


@shared_task
def sweep_mail_task() -> int:
    """Beat's safety net: what was not mailed when it happened (Redis, the worker or the mail
    server down) goes now."""
    return mail.send_digests()


@shared_task
def remind_task() -> int:
    return mail.remind_waiting()
