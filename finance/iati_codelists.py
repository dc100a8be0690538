"""IATI codelists: which codes the IATI Standard knows, as published in its XML codelists.

The portal needs a few at run time, shipped in finance/data/iati/: the countries and currencies
IATI knows (a few ISO codes are not in them, and a withdrawn code must not be published), and the
lists the focal point's code mapping is checked against (finance/codebook.py).
Tests load the full set from ../shared/iati/codelists/ to check every code the export writes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SHIPPED = Path(__file__).resolve().parent / "data" / "iati"


@cache
def codelist(name: str, directory: Path = SHIPPED) -> dict[str, str]:
    """{code: status} of one codelist ("active" where the file gives no status)."""
    tree = etree.parse(str(directory / f"{name}.xml"))
    return {
        (item.findtext("code") or "").strip(): item.get("status", "active")
        for item in tree.iter("codelist-item")
    }


def active_codes(name: str, directory: Path = SHIPPED) -> frozenset[str]:
    """The codes that may be published: withdrawn ones are kept in the lists for old data."""
    return frozenset(
        code for code, status in codelist(name, directory).items() if status == "active"
    )


@cache
def code_names(name: str, directory: Path = SHIPPED) -> dict[str, str]:
    """{code: English name} of the active codes of one codelist."""
    tree = etree.parse(str(directory / f"{name}.xml"))
    return {
        (item.findtext("code") or "").strip(): (item.findtext("name/narrative") or "").strip()
        for item in tree.iter("codelist-item")
        if item.get("status", "active") == "active"
    }
