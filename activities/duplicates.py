"""Likely duplicates of an activity: which existing activities to show before a new one is saved.

Two steps. The database picks the candidates: activities sharing a country or a partner with the
new one, whose years overlap its own (give or take a year), at most CANDIDATES of them, the most
similar titles first (PostgreSQL's pg_trgm similarity over the GIN index on UPPER(title); SQLite,
the quickstart's database, has no trigram function and takes the most recently changed instead).
Then `score` weighs the four facts the focal point named (similar title, same countries,
overlapping years, shared partners) the same way on both databases, and `suggest` keeps those at
or above THRESHOLD. benchmarks/duplicates.py measures the time and the precision at 100,000
activities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from .models import (
    Activity,
    ActivityCountry,
    ActivityPartner,
    DuplicatePair,
    PairState,
)

if TYPE_CHECKING:
    from accounts.models import User

    from .services import ActivityData

# How much each fact counts; a fact the new activity does not give (no partners, no dates yet)
# is left out of the sum rather than counted as a difference.
WEIGHTS = {"title": 0.40, "countries": 0.25, "years": 0.15, "partners": 0.20}
# Read off benchmarks/duplicates.py's table (200 planted duplicates at 100,000 activities): at
# 0.70 the original is suggested for 99 % of them and 96 % of the suggestions are right; at 0.62
# precision falls to 83 %, as activities that merely share a topic and countries in the same
# years come up; at 0.80 recall falls to 94 %.
THRESHOLD = 0.70
CANDIDATES = 30
SHOWN = 5
# Years further apart than this do not overlap, even loosely.
YEAR_SLACK = 1

WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> frozenset[str]:
    """The trigrams pg_trgm takes from a text: each lower-case word padded with two spaces in
    front and one behind, so that Python and PostgreSQL agree on a title's similarity."""
    grams: set[str] = set()
    for word in WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(left: str, right: str) -> float:
    """pg_trgm's similarity(): shared trigrams over all trigrams of the two texts."""
    a, b = trigrams(left), trigrams(right)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def year_span(
    approval_year: int | None,
    planned_start: date | None,
    planned_end: date | None,
    actual_start: date | None,
    actual_end: date | None,
) -> tuple[int, int] | None:
    """The years an activity covers, from whatever it records; None when it records none."""
    starts = [d.year for d in (actual_start, planned_start) if d] + (
        [approval_year] if approval_year else []
    )
    ends = [d.year for d in (actual_end, planned_end) if d]
    if not starts and not ends:
        return None
    first = min(starts or ends)
    return first, max([first, *ends])


@dataclass(frozen=True)
class Facts:
    """What the comparison reads of an activity, saved or about to be."""

    title: str
    countries: frozenset[int]
    partners: frozenset[int]
    years: tuple[int, int] | None
    pk: int | None = None

    @classmethod
    def of_data(cls, data: ActivityData) -> Facts:
        fields = data.fields
        return cls(
            title=str(fields.get("title") or ""),
            countries=frozenset(link.country.pk for link in data.countries),
            partners=frozenset(link.partner.pk for link in data.partners),
            years=year_span(
                fields.get("approval_year"),
                fields.get("planned_start"),
                fields.get("planned_end"),
                fields.get("actual_start"),
                fields.get("actual_end"),
            ),
        )

    @classmethod
    def of_activity(cls, activity: Activity) -> Facts:
        """Reads country_links and partner_links: prefetch them for a list (see `candidates`)."""
        return cls(
            title=activity.title,
            countries=frozenset(link.country_id for link in activity.country_links.all()),
            partners=frozenset(link.partner_id for link in activity.partner_links.all()),
            years=year_span(
                activity.approval_year,
                activity.planned_start,
                activity.planned_end,
                activity.actual_start,
                activity.actual_end,
            ),
            pk=activity.pk,
        )


def _jaccard(left: frozenset[int], right: frozenset[int]) -> float:
    union = left | right
    return len(left & right) / len(union) if union else 0.0


