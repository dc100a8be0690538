"""What the REST API shows of activities, partners and reference data, and what it accepts.

Output serializers (read) and input serializers (write) are separate: an activity is written
with codes (country ISO codes, theme codes, the division's code) and goes through the same form
rules and services as the browser (activities/api.py), while it is read with names as well.
The activity's read serializer, which adds its money, is finance.serializers.ActivitySerializer.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts import api_numbers as numbers
from accounts.models import Role, User
from accounts.text import validate_multi_line_text, validate_single_line_text
from ssc_portal.expressions import IdsIn

from .models import (
    SDG,
    Activity,
    ActivityCountry,
    ActivityPartner,
    ActivityType,
    Country,
    CountryRole,
    Division,
    FundingNature,
    Modality,
    Partner,
    PartnerRole,
    Status,
    Theme,
    Visibility,
)
from .reference_names import country_display_name
from .texts import ActivityText, ContentLanguage

CENT = Decimal("0.01")


# --- reference data ---------------------------------------------------------------------------


class CountrySerializer(serializers.ModelSerializer):
    division: serializers.SlugRelatedField[Division] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )

    class Meta:
        model = Country
        fields = ["id", "iso2", "iso3", "name", "division", "income_group", "income_group_year"]


class ThemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["code", "name", "position"]


class PartnerSerializer(serializers.ModelSerializer):
    country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="iso2", read_only=True, allow_null=True
    )

    class Meta:
        model = Partner
        fields = [
            "id",
            "name",
            "acronym",
            "type",
            "country",
            "website",
            "iati_identifier",
            "created_at",
            "updated_at",
        ]


# --- activities, read -------------------------------------------------------------------------


class ActivityCountrySerializer(serializers.Serializer):
    iso2 = serializers.CharField(source="country.iso2")
    iso3 = serializers.CharField(source="country.iso3")
    name = serializers.CharField(
        source="country.display_name", help_text=_("In the language asked for (Accept-Language).")
    )
    role = serializers.ChoiceField(choices=CountryRole.choices)
    share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text=_("Share of the money (%); null everywhere means an equal split."),
    )


class ActivityPartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    acronym = serializers.CharField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=PartnerRole.choices))


# The columns an activity is read from: one .values() query for a whole page (the endpoint,
# finance.activity_api, annotates reporting_year with activities.filters.with_reporting_year).
ACTIVITY_COLUMNS = (
    "id",
    "ssc_id",
    "title",
    "summary",
    "language",
    "objectives",
    "activity_type",
    "modality",
    "funding_nature",
    "project_id",
    "lead_division__code",
    "responsible_cpm__username",
    "status",
    "visibility",
    "agreement",
    "approval_year",
    "reporting_year",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "participants_women",
    "participants_men",
    "participants_youth",
    "outcomes",
    "action_plans_adopted",
    "follow_up",
    "lessons_learned",
    "notes",
    "ledger_lock__version",
    "version",
    "created_at",
    "updated_at",
)


@dataclass
class ActivityLinks:
    """What a page of activities links to, by activity id, read in one query per kind."""

    countries: dict[int, list[dict[str, Any]]]
    partners: dict[int, list[dict[str, Any]]]
    themes: dict[int, list[str]]
    sdgs: dict[int, list[int]]
    texts: dict[int, list[dict[str, str]]]


def load_activity_links(ids: list[int]) -> ActivityLinks:
    """Five queries whatever the page size, and no model instances: rows straight to JSON."""
    countries: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for activity_id, iso2, iso3, name, role, share in (
        ActivityCountry.objects.filter(IdsIn("activity_id", ids))
        .order_by("country__name")
        .values_list(
            "activity_id", "country__iso2", "country__iso3", "country__name", "role", "share"
        )
    ):
        countries[activity_id].append(
            {
                "iso2": iso2,
                "iso3": iso3,
                "name": country_display_name(iso2, name),
                "role": role,
                "share": decimal_text(share),
            }
        )
    partners: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    for activity_id, partner_id, name, acronym, role in (
        ActivityPartner.objects.filter(IdsIn("activity_id", ids))
        .order_by("partner__name", "partner_id", "role")
        .values_list("activity_id", "partner_id", "partner__name", "partner__acronym", "role")
    ):
        # Each partner once, with every role it plays (one row per role in the database).
        entry = partners[activity_id].setdefault(
            partner_id, {"id": partner_id, "name": name, "acronym": acronym, "roles": []}
        )
        entry["roles"].append(role)
    themes: dict[int, list[str]] = defaultdict(list)
    for activity_id, code in (
        Activity.themes.through.objects.filter(IdsIn("activity_id", ids))
        .order_by("theme__position", "theme__name")
        .values_list("activity_id", "theme__code")
    ):
        themes[activity_id].append(code)
    sdgs: dict[int, list[int]] = defaultdict(list)
    for activity_id, number in (
        Activity.sdgs.through.objects.filter(IdsIn("activity_id", ids))
        .order_by("sdg__number")
        .values_list("activity_id", "sdg__number")
    ):
        sdgs[activity_id].append(number)
    texts: dict[int, list[dict[str, str]]] = defaultdict(list)
    for activity_id, language, title, summary in (
        ActivityText.objects.filter(IdsIn("activity_id", ids))
        .order_by("language")
        .values_list("activity_id", "language", "title", "summary")
    ):
        texts[activity_id].append({"language": language, "title": title, "summary": summary})
    return ActivityLinks(
        countries=countries,
        partners={pk: list(found.values()) for pk, found in partners.items()},
        themes=themes,
        sdgs=sdgs,
        texts=texts,
    )


def decimal_text(value: Decimal | None) -> str | None:
    """As DRF writes a DecimalField with two places (COERCE_DECIMAL_TO_STRING)."""
    return None if value is None else f"{value.quantize(CENT):f}"


def date_text(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def datetime_text(value: datetime.datetime) -> str:
    """As DRF writes a DateTimeField: ISO 8601 in the current time zone, UTC as Z."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# --- activities, write ------------------------------------------------------------------------


