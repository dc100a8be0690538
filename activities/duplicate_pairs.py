"""Pairs of activities the portal found alike (activities.duplicates) and what people decided.

A pair is recorded when an activity is created next to likely duplicates: the CPM's "this is a
different activity" (form or API) records it decided, an import records it open for the focal
point's duplicates report. A decided pair is never suggested again. Kept apart from models.py,
which re-exports it, so that the activity models stay one screenful per topic.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PairState(models.TextChoices):
    OPEN = "open", _("To check")
    DIFFERENT = "different", _("Different activities")
    MERGED = "merged", _("Merged")


class FoundVia(models.TextChoices):
    FORM = "form", _("Activity form")
    API = "api", _("API")
    IMPORT = "import", _("Import")


class DuplicatePair(models.Model):
    """Two activities alike enough to ask a person; `first` is always the older (lower id)."""

    first = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="+", verbose_name=_("first")
    )
    second = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="+", verbose_name=_("second")
    )
    # The likeness when found, in percent (activities.duplicates.Match.percent): what the
    # report sorts by, without scoring every pair again.
    score = models.PositiveSmallIntegerField(_("likeness (%)"))
    state = models.CharField(
        _("state"), max_length=10, choices=PairState.choices, default=PairState.OPEN
    )
    found_via = models.CharField(_("found through"), max_length=10, choices=FoundVia.choices)
    found_at = models.DateTimeField(_("found"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="duplicate_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["state", "-score"], name="duplicate_pair_state_idx")]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score} %)"


class MergedVia(models.TextChoices):
    FORM = "form", _("Duplicates report")
    API = "api", _("API")


class ActivityMerge(models.Model):
    """The tombstone of an activity merged into another (services.merges.merge_activities).

    The merged activity is kept, with its own history, but hidden from every list, sum and
    export (activities.access.without_merged); its page and the API point to `kept`. Kept beside
    the pairs, whose last decision it is, as models.py is at its size limit.
    """

    removed = models.OneToOneField(
        "activities.Activity",
        on_delete=models.PROTECT,
        related_name="merged_into",
        verbose_name=_("merged activity"),
    )
    kept = models.ForeignKey(
        "activities.Activity",
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name=_("kept activity"),
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_at = models.DateTimeField(_("merged"), auto_now_add=True)
    via = models.CharField(_("through"), max_length=10, choices=MergedVia.choices)
    # What moved, counted when it moved: the kept activity's history says it in words.
    moved = models.JSONField(_("what moved"), default=dict, blank=True)

    class Meta:
        verbose_name = _("activity merge")
        verbose_name_plural = _("activity merges")
        constraints = [
            models.CheckConstraint(
                condition=~Q(removed=F("kept")), name="activity_merge_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.removed_id} -> {self.kept_id}"
