"""Both sides agree: each side of an activity confirms its record, talks about it with the agency
and proposes its own contribution; and the inbox that tells everyone what needs them.

A side is one role on an activity: a country's role (provider, receiver, both), spoken for by
the country's counterparts (accounts.Role.COUNTERPART), or an organization's role (host, guest,
broker, funder, implementer), spoken for by the organization's partner users. Each side carries
one Confirmation:

    proposed --confirm--> confirmed --(its key facts change)--> reconfirm --confirm--> confirmed
        \\--dispute--> disputed --answer--> answered --confirm--> confirmed
                                                   \\--dispute--> disputed

The activity's summary (activities.Agreement: confirmed by all sides, waiting, disputed) is kept
on the activity by counterparts.services, so that the list, the dashboard and the exports filter
on one column without reading this app.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.text import validate_multi_line_text, validate_single_line_text
from activities.models import (
    Activity,
    ActivityCountry,
    ActivityPartner,
    CountryRole,
    Partner,
    PartnerRole,
)
from activities.reference_names import country_display_name

COMMENT_MAX = 5000


class ConfirmationState(models.TextChoices):
    PROPOSED = "proposed", _("To confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")
    ANSWERED = "answered", _("Answered, to confirm")
    RECONFIRM = "reconfirm", _("To re-confirm")


# The states in which a side is asked to act (and reminded).
AWAITING_SIDE = (
    ConfirmationState.PROPOSED,
    ConfirmationState.ANSWERED,
    ConfirmationState.RECONFIRM,
)


class DisputedField(models.TextChoices):
    """What a side says is wrong in the record."""

    DATES = "dates", _("Dates")
    ROLES = "roles", _("Countries and roles")
    CONTRIBUTION = "contribution", _("Our own contribution")
    PARTICIPANTS = "participants", _("Participants")
    STATUS = "status", _("Status")
    DESCRIPTION = "description", _("Title and description")
    OTHER = "other", _("Something else")


class Fact(models.TextChoices):
    """The key facts a side confirms: when one of them changes, the side is asked again."""

    ROLES = "roles", _("countries and roles")
    DATES = "dates", _("dates")
    STATUS = "status", _("status")
    MONEY = "money", _("own contribution")


# A country's and an organization's roles have distinct codes: one lookup serves both.
ROLE_LABELS = dict(CountryRole.choices) | dict(PartnerRole.choices)


def side_text(name: str, role: str, iso2: str = "") -> str:
    """A side as people read it, "Mozambique (Receiver / guest)", with the country's name and
    the role's label in the active language: notifications keep the name, the role's code and,
    for a country, its ISO code, so that the text is written in the reader's language when it
    is read, not in the writer's. An organization's name is its own, in every language."""
    if iso2:
        name = country_display_name(iso2, name)
    label = ROLE_LABELS.get(role)
    return f"{name} ({label})" if label else name


class ConfirmationQuerySet(models.QuerySet["Confirmation"]):
    def with_side(self) -> ConfirmationQuerySet:
        return self.select_related("country_link__country", "partner_link__partner")


class Confirmation(models.Model):
    """One side's confirmation of an activity (exactly one of the two links is set)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="confirmations")
    # No constraint and no cascade: activities deletes link rows in bulk, without Django's
    # collector (activities.services.batch), and may not know this app. A removed role's
    # confirmation is deleted by counterparts.services.sync_sides in the same transaction.
    country_link = models.OneToOneField(
        ActivityCountry,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="confirmation",
    )
    partner_link = models.OneToOneField(
        ActivityPartner,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="confirmation",
    )
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=ConfirmationState.choices,
        default=ConfirmationState.PROPOSED,
    )
    # The key facts (Fact) as they were when the side last confirmed: a change to any of them
    # sends a confirmed side back to "to re-confirm".
    facts = models.JSONField(default=dict, blank=True, editable=False)
    # Optimistic concurrency, as for activities: a stale page or API call is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    # When the side was last asked to act: the reminders count from here.
    asked_at = models.DateTimeField(_("asked"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConfirmationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["activity_id", "pk"]
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(country_link__isnull=False, partner_link__isnull=True)
                    | Q(country_link__isnull=True, partner_link__isnull=False)
                ),
                name="confirmation_one_side",
            )
        ]
        indexes = [models.Index(fields=["state", "asked_at"])]

    def __str__(self) -> str:
        return f"{self.side_label}: {self.get_state_display()}"

    @property
    def is_country_side(self) -> bool:
        return self.country_link_id is not None

    @property
    def side_label(self) -> str:
        """The side as a page names it: a country in the reader's language."""
        details = self.side_details()
        return side_text(details["side"], details["role"], details.get("iso2", ""))

    def side_details(self) -> dict[str, str]:
        """The side's name, role code and, for a country, ISO code: what a notification keeps
        of it (see side_text)."""
        if self.country_link is not None:
            country = self.country_link.country
            return {"side": country.name, "role": self.country_link.role, "iso2": country.iso2}
        link: Any = self.partner_link
        # An organization by its name alone: "PROCASUR Corporation (Broker / facilitator)",
        # not "PROCASUR Corporation (PROCASUR) (Broker / facilitator)".
        return {"side": link.partner.name, "role": link.role}

    @property
    def country_id(self) -> int | None:
        return self.country_link.country_id if self.country_link else None

    @property
    def partner_id(self) -> int | None:
        return self.partner_link.partner_id if self.partner_link else None


