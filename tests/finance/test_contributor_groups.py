"""Contributor groups: the workbook's "Other contributors (A, B)" labels are imported as groups,
not as partners, with every cofinancing figure unchanged; the focal point splits a group's money
among partners to the cent, audited, all or nothing; earlier fake partners are migrated."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Sum
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, Partner, PartnerType, Visibility
from counterparts.models import ContributionProposal
from finance import contributor_groups, services
from finance.errors import FinanceError, LedgerConflict
from finance.importer import import_legacy_workbook
from finance.models import ContributorGroup, EntryType, FinancialEntry
from finance.summary import activity_finance
from tests.factories import ActivityFactory, PartnerFactory, country
from tests.finance import test_iati as iati_test
from tests.helpers import group_line

pytestmark = pytest.mark.django_db

SAMPLE = "../shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"
SAMPLE_COFINANCING = Decimal("2332000.00")  # planned, and allocated: the paper's boxes
MIGRATION = importlib.import_module("finance.migrations.0034_groups_from_fake_partners")


def import_sample(user: User | None, *, dry_run: bool = False):  # type: ignore[no-untyped-def]
    with open(SAMPLE, "rb") as handle:
        return import_legacy_workbook(
            handle=handle, filename="sample.xlsx", user=user, dry_run=dry_run
        )


def cofinancing(stage: str = "allocated", **filters: object) -> Decimal:
    return FinancialEntry.objects.filter(kind="cofinancing", stage=stage, **filters).aggregate(
        total=Sum("amount_usd")
    )["total"] or Decimal(0)


@pytest.mark.parametrize(
    ("label", "names"),
    [
        ("Other contributors (FAO)", ["FAO"]),
        (
            "Other contributors (Brazil, China, India, South Africa)",
            ["Brazil", "China", "India", "South Africa"],
        ),
        ("Other contributors", []),
        (
            "  other   Contributors (EMBRAPA; FARA / DFID and World Bank)",
            ["EMBRAPA", "FARA", "DFID", "World Bank"],
        ),
        ("Others (IFPRI)", ["IFPRI"]),
        ("Various donors", []),
    ],
)
def test_a_label_that_names_a_group_gives_its_names(label: str, names: list[str]) -> None:
    assert contributor_groups.group_names(label) == names


@pytest.mark.parametrize(
    "label", ["FAO", "Other Ventures Ltd", "Brazil-China Others Fund", "Embrapa (Brazil)"]
)
def test_an_organization_is_not_a_group(label: str) -> None:
    assert contributor_groups.group_names(label) is None


# --- The import --------------------------------------------------------------------------------


def test_the_sample_gives_no_fake_partner_and_keeps_its_cofinancing_on_groups(focal: User) -> None:
    summary = import_sample(focal)
    assert not Partner.objects.exists()
    assert summary.partners_created == 0 and summary.groups_created == 4
    assert sorted(ContributorGroup.objects.values_list("label", flat=True)) == [
        "Other contributors",
        "Other contributors (Brazil, China, India, South Africa)",
        "Other contributors (EMBRAPA, FARA, DFID, World Bank)",
        "Other contributors (FAO)",
    ]
    for stage in ("planned", "allocated"):
        assert cofinancing(stage) == SAMPLE_COFINANCING
        assert cofinancing(stage, contributor_group__isnull=False) == SAMPLE_COFINANCING
    mekong = activity_finance(Activity.objects.get(ssc_id="SSC-2007-02"))
    [row] = [row for row in mekong.rows if not row.is_ifad]
    assert row.label == "Other contributors (FAO)" and row.group_id is not None
    assert row.contributor_id is None and mekong.cofinancing["allocated"] == Decimal("130000")


def test_a_group_links_the_known_partners_it_names(focal: User) -> None:
    fao = PartnerFactory(name="Food and Agriculture Organization", acronym="FAO", country=None)
    brazil = PartnerFactory(name="Government of Brazil", type=PartnerType.GOVERNMENT)
    china = PartnerFactory(
        name="Ministry of Commerce", type=PartnerType.GOVERNMENT, country=country("CN")
    )
    import_sample(focal)
    assert list(ContributorGroup.objects.get(label="Other contributors (FAO)").members.all()) == [
        fao
    ]
    named = ContributorGroup.objects.get(label__contains="Brazil").members.all()
    assert set(named) == {brazil, china}  # India and South Africa have no partner yet
    assert Partner.objects.count() == 3


def test_a_dry_run_counts_the_groups_and_writes_none(focal: User) -> None:
    summary = import_sample(focal, dry_run=True)
    assert summary.groups_created == 4
    assert not ContributorGroup.objects.exists() and not Partner.objects.exists()


def test_importing_the_sample_again_keeps_its_groups_and_lines(focal: User) -> None:
    import_sample(focal)
    counts = (ContributorGroup.objects.count(), FinancialEntry.objects.count())
    summary = import_sample(focal)
    assert summary.groups_created == 0 and summary.unchanged == 16
    assert (ContributorGroup.objects.count(), FinancialEntry.objects.count()) == counts
    assert cofinancing() == SAMPLE_COFINANCING


# --- The split ---------------------------------------------------------------------------------


@pytest.fixture
def grouped(focal: User) -> tuple[Activity, ContributorGroup, list[Partner]]:
    """The sample imported, and the partners of the New Delhi conference's group."""
    import_sample(focal)
    activity = Activity.objects.get(ssc_id="SSC-2010-01")
    group = ContributorGroup.objects.get(label__contains="Brazil")
    partners = [
        PartnerFactory(name=f"Government of {name}", type=PartnerType.GOVERNMENT, country=None)
        for name in ("Brazil", "China", "India", "South Africa")
    ]
    return activity, group, partners


