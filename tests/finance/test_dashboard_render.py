"""The dashboard's tables written as HTML: each column's formatting worked out once (RowWriter)
writes what each cell formatted on its own wrote, in every language."""

from __future__ import annotations

from html import escape

import pytest
from django.utils import translation

from accounts.models import User
from finance.dashboard import Cell, Reference, Selection, build_dashboard
from finance.rollups import RollupFilters, rollup_state
from tests.finance.dashboard_data import generate_ledger

pytestmark = [pytest.mark.django_db]

LANGUAGES = ("en", "fr", "es", "ar")


def _row_as_before(cells: list[Cell]) -> str:
    """A row as the dashboard wrote it from its cells, each formatted and escaped on its own."""
    first, *rest = cells
    heading = escape(first.text)
    if first.link:
        label = f' aria-label="{escape(first.link_label)}"' if first.link_label else ""
        heading = f'<a href="{escape(first.link)}"{label}>{heading}</a>'
    tds = "".join(
        f'<td class="num nowrap">{escape(c.text)}</td>'
        if c.is_number
        else f"<td>{escape(c.text)}</td>"
        for c in rest
    )
    return f'<tr><th scope="row">{heading}</th>{tds}</tr>'


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_tables_html_is_its_cells_written_one_by_one(focal: User, language: str) -> None:
    generate_ledger(activities=12, entries_per_activity=3, seed=36)
    with translation.override(language):
        selection = Selection(focal, RollupFilters(), Reference.load())
        board = build_dashboard(selection, rollup_state(), map_url="")
        tables = [*board.tables, board.quantities]
        assert sum(len(table.rows) for table in tables) > 20
        for table in tables:
            assert table.body_html() == "".join(_row_as_before(row) for row in table.body)
            footer = table.footer
            assert table.footer_html() == (_row_as_before(footer) if footer else "")
