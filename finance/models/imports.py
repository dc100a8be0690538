"""Imports of the legacy workbook: the committed runs and the uploads on their way in."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    """One committed import of the legacy workbook: who, when, which file, what it did."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    activities_created = models.PositiveIntegerField(default=0)
    activities_updated = models.PositiveIntegerField(default=0)
    activities_unchanged = models.PositiveIntegerField(default=0)
    # Left as they were: the portal changed them after the file was made.
    activities_skipped = models.PositiveIntegerField(_("skipped as conflicts"), default=0)
    entries_recorded = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["sha256"], name="finance_importrun_sha256")]
        verbose_name = _("workbook import")
        verbose_name_plural = _("workbook imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"


class PendingImport(models.Model):
    """An uploaded workbook on its way in: checked first (preview), then committed on request.

    The file is kept in private storage until it is committed or refused; the check and the
    commit run as Celery tasks so that a large file neither blocks a web worker nor times out.
    """

    class State(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Ready to import")
        REFUSED = "refused", _("Refused")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    file = models.FileField(upload_to="imports/", blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.CHECKING)
    summary = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL)
    # SSC IDs of the activities in conflict the focal point chose to overwrite with the file.
    overwrite = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.IMPORTING)

    def earlier_import(self) -> ImportRun | None:
        """The latest committed import of the same file (same checksum), other than this one's."""
        runs = ImportRun.objects.filter(sha256=self.sha256)
        if self.run_id is not None:
            runs = runs.exclude(pk=self.run_id)
        return runs.select_related("user").order_by("-created_at", "-pk").first()

    def reviews(self) -> list[dict[str, Any]]:
        """The check's list of what changes per activity, conflicts' moments as datetimes."""
        reviews = self.summary.get("activities", [])
        for review in reviews:
            for conflict in review["conflicts"]:
                if isinstance(conflict["at"], str):
                    conflict["at"] = datetime.datetime.fromisoformat(conflict["at"])
        return reviews

    def made_at(self) -> datetime.datetime | None:
        made_at = self.summary.get("made_at")
        return datetime.datetime.fromisoformat(made_at) if made_at else None

    def conflict_ids(self) -> set[str]:
        """SSC IDs the check found in conflict: the only ones the focal point may overwrite."""
        return {
            review["ssc_id"]
            for review in self.summary.get("activities", [])
            if review["action"] in ("conflict", "overwritten")
        }
