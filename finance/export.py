"""Giving the spreadsheet view back: the legacy workbook format and a CSV of the ledger.

The workbook is the one finance.legacy reads, so importing an export changes nothing. Text that
a spreadsheet would take for a formula (starting with = + - @) is written with a leading
apostrophe, and the reader drops that apostrophe again. The workbook carries the moment it was
exported (finance.legacy.export_stamp): an import of it later treats what the portal changed
since then as newer than the file. Characters a workbook cannot hold
(rows stored before accounts.text refused them) become U+FFFD (accounts.text.spreadsheet_cell).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

import openpyxl
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from openpyxl.packaging.custom import StringProperty

from accounts.text import spreadsheet_cell
from activities.models import Activity, Agreement, FundingNature, Modality, Status

from .legacy import STAGE_COLUMNS, STAMP_PROPERTY, export_stamp
from .models import IFAD_KINDS, ContributionKind, FinancialEntry

NATURE_TEXT = {
    FundingNature.GRANT: "grant-funded",
    FundingNature.IN_PROJECT: "in project",
    FundingNature.ADMIN_BUDGET: "administrative budget",
}
MODALITY_TEXT = {
    Modality.SOUTH_SOUTH: "South-South",
    Modality.TRIANGULAR: "Triangular",
    Modality.TRILATERAL: "Trilateral",
}
KIND_TEXT = {ContributionKind.COFINANCING: "Cofinancing", ContributionKind.IN_KIND: "In-kind"}

ACTIVITY_SHEET_HEADER = [
    "SSC ID", "Activity", "Nature of activity", "Year", "Lead division", "Provider countries",
    "Receiver countries", "Modality", "Theme", "Status", "IFAD planned (US$)",
    "IFAD allocated (US$)", "IFAD spent (US$)", "Notes", "Confirmation",
]  # fmt: skip
CONTRIBUTION_SHEET_HEADER = [
    "SSC ID", "Contributor", "Contributor type", "Kind", "Currency", "Planned", "Allocated",
    "Spent", "Notes",
]  # fmt: skip


# How every export (this workbook, the consolidated report, the IATI file) marks an activity a
# side disputes: one fixed word, the same in every language, for a reader's eye or a filter.
DISPUTED_MARKER = "DISPUTED"


def agreement_text(agreement: str) -> str:
    """An activity's confirmation by its sides in an export: the marker when disputed, else
    its label. The workbook import reads no such column: it changes nothing there."""
    if agreement == Agreement.DISPUTED:
        return DISPUTED_MARKER
    return str(Agreement(agreement).label)


def legacy_year(activity: Activity) -> int:
    """The workbook's Year: approval year, else the start year, else the year it was logged."""
    return activity.year or activity.created_at.year


def _number(value: Decimal) -> Any:
    """Whole amounts as integers, others with their cents, never through float."""
    return int(value) if value == value.to_integral_value() else value


def _export_activities(activities: QuerySet[Activity]) -> Iterator[Activity]:
    return (
        activities.select_related("lead_division")
        .prefetch_related("country_links__country", "themes")
        .order_by("ssc_id")
        .iterator(chunk_size=2000)
    )


def ifad_totals(activity_ids: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    totals: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(STAGE_COLUMNS, Decimal(0))
    )
    rows = (
        FinancialEntry.objects.filter(activity_id__in=list(activity_ids), kind__in=IFAD_KINDS)
        .values("activity_id", "stage")
        .annotate(usd=Sum("amount_usd"))
        .order_by()
    )
    for row in rows:
        totals[row["activity_id"]][row["stage"]] += row["usd"]
    return totals


