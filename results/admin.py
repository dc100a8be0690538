"""The focal point keeps the core indicator library and the disaggregation dimensions here.

Saving goes through results.services (save_core_indicator, save_dimension), whose rules (a core
indicator's kind is fixed once activities report on it, a dimension's values in use stay) the
forms check first on a copy, in a transaction rolled back, so that a refusal shows on the field
instead of failing the save. The frameworks themselves are edited on the portal's pages.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from activities.admin import FocalPointAdmin

from . import services
from .models import CoreIndicator, Dimension, DimensionValue


class _RolledBack(Exception):
    """Ends a trial save: its transaction is rolled back."""


def _trial(save: Callable[[], Any]) -> dict[str, list[str]]:
    """The service's refusals of a save, without keeping anything of it."""
    try:
        with transaction.atomic():
            save()
            raise _RolledBack
    except _RolledBack:
        return {}
    except services.ResultsError as error:
        return error.errors


def _add_errors(form: forms.BaseForm, errors: dict[str, list[str]]) -> None:
    for name, messages in errors.items():
        field = name.split(".")[0]
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


class CoreIndicatorForm(forms.ModelForm):
    class Meta:
        model = CoreIndicator
        fields = [
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

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # the stubs leave it out
        if not self.errors:
            trial = copy.copy(self.instance)
            _add_errors(self, _trial(lambda: services.save_core_indicator(core=trial)))


@admin.register(CoreIndicator)
class CoreIndicatorAdmin(FocalPointAdmin, SimpleHistoryAdmin):
    form = CoreIndicatorForm
    list_display = ("title", "code", "kind", "unit", "measure", "aggregation", "is_active")
    list_filter = ("kind", "aggregation", "is_active")
    search_fields = ("title", "code")
    ordering = ("position", "title")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.save_core_indicator(core=obj)


class DimensionValueInline(admin.TabularInline):
    """The values as they stand; they are edited as the form's list, through the service."""

    model = DimensionValue
    fields = ("value", "position")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DimensionForm(forms.ModelForm):
    values = forms.CharField(
        label=_("Values"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One value per line, in the order they are shown. At least two."),
    )

    class Meta:
        model = Dimension
        fields = ["name", "values", "position", "is_active"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["values"] = "\n".join(v.value for v in self.instance.values.all())

    def value_list(self) -> list[str]:
        return self.cleaned_data.get("values", "").splitlines()

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]  # the stubs leave it out
        if not self.errors:
            trial = copy.copy(self.instance)
            _add_errors(
                self,
                _trial(lambda: services.save_dimension(dimension=trial, values=self.value_list())),
            )


@admin.register(Dimension)
class DimensionAdmin(FocalPointAdmin, SimpleHistoryAdmin):
    form = DimensionForm
    list_display = ("name", "position", "is_active")
    inlines = [DimensionValueInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.save_dimension(dimension=obj, values=form.value_list())
