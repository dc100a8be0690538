"""Both exports' contents for a selection: read in batches of activities (a fixed number of
queries per batch), checked, and returned with the problems found."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from activities.models import Country
from finance.codebook import CodeBook

from . import sdg1731, tossd
from .checks import Problem, code_lists, tossd_row_problems, totals_problems
from .portfolio import load_activities, load_ledger
from .selection import Selection, batches
from .splits import from_cents

BATCH = 2000
Progress = Callable[[int], None]
RowSink = Callable[[list[dict[str, Any]]], None]


@dataclass
class Contents:
    rows: list[dict[str, Any]]
    problems: list[Problem] = field(default_factory=list)
    # Rows built, kept in `rows` or handed to a file as they came.
    count: int = 0
    # 17.3.1: the disputed figures' activities, listed apart (SSC ID, title).
    disputed: list[tuple[str, str]] = field(default_factory=list)


def _no_progress(_percent: int) -> None:
    return None


def tossd_contents(
    selection: Selection,
    progress: Progress = _no_progress,
    *,
    ids: list[int] | None = None,
    write: RowSink | None = None,
) -> Contents:
    """The extract's rows for the selection (for its activities `ids` when given: a page of
    the API), with the problems the checks find. With `write`, each batch's rows go to it as
    they are built instead of being kept: a file of any size in constant memory."""
    book, lists = CodeBook.load(), code_lists()
    chosen = selection.activity_ids() if ids is None else ids
    contents = Contents(rows=[])
    committed = disbursed = Decimal("0.00")
    for done, batch in enumerate(batches(chosen, BATCH), start=1):
        facts, ledger = load_activities(batch), load_ledger(batch, selection)
        built: list[dict[str, Any]] = []
        for pk in batch:
            rows = tossd.activity_rows(facts[pk], ledger.get(pk, []), book)
            contents.problems += tossd_row_problems(facts[pk], rows, lists)
            built += rows
        committed += sum((row["commitments_usd"] for row in built), Decimal("0.00"))
        disbursed += sum((row["disbursements_usd"] for row in built), Decimal("0.00"))
        contents.count += len(built)
        if write is None:
            contents.rows += built
        else:
            write(built)
        progress(int(90 * done * BATCH / max(len(chosen), 1)))
    contents.problems += totals_problems(committed, disbursed, selection.ledger_totals(ids))
    return contents


def sdg_contents(
    selection: Selection, progress: Progress = _no_progress, *, slice_country: int | None = None
) -> Contents:
    """The aggregate's rows (a counterpart's slice when `slice_country` is given), disputed
    rows included and marked, with the totals checked against the ledger (on the whole
    aggregate: a slice is a filter of its rows)."""
    ids = selection.activity_ids()
    aggregate = sdg1731.Aggregate()
    for done, batch in enumerate(batches(ids, BATCH), start=1):
        facts, ledger = load_activities(batch), load_ledger(batch, selection)
        for pk in batch:
            aggregate.add_activity(facts[pk], ledger.get(pk, []))
        progress(int(90 * done * BATCH / max(len(ids), 1)))
    countries = {
        pk: (iso3, name) for pk, iso3, name in Country.objects.values_list("pk", "iso3", "name")
    }
    committed = sum((cell.committed for cell in aggregate.cells.values()), 0)
    disbursed = sum((cell.disbursed for cell in aggregate.cells.values()), 0)
    rows = sdg1731.aggregate_rows(aggregate, countries, slice_country)
    contents = Contents(
        rows=rows,
        count=len(rows),
        problems=totals_problems(
            from_cents(committed), from_cents(disbursed), selection.ledger_totals()
        ),
        disputed=sorted(aggregate.disputed.values()),
    )
    return contents


def totals(rows: list[dict[str, Any]], columns: frozenset[str]) -> dict[str, Decimal]:
    return {
        column: sum((row[column] for row in rows), Decimal("0.00")) for column in sorted(columns)
    }
