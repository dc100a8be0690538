"""Writes to one activity: creation, change, status moves, each validated the same way."""

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

from accounts.text import field_errors, ssc_id_problem

from ..access import loggable_divisions, responsible_cpms
from ..history import Through, marked
from ..models import (
    SDG,
    Activity,
    ActivityCountry,
    ActivityPartner,
    Country,
    CountryRole,
    Division,
    Partner,
    PartnerRole,
    Status,
    StatusChange,
    Theme,
    next_ssc_id,
)
from ..signals import activities_changed, activities_saved
from .errors import ActivityError, ConflictError
from .texts import TextVersion, check_texts, sync_texts

if TYPE_CHECKING:
    from accounts.models import User

SSC_ID_ATTEMPTS = 5


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
    # The title and summary in other languages; None keeps those the activity has (callers
    # that do not deal in them: importers, a PATCH leaving them out).
    texts: Sequence[TextVersion] | None = None


EDITABLE_FIELDS = (
    "title",
    "summary",
    "language",
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
                % {"country": link.country.display_name}
            )
        seen.add(link.country.pk)
        if link.role not in CountryRole.values:
            errors.setdefault("countries", []).append(
                _("Unknown country role %(role)r.") % {"role": link.role}
            )
        if link.share is not None and not Decimal(0) <= link.share <= Decimal(100):
            errors.setdefault("countries", []).append(
                _("The share of %(country)s must be between 0 and 100%%.")
                % {"country": link.country.display_name}
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


def _validate(
    activity: Activity,
    data: ActivityData,
    *,
    exclude: Sequence[str] = (),
    status_facts: bool = False,
    known_gaps: Iterable[str] = (),
) -> None:
    """Every refusal of the write at once, by field. `status_facts`: also what the status
    needs (Activity.missing_status_facts), except the `known_gaps` the record already had in
    that status. The forms, the status change and the API ask for it; the importers keep what
    the workbook says, and so does a later edit that leaves it as it was: the list flags it."""
    errors = _check_links(data)
    if problems := check_texts(activity.language, data.texts):
        errors["texts"] = problems
    requested = data.ssc_id.strip()
    if requested and ssc_id_problem(requested):
        errors["ssc_id"] = [ssc_id_problem(requested)]
    for messages in field_errors(StatusChange, {"note": data.status_note}).values():
        errors.setdefault("status_note", []).extend(messages)
    try:
        activity.full_clean(exclude=["ssc_id", *exclude], validate_unique=False)
    except ValidationError as error:
        for name, messages in ActivityError.from_validation_error(error).errors.items():
            errors.setdefault(name, []).extend(messages)
    if status_facts:
        for name, message in activity.missing_status_facts().items():
            if name not in known_gaps:
                errors.setdefault(name, []).append(str(message))
    if errors:
        raise ActivityError(errors)


def _by(row: Any, user: User | None, through: Through | None) -> Any:
    """The row, marked with who changes it and through what, for the snapshot its next save or
    delete writes (django-simple-history reads both; an activity's also marks its themes' and
    SDGs' snapshots). Set each time, so that a row saved again does not keep an older reason."""
    row._history_user = user
    return marked(row, through)


def _sync_countries(
    activity: Activity, links: Sequence[CountryLink], user: User | None, through: Through | None
) -> bool:
    """Bring the country links to `links`; return whether the roll-ups must follow: a country
    added or removed or a share changed (the money's split), or a role changed (who shares
    with whom, finance.models.ActivityPair)."""
    existing = {link.country_id: link for link in activity.country_links.all()}
    wanted = {link.country.pk: link for link in links}
    changed = existing.keys() != wanted.keys()
    for country_id, stale in existing.items():
        if country_id not in wanted:
            _by(stale, user, through).delete()
    for country_id, link in wanted.items():
        row = existing.get(country_id)
        if row is None:
            row = ActivityCountry(activity=activity, country=link.country)
        elif row.role == link.role and row.share == link.share:
            continue
        changed = True
        row.role, row.share = link.role, link.share
        _by(row, user, through).save()
    return changed


def _sync_partners(
    activity: Activity, links: Sequence[PartnerLink], user: User | None, through: Through | None
) -> None:
    existing = {(row.partner_id, row.role): row for row in activity.partner_links.all()}
    wanted = {(link.partner.pk, role): link.partner for link in links for role in link.roles}
    for key, row in existing.items():
        if key not in wanted:
            _by(row, user, through).delete()
    for (partner_id, role), partner in wanted.items():
        if (partner_id, role) not in existing:
            row = ActivityPartner(activity=activity, partner=partner, role=role)
            _by(row, user, through).save()


def _sync_m2m(activity: Activity, data: ActivityData) -> bool:
    """Set the themes and SDGs; return whether the themes changed (the money's split)."""
    # Setting an unchanged m2m would still write a history row: only touch what changed.
    themes = {theme.pk for theme in data.themes}
    themes_changed = themes != set(activity.themes.values_list("pk", flat=True))
    if themes_changed:
        activity.themes.set(themes)
    sdgs = {sdg.pk for sdg in data.sdgs}
    if sdgs != set(activity.sdgs.values_list("pk", flat=True)):
        activity.sdgs.set(sdgs)
    return themes_changed


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


def _new_activity(data: ActivityData, user: User | None) -> Activity:
    activity = Activity(
        created_by=user,
        **{k: v for k, v in data.fields.items() if k in (*EDITABLE_FIELDS, "status")},
    )
    if activity.responsible_cpm is None and user is not None and user.is_cpm:
        activity.responsible_cpm = user
    return activity


def _check_placement(
    activity: Activity,
    user: User | None,
    *,
    stored_division_id: int | None = None,
    stored_cpm_id: int | None = None,
) -> None:
    """A CPM creates activities, and moves them, only within their divisions and countries,
    and names a responsible CPM of the lead division (or a focal point): otherwise the money
    they record would reach another division's dashboard and the IATI file under its name.

    Checked on creation and when the lead division or the responsible CPM changes, so that an
    activity the focal point placed elsewhere stays editable by the CPM it names. The focal
    point (and server-side callers, user None) place activities freely.
    """
    if user is None or user.is_focal_point or activity.lead_division_id is None:
        return
    new = activity.pk is None
    moved = new or activity.lead_division_id != stored_division_id
    allowed = loggable_divisions(user)
    if moved and not allowed.filter(pk=activity.lead_division_id).exists():
        codes = ", ".join(allowed.order_by("code").values_list("code", flat=True))
        raise ActivityError(
            {
                "lead_division": [
                    _(
                        "Lead division: choose one of your divisions (%(codes)s); CPMs log the "
                        "activities of their own divisions and countries."
                    )
                    % {"codes": codes or _("none: ask the focal point to give you one")}
                ]
            }
        )
    reassigned = moved or activity.responsible_cpm_id != stored_cpm_id
    if (
        reassigned
        and activity.responsible_cpm_id is not None
        and not responsible_cpms(Division.objects.filter(pk=activity.lead_division_id))
        .filter(pk=activity.responsible_cpm_id)
        .exists()
    ):
        raise ActivityError(
            {
                "responsible_cpm": [
                    _(
                        "Responsible CPM: choose a CPM of %(division)s or a focal point; "
                        "%(person)s is not."
                    )
                    % {"division": activity.lead_division, "person": activity.responsible_cpm}
                ]
            }
        )


@transaction.atomic
def create_activity(
    *, data: ActivityData, user: User | None, through: Through | None = None
) -> Activity:
    """`through`: the page's form or the API, kept in every snapshot the creation writes."""
    activity = _new_activity(data, user)
    _check_placement(activity, user)
    _validate(activity, data, status_facts=True)
    _by(activity, user, through)
    _insert_with_ssc_id(activity, data.ssc_id.strip())
    _sync_countries(activity, data.countries, user, through)
    _sync_partners(activity, data.partners, user, through)
    _sync_m2m(activity, data)
    sync_texts(activity, data.texts, user, through)
    StatusChange.objects.create(
        activity=activity,
        from_status="",
        to_status=activity.status,
        note=data.status_note or _("Created"),
        changed_by=user,
    )
    activities_saved.send(sender=Activity, activity_ids={activity.pk}, user=user)
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


# What Activity.missing_status_facts reads.
STATUS_FACT_FIELDS = ("status", "actual_start", "actual_end", "outcomes")

# The activity's own fields its money is summed by (activities.signals.activities_changed).
ROLLUP_FIELDS = ("lead_division_id", "modality", "funding_nature", "visibility", "status")


@transaction.atomic
def update_activity(
    *,
    activity: Activity,
    data: ActivityData,
    user: User | None,
    expected_version: int | None,
    through: Through | None = None,
) -> Activity:
    # Compare with what is stored, not with the instance: a ModelForm has already copied the
    # submitted values onto it.
    row = Activity.objects.values(
        *ROLLUP_FIELDS, "responsible_cpm_id", "actual_start", "actual_end", "outcomes"
    ).get(pk=activity.pk)
    stored = tuple(row[name] for name in ROLLUP_FIELDS)
    previous_status = row["status"]
    # What the stored record already lacked for its status (an import keeps it): an edit that
    # keeps the status need not complete it, but may not open a new gap.
    as_stored = Activity(pk=activity.pk, **{name: row[name] for name in STATUS_FACT_FIELDS})
    gaps = as_stored.missing_status_facts()
    new_status = _apply_fields(activity, data, previous_status)
    _check_placement(
        activity,
        user,
        stored_division_id=row["lead_division_id"],
        stored_cpm_id=row["responsible_cpm_id"],
    )
    _validate(
        activity,
        data,
        status_facts=True,
        known_gaps=gaps if new_status == previous_status else (),
    )
    _lock_current_version(activity, expected_version)
    _by(activity, user, through).save()
    rollups_stale = _sync_countries(activity, data.countries, user, through)
    _sync_partners(activity, data.partners, user, through)
    rollups_stale |= _sync_m2m(activity, data)
    sync_texts(activity, data.texts, user, through)
    if new_status != previous_status:
        StatusChange.objects.create(
            activity=activity,
            from_status=previous_status,
            to_status=new_status,
            note=data.status_note,
            changed_by=user,
        )
    if rollups_stale or tuple(getattr(activity, name) for name in ROLLUP_FIELDS) != stored:
        old_division = stored[ROLLUP_FIELDS.index("lead_division_id")]
        activities_changed.send(
            sender=Activity, divisions={activity.pk: {old_division, activity.lead_division_id}}
        )
    activities_saved.send(sender=Activity, activity_ids={activity.pk}, user=user)
    return activity


def _apply_fields(activity: Activity, data: ActivityData, previous_status: str) -> str:
    """Copy the editable fields onto `activity`; refuse a status move the workflow forbids."""
    for name, value in data.fields.items():
        if name in EDITABLE_FIELDS or name == "status":
            setattr(activity, name, value)
    new_status = activity.status
    activity.status = previous_status
    if new_status != previous_status and not activity.can_move_to(new_status):
        raise ActivityError({"status": [_transition_message(activity, new_status)]})
    activity.status = new_status
    return new_status


def _transition_message(activity: Activity, new_status: str) -> str:
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
    through: Through | None = None,
) -> Activity:
    if status == activity.status:
        raise ActivityError({"status": [_("The activity already has this status.")]})
    if not activity.can_move_to(status):
        raise ActivityError({"status": [_transition_message(activity, status)]})
    if missing := activity.missing_status_facts(status):
        raise ActivityError({name: [str(message)] for name, message in missing.items()})
    _lock_current_version(activity, expected_version)
    previous = activity.status
    activity.status = status
    _by(activity, user, through).save(update_fields=["status", "version", "updated_at"])
    StatusChange.objects.create(
        activity=activity, from_status=previous, to_status=status, note=note, changed_by=user
    )
    activities_changed.send(sender=Activity, divisions={activity.pk: {activity.lead_division_id}})
    activities_saved.send(sender=Activity, activity_ids={activity.pk}, user=user)
    return activity
