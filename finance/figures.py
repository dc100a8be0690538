"""The derived money figures: one definition, one rounding rule and one name each.

Every surface (the finance page, the dashboard and its downloads, the reports, the activities
API, the roll-up API) reads these from `FigureSet`, so that a figure shown under one name is the
same number everywhere:

- **leverage** on a basis (allocated or planned): (cofinancing + in-kind) / IFAD, a ratio with two
  decimals, e.g. 2.80 (shown "2.80x": accounts.formatting.ratio);
- **allocation rate**: allocated / planned, and **execution rate**: spent / allocated, each on two
  bases: IFAD's own money only (`..._ifad`) and all sources (`..._all`: IFAD, cofinancing and
  in-kind). Rates are percentages with one decimal, e.g. 33.4 (shown "33.4 %").

- **coverage**: the share of the selection confirmed by every side (Activity.agreement
  "confirmed"), in activities (`coverage_activities`: confirmed activities / activities with money
  in the selection) and in money (`coverage_money`: the allocated money of the confirmed
  activities / the selection's allocated money, where allocated money is IFAD + cofinancing +
  in-kind allocated, the selection's headline). Percentages like the rates. The filter on
  agreement itself is left out of both: they measure the selection, whatever state is shown.

Both round half up (0.125 -> 0.13; 33.35 % -> 33.4 %) from the exact quotient of the cent
amounts. A figure with nothing to divide by is None (shown as a dash, empty in files). The two
kinds, their rounding and how they are written are accounts.formatting's (Ratio, Percent), the
portal's one definition of how numbers read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.formatting import Percent, Ratio
from accounts.formatting import to_percent as percent
from accounts.formatting import to_ratio as ratio
from activities.models import Agreement

from .models import Stage

# The figures' names in files and the API, and their labels on pages and in file headers.
FIGURE_LABELS = {
    "leverage_allocated": _("Leverage, allocated basis: (cofinancing + in-kind) / IFAD"),
    "leverage_planned": _("Leverage, planned basis: (cofinancing + in-kind) / IFAD"),
    "allocation_rate_ifad": _("Allocation rate, IFAD: IFAD allocated / IFAD planned (%)"),
    "allocation_rate_all": _("Allocation rate, all sources: allocated / planned (%)"),
    "execution_rate_ifad": _("Execution rate, IFAD: IFAD spent / IFAD allocated (%)"),
    "execution_rate_all": _("Execution rate, all sources: spent / allocated (%)"),
}
FIGURE_NAMES = tuple(FIGURE_LABELS)
API_HELP = {
    "leverage_allocated": _(
        "(cofinancing + in-kind) / IFAD, allocated; two decimals, half up; null without IFAD money."
    ),
    "leverage_planned": _(
        "(cofinancing + in-kind) / IFAD, planned; two decimals, half up; null without IFAD money."
    ),
    "allocation_rate_ifad": _(
        "IFAD allocated / IFAD planned, per cent, one decimal, half up; null when nothing planned."
    ),
    "allocation_rate_all": _(
        "Allocated / planned over all sources, per cent, one decimal, half up; null when nothing "
        "planned."
    ),
    "execution_rate_ifad": _(
        "IFAD spent / IFAD allocated, per cent, one decimal, half up; null when nothing allocated."
    ),
    "execution_rate_all": _(
        "Spent / allocated over all sources, per cent, one decimal, half up; null when nothing "
        "allocated."
    ),
}


def api_field(name: str) -> serializers.DecimalField:
    """The API field of a derived figure: a decimal string with its rounding's places."""
    return serializers.DecimalField(
        max_digits=20,
        decimal_places=1 if "_rate_" in name else 2,
        allow_null=True,
        help_text=API_HELP[name],
    )


class DerivedFiguresSerializer(serializers.Serializer):
    """The derived figures' API fields, for the serializers that show money to include."""

    leverage_allocated = api_field("leverage_allocated")
    leverage_planned = api_field("leverage_planned")
    allocation_rate_ifad = api_field("allocation_rate_ifad")
    allocation_rate_all = api_field("allocation_rate_all")
    execution_rate_ifad = api_field("execution_rate_ifad")
    execution_rate_all = api_field("execution_rate_all")


COVERAGE_LABELS = {
    "coverage_activities": _("Confirmed by every side, activities: confirmed / all (%)"),
    "coverage_money": _(
        "Confirmed by every side, money: allocated in confirmed activities / allocated (%)"
    ),
}
COVERAGE_NAMES = tuple(COVERAGE_LABELS)


