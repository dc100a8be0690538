"""The form of the merge page: which of two likely duplicates to keep, and the versions read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Activity


class ActivityMergeForm(forms.Form):
    keep = forms.TypedChoiceField(
        label=_("Which record to keep"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose which of the two activities to keep."),
            "invalid_choice": _("Choose one of the two activities shown."),
        },
    )
    # The versions shown: a change since the page was loaded is refused, not merged over.
    first_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    second_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, first: Activity, second: Activity, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {"keep": first.pk, "first_version": first.version, "second_version": second.version},
        )
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [  # type: ignore[attr-defined]
            (first.pk, f"{first.ssc_id} {first.title}"),
            (second.pk, f"{second.ssc_id} {second.title}"),
        ]
