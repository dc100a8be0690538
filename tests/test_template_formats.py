"""One way to write each thing (issue 22 item 8): templates write dates, money and figures with the
`formatting` filters (accounts/templatetags/formatting.py), never with Django's own variants.

Each variant below once wrote the same kind of value differently on two pages ("5 Dec 2026" and
"Dec. 5, 2026"; "1,234.5" and "1,234.50"), or cut where the portal rounds (floatformat cuts
nothing, but number_format does). No template is allowed one: the message names the file, the
line and the filter to use instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# A variant, and what to write instead.
VARIANTS = {
    r"\|date:": "|day, |moment, |month or |iso (machine-readable) from {% load formatting %}",
    r"\|time:": "|moment",
    r"floatformat": "|amount, |money:currency, |usd, |quantity, |percent, |ratio or |rate",
    r"intcomma": "|count",
    r"intword": "|count",
    r"naturaltime|naturalday": "|ago or |day",
    r"\|timesince|\|timeuntil": "|ago",
    r"\bhumanize\b": "{% load formatting %}",
    r"\|localize|\{% localize": "a formatting filter",
    # A percentage written by hand next to a value: "{{ x }} %" or "{{ x }}%".
    r"\}\}\s?%(?!\})": "|percent",
    # A multiple written by hand: "{{ x }}x".
    r"\}\}x\b": "|ratio",
}


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))


def test_templates_are_found() -> None:
    # The scan below must not pass by reading nothing.
    assert len(_templates()) > 100


@pytest.mark.parametrize("pattern", sorted(VARIANTS))
def test_no_template_writes_a_value_in_its_own_way(pattern: str) -> None:
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}"
        for path in _templates()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(pattern, line)
    ]
    assert not offenders, f"Use {VARIANTS[pattern]} instead:\n" + "\n".join(offenders)


def test_the_scan_catches_each_variant() -> None:
    # Each pattern matches the variant it stands for (a scan that matches nothing never fails).
    samples = {
        r"\|date:": '{{ d|date:"j M Y" }}',
        r"\|time:": '{{ t|time:"H:i" }}',
        r"floatformat": '{{ x|floatformat:"2g" }}',
        r"intcomma": "{{ n|intcomma }}",
        r"intword": "{{ n|intword }}",
        r"naturaltime|naturalday": "{{ t|naturaltime }}",
        r"\|timesince|\|timeuntil": "{{ t|timesince }}",
        r"\bhumanize\b": "{% load i18n humanize %}",
        r"\|localize|\{% localize": "{{ x|localize }}",
        r"\}\}\s?%(?!\})": "{{ share }} %",
        r"\}\}x\b": "{{ leverage }}x",
    }
    assert set(samples) == set(VARIANTS)
    for pattern, sample in samples.items():
        assert re.search(pattern, sample), pattern
    assert not re.search(r"\}\}\s?%(?!\})", "{{ x|percent }}{% endif %}")
