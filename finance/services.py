"""Writes to the ledger and the exchange rates.

Every entry is converted to US$ when it is recorded, with the rate of its currency for the month
of its value date, and keeps that rate: a later change of the rate table never changes a recorded
figure. A missing rate refuses the entry, naming the currency and month; it never falls back to 1.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import formatting
from accounts.text import FIRST_YEAR, LAST_YEAR, field_errors, year_problem
from activities.history import Through, marked
from activities.models import Activity, Country, Partner

from . import in_kind, periods, rollups
from .amounts import AmountError, parse_amount
from .errors import FinanceError, LedgerConflict
from .jobs import queue_rollup_rebuild
from .models import (
    CENT,
    CURRENCY_CODES,
    IFAD_KINDS,
    MAX_LINE_AMOUNT,
    ClosedPeriod,
    ContributionKind,
    EntryType,
    ExchangeRate,
    FinancialEntry,
    InKindUnit,
    LedgerLock,
    PeriodException,
    RollupRun,
    ValuedBy,
    first_of_month,
    to_usd,
)
from .signals import ledger_changed

if TYPE_CHECKING:
    from accounts.models import User


# --- Rates ------------------------------------------------------------------------------------


def rate_for(currency: str, value_date: datetime.date) -> Decimal:
    """Units of `currency` per US$ for the month of `value_date`."""
    if currency == "USD":
        return Decimal(1)
    month = first_of_month(value_date)
    rate = (
        ExchangeRate.objects.filter(currency=currency, month=month)
        .values_list("units_per_usd", flat=True)
        .first()
    )
    if rate is None:
        raise FinanceError(
            {
                "currency": [
                    _(
                        "No exchange rate for %(currency)s in %(month)s: the focal point must add "
                        "it before amounts in this currency can be recorded."
                    )
                    % {"currency": currency, "month": f"{month:%Y-%m}"}
                ]
            }
        )
    return rate


# A rate this many times above or below its neighbouring months is asked about before it is kept:
# a misplaced decimal mark makes one a thousand times off, a real devaluation rarely five.
OUTLIER_FACTOR = 5

Neighbours = list[tuple[datetime.date, Decimal]]


class RateOutlier(FinanceError):
    """A rate far off its currency's neighbouring months: kept only once confirmed."""


def rate_outlier_message(
    currency: str, month: datetime.date, units_per_usd: Decimal, neighbours: Neighbours
) -> str:
    return _(
        "%(rate)s %(currency)s per US$ for %(month)s is more than %(factor)d times off the "
        "neighbouring months (%(neighbours)s): check it, and confirm it if it is right."
    ) % {
        "rate": units_per_usd,
        "currency": currency,
        "month": f"{month:%Y-%m}",
        "factor": OUTLIER_FACTOR,
        "neighbours": ", ".join(f"{m:%Y-%m}: {r.normalize():f}" for m, r in neighbours),
    }


def outlier_neighbours(
    month: datetime.date, units_per_usd: Decimal, known: dict[datetime.date, Decimal]
) -> Neighbours:
    """The nearest earlier and later months with a rate, when the rate is more than
    OUTLIER_FACTOR times off every one of them (else []): in line with one neighbour it may be a
    real move, as a devaluation is; off both, it looks like a typo."""
    earlier = max((m for m in known if m < month), default=None)
    later = min((m for m in known if m > month), default=None)
    neighbours = [(m, known[m]) for m in (earlier, later) if m is not None]
    far = all(
        units_per_usd > rate * OUTLIER_FACTOR or units_per_usd * OUTLIER_FACTOR < rate
        for _month, rate in neighbours
    )
    return neighbours if far else []


def _known_rates(currencies: Iterable[str]) -> dict[str, dict[datetime.date, Decimal]]:
    known: dict[str, dict[datetime.date, Decimal]] = {}
    rows = ExchangeRate.objects.filter(currency__in=list(currencies)).values_list(
        "currency", "month", "units_per_usd"
    )
    for currency, month, rate in rows:
        known.setdefault(currency, {})[month] = rate
    return known


