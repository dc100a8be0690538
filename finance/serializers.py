"""What the REST API shows of the ledger, the roll-ups and each activity's money, and what it
accepts to record or correct an entry.

The activity endpoint's read lives here (finance.activity_api) because it shows each activity with
its money, and activities may not import finance: activities.serializers gives the rest of it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts import api_numbers as numbers
from accounts.models import User
from activities.models import (
    ActivityType,
    Agreement,
    Country,
    Division,
    FundingNature,
    Modality,
    Partner,
    Status,
    Theme,
    Visibility,
)
from activities.serializers import (
    ActivityCountrySerializer,
    ActivityLinks,
    ActivityPartnerSerializer,
    TextVersionSerializer,
    date_text,
    datetime_text,
    decimal_text,
)
from activities.texts import ContentLanguage

from .figures import CoverageSerializer, DerivedFiguresSerializer
from .in_kind import NOTHING_UNVALUED, Unvalued
from .models import (
    ContributionKind,
    FinancialEntry,
    InKindUnit,
    InKindValuation,
    Stage,
    ValuedBy,
)
from .rollups import GROUP_BY_CHOICES, Figures, RollupFilters
from .summary import FinanceTotals, no_money


class StageAmountsSerializer(serializers.Serializer):
    planned = serializers.DecimalField(max_digits=20, decimal_places=2)
    allocated = serializers.DecimalField(max_digits=20, decimal_places=2)
    spent = serializers.DecimalField(max_digits=20, decimal_places=2)


class AgreementSerializer(serializers.Serializer):
    """An activity's confirmation by its sides (kept by the counterparts app): the code to
    filter on and its label in the caller's language."""

    value = serializers.ChoiceField(choices=Agreement.choices)
    # The API's name; the serializer's metaclass takes declared fields off the class.
    label = serializers.CharField(help_text=_("In the language of the request."))  # type: ignore[assignment]


class InKindNotValuedSerializer(serializers.Serializer):
    """In-kind lines not valued in money: they count 0 in the money and so in leverage; this
    says what was left out (finance.in_kind.Unvalued)."""

    lines = serializers.IntegerField(help_text=_("How many in-kind lines are not valued."))
    quantities = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2),
        help_text=_(
            "Their net quantity by unit (expert_days, expert_months, participant_days, "
            "scholarships, venue_days, equipment)."
        ),
    )
    note = serializers.CharField(
        help_text=_("The same in words, as every page that shows leverage says it; empty for none.")
    )


class FinanceSummarySerializer(DerivedFiguresSerializer):
    """The activity's money in US$, as its finance page adds it up from the ledger."""

    currency = serializers.CharField(help_text=_("Always USD: every entry's US$ value."))
    planned = serializers.DecimalField(max_digits=20, decimal_places=2)
    allocated = serializers.DecimalField(max_digits=20, decimal_places=2)
    spent = serializers.DecimalField(max_digits=20, decimal_places=2)
    ifad = StageAmountsSerializer(help_text=_("IFAD's own resources (grant, loan, admin)."))
    cofinancing = StageAmountsSerializer(help_text=_("Cash from other contributors."))
    in_kind = StageAmountsSerializer(help_text=_("In-kind contributions, valued in money."))
    ledger_version = serializers.IntegerField(
        help_text=_("Send it back to record or correct entries (/api/v1/ledger/).")
    )
    in_kind_not_valued = InKindNotValuedSerializer(
        help_text=_("In-kind left out of the money and of leverage for having no value.")
    )


def finance_summary(
    totals: FinanceTotals, ledger_version: int, unvalued: Unvalued = NOTHING_UNVALUED
) -> dict[str, Any]:
    total = totals.total
    return {
        # The derived figures first, as FinanceSummarySerializer declares them (inherited
        # fields come first); already rounded to their places (finance.figures).
        **{name: None if v is None else f"{v:f}" for name, v in totals.derived().items()},
        "currency": "USD",
        "planned": decimal_text(total["planned"]),
        "allocated": decimal_text(total["allocated"]),
        "spent": decimal_text(total["spent"]),
        **{
            source: {stage: decimal_text(amount) for stage, amount in amounts.items()}
            for source, amounts in (
                ("ifad", totals.ifad),
                ("cofinancing", totals.cofinancing),
                ("in_kind", totals.in_kind),
            )
        },
        "ledger_version": ledger_version,
        "in_kind_not_valued": unvalued.as_data(),
    }