def split_evenly(
    activity: Activity, group: ContributorGroup, partners: list[Partner]
) -> contributor_groups.Shares:
    """Each line in equal parts, the last partner taking the cents left over."""
    shares = {}
    for line in contributor_groups.group_lines(activity, group):
        part = (line.amount / len(partners)).quantize(Decimal("0.01"))
        parts = dict.fromkeys(partners, part)
        parts[partners[-1]] += line.amount - part * len(partners)
        shares[line.entry.pk] = parts
    return shares


def test_a_split_gives_each_partner_its_part_and_keeps_every_total(
    focal: User, grouped: tuple[Activity, ContributorGroup, list[Partner]]
) -> None:
    activity, group, partners = grouped
    before = activity_finance(activity)
    written = contributor_groups.split_group_money(
        activity=activity,
        group=group,
        shares=split_evenly(activity, group, partners),
        user=focal,
        expected_version=services.ledger_version(activity),
    )
    assert len(written) == 2 * (1 + 4)  # planned and allocated: a reversal and four parts
    after = activity_finance(activity)
    assert (after.cofinancing, after.total) == (before.cofinancing, before.total)
    assert after.leverage_allocated == Decimal("2.80")
    assert not contributor_groups.group_lines(activity, group)
    for partner in partners:
        assert cofinancing(contributor=partner, activity=activity) == Decimal("140000")
    assert cofinancing() == SAMPLE_COFINANCING
    reversal = next(e for e in written if e.entry_type == EntryType.REVERSAL)
    assert reversal.contributor_group == group and reversal.created_by == focal
    assert "Other contributors (Brazil" in reversal.reason
    history = FinancialEntry.history.filter(id__in=[e.pk for e in written])  # type: ignore[attr-defined]
    assert history.count() == len(written)
    assert {row.history_user_id for row in history} == {focal.pk}


def test_the_parts_add_up_to_the_line_in_us_dollars_too(focal: User) -> None:
    services.set_rate(
        currency="EUR",
        month=datetime.date(2024, 1, 1),
        units_per_usd=Decimal("0.9"),
        source="ECB",
        user=focal,
    )
    activity = ActivityFactory()
    group = ContributorGroup.objects.create(label="Other contributors", label_key="other")
    entry = group_line(
        activity, group, "100.00", currency="EUR", units_per_usd="0.9", amount_usd="111.11"
    )
    partners = PartnerFactory.create_batch(3)
    shares = {entry.pk: dict(zip(partners, map(Decimal, ("33.33", "33.33", "33.34")), strict=True))}
    contributor_groups.split_group_money(
        activity=activity, group=group, shares=shares, user=focal, expected_version=None
    )
    parts = FinancialEntry.objects.filter(contributor__in=partners)
    assert parts.aggregate(usd=Sum("amount_usd"))["usd"] == Decimal("111.11")
    assert parts.aggregate(amount=Sum("amount"))["amount"] == Decimal("100.00")
    assert {p.units_per_usd for p in parts} == {Decimal("0.9")}
    assert FinancialEntry.objects.filter(activity=activity).aggregate(usd=Sum("amount_usd"))[
        "usd"
    ] == Decimal("111.11")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (Decimal("0.01"), "add up to 560,000.01 USD, not 560,000.00"),
        (Decimal("-140000"), "add up to 0.00 USD"),
        (Decimal("0.001"), "to the cent"),
        (Decimal("-140000.01"), "0 or more"),
    ],
)
def test_parts_that_do_not_add_up_are_refused_and_nothing_is_written(
    focal: User,
    grouped: tuple[Activity, ContributorGroup, list[Partner]],
    change: Decimal,
    message: str,
) -> None:
    activity, group, partners = grouped
    shares = split_evenly(activity, group, partners)
    first = next(iter(shares))
    if change < -100000:
        shares[first] = {partners[0]: Decimal(140000) + change}
    else:
        shares[first][partners[0]] += change
    count = FinancialEntry.objects.count()
    with pytest.raises(FinanceError) as caught:
        contributor_groups.split_group_money(
            activity=activity, group=group, shares=shares, user=focal, expected_version=None
        )
    assert any(message in m for m in caught.value.errors[f"line_{first}"])
    assert FinancialEntry.objects.count() == count


