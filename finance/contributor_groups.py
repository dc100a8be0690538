"""Contributor groups: the workbook's "Other contributors (A, B)" labels, and the split of a
group's money among the partners it names.

The import (finance.import_plan) makes a label that names a group into a ContributorGroup, not
a partner, linked to the known partners the label names: an organization by its name or
acronym, a country by its government. The focal point later replaces a group's lines on an
activity by lines per partner (split_group_money): each line is reversed, with a reason, and
its money recorded again in parts that add up to it to the cent, in US$ as in its own
currency, at the rate the line was recorded at. Every figure that sums the ledger stays equal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from accounts import formatting
from activities.country_names import CountryMatcher
from activities.history import Through, marked
from activities.models import Activity, Country, Partner, PartnerType, normalize_name

from . import periods, services
from .errors import FinanceError
from .models import MAX_LINE_AMOUNT, ContributorGroup, EntryType, FinancialEntry, to_usd

if TYPE_CHECKING:
    from accounts.models import User

# "Other contributors", "Other contributors (FAO)", "Others (Brazil; China)", "Various donors":
# a label that says it stands for several givers, with the names it gives in brackets.
GROUP_LABEL = re.compile(
    r"(?:others?|various)(?:\s+(?:contributors?|donors?|partners?|organi[sz]ations?))?"
    r"\s*(?:\((?P<names>[^()]*)\))?\.?",
    re.IGNORECASE,
)
NAME_SEPARATORS = re.compile(r"\s*[,;/]\s*|\s+and\s+|\s*&\s*")


def group_names(label: str) -> list[str] | None:
    """The names a group label gives ([] for none); None when the label is not a group's."""
    match = GROUP_LABEL.fullmatch(" ".join(label.split()))
    if match is None:
        return None
    return [name for name in NAME_SEPARATORS.split(match.group("names") or "") if name]


class MemberFinder:
    """Finds the known partners a group label names, read once for many labels."""

    def __init__(self, labels: Iterable[str]) -> None:
        names = {name for label in labels for name in group_names(label) or []}
        keys = {normalize_name(name) for name in names}
        self.by_key: dict[str, Partner] = {}
        # Oldest first: of two partners sharing a name or acronym, the one people have used.
        for partner in Partner.objects.filter(
            Q(name_key__in=keys) | Q(acronym__in=[n.upper() for n in names] + list(names))
        ).order_by("pk"):
            self.by_key.setdefault(partner.name_key, partner)
            if partner.acronym:
                self.by_key.setdefault(normalize_name(partner.acronym), partner)
        self.countries = CountryMatcher(Country.objects.all()) if names else None
        self.governments: dict[int, Partner] = {}
        for partner in Partner.objects.filter(
            type=PartnerType.GOVERNMENT, country__isnull=False
        ).order_by("pk"):
            assert partner.country_id is not None
            self.governments.setdefault(partner.country_id, partner)

    def find(self, label: str) -> list[Partner]:
        found: list[Partner] = []
        for name in group_names(label) or []:
            partner = self.by_key.get(normalize_name(name))
            if partner is None and self.countries is not None:
                country = self.countries.match(name)
                partner = self.governments.get(country.pk) if country else None
            if partner is not None and partner not in found:
                found.append(partner)
        return found


def create_groups(
    *, labels: Iterable[str], user: User | None, reason: str | None
) -> dict[str, int]:
    """The group of each label (by its key), the missing ones created with their members."""
    wanted = {normalize_name(label): " ".join(label.split()) for label in labels}
    groups = dict(
        ContributorGroup.objects.filter(label_key__in=list(wanted)).values_list("label_key", "pk")
    )
    missing = {key: label for key, label in wanted.items() if key not in groups}
    finder = MemberFinder(missing.values())
    for key, label in missing.items():
        group = ContributorGroup(label=label[:255], label_key=key)
        group._history_user = user  # type: ignore[attr-defined]
        group._change_reason = reason  # type: ignore[attr-defined]
        group.save()
        group.members.set(finder.find(label))
        groups[key] = group.pk
    return groups


# --- Splitting a group's money ----------------------------------------------------------------


@dataclass(frozen=True)
class GroupLine:
    """An original entry of a group on an activity, as it stands after its corrections."""

    entry: FinancialEntry
    amount: Decimal
    amount_usd: Decimal

    @property
    def label(self) -> str:
        """The line as the split page names it: kind, stage, currency and year."""
        return _("%(kind)s, %(stage)s, %(currency)s, %(year)s") % {
            "kind": self.entry.get_kind_display(),
            "stage": str(self.entry.get_stage_display()).lower(),
            "currency": self.entry.currency,
            "year": self.entry.fiscal_year,
        }


@dataclass(frozen=True)
class SplitLine:
    """A group's line and the parts it becomes: (partner, amount, amount in US$)."""

    line: GroupLine
    parts: list[tuple[Partner, Decimal, Decimal]]


def group_lines(activity: Activity, group: ContributorGroup) -> list[GroupLine]:
    """The group's lines on the activity that still carry money, oldest first."""
    entries = (
        FinancialEntry.objects.filter(
            activity=activity, contributor_group=group, entry_type=EntryType.ORIGINAL
        )
        .annotate(
            corrected=Sum("corrections__amount", default=Decimal(0)),
            corrected_usd=Sum("corrections__amount_usd", default=Decimal(0)),
        )
        .order_by("value_date", "pk")
    )
    lines = [
        GroupLine(entry, entry.amount + entry.corrected, entry.amount_usd + entry.corrected_usd)
        for entry in entries
    ]
    return [line for line in lines if line.amount]


