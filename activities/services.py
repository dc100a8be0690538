"""Writes to activities and partners.

Every change to an activity, its countries, partners and status goes through these functions, so
that each one is validated the same way from the browser, the API and the importers, runs in one
transaction, and is recorded in the audit history with its author.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    SDG,
    Activity,
    ActivityCountry,
    ActivityPartner,
    Country,
    CountryRole,
    Partner,
    PartnerRole,
    StatusChange,
    Theme,
    next_ssc_id,
    normalize_name,
)

if TYPE_CHECKING:
    from accounts.models import User

SSC_ID_ATTEMPTS = 5


class ActivityError(Exception):
    """A write was refused. `errors` maps a field name (or "__all__") to its messages."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"__all__": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> ActivityError:
        if hasattr(error, "error_dict"):
            return cls(
                {
                    name: [str(m) for m in errs[0].messages]
                    if len(errs) == 1
                    else [str(m) for e in errs for m in e.messages]
                    for name, errs in error.error_dict.items()
                }
            )
        return cls({"__all__": [str(m) for m in error.messages]})


class ConflictError(ActivityError):
    """Someone else saved the activity after the caller loaded it."""

    def __init__(self, activity: Activity):
        self.activity = activity
        super().__init__(
            _(
                "This activity was changed by someone else while you were editing it "
                "(now at version %(version)s). Your changes were not saved."
            )
            % {"version": activity.version}
        )


@dataclass(frozen=True)
class CountryLink:
    country: Country
    role: str
    share: Decimal | None = None


@dataclass(frozen=True)
class PartnerLink:
    partner: Partner
    roles: frozenset[str]


@dataclass
class ActivityData:
    """What a caller may set on an activity; the form, the API and the importers build one."""

    fields: dict[str, Any]
    countries: Sequence[CountryLink] = ()
    partners: Sequence[PartnerLink] = ()
    themes: Iterable[Theme] = ()
    sdgs: Iterable[SDG] = ()
    ssc_id: str = ""
    status_note: str = ""


EDITABLE_FIELDS = (
    "title",
    "summary",
    "objectives",
    "activity_type",
    "modality",
    "funding_nature",
    "project_id",
    "lead_division",
    "responsible_cpm",
    "approval_year",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "participants_women",
    "participants_men",
    "participants_youth",
    "outcomes",
    "action_plans_adopted",
    "follow_up",
    "lessons_learned",
    "notes",
    "visibility",
)


