"""Forms of the finance pages. They parse and hand over to finance.services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.forms import LongSelect
from activities.models import Partner

from .amounts import AmountError, parse_amount
from .legacy import UnsafeFile, check_container
from .models import CURRENCY_CODES, ContributionKind, InKindValuation, Stage
from .services import EntryData

if TYPE_CHECKING:
    from activities.forms import ChoiceList


class AmountField(forms.Field):
    """Accepts `1 500 000`, `US$ 609,000` or `200000.00`, as people type money."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 40})

    def to_python(self, value: Any) -> Any:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            if len(text) > 40:
                raise AmountError(text)
            return parse_amount(text)
        except AmountError:
            raise forms.ValidationError(
                _("%(value)s is not an amount: write digits, e.g. 150000 or 150 000.50."),
                params={"value": text[:40]},
            ) from None


class CurrencyField(forms.CharField):
    def to_python(self, value: Any) -> Any:
        return (super().to_python(value) or "").strip().upper()

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value not in CURRENCY_CODES:
            raise forms.ValidationError(
                _("%(code)s is not an ISO 4217 currency code (e.g. USD, EUR, XOF)."),
                params={"code": value},
            )


class EntryLineForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ContributionKind.choices, initial=ContributionKind.IFAD_GRANT
    )
    contributor = forms.TypedChoiceField(
        label=_("Contributor"),
        coerce=int,
        required=False,
        widget=LongSelect,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose a partner organization from the list.")},
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.PLANNED)
    amount = AmountField(label=_("Amount"))
    currency = CurrencyField(label=_("Currency"), max_length=3, initial="USD")
    value_date = forms.DateField(
        label=_("Value date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valuation_method = forms.ChoiceField(
        label=_("In-kind valued as"),
        choices=[("", "---------"), *InKindValuation.choices],
        required=False,
    )
    valuation_basis = forms.CharField(label=_("Valuation basis"), max_length=300, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, partner_choices: ChoiceList, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["contributor"]).choices = partner_choices
        self.fields["value_date"].initial = timezone.localdate
        self.fields["currency"].widget.attrs.update(
            {"size": 4, "autocapitalize": "characters", "list": "currency-codes"}
        )

    def has_changed(self) -> bool:
        # A line counts as filled once an amount is typed: the defaults alone are not an entry.
        return bool(self.data.get(self.add_prefix("amount"), "").strip())


EntryLineFormSet = formset_factory(EntryLineForm, extra=3, max_num=50, validate_max=True)


def entry_data(lines: Any, partners: dict[int, Partner]) -> list[EntryData]:
    rows = []
    for form in lines.forms:
        if not form.has_changed() or not form.cleaned_data:
            continue
        data = form.cleaned_data
        rows.append(
            EntryData(
                kind=data["kind"],
                stage=data["stage"],
                amount=data["amount"],
                currency=data["currency"],
                value_date=data["value_date"],
                contributor=partners.get(data["contributor"]) if data["contributor"] else None,
                valuation_method=data["valuation_method"],
                valuation_basis=data["valuation_basis"],
                reference=data["reference"],
                note=data["note"],
            )
        )
    return rows


class CorrectionForm(forms.Form):
    new_amount = AmountField(
        label=_("Correct amount"),
        required=False,
        help_text=_("Leave empty to reverse the entry."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput)


class RateForm(forms.Form):
    currency = CurrencyField(label=_("Currency"), max_length=3)
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    units_per_usd = AmountField(label=_("Units per US$"))
    source = forms.CharField(label=_("Source"), max_length=200, required=False)


class RateUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: currency, month (YYYY-MM), units_per_usd. At most 1 MB."),
    )

    MAX_BYTES = 1_000_000

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        raw = upload.read()
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not UTF-8 text (CSV).")) from None


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_(
            "The corporate SSC workbook: sheets Activities and Contributions. At most 25 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook saved as .xlsx."))
        try:
            check_container(upload)
        except UnsafeFile as error:
            raise forms.ValidationError(str(error)) from None
        return upload
