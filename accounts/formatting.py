"""How the portal writes dates, money and figures: one definition per kind, for every page, export
and report (issue 22 item 8), in the active language's conventions (issue 23 item 5).

Pages use them through `{% load formatting %}` (accounts/templatetags/formatting.py); exports,
reports and messages call them directly. `tests/test_template_formats.py` refuses Django's own
variants (`|date:"..."`, `floatformat`, `intcomma`, `naturaltime`) in templates, so there is one
way to write each thing.

Each kind, and its one rule:

- **day** (a date): the language's DATE_FORMAT, "5 Dec 2026" in English, "5 décembre 2026" in
  French, "5 de diciembre de 2026" in Spanish (ssc_portal/formats/ sets English's short month,
  which the portal has always shown, and Arabic's grouping and times).
- **moment** (a date and time): the language's DATETIME_FORMAT, "5 Dec 2026 14:03", in the
  portal's time zone (TIME_ZONE: UTC for everyone), to the minute.
- **month** (a rate's month, a period): the language's YEAR_MONTH_FORMAT, "Dec 2026".
- **ago** (how fresh something is): "3 hours ago", the largest unit only; "just now" under a
  minute. Used for freshness alone; anything a reader may need to cite is a day or a moment.
- **money**: an amount in its currency, two decimals rounded half up (0.125 -> 0.13), the ISO
  4217 code after it: "1,234,567.89 EUR". Converted amounts are US dollars, written **usd**:
  "US$ 1,234,567.89"; the dashboard's headline totals alone are whole dollars (`places=0`).
  **amount** is the number alone, for a column whose heading names the currency.
- **percent**: one decimal, half up, a no-break space before the sign: "33.4 %". A whole
  percentage (an int: progress towards a target, a likeness score) is written without decimals,
  "67 %": it was never more precise than that.
- **ratio** (leverage): two decimals, half up, then "x": "2.80x".
- **rate** (an exchange rate, units per US$): the decimals it was given (at most 8), trailing
  zeros dropped, grouped: "605.5", "0.8".
- **quantity** (people, hectares, an indicator's value): the decimals it has, none when whole,
  grouped: "1,250", "12.75".
- **count**: a whole number, grouped: "1,234".
- **no value** (nothing to divide by, nothing recorded): an en dash, `NO_VALUE`, on pages;
  an empty cell in files.

Numbers use the language's decimal mark and thousands separator, always grouped: "1,234,567.89"
in English, "1 234 567,89" in French (Django's French separator is a no-break space, U+00A0),
"1.234.567,89" in Spanish and Arabic (ssc_portal/formats/; Arabic keeps Western digits).

Files: an xlsx cell keeps a number with the number format of its kind (`XLSX_FORMATS`), so
Excel shows it the same way and still sums it; a CSV cell is machine-readable: a dot decimal, no
grouping, the value's rounding (`csv_number`), dates in ISO 8601. Text cells in files (a PDF, a
sheet's title lines) are written with the functions below.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import date_format, get_format, number_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

NO_VALUE = "\u2013"  # an en dash
NBSP = "\u00a0"

MONEY_PLACES = 2
RATIO_PLACES = Decimal("0.01")
PERCENT_PLACES = Decimal("0.1")
RATE_MAX_PLACES = 8

# The same kinds in a workbook: numbers stay numbers, shown as the pages show them.
XLSX_FORMATS = {
    "money": "#,##0.00",
    "quantity": "General",  # a measured quantity keeps the decimals it has
    "ratio": '0.00"x"',
    "percent": '0.0" %"',
    "count": "#,##0",
    "rate": "0.########",
    "day": "yyyy-mm-dd",
}


class Ratio(Decimal):
    """A multiple, e.g. leverage (2.80): written "2.80x", in files a number formatted 0.00"x"."""

    __slots__ = ()


class Percent(Decimal):
    """A percentage (33.4 means 33.4 %): written "33.4 %", in files a number formatted 0.0" %"."""

    __slots__ = ()


def to_ratio(numerator: Decimal, denominator: Decimal) -> Ratio | None:
    """numerator / denominator, two decimals, half up; None when there is nothing to divide by."""
    if not denominator:
        return None
    return Ratio((numerator / denominator).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP))


def to_percent(numerator: Decimal, denominator: Decimal) -> Percent | None:
    """numerator / denominator in per cent, one decimal, half up; None when nothing to divide."""
    if not denominator:
        return None
    return Percent((numerator * 100 / denominator).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP))


# --- numbers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NumberStyle:
    """The active language's decimal mark, thousands separator and grouping, looked up once.

    A table of thousands of amounts asks for them once (`NumberStyle.active()`) and passes the
    style on: looking them up per number (settings lookups through the active language) was a
    good part of the time the dashboard spent formatting its amounts.
    """

    decimal_mark: str
    thousands: str
    grouping: int

    @classmethod
    def active(cls) -> NumberStyle:
        grouping = get_format("NUMBER_GROUPING")
        return cls(
            str(get_format("DECIMAL_SEPARATOR")),
            str(get_format("THOUSAND_SEPARATOR")),
            grouping if isinstance(grouping, int) else -1,
        )


def _rounded(value: Decimal | int | float, places: int) -> Decimal:
    # Half up, explicitly: Python's own formatting rounds half to even and Django's cuts.
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def number(value: Decimal | int | float, places: int, style: NumberStyle | None = None) -> str:
    """`value` rounded half up to `places` decimals, grouped in the active language's style."""
    style = style or NumberStyle.active()
    rounded = _rounded(value, places)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0.00"
    if style.grouping != 3:
        # Grouping other than by thousands (none, or Indian-style sequences): Django's own.
        return str(number_format(rounded, places, use_l10n=True, force_grouping=True))
    text = f"{rounded:,.{places}f}"
    return text.replace(",", "\0").replace(".", style.decimal_mark).replace("\0", style.thousands)


