"""Forms of the framework pages: results, indicators, periods and their targets, benefits, the
scaling-up pathway and related activities. They parse what was typed; the rules about the
records live in results.services, whose refusals the views put back on these fields."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from accounts.numbers import LocalizedDecimalField
from activities.models import Activity
from finance.forms import CurrencyField
from knowledge.forms import PartnerChoiceField, visible_activities_by_ssc_id

from ..models import (
    VALUE_DIGITS,
    VALUE_PLACES,
    ActivityRelation,
    BenefitStream,
    CoreIndicator,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorKind,
    Measure,
    Period,
    Result,
    ScalingPathway,
    Side,
)

if TYPE_CHECKING:
    from accounts.models import User

DATE_WIDGET = {"type": "date"}
# How many of the activities a user reads the relation form offers to pick from; any other is
# found by its SSC ID.
PICK_LIMIT = 200


class ValueField(LocalizedDecimalField):
    """An indicator's value, target or baseline: a number typed in the page's language, never
    text, never negative, with the model's 16 digits before the point and 4 after."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(
            max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, min_value=Decimal(0), **kwargs
        )


class ResultForm(forms.ModelForm):
    class Meta:
        model = Result
        fields = ["type", "side", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "side": _(
                "Whose change this result describes: the host, the guest, the broker, or all."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["autofocus"] = True


class IndicatorForm(forms.ModelForm):
    core = forms.ModelChoiceField(
        label=_("Core indicator"),
        queryset=CoreIndicator.objects.none(),
        required=False,
        empty_label=_("None: an indicator of this activity only"),
        help_text=_(
            "Adopting a core indicator takes its kind, unit and measure, so that the values add "
            "up across the portfolio."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", "---------"), *IndicatorKind.choices], required=False
    )
    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=[
            (Measure.UNIT, Measure.UNIT.label),
            (Measure.PERCENTAGE, Measure.PERCENTAGE.label),
        ],
        required=False,
        initial=Measure.UNIT,
    )
    baseline_value = ValueField(label=_("Baseline value"))
    dimensions = forms.ModelMultipleChoiceField(
        label=_("Disaggregated by"),
        queryset=Dimension.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Indicator
        fields = [
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
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "baseline_comment": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        instance = self.instance
        core = cast(forms.ModelChoiceField, self.fields["core"])
        core.queryset = CoreIndicator.objects.filter(
            Q(is_active=True) | Q(pk=instance.core_id or 0)
        )
        kept = instance.dimensions.all() if instance.pk else Dimension.objects.none()
        dimensions = cast(forms.ModelMultipleChoiceField, self.fields["dimensions"])
        dimensions.queryset = Dimension.objects.filter(
            Q(is_active=True) | Q(pk__in=kept.values("pk"))
        )
        self.fields["title"].widget.attrs["autofocus"] = True
        if instance.pk and instance.kind == IndicatorKind.QUALITATIVE:
            self.initial["measure"] = Measure.UNIT

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("core") is None and not data.get("kind"):
            self.add_error("kind", _("Choose the kind, or adopt a core indicator."))
        return data

    def indicator(self) -> Indicator:
        """The instance as typed; the service takes the core indicator's kind, unit, measure."""
        indicator = cast(Indicator, self.instance)
        data = self.cleaned_data
        if indicator.kind == IndicatorKind.QUALITATIVE:
            indicator.measure = Measure.QUALITATIVE
        elif not data.get("measure"):
            indicator.measure = Measure.UNIT
        return indicator


class PeriodForm(forms.ModelForm):
    """A period's dates and target, and one target field per value of each dimension the
    indicator is disaggregated by (`part_<value id>`)."""

    target_value = ValueField(label=_("Target"))

    class Meta:
        model = Period
        fields = ["start", "end", "target_value", "target_comment"]
        widgets = {
            "start": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "end": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "target_comment": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.groups: list[tuple[Dimension, list[str]]] = []
        existing = (
            {p.dimension_value_id: p.value for p in self.instance.target_parts.all()}
            if self.instance.pk
            else {}
        )
        values = DimensionValue.objects.filter(dimension__in=indicator.dimensions.all())
        by_dimension: dict[Dimension, list[DimensionValue]] = {}
        for value in values.select_related("dimension").order_by(
            "dimension__position", "dimension__name", "position"
        ):
            by_dimension.setdefault(value.dimension, []).append(value)
        for dimension, dimension_values in by_dimension.items():
            names = []
            for value in dimension_values:
                name = f"part_{value.pk}"
                self.fields[name] = ValueField(
                    label=_("%(dimension)s: %(value)s")
                    % {"dimension": dimension.name, "value": value.value},
                    initial=existing.get(value.pk),
                )
                self.fields[name].dimension_value = value  # type: ignore[attr-defined]
                names.append(name)
            self.groups.append((dimension, names))
        if not indicator.is_quantitative:
            self.fields["target_value"].disabled = True
            self.fields["target_value"].help_text = _(
                "A qualitative indicator's target is described in the comment."
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            # Said on the field: the model's constraint would only name the form.
            self.add_error("end", _("The period cannot end before it starts."))
        return data

    def part_fields(self) -> list[list[forms.BoundField]]:
        return [[self[name] for name in names] for _dimension, names in self.groups]

    def target_parts(self) -> dict[DimensionValue, Decimal]:
        parts = {}
        for _dimension, names in self.groups:
            for name in names:
                amount = self.cleaned_data.get(name)
                if amount is not None:
                    parts[self.fields[name].dimension_value] = amount  # type: ignore[attr-defined]
        return parts


class BenefitForm(forms.Form):
    description = forms.CharField(
        label=_("Expected benefit"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=BenefitStream._meta.get_field("description").validators,
    )


BenefitFormSet = formset_factory(BenefitForm, extra=2, max_num=30, absolute_max=30)


def benefit_formsets(
    data: Any, benefits: list[BenefitStream]
) -> list[tuple[str, str, forms.BaseFormSet]]:
    """One formset per side (provider, receiver, broker, all), each with its benefits."""
    formsets = []
    for side, label in Side.choices:
        initial = [{"description": b.description} for b in benefits if b.side == side]
        formsets.append((side, str(label), BenefitFormSet(data, initial=initial, prefix=side)))
    return formsets


class PathwayForm(forms.ModelForm):
    champion = PartnerChoiceField(label=_("Who would take it further"), required=False)
    amount = LocalizedDecimalField(
        label=_("Amount"), required=False, max_digits=18, decimal_places=2, min_value=Decimal(0)
    )
    currency = CurrencyField(label=_("Currency"), max_length=3, required=False)

    class Meta:
        model = ScalingPathway
        fields = ["description", "champion", "investment", "amount", "currency"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "investment": forms.Textarea(attrs={"rows": 2}),
        }


class RelationForm(forms.ModelForm):
    related_ssc_id = forms.CharField(
        label=_("SSC ID of the related activity"),
        required=False,
        max_length=40,
        help_text=_("E.g. SSC-2024-10. Or pick one below."),
    )
    related_pick = forms.TypedChoiceField(
        label=_("Or pick an activity"), coerce=int, required=False, empty_value=None
    )

    class Meta:
        model = ActivityRelation
        fields = ["type", "related_ssc_id", "related_pick", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"type": _("Seen from this activity: it is a follow-up of the other ...")}

    def __init__(self, *args: Any, user: User, activity: Activity, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        readable = Activity.objects.visible_to(user).exclude(pk=activity.pk)
        near = readable.filter(lead_division_id=activity.lead_division_id).order_by(
            "-updated_at", "-pk"
        )[:PICK_LIMIT]
        pick = cast(forms.TypedChoiceField, self.fields["related_pick"])
        pick.choices = [
            ("", _("Choose an activity")),
            *((a.pk, f"{a.ssc_id} — {a.title[:80]}") for a in near.only("pk", "ssc_id", "title")),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        text = (data.get("related_ssc_id") or "").strip()
        picked = data.get("related_pick")
        if text and picked:
            self.add_error("related_ssc_id", _("Give an SSC ID or pick an activity, not both."))
        elif text:
            found, unknown = visible_activities_by_ssc_id(self.user, text)
            if unknown or len(found) != 1:
                self.add_error(
                    "related_ssc_id",
                    _("No activity you can see has the SSC ID %(id)s.") % {"id": text[:40]},
                )
            else:
                data["related"] = found[0]
        elif picked:
            data["related"] = Activity.objects.visible_to(self.user).filter(pk=picked).first()
        else:
            self.add_error("related_ssc_id", _("Give the related activity's SSC ID, or pick one."))
        return data

    def relation(self, activity: Activity) -> ActivityRelation:
        relation = cast(ActivityRelation, self.instance)
        relation.activity = activity
        relation.related = self.cleaned_data["related"]
        return relation