@transaction.atomic
def set_rate(
    *,
    currency: str,
    month: datetime.date,
    units_per_usd: Decimal,
    source: str,
    user: User | None,
    confirmed: bool = False,
) -> ExchangeRate:
    """Add or change one month's rate; one far off its neighbours (RateOutlier) needs
    `confirmed`."""
    currency = currency.strip().upper()
    errors: dict[str, list[str]] = {}
    if currency not in CURRENCY_CODES:
        errors["currency"] = [_("%(code)s is not an ISO 4217 currency code.") % {"code": currency}]
    if currency == "USD":
        errors["currency"] = [_("US$ is the reference currency: its rate is always 1.")]
    if units_per_usd is None or units_per_usd <= 0:
        errors["units_per_usd"] = [_("The rate must be a positive number of units per US$.")]
    else:
        # The column's digits: more decimals would round to 0 and more figures overflow it.
        errors.update(field_errors(ExchangeRate, {"units_per_usd": units_per_usd}))
    errors.update(field_errors(ExchangeRate, {"month": month, "source": source}))
    errors.update(periods.PeriodGuard.load().month_refusals(month))
    if errors:
        raise FinanceError(errors)
    month = first_of_month(month)
    if not confirmed:
        others = {m: r for m, r in _known_rates([currency]).get(currency, {}).items() if m != month}
        if neighbours := outlier_neighbours(month, units_per_usd, others):
            raise RateOutlier(
                {
                    "units_per_usd": [
                        rate_outlier_message(currency, month, units_per_usd, neighbours)
                    ]
                }
            )
    rate, created = ExchangeRate.objects.get_or_create(
        currency=currency,
        month=first_of_month(month),
        defaults={"units_per_usd": units_per_usd, "source": source, "updated_by": user},
    )
    if not created and (rate.units_per_usd != units_per_usd or rate.source != source):
        rate.units_per_usd, rate.source, rate.updated_by = units_per_usd, source, user
        rate._history_user = user  # type: ignore[attr-defined]
        rate.save()
    return rate


@dataclass(frozen=True)
class RateImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def import_rates_csv(
    *, text: str, user: User | None, source: str = "", confirm_outliers: bool = False
) -> RateImportResult:
    """Columns currency, month (YYYY-MM), units per US$. All rows or none; errors name the row.

    A rate far off its neighbouring months (those of the file and those kept) refuses the file
    with RateOutlier, naming the rows, unless `confirm_outliers`.
    """
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        raise FinanceError(_("The file is empty."))
    header = [cell.strip().lower() for cell in rows[0]]
    start = 1 if header[:1] == ["currency"] else 0
    errors: list[str] = []
    parsed: list[tuple[int, str, datetime.date, Decimal]] = []
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        found = _parse_rate_row(number, row, errors)
        if found is not None:
            parsed.append((number, *found))
    if errors:
        raise FinanceError({"file": errors})
    if not confirm_outliers:
        _refuse_outliers(parsed)
    created = updated = unchanged = 0
    for number, currency, month, rate in parsed:
        existing = ExchangeRate.objects.filter(currency=currency, month=month).first()
        if existing and existing.units_per_usd == rate:
            unchanged += 1
            continue
        try:
            set_rate(
                currency=currency,
                month=month,
                units_per_usd=rate,
                source=source,
                user=user,
                confirmed=True,  # checked above against the file's rows as well
            )
        except FinanceError as error:
            raise FinanceError(
                {
                    "file": [
                        _("Row %(row)d, column %(column)s: %(message)s")
                        % {"row": number, "column": name, "message": message}
                        for name, messages in error.errors.items()
                        for message in messages
                    ]
                }
            ) from None
        if existing:
            updated += 1
        else:
            created += 1
    return RateImportResult(created, updated, unchanged)


