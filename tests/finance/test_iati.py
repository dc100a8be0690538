"""The IATI 2.03 file: valid against the official schema, every code in its codelist, no error
by the Standard's rulesets, only public activities, and the SSC facts IATI has no code for in
our own namespace."""

from __future__ import annotations

import datetime
import importlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from accounts.models import User
from activities.models import Activity, CountryRole, Modality, PartnerRole, Theme, Visibility
from finance import iati, services
from finance.iati_codelists import SHIPPED, active_codes, codelist
from finance.models import FinancialEntry, ThemeCode
from results.models import CoreIndicator
from tests.factories import ActivityFactory, PartnerFactory, country, sdg, theme
from tests.finance.iati_rules import OFFLINE_SKIPPED, RULESET, Rule, rule_errors, standard_rules
from tests.finance.test_legacy_import import import_sample

pytestmark = pytest.mark.django_db

SHARED = Path("../shared/iati")
FUTURE = timezone.now().date() + datetime.timedelta(days=45)
URL = "/api/v1/iati/activities.xml"
NS = {"ssc": iati.EXTENSION_NS}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Every coded attribute the file may carry: (element, attribute, codelist). An attribute of
# this kind that is not listed fails test_every_code_is_in_its_codelist, so a new coded element
# cannot be added without its check.
CODED = [
    ("reporting-org", "type", "OrganisationType"),
    ("participating-org", "role", "OrganisationRole"),
    ("participating-org", "type", "OrganisationType"),
    ("provider-org", "type", "OrganisationType"),
    ("activity-status", "code", "ActivityStatus"),
    ("activity-date", "type", "ActivityDateType"),
    ("recipient-country", "code", "Country"),
    ("recipient-region", "code", "Region"),
    ("recipient-region", "vocabulary", "RegionVocabulary"),
    ("sector", "vocabulary", "SectorVocabulary"),
    ("tag", "vocabulary", "TagVocabulary"),
    ("collaboration-type", "code", "CollaborationType"),
    ("default-flow-type", "code", "FlowType"),
    ("default-aid-type", "code", "AidType"),
    ("default-aid-type", "vocabulary", "AidTypeVocabulary"),
    ("budget", "type", "BudgetType"),
    ("budget", "status", "BudgetStatus"),
    ("planned-disbursement", "type", "BudgetType"),
    ("transaction-type", "code", "TransactionType"),
    ("finance-type", "code", "FinanceType"),
    ("value", "currency", "Currency"),
    ("iati-activity", "default-currency", "Currency"),
    ("iati-activity", XML_LANG, "Language"),
    ("narrative", XML_LANG, "Language"),
    ("result", "type", "ResultType"),
    ("indicator", "measure", "IndicatorMeasure"),
    ("related-activity", "type", "RelatedActivityType"),
    ("category", "code", "DocumentCategory"),
]
CODED_ATTRIBUTES = {"code", "type", "role", "vocabulary", "currency", "status", "measure"}
# Codes whose list depends on the vocabulary the element names.
BY_VOCABULARY = {
    ("tag", "2"): "UNSDG-Goals",
    ("tag", "3"): "UNSDG-Targets",
    ("sector", "1"): "Sector",
}


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SHARED / "schema-2.03/iati-activities-schema.xsd")))


def export(client: Client | None = None, query: str = "") -> etree._Element:
    response = (client or Client()).get(f"{URL}?{query}" if query else URL)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return etree.fromstring(b"".join(response.streaming_content))


