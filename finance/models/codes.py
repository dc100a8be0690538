"""The codes the portal's themes are published under in external classifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CodeScheme(models.TextChoices):
    """The external classifications the portal's themes are published in: one row of
    ThemeCode per theme and scheme, so later reports (TOSSD, SDG targets) add a scheme here
    rather than a model."""

    DAC_PURPOSE = "dac-purpose", _("OECD DAC CRS purpose code (5 digits)")


# The DAC purpose of an activity with no theme, or only themes without a code: rural development,
# IFAD's mandate, is the one sector every SSC activity of the portal falls in.
DAC_PURPOSE_FALLBACK = "43040"


class ThemeCode(models.Model):
    """The code a theme is published under in one external scheme (the focal point keeps these).

    The IATI file reads the DAC purpose codes for its sectors (vocabulary 1).
    """

    theme = models.ForeignKey(
        "activities.Theme",
        verbose_name=_("theme"),
        on_delete=models.CASCADE,
        related_name="external_codes",
    )
    scheme = models.CharField(_("scheme"), max_length=20, choices=CodeScheme.choices)
    code = models.CharField(_("code"), max_length=20)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "theme__position", "theme__name"]
        verbose_name = _("theme code")
        verbose_name_plural = _("theme codes")
        constraints = [
            models.UniqueConstraint(fields=["theme", "scheme"], name="one_code_per_theme_scheme")
        ]

    def __str__(self) -> str:
        return f"{self.theme_id} {self.scheme}: {self.code}"
