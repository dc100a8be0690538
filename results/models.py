"""What an SSC activity set out to change and what it achieved (IFAD's SSC lessons 12 to 17).

The framework follows IATI and Akvo RSR: an activity has results (output, outcome, impact) for
one side of the exchange or all of them; a result has indicators (quantitative with a unit, a
measure and a direction, or qualitative) with a baseline; an indicator has reporting periods
with targets; a period receives updates that go through draft -> submitted -> approved (or
returned for revision). Where RSR breaks, this module does not:

- an indicator may adopt a corporate core indicator, whose unit and aggregation rule it then
  takes, so that values roll up across the portfolio (`CoreIndicator`);
- a qualitative indicator has a narrative and an "achieved" flag, which rolls up as a count;
- a period takes several updates, cumulative or not as its indicator says;
- values are Decimal, never text; disaggregated values never exceed their total.

Alongside the framework: the benefits each side expects, the scaling-up pathway, links to
related activities (follow-up, reciprocity, scaling up, programme) and the 3-, 6- and 12-month
follow-ups of learning-route action plans. Every model keeps its history.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_multi_line_text, validate_portal_date, validate_single_line_text
from activities.models import Activity, Division, Partner
from finance.models.rates import validate_currency
from knowledge.models import ActionPlan, KnowledgeAsset

from . import access

if TYPE_CHECKING:
    from accounts.models import User

VALUE_DIGITS, VALUE_PLACES = 20, 4  # indicator values: 16 digits before the point, 4 after


def _value_field(verbose_name: Any, **options: Any) -> models.DecimalField[Any, Any]:
    return models.DecimalField(
        verbose_name, max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, **options
    )


def _text(verbose_name: Any, max_length: int = 5000, **options: Any) -> models.TextField[Any, Any]:
    return models.TextField(
        verbose_name,
        blank=True,
        max_length=max_length,
        validators=[validate_multi_line_text],
        **options,
    )


def _title(verbose_name: Any = None, max_length: int = 300) -> models.CharField[Any, Any]:
    return models.CharField(
        verbose_name or _("title"), max_length=max_length, validators=[validate_single_line_text]
    )


def _person(related_name: str = "+", verbose_name: Any = None) -> models.ForeignKey[Any, Any]:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
        editable=False,
    )


# --- reference data the focal point keeps ------------------------------------------------------


class Dimension(models.Model):
    """A way to disaggregate values (sex, age group, organization type), with its values."""

    name = _title(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("disaggregation dimension")
        verbose_name_plural = _("disaggregation dimensions")
        constraints = [models.UniqueConstraint(fields=["name"], name="dimension_name_once")]

    def __str__(self) -> str:
        return self.name


class DimensionValue(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="values")
    value = _title(_("value"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["dimension", "position", "value"]
        verbose_name = _("dimension value")
        verbose_name_plural = _("dimension values")
        constraints = [
            models.UniqueConstraint(fields=["dimension", "value"], name="dimension_value_once")
        ]

    def __str__(self) -> str:
        return f"{self.dimension.name}: {self.value}"


class IndicatorKind(models.TextChoices):
    QUANTITATIVE = "quantitative", _("Quantitative")
    QUALITATIVE = "qualitative", _("Qualitative")


class Measure(models.TextChoices):
    """IATI IndicatorMeasure codes for the measures the portal records."""

    UNIT = "1", _("Unit")
    PERCENTAGE = "2", _("Percentage")
    QUALITATIVE = "5", _("Qualitative")


class Aggregation(models.TextChoices):
    """How a core indicator's approved values roll up across activities and periods."""

    SUM = "sum", _("Sum of the values")
    LATEST = "latest", _("Latest value of each activity, summed")
    ACHIEVED = "achieved", _("Count of indicators marked achieved")


class CoreSource(models.TextChoices):
    """Where a core indicator's values come from."""

    UPDATES = "updates", _("Approved indicator updates")
    PLAN_FOLLOW_UPS = "plan_follow_ups", _("Learning-route action plan follow-ups")


