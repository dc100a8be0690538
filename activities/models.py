"""The portal's spine: reference data, partner organizations and SSC activities.

Rules about one object live here as methods and properties; who may see or change what lives in
access.py (the querysets' `visible_to` and `editable_by` hand over to it); writes that touch
several rows live in services.py.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, ExtractYear, Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from accounts.text import (
    text_problem,
    validate_multi_line_text,
    validate_portal_date,
    validate_single_line_text,
    validate_ssc_id,
)

from . import access

# Defined in their own modules; imported here so that Django registers them with the app's models.
from .duplicate_pairs import ActivityMerge, DuplicatePair, FoundVia, PairState  # noqa: F401
from .reference_models import SDG, Country, Division, IncomeGroup, Theme  # noqa: F401
from .results_seam import with_approved_results
from .saved_views import SavedView  # noqa: F401
from .texts import ActivityText, content_language_field, text_search  # noqa: F401

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User


# --- Partners ---------------------------------------------------------------------------------


class PartnerType(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    NGO = "ngo", _("NGO / civil society organization")
    FARMERS_ORG = "farmers_org", _("Farmers' organization")
    RESEARCH = "research", _("Research / academic")
    PRIVATE = "private", _("Private sector")
    MULTILATERAL = "multilateral", _("Multilateral / UN")
    BILATERAL = "bilateral", _("Bilateral donor")
    FOUNDATION = "foundation", _("Foundation")
    PROJECT_UNIT = "project_unit", _("Project unit")
    # Legacy contributors are sometimes only "other contributors" or "participants".
    OTHER = "other", _("Other")


def normalize_name(name: str) -> str:
    """The comparison key for duplicate detection: case, spacing and punctuation do not count."""
    kept = "".join(ch if ch.isalnum() else " " for ch in name.casefold())
    return " ".join(kept.split())


def fold_text(text: str) -> str:
    """The key names are compared by: case, accents, punctuation and spacing do not count
    ("Embrapa", "EMBRAPA", "Empresa Brasileira de Pesquisa Agropecuária" as typed)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", kept).split())


MAX_PARTNER_ALIASES = 20
# Separates the names in Partner.search_key, so that a search cannot match across two of them.
SEARCH_KEY_SEPARATOR = " | "


class PartnerQuerySet(models.QuerySet["Partner"]):
    def search(self, text: str) -> Self:
        """By name, acronym or another name (former names), case and accents ignored."""
        key = fold_text(text)
        if not key:
            return self
        # The name and acronym as stored too, for rows written before search_key existed.
        return self.filter(
            Q(search_key__contains=key)
            | Q(name__icontains=text.strip())
            | Q(acronym__icontains=text.strip())
        )


