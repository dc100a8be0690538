"""Learning routes (PROCASUR): the host cases visited, the participants, and the action plans
they drew up."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_multi_line_text, validate_portal_date, validate_single_line_text
from activities.models import Activity, Country, Division, Partner, Theme, Visibility

from .. import access
from .assets import KnowledgeAsset

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User


class RouteQuerySet(models.QuerySet["LearningRoute"]):
    def visible_to(self, user: User | Any) -> RouteQuerySet:
        return access.readable(self, user)

    def editable_by(self, user: User | Any) -> RouteQuerySet:
        return access.changeable(self, user, access.route_patch)


class LearningRoute(models.Model):
    """A learning route (PROCASUR): participants travel to host cases, meet the people who built
    them, and each participating project leaves with an action or innovation plan."""

    title = models.CharField(_("title"), max_length=300, validators=[validate_single_line_text])
    summary = models.TextField(
        _("summary"), blank=True, max_length=10000, validators=[validate_multi_line_text]
    )
    activity = models.OneToOneField(
        Activity,
        verbose_name=_("activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="learning_route",
        help_text=_("The portfolio activity this route is, when it is recorded as one."),
    )
    organizer = models.ForeignKey(
        Partner,
        verbose_name=_("organizer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Who designed and ran the route (for example PROCASUR)."),
    )
    division = models.ForeignKey(
        Division, verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("start date"), validators=[validate_portal_date])
    end_date = models.DateField(_("end date"), validators=[validate_portal_date])
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="+")
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
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

    objects = RouteQuerySet.as_manager()

    history = HistoricalRecords(m2m_fields=[themes], excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("learning route")
        verbose_name_plural = _("learning routes")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("knowledge:route_detail", args=[self.pk])

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class HostCase(models.Model):
    """A place the route visits: the host organization's experience worth learning from."""

    route = models.ForeignKey(LearningRoute, on_delete=models.CASCADE, related_name="host_cases")
    title = models.CharField(_("case"), max_length=300, validators=[validate_single_line_text])
    host = models.ForeignKey(
        Partner, verbose_name=_("host organization"), on_delete=models.PROTECT, related_name="+"
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("host case")
        verbose_name_plural = _("host cases")

    def __str__(self) -> str:
        return self.title


class RouteParticipant(models.Model):
    """One participating organization (usually a project) from one country."""

    route = models.ForeignKey(LearningRoute, on_delete=models.CASCADE, related_name="participants")
    organization = models.ForeignKey(
        Partner, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    people = models.PositiveSmallIntegerField(_("people"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("route participant")
        verbose_name_plural = _("route participants")
        constraints = [
            models.UniqueConstraint(fields=["route", "organization"], name="route_participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.country})"


class PlanStatus(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    ADOPTED = "adopted", _("Adopted")
    FUNDED = "funded", _("Funded")
    IMPLEMENTED = "implemented", _("Implemented")


# Statuses that claim something happened outside the route: they need evidence.
PLAN_STATUSES_WITH_EVIDENCE = (PlanStatus.FUNDED, PlanStatus.IMPLEMENTED)


class ActionPlan(models.Model):
    """The action or innovation plan a participating project drew up, followed up over time."""

    route = models.ForeignKey(LearningRoute, on_delete=models.CASCADE, related_name="plans")
    participant = models.ForeignKey(
        RouteParticipant,
        verbose_name=_("participating project"),
        on_delete=models.CASCADE,
        related_name="plans",
    )
    title = models.CharField(_("title"), max_length=300, validators=[validate_single_line_text])
    summary = models.TextField(
        _("what the plan says"), blank=True, max_length=5000, validators=[validate_multi_line_text]
    )
    status = models.CharField(
        _("follow-up status"),
        max_length=12,
        choices=PlanStatus.choices,
        default=PlanStatus.DRAFTED,
    )
    status_date = models.DateField(
        _("status reached on"),
        null=True,
        blank=True,
        help_text=_("When it got to this status."),
        validators=[validate_portal_date],
    )
    evidence = models.TextField(
        _("evidence"),
        blank=True,
        max_length=5000,
        help_text=_("What shows the status: a decision, a budget line, a field report."),
        validators=[validate_multi_line_text],
    )
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_asset = models.ForeignKey(
        KnowledgeAsset,
        verbose_name=_("evidence in the knowledge library"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["pk"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return self.title

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence.strip() or self.evidence_url or self.evidence_asset_id)

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.status in PLAN_STATUSES_WITH_EVIDENCE and not self.has_evidence:
            errors["evidence"] = _(
                "A plan marked %(status)s needs evidence: a note, a link or a document."
            ) % {"status": PlanStatus(self.status).label.lower()}
        if self.participant_id and self.route_id and self.participant.route_id != self.route_id:
            errors["participant"] = _("Choose a project that took part in this route.")
        if errors:
            raise ValidationError(errors)
