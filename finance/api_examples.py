"""Examples the API reference shows for activities, the ledger and the roll-ups: what the demo
portfolio answers (SSC-2010-05 and its money), trimmed to a few lines. tests/api/test_examples.py
checks each against the schema, so they change when the serializers do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample

_SPLIT = {"planned": "100000.00", "allocated": "100000.00", "spent": "25000.00"}
_NOTHING = {"planned": "0.00", "allocated": "0.00", "spent": "0.00"}
_RATES = {
    "leverage_allocated": "0.30",
    "leverage_planned": "0.30",
    "allocation_rate_ifad": "100.0",
    "allocation_rate_all": "100.0",
    "execution_rate_ifad": "25.0",
    "execution_rate_all": "19.2",
}

ACTIVITY: dict[str, Any] = {
    "id": 15,
    "ssc_id": "SSC-2010-05",
    "title": "Learning route on rural poverty reduction in China",
    "summary": "Government officers and project staff from eight countries visit IPRCC's pilots.",
    "language": "en",
    "texts": [
        {
            "language": "fr",
            "title": "Route d'apprentissage sur la réduction de la pauvreté rurale en Chine",
            "summary": "Des fonctionnaires et des équipes de projet de huit pays visitent les "
            "projets pilotes de l'IPRCC.",
        }
    ],
    "objectives": "",
    "activity_type": "learning_route",
    "modality": "triangular",
    "funding_nature": "grant",
    "project_id": "",
    "lead_division": "APR",
    "responsible_cpm": "cpm2",
    "status": "ongoing",
    "visibility": "public",
    "agreement": {"value": "disputed", "label": "Disputed"},
    "approval_year": 2010,
    "reporting_year": 2010,
    "planned_start": "2010-03-01",
    "planned_end": "2010-12-31",
    "actual_start": "2010-04-12",
    "actual_end": None,
    "countries": [
        {"iso2": "CN", "iso3": "CHN", "name": "China", "role": "provider", "share": None},
        {"iso2": "BD", "iso3": "BGD", "name": "Bangladesh", "role": "receiver", "share": None},
    ],
    "partners": [
        {
            "id": 4,
            "name": "International Poverty Reduction Center in China",
            "acronym": "IPRCC",
            "roles": ["host", "implementer"],
        }
    ],
    "themes": ["agri-production"],
    "sdgs": [1, 2],
    "participants_women": 12,
    "participants_men": 18,
    "participants_youth": 5,
    "outcomes": "",
    "action_plans_adopted": None,
    "follow_up": "",
    "lessons_learned": "",
    "notes": "",
    "finance": {
        **_RATES,
        "in_kind_not_valued": {"lines": 0, "quantities": {}, "note": ""},
        "currency": "USD",
        "planned": "130000.00",
        "allocated": "130000.00",
        "spent": "25000.00",
        "ifad": _SPLIT,
        "cofinancing": {"planned": "30000.00", "allocated": "30000.00", "spent": "0.00"},
        "in_kind": _NOTHING,
        "ledger_version": 3,
    },
    "version": 4,
    "created_at": "2026-01-12T09:30:00Z",
    "updated_at": "2026-02-03T14:05:12Z",
}


def answer_example(name: str, summary: Any, value: Any) -> OpenApiExample:
    """A record as a read answers it; `summary` is the name, marked for translation (the name
    stays the example's key)."""
    return OpenApiExample(
        name, summary=summary, value=value, response_only=True, status_codes=["200"]
    )


ACTIVITY_EXAMPLES = [
    answer_example("An activity", gettext_lazy("An activity"), ACTIVITY),
]

ACTIVITY_CHANGE = OpenApiExample(
    "Mark it started",
    summary=gettext_lazy("Change the status and the actual start"),
    value={
        "version": 4,
        "status": "ongoing",
        "status_note": "The first visit took place.",
        "actual_start": "2010-04-12",
    },
    request_only=True,
)

LIKELY_DUPLICATE: dict[str, Any] = {
    "id": 15,
    "ssc_id": "SSC-2010-05",
    "title": "Learning route on rural finance (Brazil - Mozambique)",
    "status": "completed",
    "likeness": 86,
    "reasons": [
        "title 78 % alike",
        "same countries: Brazil, Mozambique",
        "overlapping years",
    ],
}
LIKELY_DUPLICATES = [
    OpenApiExample(
        "Likely duplicates",
        summary=gettext_lazy("Likely duplicates"),
        value={
            "detail": "This activity may already exist: compare it with the similar ones.",
            "code": "likely_duplicates",
            "duplicates": [LIKELY_DUPLICATE],
        },
        response_only=True,
        status_codes=["409"],
    ),
    OpenApiExample(
        "Created past them",
        summary=gettext_lazy("Send it again, naming the activities compared"),
        value={
            "title": "Rural finance learning route, Brazil to Mozambique",
            "activity_type": "learning_route",
            "modality": "south_south",
            "funding_nature": "grant",
            "lead_division": "ESA",
            "approval_year": 2010,
            "countries": [
                {"iso2": "BR", "role": "provider"},
                {"iso2": "MZ", "role": "receiver"},
            ],
            "themes": ["agri-production"],
            "not_duplicate_of": [15],
        },
        request_only=True,
    ),
]
DUPLICATE_SUGGESTIONS = answer_example(
    "One likely duplicate", gettext_lazy("One likely duplicate"), LIKELY_DUPLICATE
)

LEDGER_ENTRY: dict[str, Any] = {
    "id": 42,
    "activity": 15,
    "ssc_id": "SSC-2010-05",
    "contributor": 4,
    "contributor_group": None,
    "contributor_name": "International Poverty Reduction Center in China",
    "kind": "cofinancing",
    "valuation_method": "",
    "valuation_basis": "",
    "unit": "",
    "quantity": None,
    "valued_by": "",
    "provider_country": None,
    "unit_rate": None,
    "rate_card_version": None,
    "stage": "allocated",
    "amount": "200000.00",
    "currency": "CNY",
    "value_date": "2010-03-15",
    "fiscal_year": 2010,
    "units_per_usd": "6.82680000",
    "amount_usd": "29296.59",
    "entry_type": "original",
    "corrects": None,
    "reason": "",
    "reference": "Agreement 2010/17",
    "note": "",
    "created_by": "focal",
    "created_at": "2026-02-03T14:05:12Z",
}

LEDGER_EXAMPLES = [
    answer_example("A ledger line", gettext_lazy("A ledger line"), LEDGER_ENTRY),
]

LEDGER_RECORD = OpenApiExample(
    "Record two lines",
    summary=gettext_lazy("IFAD's grant and a partner's cofinancing, in one request"),
    value={
        "activity": 15,
        "ledger_version": 3,
        "entries": [
            {
                "kind": "ifad_grant",
                "stage": "spent",
                "amount": "25000.00",
                "currency": "USD",
                "value_date": "2010-06-30",
            },
            {
                "kind": "cofinancing",
                "stage": "allocated",
                "amount": "200000.00",
                "currency": "CNY",
                "value_date": "2010-03-15",
                "contributor": 4,
                "reference": "Agreement 2010/17",
            },
        ],
    },
    request_only=True,
)


def _group(key: int | None, label: str, ifad: str, cofinancing: str) -> dict[str, Any]:
    total = str(Decimal(ifad) + Decimal(cofinancing))
    return {
        **_RATES,
        "key": key,
        "label": label,
        "ifad": {"planned": ifad, "allocated": ifad, "spent": "0.00"},
        "cofinancing": {"planned": cofinancing, "allocated": cofinancing, "spent": "0.00"},
        "in_kind": _NOTHING,
        "total": {"planned": total, "allocated": total, "spent": "0.00"},
    }


ROLLUP_EXAMPLES = [
    OpenApiExample(
        "By fiscal year",
        summary="?group_by=fiscal_year",
        value={
            "group_by": "fiscal_year",
            "currency": "USD",
            "as_of": "2026-02-03T14:06:00Z",
            "refreshing": False,
            "in_kind_not_valued": {"lines": 0, "quantities": {}, "note": ""},
            "total": _group(None, "Total", "410000.00", "130000.00"),
            "groups": [
                _group(2009, "2009", "150000.00", "0.00"),
                _group(2010, "2010", "260000.00", "130000.00"),
            ],
            "coverage": {
                "coverage_activities": "33.3",
                "coverage_money": "27.8",
                "activities": 3,
                "confirmed": 1,
                "waiting": 1,
                "disputed": 1,
                "no_counterpart": 0,
                "allocated_usd": "540000.00",
                "confirmed_allocated_usd": "150000.00",
            },
        },
        response_only=True,
        status_codes=["200"],
    )
]


ACTIVITY_MERGE = OpenApiExample(
    "Merge a duplicate",
    summary=gettext_lazy("Merge SSC-2024-118 (id 118, version 2) into this activity (version 5)"),
    value={"remove": 118, "version": 5, "remove_version": 2},
    request_only=True,
)