def _check_links(data: ActivityData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for link in data.countries:
        if link.country.pk in seen:
            errors.setdefault("countries", []).append(
                _("%(country)s is listed twice: give it one role (or 'both').")
                % {"country": link.country.name}
            )
        seen.add(link.country.pk)
        if link.role not in CountryRole.values:
            errors.setdefault("countries", []).append(
                _("Unknown country role %(role)r.") % {"role": link.role}
            )
        if link.share is not None and not Decimal(0) <= link.share <= Decimal(100):
            errors.setdefault("countries", []).append(
                _("The share of %(country)s must be between 0 and 100%%.")
                % {"country": link.country.name}
            )
    shares = [link.share for link in data.countries if link.share is not None]
    if shares and (len(shares) != len(data.countries) or sum(shares) != Decimal(100)):
        errors.setdefault("countries", []).append(
            _(
                "Either leave every share empty (equal split) or give every country a share, "
                "adding up to 100%."
            )
        )
    partner_ids: set[int] = set()
    for plink in data.partners:
        if plink.partner.pk in partner_ids:
            errors.setdefault("partners", []).append(
                _("%(partner)s is listed twice: tick all its roles on one line.")
                % {"partner": plink.partner.name}
            )
        partner_ids.add(plink.partner.pk)
        if not plink.roles:
            errors.setdefault("partners", []).append(
                _("Give %(partner)s at least one role.") % {"partner": plink.partner.name}
            )
        unknown = set(plink.roles) - set(PartnerRole.values)
        if unknown:
            errors.setdefault("partners", []).append(
                _("Unknown partner role %(role)r.") % {"role": sorted(unknown)[0]}
            )
    if not list(data.themes):
        errors.setdefault("themes", []).append(_("Choose at least one theme."))
    return errors


def _validate(activity: Activity, data: ActivityData, *, exclude: Sequence[str] = ()) -> None:
    errors = _check_links(data)
    try:
        activity.full_clean(exclude=["ssc_id", *exclude], validate_unique=False)
    except ValidationError as error:
        for name, messages in ActivityError.from_validation_error(error).errors.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ActivityError(errors)


def _sync_countries(activity: Activity, links: Sequence[CountryLink], user: User | None) -> None:
    existing = {link.country_id: link for link in activity.country_links.all()}
    wanted = {link.country.pk: link for link in links}
    for country_id, stale in existing.items():
        if country_id not in wanted:
            stale._history_user = user  # type: ignore[attr-defined]
            stale.delete()
    for country_id, link in wanted.items():
        row = existing.get(country_id)
        if row is None:
            row = ActivityCountry(activity=activity, country=link.country)
        elif row.role == link.role and row.share == link.share:
            continue
        row.role, row.share = link.role, link.share
        row._history_user = user  # type: ignore[attr-defined]
        row.save()


def _sync_partners(activity: Activity, links: Sequence[PartnerLink], user: User | None) -> None:
    existing = {(row.partner_id, row.role): row for row in activity.partner_links.all()}
    wanted = {(link.partner.pk, role): link.partner for link in links for role in link.roles}
    for key, row in existing.items():
        if key not in wanted:
            row._history_user = user  # type: ignore[attr-defined]
            row.delete()
    for (partner_id, role), partner in wanted.items():
        if (partner_id, role) not in existing:
            row = ActivityPartner(activity=activity, partner=partner, role=role)
            row._history_user = user  # type: ignore[attr-defined]
            row.save()


def _sync_m2m(activity: Activity, data: ActivityData) -> None:
    # Setting an unchanged m2m would still write a history row: only touch what changed.
    themes = {theme.pk for theme in data.themes}
    if themes != set(activity.themes.values_list("pk", flat=True)):
        activity.themes.set(themes)
    sdgs = {sdg.pk for sdg in data.sdgs}
    if sdgs != set(activity.sdgs.values_list("pk", flat=True)):
        activity.sdgs.set(sdgs)


def _insert_with_ssc_id(activity: Activity, requested: str) -> None:
    """Save a new activity under the requested SSC ID, or the next free one for its year."""
    if requested:
        if Activity.objects.filter(ssc_id=requested).exists():
            raise ActivityError(
                {"ssc_id": [_("SSC ID %(id)s is already used.") % {"id": requested}]}
            )
        activity.ssc_id = requested
        activity.save()
        return
    year = activity.year or timezone.localdate().year
    for _attempt in range(SSC_ID_ATTEMPTS):
        taken = Activity.objects.filter(ssc_id__startswith=f"SSC-{year}-").values_list(
            "ssc_id", flat=True
        )
        activity.ssc_id = next_ssc_id(year, taken)
        try:
            # A savepoint, so that losing a race to a concurrent creation can be retried.
            with transaction.atomic():
                activity.save()
            return
        except IntegrityError:
            activity.pk = None
    raise ActivityError(_("Could not allocate an SSC ID; please try again."))


@transaction.atomic
def create_activity(*, data: ActivityData, user: User | None) -> Activity:
    activity = Activity(
        created_by=user,
        **{k: v for k, v in data.fields.items() if k in (*EDITABLE_FIELDS, "status")},
    )
    if activity.responsible_cpm is None and user is not None and user.is_cpm:
        activity.responsible_cpm = user
    _validate(activity, data)
    activity._history_user = user  # type: ignore[attr-defined]
    _insert_with_ssc_id(activity, data.ssc_id.strip())
    _sync_countries(activity, data.countries, user)
    _sync_partners(activity, data.partners, user)
    _sync_m2m(activity, data)
    StatusChange.objects.create(
        activity=activity,
        from_status="",
        to_status=activity.status,
        note=data.status_note or _("Created"),
        changed_by=user,
    )
    return activity


def _lock_current_version(activity: Activity, expected_version: int | None) -> None:
    """Claim the next version, or fail if someone saved since `expected_version`.

    The conditional UPDATE is atomic in the database, so two saves of the same version cannot
    both succeed, whichever database runs it.
    """
    expected = activity.version if expected_version is None else expected_version
    claimed = Activity.objects.filter(pk=activity.pk, version=expected).update(
        version=F("version") + 1
    )
    if not claimed:
        raise ConflictError(Activity.objects.get(pk=activity.pk))
    activity.version = expected + 1


@transaction.atomic
def update_activity(
    *, activity: Activity, data: ActivityData, user: User | None, expected_version: int | None
) -> Activity:
    # Compare with what is stored, not with the instance: a ModelForm has already copied the
    # submitted values onto it.
    previous_status = Activity.objects.values_list("status", flat=True).get(pk=activity.pk)
    for name, value in data.fields.items():
        if name in EDITABLE_FIELDS or name == "status":
            setattr(activity, name, value)
    new_status = activity.status
    activity.status = previous_status
    if new_status != previous_status and not activity.can_move_to(new_status):
        raise ActivityError({"status": [_transition_message(activity, new_status)]})
    activity.status = new_status
    _validate(activity, data)
    _lock_current_version(activity, expected_version)
    activity._history_user = user  # type: ignore[attr-defined]
    activity.save()
    _sync_countries(activity, data.countries, user)
    _sync_partners(activity, data.partners, user)
    _sync_m2m(activity, data)
    if new_status != previous_status:
        StatusChange.objects.create(
            activity=activity,
            from_status=previous_status,
            to_status=new_status,
            note=data.status_note,
            changed_by=user,
        )
    return activity


def _transition_message(activity: Activity, new_status: str) -> str:
    from .models import Status

    allowed = ", ".join(str(Status(s).label) for s in activity.allowed_next_statuses)
    return _("An activity cannot move from %(old)s to %(new)s. Allowed next: %(allowed)s.") % {
        "old": activity.get_status_display(),
        "new": Status(new_status).label if new_status in Status.values else new_status,
        "allowed": allowed or _("none (this status is final)"),
    }


@transaction.atomic
def change_status(
    *,
    activity: Activity,
    status: str,
    note: str,
    user: User | None,
    expected_version: int | None = None,
) -> Activity:
    if status == activity.status:
        raise ActivityError({"status": [_("The activity already has this status.")]})
    if not activity.can_move_to(status):
        raise ActivityError({"status": [_transition_message(activity, status)]})
    _lock_current_version(activity, expected_version)
    previous = activity.status
    activity.status = status
    activity._history_user = user  # type: ignore[attr-defined]
    activity.save(update_fields=["status", "version", "updated_at"])
    StatusChange.objects.create(
        activity=activity, from_status=previous, to_status=status, note=note, changed_by=user
    )
    return activity


# --- Partners ---------------------------------------------------------------------------------


class PartnerError(ActivityError):
    pass


def find_duplicate_partner(
    name: str, country: Country | None, *, exclude_pk: int | None = None
) -> Partner | None:
    rows = Partner.objects.filter(name_key=normalize_name(name), country=country)
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    return rows.first()


def _save_partner(partner: Partner, user: User | None) -> Partner:
    partner.name = " ".join(partner.name.split())
    partner.name_key = normalize_name(partner.name)
    try:
        partner.full_clean(exclude=["name_key"], validate_constraints=False)
    except ValidationError as error:
        raise PartnerError.from_validation_error(error) from None
    duplicate = find_duplicate_partner(partner.name, partner.country, exclude_pk=partner.pk)
    if duplicate:
        raise PartnerError(
            {
                "name": [
                    _("%(name)s already exists in %(country)s: use it, or merge the two.")
                    % {
                        "name": duplicate.name,
                        "country": duplicate.country or _("no country"),
                    }
                ]
            }
        )
    partner._history_user = user  # type: ignore[attr-defined]
    partner.save()
    return partner


@transaction.atomic
def create_partner(*, user: User | None, **values: Any) -> Partner:
    return _save_partner(Partner(**values), user)


@transaction.atomic
def update_partner(*, partner: Partner, user: User | None, **values: Any) -> Partner:
    for name, value in values.items():
        setattr(partner, name, value)
    return _save_partner(partner, user)


@transaction.atomic
def merge_partners(*, keep: Partner, remove: Partner, user: User | None) -> Partner:
    """Move every link of `remove` onto `keep`, then delete `remove`.

    A role both already play in the same activity is kept once. Other apps that point at
    partners register their own mover in PARTNER_MERGE_HOOKS so that no link is left behind.
    """
    if keep.pk == remove.pk:
        raise PartnerError(_("Choose two different partners to merge."))
    for row in ActivityPartner.objects.filter(partner=remove).select_related("activity"):
        clash = ActivityPartner.objects.filter(
            activity_id=row.activity_id, partner=keep, role=row.role
        ).exists()
        row._history_user = user  # type: ignore[attr-defined]
        if clash:
            row.delete()
        else:
            row.partner = keep
            row.save()
    for hook in PARTNER_MERGE_HOOKS:
        hook(keep, remove, user)
    from accounts.models import User as UserModel

    UserModel.objects.filter(partner=remove).update(partner=keep)
    for name in ("acronym", "website", "iati_identifier"):
        if not getattr(keep, name) and getattr(remove, name):
            setattr(keep, name, getattr(remove, name))
    keep._history_user = user  # type: ignore[attr-defined]
    keep.save()
    remove._history_user = user  # type: ignore[attr-defined]
    remove.delete()
    return keep


PARTNER_MERGE_HOOKS: list[Any] = []
