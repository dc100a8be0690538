"""A knowledge asset's title and abstract in the agency's other languages.

The asset's own `title` and `abstract` are written in its `language`. Each AssetText gives them
in one other of the agency's content languages (activities.texts.ContentLanguage). Pages show
the reader's version when there is one, else the asset's own; the search finds an asset by any
of its versions, each parsed in its own language (its own vector, indexed per language by
migration 0007 as the assets' are by 0003).
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import BooleanField, F, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_multi_line_text, validate_single_line_text
from activities.texts import ContentLanguage, reader_language


class AssetText(models.Model):
    asset = models.ForeignKey(
        "knowledge.KnowledgeAsset", on_delete=models.CASCADE, related_name="texts"
    )
    language = models.CharField(_("language"), max_length=2, choices=ContentLanguage.choices)
    title = models.CharField(_("title"), max_length=300, validators=[validate_single_line_text])
    abstract = models.TextField(
        _("abstract"), blank=True, max_length=5000, validators=[validate_multi_line_text]
    )
    # Title (weight A) and abstract (B) in the version's language: small, so a version's rank
    # is read exactly, never bounded (knowledge.services.reindex_texts keeps it).
    search_vector = SearchVectorField(null=True, editable=False)

    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        ordering = ["language"]
        verbose_name = _("title and abstract in another language")
        verbose_name_plural = _("titles and abstracts in other languages")
        constraints = [
            models.UniqueConstraint(fields=["asset", "language"], name="asset_text_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()}: {self.title}"


class PkInArray(Func):
    """`pk = ANY(array)`, the array an ARRAY(subquery) that runs once per statement (it refers
    to no outer row): a test a primary-key index answers, so it joins the GIN indexes' bitmap OR
    of an asset's own match instead of turning the search into a scan."""

    output_field = BooleanField()
    # Func joins its two compiled arguments with arg_joiner: "(pk = ANY(ARRAY(...)))".
    arg_joiner = " = ANY("
    template = "(%(expressions)s))"


class ArrayPosition(Func):
    """Where a value first is in an array (NULL when it is not there)."""

    function = "array_position"
    output_field = models.IntegerField()


class ArrayItem(Func):
    """(array)[position]: NULL for a NULL position."""

    arg_joiner = ")["
    template = "((%(expressions)s])"
    output_field = models.FloatField()


def version_title(language: str | None = None, asset_field: str = "pk") -> Subquery:
    """The asset's title in `language` (the reader's by default), NULL when it has no version
    in it: one subquery inside the list's own query. A page shows the asset's own title
    instead, marked with its language."""
    language = language or reader_language()
    version = AssetText.objects.filter(asset=OuterRef(asset_field), language=language)
    return Subquery(version.values("title")[:1], output_field=models.CharField())


def local_title(language: str | None = None, asset_field: str = "pk") -> Coalesce:
    """The title as the reader reads it, in plain text (the matching's reasons): the version
    in `language` where there is one, else the asset's own."""
    return Coalesce(version_title(language, asset_field), F(_title_of(asset_field)))


def _title_of(asset_field: str) -> str:
    return "title" if asset_field == "pk" else f"{asset_field.removesuffix('_id')}__title"


def texts_prefetch() -> models.Prefetch[Any]:
    """The versions a list needs to show each asset in the reader's language: one query."""
    return models.Prefetch(
        "texts", queryset=AssetText.objects.only("pk", "asset_id", "language", "title", "abstract")
    )
