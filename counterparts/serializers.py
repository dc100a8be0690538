"""What the REST API shows of confirmations, the conversation, proposed contributions and the
inbox, and what it accepts to act on them (counterparts.api). Output and input serializers are
separate: the inputs only parse, the services decide."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import api_numbers as numbers
from accounts.models import User
from finance.models import Stage

from . import mail
from .models import (
    COMMENT_MAX,
    Channel,
    Comment,
    Confirmation,
    ConfirmationState,
    ConfirmationStep,
    ContributionProposal,
    DisputedField,
    Notification,
    NotificationKind,
    ProposalState,
    ProposedKind,
    StepAction,
)


def _username() -> serializers.SlugRelatedField[User]:
    return serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)


# --- confirmations ------------------------------------------------------------------------


class SideSerializer(serializers.Serializer):
    """The role the confirmation is about: a country's, or an organization's."""

    kind = serializers.ChoiceField(
        choices=[("country", "country"), ("organization", "organization")]
    )
    country = serializers.CharField(
        source="country_link.country.iso2",
        allow_null=True,
        help_text=_("ISO 3166-1 alpha-2 code, for a country's role."),
    )
    partner = serializers.IntegerField(
        source="partner_link.partner_id",
        allow_null=True,
        help_text=_("The organization's id (see /api/v1/partners/), for an organization's role."),
    )
    role = serializers.CharField(help_text=_("The country's or the organization's role code."))
    # The API's names; the serializer's metaclass takes declared fields off the class.
    label = serializers.CharField(source="side_label")  # type: ignore[assignment]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        confirmation: Confirmation = instance
        link: Any = confirmation.country_link or confirmation.partner_link
        return {
            "kind": "country" if confirmation.is_country_side else "organization",
            "country": confirmation.country_link.country.iso2
            if confirmation.country_link
            else None,
            "partner": confirmation.partner_id,
            "role": link.role,
            "label": confirmation.side_label,
        }


class StepSerializer(serializers.ModelSerializer):
    action = serializers.ChoiceField(choices=StepAction.choices)
    fields = serializers.ListField(  # type: ignore[assignment]  # as label above
        child=serializers.CharField(),
        help_text=_("Disputed: the fields said to be wrong; asked again: the facts that changed."),
    )
    by = _username()
    via = serializers.ChoiceField(choices=Channel.choices)

    class Meta:
        model = ConfirmationStep
        fields = ["action", "fields", "comment", "by", "via", "at"]


class ConfirmationSerializer(serializers.ModelSerializer):
    ssc_id = serializers.CharField(source="activity.ssc_id")
    side = SideSerializer(source="*")
    state = serializers.ChoiceField(choices=ConfirmationState.choices)
    state_label = serializers.CharField(source="get_state_display")
    steps = StepSerializer(many=True, help_text=_("The side's thread, oldest first."))
    version = serializers.IntegerField(
        help_text=_("Send it back to confirm, dispute or answer: a stale one is refused (409).")
    )

    class Meta:
        model = Confirmation
        fields = [
            "id",
            "activity",
            "ssc_id",
            "side",
            "state",
            "state_label",
            "asked_at",
            "updated_at",
            "version",
            "steps",
        ]


class ConfirmInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=_("The version as read."))
    comment = serializers.CharField(
        max_length=COMMENT_MAX, required=False, allow_blank=True, default=""
    )


class DisputeInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=_("The version as read."))
    fields = serializers.ListField(  # type: ignore[assignment]  # as SideSerializer.label
        child=serializers.CharField(max_length=20),
        max_length=len(DisputedField.values),
        help_text=_("What is wrong: %(choices)s.") % {"choices": ", ".join(DisputedField.values)},
    )
    comment = serializers.CharField(
        max_length=COMMENT_MAX, allow_blank=True, help_text=_("Say what is wrong.")
    )


class AnswerInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=_("The version as read."))
    comment = serializers.CharField(
        max_length=COMMENT_MAX, allow_blank=True, help_text=_("The answer to the dispute.")
    )


# --- the conversation ---------------------------------------------------------------------


class CommentSerializer(serializers.ModelSerializer):
    author = _username()
    mentions: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username",
        many=True,
        read_only=True,
        help_text=_("The people @mentioned (each was notified)."),
    )
    via = serializers.ChoiceField(choices=Channel.choices)

    class Meta:
        model = Comment
        fields = ["id", "activity", "author", "body", "internal", "mentions", "via", "created_at"]


class CommentInput(serializers.Serializer):
    activity = serializers.IntegerField(min_value=1)
    body = serializers.CharField(
        max_length=COMMENT_MAX,
        allow_blank=True,
        help_text=_("The message; @username mentions notify who may read it."),
    )
    internal = serializers.BooleanField(
        default=False, help_text=_("An internal note: agency staff who manage the activity only.")
    )


# --- proposed contributions ---------------------------------------------------------------


class ProposalSerializer(serializers.ModelSerializer):
    contributor_name = serializers.CharField(source="contributor.name")
    kind = serializers.ChoiceField(choices=ProposedKind.choices)
    stage = serializers.ChoiceField(choices=Stage.choices)
    state = serializers.ChoiceField(choices=ProposalState.choices)
    proposed_by = _username()
    decided_by = _username()
    entry = serializers.IntegerField(
        source="entry_id",
        allow_null=True,
        help_text=_("The ledger line recorded on acceptance (see /api/v1/ledger/)."),
    )
    version = serializers.IntegerField(
        help_text=_("Send it back to accept, decline or withdraw: a stale one is refused (409).")
    )

    class Meta:
        model = ContributionProposal
        fields = [
            "id",
            "activity",
            "contributor",
            "contributor_name",
            "kind",
            "stage",
            "amount",
            "currency",
            "value_date",
            "valuation_method",
            "valuation_basis",
            "note",
            "state",
            "reason",
            "entry",
            "proposed_by",
            "decided_by",
            "decided_at",
            "version",
            "created_at",
        ]


class ProposalInput(serializers.Serializer):
    activity = serializers.IntegerField(min_value=1)
    contributor = serializers.IntegerField(
        min_value=1,
        help_text=_("Your organization's id, or (a country's counterpart) one of your country's."),
    )
    kind = serializers.CharField(max_length=20, help_text=_("cofinancing or in_kind."))
    stage = serializers.CharField(max_length=20, help_text=_("planned, allocated or spent."))
    amount = numbers.DecimalField(max_digits=20, decimal_places=2)
    currency = serializers.CharField(max_length=3, help_text=_("ISO 4217 code, e.g. USD."))
    value_date = serializers.DateField()
    valuation_method = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text=_("In-kind only.")
    )
    valuation_basis = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        max_length=COMMENT_MAX, required=False, allow_blank=True, default=""
    )


class RecordVersionInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=_("The version as read."))


class DeclineInput(RecordVersionInput):
    reason = serializers.CharField(
        max_length=COMMENT_MAX, allow_blank=True, help_text=_("Why: shown to who proposed it.")
    )


# --- the inbox ----------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    ssc_id = serializers.CharField(source="activity.ssc_id", allow_null=True)
    actor = _username()
    text = serializers.SerializerMethodField(help_text=_("In the language of the request."))
    link = serializers.SerializerMethodField(
        help_text=_("The page (a path on this portal) that needs you.")
    )

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "activity",
            "ssc_id",
            "actor",
            "text",
            "link",
            "created_at",
            "read_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_text(self, notification: Notification) -> str:
        return mail.describe(notification)

    @extend_schema_field(OpenApiTypes.STR)
    def get_link(self, notification: Notification) -> str:
        return mail.link(notification)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many were unread."))
