"""The activity list as a file: the activities of the list's filter, in the columns chosen.

Only the activities' own facts: their money is finance's (this app cannot import it), whose
workbook and ledger downloads (finance.export) take the same filter and are linked from the list
beside this one, so each money figure keeps the one name and definition finance gives it.

Written a batch of activities at a time, each batch in the same few queries (the activities,
then their countries, themes and partners), so a file of the whole portfolio costs memory and
queries per batch, not per activity. Text a spreadsheet would run as a formula is written with a
leading apostrophe (accounts.text.spreadsheet_cell), in the CSV as in the workbook.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import openpyxl
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.text import spreadsheet_cell

from .models import Activity, ActivityCountry, ActivityPartner

BATCH_SIZE = 500
FORMATS = ("csv", "xlsx")


def _joined(values: Iterator[str] | list[str]) -> str:
    return "; ".join(values)


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


@dataclass(frozen=True)
class ExportColumn:
    key: str
    label: Any  # a lazy translation: the header is written in the language of the request
    value: Callable[[Activity], Any]
    default: bool = True


COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("ssc_id", _("SSC ID"), lambda a: a.ssc_id),
    ExportColumn("title", _("Title"), lambda a: a.title),
    ExportColumn("status", _("Status"), lambda a: a.get_status_display()),
    ExportColumn("year", _("Reporting year"), lambda a: a.year or ""),
    ExportColumn("division", _("Lead division"), lambda a: a.lead_division.code),
    ExportColumn(
        "providers", _("Provider countries"), lambda a: _joined(c.display_name for c in a.providers)
    ),
    ExportColumn(
        "receivers", _("Receiver countries"), lambda a: _joined(c.display_name for c in a.receivers)
    ),
    ExportColumn("modality", _("Modality"), lambda a: a.get_modality_display()),
    ExportColumn("themes", _("Themes"), lambda a: _joined(t.display_name for t in a.themes.all())),
    ExportColumn(
        "activity_type", _("Type"), lambda a: a.get_activity_type_display(), default=False
    ),
    ExportColumn(
        "funding_nature", _("Funding"), lambda a: a.get_funding_nature_display(), default=False
    ),
    ExportColumn(
        "partners",
        _("Partners"),
        lambda a: _joined(sorted({link.partner.name for link in a.partner_links.all()})),
        default=False,
    ),
    ExportColumn("planned_start", _("Planned start"), lambda a: _date(a.planned_start), False),
    ExportColumn("planned_end", _("Planned end"), lambda a: _date(a.planned_end), False),
    ExportColumn("actual_start", _("Actual start"), lambda a: _date(a.actual_start), False),
    ExportColumn("actual_end", _("Actual end"), lambda a: _date(a.actual_end), False),
    ExportColumn(
        "agreement", _("Confirmation"), lambda a: a.get_agreement_display(), default=False
    ),
    ExportColumn(
        "visibility", _("Visibility"), lambda a: a.get_visibility_display(), default=False
    ),
    ExportColumn(
        "updated", _("Last updated"), lambda a: a.updated_at.isoformat(timespec="seconds"), False
    ),
)
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_COLUMNS = tuple(column.key for column in COLUMNS if column.default)


def export_rows(activities: QuerySet[Activity]) -> Iterator[Activity]:
    """The activities with what the columns read, a batch at a time (Django prefetches the
    countries, themes and partners for each batch the cursor hands over)."""
    return (
        activities.select_related("lead_division")
        .prefetch_related(
            Prefetch(
                "country_links",
                queryset=ActivityCountry.objects.select_related("country").order_by(
                    "country__name"
                ),
            ),
            "themes",
            Prefetch("partner_links", queryset=ActivityPartner.objects.select_related("partner")),
        )
        .iterator(chunk_size=BATCH_SIZE)
    )


def _cells(activity: Activity, columns: list[ExportColumn]) -> list[Any]:
    return [spreadsheet_cell(column.value(activity)) for column in columns]


def activities_csv(activities: QuerySet[Activity], columns: list[ExportColumn]) -> Iterator[str]:
    """The CSV text, a line at a time, for a streaming response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line([spreadsheet_cell(str(column.label)) for column in columns])
    for activity in export_rows(activities):
        yield line(_cells(activity, columns))


def activities_xlsx(activities: QuerySet[Activity], columns: list[ExportColumn]) -> IO[bytes]:
    """The workbook in a temporary file, rewound: openpyxl's write-only mode keeps the rows on
    disk as they come, and a zip cannot be sent before it is whole."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Activities")))
    sheet.append([str(column.label) for column in columns])
    for activity in export_rows(activities):
        sheet.append(_cells(activity, columns))
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    workbook.save(handle)
    handle.seek(0)
    return handle
