"""Forms of the knowledge pages. They parse and check what was typed or uploaded; the rules
about records live in the models and services."""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.forms import formset_factory
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.forms import LongSelect, RowFormSet, country_choices, partner_choices
from activities.models import SDG, Activity, Country, Partner, Theme
from activities.texts import ContentLanguage

from .models import (
    ActionPlan,
    HostCase,
    KnowledgeAsset,
    Language,
    LearningDemand,
    LearningOffer,
    LearningRoute,
)
from .services import AssetData, HostCaseData, ParticipantData, RouteData
from .texts import TextVersion, check_texts
from .uploads import ACCEPT_ATTRIBUTE, CheckedFile, UploadRefused, check_upload, max_upload_bytes

if TYPE_CHECKING:
    from accounts.models import User

DATE_WIDGET = {"type": "date"}
# The fields of the title and abstract in each language (title_fr, abstract_fr ...).
TEXT_FIELD_PREFIXES = ("title_", "abstract_")
SSC_ID_SEPARATORS = re.compile(r"[\s,;]+")


class LongSelectMultiple(LongSelect, forms.SelectMultiple):
    """LongSelect's Python rendering for a multiple select (countries, partners)."""


def _partner_label(partner: Partner) -> str:
    return f"{partner} — {partner.country.name}" if partner.country else str(partner)


class PartnerChoiceField(forms.ModelChoiceField):
    """One partner organization, labelled with its country, from a Python-built list."""

    def __init__(self, **kwargs: Any):
        super().__init__(
            queryset=Partner.objects.select_related("country"),
            widget=LongSelect,
            empty_label=_("Choose an organization"),
            **kwargs,
        )

    def label_from_instance(self, obj: Any) -> str:
        return _partner_label(obj)


class PartnerMultipleField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs: Any):
        super().__init__(
            queryset=Partner.objects.select_related("country"), widget=LongSelectMultiple, **kwargs
        )

    def label_from_instance(self, obj: Any) -> str:
        return _partner_label(obj)


