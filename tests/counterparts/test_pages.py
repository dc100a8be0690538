"""The counterparts' pages: the activity page's sides, conversation and contributions, the
dispute and proposal forms, the inbox, the list's agreement badge and filter. Every action
redirects back to its section with a message; every refusal says why and saves nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from activities.history import Through
from activities.models import Activity, Agreement, CountryRole, Partner, PartnerRole, Visibility
from activities.services import create_activity
from counterparts import services
from counterparts.models import (
    Comment,
    Confirmation,
    ConfirmationState,
    ContributionProposal,
    Notification,
    NotificationKind,
    ProposalState,
)
from finance.models import FinancialEntry
from tests.factories import PartnerFactory, activity_data, country
from tests.helpers import db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(cpm, partner_org, counterpart_user) -> Activity:
    """Brazil provides, Mozambique receives (the counterpart's country), the partner user's
    organization implements: three sides."""
    data = activity_data(
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        partners=[(partner_org, [PartnerRole.IMPLEMENTER])],
        planned_start=datetime.date(2025, 3, 1),
        planned_end=datetime.date(2025, 9, 30),
        responsible_cpm=cpm,
    )
    return create_activity(data=data, user=cpm)


@pytest.fixture
def moz_side(activity) -> Confirmation:
    return Confirmation.objects.with_side().get(activity=activity, country_link__country__iso2="MZ")


@pytest.fixture
def mz_org(db) -> Partner:
    return PartnerFactory(name="Associação de Agricultores do Niassa", country=country("MZ"))


def detail(activity: Activity, anchor: str) -> str:
    return reverse("activities:detail", args=[activity.pk]) + f"#{anchor}"


def texts(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def proposal_body(contributor: Partner, **overrides: Any) -> dict[str, Any]:
    return {
        "contributor": contributor.pk,
        "kind": "cofinancing",
        "stage": "planned",
        "amount": "2500",
        "currency": "USD",
        "value_date": "2025-03-01",
        "valuation_method": "",
        "valuation_basis": "",
        "note": "Travel of our two agronomists.",
        **overrides,
    }


def propose(activity: Activity, user: Any, contributor: Partner) -> ContributionProposal:
    return services.propose(
        activity=activity,
        user=user,
        data=services.ProposalData(
            contributor=contributor,
            kind="cofinancing",
            stage="planned",
            amount=Decimal("1000"),
            currency="USD",
            value_date=datetime.date(2025, 3, 1),
        ),
    )


# --- the sides ------------------------------------------------------------------------------


def test_counterpart_sees_its_side_with_confirm_and_dispute(
    client_for, counterpart_user, activity, moz_side
):
    client = client_for(counterpart_user)
    page = client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert 'id="sides"' in page and 'id="conversation"' in page and 'id="contributions"' in page
    assert reverse("counterparts:confirm", args=[moz_side.pk]) in page
    assert reverse("counterparts:dispute", args=[moz_side.pk]) in page
    # Only its own side: not Brazil's, not the organization's.
    others = Confirmation.objects.filter(activity=activity).exclude(pk=moz_side.pk)
    for other in others:
        assert reverse("counterparts:confirm", args=[other.pk]) not in page


def test_counterpart_confirms_from_the_page(client_for, counterpart_user, activity, moz_side):
    response = client_for(counterpart_user).post(
        reverse("counterparts:confirm", args=[moz_side.pk]), {"version": moz_side.version}
    )
    assert response.status_code == 302 and response["Location"] == detail(activity, "sides")
    moz_side.refresh_from_db()
    assert moz_side.state == ConfirmationState.CONFIRMED
    assert any("You confirmed" in text for text in texts(response))


def test_a_stale_page_is_refused_with_a_message(client_for, counterpart_user, moz_side):
    before = db_state()
    response = client_for(counterpart_user).post(
        reverse("counterparts:confirm", args=[moz_side.pk]), {"version": moz_side.version + 5}
    )
    assert response.status_code == 302
    assert any("Reload the page" in text for text in texts(response))
    assert db_state() == before


def test_a_post_without_version_is_refused(client_for, counterpart_user, moz_side):
    before = db_state()
    response = client_for(counterpart_user).post(
        reverse("counterparts:confirm", args=[moz_side.pk]), {}
    )
    assert any("incomplete" in text for text in texts(response))
    assert db_state() == before


def test_another_countrys_counterpart_may_not_confirm(client_for, counterpart_other, moz_side):
    activity = moz_side.activity
    Activity.objects.filter(pk=activity.pk).update(visibility=Visibility.PUBLIC)
    before = db_state()
    response = client_for(counterpart_other).post(
        reverse("counterparts:confirm", args=[moz_side.pk]), {"version": moz_side.version}
    )
    assert response.status_code == 403
    assert db_state() == before


def test_internal_activity_of_another_country_is_hidden(client_for, counterpart_other, moz_side):
    client = client_for(counterpart_other)
    assert client.get(reverse("activities:detail", args=[moz_side.activity_id])).status_code == 404
    assert client.get(reverse("counterparts:dispute", args=[moz_side.pk])).status_code == 404


def test_dispute_form_and_its_refusals(client_for, counterpart_user, activity, moz_side):
    client = client_for(counterpart_user)
    url = reverse("counterparts:dispute", args=[moz_side.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="disputed"' in page.content.decode()
    before = db_state()
    refused = client.post(url, {"version": moz_side.version, "comment": ""})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "choose at least one field" in body and "Say in a comment what is wrong" in body
    assert db_state() == before
    done = client.post(
        url,
        {"version": moz_side.version, "disputed": ["dates"], "comment": "It was in October."},
    )
    assert done.status_code == 302 and done["Location"] == detail(activity, "sides")
    moz_side.refresh_from_db()
    assert moz_side.state == ConfirmationState.DISPUTED
    assert moz_side.steps.last().fields == ["dates"]


def test_cpm_answers_a_dispute(client_for, cpm, counterpart_user, activity, moz_side):
    services.dispute(
        confirmation=moz_side,
        user=counterpart_user,
        fields=["dates"],
        comment="October.",
        expected_version=moz_side.version,
    )
    page = client_for(cpm).get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert reverse("counterparts:answer", args=[moz_side.pk]) in page
    assert "October." in page
    url = reverse("counterparts:answer", args=[moz_side.pk])
    before = db_state()
    empty = client_for(cpm).post(url, {"version": moz_side.version, "comment": " "})
    assert any("Write the answer" in text for text in texts(empty))
    assert db_state() == before
    # The side itself may not answer its own dispute.
    refused = client_for(counterpart_user).post(url, {"version": moz_side.version, "comment": "x"})
    assert refused.status_code == 403
    done = client_for(cpm).post(url, {"version": moz_side.version, "comment": "Dates fixed."})
    assert done["Location"] == detail(activity, "sides")
    moz_side.refresh_from_db()
    assert moz_side.state == ConfirmationState.ANSWERED


# --- the conversation -----------------------------------------------------------------------


def test_counterpart_posts_a_message(client_for, counterpart_user, activity):
    response = client_for(counterpart_user).post(
        reverse("counterparts:comment", args=[activity.pk]), {"body": "We agree."}
    )
    assert response["Location"] == detail(activity, "conversation")
    assert Comment.objects.get().body == "We agree."


def test_counterpart_may_not_write_internal_notes(client_for, counterpart_user, activity):
    before = db_state()
    response = client_for(counterpart_user).post(
        reverse("counterparts:comment", args=[activity.pk]), {"body": "x", "internal": "on"}
    )
    assert response.status_code == 403
    assert db_state() == before


def test_internal_notes_are_marked_for_staff_and_hidden_from_counterparts(
    client_for, cpm, counterpart_user, activity
):
    services.post_comment(activity=activity, user=cpm, body="Budget is tight.", internal=True)
    services.post_comment(activity=activity, user=cpm, body="Welcome aboard.", internal=False)
    url = reverse("activities:detail", args=[activity.pk])
    staff_page = client_for(cpm).get(url).content.decode()
    assert "Budget is tight." in staff_page and "Internal note" in staff_page
    assert 'name="internal"' in staff_page
    side_page = client_for(counterpart_user).get(url).content.decode()
    assert "Budget is tight." not in side_page and "Welcome aboard." in side_page
    assert 'name="internal"' not in side_page


def test_an_unknown_mention_is_refused_naming_it(client_for, cpm, activity):
    before = db_state()
    response = client_for(cpm).post(
        reverse("counterparts:comment", args=[activity.pk]), {"body": "Hello @nobody_here"}
    )
    assert response.status_code == 302
    assert any("nobody_here" in text for text in texts(response))
    assert db_state() == before


def test_an_empty_message_is_refused(client_for, cpm, activity):
    before = db_state()
    response = client_for(cpm).post(
        reverse("counterparts:comment", args=[activity.pk]), {"body": "  "}
    )
    assert any("Write a message" in text for text in texts(response))
    assert db_state() == before


# --- proposed contributions -----------------------------------------------------------------


def test_partner_user_proposes_for_its_organization(
    client_for, partner_user, partner_org, activity
):
    client = client_for(partner_user)
    url = reverse("counterparts:propose", args=[activity.pk])
    page = client.get(url)
    assert page.status_code == 200 and partner_org.name in page.content.decode()
    response = client.post(url, proposal_body(partner_org))
    assert response["Location"] == detail(activity, "contributions")
    proposal = ContributionProposal.objects.get()
    assert proposal.contributor == partner_org and proposal.state == ProposalState.PROPOSED


def test_a_bad_proposal_names_the_field_and_saves_nothing(
    client_for, partner_user, partner_org, activity
):
    before = db_state()
    response = client_for(partner_user).post(
        reverse("counterparts:propose", args=[activity.pk]),
        proposal_body(partner_org, currency="XXY", kind="in_kind"),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "not an ISO 4217 currency code" in body
    assert "Say how the in-kind contribution was valued" in body
    assert db_state() == before


def test_country_counterpart_proposes_for_its_countrys_organization(
    client_for, counterpart_user, mz_org, partner_org, activity
):
    url = reverse("counterparts:propose", args=[activity.pk])
    client = client_for(counterpart_user)
    page = client.get(url).content.decode()
    assert mz_org.name in page and partner_org.name not in page
    before = db_state()
    refused = client.post(url, proposal_body(partner_org))
    assert refused.status_code == 200 and db_state() == before
    assert client.post(url, proposal_body(mz_org)).status_code == 302


def test_staff_who_take_no_part_may_not_propose(client_for, cpm, activity):
    response = client_for(cpm).get(reverse("counterparts:propose", args=[activity.pk]))
    assert response.status_code == 403


def test_cpm_accepts_a_proposal_into_the_ledger(
    client_for, cpm, focal, partner_user, partner_org, activity
):
    proposal = propose(activity, partner_user, partner_org)
    page = client_for(cpm).get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert reverse("counterparts:accept", args=[proposal.pk]) in page
    response = client_for(cpm).post(
        reverse("counterparts:accept", args=[proposal.pk]), {"version": proposal.version}
    )
    assert response["Location"] == detail(activity, "contributions")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED and proposal.entry_id is not None
    # The ledger line and the decision keep the page's form as their channel; the money
    # history (the focal point's) names it.
    line = FinancialEntry.objects.get(pk=proposal.entry_id)
    assert line.history.get().history_change_reason == Through.FORM  # type: ignore[attr-defined]
    assert [h.history_change_reason for h in proposal.history.order_by("history_id")] == [
        Through.FORM,
        Through.FORM,
    ]
    page = client_for(focal).get(reverse("finance:history")).content.decode()
    assert "through the page&#x27;s form" in page


def test_partner_user_may_not_accept_its_own_proposal(
    client_for, partner_user, partner_org, activity
):
    proposal = propose(activity, partner_user, partner_org)
    before = db_state()
    response = client_for(partner_user).post(
        reverse("counterparts:accept", args=[proposal.pk]), {"version": proposal.version}
    )
    assert response.status_code == 403 and db_state() == before


def test_decline_asks_first_and_needs_a_reason(
    client_for, cpm, partner_user, partner_org, activity
):
    proposal = propose(activity, partner_user, partner_org)
    url = reverse("counterparts:decline", args=[proposal.pk])
    client = client_for(cpm)
    confirm_page = client.get(url)
    assert confirm_page.status_code == 200 and "cannot be undone" in confirm_page.content.decode()
    before = db_state()
    refused = client.post(url, {"version": proposal.version, "reason": ""})
    assert refused.status_code == 200 and db_state() == before
    done = client.post(url, {"version": proposal.version, "reason": "Outside the scope."})
    assert done["Location"] == detail(activity, "contributions")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.DECLINED and proposal.reason == "Outside the scope."
    assert proposal.history.latest("history_id").history_change_reason == Through.FORM


def test_proposer_withdraws_after_confirming(client_for, partner_user, partner_org, activity):
    proposal = propose(activity, partner_user, partner_org)
    url = reverse("counterparts:withdraw", args=[proposal.pk])
    client = client_for(partner_user)
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": proposal.version})
    assert response["Location"] == detail(activity, "contributions")
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.WITHDRAWN
    assert proposal.history.latest("history_id").history_change_reason == Through.FORM


def test_other_organizations_proposals_are_not_shown(
    client_for, partner_user, counterpart_user, mz_org, activity
):
    proposal = propose(activity, counterpart_user, mz_org)
    page = client_for(partner_user).get(reverse("activities:detail", args=[activity.pk]))
    assert mz_org.name not in page.content.decode()
    client = client_for(partner_user)
    assert client.get(reverse("counterparts:withdraw", args=[proposal.pk])).status_code == 404


# --- the inbox ------------------------------------------------------------------------------


def test_inbox_lists_own_notifications_newest_first(client_for, counterpart_user, activity):
    page = client_for(counterpart_user).get(reverse("counterparts:inbox"))
    body = page.content.decode()
    assert page.status_code == 200
    assert f"{activity.ssc_id}: please confirm the role of" in body
    assert "Inbox" in body and 'badge--count">1' in body


def test_inbox_empty_state_and_unread_filter(client_for, viewer):
    client = client_for(viewer)
    assert "No notification yet" in client.get(reverse("counterparts:inbox")).content.decode()
    unread = client.get(reverse("counterparts:inbox") + "?show=unread").content.decode()
    assert "Nothing unread" in unread


def test_opening_a_notification_marks_it_read_and_leads_to_it(
    client_for, counterpart_user, activity
):
    notification = Notification.objects.get(user=counterpart_user)
    response = client_for(counterpart_user).post(
        reverse("counterparts:inbox_open", args=[notification.pk])
    )
    assert response["Location"] == detail(activity, "sides")
    notification.refresh_from_db()
    assert notification.read_at is not None
    unread = client_for(counterpart_user).get(reverse("counterparts:inbox") + "?show=unread")
    assert "Nothing unread" in unread.content.decode()


def test_someone_elses_notification_does_not_exist(client_for, partner_user, counterpart_user):
    notification = Notification.objects.create(
        user=counterpart_user, kind=NotificationKind.REMINDER
    )
    response = client_for(partner_user).post(
        reverse("counterparts:inbox_open", args=[notification.pk])
    )
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read(client_for, counterpart_user, activity):
    response = client_for(counterpart_user).post(reverse("counterparts:inbox_read_all"))
    assert response["Location"] == reverse("counterparts:inbox")
    assert not Notification.objects.filter(user=counterpart_user, read_at__isnull=True).exists()


# --- the list ---------------------------------------------------------------------------------


def test_list_shows_the_agreement_and_filters_on_it(client_for, cpm, activity):
    client = client_for(cpm)
    page = client.get(reverse("activities:list")).content.decode()
    assert "badge--agree-waiting" in page
    waiting = client.get(reverse("activities:list") + "?agreement=waiting").content.decode()
    assert activity.ssc_id in waiting
    confirmed = client.get(reverse("activities:list") + "?agreement=confirmed").content.decode()
    assert activity.ssc_id not in confirmed


def test_counterpart_filters_its_countrys_activities(client_for, counterpart_user, activity, cpm):
    other = create_activity(
        data=activity_data(countries=["BR", "CO"], visibility=Visibility.PUBLIC), user=cpm
    )
    client = client_for(counterpart_user)
    every = client.get(reverse("activities:list")).content.decode()
    assert "Only my country" in every and other.ssc_id in every
    mine = client.get(reverse("activities:list") + "?mine=true").content.decode()
    assert activity.ssc_id in mine and other.ssc_id not in mine
    assert Activity.objects.get(pk=activity.pk).agreement == Agreement.WAITING


# --- query counts ----------------------------------------------------------------------------


def _grow(activity: Activity, n: int, cpm: Any, partner_user: Any, partner_org: Partner) -> None:
    """n comments, n proposals and n organization sides on the activity."""
    for i in range(n):
        services.post_comment(activity=activity, user=cpm, body=f"Note {i}", internal=i % 2 == 0)
        propose(activity, partner_user, partner_org)
    links = [
        activity.partner_links.create(partner=PartnerFactory(), role=PartnerRole.HOST)
        for _ in range(n)
    ]
    services.sync_sides([activity.pk], user=None)
    assert len(links) == n


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["cpm", "partner_user"])
def test_activity_page_queries_do_not_grow(
    request, role, client_for, cpm, partner_user, partner_org, activity
):
    user = request.getfixturevalue(role)
    client = client_for(user)
    url = reverse("activities:detail", args=[activity.pk])
    _grow(activity, 1, cpm, partner_user, partner_org)
    client.get(url)  # warm the caches (session, content types)
    few = _count(client, url)
    _grow(activity, 9, cpm, partner_user, partner_org)
    many = _count(client, url)
    assert many == few
    assert few <= 40


def test_list_queries_do_not_grow_with_badges(client_for, cpm, activity):
    client = client_for(cpm)
    url = reverse("activities:list")
    client.get(url)
    few = _count(client, url)
    for _ in range(5):
        create_activity(data=activity_data(), user=cpm)
    assert _count(client, url) == few


def test_inbox_queries_do_not_grow(client_for, counterpart_user, activity):
    client = client_for(counterpart_user)
    url = reverse("counterparts:inbox")
    client.get(url)
    few = _count(client, url)
    for kind in list(NotificationKind)[:29] * 3:
        Notification.objects.create(
            user=counterpart_user, kind=kind, activity=activity, actor=counterpart_user
        )
    assert Notification.objects.filter(user=counterpart_user).count() >= 30
    assert _count(client, url) == few


def test_the_activitys_manager_declines_rather_than_withdraws(
    client_for, cpm, partner_user, partner_org, activity
):
    """The service lets only the proposer withdraw: the page and its access agree (403)."""
    proposal = propose(activity, partner_user, partner_org)
    page = client_for(cpm).get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert reverse("counterparts:withdraw", args=[proposal.pk]) not in page
    before = db_state()
    response = client_for(cpm).post(
        reverse("counterparts:withdraw", args=[proposal.pk]), {"version": proposal.version}
    )
    assert response.status_code == 403 and db_state() == before


def test_a_countrys_side_is_named_in_the_readers_language(
    client_for, counterpart_user, activity, moz_side
):
    counterpart_user.language = "fr"
    counterpart_user.save(update_fields=["language"])
    page = client_for(counterpart_user).get(reverse("activities:detail", args=[activity.pk]))
    with translation.override("fr"):
        label = moz_side.side_label
    assert label.startswith("Mozambique (")
    brazil = Confirmation.objects.filter(activity=activity, country_link__country__iso2="BR").get()
    with translation.override("fr"):
        assert brazil.side_label.startswith("Brésil (")
        assert brazil.side_label in page.content.decode()
    assert "Brazil (" not in page.content.decode()