def _years_alike(left: tuple[int, int], right: tuple[int, int] | None) -> float:
    if right is None:
        return 0.5  # unknown: neither evidence for nor against
    gap = max(left[0], right[0]) - min(left[1], right[1])
    if gap <= 0:
        return 1.0
    return 0.5 if gap <= YEAR_SLACK else 0.0


@dataclass
class Match:
    """One existing activity and how alike it is to the new one, fact by fact."""

    activity: Activity
    score: float
    title: float
    shared_countries: list[str] = field(default_factory=list)
    shared_partners: list[str] = field(default_factory=list)
    years_overlap: bool = False

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    def reasons(self) -> list[str]:
        """Why it was suggested, in words, for the page and the API."""
        found = [_("title %(percent)d %% alike") % {"percent": round(self.title * 100)}]
        if self.shared_countries:
            found.append(
                _("same countries: %(names)s") % {"names": ", ".join(self.shared_countries)}
            )
        if self.years_overlap:
            found.append(_("overlapping years"))
        if self.shared_partners:
            found.append(
                _("shared partners: %(names)s") % {"names": ", ".join(self.shared_partners)}
            )
        return found


def score(new: Facts, old: Facts) -> float:
    """How alike two activities are, from 0 to 1: the weighted facts the new one gives."""
    parts = {
        "title": similarity(new.title, old.title),
        "countries": _jaccard(new.countries, old.countries) if new.countries else None,
        "partners": _jaccard(new.partners, old.partners) if new.partners else None,
        "years": _years_alike(new.years, old.years) if new.years else None,
    }
    known = {name: value for name, value in parts.items() if value is not None}
    weight = sum(WEIGHTS[name] for name in known)
    return sum(WEIGHTS[name] * value for name, value in known.items()) / weight


def _match(new: Facts, activity: Activity) -> Match:
    old = Facts.of_activity(activity)
    return Match(
        activity=activity,
        score=score(new, old),
        title=similarity(new.title, old.title),
        shared_countries=sorted(
            link.country.display_name
            for link in activity.country_links.all()
            if link.country_id in new.countries
        ),
        shared_partners=sorted(
            {
                link.partner.name
                for link in activity.partner_links.all()
                if link.partner_id in new.partners
            }
        ),
        years_overlap=bool(new.years and old.years and _years_alike(new.years, old.years) == 1.0),
    )


def compare(newer: Activity, older: Activity) -> Match:
    """Two saved activities, as the newer one would have been compared with the older one
    (both with their country and partner links prefetched, with the names)."""
    return _match(Facts.of_activity(newer), older)


def _year_window(queryset: models.QuerySet[Activity], years: tuple[int, int]) -> Any:
    """Activities whose years meet `years`, give or take YEAR_SLACK, and those with no year.

    On the columns themselves, not on their years: the test is cheap for the few activities
    that share countries, and nothing here tempts PostgreSQL into reading every activity of
    the years (the list's year index would) before it joins the shared ones."""
    until = date(years[1] + YEAR_SLACK, 12, 31)
    since = date(years[0] - YEAR_SLACK, 1, 1)
    no_dates = Q(actual_start__isnull=True, planned_start__isnull=True)
    began = (
        Q(actual_start__lte=until)
        | Q(actual_start__isnull=True, planned_start__lte=until)
        | no_dates & (Q(approval_year__lte=until.year) | Q(approval_year__isnull=True))
    )
    ended = (
        Q(actual_end__gte=since)
        | Q(actual_end__isnull=True, planned_end__gte=since)
        | Q(actual_end__isnull=True, planned_end__isnull=True)
        & (
            Q(actual_start__gte=since)
            | Q(actual_start__isnull=True, planned_start__gte=since)
            | no_dates & (Q(approval_year__gte=since.year) | Q(approval_year__isnull=True))
        )
    )
    return queryset.filter(began & ended)


def decided_with(pk: int | None) -> set[int]:
    """The activities a person already said `pk` is not (or no longer) a duplicate of."""
    if pk is None:
        return set()
    pairs = DuplicatePair.objects.filter(Q(first_id=pk) | Q(second_id=pk)).exclude(
        state=PairState.OPEN
    )
    return {other for pair in pairs.values_list("first_id", "second_id") for other in pair} - {pk}