class CoreIndicator(models.Model):
    """A corporate indicator (people trained, policies influenced ...) that rolls up across the
    portfolio: the activities that adopt it report in its unit, under its rule."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = _title()
    description = _text(_("definition"))
    kind = models.CharField(_("kind"), max_length=12, choices=IndicatorKind.choices)
    unit = models.CharField(
        _("unit"), max_length=60, blank=True, validators=[validate_single_line_text]
    )
    measure = models.CharField(_("measure"), max_length=1, choices=Measure.choices)
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices)
    source = models.CharField(
        _("values come from"), max_length=16, choices=CoreSource.choices, default=CoreSource.UPDATES
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "title"]
        verbose_name = _("core indicator")
        verbose_name_plural = _("core indicators")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=IndicatorKind.QUALITATIVE, measure="5", aggregation="achieved")
                    | (
                        models.Q(kind=IndicatorKind.QUANTITATIVE)
                        & ~models.Q(measure="5")
                        & ~models.Q(aggregation="achieved")
                    )
                ),
                name="core_indicator_rule_fits_kind",
            )
        ]

    def __str__(self) -> str:
        return self.title


# --- an activity's framework ---------------------------------------------------------------------


class ResultType(models.TextChoices):
    """IATI ResultType codes."""

    OUTPUT = "1", _("Output")
    OUTCOME = "2", _("Outcome")
    IMPACT = "3", _("Impact")


class Side(models.TextChoices):
    """Whose change a result or a benefit describes: SSC's win-win-win."""

    PROVIDER = "provider", _("Provider / host")
    RECEIVER = "receiver", _("Receiver / guest")
    BROKER = "broker", _("Broker")
    ALL = "all", _("All sides")


class ResultQuerySet(models.QuerySet["Result"]):
    def visible_to(self, user: User | Any) -> ResultQuerySet:
        return access.readable(self, user, "activity")


