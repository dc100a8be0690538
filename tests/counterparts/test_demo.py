"""The counterparts' demo loaded by `manage.py load_demo_data`: the `counterpart` account, sides
in every state, a conversation with a shared comment, a mention and an internal note, proposals
waiting, accepted in another currency and declined, inboxes with work for each demo account;
and a rerun that changes nothing."""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import Role, User
from activities.models import Activity, Agreement
from counterparts import access, mail
from counterparts.models import (
    Comment,
    Confirmation,
    ConfirmationState,
    ConfirmationStep,
    ContributionProposal,
    Notification,
    NotificationKind,
    ProposalState,
    StepAction,
)
from tests.helpers import db_state

pytestmark = pytest.mark.django_db


def agreement(ssc_id: str) -> str:
    return Activity.objects.values_list("agreement", flat=True).get(ssc_id=ssc_id)


class TestOnTheDemo:
    """The cases of one loaded demo (shared_demo)."""

    def test_demo_sides_are_in_every_state(self, demo: io.StringIO) -> None:
        assert "Sides, conversation and proposed contributions: 12 created" in demo.getvalue()
        every = Confirmation.objects.values_list("state", flat=True)
        assert set(every) == set(ConfirmationState.values)
        only_side = Confirmation.objects.filter(activity__ssc_id="SSC-2009-03")
        assert [side.state for side in only_side] == [ConfirmationState.CONFIRMED]
        assert agreement("SSC-2009-03") == Agreement.CONFIRMED  # confirmed by all sides
        assert agreement("SSC-2010-05") == Agreement.DISPUTED
        assert agreement("SSC-2009-02") == Agreement.WAITING  # answered: Bangladesh to confirm
        dispute = ConfirmationStep.objects.get(
            action=StepAction.DISPUTED, confirmation__activity__ssc_id="SSC-2010-05"
        )
        assert dispute.fields == ["dates"] and "2011" in dispute.comment
        assert dispute.by is not None and dispute.by.username == "counterpart"
        reopened = ConfirmationStep.objects.get(action=StepAction.REOPENED)
        assert reopened.confirmation.activity.ssc_id == "SSC-2006-02"
        assert reopened.fields == ["dates"]
        assert reopened.confirmation.state == ConfirmationState.RECONFIRM

    def test_demo_counterpart_talks_proposes_and_finds_work_in_the_inbox(
        self, demo: io.StringIO
    ) -> None:
        counterpart = User.objects.get(username="counterpart")
        assert counterpart.role == Role.COUNTERPART and counterpart.counterpart_country is not None
        assert counterpart.counterpart_country.iso2 == "BD"
        assert "counterpart country counterpart, Bangladesh" in demo.getvalue()
        assert access.counterpart_activities(counterpart).count() == 3
        # The conversation: a shared comment mentioning cpm, an internal note, cpm's reply.
        comments = Comment.objects.filter(activity__ssc_id="SSC-2009-02")
        assert [c.internal for c in comments] == [False, True, False]
        assert comments[0].mentions.get().username == "cpm"
        assert not access.readable_comments(counterpart).filter(internal=True).exists()
        # Proposals in every decided state; the accepted one in taka, in the ledger in US$.
        proposals = {p.state: p for p in ContributionProposal.objects.all()}
        assert set(proposals) == {
            ProposalState.PROPOSED,
            ProposalState.ACCEPTED,
            ProposalState.DECLINED,
        }
        entry = proposals[ProposalState.ACCEPTED].entry
        assert entry is not None and entry.currency == "BDT"
        assert entry.amount_usd == Decimal("10000.00")
        assert proposals[ProposalState.DECLINED].reason.startswith("The venue is already")
        # Work waiting in each demo account's inbox.
        kinds = Counter(Notification.objects.unread().values_list("user__username", "kind"))
        assert kinds[("counterpart", NotificationKind.ANSWERED)] == 1
        assert kinds[("counterpart", NotificationKind.PROPOSAL_ACCEPTED)] == 1
        assert kinds[("cpm", NotificationKind.DISPUTED)] == 1
        assert kinds[("cpm", NotificationKind.MENTIONED)] == 1
        assert kinds[("cpm", NotificationKind.PROPOSAL)] == 2
        assert kinds[("cpm2", NotificationKind.DISPUTED)] == 1
        assert kinds[("partner", NotificationKind.RECONFIRM_REQUESTED)] == 1
        assert kinds[("partner", NotificationKind.PROPOSAL_DECLINED)] == 1
        # What the inbox and the mail say of them.
        mine = Notification.objects.filter(user__username="cpm", kind=NotificationKind.DISPUTED)
        assert mail.describe(mine.get()) == (
            "SSC-2009-02: Nasreen Akter disputes the record of Bangladesh (Receiver / guest): "
            "Participants."
        )
        declined = Notification.objects.get(kind=NotificationKind.PROPOSAL_DECLINED)
        assert mail.describe(declined) == (
            "SSC-2007-03: your proposal of 4,000.00 USD was declined: The venue is already in the "
            "ledger under IFAD's grant: it would count twice."
        )

    def test_loading_the_demo_again_changes_nothing(self, demo: io.StringIO, settings: Any) -> None:
        before = db_state()
        counts = (
            Notification.objects.count(),
            ConfirmationStep.objects.count(),
            Comment.objects.count(),
            ContributionProposal.objects.count(),
        )
        again = io.StringIO()
        call_command("load_demo_data", stdout=again)
        assert "Sides, conversation and proposed contributions: 0 created, 12 unchanged" in (
            again.getvalue()
        )
        # The import leaves the activities whose ledgers changed in the portal as they are: the
        # accepted proposal's, and the in-kind demo's (demo.in_kind).
        assert "2 kept as changed in the portal" in again.getvalue()
        # Each load records its import run (the import's own log); nothing else moves.
        after = db_state()
        assert after.pop("import_runs") == before.pop("import_runs") + 1
        assert after == before
        assert counts == (
            Notification.objects.count(),
            ConfirmationStep.objects.count(),
            Comment.objects.count(),
            ContributionProposal.objects.count(),
        )
