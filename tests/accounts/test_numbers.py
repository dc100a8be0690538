"""Numbers typed in the page's language (accounts.numbers): read the language's way, an entry
two languages read differently refused naming both readings, garbage refused in words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from django.utils.translation import gettext

from accounts.numbers import AmbiguousNumber, LocalizedDecimalField, NumberError, parse_number

NNBSP = "\u202f"
NBSP = "\u00a0"

READ = [
    # language, typed, stored
    ("fr", "0,785", "0.785"),
    ("fr", "1 500 000,50", "1500000.50"),
    ("fr", f"1{NBSP}500{NBSP}000,50", "1500000.50"),
    ("fr", f"1{NNBSP}500{NNBSP}000,50", "1500000.50"),
    ("fr", "2,785", "2.785"),
    ("fr", "1,500", "1.500"),
    ("fr", "785", "785"),
    ("fr", "-0,25", "-0.25"),
    ("fr", "1,500,000.50", "1500000.50"),
    ("es", "1.500.000,50", "1500000.50"),
    ("es", "0,785", "0.785"),
    ("ar", "1.500.000,50", "1500000.50"),
    ("ar", "\u0661\u0662\u0663\u066b\u0665", "123.5"),
    ("en", "785", "785"),
    ("en", "0.785", "0.785"),
    ("en", "2.785", "2.785"),
    ("en", "1,500,000.50", "1500000.50"),
    ("en", "1 500 000.50", "1500000.50"),
    # Only one language reads these, and it reads one number.
    ("en", "1 500 000,50", "1500000.50"),
    ("en", "0,5", "0.5"),
    ("en", ".5", "0.5"),
]

AMBIGUOUS = [
    # language, typed, the two readings named, as the language writes them
    ("en", "0,785", "0.785", "785"),
    ("en", "1,500", "1.5", "1500"),
    ("en", "-2,785", "-2.785", "-2785"),
    ("fr", "1.500", "1,5", "1500"),
    ("fr", "0.785", "0,785", "785"),
    ("es", "12.500", "12,5", "12500"),
]

GARBAGE = ["abc", "1,2,3", "1 50", "1e5", "1_000", "NaN", "1 500.000,5", "--1", "12%", "0x10", "²"]


@pytest.mark.parametrize(("language", "text", "number"), READ)
def test_numbers_are_read_the_way_the_language_writes_them(
    language: str, text: str, number: str
) -> None:
    with translation.override(language):
        read = parse_number(text)
    assert read == Decimal(number)
    assert str(read) == number


@pytest.mark.parametrize(("language", "text", "first", "second"), AMBIGUOUS)
def test_an_entry_two_languages_read_differently_is_refused_naming_both(
    language: str, text: str, first: str, second: str
) -> None:
    with translation.override(language):
        with pytest.raises(AmbiguousNumber) as refused:
            parse_number(text)
        # The message in the language's own words (our catalogue), naming both readings.
        expected = gettext(
            "“%(value)s” could be read as %(first)s or as %(second)s; type %(first)s or %(second)s."
        ) % {"value": text, "first": first, "second": second}
    assert refused.value.message == expected
    assert text in expected and first in expected and second in expected


def test_each_reading_the_refusal_suggests_is_read_back_as_that_number() -> None:
    for language, text, *_readings in AMBIGUOUS:
        with translation.override(language):
            with pytest.raises(AmbiguousNumber) as refused:
                parse_number(text)
            back = {parse_number(reading) for reading in _readings}
        assert back == set(refused.value.readings)


@pytest.mark.parametrize("text", GARBAGE)
@pytest.mark.parametrize(
    ("language", "example"), [("en", "1,500,000.50 or 0.785"), ("fr", "1 500 000,50 or 0,785")]
)
def test_garbage_is_refused_with_an_example_in_the_language(
    text: str, language: str, example: str
) -> None:
    amount, rate = example.split(" or ")
    with translation.override(language):
        with pytest.raises(NumberError) as refused:
            parse_number(text)
        # The examples written the language's way, in the language's words (our catalogue).
        both = gettext("%(amount)s or %(rate)s") % {"amount": amount, "rate": rate}
        expected = gettext("“%(value)s” is not a number: type it like %(example)s.") % {
            "value": text,
            "example": both,
        }
    assert not isinstance(refused.value, AmbiguousNumber)
    assert refused.value.message == expected


def test_a_very_long_entry_is_refused_and_quoted_short() -> None:
    with pytest.raises(NumberError) as refused:
        parse_number("1" * 500)
    assert len(refused.value.message) < 150


def test_the_field_is_a_text_box_that_keeps_its_limits() -> None:
    field = LocalizedDecimalField(label="Rate", max_digits=5, decimal_places=2, min_value=0)
    rendered = field.widget.render("rate", None, attrs=field.widget_attrs(field.widget))
    assert 'type="text"' in rendered
    assert 'inputmode="decimal"' in rendered
    assert "step" not in rendered
    with translation.override("fr"):
        assert field.clean("12,5") == Decimal("12.5")
        with pytest.raises(forms.ValidationError) as places:
            field.clean("0,785")
        with pytest.raises(forms.ValidationError) as negative:
            field.clean("-1")
    assert "2 decimal places" in str(places.value)
    assert "greater than or equal to 0" in str(negative.value)


def test_a_stored_number_is_shown_as_the_language_types_it() -> None:
    field = LocalizedDecimalField(max_digits=20, decimal_places=8)
    with translation.override("fr"):
        assert field.prepare_value(Decimal("0.78500000")) == "0,785"
        assert field.prepare_value(Decimal("1500000.50")) == "1500000,5"
        assert field.clean(field.prepare_value(Decimal("2.78500000"))) == Decimal("2.785")
    with translation.override("en"):
        assert field.prepare_value(Decimal("1500000.00")) == "1500000"
        assert field.prepare_value("typed 1,5") == "typed 1,5"