class ActivitySerializer(serializers.Serializer):
    """An activity as the API reads it.

    The fields declare the representation (they make the OpenAPI schema); to_representation
    builds it straight from a row of ACTIVITY_COLUMNS, the page's ActivityLinks (context
    "links") and its money (context "money": finance_totals), because going through a field
    object per value and a model instance per linked row made a page of 100 activities several
    times slower. tests/api check that the two agree.
    """

    id = serializers.IntegerField()
    ssc_id = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    language = serializers.ChoiceField(
        choices=ContentLanguage.choices, help_text=_("The language of title and summary.")
    )
    texts = TextVersionSerializer(
        many=True, help_text=_("The title and summary in other languages.")
    )
    objectives = serializers.CharField(allow_blank=True)
    activity_type = serializers.ChoiceField(
        choices=ActivityType.choices,
        allow_blank=True,
        help_text=_("Empty for records migrated from the corporate workbook."),
    )
    modality = serializers.ChoiceField(choices=Modality.choices)
    funding_nature = serializers.ChoiceField(choices=FundingNature.choices)
    project_id = serializers.CharField(allow_blank=True)
    lead_division = serializers.CharField(help_text=_("Division code, e.g. LAC."))
    responsible_cpm = serializers.CharField(
        label=_("Responsible CPM"), allow_null=True, help_text=_("Username.")
    )
    status = serializers.ChoiceField(choices=Status.choices)
    visibility = serializers.ChoiceField(choices=Visibility.choices)
    agreement = AgreementSerializer(
        help_text=_(
            "Whether every side (each country's and organization's role) confirmed the record; "
            "filter with ?agreement=."
        )
    )
    approval_year = serializers.IntegerField(allow_null=True)
    reporting_year = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Approval year, else the year it started or was to start (the activity list's "
            "reporting_year filter). Money is counted by fiscal year: see /api/v1/rollups/."
        ),
    )
    planned_start = serializers.DateField(allow_null=True)
    planned_end = serializers.DateField(allow_null=True)
    actual_start = serializers.DateField(allow_null=True)
    actual_end = serializers.DateField(allow_null=True)
    countries = ActivityCountrySerializer(many=True)
    partners = ActivityPartnerSerializer(many=True)
    themes = serializers.ListField(child=serializers.CharField(), help_text=_("Theme codes."))
    sdgs = serializers.ListField(child=serializers.IntegerField(), help_text=_("SDG numbers."))
    participants_women = serializers.IntegerField(allow_null=True)
    participants_men = serializers.IntegerField(allow_null=True)
    participants_youth = serializers.IntegerField(
        allow_null=True, help_text=_("Young people among the women and men.")
    )
    outcomes = serializers.CharField(allow_blank=True)
    action_plans_adopted = serializers.IntegerField(allow_null=True)
    follow_up = serializers.CharField(allow_blank=True)
    lessons_learned = serializers.CharField(allow_blank=True)
    notes = serializers.CharField(allow_blank=True)
    finance = FinanceSummarySerializer(
        allow_null=True,
        help_text=_("Null for a partner user's own organization's internal activities."),
    )
    version = serializers.IntegerField(
        help_text=_("Send it back to change the activity (PUT, PATCH).")
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        row: dict[str, Any] = instance
        links: ActivityLinks = self.context["links"]
        money: dict[int, FinanceTotals] = self.context["money"]
        # Activities the caller reads without their money (activities.access.reads_money_of).
        money_hidden: set[int] = self.context.get("money_hidden", set())
        # In-kind not valued, per activity (finance.in_kind.unvalued_by_activity).
        unvalued: dict[int, Unvalued] = self.context.get("unvalued", {})
        pk = row["id"]
        return {
            "id": pk,
            "ssc_id": row["ssc_id"],
            "title": row["title"],
            "summary": row["summary"],
            "language": row["language"],
            "texts": links.texts.get(pk, []),
            "objectives": row["objectives"],
            "activity_type": row["activity_type"],
            "modality": row["modality"],
            "funding_nature": row["funding_nature"],
            "project_id": row["project_id"],
            "lead_division": row["lead_division__code"],
            "responsible_cpm": row["responsible_cpm__username"],
            "status": row["status"],
            "visibility": row["visibility"],
            "agreement": {
                "value": row["agreement"],
                "label": str(Agreement(row["agreement"]).label),
            },
            "approval_year": row["approval_year"],
            "reporting_year": row["reporting_year"],
            "planned_start": date_text(row["planned_start"]),
            "planned_end": date_text(row["planned_end"]),
            "actual_start": date_text(row["actual_start"]),
            "actual_end": date_text(row["actual_end"]),
            "countries": links.countries.get(pk, []),
            "partners": links.partners.get(pk, []),
            "themes": links.themes.get(pk, []),
            "sdgs": links.sdgs.get(pk, []),
            "participants_women": row["participants_women"],
            "participants_men": row["participants_men"],
            "participants_youth": row["participants_youth"],
            "outcomes": row["outcomes"],
            "action_plans_adopted": row["action_plans_adopted"],
            "follow_up": row["follow_up"],
            "lessons_learned": row["lessons_learned"],
            "notes": row["notes"],
            "finance": None
            if pk in money_hidden
            else finance_summary(
                money.get(pk) or no_money(),
                row["ledger_lock__version"] or 0,
                unvalued.get(pk, NOTHING_UNVALUED),
            ),
            "version": row["version"],
            "created_at": datetime_text(row["created_at"]),
            "updated_at": datetime_text(row["updated_at"]),
        }


class LedgerEntrySerializer(serializers.ModelSerializer):
    ssc_id = serializers.CharField(source="activity.ssc_id", read_only=True)
    contributor_name = serializers.SerializerMethodField()
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    provider_country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="iso2",
        read_only=True,
        allow_null=True,
        help_text=_("ISO 3166-1 alpha-2 code of the country that gave the in-kind."),
    )

    class Meta:
        model = FinancialEntry
        fields = [
            "id",
            "activity",
            "ssc_id",
            "contributor",
            "contributor_name",
            "kind",
            "valuation_method",
            "valuation_basis",
            "unit",
            "quantity",
            "valued_by",
            "provider_country",
            "unit_rate",
            "rate_card_version",
            "stage",
            "amount",
            "currency",
            "value_date",
            "fiscal_year",
            "units_per_usd",
            "amount_usd",
            "entry_type",
            "corrects",
            "reason",
            "reference",
            "note",
            "created_by",
            "created_at",
            # Last: a column added to the CSV leaves the ones scripts read where they were.
            "contributor_group",
        ]
        # No read_only_fields: this serializer only ever writes JSON out, and read-only
        # fields would lose allow_blank, so the schema would not allow the empty choices.

    def get_contributor_name(self, entry: FinancialEntry) -> str:
        """The contributing organization, or the label of the group of contributors the line
        is given to until it is split among them; IFAD for its own resources."""
        return entry.contributor_name


class EntryInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ContributionKind.choices)
    stage = serializers.ChoiceField(choices=Stage.choices)
    amount = numbers.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=0,
        required=False,
        allow_null=True,
        help_text=_(
            "In `currency`, to the cent; corrections reduce figures, not negatives. Leave it "
            "out for in-kind valued by a rate card (quantity x the card) or not valued (0)."
        ),
    )
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", help_text=_("ISO 4217 code; other than USD needs that month's rate.")
    )
    value_date = serializers.DateField()
    contributor = serializers.PrimaryKeyRelatedField(
        queryset=Partner.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The contributing partner's id; null for IFAD's own resources."),
    )
    fiscal_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1978, max_value=2100
    )
    valuation_method = serializers.ChoiceField(
        choices=InKindValuation.choices, required=False, allow_blank=True
    )
    valuation_basis = serializers.CharField(required=False, allow_blank=True, max_length=300)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    unit = serializers.ChoiceField(
        choices=InKindUnit.choices,
        required=False,
        allow_blank=True,
        help_text=_("What the quantity counts, for in-kind and technical cooperation."),
    )
    quantity = numbers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("How many units were given (with `unit`)."),
    )
    valued_by = serializers.ChoiceField(
        choices=ValuedBy.choices,
        required=False,
        allow_blank=True,
        help_text=_(
            "In-kind only: actual_cost (the default), rate_card (the focal point's card for the "
            "unit, provider country and fiscal year gives the amount) or not_valued (no money)."
        ),
    )
    provider_country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="iso2",
        queryset=Country.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("ISO 3166-1 alpha-2 code; by default the contributor's country."),
    )


