"""The API's human reference at /api/docs/, rendered on the server from the OpenAPI schema.

No Swagger UI or Redoc: their scripts would come from a CDN or need inline code the CSP
forbids. This page lists every path, method, parameter, request body and response of the same
schema /api/schema/ serves, so the two cannot disagree.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@lru_cache(maxsize=4)
def openapi_schema(language: str | None) -> dict[str, Any]:
    """The schema, built once per language per process (building it walks every endpoint)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def type_text(schema: dict[str, Any]) -> dict[str, Any]:
    """How a schema reads in a table: its type in words and the component it links to."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return {"text": name, "ref": name}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        inner = type_text(schema["allOf"][0])
        return {**inner, "text": inner["text"] + (" | null" if schema.get("nullable") else "")}
    if "oneOf" in schema:
        parts = [type_text(part) for part in schema["oneOf"]]
        return {
            "text": " | ".join(part["text"] for part in parts),
            "ref": next((p["ref"] for p in parts if p.get("ref")), ""),
        }
    kind = schema.get("type", "any")
    if kind == "array":
        inner = type_text(schema.get("items", {}))
        text = f"array of {inner['text']}"
        return {"text": text, "ref": inner.get("ref", "")}
    if kind == "object" and "additionalProperties" in schema:
        inner = type_text(schema["additionalProperties"] or {})
        return {"text": f"object of {inner['text']}", "ref": inner.get("ref", "")}
    text = kind
    if schema.get("format"):
        text += f" ({schema['format']})"
    if schema.get("nullable"):
        text += " | null"
    return {"text": text, "ref": ""}


def constraints(schema: dict[str, Any]) -> list[str]:
    found = []
    if "enum" in schema:
        found.append("one of: " + ", ".join(str(v) for v in schema["enum"] if v not in ("", None)))
    for key, label in (
        ("minimum", "min"),
        ("maximum", "max"),
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("maxItems", "max items"),
        ("pattern", "pattern"),
    ):
        if key in schema:
            found.append(f"{label} {schema[key]}")
    if schema.get("readOnly"):
        found.append("read-only")
    return found


def _component_rows(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": type_text(prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "constraints": constraints(prop),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def reference(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema reshaped for the template: operations by path, then components."""
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            operations.append(
                {
                    "anchor": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "public": {} in operation.get("security", []),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "in": parameter["in"],
                            "required": parameter.get("required", False),
                            "type": type_text(parameter.get("schema", {})),
                            "description": parameter.get("description", ""),
                            "constraints": constraints(parameter.get("schema", {})),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "request": [
                        {"media_type": media_type, "type": type_text(content.get("schema", {}))}
                        for media_type, content in body.items()
                    ],
                    "responses": [
                        {
                            "status": code,
                            "description": response.get("description", ""),
                            "content": [
                                {
                                    "media_type": media_type,
                                    "type": type_text(content.get("schema", {})),
                                }
                                for media_type, content in response.get("content", {}).items()
                            ],
                            "headers": list(response.get("headers", {})),
                        }
                        for code, response in operation.get("responses", {}).items()
                    ],
                }
            )
    components = [
        {
            "name": name,
            "description": component.get("description", ""),
            "enum": component.get("enum"),
            "rows": _component_rows(component),
        }
        for name, component in sorted(schema.get("components", {}).get("schemas", {}).items())
    ]
    return {"info": schema.get("info", {}), "operations": operations, "components": components}


@require_safe
def api_docs(request: HttpRequest) -> HttpResponse:
    """Public, like the schema: reading how the API works needs no account."""
    return render(
        request, "api/docs.html", {"reference": reference(openapi_schema(get_language()))}
    )