def code_problems(document: etree._Element) -> list[str]:
    """Every coded value that is not an active code of its IATI codelist (../shared/iati)."""
    lists = {(tag, attribute): name for tag, attribute, name in CODED}
    theme_codes = set(Theme.objects.values_list("code", flat=True))
    core_codes = set(CoreIndicator.objects.values_list("code", flat=True))
    problems = []
    for element in document.iter():
        if not isinstance(element.tag, str) or element.tag.startswith("{"):
            continue  # our namespace: not IATI's codes
        for attribute, value in element.attrib.items():
            if attribute != XML_LANG and attribute not in CODED_ATTRIBUTES:
                continue  # dates, amounts, percentages, our namespace's attributes
            key = (element.tag, attribute)
            if element.tag == "reference" and element.get("vocabulary") == "99":
                # IndicatorVocabulary 99 (reporting organisation; a non-embedded codelist not in
                # ../shared): our core indicators' codes.
                if attribute == "code" and value not in core_codes:
                    problems.append(f"reference code {value!r} is not a core indicator")
                continue
            if key == ("sector", "code") and element.get("vocabulary") == "99":
                # Vocabulary 99 is the reporting organisation's own: our theme codes.
                if value not in theme_codes:
                    problems.append(f"sector code {value!r} is not a theme")
                continue
            if key in (("tag", "code"), ("sector", "code")):
                name = BY_VOCABULARY.get((element.tag, element.get("vocabulary", "")))
            else:
                name = lists.get(key)
            if name is None:
                problems.append(f"{element.tag}/@{attribute} has no codelist check")
            elif value not in active_codes(name, SHARED / "codelists"):
                problems.append(f"{element.tag}/@{attribute}={value!r} is not in {name}")
    return problems


def assert_publishable(document: etree._Element) -> None:
    schema().assertValid(document)
    assert code_problems(document) == []
    assert rule_errors(document) == []
    # Not a rule of the ruleset (its 1.1.3 only sets an identifier apart from its publisher's),
    # but the Standard's definition of the identifier: one activity each in the whole file.
    identifiers = [element.text for element in document.iter("iati-identifier")]
    assert len(identifiers) == len(set(identifiers))


def _rate(currency: str, day: datetime.date, units: str, user: User) -> None:
    services.set_rate(
        currency=currency, month=day, units_per_usd=Decimal(units), source="test", user=user
    )


def _record(activity: Activity, user: User, *lines: services.EntryData) -> None:
    services.record_entries(activity=activity, entries=lines, user=user, expected_version=None)


def _line(kind: str, stage: str, amount: str, **extra: object) -> services.EntryData:
    values: dict[str, object] = {
        "currency": "USD",
        "value_date": datetime.date(2024, 3, 15),
        **extra,
    }
    return services.EntryData(kind=kind, stage=stage, amount=Decimal(amount), **values)  # type: ignore[arg-type]


# --- validity ---------------------------------------------------------------------------------


def test_the_sample_workbook_exports_valid_iati_with_every_code_in_its_codelist(
    focal: User,
) -> None:
    import_sample(focal)
    Activity.objects.update(visibility=Visibility.PUBLIC)
    document = export()
    assert len(document.findall("iati-activity")) == 16
    assert_publishable(document)
    # The sample's money is there: every activity with IFAD money has its budget or commitment.
    assert document.findall(".//transaction")
    assert document.find("iati-activity").get("default-currency") == "USD"


def test_generated_data_with_every_kind_of_money_exports_valid_iati(focal: User) -> None:
    call_command("generate_synthetic", activities=40, seed=11, stdout=open("/dev/null", "w"))  # noqa: SIM115
    Activity.objects.update(visibility=Visibility.PUBLIC)
    day = datetime.date(2024, 3, 15)
    _rate("EUR", day, "0.8", focal)
    _rate("ZWG", day, "26.5", focal)  # a currency IATI's list does not have
    partners = list(PartnerFactory.create_batch(3))
    for number, activity in enumerate(Activity.objects.order_by("pk")[:20]):
        partner = partners[number % 3]
        _record(
            activity,
            focal,
            _line("ifad_grant", "planned", "100000"),
            _line("ifad_grant", "allocated", "90000"),
            _line("ifad_admin", "spent", "5000"),
            _line("ifad_loan", "spent", "1000", currency="EUR"),
            _line("cofinancing", "planned", "50000", contributor=partner, currency="EUR"),
            _line("cofinancing", "allocated", "40000", contributor=partner),
            _line("cofinancing", "spent", "20000", contributor=partner, currency="ZWG"),
            _line("in_kind", "allocated", "7000", contributor=partner, valuation_method="venue"),
            # Dated after today: not a flow yet (rules 11.2.1 and 11.2.2)
            _line("ifad_grant", "spent", "3000", value_date=FUTURE),
            _line("cofinancing", "allocated", "2000", contributor=partner, value_date=FUTURE),
        )
    entry = FinancialEntry.objects.filter(kind="ifad_grant", stage="allocated").first()
    services.correct_entry(
        entry=entry, new_amount=None, reason="Cancelled", user=focal, expected_version=None
    )
    document = export()
    assert len(document.findall("iati-activity")) == 40
    assert_publishable(document)


