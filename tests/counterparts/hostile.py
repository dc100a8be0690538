"""The counterparts pages' fields in the hostile-input table
(tests/security/test_hostile_fields.py): their kinds and how each form is submitted.

The table's records hold one activity for them (make_sides, once per module): Brazil provides,
Mozambique receives, an organization of Mozambique implements; Mozambique's counterpart confirms,
disputes and proposes, the table's focal point answers, writes to the conversation and declines.
Each case finds it as it was made (the case runs in a savepoint, undone after it).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import Role, User
from activities.models import Activity, CountryRole, Partner, PartnerRole
from counterparts import services
from counterparts.models import Comment, Confirmation, ConfirmationStep, ContributionProposal
from tests.factories import ActivityFactory, PartnerFactory, UserFactory, country
from tests.helpers import signed_in_session

_PROPOSAL = {
    "contributor": "choice",
    "kind": "choice",
    "stage": "choice",
    "amount": "amount",
    "currency": "choice",
    "value_date": "date",
    "valuation_method": "choice",
    "valuation_basis": "text",
    "note": "lines",
}
FIELDS: dict[str, str] = {
    "VersionedForm.version": "number",
    "ConfirmForm.version": "number",
    "ConfirmForm.comment": "lines",
    "DisputeForm.version": "number",
    "DisputeForm.disputed": "choice",
    "DisputeForm.comment": "lines",
    "AnswerForm.version": "number",
    "AnswerForm.comment": "lines",
    "CommentForm.body": "lines",
    "CommentForm.internal": "flag",
    "DeclineForm.version": "number",
    "DeclineForm.reason": "lines",
    **{f"ProposalForm.{name}": kind for name, kind in _PROPOSAL.items()},
    # The API's input serializers (counterparts.serializers), the same fields as the forms'.
    "ConfirmInput.version": "number",
    "ConfirmInput.comment": "lines",
    "DisputeInput.version": "number",
    "DisputeInput.fields": "choice",
    "DisputeInput.comment": "lines",
    "AnswerInput.version": "number",
    "AnswerInput.comment": "lines",
    "CommentInput.activity": "choice",
    "CommentInput.body": "lines",
    "CommentInput.internal": "flag",
    "RecordVersionInput.version": "number",
    "DeclineInput.version": "number",
    "DeclineInput.reason": "lines",
    "ProposalInput.activity": "choice",
    **{f"ProposalInput.{name}": kind for name, kind in _PROPOSAL.items()},
}
# The serializers that read a request, and those that only write answers.
INPUT_SERIALIZERS = {
    "ConfirmInput",
    "DisputeInput",
    "AnswerInput",
    "CommentInput",
    "ProposalInput",
    "RecordVersionInput",
    "DeclineInput",
}
OUTPUT_SERIALIZERS = {
    "SideSerializer",
    "StepSerializer",
    "ConfirmationSerializer",
    "CommentSerializer",
    "ProposalSerializer",
    "NotificationSerializer",
    "MarkedSerializer",
}
# A proposed contribution is above zero (the ledger's lines may be zero: a proposal may not).
RULED = {
    ("ProposalForm.amount", "zero"): "refused",
    ("ProposalInput.amount", "zero"): "refused",
}


@dataclass
class Sides:
    activity: Activity
    side: Confirmation  # Mozambique's
    org: Partner
    counterpart: User
    client: Client  # signed in as the counterpart


@dataclass
class SidesRecords:
    """make_sides()'s records by primary key, and the counterpart's session (signed in once)."""

    activity: int
    org: int
    counterpart: int
    session: str


def make_sides() -> SidesRecords:
    """The activity and people every case of these forms starts from; made once per module,
    as making them for each case cost more than most cases' requests."""
    org = PartnerFactory(name="Associação de Agricultores do Niassa", country=country("MZ"))
    counterpart = UserFactory(
        username="hostile_mz", role=Role.COUNTERPART, counterpart_country=country("MZ")
    )
    # Titled unlike the activity the table's pages and API create with the same countries: a
    # likely duplicate of it would stop their creation.
    activity = ActivityFactory(
        title="Niassa seed fairs",
        countries=["BR", ("MZ", CountryRole.RECEIVER)],
        partners=[(org, PartnerRole.IMPLEMENTER)],
    )
    services.sync_sides([activity.pk], user=None)
    return SidesRecords(activity.pk, org.pk, counterpart.pk, signed_in_session(counterpart))


def _sides(world: Any) -> Sides:
    """This case's copies of make_sides()'s records (world.sides)."""
    made: SidesRecords = world.sides
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = made.session
    activity = Activity.objects.get(pk=made.activity)
    side = Confirmation.objects.with_side().get(activity=activity, country_link__country__iso2="MZ")
    org = Partner.objects.get(pk=made.org)
    return Sides(activity, side, org, User.objects.get(pk=made.counterpart), client)


