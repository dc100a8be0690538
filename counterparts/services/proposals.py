"""Partners' own contributions: a counterpart proposes its cofinancing or in-kind contribution;
the CPM accepts it into the ledger (finance.services.record_entries, with its rate and checks)
or declines it with a reason. A proposal never writes the ledger itself."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.text import year_problem
from activities.history import marked
from activities.models import Activity, Partner
from finance import services as ledger
from finance.models import CURRENCY_CODES, MAX_LINE_AMOUNT, ContributionKind, InKindValuation, Stage

from .. import access
from ..models import Channel, ContributionProposal, NotificationKind, ProposalState, ProposedKind
from .common import CounterpartError, claim_version, required_text, through_of
from .confirmations import agreed_money
from .notifications import activity_managers, notify


@dataclass(frozen=True)
class ProposalData:
    contributor: Partner | None
    kind: str
    stage: str
    amount: Decimal | None
    currency: str
    value_date: datetime.date | None
    valuation_method: str = ""
    valuation_basis: str = ""
    note: str = ""

    FIELDS: ClassVar[tuple[str, ...]] = (
        "kind",
        "stage",
        "amount",
        "currency",
        "value_date",
        "valuation_method",
        "valuation_basis",
        "note",
    )

    @classmethod
    def from_values(cls, contributor: Partner | None, values: Mapping[str, Any]) -> ProposalData:
        """From a page's or the API's cleaned input (the same names)."""
        return cls(contributor=contributor, **{name: values[name] for name in cls.FIELDS})


def _check(activity: Activity, user: User, data: ProposalData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    allowed = access.proposing_contributors(user, activity)
    if data.contributor is None:
        errors["contributor"] = [_("Say which organization contributes.")]
    elif not allowed.filter(pk=data.contributor.pk).exists():
        errors["contributor"] = [
            _("You propose contributions for your own organization (or your country's) only.")
        ]
    if data.kind not in ProposedKind.values:
        errors["kind"] = [_("Choose cofinancing (cash) or in-kind.")]
    if data.stage not in Stage.values:
        errors["stage"] = [_("Choose the stage: planned, allocated or spent.")]
    if data.kind == ProposedKind.IN_KIND and data.valuation_method not in InKindValuation.values:
        errors["valuation_method"] = [_("Say how the in-kind contribution was valued.")]
    if data.kind == ProposedKind.COFINANCING and data.valuation_method:
        errors["valuation_method"] = [_("Only in-kind contributions are valued.")]
    _check_amount(errors, data)
    if data.value_date is None:
        errors["value_date"] = [_("Give the date of the contribution.")]
    elif problem := year_problem(data.value_date.year):
        # The ledger's own range (accounts.text): a date it would refuse on accepting.
        errors["value_date"] = [problem]
    elif "currency" not in errors:
        try:
            rate = ledger.rate_for(data.currency, data.value_date)
        except ledger.FinanceError as error:
            errors.update(error.errors)
        else:
            # Refused now rather than when accepted: the ledger's limit is in US$.
            if "amount" not in errors and data.amount is not None:
                usd = ledger.to_usd(data.amount, rate)
                if over := ledger.converted_over_limit(usd, data.currency):
                    errors["amount"] = [over]
    return errors


def _check_amount(errors: dict[str, list[str]], data: ProposalData) -> None:
    if data.currency not in CURRENCY_CODES:
        errors["currency"] = [
            _("%(code)s is not an ISO 4217 currency code.") % {"code": data.currency or "—"}
        ]
    amount = data.amount
    if amount is None or not amount.is_finite():
        errors["amount"] = [_("Give the amount as a number.")]
    elif amount <= 0:
        errors["amount"] = [_("Give an amount above zero.")]
    elif not ledger.to_the_cent(amount):
        errors["amount"] = [_("Give the amount to the cent at most.")]
    elif amount > MAX_LINE_AMOUNT:
        errors["amount"] = [ledger.amount_over_limit(amount, data.currency)]


@transaction.atomic
def propose(
    *, activity: Activity, user: User, data: ProposalData, via: str = Channel.FORM
) -> ContributionProposal:
    if not access.is_counterpart_of(user, activity):
        raise CounterpartError(
            {
                "__all__": [
                    _(
                        "You do not take part in this activity: only its counterparts propose "
                        "contributions to it."
                    )
                ]
            }
        )
    errors = _check(activity, user, data)
    if errors:
        raise CounterpartError(errors)
    assert data.contributor is not None and data.amount is not None and data.value_date
    proposal = ContributionProposal(
        activity=activity,
        contributor=data.contributor,
        kind=data.kind,
        stage=data.stage,
        amount=data.amount,
        currency=data.currency,
        value_date=data.value_date,
        valuation_method=data.valuation_method,
        valuation_basis=data.valuation_basis.strip(),
        note=data.note.strip(),
        proposed_by=user,
    )
    _clean(proposal)
    proposal._history_user = user  # type: ignore[attr-defined]
    marked(proposal, through_of(via)).save()
    notify(
        activity_managers(activity),
        NotificationKind.PROPOSAL,
        activity=activity,
        actor=user,
        details={
            "contributor": str(data.contributor),
            "amount": str(data.amount),
            "currency": data.currency,
            "via": via,
        },
    )
    return proposal


@transaction.atomic
def accept(
    *,
    proposal: ContributionProposal,
    user: User,
    expected_version: int | None,
    via: str = Channel.FORM,
) -> ContributionProposal:
    """Record the proposal in the ledger, converted at the month's rate with the ledger's own
    checks (closed periods, limits); refused as a whole if any of them fails. The ledger line
    and the proposal's history keep `via` (the page or the API), as decline and withdraw do."""
    _check_decision(proposal, user)
    claim_version(proposal, expected_version)
    line = ledger.EntryData(
        kind=ContributionKind(proposal.kind),
        stage=proposal.stage,
        amount=proposal.amount,
        currency=proposal.currency,
        value_date=proposal.value_date,
        contributor=proposal.contributor,
        valuation_method=proposal.valuation_method,
        valuation_basis=proposal.valuation_basis,
        reference=_("Proposal %(number)s") % {"number": proposal.pk},
    )
    try:
        with agreed_money(proposal.activity_id, proposal.contributor):
            (entry,) = ledger.record_entries(
                activity=proposal.activity,
                entries=[line],
                user=user,
                expected_version=None,
                through=through_of(via),
            )
    except ledger.FinanceError as error:
        raise CounterpartError(
            {
                name: [message.removeprefix(_("Line 1: ")) for message in messages]
                for name, messages in error.errors.items()
            }
        ) from error
    _decide(proposal, user, ProposalState.ACCEPTED, via, entry=entry)
    notify(
        [proposal.proposed_by],
        NotificationKind.PROPOSAL_ACCEPTED,
        activity=proposal.activity,
        actor=user,
        details={"amount": str(proposal.amount), "currency": proposal.currency},
    )
    return proposal


