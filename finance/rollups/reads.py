"""The reads: what a caller asked for (RollupFilters), who sees which money (rollup_scope), the
smallest grain that answers, and the sums pivoted into Figures."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from activities.models import (
    Agreement,
    Country,
    Division,
    FundingNature,
    Modality,
    Status,
    Theme,
)

from .. import access
from ..figures import Coverage, FigureSet, all_sources
from ..models import (
    CELL_AMOUNTS,
    IFAD_KINDS,
    AllYearsCell,
    ContributionKind,
    Grain,
    RollupCell,
    RollupRefresh,
    RollupRun,
    RollupSlice,
    Stage,
)
from .activity_grain import agreement_counts
from .filters import RollupFilters
from .sql import EVERY_AGREEMENT

GroupKey = int | str | None  # a year, a division/country/theme id, or a choice value

# --- reading --------------------------------------------------------------------------------------

DIMENSIONS = (
    *("year", "division", "country", "theme", "modality", "funding_nature", "status"),
    "agreement",
)
GROUP_BY_CHOICES = ("year", "division", "country", "theme", "modality", "funding_nature", "status")

# Every grain keeps the activities' agreement: the dashboard filtered by Confirmation reads the
# same grain as without it.
_GRAIN_DIMENSIONS: dict[str, frozenset[str]] = {
    Grain.MODALITY: frozenset({"year", "division", "modality", "agreement"}),
    Grain.CORE: frozenset(
        {"year", "division", "modality", "funding_nature", "status", "agreement"}
    ),
    Grain.COUNTRY: frozenset({"year", "division", "country", "agreement"}),
    Grain.THEME: frozenset({"year", "division", "theme", "agreement"}),
    Grain.FULL: frozenset(DIMENSIONS),
}
# Smallest first: the first grain that has every needed dimension answers the query.
_GRAIN_ORDER = (Grain.MODALITY, Grain.CORE, Grain.THEME, Grain.COUNTRY, Grain.FULL)


def choose_grain(dimensions: Iterable[str]) -> Grain:
    needed = set(dimensions)
    for grain in _GRAIN_ORDER:
        if needed <= _GRAIN_DIMENSIONS[grain]:
            return grain
    raise ValueError(f"Unknown roll-up dimensions: {sorted(needed - set(DIMENSIONS))}")


def rollup_scope(user: User) -> Q | None:
    """What part of the portfolio's money a user may see; None: nothing (finance.access)."""
    return access.rollup_scope(user)


def _filter_q(filters: RollupFilters) -> Q:
    query = Q()
    if filters.year_from is not None:
        query &= Q(year__gte=filters.year_from)
    if filters.year_to is not None:
        query &= Q(year__lte=filters.year_to)
    for values, name in (
        (filters.divisions, "division_id"),
        (filters.countries, "country_id"),
        (filters.themes, "theme_id"),
        (filters.modalities, "modality"),
        (filters.statuses, "status"),
        (filters.funding_natures, "funding_nature"),
        (filters.agreements, "agreement"),
    ):
        if values:
            query &= Q(**{f"{name}__in": values})
    return query


def rollup_rows(
    user: User, filters: RollupFilters, *, group_by: Iterable[str] = ()
) -> QuerySet[RollupCell]:
    """The roll-up rows that answer `filters` grouped by `group_by`, scoped to the user."""
    return scoped_rollup_rows(rollup_scope(user), filters, group_by=group_by)


def scoped_rollup_rows(
    scope: Q | None, filters: RollupFilters, *, group_by: Iterable[str] = ()
) -> QuerySet[RollupCell]:
    """As rollup_rows, for a scope given directly (None: nothing), as rollup_scope returns it."""
    grain = choose_grain(filters.dimensions() | set(group_by))
    rows = RollupCell.objects.filter(grain=grain)
    if scope is None:
        return rows.none()
    return rows.filter(scope, _filter_q(filters))


def scoped_all_years_rows(
    scope: Q | None, filters: RollupFilters, dimension: str
) -> QuerySet[AllYearsCell] | None:
    """The selection's cells by country (or theme) over all years, from AllYearsCell: when no
    year range is asked and the filters name nothing but divisions, agreements and that
    dimension. None
    when those cells cannot answer (scoped_rollup_rows then does)."""
    if dimension not in ("country", "theme"):
        return None
    if not filters.dimensions() <= {"division", dimension, "agreement"}:
        return None
    rows = AllYearsCell.objects.filter(grain=Grain(dimension).value)
    if scope is None:
        return rows.none()
    if not filters.agreements:
        # The rows summed over every agreement: a quarter as many.
        rows = rows.filter(agreement=EVERY_AGREEMENT)
    return rows.filter(scope, _filter_q(filters))