class Result(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="results"
    )
    type = models.CharField(_("type"), max_length=1, choices=ResultType.choices)
    side = models.CharField(_("for"), max_length=10, choices=Side.choices, default=Side.ALL)
    title = _title()
    description = _text(_("description"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["activity", "position", "pk"]
        verbose_name = _("result")
        verbose_name_plural = _("results")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("results:activity", args=[self.activity_id]) + f"#result-{self.pk}"


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def visible_to(self, user: User | Any) -> IndicatorQuerySet:
        return access.readable(self, user, "result__activity")


class Indicator(models.Model):
    """What shows a result happened. A core indicator's kind, unit and measure are its own."""

    result = models.ForeignKey(
        Result, verbose_name=_("result"), on_delete=models.CASCADE, related_name="indicators"
    )
    core = models.ForeignKey(
        CoreIndicator,
        verbose_name=_("core indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    title = _title()
    description = _text(_("description"))
    kind = models.CharField(_("kind"), max_length=12, choices=IndicatorKind.choices)
    unit = models.CharField(
        _("unit"), max_length=60, blank=True, validators=[validate_single_line_text]
    )
    measure = models.CharField(_("measure"), max_length=1, choices=Measure.choices)
    ascending = models.BooleanField(
        _("higher is better"),
        default=True,
        help_text=_("Untick when the indicator should go down (costs, days, losses)."),
    )
    cumulative = models.BooleanField(
        _("updates add up"),
        default=True,
        help_text=_(
            "Ticked: a period's value is the sum of its approved updates. Unticked: each update "
            "restates the value, and the latest approved one counts."
        ),
    )
    baseline_value = _value_field(_("baseline value"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), null=True, blank=True, validators=[MinValueValidator(1950)]
    )
    baseline_comment = _text(_("baseline comment"), max_length=2000)
    dimensions = models.ManyToManyField(
        Dimension, verbose_name=_("disaggregated by"), blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = IndicatorQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[dimensions])

    class Meta:
        ordering = ["result", "position", "pk"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.title

    @property
    def is_quantitative(self) -> bool:
        return self.kind == IndicatorKind.QUANTITATIVE


class PeriodQuerySet(models.QuerySet["Period"]):
    def visible_to(self, user: User | Any) -> PeriodQuerySet:
        return access.readable(self, user, "indicator__result__activity")


class Period(models.Model):
    """A reporting period of one indicator, inside the activity's dates, with its target."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="periods"
    )
    start = models.DateField(_("period start"), validators=[validate_portal_date])
    end = models.DateField(_("period end"), validators=[validate_portal_date])
    target_value = _value_field(_("target"), null=True, blank=True)
    target_comment = _text(_("target comment"), max_length=2000)

    objects = PeriodQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "start", "pk"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "start"], name="one_period_per_start"),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} - {self.end:%Y-%m-%d}"

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


class TargetDisaggregation(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="target_parts")
    dimension_value = models.ForeignKey(
        DimensionValue,
        verbose_name=_("dimension value"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = _value_field(_("target"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "dimension_value"]
        constraints = [
            models.UniqueConstraint(fields=["period", "dimension_value"], name="target_part_once")
        ]

    def __str__(self) -> str:
        return f"{self.dimension_value}: {self.value}"


# --- updates and their approval ------------------------------------------------------------------


class UpdateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")


class UpdateQuerySet(models.QuerySet["Update"]):
    def visible_to(self, user: User | Any) -> UpdateQuerySet:
        return access.readable_updates(self, user)

    def approved(self) -> UpdateQuerySet:
        return self.filter(status=UpdateStatus.APPROVED)


class Update(models.Model):
    """One report on a period: a value (quantitative) or a narrative and whether the indicator
    was achieved (qualitative), its disaggregation, evidence and the approval trail.

    An approved update is locked: a correction is a new update that names the one it revises
    and why; approving it retires the revised one (`revises` ... `revised_by`)."""

    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="updates"
    )
    value = _value_field(_("value"), null=True, blank=True)
    narrative = _text(_("narrative"), max_length=10000)
    achieved = models.BooleanField(
        _("achieved"), null=True, blank=True, help_text=_("Qualitative indicators: reached?")
    )
    comment = _text(_("comment"), max_length=5000)
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_asset = models.ForeignKey(
        KnowledgeAsset,
        verbose_name=_("evidence in the knowledge library"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evidence_file = models.FileField(
        _("evidence file"), upload_to="results/evidence/%Y/%m/", max_length=300, blank=True
    )
    evidence_file_name = models.CharField(max_length=255, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=UpdateStatus.choices, default=UpdateStatus.DRAFT
    )
    return_reason = _text(_("reason for returning"), max_length=5000)
    revises = models.OneToOneField(
        "self",
        verbose_name=_("revises"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revised_by",
    )
    revision_reason = _text(_("reason for the revision"), max_length=5000)
    retired = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("An approved update that a later approved revision replaced."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = _person()
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_by = _person()
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = _person()
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UpdateQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["period", "created_at", "pk"]
        verbose_name = _("indicator update")
        verbose_name_plural = _("indicator updates")
        indexes = [
            models.Index(fields=["status", "period"], name="update_status_period"),
            # The updates that count, per period, latest approval first, with what they say:
            # the results dashboard reads every period's actual from this index alone.
            models.Index(
                fields=["period", "-reviewed_at", "-id"],
                include=["value", "achieved"],
                condition=models.Q(status="approved", retired=False),
                name="update_counting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period.indicator} {self.period}: {self.get_status_display()}"

    @property
    def is_locked(self) -> bool:
        return self.status == UpdateStatus.APPROVED

    @property
    def is_editable(self) -> bool:
        return self.status in (UpdateStatus.DRAFT, UpdateStatus.RETURNED)

    @property
    def counts(self) -> bool:
        """Whether the update's value counts: approved and not replaced by a revision."""
        return self.status == UpdateStatus.APPROVED and not self.retired


class UpdateDisaggregation(models.Model):
    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="parts")
    dimension_value = models.ForeignKey(
        DimensionValue,
        verbose_name=_("dimension value"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = _value_field(_("value"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["update", "dimension_value"]
        constraints = [
            models.UniqueConstraint(fields=["update", "dimension_value"], name="update_part_once")
        ]

    def __str__(self) -> str:
        return f"{self.dimension_value}: {self.value}"


# --- what the results dashboard reads ----------------------------------------------------------


def _copied(model: type[models.Model]) -> models.ForeignKey[Any, Any]:
    """A derived row's copy of a key, without constraint or index (which would make every
    delete of an indicator scan the table): the row goes with its period, and the refresh
    corrects the rest."""
    return models.ForeignKey(
        model, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )


class PeriodFigure(models.Model):
    """What one period of an indicator adopting a core indicator adds to the results dashboard.

    Derived data (results/period_figures.py writes it, in the transaction of every results write
    that changes what counts): the period's actual as results.progress.actuals defines it, its
    target under the core indicator's rule, the activity's lead division and modality (so that
    the common filters need no join), and the year of the next period in each chain the rule
    reads (in end, start, id order; None for the last). A figure over the years up to Y takes
    a row when the next one in its chain falls after Y: the latest of each group, without
    ranking all the periods again."""

    period = models.OneToOneField(
        Period, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    core = _copied(CoreIndicator)
    indicator = _copied(Indicator)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    division = _copied(Division)
    modality = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()  # of the period's end
    reported = models.BooleanField()  # an approved update counts
    value = _value_field(_("actual"), null=True)  # qualitative: 1 when achieved, else 0
    target = _value_field(_("target"), null=True)  # `achieved`: 1, each indicator counts once
    # The activity's periods of the core indicator that were reported (the activity counts on
    # its last), and that have a target.
    next_reported_in_activity = models.PositiveSmallIntegerField(null=True)
    next_target_in_activity = models.PositiveSmallIntegerField(null=True)
    # The chains the rule reads for the actual and the target: none for `sum` (every row
    # counts); the activity's two above for `latest`; for `achieved`, the indicator's reported
    # periods, and all its periods.
    rule_value_next = models.PositiveSmallIntegerField(null=True)
    rule_target_next = models.PositiveSmallIntegerField(null=True)

    class Meta:
        verbose_name = _("period figure")
        verbose_name_plural = _("period figures")
        indexes = [
            # The activities behind one figure: its rows in activity order, without the other
            # core indicators' (the planner would otherwise walk the activity index over all).
            models.Index(fields=["core", "activity"], name="period_figure_core_activity"),
        ]

    def __str__(self) -> str:
        return f"{self.period_id}: {self.value}"


# --- benefits, scaling up and related activities ------------------------------------------------


class BenefitStream(models.Model):
    """A benefit one side expects from the exchange (lesson 16: spell out the benefit streams)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="benefits")
    side = models.CharField(_("for"), max_length=10, choices=Side.choices)
    description = models.TextField(
        _("expected benefit"), max_length=5000, validators=[validate_multi_line_text]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["activity", "position", "pk"]
        verbose_name = _("expected benefit")
        verbose_name_plural = _("expected benefits")

    def __str__(self) -> str:
        return self.description[:80]


class ScalingPathway(models.Model):
    """Who would take the activity further, with what money (lesson 17)."""

    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="scaling_pathway"
    )
    description = _text(_("pathway"), help_text=_("How the practice would reach more people."))
    champion = models.ForeignKey(
        Partner,
        verbose_name=_("who would take it further"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    investment = _text(
        _("with what money"),
        max_length=2000,
        help_text=_("The investment programme or fund that would finance it."),
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_currency]
    )
    updated_by = _person()
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("scaling-up pathway")
        verbose_name_plural = _("scaling-up pathways")

    def __str__(self) -> str:
        return self.description[:80]


class RelationType(models.TextChoices):
    FOLLOW_UP_OF = "follow_up_of", _("Follow-up of")
    RECIPROCITY_FOR = "reciprocity_for", _("Reciprocity for (the guest now hosts)")
    SCALING_UP_OF = "scaling_up_of", _("Scaling up of")
    PART_OF = "part_of", _("Part of (programme)")


# IATI RelatedActivityType of the related activity, seen from this one: the programme an
# activity is part of is its parent; follow-ups, reciprocity and scaling up are siblings.
IATI_RELATED_TYPE = {
    RelationType.FOLLOW_UP_OF: "3",
    RelationType.RECIPROCITY_FOR: "3",
    RelationType.SCALING_UP_OF: "3",
    RelationType.PART_OF: "1",
}
IATI_CHILD = "2"  # the other way round: the programme's part is its child


class ActivityRelation(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="relations")
    type = models.CharField(_("relation"), max_length=16, choices=RelationType.choices)
    related = models.ForeignKey(
        Activity,
        verbose_name=_("related activity"),
        on_delete=models.CASCADE,
        related_name="relations_to",
    )
    note = _text(_("note"), max_length=2000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["activity", "type", "related"]
        verbose_name = _("related activity")
        verbose_name_plural = _("related activities")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "type", "related"], name="activity_relation_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(activity=models.F("related")), name="relation_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.related_id}"


# --- learning-route follow-ups -------------------------------------------------------------------


class FollowUpOutcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    PARTLY = "partly", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


FOLLOW_UP_MONTHS = (3, 6, 12)


class PlanFollowUpQuerySet(models.QuerySet["PlanFollowUp"]):
    def visible_to(self, user: User | Any) -> PlanFollowUpQuerySet:
        return access.readable_follow_ups(self, user)

    def recorded(self) -> PlanFollowUpQuerySet:
        return self.exclude(outcome="")

    def overdue(self, today: datetime.date) -> PlanFollowUpQuerySet:
        return self.filter(outcome="", due_date__lt=today)


class PlanFollowUp(models.Model):
    """What became of an action plan 3, 6 and 12 months after its route (lesson 12: follow up on
    the ground). Created with the plan's route dates; recorded by the responsible CPM."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField(_("months after the route"))
    due_date = models.DateField(_("due"))
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=FollowUpOutcome.choices, blank=True
    )
    recorded_on = models.DateField(
        _("observed on"), null=True, blank=True, validators=[validate_portal_date]
    )
    evidence = _text(_("evidence"))
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    money_found = models.DecimalField(
        _("money found"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Financing found to carry the plan out."),
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_currency]
    )
    money_found_usd = models.DecimalField(
        _("money found (US$)"), max_digits=18, decimal_places=2, null=True, editable=False
    )
    usd_rate = models.DecimalField(max_digits=20, decimal_places=8, null=True, editable=False)
    recorded_by = _person()
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanFollowUpQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["due_date", "plan", "months"]
        verbose_name = _("action plan follow-up")
        verbose_name_plural = _("action plan follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["plan", "months"], name="one_follow_up_per_month")
        ]

    def __str__(self) -> str:
        return _("%(plan)s: %(months)s months") % {"plan": self.plan, "months": self.months}