@transaction.atomic
def decline(
    *,
    proposal: ContributionProposal,
    user: User,
    reason: str,
    expected_version: int | None,
    via: str = Channel.FORM,
) -> ContributionProposal:
    errors: dict[str, list[str]] = {}
    text = required_text(errors, "reason", reason, _("Say why the proposal is declined."))
    if errors:
        raise CounterpartError(errors)
    _check_decision(proposal, user)
    claim_version(proposal, expected_version)
    proposal.reason = text
    _clean(proposal)
    _decide(proposal, user, ProposalState.DECLINED, via)
    notify(
        [proposal.proposed_by],
        NotificationKind.PROPOSAL_DECLINED,
        activity=proposal.activity,
        actor=user,
        details={
            "amount": str(proposal.amount),
            "currency": proposal.currency,
            "reason": text[:200],
        },
    )
    return proposal


@transaction.atomic
def withdraw(
    *,
    proposal: ContributionProposal,
    user: User,
    expected_version: int | None,
    via: str = Channel.FORM,
) -> ContributionProposal:
    if proposal.proposed_by_id != user.pk:
        raise CounterpartError({"__all__": [_("Only whoever proposed it withdraws a proposal.")]})
    _check_open(proposal)
    claim_version(proposal, expected_version)
    _decide(proposal, user, ProposalState.WITHDRAWN, via)
    return proposal


def _check_decision(proposal: ContributionProposal, user: User) -> None:
    if not access.changes_activity(user, proposal.activity):
        raise CounterpartError(
            {"__all__": [_("Only who manages this activity accepts or declines proposals.")]}
        )
    _check_open(proposal)


def _check_open(proposal: ContributionProposal) -> None:
    if proposal.state != ProposalState.PROPOSED:
        raise CounterpartError(
            {
                "__all__": [
                    _("This proposal is already %(state)s.")
                    % {"state": proposal.get_state_display().lower()}
                ]
            }
        )


def _decide(
    proposal: ContributionProposal, user: User, state: str, via: str, *, entry: object = None
) -> None:
    proposal.state = state
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    if entry is not None:
        proposal.entry = entry  # type: ignore[assignment]
    proposal._history_user = user  # type: ignore[attr-defined]
    marked(proposal, through_of(via)).save(
        update_fields=["state", "decided_by", "decided_at", "entry", "reason"]
    )


def _clean(proposal: ContributionProposal) -> None:
    try:
        proposal.full_clean(exclude=["activity", "contributor", "proposed_by", "entry", "stage"])
    except ValidationError as error:
        raise CounterpartError.from_validation_error(error) from error
