"""The roll-ups' stored tables.

The dashboard and the API read these summary tables, never the ledger, so their cost does not
grow with the number of entries. finance.rollups computes them; a slice is one fiscal year of
one lead division, and every table is replaced slice by slice, so a rerun is harmless.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from finance.models.ledger import ContributionKind, Stage


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
    PostgreSQL checks a deferred constraint row by row at COMMIT (a large share of a rebuild's
    time) and every index is one more write per row; the reads go through
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


def agreement_field() -> models.CharField[str, str]:
    """The activity's agreement (activities.Agreement: whether its sides confirmed it), copied
    like its other dimensions: the dashboard filtered by Confirmation reads the cells of those
    states instead of joining every activity's totals to its activity (benchmarks/README.md).
    Written by finance.rollups only, from Activity.agreement, which the counterparts app keeps
    and refreshes the activity's roll-ups when it moves."""
    return models.CharField(max_length=10)


def _amount() -> models.BigIntegerField[int | None, int | None]:
    # Whole cents: sums are exact on every database engine, so totals reconcile to the cent.
    # Empty (NULL) where the combination has no money of that kind and stage: an empty column
    # takes no room in the row, a zero eight bytes.
    return models.BigIntegerField(null=True)


class CellAmounts(models.Model):
    """US$ in cents by contribution kind and stage, one column each (CELL_AMOUNTS): a cell (or
    an activity's year) is one combination of dimensions with all its money, where a row per
    kind and stage made several times as many rows for a first build to write and index
    (benchmarks/README.md, roll-ups)."""

    ifad_grant_planned = _amount()
    ifad_grant_allocated = _amount()
    ifad_grant_spent = _amount()
    ifad_loan_planned = _amount()
    ifad_loan_allocated = _amount()
    ifad_loan_spent = _amount()
    ifad_admin_planned = _amount()
    ifad_admin_allocated = _amount()
    ifad_admin_spent = _amount()
    cofinancing_planned = _amount()
    cofinancing_allocated = _amount()
    cofinancing_spent = _amount()
    in_kind_planned = _amount()
    in_kind_allocated = _amount()
    in_kind_spent = _amount()

    class Meta:
        abstract = True

    def cents(self, kind: str, stage: str) -> int:
        """The cell's money of one kind and stage (0 when it has none)."""
        return int(getattr(self, amount_column(kind, stage)) or 0)


def amount_column(kind: str, stage: str) -> str:
    return f"{kind}_{stage}"


# (kind, stage, column) of every money column of the cells, in the columns' order.
CELL_AMOUNTS: tuple[tuple[str, str, str], ...] = tuple(
    (kind.value, stage.value, amount_column(kind.value, stage.value))
    for kind in ContributionKind
    for stage in Stage
)
AMOUNT_COLUMNS = tuple(column for _kind, _stage, column in CELL_AMOUNTS)
# The allocated money's columns: what the dashboard ranks and weighs activities by.
ALLOCATED_COLUMNS = tuple(
    column for _kind, stage, column in CELL_AMOUNTS if stage == Stage.ALLOCATED.value
)


