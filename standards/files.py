"""The exports as files, CSV or xlsx (standards.sheets), written as their rows are built.

The TOSSD extract's rows stream to the file batch by batch; the 17.3.1 aggregate is small (a row
per year, provider, recipient, component and status) and is written once aggregated. When the
checks find a problem the file, already written to a temporary file, is dropped: no wrong file
is ever published.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

from . import sdg1731, tossd
from .build import Contents, Progress, sdg_contents, tossd_contents
from .models import ExportKind
from .selection import Selection
from .sheets import writer_for


def _labelled(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The 17.3.1 rows' component and status in words (the codes stay in the API)."""
    components = {code: str(label) for code, label in sdg1731.COMPONENTS.items()}
    statuses = {code: str(label) for code, label in sdg1731.STATUSES.items()}
    for row in rows:
        yield {**row, "component": components[row["component"]], "status": statuses[row["status"]]}


def _sdg_notes(contents: Contents) -> list[str]:
    notes = [str(note) for note in sdg1731.METHOD_NOTES]
    if contents.disputed:
        notes.append(
            _("Activities with disputed figures: %(list)s")
            % {"list": "; ".join(f"{ssc_id} {title}" for ssc_id, title in contents.disputed)}
        )
    return notes


def build_file(
    kind: str,
    file_format: str,
    selection: Selection,
    progress: Progress,
    *,
    slice_country: int | None = None,
) -> tuple[Contents, IO[bytes] | None]:
    """The export's contents and its file (an open temporary file, at its start), or no file
    when the checks found problems."""
    if kind == ExportKind.TOSSD:
        writer = writer_for(file_format)
        writer.table("TOSSD", tossd.COLUMNS)
        contents = tossd_contents(selection, progress, write=writer.rows)
    else:
        contents = sdg_contents(selection, progress, slice_country=slice_country)
        writer = writer_for(file_format, _sdg_notes(contents))
        disputed = [r for r in contents.rows if r["status"] == sdg1731.DISPUTED]
        writer.table(_("SDG 17.3.1"), sdg1731.COLUMNS)
        writer.rows(_labelled(r for r in contents.rows if r["status"] != sdg1731.DISPUTED))
        writer.table(_("Disputed, left out"), sdg1731.COLUMNS)
        writer.rows(_labelled(disputed))
    file = writer.close()
    if contents.problems:
        file.close()
        return contents, None
    return contents, file