Shares = Mapping[int, Mapping[Partner, Decimal]]  # original entry pk -> partner -> amount


def _check_shares(lines: list[GroupLine], shares: Shares) -> dict[str, list[str]]:
    """Each line split entirely, in amounts to the cent that add up to it: per line, the
    problems keyed by the line's field name as the page names it (line_<entry pk>)."""
    errors: dict[str, list[str]] = {}
    if not lines:
        return {"__all__": [_("This group has no money left on this activity to split.")]}
    unknown = set(shares) - {line.entry.pk for line in lines}
    if unknown:
        errors["__all__"] = [_("Split only the group's lines listed on the page.")]
    guard = periods.PeriodGuard.load()
    for line in lines:
        field = f"line_{line.entry.pk}"
        parts = shares.get(line.entry.pk, {})
        problems = [
            *(m for ms in _closed(guard, line).values() for m in ms),
            *_amount_problems(parts.values()),
        ]
        if line.entry.unit:
            problems.append(_("A line with a quantity is corrected on the finance page."))
        total = sum(parts.values(), Decimal(0))
        if not problems and total != line.amount:
            problems.append(
                _("The parts add up to %(total)s %(currency)s, not %(amount)s.")
                % {
                    "total": formatting.amount(total),
                    "currency": line.entry.currency,
                    "amount": formatting.amount(line.amount),
                }
            )
        if problems:
            errors[field] = problems
    return errors


def _closed(guard: periods.PeriodGuard, line: GroupLine) -> dict[str, list[str]]:
    return guard.entry_refusals(
        value_date=line.entry.value_date,
        fiscal_year=line.entry.fiscal_year,
        activity_id=line.entry.activity_id,
    )


def _amount_problems(amounts: Iterable[Decimal]) -> list[str]:
    for amount in amounts:
        if not amount.is_finite() or amount < 0:
            return [_("Give each part as an amount of 0 or more.")]
        if not services.to_the_cent(amount):
            return [_("Give each part to the cent at most.")]
        if amount > MAX_LINE_AMOUNT:
            return [services.amount_over_limit(amount, "")]
    return []


def _usd_parts(line: GroupLine, parts: list[tuple[Partner, Decimal]]) -> list[Decimal]:
    """Each part in US$ at the line's rate; the largest part takes the cents that rounding each
    part on its own leaves over, so that the parts add up to the line in US$ too."""
    converted = [to_usd(amount, line.entry.units_per_usd) for _partner, amount in parts]
    largest = max(range(len(parts)), key=lambda i: parts[i][1])
    converted[largest] += line.amount_usd - sum(converted, Decimal(0))
    return converted


def check_split(*, activity: Activity, group: ContributorGroup, shares: Shares) -> list[SplitLine]:
    """The split as split_group_money would record it; FinanceError says why it cannot be."""
    lines = group_lines(activity, group)
    if errors := _check_shares(lines, shares):
        raise FinanceError(errors)
    split: list[SplitLine] = []
    for line in lines:
        parts = [(p, amount) for p, amount in shares[line.entry.pk].items() if amount]
        usd = _usd_parts(line, parts)
        split.append(SplitLine(line, [(p, a, u) for (p, a), u in zip(parts, usd, strict=True)]))
    return split


@transaction.atomic
def split_group_money(
    *,
    activity: Activity,
    group: ContributorGroup,
    shares: Shares,
    user: User | None,
    expected_version: int | None,
    through: Through | None = None,
) -> list[FinancialEntry]:
    """Replace the group's lines on the activity by lines per partner: all the lines or none.

    Each line is reversed (a correction saying why) and its money recorded again as one
    original entry per partner with a part, same kind, stage, currency, date and rate; every
    line written keeps `through` (the page's form) in its history.
    """
    services.claim_ledger(activity, expected_version, user)
    split = check_split(activity=activity, group=group, shares=shares)
    reason = (_("Split of %(group)s among its partners.") % {"group": group.label})[:500]
    written: list[FinancialEntry] = []
    for item in split:
        entry = item.line.entry
        written.append(
            _copy(
                entry,
                -item.line.amount,
                -item.line.amount_usd,
                reason=reason,
                user=user,
                through=through,
            )
        )
        for partner, amount, usd in item.parts:
            written.append(_copy(entry, amount, usd, partner=partner, user=user, through=through))
    services.refresh_rollups(activity, {item.line.entry.fiscal_year for item in split})
    services.touch_activities([activity.pk], user)
    return written


def _copy(
    entry: FinancialEntry,
    amount: Decimal,
    amount_usd: Decimal,
    *,
    user: User | None,
    through: Through | None,
    partner: Partner | None = None,
    reason: str = "",
) -> FinancialEntry:
    """The reversal of `entry` (no partner) or a partner's part of it (an original entry)."""
    copy = FinancialEntry(
        activity_id=entry.activity_id,
        contributor=partner,
        contributor_group=None if partner else entry.contributor_group,
        kind=entry.kind,
        valuation_method=entry.valuation_method,
        valuation_basis=entry.valuation_basis,
        provider_country_id=entry.provider_country_id,
        stage=entry.stage,
        amount=amount,
        currency=entry.currency,
        value_date=entry.value_date,
        fiscal_year=entry.fiscal_year,
        units_per_usd=entry.units_per_usd,
        amount_usd=amount_usd,
        reference=entry.reference,
        note=entry.note,
        entry_type=EntryType.ORIGINAL if partner else EntryType.REVERSAL,
        corrects=None if partner else entry,
        reason=reason,
        created_by=user,
    )
    copy._history_user = user  # type: ignore[attr-defined]
    marked(copy, through).save()
    return copy
