from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import default_expiry


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 'Nightly sync to our M&E system'."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "The last day the token works (UTC). Leave empty for a token that works until you "
            "revoke it."
        ),
    )
    read_only = forms.BooleanField(
        label=_("Read only"),
        required=False,
        help_text=_("The token may read but not create, change or delete anything."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Set per form, not at import: the default moves with the day.
        self.fields["expires_on"].initial = default_expiry()
        self.fields["expires_on"].widget.attrs["min"] = timezone.now().date().isoformat()
