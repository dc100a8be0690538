"""The SSC ledger: money planned, allocated and spent on activities, by whom and in what form.

Entries are never edited or deleted. A correction is a new entry (an adjustment or a reversal)
that points at the entry it corrects and says why, so every figure on every page can be traced
back to the entries that make it up.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_portal_date, validate_single_line_text

CENT = Decimal("0.01")
CURRENCY_CODES = frozenset(currency.alpha_3 for currency in pycountry.currencies)

# The largest amount of one ledger line, in its own currency and converted to US$: just under a
# trillion (10^12). Chosen with the columns and the roll-ups' sums, so that none can break:
# - SQLite (the quickstart) keeps a decimal as a double, exact to 15 significant digits: a line
#   of at most 14 (12 + 2 for the cents) is stored and read back to the cent.
# - The amount columns keep 20 digits, more than the limit needs: lines accepted before the limit
#   (up to 10^16, which SQLite rounds up to 1e16, 19 digits with the cents) can still be read,
#   and corrected, on every engine.
# - The roll-ups keep whole cents in 64-bit integers (bigint: 9.2 x 10^18 cents). An original
#   entry and its corrections share activity, year, kind and stage, so they fall in the same
#   roll-up rows, and a correction brings its original to an amount between 0 and the limit:
#   every stored sum is a sum of such nets, each under 10^14 cents. A sum overflows only past
#   92,000 lines at the maximum in one row, 9.2 x 10^16 US$ (a thousand times the world's yearly
#   product); fifty lines at the old column's maximum (10^16 each) did, and stopped every refresh.
#   The split of a total over countries is computed so that no intermediate product exceeds the
#   total itself (finance.rollups.sql.SPLIT).
MAX_LINE_AMOUNT = Decimal("999999999999.99")


def validate_currency(code: str) -> None:
    if code not in CURRENCY_CODES:
        raise ValidationError(
            _("%(code)s is not an ISO 4217 currency code."), params={"code": code}
        )


def to_usd(amount: Decimal, units_per_usd: Decimal) -> Decimal:
    """Convert with the rate's own precision and round once, half up, to the cent."""
    return (amount / units_per_usd).quantize(CENT, rounding=ROUND_HALF_UP)


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class ExchangeRate(models.Model):
    """Units of a currency per US dollar for one month (the focal point keeps these)."""

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    month = models.DateField(
        _("month"),
        help_text=_("Stored as the first day of the month."),
        validators=[validate_portal_date],
    )
    units_per_usd = models.DecimalField(_("units per US$"), max_digits=20, decimal_places=8)
    source = models.CharField(
        _("source"), max_length=200, blank=True, validators=[validate_single_line_text]
    )
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
        ordering = ["-month", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="one_rate_per_month"),
            models.CheckConstraint(
                condition=models.Q(units_per_usd__gt=0), name="rate_is_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.month:%Y-%m}: {self.units_per_usd}"


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


class ContributionKind(models.TextChoices):
    IFAD_GRANT = "ifad_grant", _("IFAD grant")
    IFAD_LOAN = "ifad_loan", _("IFAD loan-financed project")
    IFAD_ADMIN = "ifad_admin", _("IFAD administrative budget")
    COFINANCING = "cofinancing", _("Cofinancing (cash)")
    IN_KIND = "in_kind", _("In-kind (valued in money)")


IFAD_KINDS = frozenset(
    {ContributionKind.IFAD_GRANT, ContributionKind.IFAD_LOAN, ContributionKind.IFAD_ADMIN}
)


class InKindValuation(models.TextChoices):
    STAFF_TIME = "staff_time", _("Staff days x rate")
    VENUE = "venue", _("Venue")
    TRAVEL = "travel", _("Travel")
    EQUIPMENT = "equipment", _("Equipment")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ALLOCATED = "allocated", _("Allocated (committed)")
    SPENT = "spent", _("Spent (disbursed)")


class EntryType(models.TextChoices):
    ORIGINAL = "original", _("Original")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REVERSAL = "reversal", _("Reversal")


class FinancialEntry(models.Model):
    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.PROTECT, related_name="financial_entries"
    )
    contributor = models.ForeignKey(
        "activities.Partner",
        verbose_name=_("contributor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="financial_entries",
        help_text=_("Empty for IFAD's own resources."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ContributionKind.choices)
    valuation_method = models.CharField(
        _("valued as"), max_length=12, choices=InKindValuation.choices, blank=True
    )
    valuation_basis = models.CharField(
        _("valuation basis"),
        max_length=300,
        blank=True,
        help_text=_("How the in-kind value was reached, e.g. 20 staff days x US$ 350."),
        validators=[validate_single_line_text],
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.CharField(
        _("currency"), max_length=3, default="USD", validators=[validate_currency]
    )
    value_date = models.DateField(_("value date"), validators=[validate_portal_date])
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    units_per_usd = models.DecimalField(
        _("rate used (units per US$)"), max_digits=20, decimal_places=8, editable=False
    )
    amount_usd = models.DecimalField(
        _("amount in US$"), max_digits=20, decimal_places=2, editable=False
    )
    reference = models.CharField(
        _("reference"), max_length=100, blank=True, validators=[validate_single_line_text]
    )
    note = models.CharField(
        _("note"), max_length=500, blank=True, validators=[validate_single_line_text]
    )
    entry_type = models.CharField(
        _("entry type"), max_length=10, choices=EntryType.choices, default=EntryType.ORIGINAL
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    reason = models.CharField(
        _("reason for the correction"),
        max_length=500,
        blank=True,
        validators=[validate_single_line_text],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["value_date", "pk"]
        verbose_name = _("financial entry")
        verbose_name_plural = _("financial entries")
        indexes = [
            models.Index(fields=["activity", "stage"]),
            # A roll-up refresh sums one fiscal year's entries: with what it reads in the index,
            # PostgreSQL need not visit 37,000 rows scattered over the table (a third of a
            # second of a refresh at 1,000,000 entries).
            models.Index(
                fields=["fiscal_year", "activity"],
                include=["kind", "stage", "amount_usd"],
                name="entry_year_rollup",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entry_type="original", amount__gte=0)
                | ~models.Q(entry_type="original"),
                name="original_entry_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(entry_type="original", corrects__isnull=True)
                | (~models.Q(entry_type="original") & models.Q(corrects__isnull=False)),
                name="corrections_point_at_an_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.kind} {self.stage} {self.amount} {self.currency}"

    @property
    def is_ifad(self) -> bool:
        return self.kind in IFAD_KINDS

    @property
    def rate_text(self) -> str:
        """The rate as it was given (0.8, 605.5), without the column's trailing zeros."""
        return format(self.units_per_usd.normalize(), "f")


class LedgerLock(models.Model):
    """The version of an activity's figures, for optimistic concurrency on the finance page.

    Kept apart from Activity.version so that editing an activity's description does not block
    someone entering its money, and the other way round.
    """

    activity = models.OneToOneField(
        "activities.Activity", on_delete=models.CASCADE, related_name="ledger_lock"
    )
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ledger version")
        verbose_name_plural = _("ledger versions")

    def __str__(self) -> str:
        return f"{self.activity_id} v{self.version}"


class ClosedPeriod(models.Model):
    """A closed stretch of the ledger: a fiscal year, or every day up to a date.

    Once a report has gone out (to the Executive Board, say), its figures must not move: no
    entry, correction or rate may be written into a closed period (finance.periods enforces
    it). Reopening keeps the row, with who reopened it and why; the history has every step.
    """

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), null=True, blank=True)
    up_to = models.DateField(
        _("up to (inclusive)"), null=True, blank=True, validators=[validate_portal_date]
    )
    reason = models.CharField(_("reason"), max_length=500, validators=[validate_single_line_text])
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.CharField(
        _("reason for reopening"),
        max_length=500,
        blank=True,
        validators=[validate_single_line_text],
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-closed_at", "-pk"]
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year__isnull=True, up_to__isnull=False)
                | models.Q(fiscal_year__isnull=False, up_to__isnull=True),
                name="closed_period_is_a_year_or_a_date",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.fiscal_year is not None:
            return f"FY{self.fiscal_year}"
        return str(_("up to %(date)s") % {"date": f"{self.up_to:%Y-%m-%d}"})

    @property
    def is_closed(self) -> bool:
        return self.reopened_at is None

    def covers_date(self, day: datetime.date) -> bool:
        """Whether a value date (or a rate's month, by its first day) falls in the period.

        IFAD's fiscal year is the calendar year."""
        if self.fiscal_year is not None:
            return day.year == self.fiscal_year
        assert self.up_to is not None
        return day <= self.up_to

    def covers_year(self, year: int) -> bool:
        """Whether a whole fiscal year is closed: the reports sum entries by fiscal year."""
        if self.fiscal_year is not None:
            return year == self.fiscal_year
        assert self.up_to is not None
        return datetime.date(year, 12, 31) <= self.up_to


class PeriodException(models.Model):
    """One activity's writes let through a closed period until `expires_on` (inclusive)."""

    period = models.ForeignKey(ClosedPeriod, on_delete=models.PROTECT, related_name="exceptions")
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="period_exceptions",
    )
    reason = models.CharField(_("reason"), max_length=500, validators=[validate_single_line_text])
    expires_on = models.DateField(_("expires on (inclusive)"), validators=[validate_portal_date])
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at", "-pk"]
        verbose_name = _("closed-period exception")
        verbose_name_plural = _("closed-period exceptions")

    def __str__(self) -> str:
        return f"{self.period} {self.activity_id} <= {self.expires_on:%Y-%m-%d}"


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


# --- Roll-ups -------------------------------------------------------------------------------------
# The dashboard and the API read these summary tables, never the ledger, so their cost does not
# grow with the number of entries. finance/rollups.py computes them; a slice is one fiscal year of
# one lead division, and every table is replaced slice by slice, so a rerun is harmless.


class Grain(models.TextChoices):
    """Which dimensions a roll-up row keeps; the others are summed away (left empty/NULL).

    The full grain splits each activity's money over its countries and themes, so it is nearly
    as large as the ledger; the coarser grains answer the dashboard's usual questions from far
    fewer rows. A query reads the smallest grain that has every dimension it filters or groups on.
    """

    FULL = "full", _("every dimension")
    CORE = "core", _("without country and theme")
    COUNTRY = "country", _("by country")
    THEME = "theme", _("by theme")
    MODALITY = "modality", _("by year, division and modality")


def derived_key(to: str, *, null: bool = False) -> models.ForeignKey[Any, Any]:
    """A key of the roll-up tables (RollupCell, ActivityYearTotal): neither a foreign-key
    constraint nor an index of its own.

    They hold derived rows, replaced slice by slice, millions of them in a full rebuild.
    PostgreSQL checks a deferred constraint row by row at COMMIT (that was half of a rebuild's
    time at 1,000,000 entries) and every index is one more write per row; the reads go through
    the tables' slice indexes. Django still cascades deletions, and a rebuild would drop a row
    left behind anyway.
    """
    return models.ForeignKey(
        to,
        null=null,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )


class RollupCell(models.Model):
    """US$ (in cents) for one combination of dimensions of one grain."""

    grain = models.CharField(max_length=8, choices=Grain.choices)
    year = models.PositiveSmallIntegerField()
    division = derived_key("activities.Division")
    country = derived_key("activities.Country", null=True)
    theme = derived_key("activities.Theme", null=True)
    modality = models.CharField(max_length=20, blank=True)
    funding_nature = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, blank=True)
    is_public = models.BooleanField()
    kind = models.CharField(max_length=12, choices=ContributionKind.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    # Whole cents: sums are exact on every database engine, so totals reconcile to the cent.
    amount_cents = models.BigIntegerField()

    class Meta:
        indexes = [
            # A slice's cells, and (after the slice) one sub-slice's: a refresh after one
            # edit reads the few hundred cells of the edited activity's sub-slices.
            models.Index(
                fields=[
                    "grain",
                    "year",
                    "division",
                    "modality",
                    "funding_nature",
                    "status",
                    "is_public",
                ],
                name="rollup_cell_subslice",
            ),
            # A country filter is answered by the full grain: without an index the dashboard
            # filtered by one country read all of its cells to keep a few thousand. The
            # country's cells are read from this index alone, with every column the
            # dashboard needs: Brazil's 34,000 cells lie on as many pages of the table (120-
            # 130 ms each for the money by year and by theme, 23-26 ms from the index). Its
            # price is its size: about 420 MB at 3.75 million full cells.
            models.Index(
                fields=["country", "year"],
                include=[
                    *("division", "theme", "modality", "funding_nature", "status"),
                    *("is_public", "kind", "stage", "amount_cents"),
                ],
                condition=models.Q(grain="full"),
                name="rollup_cell_full_country_cover",
            ),
            # The same for a theme, which keeps a larger share of the cells (a tenth: 375,000
            # at 100,000 activities). The dashboard filtered by one theme took 1.75 s cold
            # with no index, 1-1.1 s through an index on the theme, 0.55-0.6 s from this one.
            models.Index(
                fields=["theme", "year"],
                include=[
                    *("division", "country", "modality", "funding_nature", "status"),
                    *("is_public", "kind", "stage", "amount_cents"),
                ],
                condition=models.Q(grain="full"),
                name="rollup_cell_full_theme_cover",
            ),
            # The country grain with every column the dashboard reads from it: one country's
            # money by country, and the whole grain summed by country (350,000 cells at 100,000
            # activities, on pages shared with the other grains), are read from the index alone.
            # The unfiltered sum: 226 ms read through the table, 95 ms from this index.
            models.Index(
                fields=["country", "year", "division"],
                include=["is_public", "kind", "stage", "amount_cents"],
                condition=models.Q(grain="country"),
                name="rollup_cell_country_cover",
            ),
            # The same for the theme grain (50,000 cells) and the core grain (110,000 cells:
            # money by year, division and modality).
            models.Index(
                fields=["theme", "year", "division"],
                include=["is_public", "kind", "stage", "amount_cents"],
                condition=models.Q(grain="theme"),
                name="rollup_cell_theme_cover",
            ),
            models.Index(
                fields=["year", "division", "modality"],
                include=["funding_nature", "status", "is_public", "kind", "stage", "amount_cents"],
                condition=models.Q(grain="core"),
                name="rollup_cell_core_cover",
            ),
            # The modality grain: the core grain without funding nature and status (14,500
            # cells where the core grain has 110,000 at 100,000 activities). The dashboard's
            # money by year, division and modality, with no such filter, is read from this
            # index alone: the unfiltered query took 58 ms cold from the core grain, 22 here.
            models.Index(
                fields=["year", "division", "modality"],
                include=["is_public", "kind", "stage", "amount_cents"],
                condition=models.Q(grain="modality"),
                name="rollup_cell_modality_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.year} {self.division_id} {self.kind} {self.stage}"


class AllYearsCell(models.Model):
    """The country and theme grains' cells summed over every fiscal year.

    The dashboard over all years (its first view, a division's, a country's or a theme's) sums
    these: about 25,000 rows at 100,000 activities, where the country grain alone holds 350,000
    cells (100-150 ms to sum them all, against a few ms here). Kept by finance.rollups after
    each refresh, for the divisions the refresh touched, and checked by the full rebuild.
    """

    grain = models.CharField(max_length=8, choices=Grain.choices)  # country or theme
    division = derived_key("activities.Division")
    country = derived_key("activities.Country", null=True)
    theme = derived_key("activities.Theme", null=True)
    is_public = models.BooleanField()
    kind = models.CharField(max_length=12, choices=ContributionKind.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    amount_cents = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["grain", "division"], name="all_years_cell_division")]

    def __str__(self) -> str:
        return f"{self.grain} {self.division_id} {self.kind} {self.stage}"


class ActivityYearTotal(models.Model):
    """One activity's money in one fiscal year by kind and stage (the first step of a roll-up).

    Also what the dashboard ranks its top activities and counts its activities from; the
    activity's own dimensions are copied here so those queries need no join.
    """

    activity = derived_key("activities.Activity")
    year = models.PositiveSmallIntegerField()
    division = derived_key("activities.Division")
    modality = models.CharField(max_length=20)
    funding_nature = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    is_public = models.BooleanField()
    kind = models.CharField(max_length=12, choices=ContributionKind.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    amount_cents = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["year", "division", "modality", "funding_nature", "status", "is_public"],
                name="rollup_activity_year_subslice",
            ),
            models.Index(fields=["activity"], name="rollup_activity_year_activity"),
            # A division's years (the dashboard's activities and flows over a year range) read
            # from the index alone, with every column those queries filter or sum on: LAC's
            # 36,000 totals of 2015-2020 lie on 2,800 pages of the table.
            models.Index(
                fields=["division", "year"],
                include=[
                    *("activity", "modality", "funding_nature", "status", "is_public"),
                    *("kind", "stage", "amount_cents"),
                ],
                name="rollup_activity_year_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.year} {self.kind} {self.stage}"


class ActivityMoney(models.Model):
    """One activity's allocated money over all its fiscal years (ActivityYearTotal summed), with
    its dimensions: the dashboard ranks its top activities and counts its activities from these
    100,000 rows rather than grouping a million totals, when no year range is asked for.

    Kept by finance.rollups with the totals: when a slice's totals change, the rows of the
    activities in that slice are recomputed from all their years' totals.
    """

    activity = derived_key("activities.Activity")
    division = derived_key("activities.Division")
    modality = models.CharField(max_length=20)
    funding_nature = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    is_public = models.BooleanField()
    ifad_cents = models.BigIntegerField()
    cofinancing_cents = models.BigIntegerField()
    in_kind_cents = models.BigIntegerField()
    total_cents = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity"], name="one_activity_money_row"),
        ]
        indexes = [
            # The ranking: the largest first, read in index order until ten rows pass the filters.
            models.Index(models.F("total_cents").desc(), "activity", name="activity_money_ranking"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.total_cents}"


class ActivityPair(models.Model):
    """Who shares with whom: one row per provider -> receiver country pair of an activity with
    money (one that has an ActivityMoney row), with that row's dimensions copied.

    The dashboard counts the pairs of its selection from these rows: the self-join of the
    activities' countries it replaces read every country link twice (0.1-0.2 s for any
    selection at 100,000 activities). Kept by finance.rollups with ActivityMoney, from the
    activities' countries and their roles (a "both" country is a provider and a receiver).
    """

    activity = derived_key("activities.Activity")
    provider = derived_key("activities.Country")
    receiver = derived_key("activities.Country")
    division = derived_key("activities.Division")
    modality = models.CharField(max_length=20)
    funding_nature = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    is_public = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["activity"], name="activity_pair_activity"),
            # PairCount's rows are counted again from here, key by key, after each refresh.
            models.Index(
                fields=["provider", "receiver", "division", "is_public"], name="activity_pair_key"
            ),
            # A division's pairs, read from the index alone when the dashboard asks for a year
            # range (PairCount answers over all years): a scan of the whole table otherwise.
            models.Index(
                fields=["division"],
                include=[
                    *("activity", "provider", "receiver"),
                    *("modality", "funding_nature", "status", "is_public"),
                ],
                name="activity_pair_division_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.provider_id} -> {self.receiver_id}"


class PairCount(models.Model):
    """How many activities link a provider to a receiver country, per lead division and
    visibility: ActivityPair counted.

    The dashboard's flows over all years, filtered by division at most (the focal point's first
    view, a CPM's), add these up: about 56,000 rows at 100,000 activities, where counting the
    336,000 pairs themselves took 100-170 ms. Kept by finance.rollups with ActivityPair.
    """

    provider = derived_key("activities.Country")
    receiver = derived_key("activities.Country")
    division = derived_key("activities.Division")
    is_public = models.BooleanField()
    activities = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "receiver", "division", "is_public"], name="one_pair_count"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} -> {self.receiver_id}: {self.activities}"


class RollupSlice(models.Model):
    """When a slice was last computed: the dashboard's "figures as of"."""

    year = models.PositiveSmallIntegerField()
    division = models.ForeignKey("activities.Division", on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "division"], name="one_rollup_slice")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.division_id}"


class RollupRefresh(models.Model):
    """A slice to recompute, written in the same transaction as the edit that made it stale.

    This table, not the Celery message, is the record of what needs refreshing: if Redis is down
    when the edit commits, the request waits here and the next drain (queued by a later edit or by
    beat every minute) picks it up, so no edit's roll-up is ever lost.
    """

    year = models.PositiveSmallIntegerField()
    division = models.ForeignKey("activities.Division", on_delete=models.CASCADE, related_name="+")
    # The one activity whose edit made the slice stale, when known: the drain then recomputes
    # only the cells that activity's money sits in, instead of the whole slice. Empty: the whole
    # slice (a workbook import). A plain number, not a key: a request must outlive the
    # activity it names, whose roll-up rows still have to go.
    activity_key = models.BigIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.year} {self.division_id} @ {self.requested_at:%Y-%m-%d %H:%M:%S}"


class RollupRun(models.Model):
    """A full rebuild, with its progress (the focal point watches it; the command prints it)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    slices_total = models.PositiveIntegerField(default=0)
    slices_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("roll-up rebuild")
        verbose_name_plural = _("roll-up rebuilds")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.state}"

    @property
    def seconds(self) -> float | None:
        """How long it ran (so far, while it runs)."""
        if self.started_at is None:
            return None
        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()

    @property
    def percent(self) -> int:
        if not self.slices_total:
            return 100 if self.state == self.State.DONE else 0
        return int(100 * self.slices_done / self.slices_total)


# --- Report exports -------------------------------------------------------------------------------


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