class RecordEntriesInput(serializers.Serializer):
    """Several lines for one activity, recorded all or none (like the finance page's form)."""

    activity = serializers.IntegerField(min_value=1, help_text=_("The activity's id."))
    ledger_version = serializers.IntegerField(
        min_value=0,
        help_text=_(
            "The activity's finance.ledger_version as you read it; a stale one is refused "
            "with 409 and nothing is recorded."
        ),
    )
    # max_length goes to the ListSerializer that many=True makes (the stubs do not know it).
    entries = EntryInput(many=True, allow_empty=False, max_length=50)  # type: ignore[call-arg]


class RecordedEntriesSerializer(serializers.Serializer):
    ledger_version = serializers.IntegerField()
    entries = LedgerEntrySerializer(many=True)


class CorrectionInput(serializers.Serializer):
    new_amount = numbers.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=0,
        allow_null=True,
        help_text=_("The right amount, in the entry's currency; null or 0 reverses the entry."),
    )
    new_quantity = numbers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_(
            "For a line with a quantity: the quantity it should have. A rate-card line is "
            "valued again at the rate it stands at (new_amount is then ignored)."
        ),
    )
    reason = serializers.CharField(max_length=500)
    ledger_version = serializers.IntegerField(min_value=0)
    value_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_(
            "The correction's own value date; by default the entry's. An entry in a closed "
            "period is corrected with a date in an open one."
        ),
    )


class CorrectedEntrySerializer(serializers.Serializer):
    ledger_version = serializers.IntegerField()
    entry = LedgerEntrySerializer()


# --- roll-ups ---------------------------------------------------------------------------------


# The API names the roll-ups' year dimension for what it is: the fiscal year of the entries.
API_GROUP_BY = {("fiscal_year" if name == "year" else name): name for name in GROUP_BY_CHOICES}


