"""The whole dashboard: the headline figures, every chart, and one table alone for a download."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from accounts.formatting import percent as format_percent
from accounts.formatting import ratio as format_ratio
from activities.models import Agreement

from ..figures import FIGURE_LABELS, Coverage
from ..models import Stage
from ..rollups import Figures, RollupState
from .charts import (
    Chart,
    country_chart,
    division_chart,
    flow_chart,
    leverage_chart,
    modality_chart,
    theme_chart,
    top_chart,
    year_chart,
)
from .formatting import FAMILIES, STAGES, family_label, format_count, format_usd, stage_label
from .in_kind import quantities_table
from .selection import Selection
from .tables import Column, Table


@dataclass(frozen=True)
class Stat:
    key: str
    label: str
    value: str


@dataclass
class Dashboard:
    selection: Selection
    state: RollupState
    charts: list[Chart]

    @property
    def figures(self) -> Figures:
        return self.selection.totals

    @property
    def is_empty(self) -> bool:
        return self.selection.is_empty

    @property
    def stats(self) -> list[Stat]:
        return headline(self.selection)

    @property
    def tables(self) -> list[Table]:
        return [summary_table(self.selection), *(chart.table for chart in self.charts)]

    @property
    def unvalued_note(self) -> str:
        """What leverage left out for having no value (the same words on every surface)."""
        return self.selection.unvalued.note()

    @property
    def quantities(self) -> Table:
        return quantities_table(self.selection)

    def chart_data(self) -> dict[str, Any]:
        return {chart.slug: chart.data for chart in self.charts}


def headline(selection: Selection) -> list[Stat]:
    figures = selection.totals
    return [
        Stat("ifad_planned", _("IFAD planned"), format_usd(figures.ifad[Stage.PLANNED], 0)),
        Stat("ifad_allocated", _("IFAD allocated"), format_usd(figures.ifad[Stage.ALLOCATED], 0)),
        Stat("ifad_spent", _("IFAD spent"), format_usd(figures.ifad[Stage.SPENT], 0)),
        Stat(
            "cofinancing",
            _("Cofinancing allocated"),
            format_usd(figures.cofinancing[Stage.ALLOCATED], 0),
        ),
        Stat("in_kind", _("In-kind allocated"), format_usd(figures.in_kind[Stage.ALLOCATED], 0)),
        Stat(
            "leverage",
            str(FIGURE_LABELS["leverage_allocated"]),
            format_ratio(figures.leverage_allocated),
        ),
        Stat(
            "execution",
            str(FIGURE_LABELS["execution_rate_ifad"]),
            format_percent(figures.execution_rate_ifad),
        ),
        Stat("activities", _("Activities with money"), format_count(selection.activity_count)),
        Stat("countries", _("Countries involved"), format_count(selection.country_count)),
        *coverage_stats(selection.coverage),
    ]


def coverage_stats(coverage: Coverage) -> list[Stat]:
    """The two coverage shares, each label with the counts behind it."""
    return [
        Stat(
            "coverage_activities",
            _("Activities confirmed by every side: %(confirmed)s of %(all)s")
            % {
                "confirmed": format_count(coverage.count(Agreement.CONFIRMED)),
                "all": format_count(coverage.activity_count),
            },
            format_percent(coverage.coverage_activities),
        ),
        Stat(
            "coverage_money",
            _("Allocated money in confirmed activities: %(confirmed)s of %(all)s")
            % {
                "confirmed": format_usd(coverage.confirmed_allocated, 0),
                "all": format_usd(coverage.allocated, 0),
            },
            format_percent(coverage.coverage_money),
        ),
    ]


def coverage_rows(coverage: Coverage) -> list[list[Any]]:
    """The coverage in the summary table: both shares, the activities by agreement state and
    the money behind the money share."""
    rows: list[list[Any]] = [[label, value] for _name, label, value in coverage.labelled()]
    rows += [
        [_("Activities: %(state)s") % {"state": label}, coverage.count(state)]
        for state, label in Agreement.choices
    ]
    rows += [
        [_("Allocated in activities confirmed by every side (US$)"), coverage.confirmed_allocated],
        [_("Allocated in the selection (US$)"), coverage.allocated],
    ]
    return rows


def _derived_rows(figures: Figures) -> list[tuple[Any, Any]]:
    return [(FIGURE_LABELS[name], value) for name, value in figures.derived().items()]


def summary_table(selection: Selection) -> Table:
    """The headline figures with full cents, as the downloads and the report's first sheet."""
    figures = selection.totals
    rows: list[list[Any]] = []
    for family in FAMILIES:
        for stage in STAGES:
            rows.append(
                [
                    _("%(family)s %(stage)s (US$)")
                    % {"family": family_label(family), "stage": stage_label(stage)},
                    getattr(figures, family)[stage],
                ]
            )
    rows += [[str(label), value] for label, value in _derived_rows(figures)]
    if note := selection.unvalued.note():
        rows.append([_("In-kind left out of leverage"), note])
    rows += [
        [_("Activities with money"), selection.activity_count],
        [_("Countries involved"), selection.country_count],
        *coverage_rows(selection.coverage),
    ]
    return Table(
        slug="summary",
        title=_("Headline figures"),
        columns=[Column("figure", _("Figure")), Column("value", _("Value"), "mixed")],
        rows=rows,
    )


CHART_BUILDERS: dict[str, Callable[[Selection, str], Chart]] = {
    "years": lambda s, _map: year_chart(s),
    "divisions": lambda s, _map: division_chart(s),
    "leverage": lambda s, _map: leverage_chart(s),
    "themes": lambda s, _map: theme_chart(s),
    "modalities": lambda s, _map: modality_chart(s),
    "countries": country_chart,
    "flows": lambda s, _map: flow_chart(s),
    "top": lambda s, _map: top_chart(s),
}
TABLE_SLUGS = ("summary", *CHART_BUILDERS, "quantities")


# Built last: the chart that needs the ledger's read aside (its note), the longest of the reads
# aside (Selection.read_aside); the others' Python work is done while it runs.
BUILT_LAST = ("leverage",)


def build_dashboard(
    selection: Selection,
    state: RollupState,
    *,
    map_url: str = "",
    on_chart: Callable[[Chart], None] | None = None,
) -> Dashboard:
    """Every chart; `on_chart` is given each as soon as it is built (the page renders its card
    then, while the reads aside still run)."""
    selection.read_aside()
    built: dict[str, Chart] = {}
    for last in (False, True):
        if last:
            # Read before the charts that wait for the ledger's read aside, while it runs, and
            # even when the selection holds no money (the page then shows no figures): the
            # page costs the same queries whatever it holds.
            selection.coverage  # noqa: B018
        for slug in CHART_BUILDERS:
            if (slug in BUILT_LAST) == last:
                built[slug] = CHART_BUILDERS[slug](selection, map_url)
                if on_chart is not None:
                    on_chart(built[slug])
    selection.quantities  # noqa: B018
    return Dashboard(selection=selection, state=state, charts=[built[s] for s in CHART_BUILDERS])


def build_table(selection: Selection, slug: str) -> Table:
    """One table alone (a download): only the queries that table needs."""
    if slug == "summary":
        return summary_table(selection)
    if slug == "quantities":
        return quantities_table(selection)
    return CHART_BUILDERS[slug](selection, "").table