class RollupCell(CellAmounts):
    """US$ (in cents) for one combination of dimensions of one grain, by kind and stage."""

    grain = models.CharField(max_length=8, choices=Grain.choices)
    year = models.PositiveSmallIntegerField()
    division = derived_key("activities.Division")
    country = derived_key("activities.Country", null=True)
    theme = derived_key("activities.Theme", null=True)
    modality = models.CharField(max_length=20, blank=True)
    funding_nature = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, blank=True)
    agreement = agreement_field()
    is_public = models.BooleanField()

    class Meta:
        indexes = [
            # A slice's cells, and one sub-slice's: a refresh after one edit reads the cells
            # of the edited activity's sub-slices among the few thousand of their year,
            # division and modality. A key of every sub-slice column (five of them text) took
            # a first build about three times as long to sort, for no faster refresh
            # (benchmarks/README.md).
            models.Index(
                fields=["year", "division", "modality", "grain"],
                name="rollup_cell_subslice",
            ),
            # A country filter is answered by the full grain: without an index the dashboard
            # filtered by one country read all of its cells to keep a few thousand. The
            # country's cells are read from this index alone, with every column the
            # dashboard needs: in the table they lie on about as many pages as there are
            # cells. Its price is its size, which grows with the full grain.
            models.Index(
                fields=["country", "year"],
                include=[
                    *("division", "theme", "modality", "funding_nature", "status"),
                    *("agreement", "is_public", *AMOUNT_COLUMNS),
                ],
                condition=models.Q(grain="full"),
                name="rollup_cell_full_country_cover",
            ),
            # No such index for a theme: the dashboard filtered by one theme (no target view)
            # reads the full grain's cells of that theme, about a tenth of them, from the table.
            # Its covering index was as large and as long to build as the country one, which
            # a first build pays after its years (benchmarks/README.md).
            # The country grain with every column the dashboard reads from it: one country's
            # money by country, and the whole grain summed by country (its cells lie on pages
            # shared with the other grains), are read from the index alone.
            models.Index(
                fields=["country", "year", "division"],
                include=["agreement", "is_public", *AMOUNT_COLUMNS],
                condition=models.Q(grain="country"),
                name="rollup_cell_country_cover",
            ),
            # The same for the theme grain and the core grain (money by year, division and
            # modality).
            models.Index(
                fields=["theme", "year", "division"],
                include=["agreement", "is_public", *AMOUNT_COLUMNS],
                condition=models.Q(grain="theme"),
                name="rollup_cell_theme_cover",
            ),
            models.Index(
                fields=["year", "division", "modality"],
                include=[
                    *("funding_nature", "status", "agreement", "is_public"),
                    *AMOUNT_COLUMNS,
                ],
                condition=models.Q(grain="core"),
                name="rollup_cell_core_cover",
            ),
            # The modality grain: the core grain without funding nature and status, so about
            # an eighth of its cells. The dashboard's money by year, division and modality,
            # with no such filter, is read from this index alone rather than from the core
            # grain.
            models.Index(
                fields=["year", "division", "modality"],
                include=["agreement", "is_public", *AMOUNT_COLUMNS],
                condition=models.Q(grain="modality"),
                name="rollup_cell_modality_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.year} {self.division_id}"


class AllYearsCell(CellAmounts):
    """The country and theme grains' cells summed over every fiscal year.

    The dashboard over all years (its first view, a division's, a country's or a theme's) sums
    these: a small fraction of the rows of the country grain alone, which takes too long to sum
    for the first view. Kept by finance.rollups after each refresh, for the divisions the
    refresh touched, and checked by the full rebuild.

    Each cell is kept by agreement and once more summed over every agreement (agreement "",
    finance.rollups.sql.EVERY_AGREEMENT): a view not filtered by agreement sums those, a
    quarter as many rows.
    """

    grain = models.CharField(max_length=8, choices=Grain.choices)  # country or theme
    division = derived_key("activities.Division")
    country = derived_key("activities.Country", null=True)
    theme = derived_key("activities.Theme", null=True)
    agreement = agreement_field()
    is_public = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["grain", "division"], name="all_years_cell_division"),
            # The dashboard's reads over all years, from the index alone: the rows over every
            # agreement (or those of the agreements asked), of every country or of one.
            models.Index(
                fields=["grain", "agreement", "country", "theme"],
                include=["division", "is_public", *AMOUNT_COLUMNS],
                name="all_years_cell_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.division_id}"


# An activity's own dimensions, as the activity tables copy them and ActivityCount counts them.
ACTIVITY_DIMENSIONS = ("division", "modality", "funding_nature", "status", "agreement", "is_public")


class ActivityDimensions(models.Model):
    """The dimensions of an activity that the activity tables copy (ACTIVITY_DIMENSIONS)."""

    division = derived_key("activities.Division")
    modality = models.CharField(max_length=20)
    funding_nature = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    agreement = agreement_field()
    is_public = models.BooleanField()

    class Meta:
        abstract = True


class ActivityYearTotal(CellAmounts, ActivityDimensions):
    """One activity's money in one fiscal year, one amount column per kind and stage (the first
    step of a roll-up: each amount is split over the activity's countries and themes).

    Also what the dashboard ranks its top activities and counts its activities from; the
    activity's own dimensions are copied here so those queries need no join. One row per
    activity and year, where a row per kind and stage made several times as many rows for a
    first build to write and index (benchmarks/README.md, roll-ups).
    """

    activity = derived_key("activities.Activity")
    year = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            # A sub-slice's totals, among the few hundred of their year, division and
            # modality (narrow for the first build, as the cells' sub-slice index).
            models.Index(
                fields=["year", "division", "modality"],
                name="rollup_activity_year_subslice",
            ),
            models.Index(fields=["activity"], name="rollup_activity_year_activity"),
            # A division's years (the dashboard's activities and flows over a year range) read
            # from the index alone, with every column those queries filter or sum on: in the
            # table, a division's totals of a few years lie scattered over thousands of pages.
            # The dashboard sums the allocated money only: the other stages stay out of it.
            models.Index(
                fields=["division", "year"],
                include=[
                    *("activity", "modality", "funding_nature", "status", "agreement"),
                    *("is_public", *ALLOCATED_COLUMNS),
                ],
                name="rollup_activity_year_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.year}"


class ActivityMoney(ActivityDimensions):
    """One activity's allocated money over all its fiscal years (ActivityYearTotal summed), with
    its dimensions: the dashboard ranks its top activities and counts its activities from one
    row per activity rather than grouping every year's totals, when no year range is asked for.

    Kept by finance.rollups with the totals: when a slice's totals change, the rows of the
    activities in that slice are recomputed from all their years' totals.
    """

    activity = derived_key("activities.Activity")
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
            # ActivityCount's rows are counted again from here, key by key, after each refresh.
            models.Index(fields=list(ACTIVITY_DIMENSIONS), name="activity_money_key"),
            # The activities of some agreement states (the in-kind read of the ledger filtered
            # by Confirmation, finance.quantities), read from the index alone rather than by
            # scanning every row.
            models.Index(
                fields=["agreement"], include=["activity"], name="activity_money_agreement"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.total_cents}"


class ActivityPair(ActivityDimensions):
    """Who shares with whom: one row per provider -> receiver country pair of an activity with
    money (one that has an ActivityMoney row), with that row's dimensions copied.

    The dashboard counts the pairs of its selection from these rows: the self-join of the
    activities' countries it replaces read every country link twice, whatever the selection.
    Kept by finance.rollups with ActivityMoney, from the
    activities' countries and their roles (a "both" country is a provider and a receiver).
    """

    activity = derived_key("activities.Activity")
    provider = derived_key("activities.Country")
    receiver = derived_key("activities.Country")

    class Meta:
        indexes = [
            # An activity's pairs: a refresh replaces them, and the dashboard filtered by a
            # country (or a theme) counts those of the activities linked to it, read from the
            # index alone: one country's activities are a few percent of the portfolio, whose
            # pairs a scan of the table would read.
            models.Index(
                fields=["activity"],
                include=["provider", "receiver"],
                name="activity_pair_activity_cover",
            ),
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
                    *("modality", "funding_nature", "status", "agreement", "is_public"),
                ],
                name="activity_pair_division_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.provider_id} -> {self.receiver_id}"


class PairCount(models.Model):
    """How many activities link a provider to a receiver country, per lead division, visibility
    and agreement: ActivityPair counted.

    The dashboard's flows over all years, filtered by division and agreement at most (the focal
    point's first view, a CPM's, the Confirmation filter's), add these up: a sixth of the rows
    that counting the pairs themselves reads. Kept by finance.rollups with ActivityPair.

    Each key is counted by agreement and once more over every agreement (agreement "",
    finance.rollups.sql.EVERY_AGREEMENT), as AllYearsCell is: a view not filtered by agreement
    adds up as many rows as when the counts had no agreement.
    """

    provider = derived_key("activities.Country")
    receiver = derived_key("activities.Country")
    division = derived_key("activities.Division")
    is_public = models.BooleanField()
    agreement = agreement_field()
    activities = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "receiver", "division", "is_public", "agreement"],
                name="one_pair_count",
            )
        ]
        indexes = [
            # The flows' read, from the index alone: the rows over every agreement, or those of
            # the agreements asked, where the table holds both.
            models.Index(
                fields=["agreement"],
                include=["provider", "receiver", "division", "is_public", "activities"],
                name="pair_count_agreement_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} -> {self.receiver_id}: {self.activities}"


class ActivityCount(ActivityDimensions):
    """How many activities have money (ActivityMoney rows) per combination of their
    dimensions: ActivityMoney counted.

    The dashboard counts its selection's activities by agreement on every view (the page's
    count, the coverage's); over all years and with no country or theme asked, it adds up these
    rows, one per combination of dimensions met, instead of grouping every activity's own
    (benchmarks/README.md, roll-ups). Kept by finance.rollups with ActivityMoney.
    """

    activities = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=list(ACTIVITY_DIMENSIONS), name="one_activity_count")
        ]

    def __str__(self) -> str:
        return f"{self.division_id} {self.agreement}: {self.activities}"


