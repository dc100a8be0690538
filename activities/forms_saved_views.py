"""Forms for saved views of the activity list. They only parse input: the service validates
(a name unique per user, a query of the list's own parameters) and saves."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SavedViewForm(forms.Form):
    """Save the list's current filters (`query`, the list's query string) under a name."""

    name = forms.CharField(
        label=_("View name"),
        max_length=100,
        help_text=_("e.g. “LAC learning routes, 2025”."),
    )
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    shared = forms.BooleanField(
        label=_("Share by link"),
        required=False,
        help_text=_(
            "Anyone signed in who has the link opens the list with these filters, and sees "
            "only the activities they may see."
        ),
    )


class SavedViewEditForm(forms.Form):
    """Rename a view or change whether its link is shared."""

    name = forms.CharField(label=_("View name"), max_length=100)
    shared = forms.BooleanField(
        label=_("Share by link"),
        required=False,
        help_text=SavedViewForm.base_fields["shared"].help_text,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
