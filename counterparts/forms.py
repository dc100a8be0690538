"""The pages' forms: they only parse what was posted. Every rule (who may act, what a dispute
needs, whether an amount converts) is the services', which name the field they refuse."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.numbers import LocalizedDecimalField
from activities.models import Partner
from finance.models import InKindValuation, Stage

from .models import COMMENT_MAX, DisputedField, ProposedKind


class VersionedForm(forms.Form):
    """The version the page was rendered with: a write from a stale page is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class ConfirmForm(VersionedForm):
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DisputeForm(VersionedForm):
    # Not required here: the service says what is missing, in the same words as the API.
    # Not named "fields" (the service's and the API's name): a form's `fields` is its own.
    disputed = forms.MultipleChoiceField(
        label=_("What is wrong"),
        choices=DisputedField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say what the record should say instead."),
    )


class AnswerForm(VersionedForm):
    comment = forms.CharField(
        label=_("Answer"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you changed in the record, or why it stays as it is."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Write @username to notify someone who reads this activity."),
    )
    internal = forms.BooleanField(
        label=_("Internal note (agency staff only)"),
        required=False,
    )


class DeclineForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The counterpart who proposed it reads this reason."),
    )


class ProposalForm(forms.Form):
    contributor = forms.ModelChoiceField(
        label=_("Contributing organization"), queryset=Partner.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=ProposedKind.choices)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    amount = LocalizedDecimalField(label=_("Amount"), max_digits=20, decimal_places=2)
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        min_length=3,
        help_text=_("ISO 4217 code, for example USD, EUR, MZN."),
    )
    value_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    valuation_method = forms.ChoiceField(
        label=_("Valuation (in-kind only)"),
        choices=[("", _("Not valued (cash)")), *InKindValuation.choices],
        required=False,
    )
    valuation_basis = forms.CharField(
        label=_("Valuation basis (in-kind only)"),
        required=False,
        max_length=255,
        help_text=_("For example: 12 staff days at 300 USD."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, contributors: QuerySet[Partner], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["contributor"]
        field.queryset = contributors
        # One organization to choose from (a partner user's own): chosen already.
        first_two = list(contributors[:2])
        if len(first_two) == 1:
            field.initial = first_two[0].pk

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()
