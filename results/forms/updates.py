"""Forms of the update pages: an update's values and evidence, the workflow's actions, and a
learning-route follow-up. They parse what was typed; the rules are in results.services."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from accounts.numbers import LocalizedDecimalField
from knowledge.models import KnowledgeAsset
from knowledge.uploads import ACCEPT_ATTRIBUTE, CheckedFile, UploadRefused, check_upload

from ..models import (
    VALUE_DIGITS,
    VALUE_PLACES,
    DimensionValue,
    FollowUpOutcome,
    Indicator,
    PlanFollowUp,
    Update,
)
from ..services import FollowUpData, ResultsError, UpdateData

if TYPE_CHECKING:
    from accounts.models import User

PART_PREFIX = "part_"
DATE_WIDGET = {"type": "date"}
ACHIEVED_CHOICES = (
    ("", _("Choose")),
    ("yes", _("Yes, achieved")),
    ("no", _("Not (yet) achieved")),
)


def value_field(label: Any, *, required: bool = False) -> LocalizedDecimalField:
    """A number as the indicator stores it, typed in the page's language; text or a number it
    cannot hold names the field."""
    return LocalizedDecimalField(
        label=label,
        required=required,
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        error_messages={
            "max_digits": _("This number is too large for an indicator value."),
            "max_decimal_places": _("Give at most %(max)s decimal places."),
            "max_whole_digits": _("This number is too large for an indicator value."),
        },
    )


def asset_from_reference(user: User, text: str) -> KnowledgeAsset | None:
    """The knowledge asset a library address or number names, if the user reads it."""
    text = text.strip()
    if not text:
        return None
    pk: int | None = int(text) if text.isdigit() else None
    if pk is None:
        path = re.sub(r"^[a-z]+://[^/]+", "", text)
        try:
            match = resolve(path.split("?")[0])
        except Resolver404:
            match = None
        if match and match.view_name == "knowledge:asset_detail":
            pk = int(match.kwargs["pk"])
    asset = (
        KnowledgeAsset.objects.visible_to(user).filter(pk=pk).only("pk", "title").first()
        if pk
        else None
    )
    if asset is None:
        raise forms.ValidationError(_("No knowledge asset you can see has this address."))
    return asset


class VersionForm(forms.Form):
    """The version of the update the page showed: a stale page's action is refused."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class ReasonForm(VersionForm):
    # Not required here: the service asks for the reason in words that fit the action.
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UpdateForm(forms.Form):
    """A period's update: the value and its parts (quantitative) or the narrative and whether
    it was achieved (qualitative), a comment and the evidence."""

    value = value_field(_("Value"))
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened in the period, as the indicator asks."),
    )
    achieved = forms.ChoiceField(label=_("Achieved"), required=False, choices=ACHIEVED_CHOICES)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=_("A PDF, Office document or image, checked as the knowledge library does."),
    )
    remove_evidence_file = forms.BooleanField(label=_("Remove the evidence file"), required=False)
    evidence_url = forms.URLField(
        label=_("Evidence link"), required=False, max_length=500, assume_scheme="https"
    )
    evidence_reference = forms.CharField(
        label=_("Evidence in the knowledge library"),
        required=False,
        max_length=500,
        help_text=_("Paste the library page's address of the document, or its number."),
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        indicator: Indicator,
        dimension_values: list[DimensionValue],
        user: User,
        update: Update | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.indicator, self.user, self.update = indicator, user, update
        self.part_names: dict[str, DimensionValue] = {}
        if indicator.is_quantitative:
            del self.fields["narrative"], self.fields["achieved"]
            unit = f" ({indicator.unit})" if indicator.unit else ""
            self.fields["value"].label = _("Value") + unit
            self.fields["value"].required = True
            for value in dimension_values:
                name = f"{PART_PREFIX}{value.pk}"
                self.fields[name] = value_field(f"{value.dimension.name}: {value.value}")
                self.part_names[name] = value
        else:
            del self.fields["value"]
            self.fields["narrative"].required = True
            self.fields["achieved"].required = True
        # An edit must say which version it started from, or a stale page would overwrite.
        self.fields["version"].required = update is not None
        if update is None or not update.evidence_file:
            del self.fields["remove_evidence_file"]
        if update is not None and not self.is_bound:
            self._fill(update)

    def _fill(self, update: Update) -> None:
        self.initial.update(
            {
                "value": update.value.normalize() if update.value is not None else None,
                "narrative": update.narrative,
                "achieved": {True: "yes", False: "no"}.get(update.achieved, ""),  # type: ignore[arg-type]
                "comment": update.comment,
                "evidence_url": update.evidence_url,
                "evidence_reference": str(update.evidence_asset_id or ""),
                "version": update.version,
            }
        )
        for part in update.parts.all():
            self.initial[f"{PART_PREFIX}{part.dimension_value_id}"] = part.value.normalize()

    def part_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.part_names]

    def clean_evidence_file(self) -> CheckedFile | None:
        upload = self.cleaned_data.get("evidence_file")
        if not upload:
            return None
        try:
            return check_upload(upload)
        except UploadRefused as refused:
            raise forms.ValidationError(str(refused)) from refused

    def clean_evidence_reference(self) -> KnowledgeAsset | None:
        return asset_from_reference(self.user, self.cleaned_data.get("evidence_reference", ""))

    def update_data(self) -> UpdateData:
        data = self.cleaned_data
        parts: dict[DimensionValue, Decimal] = {
            value: data[name]
            for name, value in self.part_names.items()
            if data.get(name) is not None
        }
        return UpdateData(
            value=data.get("value"),
            narrative=data.get("narrative", ""),
            achieved={"yes": True, "no": False}.get(data.get("achieved", "")),
            comment=data.get("comment", ""),
            parts=parts,
            evidence_url=data.get("evidence_url", ""),
            evidence_asset=data.get("evidence_reference"),
            evidence_file=data.get("evidence_file"),
            remove_evidence_file=bool(data.get("remove_evidence_file")),
        )

    def add_service_errors(self, error: ResultsError) -> None:
        """Each refusal on the field it names: the disaggregation's on the first part field,
        the evidence asset's on its reference, the rest (status, version) above the form."""
        aliases = {
            "parts": next(iter(self.part_names), None),
            "evidence_asset": "evidence_reference",
        }
        for name, messages in error.errors.items():
            field = aliases.get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class FollowUpForm(forms.ModelForm):
    """What became of an action plan at one of its follow-ups."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    money_found = LocalizedDecimalField(
        label=_("Money found"),
        required=False,
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        help_text=_("Financing found to carry the plan out, in its own currency."),
    )

    class Meta:
        model = PlanFollowUp
        fields = ["outcome", "recorded_on", "evidence", "evidence_url", "money_found", "currency"]
        widgets = {
            "recorded_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "evidence": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["recorded_on"].required = True
        self.fields["currency"].help_text = _("ISO 4217 code, e.g. USD, EUR, BRL.")

    def _post_clean(self) -> None:
        # The service checks the follow-up as a whole (dates, currency, rate) and names the
        # field; the model's own clean here would run the same rules on a half-set instance.
        pass

    def follow_up_data(self) -> FollowUpData:
        data = self.cleaned_data
        return FollowUpData(
            outcome=data.get("outcome", ""),
            recorded_on=data.get("recorded_on"),
            evidence=data.get("evidence", ""),
            evidence_url=data.get("evidence_url", ""),
            money_found=data.get("money_found"),
            currency=(data.get("currency") or "").upper(),
        )

    def add_service_errors(self, error: ResultsError) -> None:
        for name, messages in error.errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
