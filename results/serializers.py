"""What the REST API shows of results frameworks and updates, and what it accepts to draft,
change and move an update through its approval.

Reads are explicit output serializers; a period's actual comes from results.progress (the one
definition), given in the serializer's context (`actuals`, by period id) so that a page of
indicators reads it in a fixed number of queries. Writes are input serializers that only
parse: the view resolves ids, authorizes and calls results.services.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import api_numbers as numbers

from .models import (
    VALUE_DIGITS,
    VALUE_PLACES,
    Aggregation,
    CoreIndicator,
    CoreSource,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorKind,
    Measure,
    Period,
    Result,
    ResultType,
    Side,
    TargetDisaggregation,
    Update,
    UpdateDisaggregation,
    UpdateStatus,
)
from .progress import Actual, progress_percent


def _value(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, **options)


def _value_input(**options: Any) -> serializers.DecimalField:
    """A value sent to the API: a JSON number or a decimal string with a dot."""
    return numbers.DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, **options)


# --- the library -------------------------------------------------------------------------------


class DimensionValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = DimensionValue
        fields = ["id", "value", "position"]


class DimensionSerializer(serializers.ModelSerializer):
    values = DimensionValueSerializer(many=True, read_only=True)

    class Meta:
        model = Dimension
        fields = ["id", "name", "position", "is_active", "values"]


class CoreIndicatorSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=IndicatorKind.choices)
    measure = serializers.ChoiceField(
        choices=Measure.choices, help_text=_("IATI IndicatorMeasure code.")
    )
    aggregation = serializers.ChoiceField(choices=Aggregation.choices)
    # Named like a Field attribute: the serializer's metaclass takes it off the class.
    source = serializers.ChoiceField(choices=CoreSource.choices)  # type: ignore[assignment]

    class Meta:
        model = CoreIndicator
        fields = [
            "id",
            "code",
            "title",
            "description",
            "kind",
            "unit",
            "measure",
            "aggregation",
            "source",
            "position",
            "is_active",
        ]


# --- frameworks --------------------------------------------------------------------------------


class ResultSerializer(serializers.ModelSerializer):
    type = serializers.ChoiceField(choices=ResultType.choices, help_text=_("IATI ResultType."))
    side = serializers.ChoiceField(choices=Side.choices, help_text=_("Whose change it is."))

    class Meta:
        model = Result
        fields = ["id", "activity", "type", "side", "title", "description", "position"]


class TargetPartSerializer(serializers.ModelSerializer):
    dimension = serializers.CharField(source="dimension_value.dimension.name", read_only=True)
    label = serializers.CharField(  # type: ignore[assignment]  # a field, as `source` above
        source="dimension_value.value", read_only=True
    )
    value = _value()

    class Meta:
        model = TargetDisaggregation
        fields = ["dimension_value", "dimension", "label", "value"]


class ActualPartSerializer(serializers.Serializer):
    dimension_value = serializers.IntegerField()
    value = _value()


class ActualSerializer(serializers.Serializer):
    """What the period achieved: its approved updates that no revision replaced."""

    value = _value(allow_null=True, help_text=_("Quantitative indicators; null if none."))
    achieved = serializers.BooleanField(allow_null=True, help_text=_("Qualitative indicators."))
    narrative = serializers.CharField(allow_blank=True)
    parts = ActualPartSerializer(many=True, help_text=_("By dimension value."))
    updates = serializers.IntegerField(help_text=_("How many approved updates count."))
    progress_percent = serializers.IntegerField(
        allow_null=True,
        help_text=_("0 to 100 from the baseline to the target; null without both."),
    )


class PeriodSerializer(serializers.ModelSerializer):
    target_value = _value(allow_null=True)
    target_parts = TargetPartSerializer(many=True, read_only=True)
    actual = serializers.SerializerMethodField()

    class Meta:
        model = Period
        fields = ["id", "start", "end", "target_value", "target_comment", "target_parts", "actual"]

    @staticmethod
    def _actual(period: Period, actual: Actual) -> dict[str, Any]:
        return {
            "value": None if actual.value is None else f"{actual.value:f}",
            "achieved": actual.achieved,
            "narrative": actual.narrative,
            "parts": [
                {"dimension_value": pk, "value": f"{value:f}"}
                for pk, value in sorted(actual.parts.items())
            ],
            "updates": actual.updates,
            "progress_percent": progress_percent(period, actual),
        }

    @extend_schema_field(ActualSerializer)
    def get_actual(self, period: Period) -> dict[str, Any]:
        actuals: dict[int, Actual] = self.context["actuals"]
        return ActualSerializer(self._actual(period, actuals.get(period.pk, Actual()))).data


class IndicatorSerializer(serializers.ModelSerializer):
    activity = serializers.IntegerField(source="result.activity_id", read_only=True)
    core: serializers.SlugRelatedField[CoreIndicator] = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("The core indicator's code, when it adopts one."),
    )
    kind = serializers.ChoiceField(choices=IndicatorKind.choices)
    measure = serializers.ChoiceField(
        choices=Measure.choices, help_text=_("IATI IndicatorMeasure code.")
    )
    baseline_value = _value(allow_null=True)
    dimensions = DimensionSerializer(
        many=True, read_only=True, help_text=_("Report disaggregated values by these.")
    )
    periods = PeriodSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "result",
            "activity",
            "core",
            "title",
            "description",
            "kind",
            "unit",
            "measure",
            "ascending",
            "cumulative",
            "baseline_value",
            "baseline_year",
            "baseline_comment",
            "dimensions",
            "periods",
        ]


# --- updates -----------------------------------------------------------------------------------


class UpdatePartSerializer(serializers.ModelSerializer):
    dimension = serializers.CharField(source="dimension_value.dimension.name", read_only=True)
    label = serializers.CharField(  # type: ignore[assignment]  # a field, as `source` above
        source="dimension_value.value", read_only=True
    )
    value = _value()

    class Meta:
        model = UpdateDisaggregation
        fields = ["dimension_value", "dimension", "label", "value"]


class UpdateSerializer(serializers.ModelSerializer):
    indicator = serializers.IntegerField(source="period.indicator_id", read_only=True)
    activity = serializers.IntegerField(
        source="period.indicator.result.activity_id", read_only=True
    )
    status = serializers.ChoiceField(choices=UpdateStatus.choices)
    value = _value(allow_null=True)
    parts = UpdatePartSerializer(many=True, read_only=True)
    evidence_file = serializers.SerializerMethodField(
        help_text=_("Name of the uploaded evidence file (read and sent on the update's page).")
    )
    version = serializers.IntegerField(
        help_text=_("Send it back with every change or action: a stale one is refused (409).")
    )

    class Meta:
        model = Update
        fields = [
            "id",
            "period",
            "indicator",
            "activity",
            "status",
            "value",
            "narrative",
            "achieved",
            "comment",
            "parts",
            "evidence_url",
            "evidence_asset",
            "evidence_file",
            "return_reason",
            "revises",
            "revision_reason",
            "retired",
            "version",
            "created_at",
            "submitted_at",
            "reviewed_at",
            "updated_at",
        ]

    def get_evidence_file(self, update: Update) -> str:
        return update.evidence_file_name if update.evidence_file else ""


class UpdatePartInput(serializers.Serializer):
    dimension_value = serializers.IntegerField(
        min_value=1, help_text=_("A value of one of the indicator's dimensions.")
    )
    value = _value_input(min_value=0)


class UpdateInput(serializers.Serializer):
    """An update's content. Quantitative indicators take a value (and its disaggregation),
    qualitative ones a narrative and whether the indicator was achieved. Evidence: a link,
    or a knowledge asset's id (files go through the update's page, where uploads are checked)."""

    value = _value_input(required=False, allow_null=True, min_value=0)
    narrative = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    achieved = serializers.BooleanField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    parts = serializers.ListField(
        child=UpdatePartInput(),
        required=False,
        max_length=100,
        help_text=_("Disaggregated values; per dimension they add up to no more than the value."),
    )
    evidence_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    evidence_asset = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("Id of a knowledge asset you may read."),
    )


class UpdateCreateInput(UpdateInput):
    period = serializers.IntegerField(min_value=1, help_text=_("The reporting period's id."))


class UpdateChangeInput(UpdateInput):
    """The update's whole content (fields left out are emptied) and the version read."""

    version = serializers.IntegerField(min_value=1)


class VersionInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=_("The update's version as read."))


class ReasonInput(VersionInput):
    reason = serializers.CharField(max_length=5000, help_text=_("Why: shown to the reporter."))
