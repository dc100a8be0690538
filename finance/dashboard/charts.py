"""The dashboard's charts: each chart's data for static/js/dashboard.js with its data table.

Money of an activity with several countries (or themes) is attributed by the countries' shares
(equal split when none is given) in whole cents (largest remainder), so the country and theme
tables add up to the portfolio total; `SPLIT_NOTE` says so on the page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import pycountry
from django.urls import reverse
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from accounts.formatting import ratio as format_ratio

from ..export import agreement_text
from ..figures import FIGURE_LABELS
from ..models import Stage
from ..rollups import Figures
from .formatting import FAMILIES, STAGES, chart_number, family_label, format_count, stage_label
from .selection import TOP_ACTIVITIES, TOP_FLOWS, Selection, allocated_total
from .tables import Column, Table, money_table, summed

SPLIT_NOTE = gettext_lazy(
    "An activity with several countries has its money split between them by the shares given "
    "on the activity, or equally when none are given; money over several themes is split "
    "equally. Splits are in whole cents (the leftover cents go to the largest remainders), so "
    "the rows add up exactly to the portfolio total. Money of activities without a country or "
    "theme is shown as “Not attributed”."
)


@functools.cache
def _iso_numeric() -> dict[str, str]:
    """ISO 3166 alpha-2 -> numeric code (the world map's feature ids, e.g. BR -> 076)."""
    return {country.alpha_2: country.numeric for country in pycountry.countries}


def iso_numeric(iso2: str) -> str:
    return _iso_numeric().get(iso2, "")


@dataclass
class Chart:
    slug: str
    title: str
    description: str
    table: Table
    data: dict[str, Any]  # what static/js/dashboard.js draws
    note: str = ""
    wide: bool = False


def element_url(selection: Selection, **element: Any) -> str:
    """The activity list of one chart element (finance.dashboard.links); "" for the money
    attributed to no division, country or theme, which no filter can list."""
    if any(value in (None, "") for value in element.values()):
        return ""
    return selection.links.url(**element)


def _code(table: dict[int, Any], key: Any, attribute: str) -> str | None:
    item = table.get(key) if isinstance(key, int) else None
    return getattr(item, attribute) if item is not None else None


def _series_by_family(groups: list[Figures], stage: str) -> list[dict[str, Any]]:
    return [
        {
            "family": family,
            "name": family_label(family),
            "values": [chart_number(getattr(g, family)[stage]) for g in groups],
        }
        for family in FAMILIES
    ]


def flows_description(selection: Selection) -> str:
    """The flows chart's text alternative; its sides follow the page's direction, as the chart
    does (static/js/chart-direction.js)."""
    numbers = {"top": TOP_FLOWS, "pairs": format_count(selection.flow_pairs)}
    if get_language_bidi():
        text = _(
            "Provider countries (right) and receiver countries (left) of the same activity, "
            "weighted by the number of activities with money in the selection; the %(top)d "
            "most frequent pairs of %(pairs)s. Two-way exchange countries count on both sides."
        )
    else:
        text = _(
            "Provider countries (left) and receiver countries (right) of the same activity, "
            "weighted by the number of activities with money in the selection; the %(top)d most "
            "frequent pairs of %(pairs)s. Two-way exchange countries count on both sides."
        )
    return text % numbers


def year_chart(selection: Selection) -> Chart:
    groups = selection.by_year
    urls = [element_url(selection, year=g.key) for g in groups]
    return Chart(
        slug="years",
        title=_("Money by fiscal year"),
        description=_(
            "Each year has three bars, planned, allocated and spent (right to left, lighter to "
            "darker); each bar stacks IFAD, cofinancing and in-kind, in US$."
        )
        if get_language_bidi()
        else _(
            "Each year has three bars, planned, allocated and spent (left to right, lighter to "
            "darker); each bar stacks IFAD, cofinancing and in-kind, in US$."
        ),
        table=money_table(
            "years",
            _("Money by fiscal year"),
            Column("year", _("Fiscal year")),
            groups,
            selection.totals,
            links=urls,
        ),
        data={
            "kind": "years",
            "urls": urls,
            "categories": [g.label for g in groups],
            "stages": [{"key": s, "name": stage_label(s)} for s in STAGES],
            "series": {stage: _series_by_family(groups, stage) for stage in STAGES},
        },
        wide=True,
    )


def division_codes(selection: Selection, groups: list[Figures]) -> list[str]:
    """Short chart labels for divisions (APR, ESA, ...); the tables keep the full names."""
    divisions = selection.reference.divisions
    return [
        divisions[g.key].code if isinstance(g.key, int) and g.key in divisions else g.label
        for g in groups
    ]


def division_urls(selection: Selection, groups: list[Figures]) -> list[str]:
    divisions = selection.reference.divisions
    return [element_url(selection, division=_code(divisions, g.key, "code")) for g in groups]


def _stacked_chart(
    slug: str,
    title: str,
    first: Column,
    groups: list[Figures],
    total: Figures,
    urls: list[str],
    note: str = "",
    categories: list[str] | None = None,
) -> Chart:
    return Chart(
        slug=slug,
        title=title,
        description=_("Allocated US$, stacked: IFAD, cofinancing and in-kind."),
        table=money_table(slug, title, first, groups, total, links=urls),
        data={
            "kind": "stacked",
            "urls": urls,
            "categories": categories or [g.label for g in groups],
            "series": _series_by_family(groups, Stage.ALLOCATED),
        },
        note=note,
    )


def division_chart(selection: Selection) -> Chart:
    return _stacked_chart(
        "divisions",
        _("Money by lead division"),
        Column("division", _("Division")),
        selection.by_division,
        selection.totals,
        division_urls(selection, selection.by_division),
        categories=division_codes(selection, selection.by_division),
    )


def theme_chart(selection: Selection) -> Chart:
    return _stacked_chart(
        "themes",
        _("Money by theme"),
        Column("theme", _("Theme")),
        selection.by_theme,
        summed(selection.by_theme),
        [
            element_url(selection, theme=_code(selection.reference.themes, g.key, "code"))
            for g in selection.by_theme
        ],
        note=str(SPLIT_NOTE),
    )


def modality_chart(selection: Selection) -> Chart:
    groups = selection.by_modality
    title = _("Money by modality")
    urls = [element_url(selection, modality=g.key) for g in groups]
    return Chart(
        slug="modalities",
        title=title,
        description=_("Allocated US$ (IFAD + cofinancing + in-kind) by modality."),
        table=money_table(
            "modalities",
            title,
            Column("modality", _("Modality")),
            groups,
            selection.totals,
            links=urls,
        ),
        data={
            "kind": "pie",
            "items": [
                {"name": g.label, "value": chart_number(allocated_total(g)), "url": url}
                for g, url in zip(groups, urls, strict=True)
            ],
        },
    )


def leverage_chart(selection: Selection) -> Chart:
    groups = selection.by_division
    total = selection.totals
    title = _("Leverage by lead division")
    urls = division_urls(selection, groups)

    def row(label: str, figures: Figures) -> list[Any]:
        others = figures.cofinancing[Stage.ALLOCATED] + figures.in_kind[Stage.ALLOCATED]
        return [label, figures.ifad[Stage.ALLOCATED], others, figures.leverage_allocated]

    return Chart(
        slug="leverage",
        title=title,
        description=_(
            "(Cofinancing + in-kind) / IFAD, allocated basis; the dashed line is the whole "
            "selection's, %(overall)s."
        )
        % {"overall": format_ratio(total.leverage_allocated)},
        note=selection.unvalued.note(),
        table=Table(
            slug="leverage",
            title=title,
            columns=[
                Column("division", _("Division")),
                Column("ifad", _("IFAD allocated (US$)"), "money"),
                Column("others", _("Cofinancing + in-kind allocated (US$)"), "money"),
                Column("leverage_allocated", str(FIGURE_LABELS["leverage_allocated"]), "ratio"),
            ],
            rows=[row(g.label, g) for g in groups],
            links=urls,
            total=row(_("Total"), total),
        ),
        data={
            "kind": "leverage",
            "urls": urls,
            "categories": division_codes(selection, groups),
            "values": [chart_number(g.leverage_allocated) for g in groups],
            "overall": chart_number(total.leverage_allocated),
        },
    )


def country_chart(selection: Selection, map_url: str) -> Chart:
    groups = selection.by_country
    title = _("Money by country")
    items = []
    urls = []
    for figures in groups:
        key = figures.key
        country = selection.reference.countries.get(key) if isinstance(key, int) else None
        url = element_url(selection, country=country.iso2 if country else None)
        urls.append(url)
        code = iso_numeric(country.iso2) if country else ""
        if code:
            items.append(
                {
                    "name": code,
                    "label": figures.label,
                    "value": chart_number(allocated_total(figures)),
                    "url": url,
                }
            )
    return Chart(
        slug="countries",
        title=title,
        description=_(
            "Allocated US$ (IFAD + cofinancing + in-kind) attributed to each country; countries "
            "the map cannot show are in the table."
        ),
        table=money_table(
            "countries",
            title,
            Column("country", _("Country")),
            groups,
            summed(groups),
            links=urls,
        ),
        data={"kind": "map", "mapUrl": map_url, "items": items, "valueName": _("Allocated")},
        note=str(SPLIT_NOTE),
        wide=True,
    )


def flow_chart(selection: Selection) -> Chart:
    flows = selection.flows
    title = _("Who shares with whom")
    urls = [
        element_url(selection, provider=f.provider.iso2, receiver=f.receiver.iso2) for f in flows
    ]
    return Chart(
        slug="flows",
        title=title,
        description=flows_description(selection),
        table=Table(
            slug="flows",
            title=title,
            columns=[
                Column("provider", _("Provider country")),
                Column("receiver", _("Receiver country")),
                Column("activities", _("Activities"), "count"),
            ],
            rows=[[f.provider.display_name, f.receiver.display_name, f.activities] for f in flows],
            links=urls,
            link_labels=[
                _("Activities from %(provider)s to %(receiver)s")
                % {"provider": f.provider.display_name, "receiver": f.receiver.display_name}
                for f in flows
            ],
        ),
        data={
            "kind": "flows",
            "links": [
                {
                    "source": f.provider.iso2,
                    "target": f.receiver.iso2,
                    "value": f.activities,
                    "url": url,
                }
                for f, url in zip(flows, urls, strict=True)
            ],
            "names": {
                country.iso2: country.display_name
                for f in flows
                for country in (f.provider, f.receiver)
            },
            "providerName": _("provides"),
            "receiverName": _("receives"),
            "valueName": _("activities"),
        },
        wide=True,
    )


def top_chart(selection: Selection) -> Chart:
    top = selection.top_activities
    title = _("Top activities by money allocated")
    urls = [reverse("finance:activity", args=[t.activity.pk]) for t in top]
    return Chart(
        slug="top",
        title=title,
        description=_(
            "The %(count)d activities with the most money allocated in the selection: IFAD + "
            "cofinancing + in-kind, in US$, each activity's whole money (not split by country)."
        )
        % {"count": TOP_ACTIVITIES},
        table=Table(
            slug="top",
            title=title,
            columns=[
                Column("ssc_id", _("SSC ID")),
                Column("title", _("Activity")),
                Column("division", _("Division")),
                # Whether its sides confirmed it: a disputed one is marked (finance.export).
                Column("agreement", _("Confirmation")),
                Column("ifad", _("IFAD allocated (US$)"), "money"),
                Column("cofinancing", _("Cofinancing allocated (US$)"), "money"),
                Column("in_kind", _("In-kind allocated (US$)"), "money"),
                Column("total", _("Total allocated (US$)"), "money"),
            ],
            rows=[
                [
                    t.activity.ssc_id,
                    t.activity.title,
                    t.activity.lead_division.code,
                    agreement_text(t.activity.agreement),
                    t.ifad,
                    t.cofinancing,
                    t.in_kind,
                    t.total,
                ]
                for t in top
            ],
            links=urls,
        ),
        data={
            "kind": "stacked",
            "urls": urls,
            "categories": [t.activity.ssc_id for t in top],
            "series": [
                {
                    "family": family,
                    "name": family_label(family),
                    "values": [chart_number(getattr(t, family)) for t in top],
                }
                for family in FAMILIES
            ],
        },
        wide=True,
    )
