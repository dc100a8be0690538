"""The standards page's form: which export, its format, and the selection."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from activities.models import Country, Division

from .models import ExportFormat, ExportKind
from .selection import Selection

MAX_YEARS = 60


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Export"), choices=ExportKind.choices)
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=ExportFormat.choices, initial=ExportFormat.XLSX
    )
    year_from = forms.IntegerField(
        label=gettext_lazy("From fiscal year"), required=False, min_value=1978, max_value=2100
    )
    year_to = forms.IntegerField(
        label=gettext_lazy("To fiscal year"), required=False, min_value=1978, max_value=2100
    )
    division = forms.ModelChoiceField(
        label=gettext_lazy("Lead division"),
        queryset=Division.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Every division"),
    )
    country = forms.ModelChoiceField(
        label=gettext_lazy("Country taking part"),
        queryset=Country.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Every country"),
    )

    def __init__(self, *args: Any, kinds: list[str], whole: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, label) for value, label in ExportKind.choices if value in kinds]
        if not whole:
            # A counterpart's slice is its own country's: no country to choose.
            del self.fields["country"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and end < start:
            self.add_error("year_to", _("The last year cannot be before the first."))
        elif start is not None or end is not None:
            first, last = start or end, end or start
            if first is not None and last is not None and last - first >= MAX_YEARS:
                self.add_error(
                    "year_to", _("Choose at most %(count)d years.") % {"count": MAX_YEARS}
                )
        return data

    def selection(self) -> Selection:
        data = self.cleaned_data
        start, end = data.get("year_from"), data.get("year_to")
        first, last = start or end, end or start
        years = tuple(range(first, last + 1)) if first is not None and last is not None else ()
        division, country = data.get("division"), data.get("country")
        return Selection(
            years=years,
            division_id=division.pk if division else None,
            country_id=country.pk if country else None,
        )