def _last_step(side: Confirmation) -> Callable[[], Any]:
    return lambda: ConfirmationStep.objects.filter(confirmation=side).last().comment  # type: ignore[union-attr]


def surfaces(
    answer: Callable[..., Any],
    page_refused: Callable[[Any, str], bool],
    message_refused: Callable[[Any, str], bool],
) -> dict[str, Callable[[Any, str, Any], Any]]:
    """The table's submit functions, given its Answer, its "refused next to the control" and
    its "refused in a message after the field's label" (the pages that redirect back)."""

    def stored(sides: Sides, read: Callable[[], Any]) -> Any:
        page = reverse("activities:detail", args=[sides.activity.pk])
        return answer(False, read, page, (page,))

    return {
        **_side_surfaces(answer, page_refused, message_refused, stored),
        **_record_surfaces(answer, page_refused, message_refused, stored),
    }


def _side_surfaces(
    answer: Callable[..., Any],
    page_refused: Callable[[Any, str], bool],
    message_refused: Callable[[Any, str], bool],
    stored: Callable[[Sides, Callable[[], Any]], Any],
) -> dict[str, Callable[[Any, str, Any], Any]]:
    """Confirm, dispute and answer (surfaces())."""

    def confirm(world: Any, field: str, value: Any) -> Any:
        sides = _sides(world)
        steps = ConfirmationStep.objects.filter(confirmation=sides.side).count()
        response = sides.client.post(
            reverse("counterparts:confirm", args=[sides.side.pk]),
            {"version": sides.side.version, field: value},
            follow=True,
        )
        if ConfirmationStep.objects.filter(confirmation=sides.side).count() == steps:
            return answer(message_refused(response, "Comment (optional)"), None)
        return stored(sides, _last_step(sides.side))

    def dispute(world: Any, field: str, value: Any) -> Any:
        sides = _sides(world)
        response = sides.client.post(
            reverse("counterparts:dispute", args=[sides.side.pk]),
            {"version": sides.side.version, "disputed": ["dates"], field: value},
        )
        if response.status_code != 302:
            return answer(page_refused(response, f"id_{field}"), None)
        return stored(sides, _last_step(sides.side))

    def answer_dispute(world: Any, field: str, value: Any) -> Any:
        sides = _sides(world)
        side = services.dispute(
            confirmation=sides.side,
            user=sides.counterpart,
            fields=["dates"],
            comment="It was in October.",
            expected_version=sides.side.version,
        )
        response = world.client.post(
            reverse("counterparts:answer", args=[side.pk]),
            {"version": side.version, field: value},
            follow=True,
        )
        side.refresh_from_db()
        if side.state == "disputed":
            return answer(message_refused(response, "Answer"), None)
        return stored(sides, _last_step(side))

    return {"ConfirmForm": confirm, "DisputeForm": dispute, "AnswerForm": answer_dispute}


def _record_surfaces(
    answer: Callable[..., Any],
    page_refused: Callable[[Any, str], bool],
    message_refused: Callable[[Any, str], bool],
    stored: Callable[[Sides, Callable[[], Any]], Any],
) -> dict[str, Callable[[Any, str, Any], Any]]:
    """The conversation and the proposals (surfaces())."""

    def comment(world: Any, field: str, value: Any) -> Any:
        sides = _sides(world)
        response = world.client.post(
            reverse("counterparts:comment", args=[sides.activity.pk]), {field: value}, follow=True
        )
        posted = Comment.objects.filter(activity=sides.activity).first()
        if posted is None:
            return answer(message_refused(response, "Message"), None)
        return stored(sides, lambda: Comment.objects.get(pk=posted.pk).body)

    def decline(world: Any, field: str, value: Any) -> Any:
        sides = _sides(world)
        proposal = _propose(sides)
        response = world.client.post(
            reverse("counterparts:decline", args=[proposal.pk]),
            {"version": proposal.version, field: value},
        )
        proposal.refresh_from_db()
        if proposal.state != "declined":
            return answer(page_refused(response, f"id_{field}"), None)
        return stored(sides, lambda: ContributionProposal.objects.get(pk=proposal.pk).reason)

    def propose(world: Any, field: str, value: Any) -> Any:
        sides = _sides(world)
        proposals = ContributionProposal.objects.filter(activity=sides.activity)
        before = set(proposals.values_list("pk", flat=True))
        response = sides.client.post(
            reverse("counterparts:propose", args=[sides.activity.pk]),
            _proposal_body(sides, field, value),
        )
        proposal = proposals.exclude(pk__in=before).first()
        if proposal is None:
            return answer(page_refused(response, f"id_{field}"), None)
        return stored(sides, _proposal_value(proposal.pk, field))

    return {"CommentForm": comment, "DeclineForm": decline, "ProposalForm": propose}


