"""The examples the API reference shows are ones the API could answer or accept: each is checked
against its operation's schema, every property present in an answer and none the schema lacks, so
an example cannot drift from the serializers it illustrates."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# The endpoints the reference must illustrate (the issue's "main endpoints").
ILLUSTRATED = {
    ("get", "/api/v1/activities/"),
    ("get", "/api/v1/activities/{id}/"),
    ("patch", "/api/v1/activities/{id}/"),
    ("get", "/api/v1/ledger/"),
    ("get", "/api/v1/ledger/{id}/"),
    ("post", "/api/v1/ledger/"),
    ("get", "/api/v1/rollups/"),
    ("get", "/api/v1/knowledge/"),
    ("get", "/api/v1/knowledge/{id}/"),
    ("get", "/api/v1/confirmations/"),
    ("get", "/api/v1/confirmations/{id}/"),
}


def _json_schema(node: Any, components: dict[str, Any], *, answer: bool) -> Any:
    """OpenAPI 3.0's schema as JSON Schema: references resolved, `nullable` as a null type,
    oneOf read as anyOf (drf-spectacular's "blank or a URL" matches "" twice once formats go
    unchecked), and objects closed (and, in an answer, complete: a serializer writes every
    field)."""
    if isinstance(node, list):
        return [_json_schema(item, components, answer=answer) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        return _json_schema(components[name], components, answer=answer)
    converted = {
        "anyOf" if key == "oneOf" else key: _json_schema(value, components, answer=answer)
        for key, value in node.items()
        if key != "nullable"
    }
    if "properties" in node:
        converted["properties"] = {
            name: _json_schema(value, components, answer=answer)
            for name, value in node["properties"].items()
        }
        converted["additionalProperties"] = False
        if answer:
            converted["required"] = list(node["properties"])
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _examples(document: dict[str, Any]) -> list[tuple[str, str, str, Any, Any, bool]]:
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, example in body.get("examples", {}).items():
                found.append((method, path, name, body["schema"], example["value"], False))
            for response in operation.get("responses", {}).values():
                content = response.get("content", {}).get("application/json", {})
                for name, example in content.get("examples", {}).items():
                    found.append((method, path, name, content["schema"], example["value"], True))
    return found


def test_the_main_endpoints_have_examples_that_match_their_schema() -> None:
    document = Client().get("/api/schema/?format=json").json()
    components = document["components"]["schemas"]
    examples = _examples(document)
    assert {(method, path) for method, path, *_rest in examples} >= ILLUSTRATED
    for method, path, name, schema, value, answer in examples:
        expected = _json_schema(schema, components, answer=answer)
        try:
            jsonschema.validate(value, expected)
        except jsonschema.ValidationError as error:
            pytest.fail(f"{method} {path} example {name}: {error.message} at {list(error.path)}")


def test_a_list_shows_its_example_in_a_page() -> None:
    document = Client().get("/api/schema/?format=json").json()
    content = document["paths"]["/api/v1/activities/"]["get"]["responses"]["200"]["content"]
    page = next(iter(content["application/json"]["examples"].values()))["value"]
    assert set(page) == {"next", "previous", "results"}
    assert page["results"][0]["ssc_id"] == "SSC-2010-05"
