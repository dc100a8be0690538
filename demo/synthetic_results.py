"""Results frameworks for `generate_synthetic --results SHARE`: a share of the generated
activities gets an outcome with a core quantitative indicator (disaggregated by sex) and, for
some, a qualitative one, with a period per calendar year of the activity's dates, targets and
updates in every state.

Like the rest of generate_synthetic it writes with bulk_create, without the services or the audit
history, and keeps their rules all the same: periods inside the activity's dates, values of the
indicator's kind, disaggregated values that add up to no more than the total, approved values
only where the period has started. It draws from its own random generator, so that asking for
results leaves the generated portfolio itself as it was with the same seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal

from activities.models import Activity
from results.models import (
    CoreIndicator,
    DimensionValue,
    Indicator,
    Period,
    Result,
    ResultType,
    Side,
    TargetDisaggregation,
    Update,
    UpdateDisaggregation,
    UpdateStatus,
)
from results.period_figures import refresh_activities

BATCH = 5000
QUANTITATIVE_CORES = ("people-trained", "institutions-strengthened", "innovations-adopted")
QUALITATIVE_CORE = "policies-influenced"
# Most updates are approved; the rest wait somewhere in the workflow.
STATUS_WEIGHTS = {
    UpdateStatus.APPROVED: 70,
    UpdateStatus.SUBMITTED: 12,
    UpdateStatus.DRAFT: 10,
    UpdateStatus.RETURNED: 8,
}


class LibraryMissing(Exception):
    """The core indicators or the sex dimension are not in the database (migrations not run)."""


@dataclass
class Library:
    quantitative: list[CoreIndicator]
    qualitative: CoreIndicator
    women: DimensionValue
    men: DimensionValue

    @classmethod
    def load(cls) -> Library:
        cores = {c.code: c for c in CoreIndicator.objects.all()}
        sex = {v.value: v for v in DimensionValue.objects.filter(dimension__name="Sex")}
        missing = [c for c in (*QUANTITATIVE_CORES, QUALITATIVE_CORE) if c not in cores]
        if missing or not {"Women", "Men"} <= set(sex):
            raise LibraryMissing(
                "The core indicator library is missing: run `manage.py migrate` first."
            )
        return cls(
            [cores[c] for c in QUANTITATIVE_CORES],
            cores[QUALITATIVE_CORE],
            sex["Women"],
            sex["Men"],
        )


def _years(activity: Activity) -> list[tuple[date, date]]:
    """A period per calendar year of the activity's dates (actual where known, else planned)."""
    start = activity.actual_start or activity.planned_start
    end = activity.actual_end or activity.planned_end
    if start is None or end is None or end < start:
        return []  # an exchange that started after its planned end has no period to report on
    return [
        (max(start, date(year, 1, 1)), min(end, date(year, 12, 31)))
        for year in range(start.year, end.year + 1)
    ]


class ResultsGenerator:
    def __init__(self, rng: random.Random, library: Library, share: float):
        self.rng = rng
        self.library = library
        self.share = share

    def add(self, activities: Sequence[Activity], today: date) -> int:
        """Frameworks on about `share` of `activities` (saved, with pks); returns how many."""
        chosen = [a for a in activities if self.rng.random() < self.share and _years(a)]
        results = Result.objects.bulk_create(
            [
                Result(
                    activity=activity,
                    type=ResultType.OUTCOME,
                    side=self.rng.choice(Side.values),
                    title="Guest organizations apply what the exchange showed",
                )
                for activity in chosen
            ],
            batch_size=BATCH,
        )
        indicators: list[tuple[Indicator, Activity]] = []
        for result, activity in zip(results, chosen, strict=True):
            core = self.rng.choice(self.library.quantitative)
            indicators.append(
                (self._indicator(result, core, "People and groups reached"), activity)
            )
            if self.rng.random() < 0.4:
                qualitative = self._indicator(result, self.library.qualitative, "Policy informed")
                indicators.append((qualitative, activity))
        Indicator.objects.bulk_create([i for i, _ in indicators], batch_size=BATCH)
        through = Indicator.dimensions.through
        through.objects.bulk_create(
            [
                through(indicator_id=i.pk, dimension_id=self.library.women.dimension_id)
                for i, _ in indicators
                if i.is_quantitative
            ],
            batch_size=BATCH,
        )
        self._periods(indicators, today)
        # Written past the services: the dashboard's stored rows are refreshed here instead.
        refresh_activities(activity.pk for activity in chosen)
        return len(chosen)

    def _indicator(self, result: Result, core: CoreIndicator, title: str) -> Indicator:
        return Indicator(
            result=result,
            core=core,
            title=title,
            kind=core.kind,
            unit=core.unit,
            measure=core.measure,
            cumulative=self.rng.random() < 0.8,
        )

    def _periods(self, indicators: Sequence[tuple[Indicator, Activity]], today: date) -> None:
        rng = self.rng
        periods: list[Period] = []
        for indicator, activity in indicators:
            for start, end in _years(activity):
                target = Decimal(rng.randint(5, 200)) if indicator.is_quantitative else None
                periods.append(
                    Period(indicator=indicator, start=start, end=end, target_value=target)
                )
        Period.objects.bulk_create(periods, batch_size=BATCH)
        targets: list[TargetDisaggregation] = []
        updates: list[Update] = []
        for period in periods:
            if period.target_value is not None and rng.random() < 0.5:
                women, men = self._split(period.target_value, whole=True)
                targets += [
                    TargetDisaggregation(period=period, dimension_value=value, value=amount)
                    for value, amount in ((self.library.women, women), (self.library.men, men))
                ]
            if period.start <= today:
                updates.extend(self._updates(period, today))
        TargetDisaggregation.objects.bulk_create(targets, batch_size=BATCH)
        Update.objects.bulk_create(updates, batch_size=BATCH)
        parts: list[UpdateDisaggregation] = []
        for update in updates:
            if update.value is not None and rng.random() < 0.6:
                women, men = self._split(update.value, whole=rng.random() < 0.7)
                parts += [
                    UpdateDisaggregation(update=update, dimension_value=value, value=amount)
                    for value, amount in ((self.library.women, women), (self.library.men, men))
                ]
        UpdateDisaggregation.objects.bulk_create(parts, batch_size=BATCH)

    def _split(self, total: Decimal, *, whole: bool) -> tuple[Decimal, Decimal]:
        """Women and men of `total`: all of it, or (as reporters often do) less, never more."""
        women = Decimal(self.rng.randint(0, int(total)))
        rest = total - women
        return women, rest if whole else Decimal(self.rng.randint(0, int(rest)))

    def _updates(self, period: Period, today: date) -> list[Update]:
        rng = self.rng
        rows = []
        for _ in range(rng.choice((1, 1, 1, 2))):
            status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
            reviewed = datetime.combine(min(period.end, today), time(12), tzinfo=UTC)
            quantitative = period.indicator.is_quantitative
            rows.append(
                Update(
                    period=period,
                    value=Decimal(rng.randint(0, 120)) if quantitative else None,
                    narrative="" if quantitative else "The exchange informed a draft policy.",
                    achieved=None if quantitative else rng.random() < 0.5,
                    status=status,
                    return_reason="Attach the list of participants."
                    if status == UpdateStatus.RETURNED
                    else "",
                    submitted_at=reviewed if status != UpdateStatus.DRAFT else None,
                    reviewed_at=reviewed
                    if status in (UpdateStatus.APPROVED, UpdateStatus.RETURNED)
                    else None,
                )
            )
        return rows