def test_the_shipped_codelists_are_the_official_ones() -> None:
    for name in ("Country", "Currency", "Sector"):
        assert codelist(name, SHIPPED) == codelist(name, SHARED / "codelists")


def test_the_rule_check_finds_what_the_standard_refuses() -> None:
    # One activity breaking a rule of each type the activity rules use (an identifier of another
    # publisher, dates in the future or out of order, our own sector vocabulary only and short
    # of 100, a country at 150 %, a budget of 18 months, an organisation with neither ref nor
    # name, a value with no currency, an empty title, a word as a measured result, two aid
    # types of one vocabulary on a transaction) and one named like its publisher.
    document = etree.fromstring(
        b'<iati-activities><iati-activity last-updated-datetime="2999-01-01T00:00:00+00:00" '
        b'xml:lang="en"><iati-identifier>XM-OTHER-1</iati-identifier>'
        b'<reporting-org ref="XM-DAC-988"/><title><narrative/></title>'
        b'<participating-org role="1"/>'
        b'<activity-date type="1" iso-date="2024-06-01"/>'
        b'<activity-date type="3" iso-date="2024-01-01"/>'
        b'<recipient-country code="BR" percentage="150"/>'
        b'<sector vocabulary="99" code="a" percentage="60"><narrative>A</narrative></sector>'
        b'<sector vocabulary="99" code="b" percentage="30"><narrative>B</narrative></sector>'
        b'<budget><period-start iso-date="2024-01-01"/><period-end iso-date="2025-06-30"/>'
        b"</budget>"
        b'<budget><period-start iso-date="2024-12-31"/><period-end iso-date="2024-01-01"/>'
        b"</budget>"
        b'<transaction><transaction-type code="3"/><transaction-date iso-date="2999-01-01"/>'
        b'<value value-date="2999-01-01">1</value><aid-type code="C01"/>'
        b'<aid-type vocabulary="1" code="D01"/></transaction>'
        b'<related-activity ref=" XM-DAC-988-SSC-2" type="1"/>'
        b'<result type="1"><indicator measure="1"><period>'
        b'<period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/>'
        b'<actual value="many"/></period></indicator></result>'
        b"</iati-activity>"
        b'<iati-activity default-currency="USD" xml:lang="en">'
        b'<iati-identifier>XM-DAC-988</iati-identifier><reporting-org ref="XM-DAC-988"/>'
        b'<activity-date type="2" iso-date="2024-01-01"/><recipient-country code="BR"/>'
        b'<sector code="15110"/>'
        b"</iati-activity></iati-activities>"
    )
    broken = {error.split()[1] for error in rule_errors(document)}
    assert broken == {
        "1.1.3",  # unique: the identifier is the publisher's own
        "1.1.21",  # startswith: XM-OTHER-1, and XM-DAC-988 with no "-" after it
        "1.7.1",  # no_spaces
        "11.1.1",  # date_now
        "11.1.2",  # date_order between two dates
        "11.2.1",  # date_order with NOW
        "11.2.2",
        "2.1.2",  # strict_sum in a loop over the vocabularies
        "102.1.1",  # if_then
        "12.1.1",  # range
        "3.1.4",
        "7.5.3",  # time_limit
        "8.6.3",
        "6.10.1",  # atleast_one
        "4.3.1",
        "7.8.1",  # one_or_all
        "8.10.2",
        "107.2.2",  # no_more_than_one
    }