def test_a_stale_split_is_refused(
    focal: User, grouped: tuple[Activity, ContributorGroup, list[Partner]]
) -> None:
    activity, group, partners = grouped
    version = services.ledger_version(activity)
    shares = split_evenly(activity, group, partners)
    contributor_groups.split_group_money(
        activity=activity, group=group, shares=shares, user=focal, expected_version=version
    )
    count = FinancialEntry.objects.count()
    with pytest.raises(LedgerConflict):
        contributor_groups.split_group_money(
            activity=activity, group=group, shares=shares, user=focal, expected_version=version
        )
    assert FinancialEntry.objects.count() == count


def test_a_split_in_a_closed_period_is_refused(
    focal: User, grouped: tuple[Activity, ContributorGroup, list[Partner]]
) -> None:
    activity, group, partners = grouped
    services.close_period(fiscal_year=2010, up_to=None, reason="Board report", user=focal)
    with pytest.raises(FinanceError) as caught:
        contributor_groups.split_group_money(
            activity=activity,
            group=group,
            shares=split_evenly(activity, group, partners),
            user=focal,
            expected_version=None,
        )
    assert all(key.startswith("line_") for key in caught.value.errors)


# --- The migration of earlier fake partners ------------------------------------------------------


def test_fake_partners_with_money_only_become_groups_and_back(focal: User) -> None:
    fao = PartnerFactory(name="FAO of the UN", acronym="FAO", country=None)
    fake = PartnerFactory(name="Other contributors (FAO)", type=PartnerType.MULTILATERAL)
    linked = PartnerFactory(name="Others")  # someone linked it to an activity: kept
    activity = ActivityFactory(partners=[linked])
    for partner, amount in ((fake, 130000), (linked, 5000)):
        services.record_entries(
            activity=activity,
            entries=[
                services.EntryData(
                    kind="cofinancing",
                    stage="allocated",
                    amount=Decimal(amount),
                    currency="USD",
                    value_date=datetime.date(2024, 1, 1),
                    contributor=partner,
                )
            ],
            user=focal,
            expected_version=None,
        )
    total = cofinancing()
    MIGRATION.partners_to_groups(apps, None)
    assert not Partner.objects.filter(pk=fake.pk).exists()
    assert Partner.objects.filter(pk=linked.pk).exists()
    group = ContributorGroup.objects.get()
    assert group.label == "Other contributors (FAO)" and list(group.members.all()) == [fao]
    assert cofinancing(contributor_group=group) == Decimal("130000") and cofinancing() == total
    MIGRATION.groups_to_partners(apps, None)
    restored = Partner.objects.get(name="Other contributors (FAO)")
    assert cofinancing(contributor=restored) == Decimal("130000") and cofinancing() == total


# --- What the groups look like outside ------------------------------------------------------------


def test_the_iati_file_names_a_group_as_a_provider_without_identifier(focal: User) -> None:
    import_sample(focal)
    Activity.objects.update(visibility=Visibility.PUBLIC)
    document = iati_test.export()
    iati_test.assert_publishable(document)
    providers = [
        provider
        for provider in document.iterfind(".//transaction/provider-org")
        if provider.findtext("narrative") == "Other contributors (FAO)"
    ]
    assert providers and all(p.get("ref") is None and p.get("type") is None for p in providers)


def test_the_ledger_api_and_csv_name_the_group(
    focal: User, client_for: Callable[[User | None], Any]
) -> None:
    import_sample(focal)
    group = ContributorGroup.objects.get(label="Other contributors (FAO)")
    client = client_for(focal)
    body = client.get("/api/v1/ledger/", {"contributor_group": group.pk}).json()
    assert {row["contributor_name"] for row in body["results"]} == {group.label}
    assert {(row["contributor"], row["contributor_group"]) for row in body["results"]} == {
        (None, group.pk)
    }
    ledger = b"".join(client.get(reverse("finance:export_ledger")).streaming_content).decode()
    assert ledger.count("Other contributors (FAO)") == 2  # planned and allocated


def test_a_fake_partner_something_else_points_at_is_left_alone(focal: User) -> None:
    """A contribution proposal names it (a hidden relation, related_name="+"): kept as it is."""
    fake = PartnerFactory(name="Other contributors (IFPRI)", type=PartnerType.OTHER)
    activity = ActivityFactory()
    ContributionProposal.objects.create(
        activity=activity,
        contributor=fake,
        kind="cofinancing",
        stage="planned",
        amount=Decimal(10),
        currency="USD",
        value_date=datetime.date(2024, 1, 1),
        proposed_by=focal,
    )
    MIGRATION.partners_to_groups(apps, None)
    assert Partner.objects.filter(pk=fake.pk).exists()
    assert not ContributorGroup.objects.exists()
