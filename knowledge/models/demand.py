"""The demand for learning, recorded by country, and what institutions (or past activities)
offer to meet it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.text import (
    validate_multi_line_text,
    validate_portal_date,
    validate_single_line_text,
)
from activities.models import Activity, ActivityType, Country, Partner, Theme

from .. import access
from .assets import Language

if TYPE_CHECKING:
    from accounts.models import User


class DemandQuerySet(models.QuerySet["LearningDemand"]):
    def visible_to(self, user: User | Any) -> DemandQuerySet:
        """Planning records of the agency: staff only (knowledge.access)."""
        return access.readable(self, user, agency_only=True)

    def editable_by(self, user: User | Any) -> DemandQuerySet:
        return access.changeable(self, user, access.country_record_patch)


class DemandStatus(models.TextChoices):
    # In context: a demand (feminine in French and Spanish) is open or closed, unlike an
    # activity, and "Open" is also a link's verb.
    OPEN = "open", pgettext_lazy("learning demand status", "Open")
    MATCHED = "matched", _("Matched")
    CLOSED = "closed", pgettext_lazy("learning demand status", "Closed")


class LearningDemand(models.Model):
    """A country programme wants to learn something, for some people, by some date."""

    country = models.ForeignKey(
        Country,
        verbose_name=_("country programme"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(
        _("what they want to learn"),
        max_length=300,
        help_text=_("For example: 'Community-run crab fattening and its market'."),
        validators=[validate_single_line_text],
    )
    description = models.TextField(
        _("details"), blank=True, max_length=5000, validators=[validate_multi_line_text]
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="+")
    audience = models.CharField(
        _("for whom"),
        max_length=300,
        help_text=_("Who would travel or learn: project staff, farmer leaders, ministry..."),
        validators=[validate_single_line_text],
    )
    needed_by = models.DateField(
        _("needed by"), null=True, blank=True, validators=[validate_portal_date]
    )
    language = models.CharField(
        _("working language"), max_length=5, choices=Language.choices, default=Language.ENGLISH
    )
    preferred_type = models.CharField(
        _("preferred format"), max_length=30, choices=ActivityType.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DemandStatus.choices, default=DemandStatus.OPEN
    )
    accepted_offer = models.ForeignKey(
        "LearningOffer",
        verbose_name=_("accepted offer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The explanation as it was when the match was accepted (offers and assets change later).
    match_score = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    match_reasons = models.JSONField(default=list, blank=True, editable=False)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("resulting activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DemandQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[themes], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("learning demand")
        verbose_name_plural = _("learning demands")

    def __str__(self) -> str:
        return f"{self.country}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("knowledge:demand_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == DemandStatus.OPEN


class OfferQuerySet(models.QuerySet["LearningOffer"]):
    def visible_to(self, user: User | Any) -> OfferQuerySet:
        """Planning records of the agency: staff only (knowledge.access)."""
        return access.readable(self, user, agency_only=True)

    def editable_by(self, user: User | Any) -> OfferQuerySet:
        return access.changeable(self, user, access.country_record_patch)


class LearningOffer(models.Model):
    """An institution, or a past activity through its host, that can share an experience."""

    institution = models.ForeignKey(
        Partner,
        verbose_name=_("offering institution"),
        on_delete=models.PROTECT,
        related_name="learning_offers",
    )
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("past activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_offers",
        help_text=_("The activity whose experience is offered, if any."),
    )
    country = models.ForeignKey(
        Country, verbose_name=_("offering country"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(
        _("what they can share"), max_length=300, validators=[validate_single_line_text]
    )
    description = models.TextField(
        _("details"), blank=True, max_length=5000, validators=[validate_multi_line_text]
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="+")
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("Languages the hosts can work in.")
    )
    is_active = models.BooleanField(
        _("still offered"), default=True, help_text=_("Withdrawn offers are not proposed.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfferQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[themes], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("learning offer")
        verbose_name_plural = _("learning offers")

    def __str__(self) -> str:
        return f"{self.institution}: {self.title}"

    @property
    def language_labels(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]