class CountryLinkInput(serializers.Serializer):
    iso2 = serializers.SlugRelatedField(
        slug_field="iso2", queryset=Country.objects.all(), help_text=_("ISO 3166-1 alpha-2.")
    )
    role = serializers.ChoiceField(choices=CountryRole.choices)
    share = numbers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text=_("Leave out everywhere for an equal split, or give every country one."),
    )


class PartnerLinkInput(serializers.Serializer):
    id = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(), help_text=_("The partner organization's id.")
    )
    roles = serializers.MultipleChoiceField(choices=PartnerRole.choices, allow_empty=False)


class TextVersionSerializer(serializers.Serializer):
    """The activity's title and summary in one other language (read and write)."""

    language = serializers.ChoiceField(choices=ContentLanguage.choices)
    # The model's own text rules, so that a refusal names the version's field (texts.0.title).
    title = serializers.CharField(max_length=300, validators=[validate_single_line_text])
    summary = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, validators=[validate_multi_line_text]
    )


class ActivityWriteSerializer(serializers.Serializer):
    """What a client sends to create (POST) or change (PUT, PATCH) an activity.

    Only the shape and the codes are checked here; the rules (required type, project ID for
    in-project activities, status moves, dates, shares) are the activity form's and the
    services', applied by the view exactly as for the browser.
    """

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_(
            "Required to change an activity: the version you read. A stale version is refused "
            "with 409 and nothing is saved."
        ),
    )
    ssc_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text=_("On creation only; empty: the next SSC-YYYY-NN."),
    )
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    language = serializers.ChoiceField(
        choices=ContentLanguage.choices,
        required=False,
        help_text=_("The language of title and summary; English when left out on creation."),
    )
    texts = TextVersionSerializer(  # type: ignore[call-arg]
        many=True,
        required=False,
        max_length=len(ContentLanguage.values),
        help_text=_(
            "The title and summary in other languages, one entry per language. PATCH: left "
            "out, they are kept; PUT: left out, they are removed."
        ),
    )
    objectives = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    activity_type = serializers.ChoiceField(choices=ActivityType.choices)
    modality = serializers.ChoiceField(choices=Modality.choices)
    funding_nature = serializers.ChoiceField(choices=FundingNature.choices)
    project_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    lead_division = serializers.SlugRelatedField(
        slug_field="code", queryset=Division.objects.all(), help_text=_("Division code, e.g. LAC.")
    )
    responsible_cpm = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True, role__in=[Role.CPM, Role.FOCAL_POINT]),
        required=False,
        allow_null=True,
        help_text=_("Username of an active CPM or focal point."),
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    status_note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    approval_year = serializers.IntegerField(required=False, allow_null=True)
    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_end = serializers.DateField(required=False, allow_null=True)
    actual_start = serializers.DateField(required=False, allow_null=True)
    actual_end = serializers.DateField(required=False, allow_null=True)
    participants_women = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    participants_men = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    participants_youth = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    outcomes = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    action_plans_adopted = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    follow_up = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    lessons_learned = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    # max_length goes to the ListSerializer that many=True makes (the stubs do not know it).
    countries = CountryLinkInput(many=True, required=False, max_length=60)  # type: ignore[call-arg]
    partners = PartnerLinkInput(many=True, required=False, max_length=40)  # type: ignore[call-arg]
    themes = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Theme.objects.all(),
        many=True,
        allow_empty=False,
        help_text=_("Theme codes; at least one."),
    )
    sdgs = serializers.SlugRelatedField(
        slug_field="number", queryset=SDG.objects.all(), many=True, required=False
    )
    not_duplicate_of = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=50,
        help_text=_(
            "Ids of the activities you compared this one with and found different: the "
            "`duplicates` of a 409 answer, or of GET /activities/{id}/duplicates/. A new "
            "activity alike one not listed here is refused with 409 (code likely_duplicates) "
            "and its likely duplicates; nothing is saved. Those listed are recorded as told "
            "apart and never suggested again."
        ),
    )


