"""Every writable field x hostile values: refused naming the field, or stored, shown and exported.

ONE table. FIELDS lists every field a person writes (the pages' forms, the API's input
serializers, the workbook import's columns) with its kind; HOSTILE gives the values each kind is
tried with and what must happen. test_every_writable_field_is_in_the_table derives the fields
from the forms, serializers and importer themselves, so a new field fails until it has a row.

Refused: the API answers 400 with the field's path among the errors; a page shows the message
next to the field (the ledger's and the correction's messages start with the field's label);
the importer lists a problem naming the row and the column (test_refused_value, one test
per value; test_refused_values_together, for the surfaces whose one answer names every field
sent, one refused value of each field per request). Stored: the record keeps the value, its
page shows it escaped, and the downloads holding it (workbook, ledger CSV, IATI file, API CSV)
answer 200 (test_stored_values: a surface's values are stored side by side, each on a record of
its own, and each download is read once with all of them in it).

Numbers (amounts, rates, counts, years) are tried huge, tiny, negative, zero, NaN, infinite and
with ambiguous separators; a stored amount must also leave the dashboard's total, after the
roll-ups refresh, equal to the ledger's sum, and the reports (xlsx, PDF) must be made
(test_stored_amounts_add_up, for the table's stored amounts together). Kinds with no values yet
(NUMBER: versions and country shares; choices, links, files, flags) have rows and no cases: add
their values and the rows run.
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

import lxml.html
import pytest
from django import forms
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from lxml import etree
from rest_framework import serializers

from accounts.models import Role, User
from accounts.services import create_api_token
from activities.models import Activity, Partner, Visibility
from activities.services import create_saved_view
from finance import services
from finance.forms import DashboardFilterForm
from finance.legacy import ACTIVITY_COLUMNS, CONTRIBUTION_COLUMNS, read_workbook
from finance.models import MAX_LINE_AMOUNT, FinancialEntry
from knowledge.models import LearningRoute
from results import services as results_services
from results.forms.dashboard import ResultsFilterForm
from results.models import Indicator, Period, PlanFollowUp, Update
from tests.accounts import hostile as people_hostile
from tests.counterparts import hostile as counterparts_hostile
from tests.factories import ActivityFactory, PartnerFactory, UserFactory, country, theme
from tests.finance import workbooks
from tests.helpers import activity_form_data, partner_form_data, record_entry, signed_in_session
from tests.knowledge import walk as knowledge_walk
from tests.knowledge.factories import make_asset, make_plan, make_route
from tests.results import hostile as results_hostile
from tests.results import hostile_framework
from tests.standards import hostile as standards_hostile

pytestmark = pytest.mark.django_db

REFUSED, STORED = "refused", "stored"
TEXT, LINES, SSC_ID, DATE, MONTH, CELL = "text", "lines", "ssc_id", "date", "month", "cell"
NAMES = "names"
AMOUNT, NEW_AMOUNT, RATE, COUNT, YEAR = "amount", "new_amount", "rate", "count", "year"
CELL_AMOUNT = "cell_amount"
# An indicator's value (16 digits and 4 decimals, not negative) as a form and as the API
# take it (JSON numbers too), and money a follow-up found.
INDICATOR_VALUE, API_INDICATOR_VALUE = "indicator_value", "api_indicator_value"
FOUND_MONEY = "found_money"
NUMERIC = {
    AMOUNT,
    NEW_AMOUNT,
    RATE,
    COUNT,
    YEAR,
    CELL_AMOUNT,
    INDICATOR_VALUE,
    API_INDICATOR_VALUE,
    FOUND_MONEY,
}
# The framework forms' values (targets, baselines) are of the same kind as an update's.
VALUE = hostile_framework.VALUE
assert VALUE == INDICATOR_VALUE
# Parsed by Django/DRF fields of their own; values to come (see the docstring).
NUMBER, CHOICE, LINK, FILE, FLAG = "number", "choice", "link", "file", "flag"
# A text that names another record (an SSC ID, a library address): unknown means refused.
LOOKUP = "lookup"
FUTURE_DATE = "future_date"

MARKUP = "<i id=sx>X</i>"
FORMULA = "=1+2"
TEXT_VALUES = [
    ("control", "Rural\x01finance", REFUSED),
    ("vertical_tab", "Rural\x0bfinance", REFUSED),
    ("bidi_override", "Rural \u202eecnanif", REFUSED),
    ("bidi_isolate", "Rural \u2066finance\u2069", REFUSED),
    ("very_long", "x" * 300_001, REFUSED),
    ("formula", FORMULA, STORED),
    ("markup", MARKUP, STORED),
]
DATE_VALUES = [
    ("year_1", "0001-01-01", REFUSED),
    ("1899", "1899-12-31", REFUSED),
    ("1977", "1977-12-31", REFUSED),
    ("2101", "2101-01-01", REFUSED),
    ("9999", "9999-12-31", REFUSED),
    ("first_day", "1978-01-01", STORED),
]
# Numbers, typed as text in forms and sent as JSON strings or numbers to the API.
NUMBER_VALUES = [
    ("1e16", "1e16", REFUSED),
    ("json_1e16", 10**16, REFUSED),
    ("old_column_maximum", "9999999999999999.99", REFUSED),
    ("tiny", "0.001", REFUSED),
    ("1e-10", "1e-10", REFUSED),
    ("json_1e-10", 1e-10, REFUSED),
    ("negative", "-5", REFUSED),
    ("nan", "NaN", REFUSED),
    ("infinity", "Infinity", REFUSED),
    ("minus_infinity", "-Infinity", REFUSED),
    ("1e400", "1e400", REFUSED),
    ("ambiguous_decimal", "0,785", REFUSED),
    ("ambiguous_thousands", "1,500", REFUSED),
]
AMOUNT_VALUES = [
    ("maximum", str(MAX_LINE_AMOUNT), STORED),
    ("maximum_plus_cent", str(MAX_LINE_AMOUNT + Decimal("0.01")), REFUSED),
    ("cent", "0.01", STORED),
]
INTEGER_VALUES = [
    ("fraction", "12.5", REFUSED),
    ("past_the_column", "2147483648", REFUSED),
]
# 900,000,000,000 KWD at 0.3 KWD per US$: under the maximum in dinars, over it in dollars.
CONVERTED_OVER_MAXIMUM = (
    "converted_over_maximum",
    {"amount": "900000000000", "currency": "KWD"},
    REFUSED,
)
HOSTILE: dict[str, list[tuple[str, Any, str]]] = {
    TEXT: [*TEXT_VALUES, ("line_break", "Rural\nfinance", REFUSED)],
    LINES: [*TEXT_VALUES, ("line_breaks", "One line\r\nand\tanother", STORED)],
    # Names typed one per line (a partner's other names): a line break separates two of them.
    NAMES: [
        *TEXT_VALUES,
        ("one_per_line", "Rural finance\r\nFinanzas rurales", STORED),
        ("tab", "Rural\tfinance", REFUSED),
    ],
    SSC_ID: [
        ("markup", MARKUP, REFUSED),
        ("formula", FORMULA, REFUSED),
        ("path", "../../x", REFUSED),
        ("bidi_override", "SSC-2024-\u202e10", REFUSED),
        ("lower_case", "ssc-2024-10", REFUSED),
        ("spaces", "SSC 2024 10", REFUSED),
        ("pattern", "SSC-2024-77", STORED),
    ],
    DATE: DATE_VALUES,
    # An expiry: a date from today on, within the portal's range.
    FUTURE_DATE: [
        *[(name, value, REFUSED) for name, value, _expected in DATE_VALUES if name != "first_day"],
        ("next_year", (datetime.date.today() + datetime.timedelta(days=365)).isoformat(), STORED),
    ],
    MONTH: [(name, value[:7], expected) for name, value, expected in DATE_VALUES],
    # A workbook cannot hold most control characters (XML); what it can hold is checked.
    CELL: [
        ("bidi_override", "Rural \u202eecnanif", REFUSED),
        ("formula", FORMULA, REFUSED),
        ("markup", MARKUP, STORED),
    ],
    LOOKUP: [("markup", MARKUP, REFUSED), ("path", "../../x", REFUSED)],
    # A zero line is kept: "nothing planned yet" is a figure too.
    AMOUNT: [*NUMBER_VALUES, *AMOUNT_VALUES, ("zero", "0", STORED), CONVERTED_OVER_MAXIMUM],
    # A correction to 0 reverses the entry; the correction keeps the entry's currency.
    NEW_AMOUNT: [*NUMBER_VALUES, *AMOUNT_VALUES, ("zero", "0", STORED)],
    # A rate holds 8 decimals: 0.001 is a (strong) currency's rate, 10^-9 would round to 0.
    # A workbook's cells: text as typed, or the numbers a spreadsheet keeps (floats).
    CELL_AMOUNT: [
        *NUMBER_VALUES,
        *AMOUNT_VALUES,
        ("float_huge", 1e16, REFUSED),
        ("float_maximum", float(MAX_LINE_AMOUNT), STORED),
        ("zero", 0, STORED),
    ],
    RATE: [
        *[case for case in NUMBER_VALUES if case[0] != "tiny"],
        ("tiny", "0.001", STORED),
        ("more_decimals", "0.000000001", REFUSED),
        ("zero", "0", REFUSED),
        ("rate", "0.785", STORED),
    ],
    COUNT: [*NUMBER_VALUES, *INTEGER_VALUES, ("zero", "0", STORED), ("count", "2500", STORED)],
    YEAR: [*NUMBER_VALUES, *INTEGER_VALUES, ("zero", "0", REFUSED), ("year", "2024", STORED)],
    # Four decimals and sixteen digits fit an indicator's value; words never do.
    INDICATOR_VALUE: [
        *[c for c in NUMBER_VALUES if c[0] not in ("tiny", "old_column_maximum")],
        ("tiny", "0.001", STORED),
        ("old_column_maximum", "9999999999999999.99", STORED),
        ("five_decimals", "1.00001", REFUSED),
        ("five_places", "0.00001", REFUSED),
        ("larger_value", "1500.25", STORED),
        ("words", "thirty", REFUSED),
        ("zero", "0", STORED),
        ("value", "120.5", STORED),
    ],
    FOUND_MONEY: [
        *[c for c in NUMBER_VALUES if c[0] != "old_column_maximum"],
        ("old_column_maximum", "9999999999999999.99", STORED),
        ("cent", "0.01", STORED),
        ("zero", "0", STORED),
    ],
    API_INDICATOR_VALUE: results_hostile.VALUE_CASES,
    people_hostile.EMAIL: people_hostile.EMAIL_VALUES,
    NUMBER: [],
    CHOICE: [],
    LINK: [],
    FILE: [],
    FLAG: [],
}

_ACTIVITY_TEXT = {
    "title": TEXT,
    "summary": LINES,
    "objectives": LINES,
    "project_id": TEXT,
    "outcomes": LINES,
    "follow_up": LINES,
    "lessons_learned": LINES,
    "notes": LINES,
    "status_note": LINES,
    "ssc_id": SSC_ID,
    "planned_start": DATE,
    "planned_end": DATE,
    "actual_start": DATE,
    "actual_end": DATE,
    "activity_type": CHOICE,
    "modality": CHOICE,
    "funding_nature": CHOICE,
    "lead_division": CHOICE,
    "responsible_cpm": CHOICE,
    "status": CHOICE,
    "visibility": CHOICE,
    "themes": CHOICE,
    "sdgs": CHOICE,
    "approval_year": YEAR,
    "participants_women": COUNT,
    "participants_men": COUNT,
    "participants_youth": COUNT,
    "action_plans_adopted": COUNT,
    "version": NUMBER,
}
_ENTRY = {
    "kind": CHOICE,
    "stage": CHOICE,
    "contributor": CHOICE,
    "valuation_method": CHOICE,
    "currency": CHOICE,
    "amount": AMOUNT,
    "value_date": DATE,
    "valuation_basis": TEXT,
    "reference": TEXT,
    "note": TEXT,
    # In-kind: what was given and how it was valued (tests/finance/test_in_kind_pages.py and
    # tests/api/test_ledger_in_kind.py try their refusals, which need an in-kind line).
    "valued_by": CHOICE,
    "unit": CHOICE,
    "provider_country": CHOICE,
    "quantity": NUMBER,
}

_UPDATE = {
    "value": API_INDICATOR_VALUE,
    "narrative": LINES,
    "achieved": FLAG,
    "comment": LINES,
    "parts": CHOICE,
    "evidence_url": LINK,
    "evidence_asset": CHOICE,
}

# What the API takes beside the form's fields: links, and the texts in other languages (their
# own values are the TextVersionSerializer rows).
_ACTIVITY_LINKS = {"countries": CHOICE, "partners": CHOICE, "language": CHOICE, "texts": CHOICE}

# "<form or serializer class>.<field>" or "import:<sheet>.<column>" -> kind
FIELDS: dict[str, str] = {
    **{f"ActivityForm.{name}": kind for name, kind in _ACTIVITY_TEXT.items()},
    "ActivityForm.language": CHOICE,
    **{
        f"ActivityWriteSerializer.{name}": kind
        for name, kind in {**_ACTIVITY_TEXT, **_ACTIVITY_LINKS}.items()
    },
    # Ids of the likely duplicates told apart: a list of numbers (tests/api/test_duplicates.py).
    "ActivityWriteSerializer.not_duplicate_of": CHOICE,
    # An activity's SSC ID is given when it is created, and kept: the changes do not take it.
    **{
        f"{serializer}.{name}": kind
        for serializer in ("ActivityChangeInput", "ActivityPatchInput")
        for name, kind in {**_ACTIVITY_TEXT, **_ACTIVITY_LINKS}.items()
        if name != "ssc_id"
    },
    "CountryRowForm.country": CHOICE,
    "CountryRowForm.role": CHOICE,
    "CountryRowForm.share": NUMBER,
    # An activity's title and summary in another language (activities.texts).
    "TextVersionSerializer.language": CHOICE,
    "TextVersionSerializer.title": TEXT,
    "TextVersionSerializer.summary": LINES,
    # A knowledge asset's title and abstract in another language (knowledge.texts), the one
    # thing the asset API writes (with the updated_at it was read at).
    "AssetTextsInput.texts": CHOICE,
    "AssetTextsInput.updated_at": CHOICE,
    "AssetTextSerializer.language": CHOICE,
    "AssetTextSerializer.title": TEXT,
    "AssetTextSerializer.abstract": LINES,
    "CountryLinkInput.iso2": CHOICE,
    "CountryLinkInput.role": CHOICE,
    "CountryLinkInput.share": NUMBER,
    "PartnerRowForm.partner": CHOICE,
    "PartnerRowForm.roles": CHOICE,
    "PartnerLinkInput.id": CHOICE,
    "PartnerLinkInput.roles": CHOICE,
    "PartnerForm.name": TEXT,
    "PartnerForm.acronym": TEXT,
    "PartnerForm.aliases": NAMES,
    "PartnerForm.iati_identifier": TEXT,
    "PartnerForm.type": CHOICE,
    "PartnerForm.country": CHOICE,
    "PartnerForm.website": LINK,
    "PartnerMergeForm.keep": CHOICE,
    "PartnerMergeForm.remove": CHOICE,
    # The merge of two activities takes ids and versions only (tests/api/test_activity_merge.py
    # and tests/activities/test_merge_pages.py send garbled ones).
    "ActivityMergeForm.keep": CHOICE,
    "ActivityMergeForm.first_version": NUMBER,
    "ActivityMergeForm.second_version": NUMBER,
    "ActivityMergeInput.remove": CHOICE,
    "ActivityMergeInput.version": NUMBER,
    "ActivityMergeInput.remove_version": NUMBER,
    **{f"EntryLineForm.{name}": kind for name, kind in _ENTRY.items()},
    **{f"EntryInput.{name}": kind for name, kind in {**_ENTRY, "fiscal_year": YEAR}.items()},
    "RecordEntriesInput.activity": CHOICE,
    "RecordEntriesInput.ledger_version": NUMBER,
    "RecordEntriesInput.entries": CHOICE,
    "CorrectionForm.reason": TEXT,
    "CorrectionForm.new_amount": NEW_AMOUNT,
    "CorrectionForm.version": NUMBER,
    "CorrectionForm.value_date": DATE,
    "CorrectionForm.new_quantity": NUMBER,
    "CorrectionInput.new_quantity": NUMBER,
    "RateCardForm.unit": CHOICE,
    "RateCardForm.country": CHOICE,
    "RateCardForm.year": YEAR,
    "RateCardForm.amount": NEW_AMOUNT,
    "RateCardForm.currency": CHOICE,
    "RateCardForm.source": TEXT,
    "RateCardForm.version": NUMBER,
    # The rate cards list's GET filters: a bad one is named above the list and left out
    # (tests/finance/test_rate_cards_page.py).
    "RateCardFilterForm.unit": CHOICE,
    "RateCardFilterForm.year": NUMBER,
    "RateCardFilterForm.country": CHOICE,
    "RateCardFilterForm.sort": CHOICE,
    "CorrectionInput.reason": TEXT,
    "CorrectionInput.new_amount": NEW_AMOUNT,
    "CorrectionInput.ledger_version": NUMBER,
    "CorrectionInput.value_date": DATE,
    "RateForm.source": TEXT,
    "RateForm.month": MONTH,
    "RateForm.currency": CHOICE,
    "RateForm.units_per_usd": RATE,
    "RateUploadForm.file": FILE,
    # A group's split: the rows' partners and amounts are made per line (partner_<row>,
    # amount_<row>_<entry>), tried in tests/finance/test_contributor_group_pages.py.
    "GroupSplitForm.version": NUMBER,
    "GroupSplitForm.confirm": FLAG,
    "RateUploadForm.confirm_outliers": FLAG,
    "ThemeCodeForm.theme": CHOICE,
    # One of the Sector codelist's codes (the page offers them): anything else is refused.
    "ThemeCodeForm.code": CHOICE,
    "ThemeCodeForm.scheme": CHOICE,
    "CategoryCodeForm.scheme": CHOICE,
    "CategoryCodeForm.value": CHOICE,
    "CategoryCodeForm.code": CHOICE,
    "ClosePeriodForm.fiscal_year": YEAR,
    "ClosePeriodForm.up_to": DATE,
    "ClosePeriodForm.reason": TEXT,
    "ClosePeriodForm.confirm": FLAG,
    "ReopenPeriodForm.reason": TEXT,
    "PeriodExceptionForm.activity": LOOKUP,
    "PeriodExceptionForm.reason": TEXT,
    "PeriodExceptionForm.expires_on": FUTURE_DATE,
    "WorkbookUploadForm.file": FILE,
    **{
        f"DashboardFilterForm.{name}": CHOICE
        for name in (
            "division",
            "country",
            "theme",
            "modality",
            "status",
            "funding_nature",
            "agreement",
        )
    },
    "DashboardFilterForm.fiscal_year_from": YEAR,
    "DashboardFilterForm.fiscal_year_to": YEAR,
    **{
        f"ResultsFilterForm.{name}": CHOICE for name in ("division", "country", "theme", "modality")
    },
    "ResultsFilterForm.year_from": YEAR,
    "ResultsFilterForm.year_to": YEAR,
    **{
        f"RollupQuery.{name}": CHOICE
        for name in (
            "group_by",
            "division",
            "country",
            "theme",
            "modality",
            "status",
            "funding_nature",
            "agreement",
        )
    },
    "RollupQuery.fiscal_year": YEAR,
    "RollupQuery.fiscal_year_from": YEAR,
    "RollupQuery.fiscal_year_to": YEAR,
    "ApiTokenForm.name": TEXT,
    "ApiTokenForm.expires_on": FUTURE_DATE,
    "ApiTokenForm.read_only": FLAG,
    "SavedViewForm.name": TEXT,
    # The list's query string: only its own parameters, each valid; anything else is refused.
    "SavedViewForm.query": LOOKUP,
    "SavedViewForm.shared": FLAG,
    "SavedViewEditForm.name": TEXT,
    "SavedViewEditForm.shared": FLAG,
    "SavedViewEditForm.version": NUMBER,
    "AssetForm.title": TEXT,
    "AssetForm.abstract": LINES,
    "AssetForm.body": LINES,
    "AssetForm.published_on": DATE,
    "AssetForm.linked_activities": LOOKUP,
    "AssetForm.external_url": LINK,
    "AssetForm.attachments": FILE,
    # The hidden stamp of when the page was read (a stale or tampered one is refused as a
    # later change: tests/knowledge/test_assets.py and test_stale_edits.py).
    **{
        f"{form}.read_at": CHOICE
        for form in (
            "StaleCheckedForm",
            "AssetForm",
            "RouteForm",
            "ActionPlanForm",
            "DemandForm",
            "OfferForm",
        )
    },
    **{
        f"AssetForm.{name}": CHOICE
        for name in (
            "asset_type",
            "language",
            "division",
            "author_organizations",
            "countries",
            "themes",
            "sdgs",
            "licence",
            "visibility",
            "remove_files",
        )
    },
    "RouteForm.title": TEXT,
    "RouteForm.summary": LINES,
    "RouteForm.start_date": DATE,
    "RouteForm.end_date": DATE,
    "RouteForm.activity_ssc_id": LOOKUP,
    **{f"RouteForm.{name}": CHOICE for name in ("organizer", "division", "themes", "visibility")},
    "HostCaseRowForm.title": TEXT,
    **{f"HostCaseRowForm.{name}": CHOICE for name in ("host", "country", "theme")},
    "ParticipantRowForm.organization": CHOICE,
    "ParticipantRowForm.country": CHOICE,
    "ParticipantRowForm.people": COUNT,
    "ActionPlanForm.title": TEXT,
    "ActionPlanForm.summary": LINES,
    "ActionPlanForm.evidence": LINES,
    "ActionPlanForm.status_date": DATE,
    "ActionPlanForm.evidence_reference": LOOKUP,
    "ActionPlanForm.evidence_url": LINK,
    "ActionPlanForm.participant": CHOICE,
    "ActionPlanForm.status": CHOICE,
    "DemandForm.title": TEXT,
    "DemandForm.description": LINES,
    "DemandForm.audience": TEXT,
    "DemandForm.needed_by": DATE,
    **{
        f"DemandForm.{name}": CHOICE
        for name in ("country", "themes", "language", "preferred_type", "status")
    },
    "OfferForm.title": TEXT,
    "OfferForm.description": LINES,
    "OfferForm.activity_ssc_id": LOOKUP,
    "OfferForm.is_active": FLAG,
    **{f"OfferForm.{name}": CHOICE for name in ("institution", "country", "themes", "languages")},
    "VersionForm.version": NUMBER,
    "ReasonForm.version": NUMBER,
    "ReasonForm.reason": LINES,
    "UpdateForm.value": INDICATOR_VALUE,
    "UpdateForm.narrative": LINES,
    "UpdateForm.achieved": CHOICE,
    "UpdateForm.comment": LINES,
    "UpdateForm.evidence_file": FILE,
    "UpdateForm.remove_evidence_file": FLAG,
    "UpdateForm.evidence_url": LINK,
    "UpdateForm.evidence_reference": LOOKUP,
    "UpdateForm.version": NUMBER,
    "FollowUpForm.outcome": CHOICE,
    "FollowUpForm.recorded_on": DATE,
    "FollowUpForm.evidence": LINES,
    "FollowUpForm.evidence_url": LINK,
    "FollowUpForm.money_found": FOUND_MONEY,
    "FollowUpForm.currency": CHOICE,
    **{f"UpdateInput.{name}": kind for name, kind in _UPDATE.items()},
    **{f"UpdateCreateInput.{name}": kind for name, kind in {**_UPDATE, "period": CHOICE}.items()},
    **{f"UpdateChangeInput.{name}": kind for name, kind in {**_UPDATE, "version": NUMBER}.items()},
    "UpdatePartInput.dimension_value": CHOICE,
    "UpdatePartInput.value": API_INDICATOR_VALUE,
    "VersionInput.version": NUMBER,
    "ReasonInput.version": NUMBER,
    "ReasonInput.reason": LINES,
    **counterparts_hostile.FIELDS,
    **people_hostile.FIELDS,
    "import:Activities.ssc_id": SSC_ID,
    "import:Activities.title": CELL,
    "import:Activities.notes": CELL,
    **{
        f"import:Activities.{name}": CHOICE
        for name in (
            "nature",
            "division",
            "providers",
            "receivers",
            "modality",
            "theme",
            "status",
        )
    },
    "import:Activities.year": YEAR,
    **{f"import:Activities.{name}": CELL_AMOUNT for name in ("planned", "allocated", "spent")},
    "import:Contributions.ssc_id": CHOICE,  # must name an activity of the file or the portal
    "import:Contributions.contributor": CELL,
    "import:Contributions.contributor_type": CELL,
    "import:Contributions.notes": CELL,
    "import:Contributions.kind": CHOICE,
    "import:Contributions.currency": CHOICE,
    **{f"import:Contributions.{name}": CELL_AMOUNT for name in ("planned", "allocated", "spent")},
    **hostile_framework.FIELDS,
    **standards_hostile.FIELDS,
}

FORM_MODULES = [
    "accounts.forms",
    "activities.forms",
    "activities.forms_partners",
    "activities.forms_merge",
    "activities.forms_saved_views",
    "finance.forms",
    "knowledge.forms",
    "results.forms.updates",
    "results.forms.framework",
    "results.forms.dashboard",
    "counterparts.forms",
    "standards.forms",
]
SERIALIZER_MODULES = [
    "activities.serializers",
    "finance.serializers",
    "knowledge.serializers",
    "results.serializers",
    "counterparts.serializers",
    "standards.serializers",
]
INPUT_SERIALIZERS = {
    "ActivityWriteSerializer",
    "ActivityChangeInput",
    "ActivityPatchInput",
    "ActivityMergeInput",
    "CountryLinkInput",
    "PartnerLinkInput",
    "TextVersionSerializer",
    "AssetTextsInput",
    "AssetTextSerializer",
    "EntryInput",
    "RecordEntriesInput",
    "CorrectionInput",
    "RollupQuery",
    "UpdateInput",
    "UpdateCreateInput",
    "UpdateChangeInput",
    "UpdatePartInput",
    "VersionInput",
    "ReasonInput",
    *counterparts_hostile.INPUT_SERIALIZERS,
    *standards_hostile.INPUT_SERIALIZERS,
}
# Serializers that only write answers: the API's views never read a request with them.
OUTPUT_SERIALIZERS = {
    "AgreementSerializer",
    "DuplicateSuggestionSerializer",
    "InKindNotValuedSerializer",
    "CountrySerializer",
    "ThemeSerializer",
    "PartnerSerializer",
    "ActivityCountrySerializer",
    "ActivityPartnerSerializer",
    "StageAmountsSerializer",
    "FinanceSummarySerializer",
    "ActivitySerializer",
    "LedgerEntrySerializer",
    "RecordedEntriesSerializer",
    "CorrectedEntrySerializer",
    "FiguresSerializer",
    "RollupSerializer",
    "AssetFileSerializer",
    "AuthorSerializer",
    "KnowledgeAssetSerializer",
    "KnowledgeAssetDetailSerializer",
    "DimensionValueSerializer",
    "DimensionSerializer",
    "CoreIndicatorSerializer",
    "ResultSerializer",
    "TargetPartSerializer",
    "ActualPartSerializer",
    "ActualSerializer",
    "PeriodSerializer",
    "IndicatorSerializer",
    "UpdatePartSerializer",
    "UpdateSerializer",
    *counterparts_hostile.OUTPUT_SERIALIZERS,
    *standards_hostile.OUTPUT_SERIALIZERS,
}


def _classes(module_names: list[str], base: type) -> dict[str, type]:
    found = {}
    for module_name in module_names:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, base)
                and value.__module__ == module_name
            ):
                found[name] = value
    return found


# Bases no page uses on their own: their fields are rows of each form built on them.
BASE_FORMS = {"PortfolioFilterForm", "PersonForm"}


def writable_fields() -> set[str]:
    """Every field a person can write, read from the code: forms, input serializers, columns."""
    names = {
        f"{name}.{field}"
        for name, form in _classes(FORM_MODULES, forms.BaseForm).items()
        if name not in BASE_FORMS
        for field in form.base_fields
    }
    serializer_classes = _classes(SERIALIZER_MODULES, serializers.BaseSerializer)
    unknown = set(serializer_classes) - INPUT_SERIALIZERS - OUTPUT_SERIALIZERS
    assert not unknown, f"say whether these serializers read input: {sorted(unknown)}"
    names |= {
        f"{name}.{field}"
        for name in INPUT_SERIALIZERS
        for field, declared in serializer_classes[name]().fields.items()
        if not declared.read_only
    }
    names |= {f"import:Activities.{column}" for column in ACTIVITY_COLUMNS.values()}
    names |= {f"import:Contributions.{column}" for column in CONTRIBUTION_COLUMNS.values()}
    return names


def test_every_writable_field_is_in_the_table() -> None:
    fields = writable_fields()
    assert sorted(fields - FIELDS.keys()) == [], "writable fields missing from FIELDS"
    assert sorted(FIELDS.keys() - fields) == [], "FIELDS rows for fields that no longer exist"


def test_the_table_counts() -> None:
    """The size of the table, for the record (pytest -s prints it)."""
    cases = CASES
    kinds = {kind for kind in FIELDS.values() if HOSTILE[kind]}
    print(
        f"\nhostile table: {len(FIELDS)} writable fields, {len(cases)} field x value cases "
        f"({sum(1 for *_x, e in cases if e == REFUSED)} refused, "
        f"{sum(1 for *_x, e in cases if e == STORED)} stored); "
        f"{sum(1 for k in FIELDS.values() if HOSTILE[k])} fields with values, kinds {sorted(kinds)}"
    )
    assert len(cases) >= 300


# --- submitting one value through the surface that owns the field ------------------------------


class World:
    """One case's copies of the records (Records), each read when the case first asks for it:
    most cases need one or two of them, and reading them all cost more than many requests."""

    def __init__(self, records: Records, client: Client, api: Client) -> None:
        self.records = records
        self.client = client
        self.api = api
        self.sides = records.sides  # the counterparts' records (tests/counterparts/hostile.py)
        # A stored value's own pair of countries (provider, receiver) for the activities the
        # pages and the API write, when several are stored together (test_stored_values): the
        # same title in the same countries would be refused as a likely duplicate of the last.
        self.countries: tuple[str, str] | None = None

    @cached_property
    def user(self) -> User:
        return User.objects.get(pk=self.records.user)

    @cached_property
    def activity(self) -> Activity:
        return Activity.objects.get(pk=self.records.activity)

    @cached_property
    def entry(self) -> FinancialEntry:
        return FinancialEntry.objects.get(pk=self.records.entry)

    @cached_property
    def host(self) -> Partner:
        """A Peruvian partner, host and participant of knowledge_route."""
        return Partner.objects.get(pk=self.records.host)

    @cached_property
    def knowledge_route(self) -> LearningRoute:
        return LearningRoute.objects.get(pk=self.records.knowledge_route)

    @cached_property
    def framework(self) -> hostile_framework.HostileFramework:
        return hostile_framework.load(*self.records.framework)

    @cached_property
    def indicators(self) -> tuple[Indicator, Indicator]:
        """The quantitative and qualitative indicators the results updates are made on
        (tests/results/hostile.py's make_framework)."""
        quantitative, qualitative = self.records.indicators
        found = Indicator.objects.select_related("result__activity").in_bulk(
            [*self.records.indicators]
        )
        return found[quantitative], found[qualitative]


@dataclass
class Answer:
    refused: bool  # refused with a message naming the field
    stored: Callable[[], Any] | None  # reads the value back, when it was stored
    page: str = ""  # where the stored record is shown
    exports: tuple[str, ...] = ()


def _page_refused(response: Any, control_id: str) -> bool:
    if response.status_code not in (200, 400):
        return False
    return bool(_errors_next_to(lxml.html.document_fromstring(response.content), control_id))


def _errors_next_to(root: Any, control_id: str) -> list[str]:
    """tests.html.errors_next_to read with lxml from the parsed page: the messages in the error
    lists of the .field element that holds the control (or, for a list of boxes, its first box);
    none when the page has no such control or field. The standard library's parser took longer
    than the request."""
    found = root.xpath("//*[@id=$id or @id=$first]", id=control_id, first=f"{control_id}_0")
    control = next((e for e in found if e.get("id") == control_id), found[0] if found else None)
    while control is not None and "field" not in _classes_of(control):
        control = control.getparent()
    if control is None:
        return []
    return [
        " ".join(li.text_content().split())
        for errorlist in control.iter(etree.Element)
        if "errorlist" in _classes_of(errorlist)
        for li in errorlist.iter("li")
    ]


def _classes_of(element: Any) -> set[str]:
    return set((element.get("class") or "").split())


def _api_refused(response: Any, path: str) -> bool:
    return response.status_code == 400 and path in response.json().get("errors", {})


def _message_refused(response: Any, label: str) -> bool:
    """The ledger and correction pages list the service's messages after the field's label."""
    return response.status_code in (200, 400) and f"{label}: " in response.text


ACTIVITY_EXPORTS = (
    "/finance/export/workbook.xlsx",
    "/finance/export/ledger.csv",
    "/api/v1/activities/?format=csv",
    "/api/v1/iati/activities.xml",
)


def _form_countries(world: World) -> dict[str, Any]:
    if world.countries is None:
        return {}
    provider, receiver = world.countries
    return {"countries": [(provider, "provider"), (receiver, "receiver")]}


def _api_countries(world: World) -> dict[str, Any]:
    if world.countries is None:
        return {}
    provider, receiver = world.countries
    return {
        "countries": [
            {"iso2": provider, "role": "provider"},
            {"iso2": receiver, "role": "receiver"},
        ]
    }


def _activity_page(world: World, field: str, value: Any) -> Answer:
    body = activity_form_data(
        visibility=Visibility.PUBLIC, **_form_countries(world), **{field: value}
    )
    response = world.client.post(reverse("activities:create"), body)
    if response.status_code != 302:
        return Answer(_page_refused(response, f"id_{field}"), None)
    activity = Activity.objects.latest("pk")
    return Answer(False, lambda: _activity_value(activity, field), response["Location"])


def _activity_value(activity: Activity, field: str) -> Any:
    activity.refresh_from_db()
    if field == "status_note":
        return activity.status_changes.get().note
    value = getattr(activity, field)
    return value.isoformat() if isinstance(value, datetime.date) else value


def _activity_api(world: World, field: str, value: Any) -> Answer:
    from tests.api.test_activities import _new_activity

    body = _new_activity(visibility=Visibility.PUBLIC, **_api_countries(world), **{field: value})
    response = world.api.post("/api/v1/activities/", body, content_type="application/json")
    if response.status_code != 201:
        return Answer(_api_refused(response, field), None)
    activity = Activity.objects.get(pk=response.json()["id"])
    return Answer(False, lambda: _activity_value(activity, field), activity.get_absolute_url())


def _text_version_api(world: World, field: str, value: Any) -> Answer:
    """An activity's title or summary in another language, sent with a new activity."""
    from tests.api.test_activities import _new_activity

    version = {"language": "fr", "title": "Route d'apprentissage", field: value}
    body = _new_activity(visibility=Visibility.PUBLIC, texts=[version], **_api_countries(world))
    response = world.api.post("/api/v1/activities/", body, content_type="application/json")
    if response.status_code != 201:
        return Answer(_api_refused(response, f"texts.0.{field}"), None)
    activity = Activity.objects.get(pk=response.json()["id"])
    return Answer(
        False,
        lambda: getattr(activity.texts.get(), field),
        activity.get_absolute_url(),
        ACTIVITY_EXPORTS,
    )


def _asset_text_api(world: World, field: str, value: Any) -> Answer:
    """A knowledge asset's title or abstract in another language, sent through the API."""
    asset = make_asset(user=world.user)
    version = {"language": "fr", "title": "Route d'apprentissage", field: value}
    response = world.api.patch(
        f"/api/v1/knowledge/{asset.pk}/",
        {"updated_at": asset.updated_at.isoformat(), "texts": [version]},
        content_type="application/json",
    )
    if response.status_code != 200:
        return Answer(_api_refused(response, f"texts.0.{field}"), None)
    return Answer(
        False,
        lambda: getattr(asset.texts.get(), field),
        asset.get_absolute_url(),
        KNOWLEDGE_EXPORTS,
    )


def _new_entry_value(world: World, field: str) -> Callable[[], Any]:
    def read() -> Any:
        entry = FinancialEntry.objects.filter(activity=world.activity).latest("pk")
        value = getattr(entry, field)
        return value.isoformat() if isinstance(value, datetime.date) else value

    return read


def _parts(field: str, value: Any) -> dict[str, Any]:
    """A value that needs another field with it (an amount and its currency) is a dict."""
    return value if isinstance(value, dict) else {field: value}


def _ledger_page(world: World, field: str, value: Any) -> Answer:
    body = {
        "version": services.ledger_version(world.activity),
        "lines-TOTAL_FORMS": 1,
        "lines-INITIAL_FORMS": 0,
        "lines-0-kind": "ifad_grant",
        "lines-0-stage": "allocated",
        "lines-0-amount": "5000",
        "lines-0-currency": "USD",
        "lines-0-value_date": "2024-02-01",
        **{f"lines-0-{name}": part for name, part in _parts(field, value).items()},
    }
    url = reverse("finance:activity", args=[world.activity.pk])
    response = world.client.post(url, body)
    if response.status_code != 302:
        label = str(forms_label("EntryLineForm", field))
        refused = _page_refused(response, f"id_lines-0-{field}")
        return Answer(refused or _message_refused(response, label), None)
    return Answer(False, _new_entry_value(world, field), url)


def _ledger_api(world: World, field: str, value: Any) -> Answer:
    line = {
        "kind": "ifad_grant",
        "stage": "allocated",
        "amount": "5000",
        "currency": "USD",
        "value_date": "2024-02-01",
        **_parts(field, value),
    }
    body = {
        "activity": world.activity.pk,
        "ledger_version": services.ledger_version(world.activity),
        "entries": [line],
    }
    response = world.api.post("/api/v1/ledger/", json.dumps(body), content_type="application/json")
    if response.status_code != 201:
        # The serializer names the line's field; the service's messages say "Line 1: ...".
        refused = _api_refused(response, f"entries.0.{field}") or _api_refused(response, field)
        return Answer(refused, None)
    url = reverse("finance:activity", args=[world.activity.pk])
    return Answer(False, _new_entry_value(world, field), url)


def _correction_value(world: World, field: str) -> Callable[[], Any]:
    if field == "new_amount":
        return lambda: services.net_amount(world.entry)[0]
    if field == "value_date":
        return lambda: FinancialEntry.objects.get(corrects=world.entry).value_date.isoformat()
    return lambda: FinancialEntry.objects.filter(corrects=world.entry).get().reason


def _correction_page(world: World, field: str, value: Any) -> Answer:
    url = reverse("finance:correct", args=[world.activity.pk, world.entry.pk])
    body = {
        "new_amount": "900",
        "reason": "Typo",
        "version": services.ledger_version(world.activity),
        field: value,
    }
    response = world.client.post(url, body, follow=True)
    if not FinancialEntry.objects.filter(corrects=world.entry).exists():
        return Answer(_message_refused(response, str(forms_label("CorrectionForm", field))), None)
    return Answer(
        False,
        _correction_value(world, field),
        reverse("finance:activity", args=[world.activity.pk]),
    )


def _correction_api(world: World, field: str, value: Any) -> Answer:
    body = {
        "new_amount": "900",
        "reason": "Typo",
        "ledger_version": services.ledger_version(world.activity),
    }
    response = world.api.post(
        f"/api/v1/ledger/{world.entry.pk}/correct/",
        json.dumps({**body, field: value}),
        content_type="application/json",
    )
    if response.status_code not in (200, 201):
        return Answer(_api_refused(response, field), None)
    return Answer(
        False,
        _correction_value(world, field),
        reverse("finance:activity", args=[world.activity.pk]),
    )


def _activity_change(method: str) -> Callable[[World, str, Any], Answer]:
    """PUT (the whole record) or PATCH (the field alone) of an existing activity."""

    def submit(world: World, field: str, value: Any) -> Answer:
        from tests.api.test_activities import _new_activity

        activity = world.activity
        activity.refresh_from_db()
        body = (
            _new_activity(visibility=Visibility.PUBLIC, **_api_countries(world))
            if method == "put"
            else {}
        )
        body.pop("ssc_id", None)
        body.update({"version": activity.version, field: value})
        if field == "status_note":
            # A note is kept with a change of status: the one the activity may take next.
            body["status"] = activity.allowed_next_statuses[0]
        send = world.api.put if method == "put" else world.api.patch
        response = send(
            f"/api/v1/activities/{activity.pk}/", json.dumps(body), content_type="application/json"
        )
        if response.status_code != 200:
            return Answer(_api_refused(response, field), None)
        return Answer(False, lambda: _activity_value(activity, field), activity.get_absolute_url())

    return submit


def _closed_period(world: World) -> Any:
    return services.close_period(fiscal_year=2019, up_to=None, reason="Reported", user=world.user)


def _close_page(world: World, field: str, value: Any) -> Answer:
    from finance.models import ClosedPeriod

    body = {"fiscal_year": "2019", "reason": "Sent to the Board", "confirm": "True", field: value}
    if field == "up_to":
        body.pop("fiscal_year")
    response = world.client.post(reverse("finance:periods"), body)
    period = ClosedPeriod.objects.first()
    if period is None:
        return Answer(_page_refused(response, f"id_{field}"), None)
    return Answer(False, lambda: _read(period, field), reverse("finance:periods"))


def _reopen_page(world: World, field: str, value: Any) -> Answer:
    period = _closed_period(world)
    url = reverse("finance:period_reopen", args=[period.pk])
    response = world.client.post(url, {field: value, "confirm": "True"})
    period.refresh_from_db()
    if period.reopened_at is None:
        return Answer(_page_refused(response, f"id_{field}"), None)
    return Answer(False, lambda: period.reopen_reason, reverse("finance:periods"))


def _exception_page(world: World, field: str, value: Any) -> Answer:
    from finance.models import PeriodException

    period = _closed_period(world)
    later = datetime.date.today() + datetime.timedelta(days=30)
    body = {"activity": world.activity.ssc_id, "reason": "Late invoice", "expires_on": later}
    # The page lists the closings; a refused exception comes back as a message naming the field.
    response = world.client.post(
        reverse("finance:period_exception", args=[period.pk]), {**body, field: value}, follow=True
    )
    exception = PeriodException.objects.first()
    if exception is None:
        label = str(forms_label("PeriodExceptionForm", field))
        return Answer(_message_refused(response, label), None)
    return Answer(False, lambda: _read(exception, field), reverse("finance:periods"))


def _read(row: Any, field: str) -> Any:
    row.refresh_from_db()
    value = getattr(row, field)
    return value.isoformat() if isinstance(value, datetime.date) else value


def _rate_page(world: World, field: str, value: Any) -> Answer:
    from finance.models import ExchangeRate

    body = {"currency": "EUR", "month": "2024-01", "units_per_usd": "0.9", field: value}
    response = world.client.post(reverse("finance:rates"), body)
    rate = ExchangeRate.objects.filter(currency="EUR").first()
    if rate is None:
        return Answer(_page_refused(response, f"id_{field}"), None)
    read = {
        "month": lambda: rate.month.isoformat()[:7],
        "units_per_usd": lambda: rate.units_per_usd,
    }.get(field, lambda: rate.source)
    return Answer(False, read, reverse("finance:rates"))


def _rate_card_page(world: World, field: str, value: Any) -> Answer:
    from finance.models import RateCard

    body = {"unit": "expert_days", "year": "2026", "amount": "250", "currency": "USD"}
    response = world.client.post(reverse("finance:rate_cards"), {**body, field: value})
    card = RateCard.objects.filter(unit="expert_days").first()
    if card is None:
        return Answer(_page_refused(response, f"id_{field}"), None)
    read = {
        "year": lambda: card.year,
        "amount": lambda: card.amount,
    }.get(field, lambda: card.source)
    return Answer(False, read, reverse("finance:rate_card", args=[card.pk]))


def _partner_page(world: World, field: str, value: Any) -> Answer:
    from activities.models import Partner

    before = Partner.objects.count()
    body = partner_form_data(**{field: value})
    response = world.client.post(reverse("activities:partner_create"), body)
    if Partner.objects.count() == before:
        return Answer(_page_refused(response, f"id_{field}"), None)
    partner = Partner.objects.latest("pk")

    def stored() -> Any:
        value = getattr(partner, field)
        # The other names are typed one per line and stored as a list.
        return "\n".join(value) if isinstance(value, list) else value

    return Answer(
        False,
        stored,
        partner.get_absolute_url() if hasattr(partner, "get_absolute_url") else "",
        ("/api/v1/partners/?format=csv",),
    )


def _token_page(world: World, field: str, value: Any) -> Answer:
    body = {"name": "Hostile-field token", field: value}
    response = world.client.post(reverse("accounts:api_tokens"), body)
    token = world.user.api_tokens.order_by("pk").last()
    if response.status_code != 201 or token is None:
        return Answer(_page_refused(response, f"id_{field}"), None)
    stored = lambda: str(getattr(token, field))  # noqa: E731 - read after the request
    return Answer(False, stored, reverse("accounts:api_tokens"))


def _saved_view_page(world: World, field: str, value: Any) -> Answer:
    body = {"name": "Hostile-field view", "query": "status=ongoing", field: value}
    response = world.client.post(reverse("activities:saved_views"), body)
    view = world.user.saved_views.order_by("pk").last()
    if response.status_code != 302 or view is None:
        return Answer(_page_refused(response, f"id_{field}"), None)
    stored = lambda: getattr(view, field)  # noqa: E731 - read after the request
    return Answer(False, stored, reverse("activities:saved_views"), (reverse("activities:export"),))


def _saved_view_edit_page(world: World, field: str, value: Any) -> Answer:
    view = create_saved_view(owner=world.user, name="Hostile-field view", query="")
    url = reverse("activities:saved_view_edit", args=[view.pk])
    response = world.client.post(url, {"name": "Renamed", "version": view.version, field: value})
    view.refresh_from_db()
    if response.status_code != 302:
        return Answer(_page_refused(response, f"id_{field}"), None)
    stored = lambda: getattr(view, field)  # noqa: E731 - read after the request
    return Answer(False, stored, reverse("activities:saved_views"), (reverse("activities:export"),))


KNOWLEDGE_EXPORTS = ("/api/v1/knowledge/?format=csv",)


def _knowledge_page(url_name: str, body: Callable[[World], dict[str, Any]], model: str) -> Any:
    def submit(world: World, field: str, value: Any) -> Answer:
        from django.apps import apps

        model_class = apps.get_model("knowledge", model)
        before = set(model_class.objects.values_list("pk", flat=True))
        prefix = {"HostCase": "hosts-0-", "RouteParticipant": "participants-0-"}.get(model, "")
        name = "title" if model == "HostCase" else field
        url = (
            reverse(url_name, args=[world.knowledge_route.pk])
            if "plan" in url_name
            else reverse(url_name)
        )
        values = {f"{prefix}{name}": value}
        if name in ("start_date", "end_date"):  # a one-day route: the end is not before the start
            values = {"start_date": value, "end_date": value}
        response = world.client.post(url, {**body(world), **values})
        created = model_class.objects.exclude(pk__in=before).order_by("pk").last()
        if created is None:
            return Answer(_page_refused(response, f"id_{prefix}{name}"), None)

        def read() -> Any:
            created.refresh_from_db()
            stored = getattr(created, name)
            return stored.isoformat() if isinstance(stored, datetime.date) else stored

        return Answer(False, read, response.get("Location", ""), KNOWLEDGE_EXPORTS)

    return submit


def _route_body(world: World) -> dict[str, Any]:
    return knowledge_walk._route_body(world, "Route")  # type: ignore[arg-type]


def _plan_body(world: World) -> dict[str, Any]:
    participant = world.knowledge_route.participants.get()
    return {"participant": participant.pk, "title": "Plan", "status": "adopted"}


def _demand_body(world: World) -> dict[str, Any]:
    base = {"country": country("PE").pk, "themes": [theme(3).pk], "language": "es"}
    return {**base, "title": "Demand", "audience": "Project staff", "status": "open"}


def _offer_body(world: World) -> dict[str, Any]:
    return {
        "institution": world.host.pk,
        "title": "Offer",
        "themes": [theme(3).pk],
        "languages": ["es"],
        "is_active": "on",
    }


def _results_period(world: World, field: str) -> Period:
    """A period of the updates' framework: the qualitative indicator's for its own fields."""
    quantitative, qualitative = world.indicators
    indicator = qualitative if field in ("narrative", "achieved") else quantitative
    return indicator.periods.get()


def _update_page(world: World, field: str, value: Any) -> Answer:
    period = _results_period(world, field)
    body = (
        {"value": "12"}
        if period.indicator.is_quantitative
        else {"narrative": "The law was drafted", "achieved": "yes"}
    )
    response = world.client.post(
        reverse("results:update_create", args=[period.pk]), {**body, field: value}
    )
    update = Update.objects.filter(period=period).first()
    if update is None:
        return Answer(_page_refused(response, f"id_{field}"), None)
    page = reverse("results:period", args=[period.pk])
    return Answer(False, lambda: getattr(Update.objects.get(pk=update.pk), field), page, (page,))


def _return_page(world: World, field: str, value: Any) -> Answer:
    period = _results_period(world, "value")
    draft = results_services.save_update(
        period=period, data=results_services.UpdateData(value=Decimal(3)), user=world.user
    )
    update = results_services.submit_update(update=draft, user=world.user)
    response = world.client.post(
        reverse("results:update_return", args=[update.pk]),
        {"version": update.version, field: value},
    )
    update.refresh_from_db()
    if update.status != "returned":
        named = "Reason: " in response.text or "Reason for returning: " in response.text
        return Answer(response.status_code == 400 and named, None)
    page = reverse("results:period", args=[period.pk])
    return Answer(False, lambda: Update.objects.get(pk=update.pk).return_reason, page, (page,))


def _follow_up_page(world: World, field: str, value: Any) -> Answer:
    follow_up = make_plan(world.knowledge_route).follow_ups.get(months=3)
    observed = world.knowledge_route.end_date + datetime.timedelta(days=10)
    body = {"outcome": "adopted", "recorded_on": observed.isoformat(), field: value}
    if field == "money_found":
        body["currency"] = "USD"
    response = world.client.post(reverse("results:follow_up", args=[follow_up.pk]), body)
    follow_up.refresh_from_db()
    if not follow_up.outcome:
        return Answer(_page_refused(response, f"id_{field}"), None)

    def read() -> Any:
        stored = getattr(PlanFollowUp.objects.get(pk=follow_up.pk), field)
        return stored.isoformat() if isinstance(stored, datetime.date) else stored

    page = reverse("results:route_follow_ups", args=[world.knowledge_route.pk])
    return Answer(False, read, page, (page,))


def _import(sheet: str) -> Callable[[World, str, Any], Answer]:
    def submit(world: World, field: str, value: Any) -> Answer:
        if sheet == "Activities":
            activity = (
                workbooks.activity_row(value)
                if field == "ssc_id"
                else workbooks.activity_row(**{field: value})
            )
            book = workbooks.build([activity])
        else:
            column = "type" if field == "contributor_type" else field
            book = workbooks.build(
                [workbooks.activity_row()], [workbooks.contribution_row(**{column: value})]
            )
        parsed = read_workbook(book, known_ssc_ids=set())
        heading = {
            v: k
            for k, v in (
                ACTIVITY_COLUMNS if sheet == "Activities" else CONTRIBUTION_COLUMNS
            ).items()
        }[field]
        if parsed.problems:
            named = all(
                p.sheet == sheet and p.row == 2 and heading in p.column.casefold()
                for p in parsed.problems
            )
            return Answer(named, None)
        if FIELDS[f"import:{sheet}.{field}"] == CELL_AMOUNT:
            return _imported_amount(world, sheet, field, book)
        rows = parsed.activities if sheet == "Activities" else parsed.contributions
        return Answer(False, lambda: getattr(rows[0], field))

    return submit


def _imported_amount(world: World, sheet: str, stage: str, book: Any) -> Answer:
    """An amount the file reads is checked against the maximum when imported: import it."""
    from finance.importer import ImportRefused, import_legacy_workbook

    book.seek(0)
    try:
        import_legacy_workbook(handle=book, filename="ssc.xlsx", user=world.user, dry_run=False)
    except ImportRefused as refused:
        return Answer(all(p.startswith(f"{sheet}, row 2") for p in refused.problems), None)
    activity = Activity.objects.get(ssc_id="SSC-2010-01")
    kinds = (
        {"kind__startswith": "ifad"} if sheet == "Activities" else {"contributor__isnull": False}
    )
    lines = FinancialEntry.objects.filter(activity=activity, stage=stage, **kinds)
    world.activity = activity
    return Answer(
        False,
        lambda: sum(lines.values_list("amount", flat=True), Decimal(0)),
        reverse("finance:activity", args=[activity.pk]),
    )


def _labelled(form: type[forms.Form], field: str, text: str) -> bool:
    """The page names the field by its label (never by its name in the code)."""
    return f"{escape(str(form.base_fields[field].label))}: " in text


def _dashboard_filter(world: World, field: str, value: Any) -> Answer:
    """A filter is kept for the page it shows, not stored: accepted means the page answers."""
    url = f"{reverse('finance:dashboard')}?{urlencode({field: value})}"
    response = world.client.get(url)
    if response.status_code == 400:
        # A filter's problems are listed above the board by the field's label.
        return Answer(_labelled(DashboardFilterForm, field, response.text), None)
    return Answer(False, lambda: value, url, (url,))


def _results_filter(world: World, field: str, value: Any) -> Answer:
    """The results dashboard's filters, kept for the page as the money dashboard's are."""
    url = f"{reverse('results:dashboard')}?{urlencode({field: value})}"
    response = world.client.get(url)
    if response.status_code == 400:
        return Answer(_labelled(ResultsFilterForm, field, response.text), None)
    return Answer(False, lambda: value, url, (url,))


def _rollup_query(world: World, field: str, value: Any) -> Answer:
    url = f"/api/v1/rollups/?{urlencode({'group_by': 'division', field: value})}"
    response = world.api.get(url)
    if response.status_code != 200:
        return Answer(_api_refused(response, field), None)
    return Answer(False, lambda: value, "", (url,))


def _results(
    submit: Callable[..., results_hostile.Result], *, with_user: bool = False
) -> Callable[[World, str, Any], Answer]:
    """A results endpoint (tests/results/hostile.py) on its framework's activity."""

    def surface(world: World, field: str, value: Any) -> Answer:
        extra = (world.user,) if with_user else ()
        activity = world.indicators[0].result.activity
        refused, stored, exports = submit(world.api, activity, field, value, *extra)
        return Answer(refused, stored, "", exports)

    return surface


def forms_label(form_name: str, field: str) -> Any:
    return _classes(FORM_MODULES, forms.BaseForm)[form_name].base_fields[field].label


SURFACES: dict[str, Callable[[World, str, Any], Answer]] = {
    "ActivityForm": _activity_page,
    "ActivityWriteSerializer": _activity_api,
    "TextVersionSerializer": _text_version_api,
    "AssetTextSerializer": _asset_text_api,
    "ActivityChangeInput": _activity_change("put"),
    "ActivityPatchInput": _activity_change("patch"),
    "ClosePeriodForm": _close_page,
    "ReopenPeriodForm": _reopen_page,
    "PeriodExceptionForm": _exception_page,
    "EntryLineForm": _ledger_page,
    "EntryInput": _ledger_api,
    "CorrectionForm": _correction_page,
    "CorrectionInput": _correction_api,
    "RateForm": _rate_page,
    "RateCardForm": _rate_card_page,
    "PartnerForm": _partner_page,
    "ApiTokenForm": _token_page,
    "SavedViewForm": _saved_view_page,
    "SavedViewEditForm": _saved_view_edit_page,
    "AssetForm": _knowledge_page(
        "knowledge:asset_create", lambda w: knowledge_walk._asset_body("Asset"), "KnowledgeAsset"
    ),
    "RouteForm": _knowledge_page("knowledge:route_create", _route_body, "LearningRoute"),
    "HostCaseRowForm": _knowledge_page("knowledge:route_create", _route_body, "HostCase"),
    "ParticipantRowForm": _knowledge_page(
        "knowledge:route_create", _route_body, "RouteParticipant"
    ),
    "ActionPlanForm": _knowledge_page("knowledge:plan_create", _plan_body, "ActionPlan"),
    "DemandForm": _knowledge_page("knowledge:demand_create", _demand_body, "LearningDemand"),
    "OfferForm": _knowledge_page("knowledge:offer_create", _offer_body, "LearningOffer"),
    "UpdateForm": _update_page,
    "ReasonForm": _return_page,
    "FollowUpForm": _follow_up_page,
    "DashboardFilterForm": _dashboard_filter,
    "RollupQuery": _rollup_query,
    # The base of the create and change inputs: the create endpoint reads it.
    "UpdateInput": _results(results_hostile.create),
    "UpdateCreateInput": _results(results_hostile.create),
    "UpdateChangeInput": _results(results_hostile.change, with_user=True),
    "UpdatePartInput": _results(results_hostile.part),
    "ReasonInput": _results(results_hostile.reason, with_user=True),
    "ResultsFilterForm": _results_filter,
    "import:Activities": _import("Activities"),
    "import:Contributions": _import("Contributions"),
    **hostile_framework.surfaces(Answer, _page_refused),
    **counterparts_hostile.surfaces(Answer, _page_refused, _message_refused),
    **people_hostile.surfaces(Answer, _page_refused),
    **counterparts_hostile.api_surfaces(Answer, _api_refused),
    **standards_hostile.surfaces(Answer, _page_refused),
}

# Where a surface rightly answers otherwise than its kind: (field, value name) -> what it stores.
# The importer reads SSC IDs whatever their case, as people typed them in the workbook.
NORMALIZED = {("import:Activities.ssc_id", "lower_case"): "SSC-2024-10"}

# Forms whose rows are in FIELDS (so the table knows them) but whose submitting is not written
# yet: no case runs for them until it is. None at present.
UNTRIED: set[str] = set()

# Where a field's own rule decides otherwise than its kind: (field, value name) -> outcome.
# Youth are counted among the women and men, none of whom the row gives.
# A route's participant row holds 1 to 1,000 people.
RULED = {
    **{
        (f"{surface}.participants_youth", "count"): REFUSED
        for surface in (
            "ActivityForm",
            "ActivityWriteSerializer",
            "ActivityChangeInput",
            "ActivityPatchInput",
        )
    },
    ("ParticipantRowForm.people", "zero"): REFUSED,
    # One unit of in-kind is worth more than nothing.
    ("RateCardForm.amount", "zero"): REFUSED,
    # A follow-up is observed after its route ended (March 2024), and not in the future.
    ("FollowUpForm.recorded_on", "first_day"): REFUSED,
    ("ParticipantRowForm.people", "count"): REFUSED,
    **hostile_framework.RULED,
    **counterparts_hostile.RULED,
}

CASES = [
    (key, name, value, STORED if (key, name) in NORMALIZED else RULED.get((key, name), expected))
    for key, kind in FIELDS.items()
    if key.rsplit(".", 1)[0] not in UNTRIED
    for name, value, expected in HOSTILE[kind]
]


def test_every_field_with_values_has_a_surface() -> None:
    missing = {key.rsplit(".", 1)[0] for key, kind in FIELDS.items() if HOSTILE[kind]}
    assert sorted(missing - SURFACES.keys()) == sorted(UNTRIED)


# --- rows stored before the rules: every download still answers --------------------------------
# Before the table's cases: their records (`records`) stay in the database until the module ends,
# and this test counts the activities the downloads hold.

BAD = "Old\x01row\x0bwith\u202econtrols"


def test_rows_stored_before_the_rules_still_download(
    focal: User, focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """Written straight to the database, as rows were before the validators: the workbook, the
    ledger CSV, the dashboard's and the report's xlsx and the IATI file still answer 200."""
    from finance import rollups
    from finance.models import ReportExport

    partner = PartnerFactory(name=f"Partner {BAD}", iati_identifier=f"XM-{BAD}")
    activity = ActivityFactory(
        title=f"Title {BAD}",
        visibility=Visibility.PUBLIC,
        partners=[(partner, "funder"), (partner, "host")],
        outcomes=f"Outcomes {BAD}",
    )
    Activity.objects.filter(pk=activity.pk).update(
        summary=f"Summary {BAD}", objectives=f"Objectives {BAD}", ssc_id="SSC-2024-\x0b1"
    )
    for kind, contributor in (("ifad_grant", None), ("in_kind", partner)):
        FinancialEntry.objects.create(
            activity=activity, contributor=contributor, kind=kind, stage="allocated",
            amount=Decimal(1000), currency="USD", value_date=datetime.date(2024, 2, 1),
            fiscal_year=2024, units_per_usd=1, amount_usd=Decimal(1000), note=f"=Note {BAD}",
            valuation_method="other" if contributor else "", valuation_basis=f"Basis {BAD}",
        )  # fmt: skip
    rollups.rebuild_all()
    downloads = {
        "workbook": focal_client.get(reverse("finance:export_workbook")),
        "ledger": focal_client.get(reverse("finance:export_ledger")),
        "dashboard": focal_client.get(reverse("finance:dashboard_table", args=["top", "xlsx"])),
        "iati": Client().get("/api/v1/iati/activities.xml"),
        "activities_csv": focal_client.get("/api/v1/activities/?format=csv"),
    }
    for file_format in ("xlsx", "pdf"):
        with django_capture_on_commit_callbacks(execute=True):
            focal_client.post(reverse("finance:reports"), {"format": file_format})
        export = ReportExport.objects.latest("pk")
        assert (export.state, export.error) == ("done", "")
        downloads[f"report_{file_format}"] = focal_client.get(
            reverse("finance:report_download", args=[export.pk])
        )
    for name, response in downloads.items():
        assert response.status_code == 200, name
    body = b"".join(downloads["iati"].streaming_content)  # type: ignore[attr-defined]
    titles = etree.fromstring(body).xpath("//iati-activity/title/narrative/text()")
    assert titles == ["Title Old\ufffdrow\ufffdwith\ufffdcontrols"]
    ledger = b"".join(downloads["ledger"].streaming_content).decode()  # type: ignore[attr-defined]
    assert "'=Note Old\ufffdrow" in ledger  # the formula neutralised too


@dataclass
class Records:
    """The records every case starts from, by primary key: each case reads its own copies."""

    user: int
    session: str  # the user's, signed in once: each case's client carries it
    token: str
    activity: int
    entry: int
    host: int
    knowledge_route: int
    framework: tuple[int, int]
    indicators: tuple[int, int]  # tests/results/hostile.py's make_framework
    sides: counterparts_hostile.SidesRecords


@pytest.fixture(scope="module")
def records(django_db_setup: None, django_db_blocker: Any) -> Iterator[Records]:
    """Made once per module and worker, in a transaction rolled back after the module's last
    test; each test runs in a savepoint of it (pytest-django's `db`), so a test still finds
    them as they were made, whatever the tests before it wrote. Making them for each of the
    table's cases cost more than most cases themselves."""
    with django_db_blocker.unblock(), transaction.atomic():
        # Not "focal": the other tests of this module make their own user of that name.
        focal = UserFactory(username="hostile_focal", role=Role.FOCAL_POINT, is_staff=True)
        activity = ActivityFactory(title="Ledger target", visibility=Visibility.PUBLIC)
        entry = record_entry(activity, user=focal)
        services.set_rate(
            currency="KWD", month=datetime.date(2024, 2, 1), units_per_usd=Decimal("0.3"),
            source="hostile table", user=focal,
        )  # fmt: skip
        token = create_api_token(user=focal, name="hostile table")[1]
        host = PartnerFactory(name="Instituto de la Papa", country=country("PE"))
        route = make_route(hosts=[(host, "PE")], participants=[(host, "PE")], user=focal)
        framework = hostile_framework.make_records()
        indicators = results_hostile.make_framework()
        sides = counterparts_hostile.make_sides()
        session = signed_in_session(focal)
        yield Records(
            focal.pk, session, token, activity.pk, entry.pk, host.pk, route.pk, framework,
            indicators, sides,
        )  # fmt: skip
        transaction.set_rollback(True)


@pytest.fixture
def world(records: Records, db: None) -> World:
    return _new_world(records)


def _new_world(records: Records) -> World:
    """A case's World: its own copies of the records, read when first asked for."""
    # The API's throttle counts this one token's requests across the cases otherwise.
    caches["api"].clear()
    # The session made with the records: signing in for each case cost more than many cases'
    # requests. A case that changes or ends it does so in its savepoint, undone after it.
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = records.session
    return World(records, client, Client(headers={"Authorization": f"Bearer {records.token}"}))


def _by_surface(outcome: str) -> dict[str, list[tuple[str, str, Any]]]:
    """The cases of one outcome by the surface they are submitted through: (key, value name,
    value), in the table's order."""
    by_surface: dict[str, list[tuple[str, str, Any]]] = {}
    for key, name, value, expected in CASES:
        if expected == outcome:
            by_surface.setdefault(key.rsplit(".", 1)[0], []).append((key, name, value))
    return by_surface


# --- refused values, one field each, several fields per request ---------------------------------
# The activity's page and its three API writes hold a third of the refused cases, the dashboards'
# filters and the roll-ups' query another 112. Each request there answers every field it was
# sent: the page shows each field's message next to it (or after its label, above a dashboard),
# the API lists each field's path. So a round sends one refused value of each field at once (the
# r-th of each), and each field must be named in the answer; the values it does not name are sent
# together again, as long as an answer names some. A value never named is then sent alone, in a
# savepoint, and held to test_refused_value's checks: stored, or refused without naming its field,
# fails the round naming that field and value.


def _named_on_page(response: Any, fields: Iterable[str]) -> set[str]:
    if response.status_code not in (200, 400):
        return set()
    root = lxml.html.document_fromstring(response.content)
    return {field for field in fields if _errors_next_to(root, f"id_{field}")}


def _named_by_api(response: Any, fields: Iterable[str]) -> set[str]:
    if response.status_code != 400:
        return set()
    errors = response.json().get("errors", {})
    return {field for field in fields if field in errors}


def _activity_page_together(world: World, values: dict[str, Any]) -> set[str]:
    body = activity_form_data(visibility=Visibility.PUBLIC, **values)
    return _named_on_page(world.client.post(reverse("activities:create"), body), values)


def _activity_api_together(world: World, values: dict[str, Any]) -> set[str]:
    from tests.api.test_activities import _new_activity

    body = _new_activity(visibility=Visibility.PUBLIC, **values)
    response = world.api.post("/api/v1/activities/", body, content_type="application/json")
    return _named_by_api(response, values)


def _activity_change_together(method: str) -> Callable[[World, dict[str, Any]], set[str]]:
    def submit(world: World, values: dict[str, Any]) -> set[str]:
        from tests.api.test_activities import _new_activity

        activity = world.activity
        activity.refresh_from_db()
        body = _new_activity(visibility=Visibility.PUBLIC) if method == "put" else {}
        body.pop("ssc_id", None)
        body.update({"version": activity.version, **values})
        send = world.api.put if method == "put" else world.api.patch
        path = f"/api/v1/activities/{activity.pk}/"
        return _named_by_api(send(path, json.dumps(body), content_type="application/json"), values)

    return submit


def _filter_together(
    url_name: str, form: type[forms.Form]
) -> Callable[[World, dict[str, Any]], set[str]]:
    def submit(world: World, values: dict[str, Any]) -> set[str]:
        response = world.client.get(f"{reverse(url_name)}?{urlencode(values)}")
        if response.status_code != 400:
            return set()
        return {field for field in values if _labelled(form, field, response.text)}

    return submit


def _rollup_query_together(world: World, values: dict[str, Any]) -> set[str]:
    url = f"/api/v1/rollups/?{urlencode({'group_by': 'division', **values})}"
    return _named_by_api(world.api.get(url), values)


TOGETHER: dict[str, Callable[[World, dict[str, Any]], set[str]]] = {
    "ActivityForm": _activity_page_together,
    "ActivityWriteSerializer": _activity_api_together,
    "ActivityChangeInput": _activity_change_together("put"),
    "ActivityPatchInput": _activity_change_together("patch"),
    "DashboardFilterForm": _filter_together("finance:dashboard", DashboardFilterForm),
    "ResultsFilterForm": _filter_together("results:dashboard", ResultsFilterForm),
    "RollupQuery": _rollup_query_together,
}
# Sent alone as before: a status note goes with a change of status (the change surfaces set
# one), and a wrong version refuses the whole request before its fields are read.
ALONE = {"status", "status_note", "version"}


def _alone(key: str) -> bool:
    surface, field = key.rsplit(".", 1)
    return surface not in TOGETHER or field in ALONE


def _rounds() -> list[tuple[str, int, list[tuple[str, str, Any]]]]:
    """(surface, round, cases) for each round: the r-th refused value of each of its fields."""
    rounds = []
    for surface, cases in _by_surface(REFUSED).items():
        by_field: dict[str, list[tuple[str, str, Any]]] = {}
        for case in cases:
            if not _alone(case[0]):
                by_field.setdefault(case[0], []).append(case)
        for r in range(max(map(len, by_field.values()), default=0)):
            rounds.append((surface, r + 1, [own[r] for own in by_field.values() if r < len(own)]))
    return rounds


ROUNDS = _rounds()


@pytest.mark.parametrize(
    ("surface", "cases"),
    [(surface, cases) for surface, _r, cases in ROUNDS],
    ids=[f"{surface}-round{r}" for surface, r, _cases in ROUNDS],
)
def test_refused_values_together(
    surface: str, cases: list[tuple[str, str, Any]], world: World, fast_templates: None
) -> None:
    pending = {key.rsplit(".", 1)[1]: (key, name, value) for key, name, value in cases}
    # Refusals the API makes once every field is valid on its own (dates to come, line breaks)
    # come in the answer to the values no field-level rule refused: those are sent again.
    while len(pending) > 1:
        with transaction.atomic():
            named = TOGETHER[surface](world, {field: case[2] for field, case in pending.items()})
            transaction.set_rollback(True)
        if not named:
            break
        pending = {field: case for field, case in pending.items() if field not in named}
    problems = []
    for field, (key, name, value) in pending.items():
        with transaction.atomic():
            answer = SURFACES[surface](world, field, value)
            transaction.set_rollback(True)
        if answer.stored is not None:
            problems.append(f"{key}-{name}: stored a value that must be refused")
        elif not answer.refused:
            problems.append(f"{key}-{name}: refused without naming the field")
    assert not problems, problems


REFUSED_CASES = [
    (key, name, value)
    for key, name, value, expected in CASES
    if expected == REFUSED and _alone(key)
]


def test_each_refused_value_is_tried_once() -> None:
    """Alone (test_refused_value) or in one round of its surface (test_refused_values_together),
    never in both, and none left out."""
    tried = [(key, name) for key, name, _value in REFUSED_CASES] + [
        (key, name) for _surface, _r, cases in ROUNDS for key, name, _value in cases
    ]
    refused = [(key, name) for key, name, _value, expected in CASES if expected == REFUSED]
    assert sorted(tried) == sorted(refused)
    assert len(set(tried)) == len(tried)


@pytest.mark.parametrize(
    ("key", "name", "value"),
    REFUSED_CASES,
    ids=[f"{key}-{name}" for key, name, _value in REFUSED_CASES],
)
def test_refused_value(key: str, name: str, value: Any, world: World, fast_templates: None) -> None:
    surface, field = key.rsplit(".", 1)
    answer = SURFACES[surface](world, field, value)
    assert answer.stored is None, "stored a value that must be refused"
    assert answer.refused, "refused without naming the field"


STORED_CASES = _by_surface(STORED)

# Surfaces that change a record the table keeps (its activity, its ledger line): together, each
# value is stored on an activity and a line of its own, so that no value overwrites another
# before the downloads are read.
ON_OWN_ACTIVITY = {
    "ActivityChangeInput",
    "ActivityPatchInput",
    "EntryLineForm",
    "EntryInput",
    "CorrectionForm",
    "CorrectionInput",
}
# Surfaces whose second value meets the first: one closing per fiscal year, one rate per
# currency and month, one card per unit and year, a partner's or a person's name or address
# once, one confirmation, dispute or comment thread per side, one pathway per activity, periods
# that do not overlap, one relation per pair, one update per period. Their values are stored and
# downloaded one at a time, as each alone on the table's records.
ONE_AT_A_TIME = {
    "ClosePeriodForm",
    "PeriodExceptionForm",
    "RateForm",
    "RateCardForm",
    "PartnerForm",
    "PersonInviteForm",
    "ConfirmForm",
    "ConfirmInput",
    "DisputeForm",
    "DisputeInput",
    "CommentForm",
    "PathwayForm",
    "PeriodForm",
    "RelationForm",
    "UpdateForm",
}


@pytest.mark.parametrize("surface", sorted(STORED_CASES))
def test_stored_values(surface: str, records: Records, db: None, fast_templates: None) -> None:
    """Every value the table stores through one surface. Each is stored, read back and looked
    for on its page as it is stored; then every download that holds them (ACTIVITY_EXPORTS
    unless the surface names its own) is read once with all of them in it, rather than once per
    value: the downloads were most of the table's time. A download that fails is read again
    after each value stored alone, so that the failure names the value."""
    cases = STORED_CASES[surface]
    if surface in ONE_AT_A_TIME:
        _store_one_at_a_time(records, cases)
        return
    world = _new_world(records)
    with transaction.atomic():
        pairs = _country_pairs(len(cases))
        downloads = set().union(*(_store(world, case, pairs[i], i) for i, case in enumerate(cases)))
        problems = _download_problems(world, downloads)
        transaction.set_rollback(True)
    if problems:
        _store_one_at_a_time(records, cases)
        pytest.fail(f"{surface}, its {len(cases)} values stored together: {problems}")
    # A stored amount's roll-ups and reports: test_stored_amounts_add_up, for all of them.


def _store_one_at_a_time(records: Records, cases: list[tuple[str, str, Any]]) -> None:
    """Each value stored alone on the table's records (a new World), its downloads read, then
    undone: as each was when it was a test of its own."""
    for key, name, value in cases:
        world = _new_world(records)
        with transaction.atomic():
            problems = _download_problems(world, _store(world, (key, name, value)))
            assert not problems, f"{key}-{name}: {problems}"
            transaction.set_rollback(True)


def _store(
    world: World,
    case: tuple[str, str, Any],
    countries: tuple[str, str] | None = None,
    target: int | None = None,
) -> set[str]:
    """Stores one value (on an activity of its own when `target` numbers one), checks that it
    is kept and that its page answers without the markup unescaped; returns the downloads that
    hold it."""
    key, name, value = case
    surface, field = key.rsplit(".", 1)
    caches["api"].clear()  # the API's throttle counts the token's requests otherwise
    world.countries = countries
    if target is not None and surface in ON_OWN_ACTIVITY:
        world.activity = ActivityFactory(title=f"Target {target}", visibility=Visibility.PUBLIC)
        world.entry = record_entry(world.activity, user=world.user)
    answer = SURFACES[surface](world, field, value)
    _assert_stored(key, name, value, answer)
    if answer.page:
        page = world.client.get(answer.page)
        assert page.status_code == 200, f"{key}-{name}: {answer.page} {page.status_code}"
        assert MARKUP not in page.text, f"{key}-{name}: the markup unescaped on {answer.page}"
    if surface.startswith("import:") and FIELDS[key] != CELL_AMOUNT:
        return set()  # read back from the file; the imports' writes are tested in tests/finance
    return set(answer.exports or ACTIVITY_EXPORTS)


def _country_pairs(count: int) -> list[tuple[str, str]]:
    """A provider and a receiver for each of `count` activities, none shared by two of them
    nor with the activities the pages and the API write alone (Brazil, Mozambique, Peru)."""
    from activities.models import Country

    codes = Country.objects.exclude(iso2__in=("BR", "MZ", "PE")).order_by("iso2")
    found = list(codes.values_list("iso2", flat=True)[: 2 * count])
    assert len(found) == 2 * count, "too few countries for the values stored together"
    return list(zip(found[::2], found[1::2], strict=True))


def _download_problems(world: World, urls: set[str]) -> list[str]:
    """Each download answers (200, or 404 where a value leaves nothing to download), and an
    XML file parses."""
    caches["api"].clear()
    problems = []
    for url in sorted(urls):
        response = world.api.get(url) if url.startswith("/api/") else world.client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code not in (200, 404):
            problems.append(f"{url} answered {response.status_code}")
        elif url.endswith(".xml") and response.status_code == 200:
            try:
                etree.fromstring(body)
            except etree.XMLSyntaxError as error:
                problems.append(f"{url} is not well-formed XML: {error}")
    return problems


def _assert_stored(key: str, name: str, value: Any, answer: Answer) -> None:
    case = f"{key}-{name}"
    assert answer.stored is not None, f"{case}: refused a value that must be stored"
    wanted = NORMALIZED.get((key, name), value)
    if FIELDS[key] in NUMERIC:
        assert Decimal(str(answer.stored())) == Decimal(str(wanted)), case
    else:
        assert answer.stored() in (wanted, wanted.replace("\r\n", "\n")), case


MONEY_CASES = [
    (key, name, value)
    for key, name, value, expected in CASES
    if expected == STORED and FIELDS[key] in (AMOUNT, NEW_AMOUNT)
]


def test_stored_amounts_add_up(
    world: World, fast_templates: None, django_capture_on_commit_callbacks: Any
) -> None:
    """Every amount the table stores (MONEY_CASES), stored again as its case stores it: after
    the roll-ups refresh, the dashboard's total is the ledger's sum and the reports are made.

    Once per round of amounts rather than once per amount (a refresh and two reports cost
    seconds): a round holds one value of each field (its maximum, its cent or its zero), each
    stored on an activity and entry of its own, in a savepoint undone after the round, so that
    no amount meets another of its field (a second card of the same unit is refused) or adds
    to it on one ledger."""
    rounds: dict[str, list[tuple[str, Any]]] = {}
    for key, name, value in MONEY_CASES:
        rounds.setdefault(name, []).append((key, value))
    assert sorted(rounds) == ["cent", "maximum", "zero"]
    for name, cases in rounds.items():
        with transaction.atomic():
            activities = []
            for key, value in cases:
                world.activity = ActivityFactory(
                    title=f"{key} {name}", visibility=Visibility.PUBLIC
                )
                world.entry = record_entry(world.activity, user=world.user)
                surface, field = key.rsplit(".", 1)
                _assert_stored(key, name, value, SURFACES[surface](world, field, value))
                activities.append(world.activity)
            _money_adds_up(world, django_capture_on_commit_callbacks, activities)
            transaction.set_rollback(True)


def _money_adds_up(world: World, on_commit: Any, activities: list[Activity]) -> None:
    """After the roll-ups refresh, every page and download that shows money answers (the
    activities' own pages among them), and the dashboard's total is the ledger's sum to the
    cent (Decimal, never float)."""
    from django.db.models import Sum

    from finance import rollups
    from finance.models import ReportExport
    from finance.rollups import RollupFilters

    rollups.rebuild_all()
    ledger = FinancialEntry.objects.aggregate(total=Sum("amount_usd"))["total"]
    figures = rollups.totals(world.user, RollupFilters())
    cents = sum(sum(stages.values()) for stages in figures.cents.values())
    assert Decimal(cents).scaleb(-2) == ledger
    rollup_api = world.api.get("/api/v1/rollups/", {"group_by": "division"})
    assert rollup_api.status_code == 200
    total = rollup_api.json()["total"]
    families = ("ifad", "cofinancing", "in_kind")
    assert sum(Decimal(v) for family in families for v in total[family].values()) == ledger
    pages = {
        "dashboard": world.client.get(reverse("finance:dashboard")),
        "dashboard_xlsx": world.client.get(
            reverse("finance:dashboard_table", args=["top", "xlsx"])
        ),
    }
    for activity in activities:
        finance = reverse("finance:activity", args=[activity.pk])
        pages[finance] = world.client.get(finance)
        pages[activity.get_absolute_url()] = world.client.get(activity.get_absolute_url())
    for file_format in ("xlsx", "pdf"):
        with on_commit(execute=True):
            world.client.post(reverse("finance:reports"), {"format": file_format})
        export = ReportExport.objects.latest("pk")
        assert (export.state, export.error) == ("done", ""), file_format
        pages[f"report_{file_format}"] = world.client.get(
            reverse("finance:report_download", args=[export.pk])
        )
    for page, response in pages.items():
        assert response.status_code == 200, page