class Partner(models.Model):
    name = models.CharField(_("name"), max_length=255, validators=[validate_single_line_text])
    name_key = models.CharField(max_length=255, editable=False, db_index=True)
    acronym = models.CharField(
        _("acronym"), max_length=40, blank=True, validators=[validate_single_line_text]
    )
    aliases = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_(
            "Former names and other names people write it as, one per line: the partner "
            "fields and the partner search find the organization by them too."
        ),
    )
    # fold_text() of the name, the acronym and the other names: what search() compares with.
    search_key = models.TextField(editable=False, default="")
    type = models.CharField(_("type"), max_length=20, choices=PartnerType.choices)
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners",
        help_text=_("Leave empty for international organizations."),
    )
    website = models.URLField(_("website"), blank=True)
    iati_identifier = models.CharField(
        _("IATI organisation identifier"),
        max_length=100,
        blank=True,
        validators=[validate_single_line_text],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PartnerQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["name_key", "search_key"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner organization")
        verbose_name_plural = _("partner organizations")
        constraints = [
            # Two rows with no country must also clash: NULLs are never equal in a plain unique.
            models.UniqueConstraint(
                "name_key",
                Coalesce("country_id", 0),
                name="partner_unique_name_country",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:partner_detail", args=[self.pk])

    def clean(self) -> None:
        """The other names: a short list of one-line names, none repeating the name."""
        aliases = self.aliases
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValidationError({"aliases": _("Give the other names as a list of names.")})
        if len(aliases) > MAX_PARTNER_ALIASES:
            raise ValidationError(
                {
                    "aliases": _("Give at most %(count)d other names.")
                    % {"count": MAX_PARTNER_ALIASES}
                }
            )
        for alias in aliases:
            problem = text_problem(alias)
            if problem:
                raise ValidationError({"aliases": f"{alias[:60]}: {problem}"})
            if len(alias) > 255 or not alias.strip():
                raise ValidationError({"aliases": _("Write one name per line, of 255 at most.")})

    @property
    def names(self) -> list[str]:
        """Every name the organization is known by: its name, acronym and other names."""
        return [name for name in (self.name, self.acronym, *self.aliases) if name]

    def set_keys(self) -> None:
        """Derive the duplicate key and the search key from the names (before each save)."""
        self.name_key = normalize_name(self.name)
        self.search_key = SEARCH_KEY_SEPARATOR.join(fold_text(name) for name in self.names)


# --- Activities -------------------------------------------------------------------------------


class ActivityType(models.TextChoices):
    LEARNING_ROUTE = "learning_route", _("Learning route")
    EXPOSURE_VISIT = "exposure_visit", _("Exposure / study visit")
    TRAINING = "training", _("Training / capacity building")
    CONFERENCE = "conference", _("Conference / forum")
    POLICY_DIALOGUE = "policy_dialogue", _("Policy dialogue")
    TECHNICAL_ASSISTANCE = "technical_assistance", _("Technical assistance / expert deployment")
    RESEARCH = "research", _("Research / action research")
    KNOWLEDGE_FAIR = "knowledge_fair", _("Knowledge fair / marketplace")
    MENTORING = "mentoring", _("Mentoring / coaching")
    NETWORK = "network", _("Network / platform")


class Modality(models.TextChoices):
    SOUTH_SOUTH = "south_south", _("South-South")
    TRIANGULAR = "triangular", _("Triangular")
    TRILATERAL = "trilateral", _("Trilateral")


class FundingNature(models.TextChoices):
    GRANT = "grant", _("Grant-funded")
    IN_PROJECT = "in_project", _("In project (loan-funded investment project)")
    ADMIN_BUDGET = "admin_budget", _("Administrative budget")


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    PUBLIC = "public", _("Public")


class Scope(models.TextChoices):
    NATIONAL = "national", _("National")
    INTRAREGIONAL = "intraregional", _("Intraregional")
    INTERREGIONAL = "interregional", _("Interregional")
    GLOBAL = "global", _("Global")


class Status(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")
    APPROVED = "approved", _("Approved")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    # "Closed" alone is also a period's state and a learning demand's, which other languages
    # write otherwise (gender, sense).
    CLOSED = "closed", pgettext_lazy("activity status", "Closed")
    SUSPENDED = "suspended", _("Suspended")
    CANCELLED = "cancelled", _("Cancelled")


# Lifecycle order, so that sorting by status reads pipeline -> closed rather than alphabetically.
STATUS_ORDER = [
    Status.PIPELINE,
    Status.APPROVED,
    Status.ONGOING,
    Status.SUSPENDED,
    Status.COMPLETED,
    Status.CLOSED,
    Status.CANCELLED,
]


def status_rank() -> models.Case:
    """An activity's place in STATUS_ORDER, for sorting by status. The list sorts on it and an
    index is built on it (Activity.Meta): the two must stay the same expression."""
    return models.Case(
        *(models.When(status=s, then=models.Value(i)) for i, s in enumerate(STATUS_ORDER)),
        default=models.Value(len(STATUS_ORDER)),
        output_field=models.IntegerField(),
    )


# Where an activity may go from each status. Closed and Cancelled are final; a suspended activity
# resumes where it was likely to be (approved or ongoing) or is cancelled.
STATUS_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PIPELINE: (Status.APPROVED, Status.CANCELLED),
    Status.APPROVED: (Status.ONGOING, Status.SUSPENDED, Status.CANCELLED),
    Status.ONGOING: (Status.COMPLETED, Status.SUSPENDED, Status.CANCELLED),
    Status.SUSPENDED: (Status.APPROVED, Status.ONGOING, Status.CANCELLED),
    Status.COMPLETED: (Status.CLOSED, Status.ONGOING),
    Status.CLOSED: (),
    Status.CANCELLED: (),
}


class CountryRole(models.TextChoices):
    PROVIDER = "provider", _("Provider / host")
    RECEIVER = "receiver", _("Receiver / guest")
    BOTH = "both", _("Both (two-way exchange)")


class PartnerRole(models.TextChoices):
    HOST = "host", _("Host")
    GUEST = "guest", _("Guest")
    BROKER = "broker", _("Broker / facilitator")
    FUNDER = "funder", _("Funder")
    IMPLEMENTER = "implementer", _("Implementer")


class Agreement(models.TextChoices):
    """Whether the sides of an activity confirmed it: the summary of its counterparts'
    confirmations, kept by the counterparts app (counterparts.services), shown and filtered
    here."""

    CONFIRMED = "confirmed", _("Confirmed by all sides")
    WAITING = "waiting", _("Waiting for confirmation")
    DISPUTED = "disputed", _("Disputed")
    NONE = "none", _("No counterpart to confirm")


SSC_ID_TEXT = re.compile(r"^ssc-\d{4}-\d+$", re.IGNORECASE)


def lacking_status_facts() -> Q:
    """The activities whose status claims what their record does not show: the queryset form
    of Activity.missing_status_facts (imports keep what the workbook says; the list flags it).
    """
    return Q(status=Status.ONGOING, actual_start__isnull=True) | Q(status=Status.COMPLETED) & (
        Q(actual_end__isnull=True) | Q(outcomes="") & ~with_approved_results()
    )


class ActivityQuerySet(models.QuerySet["Activity"]):
    def visible_to(self, user: User, *, inline_ids: bool = False) -> ActivityQuerySet:
        """What a user may read: the rule is activities.access.readable_activities."""
        return access.readable_activities(self, user, inline_ids=inline_ids)

    def editable_by(self, user: User, *, inline_ids: bool = False) -> ActivityQuerySet:
        """What a user may change: the rule is activities.access.changeable_activities."""
        return access.changeable_activities(self, user, inline_ids=inline_ids)

    def for_list(self) -> ActivityQuerySet:
        """Everything the list and the portfolio show, in a fixed number of queries: no more
        (their rows, templates/activities/_activity_row.html, name no theme, responsible CPM
        or country's division)."""
        return self.select_related("lead_division").prefetch_related(
            models.Prefetch(
                "country_links",
                queryset=ActivityCountry.objects.select_related("country").order_by(
                    "country__name"
                ),
            ),
        )

    def with_flags(self) -> ActivityQuerySet:
        """Annotate what the list flags for completion: `lacks_status_facts` (see
        lacking_status_facts()). A subquery of the same query, not a query per row."""
        return self.annotate(
            lacks_status_facts=models.ExpressionWrapper(
                lacking_status_facts(), output_field=models.BooleanField()
            )
        )

    def needing_type(self) -> ActivityQuerySet:
        """Records imported without an activity type: the first save through a form needs one."""
        return self.filter(activity_type="")

    def lacking_status_facts(self) -> ActivityQuerySet:
        return self.filter(lacking_status_facts())

    def search(self, text: str) -> ActivityQuerySet:
        text = text.strip()
        if not text:
            return self
        if SSC_ID_TEXT.match(text):
            # Someone typing an SSC ID wants that record: an index lookup, not a text scan.
            return self.filter(ssc_id=text.upper())
        own = Activity.objects.filter(
            Q(title__icontains=text) | Q(summary__icontains=text) | Q(ssc_id__iexact=text)
        ).values("pk")
        # One set of ids from the activity's own texts and its other languages' versions: ORed
        # with a subquery, the own fields were tested on every row instead of through their
        # indexes (benchmarks/README.md, "The activity list's text search").
        return self.filter(pk__in=own.union(text_search(text), all=True))


class Activity(models.Model):
    ssc_id = models.CharField(
        _("SSC ID"),
        max_length=20,
        unique=True,
        validators=[validate_ssc_id],
        help_text=_("Corporate identifier SSC-YYYY-NN; generated when left empty."),
    )
    title = models.CharField(_("title"), max_length=300, validators=[validate_single_line_text])
    summary = models.TextField(
        _("summary"), blank=True, max_length=5000, validators=[validate_multi_line_text]
    )
    language = content_language_field()
    objectives = models.TextField(
        _("objectives"), blank=True, max_length=5000, validators=[validate_multi_line_text]
    )
    # Blank only on records from the legacy workbook (it never had one); ActivityForm requires it.
    activity_type = models.CharField(
        _("activity type"), max_length=30, choices=ActivityType.choices, blank=True
    )
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices)
    funding_nature = models.CharField(
        _("funding nature"), max_length=20, choices=FundingNature.choices
    )
    project_id = models.CharField(
        _("investment project ID"),
        max_length=40,
        blank=True,
        validators=[validate_single_line_text],
        help_text=_("Required when the activity sits inside a loan-funded investment project."),
    )
    lead_division = models.ForeignKey(
        Division, verbose_name=_("lead division"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_cpm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible CPM"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_for",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PIPELINE
    )
    approval_year = models.PositiveSmallIntegerField(_("year of approval"), null=True, blank=True)
    planned_start = models.DateField(
        _("planned start"), null=True, blank=True, validators=[validate_portal_date]
    )
    planned_end = models.DateField(
        _("planned end"), null=True, blank=True, validators=[validate_portal_date]
    )
    actual_start = models.DateField(
        _("actual start"), null=True, blank=True, validators=[validate_portal_date]
    )
    actual_end = models.DateField(
        _("actual end"), null=True, blank=True, validators=[validate_portal_date]
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), related_name="activities")
    sdgs = models.ManyToManyField(SDG, verbose_name=_("SDGs"), blank=True, related_name="+")
    participants_women = models.PositiveIntegerField(_("women participants"), null=True, blank=True)
    participants_men = models.PositiveIntegerField(_("men participants"), null=True, blank=True)
    participants_youth = models.PositiveIntegerField(
        _("youth participants"),
        null=True,
        blank=True,
        help_text=_("Young people among the women and men above."),
    )
    outcomes = models.TextField(
        _("outcomes and results"),
        blank=True,
        max_length=10000,
        validators=[validate_multi_line_text],
    )
    action_plans_adopted = models.PositiveIntegerField(
        _("action / innovation plans adopted"), null=True, blank=True
    )
    follow_up = models.TextField(
        _("follow-up"), blank=True, max_length=10000, validators=[validate_multi_line_text]
    )
    lessons_learned = models.TextField(
        _("lessons learned"), blank=True, max_length=10000, validators=[validate_multi_line_text]
    )
    notes = models.TextField(
        _("notes"), blank=True, max_length=5000, validators=[validate_multi_line_text]
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    # Derived: only counterparts.services writes it (an UPDATE of it alone): no version claim.
    agreement = models.CharField(
        _("confirmation"),
        max_length=10,
        choices=Agreement.choices,
        default=Agreement.NONE,
        editable=False,
    )
    # Optimistic concurrency: each service save bumps it; an older number is refused, not saved.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ActivityQuerySet.as_manager()
    history = HistoricalRecords(
        m2m_fields=[themes, sdgs], excluded_fields=["updated_at", "agreement"]
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["agreement"]),
            models.Index(fields=["approval_year"]),
            # A division's activities of one status in the order the API pages them (updated,
            # then id): a page reads its rows from the index instead of walking every activity
            # by date and keeping the few of that division and status.
            models.Index(
                fields=["lead_division", "status", "updated_at", "id"],
                name="activity_division_status_idx",
            ),
            models.Index(fields=["title"], name="activity_title_idx"),
            # The text search's SSC ID branch (`ssc_id__iexact`): with it, each branch of the
            # search has an index (the others are the trigram indexes of migration 0005), so
            # PostgreSQL combines their bitmaps instead of reading every activity.
            models.Index(Upper("ssc_id"), name="activity_ssc_id_upper_idx"),
            # The list's Year filter and sort use this expression (activities.filters).
            models.Index(
                Coalesce(
                    "approval_year",
                    ExtractYear(Coalesce("actual_start", "planned_start")),
                    output_field=models.IntegerField(),
                ),
                name="activity_reporting_year_idx",
            ),
            # The list sorted by status (activities.filters): the first page read from the index
            # rather than every row ranked and sorted. The primary key comes second, as the list
            # breaks ties with it.
            models.Index(status_rank(), models.F("id").desc(), name="activity_status_rank_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ssc_id} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    def clean(self) -> None:
        """Rules about the activity on its own; each error names its field."""
        errors: dict[str, StrOrPromise] = {}
        for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
            start_date, end_date = getattr(self, start), getattr(self, end)
            if start_date and end_date and end_date < start_date:
                errors[end] = _("The end date cannot be before the start date.")
        if self.approval_year is not None and not 1978 <= self.approval_year <= 2100:
            # IFAD was founded in 1977: nothing was approved before 1978.
            errors["approval_year"] = _("Give a year between 1978 and 2100.")
        people = (self.participants_women or 0) + (self.participants_men or 0)
        if self.participants_youth and self.participants_youth > people:
            errors["participants_youth"] = _(
                "Youth are counted among the women and men: they cannot outnumber them."
            )
        if errors:
            raise ValidationError(errors)

    def missing_status_facts(self, status: str | None = None) -> dict[str, StrOrPromise]:
        """What the activity must say before it is `status` (its own by default), by field:
        Ongoing needs the actual start; Completed the actual end, and its outcomes text or
        approved results. The one statement of the rule: the services apply it to every form,
        the status change and the API; lacking_status_facts() is its queryset form."""
        status = status or self.status
        missing: dict[str, StrOrPromise] = {}
        if status == Status.ONGOING and self.actual_start is None:
            missing["actual_start"] = _(
                "An ongoing activity has started: give its actual start date."
            )
        if status == Status.COMPLETED:
            if self.actual_end is None:
                missing["actual_end"] = _(
                    "A completed activity has ended: give its actual end date."
                )
            if not self.outcomes.strip() and not self.has_approved_results:
                missing["outcomes"] = _(
                    "A completed activity says what it achieved: write its outcomes and "
                    "results, or have results approved in its results framework."
                )
        return missing

    @property
    def has_approved_results(self) -> bool:
        found = Activity.objects.filter(with_approved_results(), pk=self.pk)
        return self.pk is not None and found.exists()

    @property
    def missing_project_id(self) -> bool:
        """Legacy rows "in project" often lack the project ID; pages flag it for completion."""
        return self.funding_nature == FundingNature.IN_PROJECT and not self.project_id.strip()

    @property
    def allowed_next_statuses(self) -> tuple[str, ...]:
        return STATUS_TRANSITIONS.get(self.status, ())

    def can_move_to(self, status: str) -> bool:
        return status == self.status or status in self.allowed_next_statuses

    @property
    def year(self) -> int | None:
        """The activity's reporting year: approval year, else the year it (was to) start."""
        start = self.actual_start or self.planned_start
        return self.approval_year or (start.year if start else None)

    @property
    def participants_total(self) -> int | None:
        if self.participants_women is None and self.participants_men is None:
            return None
        return (self.participants_women or 0) + (self.participants_men or 0)

    def _links(self) -> list[ActivityCountry]:
        # Uses the prefetched rows when the caller asked for them (lists), else one query.
        return list(self.country_links.all())

    @property
    def providers(self) -> list[Country]:
        return [link.country for link in self._links() if link.is_provider]

    @property
    def receivers(self) -> list[Country]:
        return [link.country for link in self._links() if link.is_receiver]

    @property
    def scope(self) -> str:
        return derive_scope(link.country for link in self._links())


def derive_scope(countries: Iterable[Country]) -> str:
    """National for one country, intraregional within one division, interregional across two,
    global across three or more divisions or when no country is named."""
    countries = list(countries)
    if not countries:
        return Scope.GLOBAL
    if len(countries) == 1:
        return Scope.NATIONAL
    divisions = {country.division_id for country in countries}
    if len(divisions) == 1:
        return Scope.INTRAREGIONAL
    if len(divisions) == 2:
        return Scope.INTERREGIONAL
    return Scope.GLOBAL


class ActivityCountry(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="country_links")
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="activity_links"
    )
    role = models.CharField(_("role"), max_length=10, choices=CountryRole.choices)
    share = models.DecimalField(
        _("share of the money (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty to split equally between the activity's countries."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity country")
        verbose_name_plural = _("activity countries")
        constraints = [
            models.UniqueConstraint(fields=["activity", "country"], name="activity_country_once")
        ]

    def __str__(self) -> str:
        return f"{self.country} ({self.get_role_display()})"

    @property
    def is_provider(self) -> bool:
        return self.role in (CountryRole.PROVIDER, CountryRole.BOTH)

    @property
    def is_receiver(self) -> bool:
        return self.role in (CountryRole.RECEIVER, CountryRole.BOTH)


class ActivityPartner(models.Model):
    """One role one partner plays in one activity; a partner with two roles has two rows."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="partner_links")
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="activity_links"
    )
    role = models.CharField(_("role"), max_length=12, choices=PartnerRole.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("activity partner role")
        verbose_name_plural = _("activity partner roles")
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "partner", "role"], name="activity_partner_role_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} ({self.get_role_display()})"


class StatusChange(models.Model):
    """A status move with the note its author gave; the history shows the field change too."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(
        _("note"), blank=True, max_length=2000, validators=[validate_multi_line_text]
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.activity.ssc_id}: {self.from_status} -> {self.to_status}"


def next_ssc_id(year: int, taken: Iterable[str]) -> str:
    """The first free SSC-YYYY-NN after the highest number used in that year."""
    prefix = f"SSC-{year}-"
    numbers = [
        int(code[len(prefix) :])
        for code in taken
        if code.startswith(prefix) and code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{(max(numbers, default=0) + 1):02d}"
