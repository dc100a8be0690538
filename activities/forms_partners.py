"""Forms for partner organizations. They only parse input: the services validate and save."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.forms.models import fields_for_model, model_to_dict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Partner, PartnerType
from .services import PartnerError

PARTNER_FIELDS = ("name", "acronym", "aliases", "type", "country", "website", "iati_identifier")


class NamesField(forms.CharField):
    """A list of names typed one per line (a textarea), cleaned to the list."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        # Only line breaks separate names: splitlines() would also cut at the control
        # characters the model refuses (a vertical tab), hiding them.
        return [line.strip() for line in re.split(r"\r\n|\r|\n", text) if line.strip()]


class PartnerForm(forms.Form):
    """The fields of Partner, without ModelForm's own uniqueness checks: duplicates are the
    service's rule (name compared without case and punctuation, per country)."""

    def __init__(self, *args: Any, instance: Partner | None = None, **kwargs: Any) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = model_to_dict(instance, fields=PARTNER_FIELDS)
        super().__init__(*args, **kwargs)
        self.instance = instance
        # fields_for_model() builds these two from the model's foreign key and choices.
        cast(forms.ModelChoiceField, self.fields["country"]).empty_label = _(
            "None (international organization)"
        )
        cast(forms.ChoiceField, self.fields["type"]).choices = [
            ("", _("Choose a type")),
            *PartnerType.choices,
        ]

    def add_service_errors(self, error: PartnerError) -> None:
        """Show each message of the service on its field (or on top of the form)."""
        for name, messages in error.errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


PartnerForm.base_fields = fields_for_model(Partner, fields=PARTNER_FIELDS)
_aliases = Partner._meta.get_field("aliases")
PartnerForm.base_fields["aliases"] = NamesField(
    label=capfirst(_aliases.verbose_name), required=False, help_text=_aliases.help_text
)


class PartnerMergeForm(forms.Form):
    keep = forms.ModelChoiceField(
        label=_("Partner to keep"),
        queryset=Partner.objects.select_related("country"),
        help_text=_("Its name and details stay; it takes over every link of the other one."),
    )
    remove = forms.ModelChoiceField(
        label=_("Partner to merge into it (will be deleted)"),
        queryset=Partner.objects.select_related("country"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("keep", "remove"):
            # Same-named organizations differ by country: show it in the choice.
            self.fields[name].label_from_instance = _partner_choice_label  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("keep") and data.get("keep") == data.get("remove"):
            raise forms.ValidationError(_("Choose two different partners to merge."))
        return data


def _partner_choice_label(partner: Partner) -> str:
    return f"{partner} - {partner.country or _('international')}"