def build_workbook(activities: QuerySet[Activity]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    # Taken before the first activity is read: a change saved while the file is written is
    # newer than the file.
    workbook.custom_doc_props.append(
        StringProperty(name=STAMP_PROPERTY, value=export_stamp(timezone.now()))
    )
    sheet = workbook.create_sheet("Activities")
    sheet.append(ACTIVITY_SHEET_HEADER)
    ids: list[int] = []
    sums = dict.fromkeys(STAGE_COLUMNS, Decimal(0))
    batch: list[Activity] = []

    def flush() -> None:
        totals = ifad_totals(a.pk for a in batch)
        for activity in batch:
            ifad = totals.get(activity.pk, dict.fromkeys(STAGE_COLUMNS, Decimal(0)))
            for stage in STAGE_COLUMNS:
                sums[stage] += ifad[stage]
            sheet.append([spreadsheet_cell(v) for v in _activity_cells(activity, ifad)])
        batch.clear()

    for activity in _export_activities(activities):
        ids.append(activity.pk)
        batch.append(activity)
        if len(batch) >= 2000:
            flush()
    flush()
    sheet.append(
        [
            None,
            "Total",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            *(_number(sums[stage]) for stage in STAGE_COLUMNS),
            None,
            None,
        ]
    )
    contributions = workbook.create_sheet("Contributions")
    contributions.append(CONTRIBUTION_SHEET_HEADER)
    for row in contribution_rows(ids):
        contributions.append([spreadsheet_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _activity_cells(activity: Activity, ifad: dict[str, Decimal]) -> list[Any]:
    links = list(activity.country_links.all())
    division = activity.lead_division.code
    return [
        activity.ssc_id,
        activity.title,
        NATURE_TEXT[FundingNature(activity.funding_nature)],
        legacy_year(activity),
        "Global" if division == "GLB" else division,
        "; ".join(link.country.name for link in links if link.is_provider) or None,
        "; ".join(link.country.name for link in links if link.is_receiver) or None,
        MODALITY_TEXT[Modality(activity.modality)],
        "; ".join(theme.name for theme in activity.themes.all()),
        str(Status(activity.status).label),
        *(_number(ifad[stage]) if ifad[stage] else None for stage in STAGE_COLUMNS),
        activity.notes or None,
        agreement_text(activity.agreement),
    ]


def contribution_rows(activity_ids: list[int]) -> Iterator[list[Any]]:
    """One row per activity, contributor, kind and currency, with the net amount per stage."""
    for start in range(0, len(activity_ids), 2000):
        chunk = activity_ids[start : start + 2000]
        lines = (
            FinancialEntry.objects.filter(activity_id__in=chunk)
            .exclude(kind__in=IFAD_KINDS)
            # A group's line (finance.models.groups) is written with the group's label as the
            # workbook had it, and no type: read back, the label finds the group again.
            .annotate(name=Coalesce("contributor__name", "contributor_group__label"))
            .values("activity__ssc_id", "name", "contributor__type", "kind", "currency", "stage")
            .annotate(net=Sum("amount"))
            .order_by("activity__ssc_id", "name", "kind", "currency")
        )
        grouped: dict[tuple[str, str, str, str, str], dict[str, Decimal]] = {}
        for line in lines:
            key = (
                line["activity__ssc_id"],
                line["name"],
                line["contributor__type"] or "",
                line["kind"],
                line["currency"],
            )
            grouped.setdefault(key, dict.fromkeys(STAGE_COLUMNS, Decimal(0)))[line["stage"]] += (
                line["net"]
            )
        for (ssc_id, name, partner_type, kind, currency), stages in grouped.items():
            if not any(stages.values()):
                continue
            yield [
                ssc_id,
                name,
                partner_type or None,
                KIND_TEXT[ContributionKind(kind)],
                currency,
                *(_number(stages[s]) if stages[s] else None for s in STAGE_COLUMNS),
                None,
            ]


LEDGER_COLUMNS = [
    "entry_id", "ssc_id", "activity", "contributor", "kind", "valued_as", "valuation_basis",
    "unit", "quantity", "valued_by", "provider_country", "unit_rate", "rate_card_version",
    "stage", "amount", "currency", "units_per_usd", "amount_usd", "value_date", "fiscal_year",
    "entry_type", "corrects", "reason", "reference", "note", "recorded_by", "recorded_at",
]  # fmt: skip


def ledger_csv(activities: QuerySet[Activity]) -> Iterator[str]:
    """The ledger of these activities as CSV text, streamed row by row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([spreadsheet_cell(v) for v in values])
        return buffer.getvalue()

    yield line(LEDGER_COLUMNS)
    entries = (
        FinancialEntry.objects.filter(activity__in=activities.values("pk"))
        .select_related(
            "activity", "contributor", "contributor_group", "created_by", "provider_country"
        )
        .order_by("activity__ssc_id", "pk")
        .iterator(chunk_size=2000)
    )
    for entry in entries:
        yield line([
            entry.pk, entry.activity.ssc_id, entry.activity.title,
            entry.contributor_name, entry.kind,
            entry.valuation_method, entry.valuation_basis, entry.unit,
            "" if entry.quantity is None else entry.quantity, entry.valued_by,
            entry.provider_country.iso2 if entry.provider_country else "",
            "" if entry.unit_rate is None else entry.unit_rate, entry.rate_card_version or "",
            entry.stage, entry.amount,
            entry.currency, entry.units_per_usd, entry.amount_usd, entry.value_date.isoformat(),
            entry.fiscal_year, entry.entry_type, entry.corrects_id or "", entry.reason,
            entry.reference, entry.note, str(entry.created_by or ""),
            entry.created_at.isoformat(),
        ])  # fmt: skip