class RollupQuery(serializers.Serializer):
    """The roll-up's query string: the dashboard's filters (finance.rollups.RollupFilters)."""

    group_by = serializers.ChoiceField(choices=tuple(API_GROUP_BY))
    fiscal_year = serializers.IntegerField(
        required=False, min_value=1978, max_value=2100, help_text=_("One fiscal year.")
    )
    fiscal_year_from = serializers.IntegerField(
        required=False, min_value=1978, max_value=2100, help_text=_("First fiscal year.")
    )
    fiscal_year_to = serializers.IntegerField(
        required=False, min_value=1978, max_value=2100, help_text=_("Last fiscal year.")
    )
    division = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.all()),
        required=False,
        help_text=_("Lead division code; repeat for several."),
    )
    country = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="iso2", queryset=Country.objects.all()),
        required=False,
        help_text=_("ISO 3166-1 alpha-2 code; repeat for several."),
    )
    theme = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="code", queryset=Theme.objects.all()),
        required=False,
        help_text=_("Theme code; repeat for several."),
    )
    modality = serializers.ListField(
        child=serializers.ChoiceField(choices=Modality.choices), required=False
    )
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=Status.choices), required=False
    )
    funding_nature = serializers.ListField(
        child=serializers.ChoiceField(choices=FundingNature.choices), required=False
    )
    agreement = serializers.ListField(
        child=serializers.ChoiceField(choices=Agreement.choices),
        required=False,
        help_text=_(
            "Whether every side confirmed the activity (confirmed, waiting, disputed, none); "
            "repeat for several. Read from the activities' own totals: exact, a little slower."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "fiscal_year" in attrs and ("fiscal_year_from" in attrs or "fiscal_year_to" in attrs):
            raise serializers.ValidationError(
                {
                    "fiscal_year": [
                        _("Give fiscal_year, or fiscal_year_from and fiscal_year_to, not both.")
                    ]
                }
            )
        start, end = attrs.get("fiscal_year_from"), attrs.get("fiscal_year_to")
        if start is not None and end is not None and start > end:
            raise serializers.ValidationError(
                {"fiscal_year_to": [_("fiscal_year_to is before fiscal_year_from.")]}
            )
        return attrs

    def rollup_group_by(self) -> str:
        """The roll-ups' own name of the asked grouping."""
        return API_GROUP_BY[self.validated_data["group_by"]]

    def filters(self) -> RollupFilters:
        data = self.validated_data
        year = data.get("fiscal_year")
        return RollupFilters(
            year_from=year if year is not None else data.get("fiscal_year_from"),
            year_to=year if year is not None else data.get("fiscal_year_to"),
            divisions=tuple(division.pk for division in data.get("division", [])),
            countries=tuple(country.pk for country in data.get("country", [])),
            themes=tuple(theme.pk for theme in data.get("theme", [])),
            modalities=tuple(data.get("modality", [])),
            statuses=tuple(data.get("status", [])),
            funding_natures=tuple(data.get("funding_nature", [])),
            agreements=tuple(sorted(data.get("agreement", []))),
        )


class FiguresSerializer(DerivedFiguresSerializer):
    """One group's money in US$ (or the whole selection's), as the dashboard shows it."""

    key = serializers.JSONField(
        allow_null=True,
        help_text=_(
            "The group: a fiscal year (integer), a division or theme code, an ISO 3166-1 "
            "alpha-2 code, or a modality, status or funding nature; null for money not "
            "attributed to any (an activity with no country or theme); null for the total."
        ),
    )
    # A field named like Field.label: DRF takes declared fields off the class, so no clash.
    label = serializers.CharField()  # type: ignore[assignment]
    ifad = StageAmountsSerializer()
    cofinancing = StageAmountsSerializer()
    in_kind = StageAmountsSerializer()
    total = StageAmountsSerializer()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        figures: Figures = instance
        total = {
            stage: figures.ifad[stage] + figures.cofinancing[stage] + figures.in_kind[stage]
            for stage in Stage.values
        }
        return super().to_representation(
            {
                "key": figures.key,
                "label": figures.label,
                "ifad": figures.ifad,
                "cofinancing": figures.cofinancing,
                "in_kind": figures.in_kind,
                "total": total,
                **figures.derived(),
            }
        )


class RollupSerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(choices=tuple(API_GROUP_BY))
    currency = serializers.CharField(help_text=_("Always USD."))
    as_of = serializers.DateTimeField(
        allow_null=True, help_text=_("When the figures were last computed.")
    )
    refreshing = serializers.BooleanField(
        help_text=_("Recent changes are still being added up: the figures may lag a little.")
    )
    total = FiguresSerializer()
    groups = FiguresSerializer(many=True)
    coverage = CoverageSerializer(
        help_text=_(
            "How much of the selection every side confirmed (its agreement filter left out)."
        )
    )
    in_kind_not_valued = InKindNotValuedSerializer(
        help_text=_("In-kind of the selection left out of the money and of leverage.")
    )
