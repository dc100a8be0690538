"""Relevance order of the library search on PostgreSQL: the page is the one the exact rank gives,
though only the assets that can reach it are ranked exactly (knowledge.filters.collect, with the
bounds of KnowledgeAssetQuerySet.with_rank_bounds)."""

from __future__ import annotations

import datetime
import importlib
import random
from collections.abc import Iterator

import pytest
from django.db import connection
from pytest_django import DjangoDbBlocker

from knowledge import services
from knowledge.filters import KnowledgeFilter, collect
from knowledge.models import KnowledgeAsset
from tests.helpers import shared_transaction
from tests.knowledge.factories import make_asset

pytestmark = pytest.mark.django_db

QUERIES = [
    "cassava",
    "cassava farmers",
    '"value chains"',
    "cassava or rice",
    "value -rice",
    "cassava cassavas",
    "processing",
]
# Words that none of the queries look for.
FILLER = [
    "the", "project", "trained", "groups", "of", "producers", "to", "keep", "records", "and",
    "sell", "together", "in", "district", "markets", "while", "extension", "workers", "visited",
    "plots", "every", "month",
]  # fmt: skip


def _text(rng: random.Random, words: int, extra: list[str]) -> str:
    """`words` filler words with the `extra` words put at random places."""
    text = [rng.choice(FILLER) for _ in range(words)]
    for word in extra:
        text.insert(rng.randrange(len(text) + 1), word)
    return " ".join(text)


def _library(count: int = 48) -> list[KnowledgeAsset]:
    """Assets with the searched words in their titles, abstracts, bodies and attached texts, a
    few times or not at all, in texts of very different lengths, some of them twins (the same
    rank: the date and then the id order them)."""
    rng = random.Random(7)
    vocabulary = ["cassava", "farmers", "value chains", "rice", "processing"]
    assets = []
    for i in range(count):
        picks = lambda: [rng.choice(vocabulary) for _ in range(rng.randint(0, 3))]  # noqa: E731
        title = " ".join(["Note", *picks()[:1]])
        abstract = _text(rng, rng.randint(5, 40), picks())
        body = _text(rng, rng.randint(20, 400), picks() * rng.randint(1, 4))
        date = datetime.date(2024, 1, 1) + datetime.timedelta(days=rng.randrange(3))
        for _twin in range(2 if i % 8 == 0 else 1):
            asset = make_asset(title=title, abstract=abstract, body=body, published_on=date)
            if i % 3 == 0:
                # The text of an attached file (weight D), as save_asset copies it.
                file_text = _text(rng, rng.randint(50, 800), picks() * rng.randint(1, 5))
                KnowledgeAsset.objects.filter(pk=asset.pk).update(file_text=file_text)
                services.reindex_assets(KnowledgeAsset.objects.filter(pk=asset.pk))
            assets.append(asset)
    return assets


def _exact_order(query: str) -> list[int]:
    found = KnowledgeAsset.objects.search(query).order_by("-rank", "-published_on", "-pk")
    return list(found.values_list("pk", flat=True))


def _filtered(query: str) -> KnowledgeFilter:
    return KnowledgeFilter({"q": query}, queryset=KnowledgeAsset.objects.all())


Library = list[KnowledgeAsset]


@pytest.fixture(scope="class")
def shared_library(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[Library]:
    """The library, made once for the class's cases (tests.helpers.shared_transaction): making
    and indexing it cost more than the searches that read it."""
    with shared_transaction(django_db_blocker):
        yield _library()


@pytest.fixture
def library(shared_library: Library, db: None) -> Library:
    return shared_library


class TestOnOneLibrary:
    """The cases of one library (shared_library), each in a savepoint of it: those that change
    it (the head vectors or lengths taken away) are undone before the next."""

    def test_every_rank_lies_between_its_floor_and_its_ceiling(self, library: Library) -> None:
        for query in QUERIES:
            rows = (
                KnowledgeAsset.objects.search(query)
                .with_rank_bounds(query)
                .values_list("rank", "rank_floor", "rank_ceiling")
            )
            assert rows, query
            for rank, floor, ceiling in rows:
                assert floor <= rank <= ceiling, (query, floor, rank, ceiling)

    @pytest.mark.parametrize("per_page", [3, 7])
    def test_pages_in_order_of_relevance_are_those_of_the_exact_rank(
        self, library: Library, per_page: int
    ) -> None:
        for query in QUERIES:
            expected = _exact_order(query)
            qs = _filtered(query).qs
            pages = -(-len(expected) // per_page)
            for number in range(1, pages + 1):
                matches = collect(qs, page=number, per_page=per_page)
                start = (number - 1) * per_page
                assert matches.page_ids == expected[start : start + per_page], (query, number)
                assert matches.total == len(expected)

    def test_most_matches_are_not_ranked_exactly_for_the_first_page(self, library: Library) -> None:
        # What the bounds are for: with the word in some titles, the assets that have it only in
        # their bodies cannot reach the first page, and their large vectors are not read.
        rows = list(
            KnowledgeAsset.objects.search("cassava")
            .with_rank_bounds("cassava")
            .values_list("rank_floor", "rank_ceiling")
        )
        floors = sorted((floor for floor, _ceiling in rows), reverse=True)
        candidates = [ceiling for _floor, ceiling in rows if ceiling >= floors[4]]
        assert len(candidates) < len(rows) / 2

    def test_assets_indexed_without_head_are_ranked_exactly(self, library: Library) -> None:
        # Assets whose head vector or length are missing (written before migration 0004 and not
        # filled, say) have no floor and an unbounded ceiling: always ranked exactly.
        assets = library
        KnowledgeAsset.objects.filter(pk__in=[a.pk for a in assets[::2]]).update(search_head=None)
        KnowledgeAsset.objects.filter(pk__in=[a.pk for a in assets[1::4]]).update(
            search_length=None
        )
        for query in QUERIES:
            expected = _exact_order(query)
            assert collect(_filtered(query).qs, page=1, per_page=4).page_ids == expected[:4]

    def test_the_migration_fills_head_and_length_as_the_service_does(
        self, library: Library
    ) -> None:
        assets = library
        indexed = (
            dict(KnowledgeAsset.objects.values_list("pk", "search_length").order_by("pk")),
            list(KnowledgeAsset.objects.values_list("pk", "search_head").order_by("pk")),
        )
        KnowledgeAsset.objects.update(search_head=None, search_length=None)
        migration = importlib.import_module("knowledge.migrations.0004_search_head_and_length")
        with connection.schema_editor() as editor:
            migration.fill(None, editor)
        assert len(assets) == KnowledgeAsset.objects.count()
        assert (
            dict(KnowledgeAsset.objects.values_list("pk", "search_length").order_by("pk")),
            list(KnowledgeAsset.objects.values_list("pk", "search_head").order_by("pk")),
        ) == indexed
        assert all(length and length > 0 for length in indexed[0].values())


def test_the_search_leaves_sequential_scans_allowed_after_it() -> None:
    make_asset(title="Cassava processing")
    collect(_filtered("cassava").qs, page=1, per_page=20)
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone() == ("on",)
