"""The codes the portal's themes are published under in external classifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class CodeScheme(models.TextChoices):
    """The external classifications the portal's categories are published in. The themes'
    schemes are kept in ThemeCode, one row per theme and scheme; the others in CategoryCode,
    one row per value of the portal's category the scheme classifies (finance.codebook says
    which category each scheme reads, its defaults and its list of codes)."""

    DAC_PURPOSE = "dac-purpose", _("OECD DAC CRS purpose code (5 digits)")
    SDG_TARGET = "sdg-target", _("SDG target")
    AID_TYPE = "aid-type", _("Type of aid (DAC)")
    FINANCE_TYPE = "finance-type", _("Type of finance (DAC)")
    CHANNEL = "channel", _("Channel of delivery (CRS)")
    COLLABORATION = "collaboration", _("Collaboration type")


THEME_SCHEMES = (CodeScheme.DAC_PURPOSE, CodeScheme.SDG_TARGET)


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


class CategoryCode(models.Model):
    """The code one value of a portal category (an activity type, a kind of contribution, a
    type of organization, a modality) is published under in one external scheme. Defaults
    ship with the portal (finance.codebook.DEFAULTS); the focal point changes them."""

    scheme = models.CharField(_("scheme"), max_length=20, choices=CodeScheme.choices)
    value = models.CharField(_("category"), max_length=30)
    code = models.CharField(_("code"), max_length=10)
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
        ordering = ["scheme", "value"]
        verbose_name = _("category code")
        verbose_name_plural = _("category codes")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="one_code_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.value}: {self.code}"
