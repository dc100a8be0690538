"""Asking for a standards export and building it (a worker runs `build_export`).

The request is a row first (StandardsExport), queued once committed: a stopped worker delays
the file, never loses it. The build runs the checks and, when they find problems, records them
by activity instead of writing the file.
"""

from __future__ import annotations

import logging
from functools import partial

from django.core.files import File
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from finance.jobs import BROKER_ERRORS, queue_or_run_on_commit, task

from .access import kinds_for, slice_country_of
from .errors import StandardsError
from .files import build_file
from .models import ExportFormat, StandardsExport
from .selection import Selection

logger = logging.getLogger(__name__)

BUILD_STANDARDS_EXPORT = "standards.tasks.build_standards_export_task"


@transaction.atomic
def start_export(
    *, user: User, kind: str, file_format: str, selection: Selection, language: str = ""
) -> StandardsExport:
    """Record the request and queue its build. A counterpart's 17.3.1 export is its country's
    slice of public activities, whatever selection it sends."""
    errors: dict[str, list[str]] = {}
    if kind not in kinds_for(user):
        errors["kind"] = [_("Choose one of the exports offered to you.")]
    if file_format not in ExportFormat.values:
        errors["format"] = [_("Choose xlsx or CSV.")]
    if errors:
        raise StandardsError(errors)
    slice_country = slice_country_of(user)
    if slice_country is not None:
        selection = Selection(
            years=selection.years, division_id=selection.division_id, public_only=True
        )
    export = StandardsExport.objects.create(
        requested_by=user,
        kind=kind,
        format=file_format,
        selection=selection.to_json(),
        slice_country_id=slice_country,
        language=language,
    )
    queue_or_run_on_commit(BUILD_STANDARDS_EXPORT, (export.pk,), partial(build_export, export.pk))
    return export


def build_export(export_id: int) -> None:
    """Build one export's file, or record why not; a rerun builds it again (idempotent).

    A database hiccup is raised for the task to retry; anything else marks the export failed
    with the reason, since building it again would fail the same way.
    """
    export = StandardsExport.objects.filter(pk=export_id).first()
    if export is None or export.state in (
        StandardsExport.State.DONE,
        StandardsExport.State.REFUSED,
    ):
        return
    rows = StandardsExport.objects.filter(pk=export.pk)
    rows.update(state=StandardsExport.State.RUNNING, progress=0, error="", problems=[])

    def progress(percent: int) -> None:
        rows.update(progress=min(percent, 95))

    try:
        with translation.override(export.language or None):
            contents, file = build_file(
                export.kind,
                export.format,
                Selection.from_json(export.selection),
                progress,
                slice_country=export.slice_country_id,
            )
        if file is None:
            rows.update(
                state=StandardsExport.State.REFUSED,
                problems=[problem.as_dict() for problem in contents.problems],
                finished_at=timezone.now(),
            )
            return
        with file:
            export.file.save(export.filename, File(file), save=False)
    except OperationalError:
        raise
    except Exception as error:
        logger.exception("Standards export %s failed", export.pk)
        rows.update(
            state=StandardsExport.State.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        return
    rows.update(
        state=StandardsExport.State.DONE,
        progress=100,
        rows=contents.count,
        file=export.file.name,
        finished_at=timezone.now(),
    )


def requeue_unfinished_exports() -> list[int]:
    """Queue again every export still queued or being built (a worker's start calls it): one
    whose message was lost with a stopped broker, or whose worker died, is built after all. A
    copy that was not lost builds it a second time, harmlessly (build_export is idempotent)."""
    unfinished = list(
        StandardsExport.objects.filter(
            state__in=(StandardsExport.State.QUEUED, StandardsExport.State.RUNNING)
        ).values_list("pk", flat=True)
    )
    for pk in unfinished:
        try:
            task(BUILD_STANDARDS_EXPORT).apply_async((pk,), retry=False)
        except BROKER_ERRORS:
            logger.warning("Task queue unreachable: standards export %s left queued", pk)
            break
    return unfinished