class DuplicateSuggestionSerializer(serializers.Serializer):
    """A likely duplicate (activities.duplicates.Match): output only."""

    id = serializers.IntegerField(source="activity.pk")
    ssc_id = serializers.CharField(source="activity.ssc_id")
    title = serializers.CharField(source="activity.title")
    status = serializers.CharField(source="activity.status")
    likeness = serializers.IntegerField(
        source="percent", help_text=_("How alike the two activities are, in percent.")
    )
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Why: title likeness, shared countries, overlapping years, shared partners."),
    )


class ActivityChangeInput(ActivityWriteSerializer):
    """PUT: the whole activity, and the version read (required, so the schema says so too).
    The SSC ID is given at creation and kept: a change does not take one."""

    ssc_id = None  # type: ignore[assignment]
    not_duplicate_of = None  # type: ignore[assignment]

    version = serializers.IntegerField(
        min_value=1,
        help_text=_(
            "The version you read. A stale version is refused with 409 and nothing is saved."
        ),
    )


class ActivityPatchInput(ActivityChangeInput):
    """PATCH: the version read, and any of the other fields (those left out keep their value).

    Not DRF's partial mode, which would make the version optional as well."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name, field in fields.items():
            if name != "version":
                field.required = False
        return fields


class ActivityMergeInput(serializers.Serializer):
    """POST .../{id}/merge/: the activity to merge into this one, and both versions read."""

    remove = serializers.IntegerField(
        min_value=1,
        help_text=_(
            "The id of the activity to merge into this one: its countries, partners, themes, "
            "ledger lines, results and links move here, and it is kept as a record of its "
            "history, hidden from lists and sums."
        ),
    )
    version = serializers.IntegerField(
        min_value=1, help_text=_("This activity's version, as you read it.")
    )
    remove_version = serializers.IntegerField(
        min_value=1, help_text=_("The merged activity's version, as you read it.")
    )
