"""The example the API reference shows for knowledge assets (tests/api/test_examples.py checks it
against the schema)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiExample

KNOWLEDGE_EXAMPLES = [
    OpenApiExample(
        "A public case study",
        summary=gettext_lazy("A public case study"),
        value={
            "id": 7,
            "asset_type": "case_study",
            "title": "How Andean farmers run their quinoa value chain",
            "abstract": "Producers' associations own the processing and sell the grain together.",
            "language": "en",
            "texts": [
                {
                    "language": "es",
                    "title": "Cómo gestionan los agricultores andinos su cadena de la quinua",
                    "abstract": "Las asociaciones procesan y venden juntas el grano.",
                }
            ],
            "published_on": "2024-05-02",
            "division": "LAC",
            "countries": ["PE", "BO"],
            "themes": ["value-chains", "producer-organizations"],
            "sdgs": [1, 2],
            "author_organizations": [
                {"id": 1, "name": "PROCASUR Corporation", "acronym": "PROCASUR"}
            ],
            "activities": ["SSC-2009-02"],
            "external_url": "",
            "licence": "cc_by",
            "visibility": "public",
            "files": [],
            "page": "https://ssc.example.org/knowledge/assets/7/",
            "created_at": "2026-01-20T10:00:00Z",
            "updated_at": "2026-01-21T08:12:45Z",
        },
        response_only=True,
        status_codes=["200"],
    )
]