def _parse_rate_row(
    number: int, row: list[str], errors: list[str]
) -> tuple[str, datetime.date, Decimal] | None:
    """One row of a rates file as (currency, month, rate); its problems go to `errors`, and
    None comes back when the row cannot be read further."""
    expected = ["currency", "month", "units_per_usd"]
    if len(row) < 3:
        errors.append(
            _("Row %(row)d: expected 3 columns (%(columns)s).")
            % {"row": number, "columns": ", ".join(expected)}
        )
        return None
    currency, month_text, rate_text = (cell.strip() for cell in row[:3])
    currency = currency.upper()
    if currency not in CURRENCY_CODES or currency == "USD":
        errors.append(
            _("Row %(row)d, column currency: %(value)r is not a currency to convert.")
            % {"row": number, "value": currency}
        )
    try:
        month = datetime.datetime.strptime(month_text, "%Y-%m").date()
    except ValueError:
        errors.append(
            _("Row %(row)d, column month: %(value)r is not a month as YYYY-MM.")
            % {"row": number, "value": month_text}
        )
        return None
    if year_problem(month.year):
        errors.append(
            _("Row %(row)d, column month: %(problem)s")
            % {"row": number, "problem": year_problem(month.year)}
        )
        return None
    try:
        rate = parse_amount(rate_text)
        if not rate.is_finite() or rate <= 0:
            raise AmountError(rate_text)
    except AmountError as error:
        errors.append(
            _("Row %(row)d, column units_per_usd: %(problem)s")
            % {"row": number, "problem": error.message}
            if error.message
            else _("Row %(row)d, column units_per_usd: %(value)r is not a positive number.")
            % {"row": number, "value": rate_text}
        )
        return None
    return currency, month, rate


def _refuse_outliers(parsed: list[tuple[int, str, datetime.date, Decimal]]) -> None:
    known = _known_rates({currency for _number, currency, _month, _rate in parsed})
    for _number, currency, month, rate in parsed:
        known.setdefault(currency, {})[month] = rate
    problems = []
    for number, currency, month, rate in parsed:
        others = {m: r for m, r in known[currency].items() if m != month}
        if neighbours := outlier_neighbours(month, rate, others):
            problems.append(
                _("Row %(row)d: %(problem)s")
                % {
                    "row": number,
                    "problem": rate_outlier_message(currency, month, rate, neighbours),
                }
            )
    if problems:
        raise RateOutlier({"file": problems})


# --- Ledger -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryData:
    kind: str
    stage: str
    # None: the line's method gives its money (a rate card, or not valued: finance.in_kind).
    amount: Decimal | None
    currency: str
    value_date: datetime.date
    contributor: Partner | None = None
    fiscal_year: int | None = None
    valuation_method: str = ""
    valuation_basis: str = ""
    reference: str = ""
    note: str = ""
    unit: str = ""
    quantity: Decimal | None = None
    valued_by: str = ""
    provider_country: Country | None = None

    @property
    def unit_label(self) -> str:
        return str(InKindUnit(self.unit).label) if self.unit in InKindUnit.values else self.unit


def ledger_version(activity: Activity) -> int:
    lock = LedgerLock.objects.filter(activity=activity).first()
    return lock.version if lock else 0


def claim_ledger(activity: Activity, expected_version: int | None, user: User | None) -> None:
    """Optimistic lock on an activity's figures: the version a form loaded must still be current."""
    lock, _created = LedgerLock.objects.get_or_create(activity=activity)
    if expected_version is None:
        expected_version = lock.version
    claimed = LedgerLock.objects.filter(pk=lock.pk, version=expected_version).update(
        version=F("version") + 1, updated_by=user, updated_at=datetime.datetime.now(datetime.UTC)
    )
    if not claimed:
        lock.refresh_from_db()
        raise LedgerConflict(lock, expected_version)


