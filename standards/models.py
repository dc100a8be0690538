"""Standards exports (the TOSSD extract, the SDG 17.3.1 aggregate) built by a worker as files for
the one who asked. The request is a row: a stopped worker delays an export, never loses it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    TOSSD = "tossd", _("TOSSD extract (activity x recipient x year)")
    SDG_1731 = "sdg1731", _("SDG 17.3.1 aggregate (year x provider x recipient x component)")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook (.xlsx)")
    CSV = "csv", _("CSV")


class StandardsExport(models.Model):
    """One export asked for, with the selection as given and what came of it.

    `slice_country` is set for a counterpart's own slice of the 17.3.1 aggregate (the rows where
    that country is provider); `problems` holds what the checks found, by activity, when they
    refused to write the file.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        REFUSED = "refused", _("Refused by the checks")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standards_exports"
    )
    kind = models.CharField(_("export"), max_length=8, choices=ExportKind.choices)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    selection = models.JSONField(_("selection"), default=dict, blank=True)
    slice_country = models.ForeignKey(
        "activities.Country",
        verbose_name=_("provider country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The file is written in the language of the page it was asked from.
    language = models.CharField(max_length=10, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."))
    file = models.FileField(upload_to="standards/", blank=True)
    rows = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("standards export")
        verbose_name_plural = _("standards exports")

    def __str__(self) -> str:
        return f"{self.kind} {self.format} {self.state}"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def filename(self) -> str:
        return f"ssc-{self.kind}-{self.pk}.{self.format}"
