"""The dashboard's tables written as HTML: each column's formatting worked out once (RowWriter)
writes what each cell formatted on its own wrote, in every language; the page's rendered charts
are kept beside the figures (finance.dashboard.page) and written again whenever anything they
were written from changes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from html import escape
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from activities.models import Activity, Country
from finance import rollups
from finance.dashboard import (
    Cell,
    Column,
    Dashboard,
    Reference,
    Selection,
    Table,
    build_dashboard,
    page,
    warm_default_views,
)
from finance.dashboard import selection as selection_module
from finance.models import FinancialEntry
from finance.rollups import RollupFilters, rollup_state
from tests.finance.dashboard_data import generate_ledger, small_portfolio

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


# --- the rendered parts kept beside the figures (finance.dashboard.page) ----------------------


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[Selection]:
    """The selections whose dashboard was built (not served from the cache), as the page asks."""
    built: list[Selection] = []

    def counted(selection: Selection, *args: Any, **kwargs: Any) -> Dashboard:
        built.append(selection)
        return build_dashboard(selection, *args, **kwargs)

    monkeypatch.setattr(page, "build_dashboard", counted)
    caches["dashboard"].clear()
    return built


def _page(client: Client, query: str = "") -> str:
    response = client.get(reverse("finance:dashboard") + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_rendered_charts_are_served_until_a_slice_is_recomputed(
    focal_client: Client, renders: list[Selection]
) -> None:
    lac, _apr = small_portfolio()
    assert '<td class="num nowrap">2,800.00</td>' in _page(focal_client)
    assert len(renders) == 1
    FinancialEntry.objects.create(
        activity=lac, kind="cofinancing", stage="allocated", amount=Decimal("7.00"),
        currency="USD", value_date=datetime.date(2024, 3, 1), fiscal_year=2024,
        units_per_usd=1, amount_usd=Decimal("7.00"),
    )  # fmt: skip
    # Not recomputed: the figures are the roll-ups' snapshot, and so is their rendering.
    assert "2,800.00</td>" in _page(focal_client)
    assert len(renders) == 1
    rollups.compute_slices([(2024, lac.lead_division_id)])
    page_after = _page(focal_client)
    assert '<td class="num nowrap">2,807.00</td>' in page_after
    assert "2,800.00</td>" not in page_after
    assert len(renders) == 2
    # Another selection (a filter) has its own rendering.
    assert "2,807.00</td>" in _page(focal_client, "?country=BR")
    assert len(renders) == 3


def test_each_language_has_its_own_rendering(
    focal: User, focal_client: Client, renders: list[Selection]
) -> None:
    small_portfolio()
    english = _page(focal_client)
    focal.language = "fr"
    focal.save(update_fields=["language"])
    french = _page(focal_client)
    assert len(renders) == 2
    assert "2,800.00</td>" in english and "2,800.00</td>" not in french
    assert "2\u00a0800,00</td>" in french
    # Both kept: each language served from its own.
    assert "2\u00a0800,00</td>" in _page(focal_client)
    focal.language = "en"
    focal.save(update_fields=["language"])
    assert "2,800.00</td>" in _page(focal_client)
    assert len(renders) == 2


def test_names_read_live_are_never_served_stale(
    focal_client: Client, renders: list[Selection]
) -> None:
    """A renamed activity or country recomputes no slice: the rendering written with the old
    name is written again."""
    lac, _apr = small_portfolio()
    assert "Learning route on cassava" in _page(focal_client)
    Activity.objects.filter(pk=lac.pk).update(title="Learning route on sorghum")
    renamed = _page(focal_client)
    assert "Learning route on sorghum" in renamed and "cassava" not in renamed
    assert len(renders) == 2
    Country.objects.filter(iso2="MZ").update(name="Mozambique (renamed)")
    assert "Mozambique (renamed)" in _page(focal_client)
    assert len(renders) == 3
    _page(focal_client)
    assert len(renders) == 3


def test_staff_who_read_the_same_money_share_one_rendering(
    focal_client: Client, cpm_client: Client, renders: list[Selection]
) -> None:
    """The rendering is keyed by the scope, not the user: what is the user's own (the focal
    point's rebuild link) is in the page's frame, written on every view."""
    small_portfolio()
    focal_page = _page(focal_client)
    cpm_page = _page(cpm_client)
    assert len(renders) == 1
    assert "Rebuild the figures" in focal_page and "Rebuild the figures" not in cpm_page
    assert "Learning route on cassava" in cpm_page


def test_the_worker_renders_the_portfolio_view_in_each_focal_points_language(
    focal: User, focal_client: Client, cpm_client: Client, renders: list[Selection]
) -> None:
    small_portfolio()
    focal.language = "fr"
    focal.save(update_fields=["language"])
    assert warm_default_views() is True
    assert len(renders) == 1
    assert "2\u00a0800,00</td>" in _page(focal_client)
    assert len(renders) == 1  # served as the worker rendered it
    # A CPM reading English is served the same figures, rendered on demand in English.
    assert "2,800.00</td>" in _page(cpm_client)
    assert len(renders) == 2


def test_the_download_links_carry_each_views_own_query_string(
    focal_client: Client, renders: list[Selection]
) -> None:
    """The page's query string is put in the rendering on every view: parameters that are no
    filter share the filters' rendering instead of keeping one each."""
    small_portfolio()
    plain = _page(focal_client)
    assert "<!--query-->" not in plain
    tagged = _page(focal_client, "?utm=a%3Cb&country=BR")
    assert len(renders) == 2  # the country filter: its own figures
    again = _page(focal_client, "?country=BR&utm=other")
    assert len(renders) == 2
    csv = reverse("finance:dashboard_table", args=["countries", "csv"])
    assert f'href="{csv}?utm=a%3Cb&amp;country=BR"' in tagged
    assert f'href="{csv}?country=BR&amp;utm=other"' in again
    assert f'href="{csv}"' in plain


def test_a_mixed_columns_text_is_escaped() -> None:
    """The summary's value column holds numbers and a sentence (the in-kind left out): its
    cells are escaped even where numbers need not be."""
    table = Table(
        slug="summary",
        title="Summary",
        columns=[Column("figure", "Figure"), Column("value", "Value", "mixed")],
        rows=[["Note", "Expert-days <b>&</b> more"], ["Activities", 3]],
    )
    html = str(table.body_html())
    assert "Expert-days &lt;b&gt;&amp;&lt;/b&gt; more" in html
    assert "<b>" not in html


def test_each_card_is_written_once_its_chart_is_built_leverage_after_the_ledgers_read(
    focal_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cards of the charts that need nothing of the ledger are written before the in-kind
    is read (on a cold page the ledger's read aside is the longest): what the page does, in
    its order."""
    small_portfolio()
    done: list[str] = []
    write = page.render_to_string

    def recorded(template: str, context: dict[str, Any]) -> str:
        done.append(context["chart"].slug if template == page.CARD_TEMPLATE else template)
        return write(template, context)

    read = selection_module.selection_in_kind

    def read_recorded(*args: Any) -> Any:
        done.append("in-kind read")
        return read(*args)

    monkeypatch.setattr(page, "render_to_string", recorded)
    monkeypatch.setattr(selection_module, "selection_in_kind", read_recorded)
    caches["dashboard"].clear()
    assert 'id="chart-leverage"' in _page(focal_client)
    charts = ["years", "divisions", "themes", "modalities", "countries", "flows", "top"]
    assert done == [*charts, "in-kind read", "leverage", page.CHARTS_TEMPLATE]
