"""The activity create/edit form: the activity's own fields plus two formsets (countries with
their roles, partners with their roles). The form only parses; services.py applies the rules."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape as html_escape
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import Count, Max
from django.forms import BaseFormSet, formset_factory
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.numbers import LocalizedDecimalField

from . import reference_names
from .access import loggable_divisions, responsible_cpms
from .models import (
    SDG,
    Activity,
    Country,
    CountryRole,
    Division,
    FundingNature,
    Partner,
    PartnerRole,
    Status,
    Theme,
    fold_text,
)
from .services import ActivityData, CountryLink, PartnerLink
from .services.texts import TextVersion, check_texts
from .texts import ContentLanguage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # (value, label) pairs for a choice field; labels are often lazy translations.
    ChoiceList = list[tuple[Any, StrOrPromise]]


# The fields of the title and summary in each language (title_fr, summary_fr ...).
TEXT_FIELD_PREFIXES = ("title_", "summary_")


class StatusSelect(forms.Select):
    """A status list that greys out the moves the activity cannot make from where it is."""

    def __init__(self, *args: Any, allowed: set[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # type: ignore[no-untyped-def]
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.allowed is not None and value not in self.allowed:
            option["attrs"]["disabled"] = True
        return option


class ActivityForm(forms.ModelForm):
    ssc_id = forms.CharField(
        label=_("SSC ID"),
        required=False,
        max_length=20,
        help_text=_("Leave empty to generate the next SSC-YYYY-NN; give one to import a record."),
    )
    status_note = forms.CharField(
        label=_("Note on the status change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Activity
        fields = [
            "title",
            "summary",
            "language",
            "objectives",
            "activity_type",
            "modality",
            "funding_nature",
            "project_id",
            "lead_division",
            "responsible_cpm",
            "status",
            "approval_year",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "themes",
            "sdgs",
            "participants_women",
            "participants_men",
            "participants_youth",
            "outcomes",
            "action_plans_adopted",
            "follow_up",
            "lessons_learned",
            "notes",
            "visibility",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "outcomes": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
            "lessons_learned": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "planned_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "planned_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "actual_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "themes": forms.CheckboxSelectMultiple,
            "sdgs": forms.CheckboxSelectMultiple,
        }
        labels = {"project_id": _("Investment project ID"), "sdgs": _("SDGs")}

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        # People filling the form in give what legacy records lack, and are told why.
        self.fields["activity_type"].required = True
        self.fields["activity_type"].error_messages["required"] = (
            _(
                "This activity was imported without an activity type: choose one to save it "
                "(the workbook never recorded it)."
            )
            if self.instance.pk and not self.instance.activity_type
            else _("Choose the type of activity.")
        )
        cast(forms.ModelChoiceField, self.fields["themes"]).queryset = Theme.objects.order_by(
            "position"
        )
        cast(forms.ModelChoiceField, self.fields["sdgs"]).queryset = SDG.objects.order_by("number")
        self.fields["sdgs"].required = False
        self._limit_placement(user)
        self._add_text_fields()
        self.fields["language"].required = False
        if not self.is_bound:
            # A page shown again with errors starts from its error summary instead.
            self.fields["title"].widget.attrs["autofocus"] = True
        if self.instance.pk:
            del self.fields["ssc_id"]
            current = self.instance.status
            self.fields["status"].widget = StatusSelect(
                choices=Status.choices,
                allowed={current, *self.instance.allowed_next_statuses},
            )
            self.fields["status"].help_text = _("Only the moves allowed from %(status)s.") % {
                "status": self.instance.get_status_display()
            }
            if not self.is_bound:
                self.initial["version"] = self.instance.version
        else:
            self.fields["status"].help_text = _(
                "New activities usually start in the pipeline; pick another status to log past "
                "work."
            )
            if user.is_cpm and not self.is_bound:
                self.initial["responsible_cpm"] = user.pk
                first_division = loggable_divisions(user).order_by("code").first()
                if first_division:
                    self.initial["lead_division"] = first_division.pk

    def _add_text_fields(self) -> None:
        """A title and a summary per language, filled from the activity's versions; each
        input says its language, so that browsers, spell checkers and screen readers read it
        right (Arabic right to left)."""
        versions = (
            {text.language: text for text in self.instance.texts.all()} if self.instance.pk else {}
        )
        for code, name in ContentLanguage.choices:
            direction = "rtl" if code == ContentLanguage.ARABIC else "ltr"
            attrs = {"lang": code, "dir": direction}
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": name},
                required=False,
                max_length=300,
                widget=forms.TextInput(attrs=attrs),
            )
            self.fields[f"summary_{code}"] = forms.CharField(
                label=_("Summary in %(language)s") % {"language": name},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={**attrs, "rows": 3}),
            )
            if code in versions and not self.is_bound:
                self.initial[f"title_{code}"] = versions[code].title
                self.initial[f"summary_{code}"] = versions[code].summary

    @property
    def text_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The (title, summary) fields of each language, for the page."""
        return [(self[f"title_{code}"], self[f"summary_{code}"]) for code in ContentLanguage.values]

    @property
    def text_versions_given(self) -> bool:
        """Whether the page opens the languages section: a version is there, or an error."""
        names = [name for name in self.fields if name.startswith(TEXT_FIELD_PREFIXES)]
        return any(self[name].value() or self[name].errors for name in names)

    def text_versions(self) -> list[TextVersion]:
        """The versions given: a language whose title and summary are both empty has none."""
        versions = []
        for code in ContentLanguage.values:
            title = (self.cleaned_data.get(f"title_{code}") or "").strip()
            summary = (self.cleaned_data.get(f"summary_{code}") or "").strip()
            if title or summary:
                versions.append(TextVersion(code, title, summary))
        return versions

    def _limit_placement(self, user: User) -> None:
        """Offer a CPM their divisions and the CPMs of those divisions (and the focal points);
        the activity's current ones stay offered, so that saving it unchanged works. The
        service checks the pair (activities.services._check_placement)."""
        division = cast(forms.ModelChoiceField, self.fields["lead_division"])
        responsible = cast(forms.ModelChoiceField, self.fields["responsible_cpm"])
        if user.is_focal_point:
            responsible.queryset = responsible_cpms()
            return
        divisions = loggable_divisions(user)
        current = self.instance
        division.queryset = divisions | Division.objects.filter(pk=current.lead_division_id)
        responsible.queryset = responsible_cpms(divisions) | User.objects.filter(
            pk=current.responsible_cpm_id
        )
        division.error_messages["invalid_choice"] = _(
            "Lead division: choose one of your divisions; CPMs log the activities of their own "
            "divisions and countries."
        )
        responsible.error_messages["invalid_choice"] = _(
            "Responsible CPM: choose a CPM of your divisions or a focal point."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_text_versions(cleaned.get("language") or self.instance.language)
        if self.instance.pk and cleaned.get("version") is None:
            # The version the page was loaded at is what the save's conflict check compares
            # with: a change without it would overwrite whatever was saved meanwhile. Shown
            # above the form, since the field itself is hidden.
            self.errors.pop("version", None)
            self.add_error(
                None,
                _(
                    "This page did not say which version of the activity it shows: reload it "
                    "and make your changes again. Nothing was saved."
                ),
            )
        return cleaned

    def _check_text_versions(self, language: str) -> None:
        """Each version's problem next to its title (the services check them again)."""
        for version in self.text_versions():
            for problem in check_texts(language, [version]):
                self.add_error(f"title_{version.language}", problem)

    def clean_language(self) -> str:
        # Left out (an older page, a client that does not deal in languages): as it was.
        return self.cleaned_data.get("language") or self.instance.language or "en"

    def clean_project_id(self) -> str:
        project_id = self.cleaned_data.get("project_id", "").strip()
        if self.data.get(self.add_prefix("funding_nature")) == FundingNature.IN_PROJECT and (
            not project_id
        ):
            raise forms.ValidationError(
                _("Give the investment project ID for an activity inside a loan-funded project.")
            )
        return project_id

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        if self.instance.pk and not self.instance.can_move_to(status):
            allowed = ", ".join(str(Status(s).label) for s in self.instance.allowed_next_statuses)
            raise forms.ValidationError(
                _("An activity cannot move from %(old)s to %(new)s. Allowed next: %(allowed)s.")
                % {
                    "old": self.instance.get_status_display(),
                    "new": Status(status).label,
                    "allowed": allowed or _("none (this status is final)"),
                }
            )
        return status


def labelled_errors(form: forms.BaseForm) -> list[str]:
    """Each refusal of `form` after the label of its field (`To fiscal year: ...`), for a
    page or a plain-text answer: people read labels, never the names in the code."""
    lines: list[str] = []
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None else None
        lines.extend(f"{label}: {message}" if label else str(message) for message in messages)
    return lines


class LongSelect(forms.Select):
    """A Select for long option lists, built in Python rather than one template per option.

    The activity form has a 249-country select on every row and an organization on every
    partner row: through Django's option templates, or even through format_html per option,
    that is a lazy, escaped render per option and row, most of the page's CPU. Each option is
    one f-string here. The HTML is the same as Select's (tests/activities/test_long_select.py).
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # Iterated once: a model choice field's choices are a query (and list() would first
        # ask for their length, a COUNT query of its own).
        choices = [choice for choice in self.choices]
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return self._render_groups(name, value, attrs)
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        wanted = set(self.format_value(value))
        options = []
        has_selected = False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            # As Select: a single select marks only the first matching option.
            selected = text in wanted and (self.allow_multiple_selected or not has_selected)
            has_selected = has_selected or selected
            options.append(
                f'<option value="{html_escape(text)}"{" selected" if selected else ""}>'
                f"{html_escape(str(label))}</option>"
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(final_attrs),
            mark_safe("".join(options)),  # noqa: S308 - every value and label escaped above
        )

    def _render_groups(self, name: str, value: Any, attrs: dict[str, Any] | None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


class CountryRowForm(forms.Form):
    country = forms.TypedChoiceField(
        label=_("Country"),
        coerce=int,
        required=False,
        widget=LongSelect,
        error_messages={"invalid_choice": _("Choose a country from the list.")},
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", "---------"), *CountryRole.choices], required=False
    )
    share = LocalizedDecimalField(
        label=_("Share (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_("Empty: equal split"),
    )

    def __init__(self, *args: Any, country_choices: ChoiceList, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["country"]).choices = country_choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("country") and not data.get("role"):
            self.add_error("role", _("Say whether this country provides, receives, or both."))
        if data.get("role") and not data.get("country"):
            self.add_error("country", _("Choose the country for this role."))
        return data


# The id of the page's one <datalist> of partner organizations (the partner_datalist tag).
PARTNER_LIST_ID = "partner-names"
# Stands for "several organizations" in PartnerOptions.ids_by_name (never a partner's id).
AMBIGUOUS_NAME = "ambiguous"


class PartnerInput(forms.TextInput):
    """A partner organization typed by name, with the suggestions of the page's <datalist>.

    A select per row listed every organization again in every row, which made the activity form
    heavy to send; the datalist lists them once per page and the browser filters it as the user
    types, with the keyboard, with or without JavaScript.
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"list": PARTNER_LIST_ID, "autocomplete": "off", "size": 48}
        super().__init__({**defaults, **(attrs or {})})
        self.labels: dict[str, str] = {}

    def format_value(self, value: Any) -> str | None:
        # A partner id (the initial data) shows as its label; typed text is shown as typed.
        text = super().format_value(value)
        return self.labels.get(text, text) if text else text


