"""Search and facets of the knowledge library, shared by the search page and the REST API.

As in activities.filters: nothing here knows about HTML; an invalid parameter leaves the form
invalid, the page shows its message and ignores that parameter.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_filters
from django.contrib.postgres.search import SearchHeadline
from django.db import connections, transaction
from django.db.models import F, QuerySet, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, ExtractYear, RowNumber, Substr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from activities.filters import IntegerFilter
from activities.models import Activity, Country, Division, Theme, Visibility
from activities.reference_names import country_display_name

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
    year = IntegerFilter(label=_("Year"), method="filter_year", min_value=1900, max_value=2100)
    activity = IntegerFilter(label=_("Linked activity"), method="filter_activity", min_value=1)
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
        found = queryset.search(value or "").with_rank_bounds(value or "")
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
        # An activity the caller may not read lists nothing, as an unknown id does: the assets
        # linked to it would tell that it exists.
        user = getattr(self.request, "user", None)
        if user is None:
            return queryset.none()
        activity = Activity.objects.visible_to(user).filter(pk=int(value))
        links = KnowledgeAsset.activities.through.objects.filter(activity__in=activity)
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


# One statement answers the page, the total and every facet, finding the matches once.
# `matches` (materialized by PostgreSQL because it is used more than once) holds each match's
# facet columns and, for a search in order of relevance, the floor and ceiling of its rank (see
# KnowledgeAssetQuerySet.with_rank_bounds); `candidates` are the matches that can be on the page:
# those whose ceiling reaches the floor of the page's last place (every match when there is no
# such bound). Only candidates are ranked exactly, reading their full vectors: a word found in
# most of the library no longer means reading most of the library's vectors.
# The facets are counted by id before their labels are joined, so that the grouping reads
# narrow rows.
FACETS_SQL = """
WITH matches AS ({matches}){candidates}
SELECT 'type', m.asset_type, '', COUNT(*), 0 FROM matches m GROUP BY m.asset_type
UNION ALL
SELECT 'language', m.language, '', COUNT(*), 0 FROM matches m GROUP BY m.language
UNION ALL
SELECT 'year', CAST(m.year AS TEXT), '', COUNT(*), 0 FROM matches m GROUP BY m.year
UNION ALL
SELECT 'division', d.code, d.name, n.count, 0
FROM (SELECT m.division_id, COUNT(*) AS count FROM matches m GROUP BY m.division_id) n
JOIN {division} d ON d.id = n.division_id
UNION ALL
SELECT 'country', c.iso2, c.name, n.count, 0
FROM (
    SELECT l.country_id, COUNT(*) AS count
    FROM matches m JOIN {countries} l ON l.knowledgeasset_id = m.id GROUP BY l.country_id
) n
JOIN {country} c ON c.id = n.country_id
UNION ALL
SELECT 'theme', t.code, t.name, n.count, t.position
FROM (
    SELECT l.theme_id, COUNT(*) AS count
    FROM matches m JOIN {themes} l ON l.knowledgeasset_id = m.id GROUP BY l.theme_id
) n
JOIN {theme} t ON t.id = n.theme_id
UNION ALL
SELECT 'total', '', '', COUNT(*), 0 FROM matches
UNION ALL
SELECT 'page', CAST(p.id AS TEXT), '', 0, p.position FROM ({page}) p
"""
# The floor of the page's last place is the k-th highest floor, k = offset + page size (there is
# none when fewer assets match: then every match is a candidate).
CANDIDATES_SQL = """,
candidates AS (
    SELECT id FROM matches WHERE rank_ceiling >= COALESCE(
        (SELECT rank_floor FROM matches ORDER BY rank_floor DESC LIMIT 1 OFFSET %s), -1.0
    )
)"""


def _order_names(queryset: QuerySet[KnowledgeAsset]) -> list[str]:
    """The queryset's ordering (field or annotation names, as KnowledgeFilter sets them)."""
    return [str(name) for name in queryset.query.order_by or KnowledgeAsset._meta.ordering or []]


def _order_expressions(names: list[str]) -> list[Any]:
    """An ordering as expressions a window function can sort by."""
    return [F(name[1:]).desc() if name.startswith("-") else F(name).asc() for name in names]


def _ranks_by_bounds(queryset: QuerySet[KnowledgeAsset]) -> bool:
    """Whether the order is by relevance and the rank's bounds are there to prune by."""
    names = _order_names(queryset)
    annotations = queryset.query.annotations
    return (
        bool(names) and names[0] == "-rank" and {"rank_floor", "rank_ceiling"} <= set(annotations)
    )


