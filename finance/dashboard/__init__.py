"""The dashboard's figures: the roll-ups read chart by chart, each chart with its data table.

- selection: what the user asked (their scope, the filters) and the roll-up queries that answer it;
- reference: the divisions, countries and themes the filters choose from, and the filters in words;
- cache: the query results kept under the "as of" time of the slices they read;
- charts: each chart's data and table; tables: the tables and their HTML;
- formatting: amounts, counts and names as the page writes them;
- board: the whole page's data, and one table alone (a download);
- page: the page's parts written from the figures, rendered and cached beside them, and the
  worker's warming of the portfolio view.

The page itself is finance.dashboard_views with templates/finance/dashboard.html.
"""

from .board import (
    CHART_BUILDERS,
    TABLE_SLUGS,
    Dashboard,
    Stat,
    build_dashboard,
    build_table,
    headline,
    summary_table,
)
from .cache import CACHE_SECONDS, cache_version, selection_version
from .charts import SPLIT_NOTE, Chart
from .formatting import (
    FAMILIES,
    STAGES,
    NumberStyle,
    chart_number,
    family_label,
    format_amount,
    format_count,
    format_usd,
    stage_label,
)
from .page import MAP_FILE, RenderedBoard, render_board, warm_default_views
from .reference import Reference, describe_filters
from .selection import TOP_ACTIVITIES, TOP_FLOWS, Flow, Selection, TopActivity, allocated_total
from .tables import Cell, Column, Table, format_value, money_table, summed

__all__ = [
    "CACHE_SECONDS",
    "CHART_BUILDERS",
    "FAMILIES",
    "MAP_FILE",
    "SPLIT_NOTE",
    "STAGES",
    "TABLE_SLUGS",
    "TOP_ACTIVITIES",
    "TOP_FLOWS",
    "Cell",
    "Chart",
    "Column",
    "Dashboard",
    "Flow",
    "NumberStyle",
    "Reference",
    "RenderedBoard",
    "Selection",
    "Stat",
    "Table",
    "TopActivity",
    "allocated_total",
    "build_dashboard",
    "build_table",
    "cache_version",
    "chart_number",
    "describe_filters",
    "family_label",
    "format_amount",
    "format_count",
    "format_usd",
    "format_value",
    "headline",
    "money_table",
    "render_board",
    "selection_version",
    "stage_label",
    "summary_table",
    "summed",
    "warm_default_views",
]
