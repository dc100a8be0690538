"""accounts.formatting: each kind written one way, in each language's conventions.

The separators asserted are the ones Django gives (and ssc_portal/formats/ sets): French groups
with a no-break space U+00A0 (not the narrow U+202F), Spanish and Arabic with a full stop. Every
amount here is chosen so that the rounding shows: half up, where Python's formatting would
round half to even and Django's number_format would cut.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import number_format

from accounts import formatting
from accounts.formatting import NO_VALUE, Percent, Ratio

NB = "\u00a0"
LANGUAGES = ("en", "fr", "es", "ar")
WHEN = datetime.datetime(2026, 12, 5, 14, 3, 59, tzinfo=datetime.UTC)

# language -> (amount 1234567.885, percent 33.35, ratio 2.8, count 1234567, rate 605.50000000)
NUMBERS = {
    "en": ("1,234,567.89", f"33.4{NB}%", "2.80x", "1,234,567", "605.5"),
    "fr": (f"1{NB}234{NB}567,89", f"33,4{NB}%", "2,80x", f"1{NB}234{NB}567", "605,5"),
    "es": ("1.234.567,89", f"33,4{NB}%", "2,80x", "1.234.567", "605,5"),
    "ar": ("1.234.567,89", f"33,4{NB}%", "2,80x", "1.234.567", "605,5"),
}
# language -> (day, moment, month): one format per language.
DATES = {
    "en": ("5 Dec 2026", "5 Dec 2026 14:03", "Dec 2026"),
    "fr": ("5 décembre 2026", "5 décembre 2026 14:03", "décembre 2026"),
    "es": ("5 de diciembre de 2026", "5 de diciembre de 2026 a las 14:03", "diciembre de 2026"),
    "ar": ("5 ديسمبر، 2026", "5 ديسمبر، 2026 14:03", "ديسمبر 2026"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_numbers_are_written_in_each_languages_way(language: str) -> None:
    amount, percent, ratio, count, rate = NUMBERS[language]
    with translation.override(language):
        assert formatting.amount(Decimal("1234567.885")) == amount
        assert formatting.money(Decimal("1234567.885"), "EUR") == f"{amount}{NB}EUR"
        assert formatting.usd(Decimal("1234567.885")) == f"US${NB}{amount}"
        assert formatting.percent(Decimal("33.35")) == percent
        assert formatting.ratio(Decimal("2.8")) == ratio
        assert formatting.count(1234567) == count
        assert formatting.rate(Decimal("605.50000000")) == rate


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_have_one_format_per_language(language: str) -> None:
    day, moment, month = DATES[language]
    with translation.override(language):
        assert formatting.day(datetime.date(2026, 12, 5)) == day
        # A date-time's day is its day in the portal's time zone.
        assert formatting.day(WHEN) == day
        assert formatting.moment(WHEN) == moment
        assert formatting.month(datetime.date(2026, 12, 1)) == month


def test_money_rounds_half_up_to_the_cent() -> None:
    # Python's own formatting would give 0.12 (half even), number_format 0.12 (it cuts).
    assert formatting.amount(Decimal("0.125")) == "0.13"
    assert formatting.amount(Decimal("-0.125")) == "-0.13"
    assert formatting.amount(Decimal("-0.001")) == "0.00"  # never "-0.00"
    assert formatting.usd(Decimal("1234567.5"), places=0) == f"US${NB}1,234,568"


def test_figures_are_written_by_their_kind() -> None:
    assert formatting.figure(Ratio("0.13")) == "0.13x"
    assert formatting.figure(Percent("33.4")) == f"33.4{NB}%"
    assert formatting.figure(None) == NO_VALUE
    # A whole percentage (progress towards a target) was never more precise than that.
    assert formatting.percent(67) == f"67{NB}%"
    assert formatting.percent(Decimal("50.00")) == f"50.0{NB}%"


def test_the_rounding_of_figures_is_half_up() -> None:
    assert formatting.to_ratio(Decimal("1"), Decimal("8")) == Decimal("0.13")
    assert formatting.to_percent(Decimal("33.35"), Decimal("100")) == Decimal("33.4")
    assert formatting.to_ratio(Decimal("1"), Decimal("0")) is None
    assert formatting.to_percent(Decimal("1"), Decimal("0")) is None


def test_quantities_and_rates_keep_the_decimals_they_have() -> None:
    assert formatting.quantity(Decimal("1250.0000")) == "1,250"
    assert formatting.quantity(Decimal("12.7500")) == "12.75"
    assert formatting.quantity(3) == "3"
    assert formatting.rate(Decimal("0.80000000")) == "0.8"
    assert formatting.rate(Decimal("1234.12345678")) == "1,234.12345678"


def test_nothing_to_show_is_one_dash() -> None:
    for function in (formatting.amount, formatting.usd, formatting.percent, formatting.ratio):
        assert function(None) == NO_VALUE
    assert formatting.money(None, "EUR") == NO_VALUE
    assert formatting.day(None) == formatting.moment(None) == NO_VALUE
    assert formatting.csv_number(None) == ""


def test_ago_says_how_long_in_its_largest_unit() -> None:
    assert formatting.ago(WHEN, WHEN + datetime.timedelta(seconds=30)) == "just now"
    assert formatting.ago(WHEN, WHEN + datetime.timedelta(hours=3, minutes=20)) == f"3{NB}hours ago"


def test_csv_numbers_are_machine_readable() -> None:
    with translation.override("fr"):
        assert formatting.csv_number(Decimal("1234567.89")) == "1234567.89"
        assert formatting.csv_number(1234) == "1234"


@pytest.mark.parametrize("language", ("en", "fr", "es"))
def test_grouping_agrees_with_djangos_where_nothing_is_rounded(language: str) -> None:
    # The fast path (Python's formatting, separators swapped) writes what Django would.
    with translation.override(language):
        for value in (Decimal("1234567.89"), Decimal("-1234.50"), Decimal("12"), 1234567):
            expected = number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
            assert formatting.number(value, 2) == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_filters_write_what_the_functions_write(language: str) -> None:
    template = Template(
        "{% load formatting %}{{ a|amount }}|{{ a|money:'EUR' }}|{{ a|usd }}|{{ a|usd:0 }}|"
        "{{ p|percent }}|{{ r|ratio }}|{{ r|figure }}|{{ n|count }}|{{ q|quantity }}|"
        "{{ x|rate }}|{{ d|day }}|{{ t|moment }}|{{ d|month }}|{{ t|iso }}|{{ none|amount }}"
    )
    values = {
        "a": Decimal("1234567.885"),
        "p": Percent("33.4"),
        "r": Ratio("2.80"),
        "n": 1234567,
        "q": Decimal("12.50"),
        "x": Decimal("0.80000000"),
        "d": datetime.date(2026, 12, 5),
        "t": WHEN,
        "none": None,
    }
    with translation.override(language):
        shown = template.render(Context(values)).split("|")
        assert shown == [
            formatting.amount(values["a"]),
            formatting.money(values["a"], "EUR"),
            formatting.usd(values["a"]),
            formatting.usd(values["a"], 0),
            formatting.percent(values["p"]),
            formatting.ratio(values["r"]),
            formatting.ratio(values["r"]),
            formatting.count(1234567),
            formatting.quantity(values["q"]),
            formatting.rate(values["x"]),
            formatting.day(values["d"]),
            formatting.moment(WHEN),
            formatting.month(values["d"]),
            "2026-12-05T14:03:59+00:00",
            NO_VALUE,
        ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_columns_formatter_writes_what_number_writes(language: str) -> None:
    """number_formatter (a dashboard column's numbers, its style worked out once) writes each
    value as number() does: rounding half up, no "-0", zeros of every kind, ints and floats."""
    values: list[Decimal | int | float] = [
        Decimal("1234567.885"), Decimal("-1234567.885"), Decimal("0.005"), Decimal("-0.004"),
        Decimal("0"), Decimal("-0.00"), Decimal("0E-7"), Decimal("999.995"), Decimal("12.5"),
        Decimal("100"), 0, 7, -1234567, 1234567.885, 0.0, Decimal("123456789012.34"),
    ]  # fmt: skip
    with translation.override(language):
        for places in (0, 1, 2):
            write = formatting.number_formatter(places)
            for value in values:
                assert write(value) == formatting.number(value, places), (places, value)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_quantity_columns_formatter_writes_what_quantity_writes(language: str) -> None:
    values: list[Decimal | int | float | None] = [
        None, 0, 1250, -3, Decimal("12.75"), Decimal("12.750"), Decimal("1234567.125"),
        Decimal("0.000"), Decimal("1E+3"), Decimal("-0.5"), 12.5, 0.1, Decimal("100"),
    ]  # fmt: skip
    with translation.override(language):
        write = formatting.quantity_formatter()
        for value in values:
            assert write(value) == formatting.quantity(value), value
