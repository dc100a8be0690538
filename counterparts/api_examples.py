"""The example the API reference shows for confirmations (tests/api/test_examples.py checks it
against the schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample

CONFIRMATION_EXAMPLES = [
    OpenApiExample(
        "A country's role, confirmed",
        summary=gettext_lazy("A country's role, confirmed"),
        value={
            "id": 3,
            "activity": 15,
            "ssc_id": "SSC-2010-05",
            "side": {
                "kind": "country",
                "country": "BD",
                "partner": None,
                "role": "receiver",
                "label": "Bangladesh (Receiver)",
            },
            "state": "confirmed",
            "state_label": "Confirmed",
            "asked_at": "2026-01-12T09:30:00Z",
            "updated_at": "2026-01-15T11:02:10Z",
            "version": 2,
            "steps": [
                {
                    "action": "asked",
                    "fields": [],
                    "comment": "",
                    "by": "focal",
                    "via": "system",
                    "at": "2026-01-12T09:30:00Z",
                },
                {
                    "action": "confirmed",
                    "fields": [],
                    "comment": "Our ministry hosted the visit.",
                    "by": "counterpart",
                    "via": "form",
                    "at": "2026-01-15T11:02:10Z",
                },
            ],
        },
        response_only=True,
        status_codes=["200"],
    )
]