# The family each contribution kind's money counts in.
_FAMILY_OF_KIND = {kind.value: "ifad" for kind in IFAD_KINDS} | {
    ContributionKind.COFINANCING.value: "cofinancing",
    ContributionKind.IN_KIND.value: "in_kind",
}


_FAMILIES = ("ifad", "cofinancing", "in_kind")
_STAGES = tuple(Stage.values)  # Stage.values builds its list again at each call


def _dollars(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


@dataclass
class Figures(FigureSet):
    """Money of one group (or of the whole selection) by contribution family and stage, in US$.

    The sums are kept in whole cents and turned into Decimals when read: a dashboard page adds
    up thousands of sums, and adding Decimals one by one cost more than the page's queries.
    """

    key: GroupKey = None
    label: str = ""
    # kind -> stage -> cents
    cents: dict[str, dict[str, int]] = field(default_factory=dict)
    # family -> stage -> US$, computed when first read after a change
    _families: dict[str, dict[str, Decimal]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def add(self, kind: str, stage: str, cents: int) -> None:
        per_stage = self.cents.setdefault(kind, {})
        per_stage[stage] = per_stage.get(stage, 0) + cents
        self._families = None

    def _family(self, name: str) -> dict[str, Decimal]:
        if self._families is None:
            sums = {family: dict.fromkeys(_STAGES, 0) for family in _FAMILIES}
            for kind, stages in self.cents.items():
                family = sums[_FAMILY_OF_KIND[kind]]
                for stage, cents in stages.items():
                    family[stage] += cents
            self._families = {
                family: {stage: _dollars(cents) for stage, cents in per_stage.items()}
                for family, per_stage in sums.items()
            }
        return self._families[name]

    @property
    def ifad(self) -> dict[str, Decimal]:
        return self._family("ifad")

    @property
    def cofinancing(self) -> dict[str, Decimal]:
        return self._family("cofinancing")

    @property
    def in_kind(self) -> dict[str, Decimal]:
        return self._family("in_kind")


def _labels(group_by: str, keys: set[int | str]) -> dict[GroupKey, str]:
    ids = [key for key in keys if isinstance(key, int)]
    if group_by == "division":
        divisions = Division.objects.filter(pk__in=ids)
        return {d.pk: f"{d.code}: {d.display_name}" for d in divisions}
    if group_by == "country":
        return {c.pk: c.display_name for c in Country.objects.filter(pk__in=ids)}
    if group_by == "theme":
        return {t.pk: t.display_name for t in Theme.objects.filter(pk__in=ids)}
    choices: dict[str, type[models.TextChoices]] = {
        "modality": Modality,
        "funding_nature": FundingNature,
        "status": Status,
    }
    if group_by in choices:
        names = dict(choices[group_by].choices)
        return {key: str(names.get(str(key), key)) for key in keys}
    return {key: str(key) for key in keys}


UNATTRIBUTED = _("Not attributed")


def totals(user: User, filters: RollupFilters) -> Figures:
    """The selection's headline money (one query)."""
    return scoped_totals(rollup_scope(user), filters)


def scoped_totals(scope: Q | None, filters: RollupFilters) -> Figures:
    """As totals, for a scope given directly."""
    figures = Figures(label=str(_("Total")))
    for kind, stage, cents in _sums(scope, filters, ()):
        figures.add(kind, stage, cents)
    return figures


def money_sums() -> dict[str, Sum]:
    """The cells' money columns (one per kind and stage) summed, for annotate() or aggregate():
    named apart from the columns, which an annotation may not shadow. unpivot reads them."""
    return {f"sum_{column}": Sum(column) for _kind, _stage, column in CELL_AMOUNTS}


def unpivot(rows: Iterable[Sequence[Any]], keys: int) -> list[tuple[Any, ...]]:
    """(*keys, kind, stage, cents) of each money column of rows of (*keys, *money_sums()), the
    empty ones (no money of that kind and stage) left out."""
    sums: list[tuple[Any, ...]] = []
    for row in rows:
        head = tuple(row[:keys])
        for (kind, stage, _column), cents in zip(CELL_AMOUNTS, row[keys:], strict=True):
            if cents is not None:
                sums.append((*head, kind, stage, int(cents)))
    return sums


def _sums(scope: Q | None, filters: RollupFilters, group_by: tuple[str, ...]) -> list[Any]:
    """(*keys, kind, stage, cents) of the selection by `group_by`, from the cells."""
    columns = [
        f"{name}_id" if name in ("division", "country", "theme") else name for name in group_by
    ]
    rows = scoped_rollup_rows(scope, filters, group_by=group_by)
    if not columns:
        total = rows.aggregate(**money_sums())
        return unpivot([list(total.values())], 0)
    return unpivot(rows.values_list(*columns).annotate(**money_sums()).order_by(), len(columns))


def coverage(
    scope: Q | None,
    filters: RollupFilters,
    *,
    base_totals: Figures | None = None,
    activities: dict[str, int] | None = None,
) -> Coverage:
    """How much of the selection every side confirmed (finance.figures.Coverage), its filter on
    agreement left out: three queries at most; none for what the caller already has, the
    selection's totals without that filter (`base_totals`) or its activities counted by
    agreement (`activities`, as agreement_counts gives them).

    The money is summed over all years from AllYearsCell when it can answer (no year range,
    and no filter but divisions, agreements and one country or theme dimension): its rows,
    summed over every country or theme, are the cells' money, split to the cent."""
    base = dataclasses.replace(filters, agreements=())
    if base_totals is None:
        base_totals = _selection_totals(scope, base)
    confirmed = _selection_totals(
        scope, dataclasses.replace(base, agreements=(Agreement.CONFIRMED,))
    )
    return Coverage(
        activities=agreement_counts(scope, base) if activities is None else activities,
        allocated=all_sources(base_totals, Stage.ALLOCATED),
        confirmed_allocated=all_sources(confirmed, Stage.ALLOCATED),
    )


def _selection_totals(scope: Q | None, filters: RollupFilters) -> Figures:
    """The selection's totals, from the all-years cells of the theme (or country) grain when
    they answer, else from the smallest grain of the cells (scoped_totals)."""
    for dimension in ("theme", "country"):
        rows = scoped_all_years_rows(scope, filters, dimension)
        if rows is not None:
            figures = Figures(label=str(_("Total")))
            total = rows.aggregate(**money_sums())
            for kind, stage, cents in unpivot([list(total.values())], 0):
                figures.add(kind, stage, cents)
            return figures
    return scoped_totals(scope, filters)


def grouped_totals(user: User, filters: RollupFilters, group_by: str) -> list[Figures]:
    """The selection's money by one dimension (two queries: the sums and their labels).

    Groups come in the dimension's natural order (years ascending, names alphabetical); money of
    activities with no country or no theme is its own group, so the groups add up to `totals`.
    """
    if group_by not in GROUP_BY_CHOICES:
        raise ValueError(f"Unknown group_by: {group_by}")
    groups: dict[GroupKey, Figures] = {}
    for key, kind, stage, cents in _sums(rollup_scope(user), filters, (group_by,)):
        groups.setdefault(key, Figures(key=key)).add(kind, stage, cents)
    labels = _labels(group_by, {key for key in groups if key is not None})
    for key, figures in groups.items():
        figures.label = labels.get(key, str(UNATTRIBUTED)) if key is not None else str(UNATTRIBUTED)
    if group_by == "year":
        return [groups[key] for key in sorted(groups, key=lambda k: k if isinstance(k, int) else 0)]
    return sorted(groups.values(), key=lambda f: (f.key is None, f.label))


@dataclass(frozen=True)
class RollupState:
    """How fresh the figures are, for "figures as of <time>" and the stale warning."""

    as_of: datetime.datetime | None
    pending: int
    oldest_pending: datetime.datetime | None
    rebuild: RollupRun | None

    @property
    def is_refreshing(self) -> bool:
        return bool(self.pending) or (
            self.rebuild is not None
            and self.rebuild.state in (RollupRun.State.QUEUED, RollupRun.State.RUNNING)
        )

    def is_stale(self, now: datetime.datetime | None = None, grace_seconds: int = 30) -> bool:
        """A refresh asked for longer ago than a worker needs: Redis or the worker may be down."""
        if self.oldest_pending is None:
            return False
        now = now or timezone.now()
        return (now - self.oldest_pending).total_seconds() > grace_seconds


def rollup_state() -> RollupState:
    """Three small queries, whatever the size of the portfolio."""
    as_of = RollupSlice.objects.order_by("-computed_at").values_list("computed_at", flat=True)
    pending = RollupRefresh.objects.order_by("requested_at").values_list("requested_at", flat=True)
    pending_list = list(pending[:1])
    return RollupState(
        as_of=next(iter(as_of[:1]), None),
        pending=RollupRefresh.objects.count() if pending_list else 0,
        oldest_pending=pending_list[0] if pending_list else None,
        rebuild=RollupRun.objects.first(),
    )
