"""Forms of the finance pages. They parse and hand over to finance.services."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.numbers import NumberError, parse_number, plain
from activities.forms import (
    LongSelect,
    PartnerField,
    PartnerInput,
    PartnerOptions,
    labelled_errors,
)
from activities.models import (
    Activity,
    Agreement,
    Country,
    FundingNature,
    Modality,
    Partner,
    Status,
    Theme,
)
from activities.reference_names import country_choices

from .amounts import CURRENCY_MARKS
from .legacy import UnsafeFile, check_container
from .models import (
    CURRENCY_CODES,
    THEME_SCHEMES,
    CodeScheme,
    ContributionKind,
    InKindUnit,
    InKindValuation,
    RateCard,
    Stage,
    ValuedBy,
)
from .rollups import RollupFilters
from .services import EntryData

if TYPE_CHECKING:
    from .dashboard import Reference


class AmountField(forms.Field):
    """Money as people type it in the page's language (`1 500 000,50` in French, `US$ 609,000.00`
    in English): a currency mark around it is dropped, the number read by accounts.numbers."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 40, "autocomplete": "off"})

    def to_python(self, value: Any) -> Any:
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > 40:
            raise forms.ValidationError(
                _("“%(value)s…” is too long for an amount."), params={"value": text[:40]}
            )
        try:
            return parse_number(CURRENCY_MARKS.sub("", text))
        except NumberError as error:
            raise forms.ValidationError(error.message, code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        # A stored amount is shown as the page's language writes it, so it reads back the same.
        return plain(value) if isinstance(value, Decimal) else value


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


class QuantityField(AmountField):
    """A quantity as people type it (`40`, `1 200`, `2,5` in French): read like an amount."""

    widget = forms.TextInput(
        attrs={"inputmode": "decimal", "maxlength": 20, "size": 8, "autocomplete": "off"}
    )


# The in-kind fields of a ledger line: the page groups them (and hides them for cash with
# JavaScript, which is optional: without it they simply stay in view).
IN_KIND_FIELDS = (
    "valued_by",
    "unit",
    "quantity",
    "provider_country",
    "valuation_method",
    "valuation_basis",
)


class EntryLineForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=ContributionKind.choices, initial=ContributionKind.IFAD_GRANT
    )
    contributor = PartnerField(
        label=_("Contributor"),
        required=False,
        empty_value=None,
        widget=PartnerInput(attrs={"placeholder": _("Empty: IFAD itself")}),
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a partner organization of the portal: pick one of the "
                "names suggested as you type."
            )
        },
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.PLANNED)
    amount = AmountField(
        label=_("Amount"),
        required=False,
        help_text=_("Leave empty for in-kind valued by a rate card or not valued."),
    )
    currency = CurrencyField(label=_("Currency"), max_length=3, initial="USD")
    value_date = forms.DateField(
        label=_("Value date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valued_by = forms.ChoiceField(
        label=_("Valued by"),
        choices=[("", _("Actual cost (in-kind) / cash")), *ValuedBy.choices],
        required=False,
    )
    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("", "---------"), *InKindUnit.choices], required=False
    )
    quantity = QuantityField(label=_("Quantity"), required=False)
    provider_country = forms.TypedChoiceField(
        label=_("Provider country"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=LongSelect,
        help_text=_("Empty: the contributor's country."),
        error_messages={"invalid_choice": _("Choose a country from the list.")},
    )
    valuation_method = forms.ChoiceField(
        label=_("In-kind valued as"),
        choices=[("", "---------"), *InKindValuation.choices],
        required=False,
    )
    valuation_basis = forms.CharField(label=_("Valuation basis"), max_length=300, required=False)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(
        self,
        *args: Any,
        partner_choices: PartnerOptions,
        country_choices: list[tuple[Any, Any]] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        cast(PartnerField, self.fields["contributor"]).set_partners(partner_choices)
        cast(forms.ChoiceField, self.fields["provider_country"]).choices = (
            country_choices if country_choices is not None else provider_country_choices()
        )
        self.fields["value_date"].initial = timezone.localdate
        self.fields["currency"].widget.attrs.update(
            {"size": 4, "autocapitalize": "characters", "list": "currency-codes"}
        )

    def has_changed(self) -> bool:
        # A line counts as filled once an amount or a quantity is typed, or a method that needs
        # no amount is chosen: the defaults alone are not an entry.
        typed = any(
            self.data.get(self.add_prefix(name), "").strip() for name in ("amount", "quantity")
        )
        return typed or self.data.get(self.add_prefix("valued_by"), "") in (
            ValuedBy.RATE_CARD,
            ValuedBy.NOT_VALUED,
        )

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in IN_KIND_FIELDS]

    def in_kind_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in IN_KIND_FIELDS]


