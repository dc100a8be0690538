"""The reference data's models: IFAD divisions, countries, the corporate themes and the SDGs.

Their names are stored in English (the codes and API values never change); `display_name` gives
each in the active language: countries through the ISO 3166 names pycountry ships per language,
divisions and themes through our catalogue (activities.reference_names lists their names for
makemessages). Apart from activities.models, which imports them, to keep it under the size limit.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .reference_names import country_display_name


class Division(models.Model):
    """An IFAD regional division (APR, ESA, LAC, NEN, WCA), or the corporate/global level."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_regional = models.BooleanField(
        _("regional"), default=True, help_text=_("Countries belong to regional divisions only.")
    )

    class Meta:
        ordering = ["-is_regional", "code"]
        verbose_name = _("division")
        verbose_name_plural = _("divisions")

    def __str__(self) -> str:
        return self.code

    @property
    def display_name(self) -> str:
        """The name in the active language."""
        return gettext(self.name)


class IncomeGroup(models.TextChoices):
    LIC = "LIC", _("Low income")
    LMIC = "LMIC", _("Lower-middle income")
    UMIC = "UMIC", _("Upper-middle income")
    HIC = "HIC", _("High income")


class Country(models.Model):
    iso2 = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    aliases = models.JSONField(
        _("aliases"),
        default=list,
        blank=True,
        help_text=_("Other names the country is written as (UN style, common, former names)."),
    )
    match_pattern = models.CharField(
        _("match pattern"),
        max_length=300,
        blank=True,
        help_text=_("Regular expression (from country_converter) that recognizes free-text names."),
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("IFAD division"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="countries",
    )
    income_group = models.CharField(
        _("income group"), max_length=4, choices=IncomeGroup.choices, blank=True
    )
    income_group_year = models.PositiveSmallIntegerField(
        _("income group fiscal year"),
        null=True,
        blank=True,
        help_text=_("World Bank fiscal year the income group applies to."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language, as ISO 3166 gives it (the English name stored)."""
        return country_display_name(self.iso2, self.name)


class Theme(models.Model):
    """One of the ten corporate thematic focus areas (REPL.IX/3/R.3, para 27)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=150, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the active language."""
        return gettext(self.name)


class SDG(models.Model):
    """A UN Sustainable Development Goal (IATI codelist UNSDG-Goals)."""

    number = models.PositiveSmallIntegerField(_("goal"), unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["number"]
        verbose_name = _("SDG")
        verbose_name_plural = _("SDGs")

    def __str__(self) -> str:
        return f"SDG {self.number}: {self.name}"
