"""The SSC ledger: money planned, allocated and spent on activities, by whom and in what form.

Entries are never edited or deleted. A correction is a new entry (an adjustment or a reversal)
that points at the entry it corrects and says why, so every figure on every page can be traced
back to the entries that make it up.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_portal_date, validate_single_line_text
from finance.models.in_kind import InKindUnit, ValuedBy
from finance.models.rates import validate_currency

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
#   total itself (finance.rollups.split.FULL_CELLS).
MAX_LINE_AMOUNT = Decimal("999999999999.99")


class ContributionKind(models.TextChoices):
    IFAD_GRANT = "ifad_grant", _("IFAD grant")
    IFAD_LOAN = "ifad_loan", _("IFAD loan-financed project")
    IFAD_ADMIN = "ifad_admin", _("IFAD administrative budget")
    COFINANCING = "cofinancing", _("Cofinancing (cash)")
    IN_KIND = "in_kind", _("In-kind")


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
        help_text=_("Empty for IFAD's own resources, and for a group's line."),
    )
    # A line the workbook gives to a group of contributors (finance.models.groups), until the
    # focal point splits it among the group's members: never both a partner and a group.
    contributor_group = models.ForeignKey(
        "finance.ContributorGroup",
        verbose_name=_("contributor group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
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
    # What was given, as a quantity, and how its money was reached (finance.in_kind). A
    # correction carries the change of quantity (a reversal takes it all back; a re-valuation
    # moves the money only).
    # db_default: the bulk writers (generate_synthetic's COPY) that name no such column.
    unit = models.CharField(
        _("unit"), max_length=20, choices=InKindUnit.choices, blank=True, default="", db_default=""
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    valued_by = models.CharField(
        _("valuation method"),
        max_length=12,
        choices=ValuedBy.choices,
        blank=True,
        default="",
        db_default="",
    )
    provider_country = models.ForeignKey(
        "activities.Country",
        verbose_name=_("provider country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rate_card = models.ForeignKey(
        "finance.RateCard",
        verbose_name=_("rate card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    unit_rate = models.DecimalField(
        _("value of one unit"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rate_card_version = models.PositiveIntegerField(_("rate card version"), null=True, blank=True)
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
            # PostgreSQL need not visit that year's rows scattered over the table.
            models.Index(
                fields=["fiscal_year", "activity"],
                include=["kind", "stage", "amount_usd"],
                name="entry_year_rollup",
            ),
            # The dashboard's and the roll-up API's quantities (finance.quantities) read only
            # the lines with a unit, a small part of the ledger: this index holds those alone,
            # with what the sums read.
            models.Index(
                fields=["activity", "unit"],
                include=[
                    "fiscal_year",
                    "provider_country",
                    "quantity",
                    "kind",
                    "valued_by",
                    "entry_type",
                ],
                condition=~models.Q(unit=""),
                name="entry_quantities",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contributor__isnull=True)
                | models.Q(contributor_group__isnull=True),
                name="entry_one_contributor",
            ),
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
            models.CheckConstraint(
                condition=models.Q(unit="", quantity__isnull=True)
                | (~models.Q(unit="") & models.Q(quantity__isnull=False)),
                name="quantity_has_a_unit",
            ),
            models.CheckConstraint(
                condition=~models.Q(valued_by="rate_card", entry_type="original")
                | models.Q(rate_card__isnull=False, unit_rate__isnull=False),
                name="rate_card_lines_keep_their_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.kind} {self.stage} {self.amount} {self.currency}"

    @property
    def contributor_name(self) -> str:
        """Who gives the line's money, as pages, exports and the API name it."""
        if self.contributor_group_id:
            return self.contributor_group.label  # type: ignore[union-attr]
        return self.contributor.name if self.contributor else "IFAD"

    @property
    def is_ifad(self) -> bool:
        return self.kind in IFAD_KINDS


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
