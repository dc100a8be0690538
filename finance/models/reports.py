"""Reports built by a worker as files for the one who asked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportExport(models.Model):
    """The consolidated dashboard report as a file, built by a worker for the one who asked.

    The filters are kept as given (the roll-up filters' ids) and the report is built with the
    requester's scope, so a CPM's report holds only their divisions' money. The file is served
    through a view that checks who asks, never from MEDIA_URL.
    """

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel workbook (.xlsx)")
        PDF = "pdf", _("PDF document")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    # The report is written in the language of the page it was asked from.
    language = models.CharField(max_length=10, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."))
    file = models.FileField(upload_to="reports/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")

    def __str__(self) -> str:
        return f"{self.format} {self.created_at:%Y-%m-%d %H:%M} {self.state}"

    @property
    def is_running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def filename(self) -> str:
        return f"ssc-dashboard-report-{self.pk}.{self.format}"