def number_formatter(
    places: int, style: NumberStyle | None = None
) -> Callable[[Decimal | int | float], str]:
    """`number` with its places and style fixed, for a column of many numbers: what does not
    depend on the value (the rounding's quantum, the separators) is worked out once, and a zero
    (common in the dashboard's tables) is written once. The same text as `number`."""
    style = style or NumberStyle.active()
    if style.grouping != 3:
        return functools.partial(number, places=places, style=style)
    quantum = Decimal(1).scaleb(-places)
    spec = f",.{places}f"
    mark, thousands = style.decimal_mark, style.thousands
    as_written = mark == "." and thousands == ","

    def write(value: Decimal | int | float) -> str:
        if not value:
            return zero
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP)
        if rounded == 0:
            rounded = abs(rounded)  # never "-0.00"
        text = format(rounded, spec)
        if as_written:
            return text
        return text.replace(",", "\0").replace(".", mark).replace("\0", thousands)

    zero = number(0, places, style)
    return write


def _own_places(value: Decimal, most: int | None = None) -> int:
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return places if most is None else min(places, most)


def amount(value: Decimal | None, style: NumberStyle | None = None) -> str:
    """Money without its currency (the column's heading names it): "1,234,567.89"."""
    return NO_VALUE if value is None else number(value, MONEY_PLACES, style)


def money(value: Decimal | None, currency: str, style: NumberStyle | None = None) -> str:
    """Money in its own currency: "1,234,567.89 EUR"."""
    if value is None:
        return NO_VALUE
    return f"{number(value, MONEY_PLACES, style)}{NBSP}{currency}"


def usd(value: Decimal | None, places: int = MONEY_PLACES, style: NumberStyle | None = None) -> str:
    """Converted money, in US dollars: "US$ 1,234,567.89" (places=0 for a headline total)."""
    if value is None:
        return NO_VALUE
    return f"US${NBSP}{number(value, places, style)}"


def percent(value: Decimal | int | None, style: NumberStyle | None = None) -> str:
    """A percentage: "33.4 %"; a whole one (an int) "67 %"."""
    if value is None:
        return NO_VALUE
    places = 0 if isinstance(value, int) else 1
    return f"{number(value, places, style)}{NBSP}%"


def ratio(value: Decimal | None, style: NumberStyle | None = None) -> str:
    """A multiple: "2.80x"."""
    return NO_VALUE if value is None else number(value, 2, style) + "x"


def rate(value: Decimal | None, style: NumberStyle | None = None) -> str:
    """An exchange rate as it was given: "605.5", "0.8" (at most 8 decimals)."""
    if value is None:
        return NO_VALUE
    return number(value, _own_places(value, RATE_MAX_PLACES), style)


def quantity(value: Decimal | int | None, style: NumberStyle | None = None) -> str:
    """A measured quantity with the decimals it has: "1,250", "12.75"."""
    if value is None:
        return NO_VALUE
    if isinstance(value, int):
        return number(value, 0, style)
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    return number(value, _own_places(value), style)


def quantity_formatter(
    style: NumberStyle | None = None,
) -> Callable[[Decimal | int | float | None], str]:
    """`quantity` with its style fixed, for a column of many quantities: one number_formatter
    per number of decimals met. The same text as `quantity`."""
    style = style or NumberStyle.active()
    writers: dict[int, Callable[[Decimal | int | float], str]] = {}

    def write(value: Decimal | int | float | None) -> str:
        if value is None:
            return NO_VALUE
        if isinstance(value, int):
            places = 0
        else:
            if not isinstance(value, Decimal):
                value = Decimal(str(value))
            places = _own_places(value)
        writer = writers.get(places)
        if writer is None:
            writer = writers[places] = number_formatter(places, style)
        return writer(value)

    return write


def count(value: int | None, style: NumberStyle | None = None) -> str:
    """A count: "1,234"."""
    return NO_VALUE if value is None else number(value, 0, style)


def figure(value: Decimal | int | None, style: NumberStyle | None = None) -> str:
    """A derived figure written by its kind: a Ratio "2.80x", a Percent "33.4 %"."""
    if isinstance(value, Ratio):
        return ratio(value, style)
    if isinstance(value, Percent):
        return percent(value, style)
    if isinstance(value, int):
        return count(value, style)
    return NO_VALUE if value is None else quantity(value, style)


def csv_number(value: Decimal | int | None) -> str:
    """A number in a CSV file: a dot decimal, no grouping, as rounded (empty when missing)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


# --- dates and times -------------------------------------------------------------------------


def day(value: datetime.date | None) -> str:
    """A date: "5 Dec 2026" (a date-time gives its day in the portal's time zone)."""
    if value is None:
        return NO_VALUE
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date_format(value, "DATE_FORMAT")


def moment(value: datetime.datetime | None) -> str:
    """A date and time to the minute, in the portal's time zone: "5 Dec 2026 14:03"."""
    if value is None:
        return NO_VALUE
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "DATETIME_FORMAT")


def month(value: datetime.date | None) -> str:
    """A month: "Dec 2026"."""
    return NO_VALUE if value is None else date_format(value, "YEAR_MONTH_FORMAT")


def ago(value: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """How long ago, in its largest unit: "3 hours ago"; "just now" under a minute."""
    if value is None:
        return NO_VALUE
    now = now or timezone.now()
    if now - value < datetime.timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(value, now, depth=1)}
