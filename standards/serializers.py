"""The standards API's input and output: explicit fields, names unique across the apps."""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from activities.models import Country, Division

from .forms import MAX_YEARS
from .models import ExportFormat, ExportKind, StandardsExport
from .selection import Selection


class StandardsSelectionInput(serializers.Serializer[Any]):
    year_from = serializers.IntegerField(
        required=False,
        min_value=1978,
        max_value=2100,
        help_text=format_lazy(
            gettext_lazy("First fiscal year; with year_to, at most {count} years in all."),
            count=MAX_YEARS,
        ),
    )
    year_to = serializers.IntegerField(
        required=False,
        min_value=1978,
        max_value=2100,
        help_text=gettext_lazy("Last fiscal year, not before year_from."),
    )
    division = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Division.objects.all(),
        required=False,
        help_text=gettext_lazy("Lead division code."),
    )
    country = serializers.SlugRelatedField(
        slug_field="iso2",
        queryset=Country.objects.all(),
        required=False,
        help_text=gettext_lazy("A country taking part, by its ISO 3166-1 alpha-2 code."),
    )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # DRF reads "division=" in a query string as no division; the schema (and the guide)
        # say a parameter given must have a value: refused, naming it, rather than ignored.
        blank: dict[str, list[str]] = {
            str(name): [_("Give a value, or leave the parameter out.")]
            for name in self.fields
            if hasattr(data, "get") and data.get(name, None) == ""
        }
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("year_from"), attrs.get("year_to")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError(
                {"year_to": [_("The last year cannot be before the first.")]}
            )
        first, last = start or end, end or start
        if first is not None and last is not None and last - first >= MAX_YEARS:
            raise serializers.ValidationError(
                {"year_to": [_("Choose at most %(count)d years.") % {"count": MAX_YEARS}]}
            )
        return attrs

    def selection(self) -> Selection:
        data = self.validated_data
        first = data.get("year_from") or data.get("year_to")
        last = data.get("year_to") or data.get("year_from")
        division, country = data.get("division"), data.get("country")
        return Selection(
            years=tuple(range(first, last + 1)) if first is not None else (),
            division_id=division.pk if division else None,
            country_id=country.pk if country else None,
        )


class StandardsExportInput(StandardsSelectionInput):
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    format = serializers.ChoiceField(choices=ExportFormat.choices)


class StandardsProblemSerializer(serializers.Serializer[Any]):
    ssc_id = serializers.CharField(help_text=gettext_lazy("Empty for the whole selection."))
    title = serializers.CharField()
    problem = serializers.CharField()


class StandardsChecksFailedSerializer(serializers.Serializer[Any]):
    """A 400: the API's error (a parameter named in `errors`) or the checks' problems."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text=gettext_lazy("invalid, or checks_failed"))
    # The API error body's own field (the metaclass takes it out of the class attributes).
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )
    problems = StandardsProblemSerializer(many=True, required=False)


class StandardsExportSerializer(serializers.ModelSerializer[StandardsExport]):
    slice_country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="iso2", read_only=True, allow_null=True
    )
    problems = StandardsProblemSerializer(many=True, read_only=True)

    class Meta:
        model = StandardsExport
        fields = [
            "id",
            "kind",
            "format",
            "selection",
            "slice_country",
            "state",
            "progress",
            "rows",
            "problems",
            "error",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class TossdRowSerializer(serializers.Serializer[Any]):
    """One row of the TOSSD extract (docs/standards.md describes each field)."""

    year = serializers.IntegerField()
    provider_code = serializers.CharField()
    provider_name = serializers.CharField()
    project_number = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    recipient_iso3 = serializers.CharField()
    recipient_name = serializers.CharField()
    first_provider = serializers.CharField()
    second_provider = serializers.CharField()
    sector_code = serializers.CharField()
    other_sectors = serializers.CharField()
    sdg_focus = serializers.CharField()
    finance_type = serializers.CharField()
    finance_types = serializers.CharField()
    aid_type = serializers.CharField()
    channel_code = serializers.CharField()
    collaboration_type = serializers.CharField()
    commitments_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    disbursements_usd = serializers.DecimalField(max_digits=20, decimal_places=2)
    currency = serializers.CharField()
    original_currencies = serializers.CharField()
    in_kind_methods = serializers.CharField()
    in_kind_quantities = serializers.CharField()
    unvalued_in_kind = serializers.BooleanField()


class TossdPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(help_text=gettext_lazy("Activities in the selection."))
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = TossdRowSerializer(many=True)


class TossdPageQuery(StandardsSelectionInput):
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000, default=1)