def test_the_rule_check_runs_the_shipped_ruleset_but_the_rules_needing_the_registry() -> None:
    cases = []
    for kinds in json.loads(RULESET.read_text()).values():
        for kind, body in kinds.items():
            for case in body["cases"]:
                inner = [c for do in case.get("do", {}).values() for c in do["cases"]]
                cases += (
                    [(kind, case, one) for one in inner] if kind == "loop" else [(kind, case, case)]
                )
    skipped = [case for _, case, one in cases if one["ruleInfo"]["id"] in OFFLINE_SKIPPED]
    # Exactly the cases whose idCondition asks the IATI Registry are left out, and no other.
    assert all("idCondition" in case for case in skipped)
    assert {one["ruleInfo"]["id"] for _, case, one in cases if "idCondition" in case} == set(
        OFFLINE_SKIPPED
    )
    rules = standard_rules()
    assert len(rules) == len(cases) - len(skipped) == 97
    assert {rule.kind for rule in rules} == {
        "atleast_one", "between_dates", "date_now", "date_order", "if_then", "loop",
        "no_more_than_one", "no_spaces", "one_or_all", "range", "startswith", "strict_sum",
        "time_limit", "unique",
    }  # fmt: skip


def test_the_rule_check_reads_each_remaining_rule_type_as_the_ruleset_spec_says() -> None:
    # Types only the skipped or the organisation file's rules use: checked on hand-made cases.
    document = etree.fromstring(
        b"<iati-organisations><iati-organisation><recipient-country-budget>"
        b'<period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/>'
        b'<budget-line><value value-date="2025-01-01">1</value></budget-line>'
        b'</recipient-country-budget><reporting-org ref="XM/1"/>'
        b"</iati-organisation></iati-organisations>"
    )
    rules = [
        rule for rule in standard_rules() if rule.kind == "between_dates"
    ] + [
        Rule("regex", "warning", "//reporting-org", "regex_matches",
             {"regex": "^[^\\/]+$", "paths": ["@ref"]}),
        Rule("no-regex", "warning", "//reporting-org", "regex_no_matches",
             {"regex": "^XM", "paths": ["@ref"]}),
    ]  # fmt: skip
    assert {error.split()[1] for error in rule_errors(document, rules)} == {
        "11.3.1",
        "regex",
        "no-regex",
    }