class PartnerField(forms.TypedChoiceField):
    """A partner organization given by its label (as the datalist suggests it), by its name,
    acronym or another name (case and accents ignored: "fao", "Embrapa"), or by its id; cleaned
    to the id. The labels are unique: a partner's name is unique within its country."""

    widget = PartnerInput
    default_error_messages = {
        "ambiguous": _(
            "“%(value)s” names several partner organizations: pick the one you mean among the "
            "names suggested as you type."
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        self._ids_by_label: dict[str, str] = {}
        self._ids_by_name: dict[str, str] = {}
        self._labels: dict[str, str] = {}
        kwargs.setdefault("coerce", int)
        super().__init__(**kwargs)

    def set_partners(self, options: PartnerOptions) -> None:
        """The organizations to accept (partner_options()), by label, name and id.

        Every row of every form shares the one PartnerOptions of the process: nothing here
        walks the organizations, as normalizing them as choices and building the maps did
        for every row.
        """
        # A choice iterator is taken as it is (Django normalizes any other list item by item).
        self.choices = options.iterator
        cast(PartnerInput, self.widget).labels = options.labels
        self._labels = options.labels
        self._ids_by_label = options.ids_by_label
        self._ids_by_name = options.ids_by_name

    def to_python(self, value: Any) -> str:
        text = " ".join(super().to_python(value).split())
        if not text or text in self._ids_by_label or text in self._labels:
            return self._ids_by_label.get(text, text)
        found = self._ids_by_name.get(fold_text(text))
        if found == AMBIGUOUS_NAME:
            raise forms.ValidationError(
                self.error_messages["ambiguous"], code="ambiguous", params={"value": text}
            )
        return found or text

    def valid_value(self, value: Any) -> bool:
        # As ChoiceField's (the id, or the empty choice), by lookup rather than a walk.
        text = str(value)
        return text == "" or text in self._labels


class PartnerRowForm(forms.Form):
    partner = PartnerField(
        label=_("Partner"),
        required=False,
        widget=PartnerInput(attrs={"placeholder": _("Type a name, acronym or former name")}),
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a partner organization of the portal: pick one of the "
                "names suggested as you type."
            )
        },
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=PartnerRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, partner_choices: PartnerOptions, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(PartnerField, self.fields["partner"]).set_partners(partner_choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("partner") and not data.get("roles"):
            self.add_error("roles", _("Tick at least one role for this partner."))
        # A partner typed but not recognized already has its own message.
        if data.get("roles") and not data.get("partner") and "partner" not in self.errors:
            self.add_error("partner", _("Choose the partner organization for these roles."))
        return data


class RowFormSet(BaseFormSet):
    key_field = ""

    def clean(self) -> None:
        """The same country (or partner) twice is one row too many: say which row."""
        seen: set[Any] = set()
        for form in self.forms:
            key = form.cleaned_data.get(self.key_field) if form.cleaned_data else None
            if not key or form.cleaned_data.get("DELETE"):
                continue
            if key in seen:
                form.add_error(
                    self.key_field,
                    _("Already listed above: use one row per organization or country."),
                )
            seen.add(key)

    def filled_rows(self) -> list[dict[str, Any]]:
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and any(v for k, v in form.cleaned_data.items() if k != "DELETE")
        ]


class CountryRows(RowFormSet):
    key_field = "country"


class PartnerRows(RowFormSet):
    key_field = "partner"


CountryFormSet = formset_factory(
    CountryRowForm, formset=CountryRows, extra=3, can_delete=True, max_num=60, validate_max=True
)
PartnerFormSet = formset_factory(
    PartnerRowForm, formset=PartnerRows, extra=2, can_delete=True, max_num=40, validate_max=True
)


def country_choices() -> ChoiceList:
    """Built once per request and shared by every row, so rows cost no queries."""
    rows = Country.objects.values_list("pk", "iso2", "name")
    return [("", _("Choose a country")), *reference_names.country_choices(rows)]


# How long a process keeps the partner list when nothing says it changed (a country renamed).
PARTNER_CHOICES_SECONDS = 300


def _partner_key() -> str:
    """Names the current partner list: it changes when a partner is added, changed or removed.
    One aggregate (count and latest change), cheap enough for every request."""
    stamp = Partner.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    changed = stamp["changed"].isoformat() if stamp["changed"] else ""
    return f"partner-choices:{stamp['count']}:{changed}"


class _Choices(BaseChoiceIterator):
    """Choices already in Django's form (value, label): a field takes them without a copy."""

    def __init__(self, choices: ChoiceList) -> None:
        self.choices = choices

    def __iter__(self) -> Iterator[Any]:
        return iter(self.choices)


@dataclass(frozen=True)
class PartnerOptions:
    """Every organization as the partner fields offer and accept it."""

    key: str
    built: float
    choices: ChoiceList
    labels: dict[str, str]  # id (as text) -> label
    ids_by_label: dict[str, str]
    # fold_text() of each name, acronym and other name -> id (AMBIGUOUS_NAME if several share it)
    ids_by_name: dict[str, str]
    datalist: SafeString

    @property
    def iterator(self) -> _Choices:
        return _Choices(self.choices)


# The process's current PartnerOptions. In memory, not in Django's cache: the local-memory cache
# pickles what it keeps, and every request would unpickle every label.
_partner_options: PartnerOptions | None = None


def _build_partner_options(key: str) -> PartnerOptions:
    partners = Partner.objects.select_related("country").only(
        "pk", "name", "acronym", "aliases", "country__name"
    )
    rows = []
    ids_by_name: dict[str, str] = {}
    options = []
    for partner in partners:
        label = _partner_label(partner)
        rows.append((partner.pk, label))
        for name in {fold_text(name) for name in partner.names}:
            known = ids_by_name.get(name)
            ids_by_name[name] = (
                str(partner.pk) if known in (None, str(partner.pk)) else AMBIGUOUS_NAME
            )
        # The other names as the option's text: the browser suggests the label for them too.
        others = html_escape(", ".join(partner.aliases))
        options.append(f'<option value="{html_escape(label)}">{others}</option>')
    labels = {str(pk): label for pk, label in rows}
    return PartnerOptions(
        key=key,
        built=time.monotonic(),
        choices=[("", _("Choose a partner")), *rows],
        labels=labels,
        ids_by_label={label: pk for pk, label in labels.items()},
        ids_by_name=ids_by_name,
        datalist=mark_safe(  # noqa: S308 - every label escaped above
            f'<datalist id="{PARTNER_LIST_ID}">{"".join(options)}</datalist>'
        ),
    )


def partner_options() -> PartnerOptions:
    """Every organization, labelled with its country: built once per process and reused until a
    partner is added, changed or removed (or PARTNER_CHOICES_SECONDS have passed).

    Building it reads every partner into a model, too slow to repeat for the edit, finance and
    knowledge forms, which ask for it on every GET and POST. Each gunicorn process builds its own.
    """
    global _partner_options
    key = _partner_key()
    current = _partner_options
    if (
        current is None
        or current.key != key
        or time.monotonic() - current.built > PARTNER_CHOICES_SECONDS
    ):
        # Two threads may both build it: the last one stays, both are right.
        current = _partner_options = _build_partner_options(key)
    return current


def partner_choices() -> ChoiceList:
    """partner_options() as a plain list of choices (the empty choice first)."""
    return partner_options().choices


def partner_datalist() -> SafeString:
    """The page's one list of partner suggestions for every PartnerInput."""
    return partner_options().datalist


def _partner_label(partner: Partner) -> str:
    label = str(partner)
    return f"{label} — {partner.country.name}" if partner.country else label


def initial_country_rows(activity: Activity) -> list[dict[str, Any]]:
    return [
        {"country": link.country_id, "role": link.role, "share": link.share}
        for link in activity.country_links.order_by("pk")
    ]


def initial_partner_rows(activity: Activity) -> list[dict[str, Any]]:
    grouped: dict[int, list[str]] = {}
    for link in activity.partner_links.order_by("pk"):
        grouped.setdefault(link.partner_id, []).append(link.role)
    return [{"partner": pk, "roles": roles} for pk, roles in grouped.items()]


def _row_key(row: forms.Form, name: str) -> Any:
    """The row's country or partner, unless the row is empty or ticked for removal."""
    data = row.cleaned_data or {}
    return None if data.get("DELETE") else data.get(name)


def build_activity_data(
    form: ActivityForm, countries: RowFormSet, partners: RowFormSet
) -> ActivityData | None:
    """Turn the cleaned forms into the service's input, or None with errors on the rows."""
    country_rows = countries.filled_rows()
    partner_rows = partners.filled_rows()
    known_countries = Country.objects.in_bulk([row["country"] for row in country_rows])
    known_partners = Partner.objects.in_bulk([row["partner"] for row in partner_rows])
    ok = True
    for subform in countries.forms:
        pk = _row_key(subform, "country")
        if pk and pk not in known_countries:
            subform.add_error("country", _("This country does not exist."))
            ok = False
    for subform in partners.forms:
        pk = _row_key(subform, "partner")
        if pk and pk not in known_partners:
            subform.add_error("partner", _("This partner organization does not exist."))
            ok = False
    if not ok:
        return None
    fields = {
        name: value
        for name, value in form.cleaned_data.items()
        if name not in ("themes", "sdgs", "ssc_id", "status_note", "version")
        and not name.startswith(TEXT_FIELD_PREFIXES)
    }
    return ActivityData(
        fields=fields,
        countries=[
            CountryLink(known_countries[row["country"]], row["role"], row.get("share"))
            for row in country_rows
        ],
        partners=[
            PartnerLink(known_partners[row["partner"]], frozenset(row["roles"]))
            for row in partner_rows
        ],
        themes=list(form.cleaned_data.get("themes") or []),
        sdgs=list(form.cleaned_data.get("sdgs") or []),
        ssc_id=form.cleaned_data.get("ssc_id", "") or "",
        status_note=form.cleaned_data.get("status_note", "") or "",
        texts=form.text_versions(),
    )
