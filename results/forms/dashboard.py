"""The results dashboard's filters: the finance dashboard's names and widgets, the years being
those of the period end (of the follow-up's observation)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Modality
from finance.dashboard import Reference
from finance.forms import CheckboxList, LongSelectMultiple

from ..dashboard import ResultsFilters


class ResultsFilterForm(forms.Form):
    """GET parameters -> ResultsFilters. Several values per dimension (`?division=LAC&division=
    ESA`), nothing chosen means all; an invalid parameter is reported by its name and left out."""

    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=1978, max_value=2100
    )
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=1978, max_value=2100)
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
            "division", [(d.code, f"{d.code}: {d.name}") for d in reference.divisions.values()]
        )
        self._choices("country", [(c.iso2, c.name) for c in reference.countries.values()])
        self._choices("theme", [(t.code, t.name) for t in reference.themes.values()])

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        cast(forms.ChoiceField, self.fields[name]).choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("year_from"), data.get("year_to")
        if first is not None and last is not None and first > last:
            self.add_error(
                "year_to",
                _("%(last)s is before the first year, %(first)s.") % {"first": first, "last": last},
            )
        return data

    def results_filters(self) -> ResultsFilters:
        """The valid part of the parameters (call after is_valid(), whatever it answered)."""
        data = getattr(self, "cleaned_data", {})
        ref = self.reference
        by_code = {
            "division": {d.code: d.pk for d in ref.divisions.values()},
            "country": {c.iso2: c.pk for c in ref.countries.values()},
            "theme": {t.code: t.pk for t in ref.themes.values()},
        }

        def ids(name: str) -> tuple[int, ...]:
            return tuple(sorted(by_code[name][code] for code in data.get(name) or ()))

        return ResultsFilters(
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            divisions=ids("division"),
            countries=ids("country"),
            themes=ids("theme"),
            modalities=tuple(sorted(data.get("modality") or ())),
        )

    def error_lines(self) -> list[str]:
        return [
            f"{name}: {message}" if name != "__all__" else str(message)
            for name, messages in self.errors.items()
            for message in messages
        ]

    @property
    def is_filtered(self) -> bool:
        return any(
            getattr(self, "cleaned_data", {}).get(name) not in (None, [], "")
            for name in self.fields
        )
