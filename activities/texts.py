"""An activity's title and summary in more than one of the agency's four languages.

The activity's own `title` and `summary` are written in its `language` (the one its author
wrote them in; English unless said otherwise). Each ActivityText gives them in one other
language. Pages show the reader's language when a version exists in it, else the activity's
own; the IATI file writes one narrative per language. Kept apart from models.py, which
re-exports it, so that the activity models stay one screenful per topic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_multi_line_text, validate_single_line_text

if TYPE_CHECKING:
    from .models import Activity


class ContentLanguage(models.TextChoices):
    """The agency's working languages, in which people may write an activity's texts: a fixed
    set, independent of the languages the portal's pages are offered in (settings.LANGUAGES)."""

    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    ARABIC = "ar", _("Arabic")


def content_language_field() -> models.CharField[Any, Any]:
    return models.CharField(
        _("language of the title and summary"),
        max_length=2,
        choices=ContentLanguage.choices,
        default=ContentLanguage.ENGLISH,
    )


def reader_language() -> str:
    """The content language closest to the page's: "fr" for fr-ca; English when none is."""
    active = (translation.get_language() or "en").split("-")[0]
    return active if active in ContentLanguage.values else ContentLanguage.ENGLISH


class ActivityText(models.Model):
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="texts"
    )
    language = models.CharField(_("language"), max_length=2, choices=ContentLanguage.choices)
    title = models.CharField(_("title"), max_length=300, validators=[validate_single_line_text])
    summary = models.TextField(
        _("summary"), blank=True, max_length=5000, validators=[validate_multi_line_text]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["language"]
        verbose_name = _("title and summary in another language")
        verbose_name_plural = _("titles and summaries in other languages")
        constraints = [
            models.UniqueConstraint(fields=["activity", "language"], name="activity_text_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()}: {self.title}"


def local_title(language: str | None = None) -> Coalesce:
    """The title in `language` (the reader's by default) where a version exists, else the
    activity's own: one subquery in the list's own query, sortable like a column."""
    language = language or reader_language()
    version = ActivityText.objects.filter(activity=OuterRef("pk"), language=language)
    return Coalesce(Subquery(version.values("title")[:1]), "title")


def text_search(text: str) -> QuerySet[ActivityText, Any]:
    """The ids (`activity_id`) of the activities whose title or summary in another language
    contains `text`."""
    return ActivityText.objects.filter(
        Q(title__icontains=text) | Q(summary__icontains=text)
    ).values("activity_id")


def version_in(activity: Activity, language: str | None = None) -> tuple[str, str, str]:
    """(language, title, summary) as the reader reads the activity: in `language` (the
    reader's by default) when given in it, else as written. Uses prefetched `texts` when the
    caller asked for them."""
    language = language or reader_language()
    if language != activity.language:
        for text in activity.texts.all():
            if text.language == language:
                return text.language, text.title, text.summary
    return activity.language, activity.title, activity.summary


class Version(NamedTuple):
    """One language's title and summary, as a page writes it (`direction` for its markup)."""

    language: str
    name: str
    title: str
    summary: str
    own: bool

    @property
    def direction(self) -> str:
        return "rtl" if self.language == ContentLanguage.ARABIC else "ltr"


def versions_for_reader(activity: Activity, language: str | None = None) -> list[Version]:
    """Every version of the activity's title and summary, the reader's first (or the
    activity's own when there is none in the reader's language), then the others in the
    languages' order."""
    language = language or reader_language()
    names = dict(ContentLanguage.choices)
    found = [
        Version(
            activity.language, str(names[activity.language]), activity.title, activity.summary, True
        )
    ]
    found += [
        Version(text.language, str(names[text.language]), text.title, text.summary, False)
        for text in activity.texts.all()
    ]
    order = list(ContentLanguage.values)
    found.sort(key=lambda v: (v.language != language, not v.own, order.index(v.language)))
    return found
