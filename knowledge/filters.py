"""Search and facets of the knowledge library, shared by the search page and the REST API.

As in activities.filters: nothing here knows about HTML; an invalid parameter leaves the form
invalid, the page shows its message and ignores that parameter.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import django_filters
from django.contrib.postgres.search import SearchHeadline
from django.db import connections
from django.db.models import F, QuerySet, Value, Window
from django.db.models.functions import Concat, ExtractYear, RowNumber, Substr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from activities.models import Country, Division, Theme, Visibility

from .models import (
    AssetType,
    KnowledgeAsset,
    KnowledgeAssetQuerySet,
    Language,
    search_config_for,
    search_query,
)

SORTS = (
    ("relevance", _("Relevance")),
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("title", _("Title A to Z")),
)
SORT_ORDER = {
    "newest": ("-published_on", "-pk"),
    "oldest": ("published_on", "pk"),
    "title": ("title", "pk"),
}
COUNTRY_FACET_SIZE = 12
# Snippets read the start of long texts only: ts_headline re-parses what it is given.
SNIPPET_SOURCE_CHARS = 60_000
MARK_START, MARK_END = "\x02", "\x03"


class KnowledgeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=200)
    type = django_filters.ChoiceFilter(
        label=_("Type"),
        field_name="asset_type",
        choices=AssetType.choices,
        empty_label=_("Any type"),
    )
    country = django_filters.ModelChoiceFilter(
        label=_("Country"),
        queryset=Country.objects.all(),
        to_field_name="iso2",
        method="filter_country",
        empty_label=_("Any country"),
    )
    division = django_filters.ModelChoiceFilter(
        label=_("Division"),
        field_name="division",
        queryset=Division.objects.all(),
        to_field_name="code",
        empty_label=_("Any division"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        queryset=Theme.objects.all(),
        to_field_name="code",
        method="filter_theme",
        empty_label=_("Any theme"),
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=Language.choices, empty_label=_("Any language")
    )
    year = django_filters.NumberFilter(
        label=_("Year"), method="filter_year", min_value=1900, max_value=2100
    )
    activity = django_filters.NumberFilter(
        label=_("Linked activity"), method="filter_activity", min_value=1
    )
    visibility = django_filters.ChoiceFilter(
        label=_("Visibility"), choices=Visibility.choices, empty_label=_("Any visibility")
    )
    # Last, so that it orders whatever the other filters left.
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORTS, method="filter_sort", empty_label=None
    )

    class Meta:
        model = KnowledgeAsset
        fields: list[str] = []

    # Many-to-many filters go through a subquery: a join would repeat an asset per match.

    def filter_q(self, queryset: KnowledgeAssetQuerySet, name: str, value: str) -> Any:
        found = queryset.search(value or "")
        return found.order_by("-rank", "-published_on", "-pk")  # type: ignore[misc]

    def filter_country(self, queryset: QuerySet[KnowledgeAsset], name: str, value: Any) -> Any:
        links = KnowledgeAsset.countries.through.objects.filter(country=value)
        return queryset.filter(pk__in=links.values("knowledgeasset_id"))

    def filter_theme(self, queryset: QuerySet[KnowledgeAsset], name: str, value: Any) -> Any:
        links = KnowledgeAsset.themes.through.objects.filter(theme=value)
        return queryset.filter(pk__in=links.values("knowledgeasset_id"))

    def filter_year(self, queryset: QuerySet[KnowledgeAsset], name: str, value: Any) -> Any:
        year = int(value)
        # A date range, not __year: the index on published_on answers it.
        return queryset.filter(
            published_on__gte=datetime.date(year, 1, 1),
            published_on__lt=datetime.date(year + 1, 1, 1),
        )

    def filter_activity(self, queryset: QuerySet[KnowledgeAsset], name: str, value: Any) -> Any:
        links = KnowledgeAsset.activities.through.objects.filter(activity_id=int(value))
        return queryset.filter(pk__in=links.values("knowledgeasset_id"))

    def filter_sort(self, queryset: QuerySet[KnowledgeAsset], name: str, value: str) -> Any:
        if value == "relevance":
            # Relevance needs words to rank by: without them, newest first (filter_q sorted
            # by rank already when there were words).
            return (
                queryset
                if self.form.cleaned_data.get("q")
                else queryset.order_by(*SORT_ORDER["newest"])
            )
        return queryset.order_by(*SORT_ORDER[value])


@dataclass(frozen=True)
class FacetValue:
    param: str
    value: str
    label: str
    count: int


@dataclass
class Matches:
    """One page of a search's matches, their total and the facet counts over all of them."""

    total: int
    page_number: int
    page_ids: list[int]
    facets: dict[str, list[FacetValue]]