def _proposal_body(sides: Sides, field: str, value: Any) -> dict[str, Any]:
    """A proposal of in-kind money with `value` in `field` (a dict: several fields at once)."""
    body: dict[str, Any] = {
        "contributor": sides.org.pk,
        "kind": "in_kind",
        "stage": "planned",
        "amount": "1000",
        "currency": "KWD",  # the table's rate is February 2024's
        "value_date": "2024-02-01",
        "valuation_method": "staff_time",
        "valuation_basis": "Ten days",
        "note": "",
    }
    if field in ("value_date", "amount"):
        # US$ at any date; the amount's converted case brings its own currency.
        body["currency"] = "USD"
    body.update(value if isinstance(value, dict) else {field: value})
    return body


def _proposal_value(pk: int, field: str) -> Callable[[], Any]:
    def read() -> Any:
        kept = getattr(ContributionProposal.objects.get(pk=pk), field)
        return kept.isoformat() if isinstance(kept, datetime.date) else kept

    return read


def _propose(sides: Sides) -> ContributionProposal:
    return services.propose(
        activity=sides.activity,
        user=sides.counterpart,
        data=services.ProposalData(
            contributor=sides.org,
            kind="cofinancing",
            stage="planned",
            amount=Decimal(1000),
            currency="USD",
            value_date=datetime.date(2024, 2, 1),
        ),
    )


# --- the API (surfaces(): the same actions as the pages, through /api/v1/) -------------------


def api_surfaces(
    answer: Callable[..., Any], api_refused: Callable[[Any, str], bool]
) -> dict[str, Callable[[Any, str, Any], Any]]:
    """The table's submit functions for the API's input serializers, given its Answer and its
    "answered 400 naming the field". The counterpart acts through its signed-in session (the
    API reads it as it reads a token); the table's focal point through the table's API client."""

    def stored(sides: Sides, read: Callable[[], Any]) -> Any:
        page = reverse("activities:detail", args=[sides.activity.pk])
        return answer(False, read, page, (page,))

    def post(client: Any, url: str, body: dict[str, Any]) -> Any:
        return client.post(url, json.dumps(body), content_type="application/json")

    def side_action(name: str, extra: dict[str, Any]) -> Callable[[Any, str, Any], Any]:
        def submit(world: Any, field: str, value: Any) -> Any:
            sides = _sides(world)
            url = f"/api/v1/confirmations/{sides.side.pk}/{name}/"
            body = {"version": sides.side.version, **extra, field: value}
            response = post(sides.client, url, body)
            if response.status_code != 200:
                return answer(api_refused(response, field), None)
            return stored(sides, _last_step(sides.side))

        return submit

    def answer_dispute(world: Any, field: str, value: Any) -> Any:
        sides = _sides(world)
        side = services.dispute(
            confirmation=sides.side,
            user=sides.counterpart,
            fields=["dates"],
            comment="It was in October.",
            expected_version=sides.side.version,
        )
        url = f"/api/v1/confirmations/{side.pk}/answer/"
        response = post(world.api, url, {"version": side.version, field: value})
        if response.status_code != 200:
            return answer(api_refused(response, field), None)
        return stored(sides, _last_step(side))

    def comment(world: Any, field: str, value: Any) -> Any:
        sides = _sides(world)
        response = post(
            world.api, "/api/v1/comments/", {"activity": sides.activity.pk, field: value}
        )
        if response.status_code != 201:
            return answer(api_refused(response, field), None)
        posted = response.json()["id"]
        return stored(sides, lambda: Comment.objects.get(pk=posted).body)

    def decline(world: Any, field: str, value: Any) -> Any:
        sides = _sides(world)
        proposal = _propose(sides)
        url = f"/api/v1/proposals/{proposal.pk}/decline/"
        response = post(world.api, url, {"version": proposal.version, field: value})
        if response.status_code != 200:
            return answer(api_refused(response, field), None)
        return stored(sides, lambda: ContributionProposal.objects.get(pk=proposal.pk).reason)

    def propose(world: Any, field: str, value: Any) -> Any:
        sides = _sides(world)
        body = {"activity": sides.activity.pk, **_proposal_body(sides, field, value)}
        response = post(sides.client, "/api/v1/proposals/", body)
        if response.status_code != 201:
            return answer(api_refused(response, field), None)
        return stored(sides, _proposal_value(response.json()["id"], field))

    return {
        "ConfirmInput": side_action("confirm", {}),
        "DisputeInput": side_action("dispute", {"fields": ["dates"], "comment": "Not so."}),
        "AnswerInput": answer_dispute,
        "CommentInput": comment,
        "DeclineInput": decline,
        "ProposalInput": propose,
    }