class StepAction(models.TextChoices):
    ASKED = "asked", _("asked to confirm")
    CONFIRMED = "confirmed", _("confirmed")
    DISPUTED = "disputed", _("disputed")
    ANSWERED = "answered", _("answered")
    REOPENED = "reopened", _("asked to re-confirm")


class Channel(models.TextChoices):
    """What a step came through (the audit history's "through what")."""

    FORM = "form", _("page")
    API = "api", _("API")
    SYSTEM = "system", _("the portal")


class ConfirmationStep(models.Model):
    """One step of a side's confirmation, with who took it, when and why: what the page shows
    as the side's thread (simple-history keeps the rows' own history as well)."""

    confirmation = models.ForeignKey(Confirmation, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=10, choices=StepAction.choices)
    # Disputed: the DisputedField values; reopened: the Fact values that changed.
    fields = models.JSONField(default=list, blank=True)
    comment = models.TextField(
        _("comment"), blank=True, max_length=COMMENT_MAX, validators=[validate_multi_line_text]
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=10, choices=Channel.choices, default=Channel.FORM)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d})"

    def field_labels(self) -> list[str]:
        # A dispute names DisputedField values, a reopening Fact values: some codes are both.
        choices = Fact.choices if self.action == StepAction.REOPENED else DisputedField.choices
        labels = dict(choices)
        return [str(labels.get(name, name)) for name in self.fields]


class Comment(models.Model):
    """A message in an activity's conversation: shared with its counterparts, or an internal
    note only agency staff read."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(
        _("message"), max_length=COMMENT_MAX, validators=[validate_multi_line_text]
    )
    internal = models.BooleanField(
        _("internal note"),
        default=False,
        help_text=_("Only agency staff read internal notes; counterparts never see them."),
    )
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    via = models.CharField(max_length=10, choices=Channel.choices, default=Channel.FORM)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[mentions])

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["activity", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted into the ledger")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProposedKind(models.TextChoices):
    """What a counterpart proposes: its own money, never IFAD's."""

    COFINANCING = "cofinancing", _("Cofinancing (cash)")
    IN_KIND = "in_kind", _("In-kind (valued in money)")


class ContributionProposal(models.Model):
    """A counterpart's own contribution, proposed for the CPM to accept into the ledger (the
    accepted line is `entry`) or decline with a reason. It never writes the ledger itself."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="proposals")
    contributor = models.ForeignKey(
        Partner, verbose_name=_("contributor"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ProposedKind.choices)
    stage = models.CharField(_("stage"), max_length=10)  # finance.models.Stage
    amount = models.DecimalField(
        _("amount"),
        max_digits=20,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    currency = models.CharField(_("currency"), max_length=3)
    value_date = models.DateField(_("value date"))
    valuation_method = models.CharField(_("valuation"), max_length=20, blank=True)
    valuation_basis = models.CharField(
        _("valuation basis"),
        max_length=255,
        blank=True,
        validators=[validate_single_line_text],
    )
    note = models.TextField(
        _("note"), blank=True, max_length=COMMENT_MAX, validators=[validate_multi_line_text]
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED
    )
    reason = models.TextField(
        _("reason"), blank=True, max_length=COMMENT_MAX, validators=[validate_multi_line_text]
    )
    entry = models.OneToOneField(
        "finance.FinancialEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposal",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposed contribution")
        verbose_name_plural = _("proposed contributions")
        indexes = [models.Index(fields=["activity", "state"])]

    def __str__(self) -> str:
        return f"{self.contributor}: {self.amount} {self.currency}"


class NotificationKind(models.TextChoices):
    CONFIRM_REQUESTED = "confirm", _("Asked to confirm")
    RECONFIRM_REQUESTED = "reconfirm", _("Asked to re-confirm")
    DISPUTED = "disputed", _("A side disputes the record")
    ANSWERED = "answered", _("Your dispute was answered")
    CONFIRMED = "confirmed", _("A side confirmed")
    PROPOSAL = "proposal", _("A contribution was proposed")
    PROPOSAL_ACCEPTED = "accepted", _("Your proposal was accepted")
    PROPOSAL_DECLINED = "declined", _("Your proposal was declined")
    MENTIONED = "mentioned", _("You were mentioned")
    REMINDER = "reminder", _("Still waiting for your confirmation")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def unmailed(self) -> NotificationQuerySet:
        return self.filter(mailed_at__isnull=True)


class Notification(models.Model):
    """One line of a user's inbox, mailed in a digest. The text is rendered when shown (in the
    reader's language) from its kind and details, not stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Plain values only (names, field codes): the side, the disputed fields, the facts changed.
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(
                fields=["mailed_at"], condition=Q(mailed_at__isnull=True), name="unmailed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"