def test_a_file_in_several_chunks_is_one_valid_document(
    focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(iati, "CHUNK", 3)
    for _ in range(8):
        ActivityFactory(visibility=Visibility.PUBLIC, countries=["BR"])
    response = Client().get(URL)
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3
    document = etree.fromstring(b"".join(chunks))
    assert len(document.findall("iati-activity")) == 8
    assert_publishable(document)


def test_the_export_makes_a_fixed_number_of_queries(focal: User) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            b"".join(Client().get(URL).streaming_content)
        return len(queries)

    partner = PartnerFactory()
    for _ in range(3):
        activity = ActivityFactory(
            visibility=Visibility.PUBLIC, countries=["BR", "PE"], partners=[partner]
        )
        _record(activity, focal, _line("cofinancing", "allocated", "10", contributor=partner))
    few = count()
    for _ in range(12):
        activity = ActivityFactory(
            visibility=Visibility.PUBLIC, countries=["BR", "PE"], partners=[PartnerFactory()]
        )
        _record(activity, focal, _line("cofinancing", "allocated", "10", contributor=partner))
    assert count() == few


# --- who and what is published ----------------------------------------------------------------


def test_only_public_activities_are_published_whoever_asks(focal: User, client_for) -> None:
    public = ActivityFactory(visibility=Visibility.PUBLIC, title="Out in the open")
    ActivityFactory(visibility=Visibility.INTERNAL, title="Kept inside")
    for client in (Client(), client_for(focal)):
        identifiers = [e.text for e in export(client).iter("iati-identifier")]
        assert identifiers == [f"XM-DAC-988-{public.ssc_id}"]


def test_the_activity_lists_filters_apply(focal: User) -> None:
    ActivityFactory(visibility=Visibility.PUBLIC, countries=["BR"], ssc_id="SSC-2024-01")
    ActivityFactory(visibility=Visibility.PUBLIC, countries=["KE"], ssc_id="SSC-2024-02")
    document = export(query="country=KE")
    assert [e.text for e in document.iter("iati-identifier")] == ["XM-DAC-988-SSC-2024-02"]


def test_no_matching_public_activity_is_a_json_404_and_a_bad_filter_a_json_400() -> None:
    ActivityFactory(visibility=Visibility.INTERNAL)
    empty = Client().get(URL)
    assert empty.status_code == 404
    assert empty.json()["code"] == "not_found"
    bad = Client().get(URL + "?updated_since=yesterday")
    assert bad.status_code == 400
    assert list(bad.json()["errors"]) == ["updated_since"]


# --- what each field becomes ------------------------------------------------------------------


@pytest.fixture
def triangular(focal: User) -> Activity:
    funder = PartnerFactory(name="Fondo Andino", iati_identifier="XI-IATI-FA")
    host = PartnerFactory(name="Instituto Rural", country=country("PE"))
    guest = PartnerFactory(name="Cooperativa Guest", country=country("MZ"))
    activity = ActivityFactory(
        visibility=Visibility.PUBLIC,
        modality=Modality.TRIANGULAR,
        countries=[
            ("BR", CountryRole.PROVIDER),
            ("MZ", CountryRole.RECEIVER),
            ("AO", CountryRole.BOTH),
        ],
        partners=[
            (funder, PartnerRole.FUNDER),
            (host, PartnerRole.HOST),
            (host, PartnerRole.IMPLEMENTER),
            (guest, PartnerRole.GUEST),
        ],
        themes=[theme(1), theme(2), theme(3)],
        planned_start=datetime.date(2024, 1, 10),
        actual_end=datetime.date(2024, 6, 30),
        participants_women=12,
        outcomes="Two cooperatives adopted the storage method.",
    )
    activity.sdgs.set([sdg(2), sdg(5)])
    _rate("EUR", datetime.date(2024, 3, 1), "0.8", focal)
    _record(
        activity,
        focal,
        _line("ifad_grant", "planned", "100000"),
        _line("ifad_grant", "allocated", "80000"),
        _line("ifad_grant", "spent", "60000"),
        _line("cofinancing", "allocated", "40000", contributor=funder, currency="EUR"),
        _line(
            "in_kind",
            "allocated",
            "15000",
            contributor=host,
            valuation_method="staff_time",
            valuation_basis="30 days x 500",
        ),
    )
    return activity


def test_roles_money_and_ssc_facts_in_the_file(triangular: Activity) -> None:
    activity_element = export().find("iati-activity")
    assert_publishable(activity_element.getparent())
    roles = sorted(
        (e.findtext("narrative"), e.get("role"))
        for e in activity_element.findall("participating-org")
    )
    assert roles == [
        ("Fondo Andino", "1"),  # a funder, and a cash cofinancier in the ledger
        ("Instituto Rural", "4"),  # implementer; hosting is ours to say
        ("International Fund for Agricultural Development", "1"),
        ("International Fund for Agricultural Development", "2"),
        ("International Fund for Agricultural Development", "3"),
    ]
    assert activity_element.find("collaboration-type").get("code") == "8"
    recipients = {
        e.get("code"): e.get("percentage") for e in activity_element.findall("recipient-country")
    }
    assert recipients == {"AO": "50.00", "MZ": "50.00"}  # receivers; the provider is not one
    sectors = [
        (e.get("vocabulary"), e.get("code"), e.get("percentage"))
        for e in activity_element.findall("sector")
    ]
    assert sectors == [
        # The themes' default DAC purpose codes (finance migration default_dac_purpose_codes)
        ("1", "31120", "33.33"),  # agricultural production: agricultural development
        ("1", "31166", "33.33"),  # agricultural technologies: agricultural extension
        ("1", "32161", "33.34"),  # value chains: agro-industries
        ("99", "agri-technologies", "33.33"),
        ("99", "agri-production", "33.33"),
        ("99", "value-chains", "33.34"),
    ]
    tags = [(e.get("vocabulary"), e.get("code")) for e in activity_element.findall("tag")]
    # The SDGs named, then the targets of the themes (finance migration default_sdg_targets)
    assert tags == [("2", "2"), ("2", "5"), ("3", "2.3"), ("3", "2.a")]
    assert activity_element.find("default-aid-type").get("code") == "D02"  # a learning route
    budget = activity_element.find("budget")
    assert budget.find("value").text == "100000.00"
    transactions = sorted(
        (
            t.find("transaction-type").get("code"),
            t.find("value").text,
            t.find("value").get("currency"),
        )
        for t in activity_element.findall("transaction")
    )
    assert transactions == [
        ("11", "40000.00", "EUR"),  # cofinancing committed, in its own currency
        ("2", "80000.00", "USD"),
        ("3", "60000.00", "USD"),
    ]
    exchange = activity_element.find("ssc:exchange", NS)
    assert exchange.get("modality") == "triangular"
    assert {(c.get("code"), c.get("role")) for c in exchange.findall("ssc:country", NS)} == {
        ("BR", "provider"),
        ("MZ", "receiver"),
        ("AO", "both"),
    }
    assert sorted((o.text, o.get("role")) for o in exchange.findall("ssc:organisation", NS)) == [
        ("Cooperativa Guest", "guest"),
        ("Instituto Rural", "host"),
    ]
    in_kind = exchange.find("ssc:in-kind", NS)
    assert (in_kind.get("amount"), in_kind.get("valued-as")) == ("15000.00", "staff_time")
    assert in_kind.findtext("ssc:basis", namespaces=NS) == "30 days x 500"
    indicator = activity_element.find("result/indicator")
    assert indicator.find("period/actual").get("value") == "12"
    assert activity_element.find("result/description/narrative").text.startswith("Two coop")


def test_a_currency_iati_does_not_know_is_published_in_us_dollars(focal: User) -> None:
    assert "ZWG" not in active_codes("Currency")
    activity = ActivityFactory(visibility=Visibility.PUBLIC)
    day = datetime.date(2024, 3, 15)
    _rate("ZWG", day, "25", focal)
    _record(activity, focal, _line("ifad_grant", "allocated", "1000", currency="ZWG"))
    value = export().find(".//transaction/value")
    assert (value.get("currency"), value.text) == ("USD", "40.00")
    assert value.get(f"{{{iati.EXTENSION_NS}}}currency") == "ZWG"
    assert value.get(f"{{{iati.EXTENSION_NS}}}amount") == "1000.00"


def test_money_dated_in_the_future_is_a_planned_disbursement_not_a_transaction(
    focal: User,
) -> None:
    activity = ActivityFactory(visibility=Visibility.PUBLIC, countries=["BR"])
    funder = PartnerFactory(name="Fondo Andino")
    today = timezone.now().date()
    _record(
        activity,
        focal,
        _line("ifad_grant", "spent", "100", value_date=today),
        _line("ifad_grant", "allocated", "500", value_date=FUTURE),
        _line("ifad_grant", "spent", "200", value_date=FUTURE),
        _line("cofinancing", "spent", "300", contributor=funder, value_date=FUTURE),
    )
    document = export()
    assert_publishable(document)
    transactions = [
        (t.find("transaction-type").get("code"), t.findtext("value"))
        for t in document.iter("transaction")
    ]
    assert transactions == [("3", "100.00")]
    year = str(FUTURE.year)
    planned = sorted(
        (
            p.findtext("value"),
            p.find("value").get("value-date"),
            p.find("period-start").get("iso-date"),
            p.find("provider-org").findtext("narrative"),
        )
        for p in document.iter("planned-disbursement")
    )
    assert planned == [
        (
            "200.00",
            FUTURE.isoformat(),
            f"{year}-01-01",
            "International Fund for Agricultural Development",
        ),
        ("300.00", FUTURE.isoformat(), f"{year}-01-01", "Fondo Andino"),
        (
            "500.00",
            FUTURE.isoformat(),
            f"{year}-01-01",
            "International Fund for Agricultural Development",
        ),
    ]


def test_money_alone_moves_the_activitys_last_update_in_the_file(focal: User) -> None:
    activity = ActivityFactory(visibility=Visibility.PUBLIC)
    long_ago = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    Activity.objects.filter(pk=activity.pk).update(updated_at=long_ago)
    versions = activity.history.count()

    def last_updated() -> datetime.datetime:
        stamp = export().find("iati-activity").get("last-updated-datetime")
        return datetime.datetime.fromisoformat(stamp)

    assert last_updated() == long_ago
    before = timezone.now().replace(microsecond=0)
    _record(activity, focal, _line("ifad_grant", "allocated", "1000"))
    assert last_updated() >= before
    Activity.objects.filter(pk=activity.pk).update(updated_at=long_ago)
    services.correct_entry(
        entry=FinancialEntry.objects.get(),
        new_amount=Decimal(900),
        reason="Rounded",
        user=focal,
        expected_version=None,
    )
    assert last_updated() >= before
    assert activity.history.count() == versions  # the record itself did not change


def test_the_migration_dates_money_recorded_before_it_on_its_activity(focal: User) -> None:
    catch_up = importlib.import_module("finance.migrations.0022_money_moves_updated_at").catch_up
    with_money, without = ActivityFactory(), ActivityFactory()
    _record(with_money, focal, _line("ifad_grant", "allocated", "1000"))
    long_ago = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    Activity.objects.update(updated_at=long_ago)
    catch_up(django_apps, None)
    moved = dict(Activity.objects.values_list("pk", "updated_at"))
    assert moved[with_money.pk] == FinancialEntry.objects.get().created_at
    assert moved[without.pk] == long_ago


def test_an_activity_without_themes_or_with_unmapped_themes_gets_the_fallback_dac_sector() -> None:
    ThemeCode.objects.filter(theme=theme(2)).delete()
    ActivityFactory(visibility=Visibility.PUBLIC, ssc_id="SSC-2024-01", themes=[])
    ActivityFactory(visibility=Visibility.PUBLIC, ssc_id="SSC-2024-02", themes=[theme(1), theme(2)])
    document = export()
    assert_publishable(document)
    sectors = [
        [(s.get("code"), s.get("percentage")) for s in a.findall("sector[@vocabulary='1']")]
        for a in document.iter("iati-activity")
    ]
    assert sectors == [
        [("43040", "100.00")],  # no theme: rural development
        [("31166", "50.00"), ("43040", "50.00")],  # theme 2 lost its code
    ]


def test_reversed_money_is_not_published(focal: User) -> None:
    activity = ActivityFactory(visibility=Visibility.PUBLIC)
    _record(activity, focal, _line("ifad_grant", "allocated", "1000"))
    services.correct_entry(
        entry=FinancialEntry.objects.get(),
        new_amount=None,
        reason="Entered twice",
        user=focal,
        expected_version=None,
    )
    assert export().findall(".//transaction") == []


def test_a_record_with_only_a_year_gets_a_dated_planned_start_that_says_so() -> None:
    ActivityFactory(visibility=Visibility.PUBLIC, approval_year=2011)
    date = export().find(".//activity-date")
    assert (date.get("type"), date.get("iso-date")) == ("1", "2011-01-01")
    assert "2011" in date.findtext("narrative")


def test_no_country_means_developing_countries_unspecified() -> None:
    ActivityFactory(visibility=Visibility.PUBLIC)
    region = export().find(".//recipient-region")
    assert (region.get("code"), region.get("percentage")) == ("998", "100")


def test_the_code_check_catches_unknown_codes_and_codes_it_does_not_check() -> None:
    document = etree.fromstring(
        b'<iati-activities><iati-activity><activity-status code="9"/>'
        b'<humanitarian-scope type="1" code="EP-2020-000012-001"/></iati-activity>'
        b"</iati-activities>"
    )
    assert code_problems(document) == [
        "activity-status/@code='9' is not in ActivityStatus",
        "humanitarian-scope/@type has no codelist check",
        "humanitarian-scope/@code has no codelist check",
    ]
