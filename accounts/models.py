"""Users, their roles and their API tokens.

A role is one field rather than Django groups: every permission rule in the portal is written in
terms of these six roles plus the divisions, countries, partner organization or counterpart country
a user is tied to,
and the rules are described once in accounts.roles and applied per object type in each app's
`access` module (the querysets' `visible_to(user)` hand over to it), not in group tables.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .text import validate_single_line_text


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    FOCAL_POINT = "focal_point", _("Corporate focal point")
    CPM = "cpm", _("Country programme manager")
    PARTNER = "partner", _("Partner user")
    COUNTERPART = "counterpart", _("Country counterpart")
    VIEWER = "viewer", _("Viewer")


# Kept at module level so that accounts.services can write one snapshot per change through it
# (a role, its divisions and countries saved together), where the m2m signals would write three.
# The password hash stays out of the history; a sign-in is not a change (accounts.signals updates
# last_login without a save).
USER_HISTORY = HistoricalRecords(
    m2m_fields=["divisions", "countries"],
    excluded_fields=["password", "last_login", "version"],
)


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    divisions = models.ManyToManyField(
        "activities.Division",
        verbose_name=_("divisions"),
        blank=True,
        related_name="users",
        help_text=_("A CPM edits the activities led by these divisions."),
    )
    countries = models.ManyToManyField(
        "activities.Country",
        verbose_name=_("countries"),
        blank=True,
        related_name="users",
        help_text=_("A CPM edits the activities involving these countries."),
    )
    partner = models.ForeignKey(
        "activities.Partner",
        verbose_name=_("partner organization"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Required for partner users: they read what this organization takes part in."),
    )
    counterpart_country = models.ForeignKey(
        "activities.Country",
        verbose_name=_("counterpart for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="counterparts",
        help_text=_(
            "Required for country counterparts: they speak for this country's SSC agency or "
            "ministry, read what the country takes part in and confirm its roles."
        ),
    )
    # The language the user chose with the switcher (accounts.middleware applies it on every
    # request); empty until they choose, so that their browser's preference applies meanwhile.
    # Not a choices field: the languages offered follow the catalogues in the repository
    # (settings.LANGUAGES), and a code whose catalogue was removed is simply not applied.
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    # Optimistic concurrency: every change through accounts.services bumps it; a form that
    # carries an older number is refused instead of overwriting another focal point's change.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = USER_HISTORY

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.COUNTERPART and self.counterpart_country_id is None:
            raise ValidationError(
                {"counterpart_country": _("Choose the country this counterpart speaks for.")}
            )
        if self.role != Role.COUNTERPART and self.counterpart_country_id is not None:
            raise ValidationError(
                {"counterpart_country": _("Only country counterparts speak for a country.")}
            )

    @property
    def is_focal_point(self) -> bool:
        """Admins hold every power the focal point has."""
        return self.is_active and (self.role in (Role.FOCAL_POINT, Role.ADMIN) or self.is_superuser)

    @property
    def is_cpm(self) -> bool:
        return self.is_active and self.role == Role.CPM

    @property
    def is_partner_user(self) -> bool:
        return self.role == Role.PARTNER

    @property
    def is_country_counterpart(self) -> bool:
        return self.role == Role.COUNTERPART

    @property
    def is_staff_reader(self) -> bool:
        """Agency staff read every activity, internal ones included; partner users and country
        counterparts do not."""
        return self.is_active and self.role not in (Role.PARTNER, Role.COUNTERPART)

    @property
    def can_create_activities(self) -> bool:
        return self.is_focal_point or self.is_cpm

    @property
    def can_manage_partners(self) -> bool:
        return self.is_focal_point

    @property
    def can_add_partners(self) -> bool:
        """CPMs add the organizations they work with while logging an activity."""
        return self.is_focal_point or self.is_cpm


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        """Tokens that still work: neither revoked nor past their last day."""
        today = timezone.now().date()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today)
        )


class ApiToken(models.Model):
    """A secret a user gives a script so that it calls the REST API as them.

    Only the SHA-256 of the secret is stored: the secret itself is shown once, when the token is
    created, and cannot be read back. A token carries exactly its user's permissions, and stops
    working when it is revoked or the user is deactivated. Revoked tokens are kept, so that the
    page still says which token was used until when.
    """

    # The secret starts with this, so that leaked tokens are easy to recognize (secret scanners).
    PREFIX = "ssc_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 'Nightly sync'."),
        validators=[validate_single_line_text],
    )
    # The first characters after the prefix, shown to tell tokens apart; never enough to use.
    hint = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    # A script that only reads (a sync, a dashboard) should hold a token that cannot write even
    # if it leaks: refused on every method that changes something.
    read_only = models.BooleanField(
        _("read only"),
        default=False,
        editable=False,
        help_text=_("The token may read but not create, change or delete anything."),
    )
    # The last day the token works (UTC); none: until revoked. Tokens made before expiry dates
    # existed have none, so that the scripts using them keep working.
    expires_on = models.DateField(_("expires on"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.PREFIX}{self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def is_expired(self) -> bool:
        return self.expires_on is not None and self.expires_on < timezone.now().date()

    @property
    def works(self) -> bool:
        """Whether a call with this token would be let in (its user's state aside)."""
        return self.is_active and not self.is_expired

    @staticmethod
    def hash_secret(secret: str) -> str:
        """SHA-256 is enough here (no slow hash): the secret is 256 random bits, not a password
        someone chose, so there is nothing to guess."""
        return hashlib.sha256(secret.encode()).hexdigest()
