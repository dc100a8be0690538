"""The upload page's two steps, run by Celery (finance.tasks): check the uploaded workbook
(the preview), then import it on the focal point's confirmation, with the activities in
conflict they chose to overwrite. finance.importer does the work; this module keeps the upload's
state, its progress and its result."""

from __future__ import annotations

import logging
from functools import partial

from django.core.cache import cache
from django.utils.translation import gettext as _

from . import import_review
from .importer import ImportRefused, import_legacy_workbook
from .jobs import PROCESS_PENDING_IMPORT, queue_or_run_on_commit
from .legacy import UnsafeFile
from .models import PendingImport

logger = logging.getLogger(__name__)


def progress_key(pending_id: int) -> str:
    return f"finance:import-progress:{pending_id}"


def import_progress(pending_id: int) -> tuple[int, int] | None:
    """(done, total) of a running check or import. Kept in the cache, not the database: the
    import's own transaction would hide it from the page until the end."""
    value = cache.get(progress_key(pending_id))
    return tuple(value) if value else None  # type: ignore[return-value]


def process_pending_import(pending_id: int, *, commit: bool) -> None:
    """Check (commit=False) or import (commit=True) an uploaded workbook. A rerun is harmless:
    a finished step is not repeated."""
    pending = PendingImport.objects.select_related("user").get(pk=pending_id)
    expected = PendingImport.State.IMPORTING if commit else PendingImport.State.CHECKING
    if pending.state != expected:
        return

    def progress(done: int, total: int) -> None:
        cache.set(progress_key(pending_id), (done, total), timeout=3600)

    try:
        with pending.file.open("rb") as handle:
            summary = import_legacy_workbook(
                handle=handle,
                filename=pending.filename,
                user=pending.user,
                dry_run=not commit,
                progress=progress,
                overwrite=pending.overwrite,
            )
    except (ImportRefused, UnsafeFile) as error:
        pending.problems = error.problems if isinstance(error, ImportRefused) else [str(error)]
        pending.state = PendingImport.State.REFUSED
        pending.file.delete(save=False)
    else:
        pending.summary = {
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "skipped": summary.skipped,
            "entries": summary.entries,
            "partners_created": summary.partners_created,
            "groups_created": summary.groups_created,
            "warnings": summary.warnings,
            "sheets": summary.sheets,
            "made_at": summary.made_at.isoformat() if summary.made_at else None,
            "activities": [review.as_dict() for review in summary.reviews],
            "activities_omitted": summary.reviews_omitted,
        }
        if commit:
            import_review.record_likely_duplicates(pending.summary["activities"], pending.user)
            pending.state = PendingImport.State.DONE
            pending.run_id = summary.run_id
            pending.file.delete(save=False)
        else:
            pending.state = PendingImport.State.CHECKED
    cache.delete(progress_key(pending_id))
    pending.save()


def give_up_pending_import(pending_id: int) -> None:
    """Refuse an upload whose check or import kept failing on the database (the task's retries
    are spent): the user is told, instead of watching "Importing" for ever. Nothing of the file
    was written, since each attempt is one transaction."""
    pending = PendingImport.objects.filter(pk=pending_id).first()
    if pending is None or pending.state not in (
        PendingImport.State.CHECKING,
        PendingImport.State.IMPORTING,
    ):
        return
    pending.problems = [
        _(
            "The database could not be reached while this file was processed, even after "
            "several attempts. Nothing from it was imported: upload it again."
        )
    ]
    pending.state = PendingImport.State.REFUSED
    pending.file.delete(save=False)
    cache.delete(progress_key(pending_id))
    pending.save()


def start_pending_import(*, pending: PendingImport, commit: bool) -> None:
    """Queue the check or the import once the upload is committed. When the broker cannot be
    reached the work runs here and now instead: slower for the user, but nothing waits forever."""
    queue_or_run_on_commit(
        PROCESS_PENDING_IMPORT,
        (pending.pk, commit),
        partial(process_pending_import, pending.pk, commit=commit),
    )