# One statement answers the page, the total and every facet, reading the matches once: a text
# search's cost is in testing and ranking each match's vector, so it must not run once per facet.
# `matches` (a CTE, materialized by PostgreSQL because it is used more than once) holds each
# match's facet columns and its position in the requested order.
FACETS_SQL = """
WITH matches AS ({matches})
SELECT 'type', m.asset_type, '', COUNT(*), 0 FROM matches m GROUP BY m.asset_type
UNION ALL
SELECT 'language', m.language, '', COUNT(*), 0 FROM matches m GROUP BY m.language
UNION ALL
SELECT 'year', CAST(m.year AS TEXT), '', COUNT(*), 0 FROM matches m GROUP BY m.year
UNION ALL
SELECT 'division', d.code, d.name, COUNT(*), 0
FROM matches m JOIN {division} d ON d.id = m.division_id GROUP BY d.code, d.name
UNION ALL
SELECT 'country', c.iso2, c.name, COUNT(*), 0
FROM {countries} l JOIN matches m ON m.id = l.knowledgeasset_id
JOIN {country} c ON c.id = l.country_id GROUP BY c.iso2, c.name
UNION ALL
SELECT 'theme', t.code, t.name, COUNT(*), t.position
FROM {themes} l JOIN matches m ON m.id = l.knowledgeasset_id
JOIN {theme} t ON t.id = l.theme_id GROUP BY t.code, t.name, t.position
UNION ALL
SELECT 'total', '', '', COUNT(*), 0 FROM matches
UNION ALL
SELECT 'page', CAST(m.id AS TEXT), '', 0, m.position FROM matches m
WHERE m.position > %s AND m.position <= %s
"""


def _order_expressions(queryset: QuerySet[KnowledgeAsset]) -> list[Any]:
    """The queryset's ordering (field or annotation names, as KnowledgeFilter sets them) as
    expressions a window function can sort by."""
    names = [str(name) for name in queryset.query.order_by or KnowledgeAsset._meta.ordering or []]
    return [F(name[1:]).desc() if name.startswith("-") else F(name).asc() for name in names]


def _facets_sql(queryset: QuerySet[KnowledgeAsset]) -> tuple[str, tuple[Any, ...]]:
    numbered = (
        queryset.annotate(
            position=Window(RowNumber(), order_by=_order_expressions(queryset)),
            year=ExtractYear("published_on"),
        )
        .order_by()
        .values("id", "asset_type", "language", "year", "division_id", "position")
    )
    matches, params = numbered.query.sql_with_params()
    quote = connections[queryset.db].ops.quote_name
    sql = FACETS_SQL.format(
        matches=matches,
        division=quote(Division._meta.db_table),
        country=quote(Country._meta.db_table),
        theme=quote(Theme._meta.db_table),
        countries=quote(KnowledgeAsset.countries.through._meta.db_table),
        themes=quote(KnowledgeAsset.themes.through._meta.db_table),
    )
    return sql, tuple(params)


def collect(queryset: QuerySet[KnowledgeAsset], *, page: int, per_page: int) -> Matches:
    """The requested page of `queryset` (in its order), the total and the facets, in one query
    (two when the page asked for is past the last one)."""
    sql, params = _facets_sql(queryset)
    number = max(page, 1)
    rows = _run(queryset.db, sql, params, number, per_page)
    total = next(row[3] for row in rows if row[0] == "total")
    last = max(1, -(-total // per_page))
    if number > last:
        number = last
        rows = _run(queryset.db, sql, params, number, per_page)
    types = {k: str(v) for k, v in AssetType.choices}
    languages = {k: str(v) for k, v in Language.choices}
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)

    def values(kind: str, labels: dict[str, str] | None = None) -> list[FacetValue]:
        """Facet values; a label from `labels` (choices), else the row's, else the value."""
        return [
            FacetValue(kind, value, (labels or {}).get(value) or label or value, n)
            for _kind, value, label, n, _extra in grouped.get(kind, [])
        ]

    by_count = lambda value: (-value.count, value.label)  # noqa: E731
    facet_values = {
        "type": sorted(values("type", types), key=by_count),
        "country": sorted(values("country"), key=by_count)[:COUNTRY_FACET_SIZE],
        "division": sorted(values("division"), key=lambda value: value.value),
        "theme": [
            value
            for _position, value in sorted(
                zip((row[4] for row in grouped.get("theme", [])), values("theme"), strict=True),
                key=lambda pair: pair[0],
            )
        ],
        "language": sorted(values("language", languages), key=by_count),
        "year": sorted(values("year"), key=lambda value: value.value, reverse=True),
    }
    page_ids = [int(row[1]) for row in sorted(grouped.get("page", []), key=lambda row: row[4])]
    return Matches(total=total, page_number=number, page_ids=page_ids, facets=facet_values)


def _run(
    alias: str, sql: str, params: tuple[Any, ...], number: int, per_page: int
) -> list[tuple[Any, ...]]:
    offset = (number - 1) * per_page
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, (*params, offset, offset + per_page))
        return list(cursor.fetchall())


def _marked(text: str) -> SafeString:
    """The headline with its matches in <mark>, everything else escaped."""
    escaped = str(escape(text))
    return mark_safe(  # noqa: S308 - escaped above; only our own <mark> tags are added
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


def snippets(assets: list[KnowledgeAsset], text: str) -> dict[int, SafeString]:
    """Where the words were found, for the assets on the page (one query, PostgreSQL only)."""
    text = " ".join(text.split())
    if not text or not assets or connections[KnowledgeAsset.objects.db].vendor != "postgresql":
        return {}
    source = Concat(
        "abstract",
        Value("\n"),
        Substr("body", 1, SNIPPET_SOURCE_CHARS),
        Value("\n"),
        Substr("file_text", 1, SNIPPET_SOURCE_CHARS),
    )
    rows = (
        KnowledgeAsset.objects.filter(pk__in=[asset.pk for asset in assets])
        .annotate(
            snippet=SearchHeadline(
                source,
                search_query(text),
                config=search_config_for("language"),
                start_sel=MARK_START,
                stop_sel=MARK_END,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .values_list("pk", "snippet")
    )
    return {pk: _marked(snippet) for pk, snippet in rows if snippet and MARK_START in snippet}