def themes_field(**kwargs: Any) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label=kwargs.pop("label", _("Themes")),
        queryset=Theme.objects.order_by("position"),
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is cleaned on its own."""

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def parse_ssc_ids(text: str) -> list[str]:
    return [token.upper() for token in SSC_ID_SEPARATORS.split(text or "") if token]


def visible_activities_by_ssc_id(user: User, text: str) -> tuple[list[Activity], list[str]]:
    """The activities the user may read among the SSC IDs typed, and the IDs not found."""
    wanted = parse_ssc_ids(text)
    found = {
        activity.ssc_id: activity
        for activity in Activity.objects.visible_to(user)
        .filter(ssc_id__in=wanted)
        .only("pk", "ssc_id", "title")
    }
    return [found[i] for i in dict.fromkeys(wanted) if i in found], [
        i for i in wanted if i not in found
    ]


class StaleCheckedForm(forms.Form):
    """For the form of a record with `updated_at`: it carries that time as the form showed it
    (to the microsecond), and the service refuses a save over a later change
    (services.StaleEditError) rather than silently overwriting it. Put it first among the
    bases of a ModelForm."""

    read_at = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    # Set by the view when a save was refused as stale: the page links to the current version.
    stale = False

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk and not self.is_bound:
            self.initial["read_at"] = instance.updated_at.isoformat()

    def clean_read_at(self) -> datetime.datetime | None:
        value = self.cleaned_data.get("read_at") or ""
        try:
            return datetime.datetime.fromisoformat(value) if value else None
        except ValueError:
            # Only a tampered form sends this: treat it as read long ago.
            return datetime.datetime.min.replace(tzinfo=datetime.UTC)


class AssetForm(StaleCheckedForm, forms.ModelForm):
    linked_activities = forms.CharField(
        label=_("Linked activities"),
        required=False,
        max_length=2000,
        help_text=_("SSC IDs of the activities the asset comes from, e.g. SSC-2010-02."),
    )
    attachments = MultipleFileField(label=_("Files"), required=False)
    remove_files = forms.ModelMultipleChoiceField(
        label=_("Remove these files"),
        queryset=KnowledgeAsset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    author_organizations = PartnerMultipleField(label=_("Author organizations"), required=False)

    class Meta:
        model = KnowledgeAsset
        fields = [
            "asset_type",
            "title",
            "abstract",
            "body",
            "language",
            "published_on",
            "division",
            "author_organizations",
            "countries",
            "themes",
            "sdgs",
            "external_url",
            "licence",
            "visibility",
        ]
        widgets = {
            "abstract": forms.Textarea(attrs={"rows": 4}),
            "body": forms.Textarea(attrs={"rows": 10}),
            "published_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "countries": LongSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "sdgs": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ModelChoiceField, self.fields["themes"]).queryset = Theme.objects.order_by(
            "position"
        )
        cast(forms.ModelChoiceField, self.fields["sdgs"]).queryset = SDG.objects.order_by("number")
        self.fields["countries"].help_text = _("Hold Ctrl (or ⌘) to choose several.")
        self.fields["author_organizations"].help_text = _("Hold Ctrl (or ⌘) to choose several.")
        self.fields["attachments"].help_text = _(
            "PDF, Word, Excel, PowerPoint or images (PNG, JPEG, GIF, WebP), at most %(mb)s MB "
            "each. The text of PDFs is searched."
        ) % {"mb": max_upload_bytes() // 2**20}
        self.fields["title"].widget.attrs["autofocus"] = True
        self._add_text_fields()
        if self.instance.pk:
            cast(
                forms.ModelChoiceField, self.fields["remove_files"]
            ).queryset = self.instance.files.all()
            if not self.is_bound:
                self.initial["linked_activities"] = ", ".join(
                    self.instance.activities.order_by("ssc_id").values_list("ssc_id", flat=True)
                )
        else:
            del self.fields["remove_files"]
            if not self.is_bound:
                self.initial.setdefault("published_on", timezone.localdate())
                first = user.divisions.order_by("code").first()
                if first:
                    self.initial.setdefault("division", first.pk)

    def _add_text_fields(self) -> None:
        """A title and an abstract per content language, filled from the asset's versions;
        each input says its language, so that browsers, spell checkers and screen readers read
        it right (Arabic right to left)."""
        versions = (
            {text.language: text for text in self.instance.texts.all()} if self.instance.pk else {}
        )
        for code, name in ContentLanguage.choices:
            attrs = {"lang": code, "dir": "rtl" if code == ContentLanguage.ARABIC else "ltr"}
            self.fields[f"title_{code}"] = forms.CharField(
                label=_("Title in %(language)s") % {"language": name},
                required=False,
                max_length=300,
                widget=forms.TextInput(attrs=attrs),
            )
            self.fields[f"abstract_{code}"] = forms.CharField(
                label=_("Abstract in %(language)s") % {"language": name},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={**attrs, "rows": 3}),
            )
            if code in versions and not self.is_bound:
                self.initial[f"title_{code}"] = versions[code].title
                self.initial[f"abstract_{code}"] = versions[code].abstract

    @property
    def text_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """The (title, abstract) fields of each language, for the page."""
        return [
            (self[f"title_{code}"], self[f"abstract_{code}"]) for code in ContentLanguage.values
        ]

    @property
    def text_versions_given(self) -> bool:
        """Whether the page opens the languages section: a version is there, or an error."""
        names = [name for name in self.fields if name.startswith(TEXT_FIELD_PREFIXES)]
        return any(self[name].value() or self[name].errors for name in names)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Each version's problem next to its title (the service checks them again).
        language = cleaned.get("language") or self.instance.language
        for version in self.text_versions():
            for problem in check_texts(language, [version]):
                self.add_error(f"title_{version.language}", problem)
        return cleaned

    def text_versions(self) -> list[TextVersion]:
        """The versions given: a language whose title and abstract are both empty has none
        (emptying both removes it)."""
        versions = []
        for code in ContentLanguage.values:
            title = (self.cleaned_data.get(f"title_{code}") or "").strip()
            abstract = (self.cleaned_data.get(f"abstract_{code}") or "").strip()
            if title or abstract:
                versions.append(TextVersion(code, title, abstract))
        return versions

    def clean_linked_activities(self) -> list[Activity]:
        activities, unknown = visible_activities_by_ssc_id(
            self.user, self.cleaned_data.get("linked_activities", "")
        )
        if unknown:
            raise forms.ValidationError(
                _("No activity you can see has the SSC ID %(ids)s.") % {"ids": ", ".join(unknown)}
            )
        return activities

    def clean_attachments(self) -> list[CheckedFile]:
        checked: list[CheckedFile] = []
        problems: list[forms.ValidationError] = []
        for upload in self.cleaned_data.get("attachments") or []:
            try:
                checked.append(check_upload(upload))
            except UploadRefused as error:
                problems.append(forms.ValidationError(str(error)))
        if problems:
            raise forms.ValidationError(problems)
        return checked

    def asset_data(self) -> AssetData:
        data = self.cleaned_data
        return AssetData(
            fields={name: data[name] for name in self.Meta.fields if name in data},
            themes=list(data.get("themes") or []),
            countries=list(data.get("countries") or []),
            sdgs=list(data.get("sdgs") or []),
            author_organizations=list(data.get("author_organizations") or []),
            activities=data.get("linked_activities") or [],
            new_files=data.get("attachments") or [],
            remove_files=[row.pk for row in data.get("remove_files") or []],
            texts=self.text_versions(),
        )


# --- Learning routes -------------------------------------------------------------------------


class RouteForm(StaleCheckedForm, forms.ModelForm):
    activity_ssc_id = forms.CharField(
        label=_("Activity (SSC ID)"),
        required=False,
        max_length=20,
        help_text=_("The portfolio activity this route is, if recorded: e.g. SSC-2014-03."),
    )
    themes = themes_field()
    organizer = PartnerChoiceField(
        label=_("Organizer"),
        required=False,
        help_text=_("Who designed and ran the route (for example PROCASUR)."),
    )

    class Meta:
        model = LearningRoute
        fields = [
            "title",
            "summary",
            "organizer",
            "division",
            "start_date",
            "end_date",
            "themes",
            "visibility",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "start_date": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["title"].widget.attrs["autofocus"] = True
        if not self.is_bound:
            if self.instance.activity_id:
                self.initial["activity_ssc_id"] = self.instance.activity.ssc_id  # type: ignore[union-attr]
            elif not self.instance.pk and (first := user.divisions.order_by("code").first()):
                self.initial["division"] = first.pk

    def clean_activity_ssc_id(self) -> Activity | None:
        text = self.cleaned_data.get("activity_ssc_id", "").strip()
        if not text:
            return None
        activities, unknown = visible_activities_by_ssc_id(self.user, text)
        if unknown or len(activities) != 1:
            raise forms.ValidationError(
                _("No activity you can see has the SSC ID %(id)s.") % {"id": text}
            )
        return activities[0]


class HostCaseRowForm(forms.Form):
    title = forms.CharField(
        label=_("Case"),
        max_length=300,
        required=False,
        validators=HostCase._meta.get_field("title").validators,
    )
    host = forms.TypedChoiceField(
        label=_("Host organization"), coerce=int, required=False, widget=LongSelect
    )
    country = forms.TypedChoiceField(
        label=_("Country"), coerce=int, required=False, widget=LongSelect
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.order_by("position"),
        required=False,
        empty_label=_("Choose a theme"),
    )

    def __init__(self, *args: Any, partners: Any, countries: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["host"]).choices = partners
        cast(forms.ChoiceField, self.fields["country"]).choices = countries

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if any(data.get(k) for k in ("title", "host", "country", "theme")):
            for name, message in (
                ("title", _("Name the case.")),
                ("host", _("Choose the host organization.")),
                ("country", _("Choose the country.")),
                ("theme", _("Choose the theme.")),
            ):
                if not data.get(name):
                    self.add_error(name, message)
        return data


class ParticipantRowForm(forms.Form):
    organization = forms.TypedChoiceField(
        label=_("Participating organization"), coerce=int, required=False, widget=LongSelect
    )
    country = forms.TypedChoiceField(
        label=_("Country"), coerce=int, required=False, widget=LongSelect
    )
    people = forms.IntegerField(label=_("People"), required=False, min_value=1, max_value=1000)

    def __init__(self, *args: Any, partners: Any, countries: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["organization"]).choices = partners
        cast(forms.ChoiceField, self.fields["country"]).choices = countries

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("organization") or data.get("people")) and not data.get("country"):
            self.add_error("country", _("Choose the country the participants came from."))
        if (data.get("country") or data.get("people")) and not data.get("organization"):
            self.add_error("organization", _("Choose the participating organization."))
        return data


class HostCaseRows(RowFormSet):
    key_field = ""


class ParticipantRows(RowFormSet):
    key_field = "organization"


HostCaseFormSet = formset_factory(
    HostCaseRowForm, formset=HostCaseRows, extra=2, can_delete=True, max_num=30, validate_max=True
)
ParticipantFormSet = formset_factory(
    ParticipantRowForm,
    formset=ParticipantRows,
    extra=3,
    can_delete=True,
    max_num=60,
    validate_max=True,
)


def route_formsets(
    data: Any, route: LearningRoute | None
) -> tuple[forms.BaseFormSet, forms.BaseFormSet]:
    """The host-case and participant formsets, sharing one list of partners and countries."""
    choices = {"partners": partner_choices(), "countries": country_choices()}
    hosts_initial = participants_initial = None
    if route is not None and route.pk:
        hosts_initial = [
            {"title": c.title, "host": c.host_id, "country": c.country_id, "theme": c.theme_id}
            for c in route.host_cases.all()
        ]
        participants_initial = [
            {"organization": p.organization_id, "country": p.country_id, "people": p.people}
            for p in route.participants.all()
        ]
    hosts = HostCaseFormSet(data, prefix="hosts", initial=hosts_initial, form_kwargs=choices)
    participants = ParticipantFormSet(
        data, prefix="participants", initial=participants_initial, form_kwargs=choices
    )
    return hosts, participants


def _filled(formset: forms.BaseFormSet) -> list[forms.Form]:
    """The rows someone filled in and did not tick for removal."""
    return [
        row
        for row in formset.forms
        if row.cleaned_data
        and not row.cleaned_data.get("DELETE")
        and any(v for k, v in row.cleaned_data.items() if k != "DELETE")
    ]


def build_route_data(
    form: RouteForm, hosts: forms.BaseFormSet, participants: forms.BaseFormSet
) -> RouteData | None:
    """The service's input from valid forms, or None with errors on the rows that name an
    organization or country that no longer exists."""
    host_rows, participant_rows = _filled(hosts), _filled(participants)
    partners = Partner.objects.in_bulk(
        [r.cleaned_data["host"] for r in host_rows]
        + [r.cleaned_data["organization"] for r in participant_rows]
    )
    countries = Country.objects.in_bulk(
        [r.cleaned_data["country"] for r in host_rows + participant_rows]
    )
    ok = True
    for row, partner_key in [(r, "host") for r in host_rows] + [
        (r, "organization") for r in participant_rows
    ]:
        if row.cleaned_data[partner_key] not in partners:
            row.add_error(partner_key, _("This organization does not exist."))
            ok = False
        if row.cleaned_data["country"] not in countries:
            row.add_error("country", _("This country does not exist."))
            ok = False
    if not ok:
        return None
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "themes"}
    fields["activity"] = form.cleaned_data.get("activity_ssc_id")
    return RouteData(
        fields=fields,
        themes=list(form.cleaned_data["themes"]),
        host_cases=[
            HostCaseData(
                r.cleaned_data["title"],
                partners[r.cleaned_data["host"]],
                countries[r.cleaned_data["country"]],
                r.cleaned_data["theme"],
            )
            for r in host_rows
        ],
        participants=[
            ParticipantData(
                partners[r.cleaned_data["organization"]],
                countries[r.cleaned_data["country"]],
                r.cleaned_data.get("people"),
            )
            for r in participant_rows
        ],
    )


class ActionPlanForm(StaleCheckedForm, forms.ModelForm):
    evidence_reference = forms.CharField(
        label=_("Evidence in the knowledge library"),
        required=False,
        max_length=500,
        help_text=_("Paste the library page's address of the document, or its number."),
    )

    class Meta:
        model = ActionPlan
        fields = [
            "participant",
            "title",
            "summary",
            "status",
            "status_date",
            "evidence",
            "evidence_url",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
            "status_date": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, route: LearningRoute, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        participant = cast(forms.ModelChoiceField, self.fields["participant"])
        participant.queryset = route.participants.select_related("organization", "country")
        self.fields["title"].widget.attrs["autofocus"] = True
        if not self.is_bound and self.instance.evidence_asset_id:
            self.initial["evidence_reference"] = str(self.instance.evidence_asset_id)

    def clean_evidence_reference(self) -> KnowledgeAsset | None:
        text = self.cleaned_data.get("evidence_reference", "").strip()
        if not text:
            return None
        pk: int | None = int(text) if text.isdigit() else None
        if pk is None:
            path = re.sub(r"^[a-z]+://[^/]+", "", text)
            try:
                match = resolve(path.split("?")[0])
            except Resolver404:
                match = None
            if match and match.view_name == "knowledge:asset_detail":
                pk = int(match.kwargs["pk"])
        asset = (
            KnowledgeAsset.objects.visible_to(self.user).filter(pk=pk).only("pk", "title").first()
            if pk
            else None
        )
        if asset is None:
            raise forms.ValidationError(_("No knowledge asset you can see has this address."))
        return asset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The model's own rules (evidence for funded and implemented plans) run after this and
        # must see the referenced document too.
        self.instance.evidence_asset = data.get("evidence_reference")
        return data

    def plan_fields(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data.get(name) for name in self.Meta.fields}
        fields["evidence_asset"] = self.cleaned_data.get("evidence_reference")
        return fields


# --- Demand and offer ------------------------------------------------------------------------


def demand_countries(user: User) -> QuerySet[Country]:
    """The country programmes a user may record demands for: a CPM their divisions' countries
    and their own countries, the focal point all."""
    if user.is_focal_point:
        return Country.objects.all()
    return Country.objects.filter(
        Q(division__in=user.divisions.all()) | Q(pk__in=user.countries.all())
    )


class DemandForm(StaleCheckedForm, forms.ModelForm):
    themes = themes_field()

    class Meta:
        model = LearningDemand
        fields = [
            "country",
            "title",
            "description",
            "themes",
            "audience",
            "needed_by",
            "language",
            "preferred_type",
            "status",
        ]
        widgets = {
            "country": LongSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "needed_by": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        country = cast(forms.ModelChoiceField, self.fields["country"])
        country.queryset = demand_countries(user)  # also fills the widget's options
        country.empty_label = _("Choose a country")
        country.help_text = _("The country programme that wants to learn.")
        self.fields["title"].widget.attrs["autofocus"] = True
        if not self.instance.pk:
            # A new demand is open; it becomes matched through a match, closed by its editor.
            del self.fields["status"]


class OfferForm(StaleCheckedForm, forms.ModelForm):
    activity_ssc_id = forms.CharField(
        label=_("Past activity (SSC ID)"),
        required=False,
        max_length=20,
        help_text=_("Offer the experience of an activity: its host becomes the institution."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Languages the hosts can work in."),
    )
    themes = themes_field()
    institution = PartnerChoiceField(
        label=_("Offering institution"),
        required=False,
        help_text=_("Leave empty to take the past activity's host."),
    )

    class Meta:
        model = LearningOffer
        fields = [
            "institution",
            "country",
            "title",
            "description",
            "themes",
            "languages",
            "is_active",
        ]
        widgets = {"country": LongSelect, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        country = cast(forms.ModelChoiceField, self.fields["country"])
        country.empty_label = _("Choose a country")
        country.required = False
        country.help_text = _("Leave empty to take the institution's country.")
        self.fields["title"].widget.attrs["autofocus"] = True
        if not self.is_bound:
            if self.instance.activity_id:
                self.initial["activity_ssc_id"] = self.instance.activity.ssc_id  # type: ignore[union-attr]
            if not self.instance.pk:
                self.initial["languages"] = [Language.ENGLISH]
                del self.fields["is_active"]
        elif not self.instance.pk:
            del self.fields["is_active"]

    def clean_activity_ssc_id(self) -> Activity | None:
        text = self.cleaned_data.get("activity_ssc_id", "").strip()
        if not text:
            return None
        activities, unknown = visible_activities_by_ssc_id(self.user, text)
        if unknown or len(activities) != 1:
            raise forms.ValidationError(
                _("No activity you can see has the SSC ID %(id)s.") % {"id": text}
            )
        return activities[0]

    def offer_fields(self) -> dict[str, Any]:
        fields = {
            name: self.cleaned_data.get(name)
            for name in self.Meta.fields
            if name != "themes" and name in self.fields
        }
        fields["activity"] = self.cleaned_data.get("activity_ssc_id")
        return fields