@dataclass(frozen=True)
class Coverage:
    """How much of a selection every side confirmed: its activities counted by agreement state,
    and its allocated money (US$) in all and in the confirmed activities."""

    activities: dict[str, int] = field(default_factory=dict)  # agreement state -> activities
    allocated: Decimal = Decimal("0.00")
    confirmed_allocated: Decimal = Decimal("0.00")

    def count(self, state: str) -> int:
        return self.activities.get(state, 0)

    @property
    def activity_count(self) -> int:
        return sum(self.activities.values())

    @property
    def coverage_activities(self) -> Percent | None:
        return percent(Decimal(self.count(Agreement.CONFIRMED)), Decimal(self.activity_count))

    @property
    def coverage_money(self) -> Percent | None:
        return percent(self.confirmed_allocated, self.allocated)

    def labelled(self) -> list[tuple[str, str, Decimal | None]]:
        return [(name, str(COVERAGE_LABELS[name]), getattr(self, name)) for name in COVERAGE_NAMES]


class CoverageSerializer(serializers.Serializer):
    """The coverage in the API: both shares and the counts and money behind them."""

    coverage_activities = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        allow_null=True,
        help_text=_(
            "Activities confirmed by every side / activities with money in the selection, per "
            "cent, one decimal, half up; null without activities. The agreement filter is left "
            "out."
        ),
    )
    coverage_money = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        allow_null=True,
        help_text=_(
            "Allocated money (IFAD + cofinancing + in-kind) of the activities confirmed by every "
            "side / the selection's allocated money, per cent, one decimal, half up; null "
            "without allocated money. The agreement filter is left out."
        ),
    )
    activities = serializers.IntegerField(
        source="activity_count", help_text=_("Activities with money in the selection.")
    )
    confirmed = serializers.SerializerMethodField()
    waiting = serializers.SerializerMethodField()
    disputed = serializers.SerializerMethodField()
    no_counterpart = serializers.SerializerMethodField()
    allocated_usd = serializers.DecimalField(max_digits=20, decimal_places=2, source="allocated")
    confirmed_allocated_usd = serializers.DecimalField(
        max_digits=20, decimal_places=2, source="confirmed_allocated"
    )

    def get_confirmed(self, coverage: Coverage) -> int:
        return coverage.count(Agreement.CONFIRMED)

    def get_waiting(self, coverage: Coverage) -> int:
        return coverage.count(Agreement.WAITING)

    def get_disputed(self, coverage: Coverage) -> int:
        return coverage.count(Agreement.DISPUTED)

    def get_no_counterpart(self, coverage: Coverage) -> int:
        return coverage.count(Agreement.NONE)


class Money(Protocol):
    """Money held as IFAD's, cofinancing and in-kind, each a mapping of stage -> US$."""

    @property
    def ifad(self) -> Mapping[str, Decimal]: ...

    @property
    def cofinancing(self) -> Mapping[str, Decimal]: ...

    @property
    def in_kind(self) -> Mapping[str, Decimal]: ...


def all_sources(money: Money, stage: str) -> Decimal:
    return money.ifad[stage] + money.cofinancing[stage] + money.in_kind[stage]


def leverage(money: Money, stage: str) -> Ratio | None:
    return ratio(money.cofinancing[stage] + money.in_kind[stage], money.ifad[stage])


class FigureSet:
    """The derived figures, for a class that holds Money (an activity's totals, a roll-up
    group's figures)."""

    def leverage(self: Money, stage: str = Stage.ALLOCATED) -> Ratio | None:
        return leverage(self, stage)

    @property
    def leverage_allocated(self: Money) -> Ratio | None:
        return leverage(self, Stage.ALLOCATED)

    @property
    def leverage_planned(self: Money) -> Ratio | None:
        return leverage(self, Stage.PLANNED)

    @property
    def allocation_rate_ifad(self: Money) -> Percent | None:
        return percent(self.ifad[Stage.ALLOCATED], self.ifad[Stage.PLANNED])

    @property
    def allocation_rate_all(self: Money) -> Percent | None:
        return percent(all_sources(self, Stage.ALLOCATED), all_sources(self, Stage.PLANNED))

    @property
    def execution_rate_ifad(self: Money) -> Percent | None:
        return percent(self.ifad[Stage.SPENT], self.ifad[Stage.ALLOCATED])

    @property
    def execution_rate_all(self: Money) -> Percent | None:
        return percent(all_sources(self, Stage.SPENT), all_sources(self, Stage.ALLOCATED))

    def labelled(self) -> list[tuple[str, str, Decimal | None]]:
        """(name, label, value) of every derived figure, for a page to list."""
        return [(name, str(FIGURE_LABELS[name]), getattr(self, name)) for name in FIGURE_NAMES]

    def derived(self) -> dict[str, Decimal | None]:
        """Every derived figure by its name (FIGURE_NAMES), as the API and files carry them."""
        return {name: getattr(self, name) for name in FIGURE_NAMES}
