"""The dashboard page's parts written from the figures: the headline and every chart's card
(its table's HTML and its data for static/js/dashboard.js), rendered once and kept beside the
figures (FigureCache), so that a view whose figures are cached renders only the page's frame
(the filters, the figures' state, the report form: finance/dashboard.html).

What the parts are written from, and so what they are cached under: the selection's figures
(the version of its slices, the scope, the filters), the active language (words, numbers, the
page's direction), the divisions', countries' and themes' names and codes (Reference), the
addresses the links are written with (the script prefix, the map's file), and the top
activities' names and states, read live on every view (a renamed activity recomputes no slice):
a cached part written from other ones is written again. The page's own query string, which the
download links carry, is put in on every view (QUERY_SLOT): parameters that are no filter would
otherwise each keep a rendering of their own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from accounts.models import Role, User

from ..rollups import RollupFilters, RollupState, rollup_state
from .board import Stat, build_dashboard
from .cache import selection_version
from .charts import Chart
from .reference import Reference
from .selection import Selection

CHARTS_TEMPLATE = "finance/_dashboard_charts.html"
# One chart's card, rendered alone (CHARTS_TEMPLATE puts them together).
CARD_TEMPLATE = "finance/_dashboard_chart.html"
# The world map the country chart draws on (a static file).
MAP_FILE = "vendor/countries-110m.json"
# Where the download links' query string goes in the rendered charts: "?" and the query in the
# template, this in the rendering. A comment cannot come from the page's data, which the template
# escapes ("<" becomes "&lt;"): only the template writes it.
QUERY_SLOT = "?<!--query-->"


@dataclass(frozen=True)
class RenderedBoard:
    """What the page shows of one selection's figures, rendered."""

    is_empty: bool
    stats: list[Stat]
    unvalued_note: str
    charts: str  # every chart's card and the charts' data (CHARTS_TEMPLATE)
    top: str  # the top activities as they were read (top_digest)

    @property
    def charts_html(self) -> SafeString:
        # Rendered by the template engine, which escaped it.
        return mark_safe(self.charts)  # noqa: S308


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()[:32]


def top_digest(selection: Selection) -> str:
    """The top activities' names and states as read live (their money is the figures')."""
    activities = [t.activity for t in selection.top_activities]
    return _digest(
        [[a.pk, a.ssc_id, a.title, a.lead_division.code, a.agreement] for a in activities]
    )


def render_board(
    selection: Selection, state: RollupState, *, map_url: str, query: str
) -> RenderedBoard:
    """The selection's headline and charts rendered, from the cache when its figures and
    everything else they are written from are unchanged (the module says what)."""

    query_slot = mark_safe(QUERY_SLOT[1:])  # noqa: S308
    cards: dict[str, str] = {}

    def render_card(chart: Chart) -> None:
        # Each card as soon as its chart is built: the charts but the last are written while
        # the longest read aside (the ledger's, which the last one needs) still runs.
        if not selection.is_empty:
            context = {"chart": chart, "query": query_slot}
            cards[chart.slug] = render_to_string(CARD_TEMPLATE, context)

    def render() -> RenderedBoard:
        board = build_dashboard(selection, state, map_url=map_url, on_chart=render_card)
        empty = board.is_empty
        charts = ""
        if not empty:
            # Rendered by the template engine, which escaped them.
            written = [mark_safe(cards[chart.slug]) for chart in board.charts]  # noqa: S308
            context = {"board": board, "cards": written, "query": query_slot}
            charts = render_to_string(CHARTS_TEMPLATE, context)
        return RenderedBoard(
            is_empty=empty,
            stats=[] if empty else board.stats,
            unvalued_note=board.unvalued_note,
            charts=charts,
            top=top_digest(selection),
        )

    written_with = [get_language(), get_script_prefix(), selection.reference.fingerprint, map_url]
    rendered = selection.rendered(
        f"page:{_digest(written_with)}",
        render,
        holds=lambda rendered: rendered.top == top_digest(selection),
    )
    # The query string as the template wrote it (escaped), or nothing (no "?") without one.
    charts = rendered.charts.replace(QUERY_SLOT, f"?{escape(query)}" if query else "")
    return dataclasses.replace(rendered, charts=charts)


def _focal_point_languages() -> list[str]:
    """The languages the focal points read the dashboard in (theirs, or the default)."""
    offered = {code for code, _name in settings.LANGUAGES}
    chosen = (
        User.objects.filter(is_active=True, role__in=(Role.FOCAL_POINT, Role.ADMIN))
        .values_list("language", flat=True)
        .distinct()
    )
    return sorted({code if code in offered else settings.LANGUAGE_CODE for code in chosen})


def warm_default_views() -> bool:
    """Compute and cache the unfiltered dashboard of the whole portfolio, the focal point's first
    view, figures and rendering (in each language a focal point reads it in); return whether
    it was computed.

    The worker runs this after recomputing roll-ups, so that the first person to open the
    dashboard after an edit is served from the cache instead of waiting for every chart's query
    and the page's writing. Narrower views (a division's, a filtered one) cost a fraction of
    that and are computed on demand: warming them all after every edit would keep the worker
    busy long after each edit.
    """
    version = selection_version(RollupFilters())
    if not version:
        return False
    reference = Reference.load()
    state = rollup_state()
    for language in _focal_point_languages() or [settings.LANGUAGE_CODE]:
        with translation.override(language):
            # A selection per language: its groups are labelled in the language it is read in.
            selection = Selection(None, RollupFilters(), reference, version=version, scope=Q())
            render_board(selection, state, map_url=static(MAP_FILE), query="")
    return True