def _check_entry(data: EntryData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in ContributionKind.values:
        errors["kind"] = [_("Choose the kind of contribution.")]
    if data.kind in IFAD_KINDS and data.contributor is not None:
        errors["contributor"] = [_("IFAD's own resources have no other contributor.")]
    if data.kind not in IFAD_KINDS and data.contributor is None:
        errors["contributor"] = [_("Say which organization contributes.")]
    if data.kind == ContributionKind.IN_KIND and not (data.valuation_method or data.unit):
        errors["valuation_method"] = [_("Say what the in-kind contribution is.")]
    if data.kind != ContributionKind.IN_KIND and data.valuation_method:
        errors["valuation_method"] = [_("Only in-kind contributions are valued.")]
    if data.amount is None or not data.amount.is_finite():
        errors["amount"] = [_("Give the amount as a number.")]
    elif data.amount < 0:
        errors["amount"] = [_("Amounts are positive; record a correction to reduce a figure.")]
    elif not to_the_cent(data.amount):
        errors["amount"] = [_("Give the amount to the cent at most.")]
    elif data.amount > MAX_LINE_AMOUNT:
        errors["amount"] = [amount_over_limit(data.amount, data.currency)]
    if data.currency not in CURRENCY_CODES:
        errors["currency"] = [
            _("%(code)s is not an ISO 4217 currency code.") % {"code": data.currency}
        ]
    if data.fiscal_year is not None and not FIRST_YEAR <= data.fiscal_year <= LAST_YEAR:
        errors["fiscal_year"] = [
            _("Give a year between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        ]
    # The value date's own range also bounds the fiscal year derived from it.
    texts = {name: getattr(data, name) for name in ("valuation_basis", "reference", "note")}
    for name, messages in field_errors(
        FinancialEntry, {**texts, "value_date": data.value_date}
    ).items():
        errors.setdefault(name, []).extend(messages)
    return errors


def to_the_cent(amount: Decimal) -> bool:
    return amount.as_tuple().exponent >= -2  # type: ignore[operator]


def amount_over_limit(amount: Decimal, currency: str) -> str:
    return _(
        "The amount %(amount)s %(currency)s is too large for one line: the limit is %(limit)s. "
        "Check the figure, or split it over several lines."
    ) % {
        "amount": formatting.amount(amount),
        "currency": currency,
        "limit": formatting.amount(MAX_LINE_AMOUNT),
    }


def converted_over_limit(amount_usd: Decimal, currency: str) -> str | None:
    """The refusal of a line whose US$ value is above the limit (a currency worth more than the
    dollar makes a smaller amount larger), or None."""
    if abs(amount_usd) <= MAX_LINE_AMOUNT:
        return None
    return _(
        "The amount converted to US$ is %(usd)s, too large for one line: the limit is "
        "US$ %(limit)s. Check the amount and the %(currency)s rate."
    ) % {
        "usd": formatting.amount(amount_usd),
        "limit": formatting.amount(MAX_LINE_AMOUNT),
        "currency": currency,
    }


def _new_entry(
    activity: Activity,
    data: EntryData,
    user: User | None,
    guard: periods.PeriodGuard,
    through: Through | None,
) -> FinancialEntry:
    data, card = in_kind.valued(data)
    errors = _check_entry(data) or guard.entry_refusals(
        value_date=data.value_date,
        fiscal_year=data.fiscal_year or data.value_date.year,
        activity_id=activity.pk,
    )
    if errors:
        raise FinanceError(errors)
    assert data.amount is not None  # in_kind.valued gave it, or _check_entry refused
    rate = rate_for(data.currency, data.value_date)
    amount_usd = to_usd(data.amount, rate)
    if problem := converted_over_limit(amount_usd, data.currency):
        raise FinanceError({"amount": [problem]})
    entry = FinancialEntry(
        activity=activity,
        contributor=data.contributor,
        kind=data.kind,
        valuation_method=data.valuation_method,
        valuation_basis=data.valuation_basis,
        unit=data.unit,
        quantity=data.quantity,
        valued_by=data.valued_by,
        provider_country=data.provider_country,
        rate_card=card,
        unit_rate=card.amount if card else None,
        rate_card_version=card.version if card else None,
        stage=data.stage,
        amount=data.amount,
        currency=data.currency,
        value_date=data.value_date,
        fiscal_year=data.fiscal_year or data.value_date.year,
        units_per_usd=rate,
        amount_usd=amount_usd,
        reference=data.reference,
        note=data.note,
        created_by=user,
    )
    entry._history_user = user  # type: ignore[attr-defined]
    marked(entry, through).save()
    return entry


@transaction.atomic
def record_entries(
    *,
    activity: Activity,
    entries: Iterable[EntryData],
    user: User | None,
    expected_version: int | None,
    through: Through | None = None,
) -> list[FinancialEntry]:
    """Record several lines at once (a sheet row, a form with many lines): all or none.
    `through`: the page's form or the API, kept in each line's history."""
    claim_ledger(activity, expected_version, user)
    guard = periods.PeriodGuard.load()
    recorded: list[FinancialEntry] = []
    problems: dict[str, list[str]] = {}
    for number, data in enumerate(entries, start=1):
        try:
            recorded.append(_new_entry(activity, data, user, guard, through))
        except FinanceError as error:
            for name, messages in error.errors.items():
                problems.setdefault(name, []).extend(
                    _("Line %(line)d: %(message)s") % {"line": number, "message": m}
                    for m in messages
                )
    if problems:
        raise FinanceError(problems)
    refresh_rollups(activity, {entry.fiscal_year for entry in recorded})
    touch_activities([activity.pk], user)
    return recorded


def touch_activities(ids: Iterable[int], user: User | None = None) -> None:
    """Money changed: the activities' `updated_at` moves with it, in the same transaction, so
    the API's updated_at and updated_since and IATI's last-updated-datetime see money-only
    changes. An update of the row alone: the activity's record (and its history) is unchanged.
    The apps above finance hear of it through `finance.signals.ledger_changed`."""
    ids = set(ids)
    Activity.objects.filter(pk__in=list(ids)).update(updated_at=timezone.now())
    ledger_changed.send(sender=FinancialEntry, activity_ids=ids, user=user)


def refresh_rollups(activity: Activity, years: Iterable[int]) -> None:
    """Ask for the roll-up slices the new entries fall in, in the edit's transaction.

    The activity's division is read from its row, locked: an edit moving the activity to another
    division at the same moment either waits for this one (and then refreshes the new entries
    in both divisions) or goes first (and this one reads the new division).
    """
    division = (
        Activity.objects.select_for_update(no_key=True)
        .values_list("lead_division_id", flat=True)
        .get(pk=activity.pk)
    )
    rollups.request_refresh(((year, division) for year in years), activity=activity.pk)


def net_amount(entry: FinancialEntry) -> tuple[Decimal, Decimal]:
    """The entry as it stands after its corrections: (amount, amount in US$)."""
    totals = entry.corrections.aggregate(amount=Sum("amount"), usd=Sum("amount_usd"))
    return (entry.amount + (totals["amount"] or 0), entry.amount_usd + (totals["usd"] or 0))


def _check_correction(
    entry: FinancialEntry,
    new_amount: Decimal | None,
    reason: str,
    value_date: datetime.date | None,
) -> None:
    """Refuse a correction of a correction, one without a reason, or a bad amount."""
    if entry.entry_type != EntryType.ORIGINAL:
        raise FinanceError(_("Correct the original entry, not a correction."))
    if not reason.strip():
        raise FinanceError({"reason": [_("Say why the figure is corrected.")]})
    dated_by_caller = {} if value_date is None else {"value_date": value_date}
    if refused := field_errors(FinancialEntry, {"reason": reason, **dated_by_caller}):
        raise FinanceError(refused)
    # Keyed by the parameter's name, as the page's and the API's input call it.
    if new_amount is not None and (not new_amount.is_finite() or new_amount < 0):
        raise FinanceError({"new_amount": [_("The corrected amount cannot be negative.")]})
    if new_amount is not None and not to_the_cent(new_amount):
        # The column keeps cents: a thousandth would be rounded away without a word.
        raise FinanceError({"new_amount": [_("Give the amount to the cent at most.")]})
    if new_amount is not None and new_amount > MAX_LINE_AMOUNT:
        raise FinanceError({"new_amount": [amount_over_limit(new_amount, entry.currency)]})


@transaction.atomic
def correct_entry(
    *,
    entry: FinancialEntry,
    new_amount: Decimal | None,
    reason: str,
    user: User | None,
    expected_version: int | None,
    value_date: datetime.date | None = None,
    new_quantity: Decimal | None = None,
    rate: tuple[Decimal, int] | None = None,
    through: Through | None = None,
) -> FinancialEntry:
    """Bring an entry to `new_amount` (None or 0 reverses it) with a new entry that says why.

    A line with a quantity keeps it, unless reversed (then all of it goes) or given
    `new_quantity`; a rate-card line given a new quantity is valued at the rate it stands at.
    `rate` (unit rate, card version) is a re-valuation's (finance.revaluation): the correction
    records the rate the line moves to.

    The correction uses the original's rate, so the US$ figures move by exactly the converted
    difference and a reversal nets to zero in both currencies. It is dated as the original
    unless given its own `value_date` (then in that date's fiscal year): an entry in a closed
    period is corrected in an open one, still pointing at the entry it corrects.
    """
    _check_correction(entry, new_amount, reason, value_date)
    dated = value_date or entry.value_date
    fiscal_year = entry.fiscal_year if value_date is None else value_date.year
    claim_ledger(entry.activity, expected_version, user)
    closed = periods.PeriodGuard.load().entry_refusals(
        value_date=dated, fiscal_year=fiscal_year, activity_id=entry.activity_id
    )
    if closed:
        if value_date is None:
            hint = _("Give the correction a value date in an open period; it still points here.")
            closed = {name: [*messages, hint] for name, messages in closed.items()}
        raise FinanceError(closed)
    current_amount, current_usd = net_amount(entry)
    target, quantity_change, reverses = _corrected_to(entry, new_amount, new_quantity)
    if target == current_amount and not quantity_change:
        raise FinanceError({"new_amount": [_("The entry already has this amount.")]})
    target_usd = to_usd(target, entry.units_per_usd)
    if problem := converted_over_limit(target_usd, entry.currency):
        raise FinanceError({"new_amount": [problem]})
    correction = FinancialEntry(
        activity=entry.activity,
        contributor=entry.contributor,
        kind=entry.kind,
        valuation_method=entry.valuation_method,
        valuation_basis=entry.valuation_basis,
        unit=entry.unit,
        quantity=quantity_change if entry.unit else None,
        valued_by=entry.valued_by,
        provider_country_id=entry.provider_country_id,
        rate_card_id=entry.rate_card_id,
        unit_rate=rate[0] if rate else None,
        rate_card_version=rate[1] if rate else None,
        stage=entry.stage,
        amount=target - current_amount,
        currency=entry.currency,
        value_date=dated,
        fiscal_year=fiscal_year,
        units_per_usd=entry.units_per_usd,
        amount_usd=target_usd - current_usd,
        reference=entry.reference,
        note=entry.note,
        entry_type=EntryType.REVERSAL if reverses else EntryType.ADJUSTMENT,
        corrects=entry,
        reason=reason.strip(),
        created_by=user,
    )
    correction._history_user = user  # type: ignore[attr-defined]
    marked(correction, through).save()
    refresh_rollups(entry.activity, [fiscal_year])
    touch_activities([entry.activity_id], user)
    return correction


def _corrected_to(
    entry: FinancialEntry, new_amount: Decimal | None, new_quantity: Decimal | None
) -> tuple[Decimal, Decimal, bool]:
    """The amount a correction brings `entry` to, the change of its quantity, and whether it
    takes the whole line back (a reversal: no money and no quantity left)."""
    target = new_amount if new_amount is not None else Decimal(0)
    if not entry.unit:
        if new_quantity is not None:
            raise FinanceError({"new_quantity": [_("This line has no quantity to correct.")]})
        return target, Decimal(0), target == 0
    current = in_kind.net_quantity(entry)
    if new_quantity is None:
        # An amount brought to nothing takes the quantity with it.
        return target, (-current if target == 0 else Decimal(0)), target == 0
    if not new_quantity.is_finite() or new_quantity < 0 or new_quantity > in_kind.MAX_QUANTITY:
        raise FinanceError({"new_quantity": [_("Give a quantity of 0 or more.")]})
    if new_quantity.as_tuple().exponent < -2:  # type: ignore[operator]
        raise FinanceError({"new_quantity": [_("Give the quantity to two decimals at most.")]})
    if entry.valued_by == ValuedBy.RATE_CARD:
        unit_rate = in_kind.current_rate(entry)[0] or Decimal(0)
        target = (new_quantity * unit_rate).quantize(CENT, rounding=ROUND_HALF_UP)
    elif entry.valued_by == ValuedBy.NOT_VALUED:
        target = Decimal(0)
    return target, new_quantity - current, target == 0 and new_quantity == 0


def move_contributions(keep: Partner, remove: Partner, user: User | None) -> None:
    """Partner merge (activities.signals.partners_merged): the entries `remove` contributed
    now name `keep`, each change in the entry's history. Amounts, years and activities stay as
    they are, so no roll-up changes: the contributor is not one of their dimensions."""
    for entry in FinancialEntry.objects.filter(contributor=remove):
        entry.contributor = keep
        entry._history_user = user  # type: ignore[attr-defined]
        entry.save(update_fields=["contributor"])


# --- Closed periods (the rule itself: finance.periods) -----------------------------------------


@transaction.atomic
def close_period(
    *,
    fiscal_year: int | None,
    up_to: datetime.date | None,
    reason: str,
    user: User | None,
    through: Through | None = None,
) -> ClosedPeriod:
    """Close a fiscal year or every day up to a date: from now on nothing is written in it."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if (fiscal_year is None) == (up_to is None):
        errors["__all__"] = [_("Close either a fiscal year or the days up to a date.")]
    elif fiscal_year is not None and not 1978 <= fiscal_year < today.year:
        errors["fiscal_year"] = [_("Close a fiscal year that has ended (1978 or later).")]
    elif up_to is not None and up_to >= today:
        errors["up_to"] = [_("Close days that are over: give a date before today.")]
    if not reason.strip():
        errors["reason"] = [_("Say why the period is closed (e.g. the report it was sent in).")]
    errors.update(field_errors(ClosedPeriod, {"reason": reason, "up_to": up_to}))
    if errors:
        raise FinanceError(errors)
    periods.lock_for_closing()
    same = ClosedPeriod.objects.filter(
        reopened_at__isnull=True, fiscal_year=fiscal_year, up_to=up_to
    ).first()
    if same is not None:
        raise FinanceError(periods.describe(same))
    period = ClosedPeriod(fiscal_year=fiscal_year, up_to=up_to, reason=reason.strip())
    period.closed_by = user
    period._history_user = user  # type: ignore[attr-defined]
    marked(period, through).save()
    return period


@transaction.atomic
def reopen_period(
    *, period: ClosedPeriod, reason: str, user: User | None, through: Through | None = None
) -> ClosedPeriod:
    """Open a closed period again, saying why; the closing stays in the history."""
    if not reason.strip():
        raise FinanceError({"reason": [_("Say why the period is reopened.")]})
    if refused := field_errors(ClosedPeriod, {"reopen_reason": reason}):
        raise FinanceError({"reason": refused["reopen_reason"]})
    periods.lock_for_closing()
    period = ClosedPeriod.objects.select_for_update().get(pk=period.pk)
    if not period.is_closed:
        raise FinanceError(_("This period has already been reopened."))
    period.reopened_by, period.reopened_at = user, timezone.now()
    period.reopen_reason = reason.strip()
    period._history_user = user  # type: ignore[attr-defined]
    marked(period, through).save()
    return period


@transaction.atomic
def grant_period_exception(
    *,
    period: ClosedPeriod,
    activity: Activity,
    reason: str,
    expires_on: datetime.date,
    user: User | None,
    through: Through | None = None,
) -> PeriodException:
    """Let one activity's writes into a closed period until `expires_on` (inclusive)."""
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say why this activity may still write in the closed period.")]
    errors.update(field_errors(PeriodException, {"reason": reason, "expires_on": expires_on}))
    if expires_on < timezone.localdate():
        errors["expires_on"] = [_("Give an expiry date from today on.")]
    if errors:
        raise FinanceError(errors)
    periods.lock_for_closing()
    if not ClosedPeriod.objects.filter(pk=period.pk, reopened_at__isnull=True).exists():
        raise FinanceError(_("This period has been reopened: it needs no exception."))
    exception = PeriodException(
        period=period, activity=activity, reason=reason.strip(), expires_on=expires_on
    )
    exception.granted_by = user
    exception._history_user = user  # type: ignore[attr-defined]
    marked(exception, through).save()
    return exception


# --- Roll-ups ---------------------------------------------------------------------------------


@transaction.atomic
def start_rollup_rebuild(*, user: User | None) -> RollupRun:
    """Queue a full rebuild of the roll-ups; refused while another one is queued or running.

    The check and the new run are serialized, so two clicks at once start one
    rebuild. The task is queued once the run is committed; if Redis cannot be reached the run
    is marked failed with the reason, for the page to show.
    """
    rollups.lock_rebuild_starts()
    if rollups.rebuild_in_progress() is not None:
        raise FinanceError(_("A rebuild is already queued or running: wait for it to finish."))
    run = RollupRun.objects.create(requested_by=user)
    transaction.on_commit(lambda: queue_rollup_rebuild(run.pk), robust=True)
    return run
