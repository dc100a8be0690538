"""The results dashboard's filters: the finance dashboard's names and widgets, the years being
those of the period end (of the follow-up's observation)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from finance.forms import PortfolioFilterForm

from ..dashboard import ResultsFilters


class ResultsFilterForm(PortfolioFilterForm):
    """GET parameters -> ResultsFilters (PortfolioFilterForm says how they read)."""

    field_order = ["year_from", "year_to"]

    year_from = forms.IntegerField(
        label=_("From year"), required=False, min_value=1978, max_value=2100
    )
    year_to = forms.IntegerField(label=_("To year"), required=False, min_value=1978, max_value=2100)

    def results_filters(self) -> ResultsFilters:
        """The valid part of the parameters (call after is_valid(), whatever it answered)."""
        return ResultsFilters(
            year_from=self.chosen("year_from"),
            year_to=self.chosen("year_to"),
            divisions=self.chosen_ids("division"),
            countries=self.chosen_ids("country"),
            themes=self.chosen_ids("theme"),
            modalities=tuple(sorted(self.chosen("modality") or ())),
        )