def _sharing_countries(countries: frozenset[int]) -> models.QuerySet[Any, Any]:
    """The ids of the activities that share two of `countries` (one, when it is one): a single
    shared country among several is how neighbouring activities look, and scoring every title
    of a region costs more than the target allows (about 8,000 activities for three countries
    at 100,000; benchmarks/duplicates.py). A partner in common brings the others in."""
    return (
        ActivityCountry.objects.filter(country_id__in=countries)
        .values("activity_id")
        .annotate(shared=models.Count("pk"))
        .filter(shared__gte=min(2, len(countries)))
        .values("activity_id")
    )


def candidates(new: Facts, user: User, *, limit: int = CANDIDATES) -> list[Activity]:
    """At most `limit` activities the user reads that share a country or a partner with `new`
    in overlapping years, the most similar titles first, with what `score` reads prefetched."""
    if not new.countries and not new.partners:
        return []
    linked = _sharing_countries(new.countries)
    if new.partners:
        # One subquery for both: `pk IN (...) OR pk IN (...)` makes PostgreSQL test every
        # activity against both.
        linked = linked.union(
            ActivityPartner.objects.filter(partner_id__in=new.partners).values("activity_id")
        )
    # The ids first, as a list: given the subquery, PostgreSQL hashes it and reads every
    # activity of the years to join them (benchmarks/duplicates.py: median 140 ms against
    # 40 ms at 100,000 activities), where a list of a few thousand ids is read by key.
    ids = list(linked.values_list("activity_id", flat=True))
    queryset = Activity.objects.visible_to(user).filter(pk__in=ids)
    if new.pk is not None:
        queryset = queryset.exclude(pk=new.pk)
    if new.years:
        queryset = _year_window(queryset, new.years)
    ordered: models.QuerySet[Activity]
    if connection.vendor == "postgresql":
        ordered = queryset.annotate(
            dup_similarity=TrigramSimilarity(Upper("title"), new.title.upper())
        ).order_by("-dup_similarity", "-pk")
    else:
        ordered = queryset.order_by("-updated_at", "-pk")
    return list(
        ordered.only(
            "id",
            "ssc_id",
            "title",
            "status",
            "approval_year",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
        ).prefetch_related(
            models.Prefetch(
                "country_links",
                queryset=ActivityCountry.objects.select_related("country").only(
                    "activity_id", "country__iso2", "country__name"
                ),
            ),
            models.Prefetch(
                "partner_links",
                queryset=ActivityPartner.objects.select_related("partner").only(
                    "activity_id", "partner__name"
                ),
            ),
        )[:limit]
    )


def rank(new: Facts, user: User) -> list[Match]:
    """Every candidate scored, the likeliest first, leaving out the activities a person already
    told apart from `new` (benchmarks/duplicates.py reads the threshold off these)."""
    told_apart = decided_with(new.pk)
    matches = [
        _match(new, activity) for activity in candidates(new, user) if activity.pk not in told_apart
    ]
    matches.sort(key=lambda m: (-m.score, -m.activity.pk))
    return matches


def suggest(new: Facts, user: User, *, shown: int = SHOWN) -> list[Match]:
    """The likely duplicates of `new` among what `user` reads: at least THRESHOLD alike."""
    return [m for m in rank(new, user) if m.score >= THRESHOLD][:shown]


def pair_ids(left: int, right: int) -> tuple[int, int]:
    """A pair's (first, second): the lower id first, as the table's constraint wants."""
    return (left, right) if left < right else (right, left)


def as_row(match: Match) -> dict[str, Any]:
    """A suggestion for a page that lists several activities' (an import's preview)."""
    activity = match.activity
    return {
        "id": activity.pk,
        "ssc_id": activity.ssc_id,
        "title": activity.title,
        "likeness": match.percent,
        "reasons": match.reasons(),
    }


def unchecked(matches: Sequence[Match], checked: Iterable[int]) -> list[Match]:
    """The suggestions the caller did not say it looked at."""
    seen = set(checked)
    return [m for m in matches if m.activity.pk not in seen]
