"""Our reading of the Accept-Language header (accounts.language.parse_accept_language, RFC 9110
§12.5.4), which picks the API's language: weights, "*", malformed entries left out, a length
limit; and the API answering in the language asked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.language import MAX_ACCEPT_LANGUAGE, language_from_header, parse_accept_language

ONE = Decimal(1)


@pytest.mark.parametrize(
    ("header", "ranges"),
    [
        ("", []),
        ("   ", []),
        ("fr", [("fr", ONE)]),
        # Most wanted first; equal weights keep the header's order.
        (
            "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5",
            [
                ("fr-ch", ONE),
                ("fr", Decimal("0.9")),
                ("en", Decimal("0.8")),
                ("de", Decimal("0.7")),
                ("*", Decimal("0.5")),
            ],
        ),
        ("en;q=0.5, ar, es", [("ar", ONE), ("es", ONE), ("en", Decimal("0.5"))]),
        # Spaces around the separators, and an upper-case Q, as the RFC allows.
        ("es ; Q = 0.3 ,fr", [("fr", ONE), ("es", Decimal("0.3"))]),
        ("fr;q=1.000, en;q=0.001", [("fr", ONE), ("en", Decimal("0.001"))]),
        ("*", [("*", ONE)]),
        # Weight 0 is "not this one".
        ("fr;q=0, en", [("en", ONE)]),
        ("fr;q=0.000", []),
        # Malformed weights: out of range, too precise, not a number, empty, another parameter.
        ("fr;q=1.5, en", [("en", ONE)]),
        ("fr;q=0.1234, en", [("en", ONE)]),
        ("fr;q=abc, en;q=-1, es;q=, ar;q", []),
        ("fr;q=nan, en;q=inf, es;q=1e-1", []),
        ("fr;level=1, en;q=0.5;x=1, es;q=0.5", [("es", Decimal("0.5"))]),
        # Malformed ranges: an underscore, a digit first, empty subtags, markup, too long a subtag.
        ("fr_FR, 12, fr-, -fr, fr--ca, <script>, abcdefghi, es", [("es", ONE)]),
        (",,, ;q=0.5, ;", []),
        ("fr-ca-x-private1", [("fr-ca-x-private1", ONE)]),
        ("fr\x00, ar", [("ar", ONE)]),
    ],
)
def test_the_header_is_read_as_the_rfc_says(header: str, ranges: list[tuple[str, Decimal]]) -> None:
    assert parse_accept_language(header) == ranges


def test_a_long_header_is_read_up_to_the_limit_and_its_last_whole_entry() -> None:
    entries = [f"zz-{index:05d}" for index in range(200)]
    header = ",".join(entries)
    assert len(header) > MAX_ACCEPT_LANGUAGE
    read = [code for code, _weight in parse_accept_language(header)]
    assert read == entries[: len(read)]
    assert 0 < len(",".join(read)) <= MAX_ACCEPT_LANGUAGE
    # A language named only past the limit is not read; one entry longer than it, nothing is.
    assert language_from_header(header + ",fr") is None
    assert parse_accept_language("f" * (MAX_ACCEPT_LANGUAGE * 10)) == []


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.5", "fr"),
        ("de, es;q=0.4", "es"),
        ("AR", "ar"),
        ("de;q=1, fr;q=0.2, es;q=0.3", "es"),
        ("en;q=0.1, fr;q=0", "en"),
        # "*" (any language) before any offered one: the profile's or the site's.
        ("*, fr;q=0.9", None),
        ("de, *;q=0.5, fr;q=0.1", None),
        ("de, nl", None),
        ("fr;q=2", None),
        ("", None),
    ],
)
def test_the_language_answered_is_the_first_offered_by_weight(
    header: str, language: str | None
) -> None:
    assert language_from_header(header) == language
