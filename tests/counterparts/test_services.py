"""The counterparts services: each side is asked, confirms or disputes, is answered and asked
again when a key fact changes; the activity's summary follows; proposals reach the ledger only
through the CPM; every refusal names the field and writes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from accounts.models import Role
from activities.models import Activity, Agreement, CountryRole, PartnerRole
from activities.services import create_activity, update_activity
from counterparts import services
from counterparts.models import (
    Comment,
    Confirmation,
    ConfirmationState,
    ContributionProposal,
    Notification,
    NotificationKind,
    ProposalState,
    StepAction,
)
from finance import services as ledger
from finance.models import FinancialEntry
from tests.factories import PartnerFactory, UserFactory, activity_data, country
from tests.helpers import db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def mozambique(db):
    return UserFactory(username="moz", role=Role.COUNTERPART, counterpart_country=country("MZ"))


@pytest.fixture
def kenya(db):
    return UserFactory(username="ken", role=Role.COUNTERPART, counterpart_country=country("KE"))


@pytest.fixture
def activity(cpm, partner_org):
    data = activity_data(
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        partners=[(partner_org, [PartnerRole.IMPLEMENTER])],
        planned_start=datetime.date(2025, 3, 1),
        planned_end=datetime.date(2025, 9, 30),
        responsible_cpm=cpm,
    )
    return create_activity(data=data, user=cpm)


def side(activity: Activity, iso2: str) -> Confirmation:
    return Confirmation.objects.with_side().get(activity=activity, country_link__country__iso2=iso2)


def partner_side(activity: Activity) -> Confirmation:
    return Confirmation.objects.with_side().get(activity=activity, partner_link__isnull=False)


def confirm_all(activity: Activity, users: dict[str, object]) -> None:
    for confirmation in Confirmation.objects.with_side().filter(activity=activity):
        speaker = users[
            confirmation.country_link.country.iso2 if confirmation.country_link else "org"
        ]
        services.confirm(confirmation=confirmation, user=speaker, expected_version=None)


def agreement(activity: Activity) -> str:
    return Activity.objects.values_list("agreement", flat=True).get(pk=activity.pk)


# --- being asked --------------------------------------------------------------------------


def test_every_side_is_asked_when_the_activity_is_recorded(mozambique, partner_user, activity):
    states = Confirmation.objects.filter(activity=activity).values_list("state", flat=True)
    assert sorted(states) == ["proposed"] * 3
    assert agreement(activity) == Agreement.WAITING
    asked = Notification.objects.filter(kind=NotificationKind.CONFIRM_REQUESTED)
    # Mozambique's counterpart and the implementer's user; Brazil has no counterpart user.
    assert sorted(asked.values_list("user__username", flat=True)) == ["moz", "partner"]


def test_a_country_added_later_asks_its_counterpart(activity, cpm, kenya):
    data = activity_data(
        countries=["BR", ("MZ", CountryRole.RECEIVER), ("KE", CountryRole.RECEIVER)],
        planned_start=datetime.date(2025, 3, 1),
        planned_end=datetime.date(2025, 9, 30),
        responsible_cpm=cpm,
    )
    update_activity(activity=activity, data=data, user=cpm, expected_version=activity.version)
    kenya_side = side(activity, "KE")
    assert kenya_side.state == ConfirmationState.PROPOSED
    note = Notification.objects.get(user=kenya)
    assert note.kind == NotificationKind.CONFIRM_REQUESTED and note.activity_id == activity.pk
    assert kenya_side.steps.get().action == StepAction.ASKED


# --- confirming, disputing, answering --------------------------------------------------------


def test_all_sides_confirming_makes_the_activity_confirmed(activity, mozambique, partner_user):
    brazil = UserFactory(role=Role.COUNTERPART, counterpart_country=country("BR"))
    confirm_all(activity, {"BR": brazil, "MZ": mozambique, "org": partner_user})
    assert agreement(activity) == Agreement.CONFIRMED
    assert set(Confirmation.objects.values_list("state", flat=True)) == {"confirmed"}


def test_dispute_answer_and_confirm_again(activity, mozambique, cpm):
    moz = side(activity, "MZ")
    services.dispute(
        confirmation=moz,
        user=mozambique,
        fields=["dates"],
        comment="We hosted it in October.",
        expected_version=moz.version,
    )
    assert agreement(activity) == Agreement.DISPUTED
    told = Notification.objects.get(user=cpm, kind=NotificationKind.DISPUTED)
    assert told.details["fields"] == ["dates"]
    services.answer(
        confirmation=moz, user=cpm, comment="Dates fixed.", expected_version=moz.version
    )
    assert moz.state == ConfirmationState.ANSWERED
    assert Notification.objects.filter(user=mozambique, kind=NotificationKind.ANSWERED).exists()
    services.confirm(confirmation=moz, user=mozambique, expected_version=moz.version)
    actions = list(moz.steps.values_list("action", "by__username"))
    assert actions == [
        ("asked", "cpm"),
        ("disputed", "moz"),
        ("answered", "cpm"),
        ("confirmed", "moz"),
    ]
    assert moz.history.count() >= 4  # every state change in the audit history, with its user


@pytest.mark.parametrize(
    ("fields", "comment", "named"),
    [([], "Wrong dates", "fields"), (["dates"], "   ", "comment"), (["colour"], "x", "fields")],
)
def test_a_dispute_needs_a_field_and_a_comment(activity, mozambique, fields, comment, named):
    moz = side(activity, "MZ")
    before = db_state()
    with pytest.raises(services.CounterpartError) as refused:
        services.dispute(
            confirmation=moz, user=mozambique, fields=fields, comment=comment, expected_version=1
        )
    assert named in refused.value.errors
    assert db_state() == before


def test_confirming_twice_is_refused(activity, mozambique):
    moz = side(activity, "MZ")
    services.confirm(confirmation=moz, user=mozambique, expected_version=moz.version)
    before = db_state()
    with pytest.raises(services.CounterpartError, match="already confirmed"):
        services.confirm(confirmation=moz, user=mozambique, expected_version=moz.version)
    assert db_state() == before


def test_a_side_that_is_not_theirs_cannot_be_confirmed(activity, kenya, partner_user, cpm):
    moz = side(activity, "MZ")
    before = db_state()
    for intruder in (kenya, partner_user, cpm):
        with pytest.raises(services.CounterpartError, match="Only the counterparts of"):
            services.confirm(confirmation=moz, user=intruder, expected_version=None)
    assert db_state() == before


def test_a_stale_confirmation_is_a_conflict(activity, mozambique):
    moz = side(activity, "MZ")
    services.confirm(confirmation=side(activity, "MZ"), user=mozambique, expected_version=1)
    with pytest.raises(services.StaleRecord):
        services.dispute(
            confirmation=moz, user=mozambique, fields=["dates"], comment="x", expected_version=1
        )


def test_only_who_manages_the_activity_answers(activity, mozambique, cpm_other):
    moz = side(activity, "MZ")
    services.dispute(
        confirmation=moz, user=mozambique, fields=["roles"], comment="x", expected_version=None
    )
    with pytest.raises(services.CounterpartError, match="answers a dispute"):
        services.answer(confirmation=moz, user=cpm_other, comment="no", expected_version=None)


# --- key facts ----------------------------------------------------------------------------


def test_changing_the_dates_asks_the_confirmed_sides_again(activity, mozambique, cpm):
    moz = side(activity, "MZ")
    services.confirm(confirmation=moz, user=mozambique, expected_version=None)
    data = activity_data(
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        partners=[],
        planned_start=datetime.date(2025, 4, 1),
        planned_end=datetime.date(2025, 9, 30),
        responsible_cpm=cpm,
    )
    activity.refresh_from_db()
    update_activity(activity=activity, data=data, user=cpm, expected_version=activity.version)
    moz.refresh_from_db()
    assert moz.state == ConfirmationState.RECONFIRM
    step = moz.steps.last()
    assert (step.action, step.by, "dates" in step.fields) == ("reopened", cpm, True)
    note = Notification.objects.get(user=mozambique, kind=NotificationKind.RECONFIRM_REQUESTED)
    assert "dates" in note.details["facts"]


def test_a_title_change_keeps_the_confirmations(activity, mozambique, cpm):
    moz = side(activity, "MZ")
    services.confirm(confirmation=moz, user=mozambique, expected_version=None)
    activity.refresh_from_db()
    activity.title = "A better title"
    update_activity(
        activity=activity,
        data=activity_data(
            countries=["BR", ("MZ", CountryRole.RECEIVER)],
            partners=[(activity.partner_links.get().partner, [PartnerRole.IMPLEMENTER])],
            title="A better title",
            planned_start=datetime.date(2025, 3, 1),
            planned_end=datetime.date(2025, 9, 30),
            responsible_cpm=cpm,
        ),
        user=cpm,
        expected_version=activity.version,
    )
    moz.refresh_from_db()
    assert moz.state == ConfirmationState.CONFIRMED


def test_new_money_of_a_side_asks_it_again(activity, partner_user, partner_org, cpm, usd_rates):
    org = partner_side(activity)
    services.confirm(confirmation=org, user=partner_user, expected_version=None)
    ledger.record_entries(
        activity=activity,
        entries=[
            ledger.EntryData(
                kind="cofinancing",
                stage="planned",
                amount=Decimal("500.00"),
                currency="USD",
                value_date=datetime.date(2025, 3, 1),
                contributor=partner_org,
            )
        ],
        user=cpm,
        expected_version=None,
    )
    org.refresh_from_db()
    assert org.state == ConfirmationState.RECONFIRM
    assert org.steps.last().fields == ["money"]


# --- proposals ----------------------------------------------------------------------------


@pytest.fixture
def usd_rates(db):
    ledger.set_rate(
        currency="EUR",
        month=datetime.date(2025, 3, 1),
        units_per_usd=Decimal("0.8"),
        source="test",
        user=None,
    )


def proposal_data(partner_org, **changes):
    values = dict(
        contributor=partner_org,
        kind="in_kind",
        stage="allocated",
        amount=Decimal("1200.00"),
        currency="EUR",
        value_date=datetime.date(2025, 3, 10),
        valuation_method="venue",
        valuation_basis="Training hall, 3 days",
    )
    values.update(changes)
    return services.ProposalData(**values)


def test_an_accepted_proposal_enters_the_ledger_at_the_months_rate(
    activity, partner_user, partner_org, cpm, usd_rates
):
    org = partner_side(activity)
    services.confirm(confirmation=org, user=partner_user, expected_version=None)
    proposal = services.propose(
        activity=activity, user=partner_user, data=proposal_data(partner_org)
    )
    assert not FinancialEntry.objects.exists()  # a proposal never writes the ledger
    assert Notification.objects.filter(user=cpm, kind=NotificationKind.PROPOSAL).exists()
    services.accept(proposal=proposal, user=cpm, expected_version=proposal.version)
    entry = FinancialEntry.objects.get()
    assert (entry.kind, entry.amount, entry.currency, entry.amount_usd) == (
        "in_kind",
        Decimal("1200.00"),
        "EUR",
        Decimal("1500.00"),
    )
    assert entry.contributor == partner_org and proposal.entry == entry
    # The side's own proposal: its confirmation holds.
    org.refresh_from_db()
    assert org.state == ConfirmationState.CONFIRMED
    assert Notification.objects.filter(
        user=partner_user, kind=NotificationKind.PROPOSAL_ACCEPTED
    ).exists()


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"currency": "XOF"}, "currency"),  # a real currency without a rate that month
        ({"currency": "EUROS"}, "currency"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"amount": Decimal("1.234")}, "amount"),
        ({"valuation_method": ""}, "valuation_method"),
        ({"kind": "ifad_grant"}, "kind"),
        ({"value_date": None}, "value_date"),
    ],
)
def test_a_bad_proposal_is_refused_naming_the_field(
    activity, partner_user, partner_org, usd_rates, changes, named
):
    before = db_state()
    with pytest.raises(services.CounterpartError) as refused:
        services.propose(
            activity=activity, user=partner_user, data=proposal_data(partner_org, **changes)
        )
    assert named in refused.value.errors
    assert db_state() == before


def test_only_the_activitys_counterparts_propose(activity, kenya, partner_org, usd_rates):
    stranger = UserFactory(role=Role.PARTNER, partner=PartnerFactory())
    for outsider in (kenya, stranger):
        with pytest.raises(services.CounterpartError, match="do not take part"):
            services.propose(activity=activity, user=outsider, data=proposal_data(partner_org))
    assert not ContributionProposal.objects.exists()


def test_a_counterpart_proposes_for_its_own_organization_only(activity, partner_user, usd_rates):
    other = PartnerFactory()
    with pytest.raises(services.CounterpartError) as refused:
        services.propose(activity=activity, user=partner_user, data=proposal_data(other))
    assert "contributor" in refused.value.errors


def test_a_declined_proposal_says_why_and_writes_no_ledger(
    activity, partner_user, partner_org, cpm, usd_rates
):
    proposal = services.propose(
        activity=activity, user=partner_user, data=proposal_data(partner_org)
    )
    with pytest.raises(services.CounterpartError) as refused:
        services.decline(proposal=proposal, user=cpm, reason=" ", expected_version=None)
    assert "reason" in refused.value.errors
    services.decline(proposal=proposal, user=cpm, reason="Already counted.", expected_version=None)
    assert proposal.state == ProposalState.DECLINED
    assert not FinancialEntry.objects.exists()
    with pytest.raises(services.CounterpartError, match="already declined"):
        services.accept(proposal=proposal, user=cpm, expected_version=None)


# --- the conversation -----------------------------------------------------------------------


def test_a_mention_notifies_and_an_unknown_one_is_refused(activity, mozambique, cpm):
    services.post_comment(
        activity=activity, user=mozambique, body="@cpm the dates are wrong", internal=False
    )
    assert Notification.objects.filter(user=cpm, kind=NotificationKind.MENTIONED).exists()
    before = db_state()
    with pytest.raises(services.CounterpartError) as refused:
        services.post_comment(activity=activity, user=cpm, body="@nobody look", internal=False)
    assert "@nobody" in refused.value.errors["body"][0]
    assert db_state() == before


def test_internal_notes_are_for_staff(activity, mozambique, cpm):
    with pytest.raises(services.CounterpartError, match="internal notes"):
        services.post_comment(activity=activity, user=mozambique, body="psst", internal=True)
    with pytest.raises(services.CounterpartError) as refused:
        services.post_comment(activity=activity, user=cpm, body="@moz see", internal=True)
    assert "body" in refused.value.errors
    note = services.post_comment(activity=activity, user=cpm, body="Check budget", internal=True)
    assert Comment.objects.get() == note