def _page_query(
    queryset: QuerySet[KnowledgeAsset], offset: int, per_page: int, *, bounded: bool
) -> Any:
    """The ids of the page and their places in the queryset's order.

    In order of relevance with bounds, from the candidates only: the table again rather than
    the queryset's filters (the candidates passed them already), with the exact rank. In any
    other order, from the queryset itself: an index in that order (published_on, title) finds
    the page without sorting every match."""
    names = _order_names(queryset)
    rows = queryset
    if bounded:
        rows = KnowledgeAsset.objects.filter(pk__in=RawSQL("SELECT id FROM candidates", ()))
        rows = rows.annotate(rank=queryset.query.annotations["rank"])
    return (
        rows.annotate(position=Window(RowNumber(), order_by=_order_expressions(names)))
        .order_by(*names)
        .values("id", "position")[offset : offset + per_page]
    )


def _facets_sql(
    queryset: QuerySet[KnowledgeAsset], offset: int, per_page: int
) -> tuple[str, tuple[Any, ...]]:
    bounded = _ranks_by_bounds(queryset)
    columns = ["id", "asset_type", "language", "year", "division_id"]
    if bounded:
        columns += ["rank_floor", "rank_ceiling"]
    found = queryset.annotate(year=ExtractYear("published_on")).order_by().values(*columns)
    matches, match_params = found.query.sql_with_params()
    page_query = _page_query(queryset, offset, per_page, bounded=bounded)
    page, page_params = page_query.query.sql_with_params()
    quote = connections[queryset.db].ops.quote_name
    sql = FACETS_SQL.format(
        matches=matches,
        candidates=CANDIDATES_SQL if bounded else "",
        page=page,
        division=quote(Division._meta.db_table),
        country=quote(Country._meta.db_table),
        theme=quote(Theme._meta.db_table),
        countries=quote(KnowledgeAsset.countries.through._meta.db_table),
        themes=quote(KnowledgeAsset.themes.through._meta.db_table),
    )
    cut = (offset + per_page - 1,) if bounded else ()
    return sql, (*match_params, *cut, *page_params)


def collect(queryset: QuerySet[KnowledgeAsset], *, page: int, per_page: int) -> Matches:
    """The requested page of `queryset` (in its order), the total and the facets, in one query
    (two when the page asked for is past the last one)."""
    number = max(page, 1)
    rows = _run(queryset, number, per_page)
    total = next(row[3] for row in rows if row[0] == "total")
    last = max(1, -(-total // per_page))
    if number > last:
        number = last
        rows = _run(queryset, number, per_page)
    types = {k: str(v) for k, v in AssetType.choices}
    languages = {k: str(v) for k, v in Language.choices}
    grouped: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)

    def values(
        kind: str,
        labels: dict[str, str] | None = None,
        named: Callable[[str, str], str] | None = None,
    ) -> list[FacetValue]:
        """Facet values; a label from `labels` (choices), else the row's (stored in English:
        `named` says it in the reader's language), else the value."""
        return [
            FacetValue(
                kind,
                value,
                (labels or {}).get(value)
                or (named(value, label) if named and label else label)
                or value,
                n,
            )
            for _kind, value, label, n, _extra in grouped.get(kind, [])
        ]

    def translated(_value: str, name: str) -> str:
        return gettext(name)

    by_count = lambda value: (-value.count, value.label)  # noqa: E731
    facet_values = {
        "type": sorted(values("type", types), key=by_count),
        "country": sorted(values("country", named=country_display_name), key=by_count)[
            :COUNTRY_FACET_SIZE
        ],
        "division": sorted(values("division", named=translated), key=lambda value: value.value),
        "theme": [
            value
            for _position, value in sorted(
                zip(
                    (row[4] for row in grouped.get("theme", [])),
                    values("theme", named=translated),
                    strict=True,
                ),
                key=lambda pair: pair[0],
            )
        ],
        "language": sorted(values("language", languages), key=by_count),
        "year": sorted(values("year"), key=lambda value: value.value, reverse=True),
    }
    page_ids = [int(row[1]) for row in sorted(grouped.get("page", []), key=lambda row: row[4])]
    return Matches(total=total, page_number=number, page_ids=page_ids, facets=facet_values)


def _run(queryset: QuerySet[KnowledgeAsset], number: int, per_page: int) -> list[tuple[Any, ...]]:
    sql, params = _facets_sql(queryset, (number - 1) * per_page, per_page)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or "rank" not in queryset.query.annotations:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    # A text search finds its matches in the GIN indexes, which never read a vector (each is
    # large, stored apart). For a word in most assets PostgreSQL would rather scan the table,
    # reading and testing every vector: several times slower. The setting holds for this
    # statement only: rolling back its transaction (or savepoint) undoes it, and nothing else.
    with transaction.atomic(using=queryset.db), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, params)
        rows = list(cursor.fetchall())
        transaction.set_rollback(True, using=queryset.db)
    return rows


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