class QuantityAmounts(models.Model):
    """In-kind quantities of the ledger's lines with a unit, over all years, under the lead
    division, agreement and visibility of their activity (ActivityMoney's): by provider country
    and unit (`received` false), or the participant-days by receiving country, attributed in
    full to each (`received` true, finance.quantities says why)."""

    division = derived_key("activities.Division")
    agreement = agreement_field()
    is_public = models.BooleanField()
    received = models.BooleanField()
    country = derived_key("activities.Country", null=True)
    unit = models.CharField(max_length=20)
    quantity = models.DecimalField(max_digits=20, decimal_places=2)
    # The quantities of the lines in kind not valued (what leverage leaves out), and how many
    # such original lines: none on the rows by receiving country.
    not_valued = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    lines = models.PositiveIntegerField()

    class Meta:
        abstract = True


class ActivityQuantity(QuantityAmounts):
    """One activity's in-kind quantities (QuantityAmounts): what InKindQuantity sums, so that a
    refresh sums a key's activities' rows again rather than all their lines. Kept by
    finance.rollups with ActivityMoney."""

    activity = derived_key("activities.Activity")

    class Meta:
        indexes = [
            models.Index(fields=["activity"], name="activity_quantity_activity"),
            # A key's rows summed again after a refresh, from the index alone.
            models.Index(
                fields=["division", "agreement", "is_public"],
                include=["received", "country", "unit", "quantity", "not_valued", "lines"],
                name="activity_quantity_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.unit}: {self.quantity}"


class InKindQuantity(QuantityAmounts):
    """The activities' in-kind quantities (ActivityQuantity) summed over all years by the
    activity's lead division, agreement and visibility.

    The dashboard's in-kind over all years, filtered by division and agreement at most, adds
    these up instead of summing the ledger's lines of the selection's activities
    (benchmarks/README.md, roll-ups). Each key is kept by agreement and once more over every
    agreement (agreement "", finance.rollups.sql.EVERY_AGREEMENT), as AllYearsCell is. Kept
    by finance.rollups for the keys of the activities a refresh touches; checked by the
    rebuild.
    """

    class Meta:
        indexes = [
            # The dashboard's read, from the index alone: the rows over every agreement, or
            # those of the agreements asked.
            models.Index(
                fields=["agreement"],
                include=[
                    "division",
                    "is_public",
                    "received",
                    "country",
                    "unit",
                    "quantity",
                    "not_valued",
                    "lines",
                ],
                name="in_kind_quantity_cover",
            ),
            # A refresh's keys, replaced key by key.
            models.Index(
                fields=["division", "agreement", "is_public"], name="in_kind_quantity_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division_id} {self.agreement} {self.unit}: {self.quantity}"


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
