"""Checks before publishing: every export runs them and lists the problems by activity (SSC ID,
title, problem) instead of writing a wrong file.

- required fields: the project number, title, year, recipient or its absence said, type of aid
  (the activity's type), sector, type of finance, channel and collaboration type;
- every code in its list: sectors (IATI Sector, DAC 5-digit), SDG targets (UNSDG-Targets), types
  of aid, finance and collaboration (IATI codelists shipped in finance/data/iati), channels
  (codebook.CRS_CHANNELS);
- totals: the file's commitments and disbursements equal the ledger's allocated and spent money,
  net of corrections, for the same selection, to the cent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from finance.codebook import CRS_CHANNELS
from finance.iati_codelists import active_codes
from finance.models import Stage

from .portfolio import ActivityFacts


@dataclass(frozen=True)
class Problem:
    ssc_id: str
    title: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return {"ssc_id": self.ssc_id, "title": self.title, "problem": self.problem}


def code_lists() -> dict[str, frozenset[str]]:
    return {
        "sector_code": active_codes("Sector"),
        "sdg_focus": active_codes("UNSDG-Targets"),
        "aid_type": active_codes("AidType"),
        "finance_type": active_codes("FinanceType"),
        "finance_types": active_codes("FinanceType"),
        "collaboration_type": active_codes("CollaborationType"),
        "channel_code": frozenset(CRS_CHANNELS),
    }


LIST_NAMES = {
    "sector_code": "Sector (DAC 5-digit)",
    "sdg_focus": "UNSDG-Targets",
    "aid_type": "AidType",
    "finance_type": "FinanceType",
    "finance_types": "FinanceType",
    "collaboration_type": "CollaborationType",
    "channel_code": "CRS channels of delivery",
}
REQUIRED = ("project_number", "title", "year", "sector_code", "aid_type", "finance_type")


def _labels() -> dict[str, str]:
    return {
        "project_number": _("SSC ID"),
        "title": _("title"),
        "year": _("year"),
        "sector_code": _("sector (DAC purpose code of its themes)"),
        "aid_type": _("type of aid (its activity type)"),
        "finance_type": _("type of finance"),
        "collaboration_type": _("collaboration type (its modality)"),
        "channel_code": _("channel of delivery"),
        "sdg_focus": _("SDG focus"),
        "finance_types": _("types of finance"),
    }


def tossd_row_problems(
    facts: ActivityFacts, rows: Iterable[dict[str, Any]], lists: dict[str, frozenset[str]]
) -> list[Problem]:
    """What is missing or out of its list in one activity's rows (each problem once). Most
    columns repeat on every row of an activity: each distinct value is checked once."""
    rows = list(rows)
    missing = [key for key in REQUIRED if any(row.get(key) in (None, "") for row in rows)]
    outside: dict[tuple[str, str], None] = {}
    for key, accepted in lists.items():
        for value in sorted({str(row.get(key) or "") for row in rows}):
            for code in filter(None, value.split("; ")):
                if code not in accepted:
                    outside[(key, code)] = None
    if not missing and not outside:
        return []
    labels = _labels()
    found = [_("%(field)s is missing.") % {"field": labels[key]} for key in missing]
    found += [
        _("%(field)s: %(code)s is not in the list %(list)s.")
        % {"field": labels[key], "code": code, "list": LIST_NAMES[key]}
        for key, code in outside
    ]
    return [Problem(facts.ssc_id, facts.title, text) for text in dict.fromkeys(found)]


def totals_problems(
    committed: Decimal, disbursed: Decimal, ledger: dict[str, Decimal]
) -> list[Problem]:
    """The file's totals against the ledger's for the same selection."""
    problems = []
    for label, found, expected in (
        (_("Commitments"), committed, ledger[Stage.ALLOCATED]),
        (_("Disbursements"), disbursed, ledger[Stage.SPENT]),
    ):
        if found != expected:
            problems.append(
                Problem(
                    "",
                    "",
                    _("%(figure)s total US$ %(found)s differs from the ledger's US$ %(expected)s.")
                    % {"figure": label, "found": found, "expected": expected},
                )
            )
    return problems
