"""The OpenAPI schema as the API behaves: drf-spectacular's, with the limits our serializer
fields and filters enforce that it leaves out.

The REST_FRAMEWORK setting DEFAULT_SCHEMA_CLASS names ApiSchema, so this module (and the filter
extension with it) is loaded before any schema is generated.
"""

from __future__ import annotations

from typing import Any

from django import forms
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ApiFilterParameters(DjangoFilterExtension):
    """The filters' query parameters as ApiFilterBackend reads them: each one's type and bounds
    from its form field (drf-spectacular guesses from the model or the filter method, and
    leaves out the bounds), and never empty."""

    target_class = "ssc_portal.api.ApiFilterBackend"
    priority = 1

    def resolve_filter_field(
        self,
        auto_schema: Any,
        model: Any,
        filterset_class: Any,
        field_name: str,
        filter_field: Any,
    ) -> list[dict[str, Any]]:
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for parameter in parameters:
            parameter["schema"] = filter_schema(filter_field.field, parameter["schema"])
        return parameters


def filter_schema(field: forms.Field, guessed: dict[str, Any]) -> dict[str, Any]:
    """The JSON schema of one filter parameter's value, from the form field that reads it."""
    if isinstance(field, forms.NullBooleanField):
        return {"type": "boolean"}
    if isinstance(field, forms.IntegerField):
        schema: dict[str, Any] = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
        return schema
    if isinstance(field, forms.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
        if getattr(field, "pattern", None):
            schema["pattern"] = field.pattern  # type: ignore[attr-defined]
        return schema
    if isinstance(field, forms.ModelChoiceField) and field.to_field_name is None:
        return {"type": "integer", "minimum": 1}
    schema = {"type": "string", **guessed, "minLength": 1}
    if "enum" in schema:
        schema.pop("minLength")
    max_length = getattr(field, "max_length", None)
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, with the limits our fields enforce that it leaves out, so that
    a request the schema allows is one the fields accept: ids from 1, no empty list where
    one item is required, no empty or negative amount where the field refuses them."""

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("type") == "integer":
                parameter["schema"]["minimum"] = 1
        return parameters

    def _map_serializer_field(
        self, field: serializers.Field, direction: str, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or getattr(field, "read_only", False):
            return schema
        if schema.get("type") == "array":
            if getattr(field, "allow_empty", True) is False:
                schema["minItems"] = max(schema.get("minItems", 0), 1)
            if getattr(field, "max_length", None) is not None:
                schema["maxItems"] = field.max_length  # type: ignore[attr-defined]
        elif isinstance(field, serializers.PrimaryKeyRelatedField):
            schema["minimum"] = 1
        elif isinstance(field, serializers.DecimalField) and schema.get("format") == "decimal":
            schema["pattern"] = decimal_pattern(field)
        return schema


def decimal_pattern(field: serializers.DecimalField) -> str:
    """What the field parses: digits with an optional point, at least one digit, a minus only
    where negatives are allowed (drf-spectacular's pattern also matches "", "." and "-")."""
    whole = field.max_whole_digits if field.max_whole_digits is not None else ""
    places = field.decimal_places if field.decimal_places is not None else ""
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    return rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