def provider_country_choices() -> list[tuple[Any, Any]]:
    """The provider country's options (one query: give them to every line of a formset)."""
    rows = Country.objects.values_list("pk", "iso2", "name")
    return [("", _("The contributor's country")), *country_choices(rows)]


EntryLineFormSet = formset_factory(EntryLineForm, extra=3, max_num=50, validate_max=True)


def entry_data(
    lines: Any, partners: dict[int, Partner], countries: dict[int, Country] | None = None
) -> list[EntryData]:
    countries = countries or {}
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
                unit=data["unit"],
                quantity=data["quantity"],
                valued_by=data["valued_by"],
                provider_country=countries.get(data["provider_country"])
                if data["provider_country"]
                else None,
            )
        )
    return rows


class CorrectionForm(forms.Form):
    new_amount = AmountField(
        label=_("Correct amount"),
        required=False,
        help_text=_("Leave empty to reverse the entry."),
    )
    new_quantity = QuantityField(
        label=_("Correct quantity"),
        required=False,
        help_text=_(
            "For a line with a quantity: the quantity it should have. A rate-card line is "
            "valued again at its rate."
        ),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)
    value_date = forms.DateField(
        label=_("Value date of the correction"),
        required=False,
        help_text=_(
            "Leave empty to date it as the entry; give a date in an open period to "
            "correct an entry of a closed period."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ClosePeriodForm(forms.Form):
    """A fiscal year or a last day, and why; `confirm` is set by the confirmation page."""

    fiscal_year = forms.IntegerField(
        label=_("Fiscal year"), required=False, min_value=1978, max_value=2100
    )
    up_to = forms.DateField(
        label=_("Or every day up to (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Shown to everyone whose write is refused, e.g. Sent to the Executive Board."),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReopenPeriodForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen it"), max_length=500)


class PeriodExceptionForm(forms.Form):
    activity = forms.CharField(label=_("Activity (SSC ID)"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    expires_on = forms.DateField(
        label=_("Expires on (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_activity(self) -> Activity:
        ssc_id = self.cleaned_data["activity"].strip()
        activity = Activity.objects.filter(ssc_id__iexact=ssc_id).first()
        if activity is None:
            raise forms.ValidationError(
                _("No activity has the SSC ID %(id)s."), params={"id": ssc_id}
            )
        return activity


class RateForm(forms.Form):
    currency = CurrencyField(label=_("Currency"), max_length=3)
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    units_per_usd = AmountField(label=_("Units per US$"))
    source = forms.CharField(label=_("Source"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Offered again when it was: unticked, the rate is refused and asked about again.
        if self.data.get("confirm") is not None:
            self.add_confirmation()

    def add_confirmation(self) -> None:
        """The checkbox that keeps a rate far off its neighbouring months (RateOutlier)."""
        self.fields["confirm"] = forms.BooleanField(
            label=_("Yes, this rate is right: keep it"), required=False
        )


class RateCardForm(forms.Form):
    """A rate card as the focal point makes or changes it (finance.in_kind.save_rate_card).

    Unit, country, year and currency are fixed once the card exists: the edit form shows them
    disabled, so only the amount and the source are read from the request."""

    unit = forms.ChoiceField(label=_("Unit"), choices=InKindUnit.choices)
    country = forms.TypedChoiceField(
        label=_("Provider country"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=LongSelect,
        help_text=_("Empty: every provider country without a card of its own."),
        error_messages={"invalid_choice": _("Choose a country from the list.")},
    )
    year = forms.IntegerField(label=_("Year"), min_value=1978, max_value=2100)
    amount = AmountField(label=_("Value of one unit"))
    currency = CurrencyField(label=_("Currency"), max_length=3, initial="USD")
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("Where the rate comes from, e.g. the government's expert fee scale 2026."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    FIXED = ("unit", "country", "year", "currency")

    def __init__(self, *args: Any, card: RateCard | None = None, **kwargs: Any):
        if card is not None:
            kwargs.setdefault(
                "initial",
                {
                    "unit": card.unit,
                    "country": card.country_id,
                    "year": card.year,
                    "amount": card.amount,
                    "currency": card.currency,
                    "source": card.source,
                    "version": card.version,
                },
            )
        super().__init__(*args, **kwargs)
        self.card = card
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", _("Every country")),
            *country_choices(Country.objects.values_list("pk", "iso2", "name")),
        ]
        self.fields["currency"].widget.attrs.update(
            {"size": 4, "autocapitalize": "characters", "list": "currency-codes"}
        )
        if card is not None:
            for name in self.FIXED:
                self.fields[name].disabled = True


class RateCardFilterForm(forms.Form):
    """The rate cards list's GET parameters; an invalid one is named and left out."""

    unit = forms.ChoiceField(
        label=_("Unit"), choices=[("", _("All units")), *InKindUnit.choices], required=False
    )
    year = forms.IntegerField(label=_("Year"), min_value=1978, max_value=2100, required=False)
    country = forms.CharField(
        label=_("Provider country"),
        max_length=2,
        required=False,
        help_text=_("ISO code, e.g. BR; * for the cards of every country."),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Year, newest first")),
            ("year", _("Year, oldest first")),
            ("unit", _("Unit")),
            ("country", _("Country")),
            ("amount", _("Value of one unit")),
        ],
    )


class ThemeCodeForm(forms.Form):
    """A theme's code in one of the themes' schemes (the DAC purpose when none is named)."""

    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.all())
    scheme = forms.ChoiceField(
        label=_("Classification"),
        choices=[(scheme.value, scheme.label) for scheme in THEME_SCHEMES],
        required=False,
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=10,
        help_text=_(
            "A DAC purpose code has five digits (e.g. 31120); an SDG target is its goal and "
            "target (e.g. 2.3)."
        ),
        widget=forms.TextInput(attrs={"list": "theme-code-list", "size": 8}),
    )

    def clean_scheme(self) -> str:
        return self.cleaned_data.get("scheme") or CodeScheme.DAC_PURPOSE


class CategoryCodeForm(forms.Form):
    """The code one value of a portal category is published under (codebook.CATEGORY_SCHEMES);
    the value is checked by the service against the scheme's category."""

    scheme = forms.ChoiceField(label=_("Classification"), choices=())
    value = forms.CharField(label=_("Category value"), max_length=30)
    code = forms.CharField(
        label=_("Code"),
        max_length=10,
        widget=forms.TextInput(attrs={"list": "category-code-list", "size": 8}),
    )

    def __init__(self, *args: Any, schemes: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        # Its own ids: it shares the page (and field names) with ThemeCodeForm.
        kwargs.setdefault("auto_id", "id_category_%s")
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = list(schemes)  # type: ignore[attr-defined]


class RateUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: currency, month (YYYY-MM), units_per_usd. At most 1 MB."),
    )
    confirm_outliers = forms.BooleanField(
        label=_("Keep rates more than five times off their neighbouring months as they are"),
        required=False,
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


# --- Dashboard filters ------------------------------------------------------------------------


class LongSelectMultiple(LongSelect, forms.SelectMultiple):
    """The 249-country multiple select, built in Python like LongSelect."""


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes in a ul.checkbox-list, built in Python: one template per box costs more than
    the dashboard's queries."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        chosen = {str(v) for v in (value or [])}
        base = (attrs or {}).get("id") or f"id_{name}"
        items = format_html_join(
            "",
            '<li><input type="checkbox" name="{}" value="{}" id="{}_{}"{}>'
            '<label for="{}_{}">{}</label></li>',
            (
                (
                    name,
                    key,
                    base,
                    index,
                    " checked" if str(key) in chosen else "",
                    base,
                    index,
                    text,
                )
                for index, (key, text) in enumerate(self.choices)
            ),
        )
        return format_html('<ul class="checkbox-list" id="{}">{}</ul>', base, items)

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        # The group is labelled by its legend; no single box is "the" field.
        return ""


class PortfolioFilterForm(forms.Form):
    """What the dashboards' filters share (the activity list's names and codes): a span of years,
    the lead division, country, theme and modality. Several values per dimension
    (`?division=LAC&division=ESA`); nothing chosen means all. An invalid parameter is reported by
    its name and left out; the other filters still apply. A subclass declares its two year
    fields and names them in `years`."""

    years: tuple[str, str] = ("year_from", "year_to")

    division = forms.MultipleChoiceField(
        label=_("Lead division"), required=False, widget=CheckboxList
    )
    country = forms.MultipleChoiceField(
        label=_("Country"),
        required=False,
        widget=LongSelectMultiple(attrs={"size": 8}),
        help_text=_("Ctrl or Shift to choose several."),
    )
    theme = forms.MultipleChoiceField(label=_("Theme"), required=False, widget=CheckboxList)
    modality = forms.MultipleChoiceField(
        label=_("Modality"), required=False, choices=Modality.choices, widget=CheckboxList
    )

    def __init__(self, data: Any = None, *, reference: Reference) -> None:
        super().__init__(data)
        self.reference = reference
        self._choices(
            "division",
            [(d.code, f"{d.code}: {d.display_name}") for d in reference.divisions.values()],
        )
        self._choices(
            "country",
            country_choices((c.iso2, c.iso2, c.name) for c in reference.countries.values()),
        )
        self._choices("theme", [(t.code, t.display_name) for t in reference.themes.values()])

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first_field, last_field = self.years
        first, last = data.get(first_field), data.get(last_field)
        if first is not None and last is not None and first > last:
            self.add_error(
                last_field,
                _("%(last)s is before the first year, %(first)s.") % {"first": first, "last": last},
            )
        return data

    def chosen_ids(self, name: str) -> tuple[int, ...]:
        """The ids of the divisions, countries or themes chosen (valid ones only: call after
        is_valid(), whatever it answered)."""
        ref = self.reference
        by_code = {
            "division": {d.code: d.pk for d in ref.divisions.values()},
            "country": {c.iso2: c.pk for c in ref.countries.values()},
            "theme": {t.code: t.pk for t in ref.themes.values()},
        }[name]
        chosen = getattr(self, "cleaned_data", {}).get(name) or ()
        return tuple(sorted(by_code[code] for code in chosen))

    def chosen(self, name: str) -> Any:
        return getattr(self, "cleaned_data", {}).get(name)

    def error_lines(self) -> list[str]:
        """Each problem after the label of its filter: `To fiscal year: ...`."""
        return labelled_errors(self)

    @property
    def is_filtered(self) -> bool:
        return any(self.chosen(name) not in (None, [], "") for name in self.fields)


class DashboardFilterForm(PortfolioFilterForm):
    """The money dashboard's GET parameters -> RollupFilters (years are fiscal years)."""

    years = ("fiscal_year_from", "fiscal_year_to")
    field_order = ["fiscal_year_from", "fiscal_year_to"]

    fiscal_year_from = forms.IntegerField(
        label=_("From fiscal year"), required=False, min_value=1978, max_value=2100
    )
    fiscal_year_to = forms.IntegerField(
        label=_("To fiscal year"), required=False, min_value=1978, max_value=2100
    )
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=Status.choices, widget=CheckboxList
    )
    funding_nature = forms.MultipleChoiceField(
        label=_("Funding"), required=False, choices=FundingNature.choices, widget=CheckboxList
    )

    agreement = forms.MultipleChoiceField(
        label=_("Confirmation"),
        required=False,
        choices=Agreement.choices,
        widget=CheckboxList,
        help_text=_("Whether every side of the activity confirmed it."),
    )

    def rollup_filters(self) -> RollupFilters:
        """The valid part of the parameters (call after is_valid(), whatever it answered)."""
        return RollupFilters(
            year_from=self.chosen("fiscal_year_from"),
            year_to=self.chosen("fiscal_year_to"),
            divisions=self.chosen_ids("division"),
            countries=self.chosen_ids("country"),
            themes=self.chosen_ids("theme"),
            modalities=tuple(sorted(self.chosen("modality") or ())),
            statuses=tuple(sorted(self.chosen("status") or ())),
            funding_natures=tuple(sorted(self.chosen("funding_nature") or ())),
            agreements=tuple(sorted(self.chosen("agreement") or ())),
        )


class GroupSplitForm(forms.Form):
    """A group's lines on an activity split among partners: one row per partner (the group's
    members first, then empty rows for any other organization), one amount per line.

    The rows' fields are named partner_<row> and amount_<row>_<entry pk>; `shares()` gives
    them to finance.contributor_groups.split_group_money, which checks the sums.
    `confirm` is set by the confirmation step.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    EXTRA_ROWS = 2

    def __init__(
        self,
        *args: Any,
        lines: Sequence[tuple[int, str]],
        members: Sequence[int],
        partner_choices: PartnerOptions,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.line_ids = [pk for pk, _label in lines]
        self.row_count = len(members) + self.EXTRA_ROWS
        for row in range(self.row_count):
            partner = PartnerField(label=_("Partner"), required=False)
            partner.set_partners(partner_choices)
            if row < len(members):
                partner.initial = members[row]
            self.fields[f"partner_{row}"] = partner
            for pk, label in lines:
                self.fields[f"amount_{row}_{pk}"] = AmountField(label=label, required=False)

    @property
    def rows(self) -> list[tuple[forms.BoundField, list[forms.BoundField]]]:
        return [
            (self[f"partner_{row}"], [self[f"amount_{row}_{pk}"] for pk in self.line_ids])
            for row in range(self.row_count)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: set[int] = set()
        for row in range(self.row_count):
            partner = data.get(f"partner_{row}")
            amounts = [data.get(f"amount_{row}_{pk}") for pk in self.line_ids]
            if partner in (None, "") and any(a for a in amounts):
                self.add_error(f"partner_{row}", _("Say which partner receives these amounts."))
            elif partner not in (None, "") and partner in seen:
                self.add_error(f"partner_{row}", _("This partner is listed twice."))
            elif partner not in (None, ""):
                seen.add(partner)
        return data

    def shares(self) -> dict[int, dict[int, Any]]:
        """entry pk -> partner pk -> amount, the rows without a partner left out."""
        found: dict[int, dict[int, Any]] = {pk: {} for pk in self.line_ids}
        for row in range(self.row_count):
            partner = self.cleaned_data.get(f"partner_{row}")
            if partner in (None, ""):
                continue
            for pk in self.line_ids:
                amount = self.cleaned_data.get(f"amount_{row}_{pk}")
                if amount is not None:
                    found[pk][partner] = amount
        return found
