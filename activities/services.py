"""Writes to activities and partners.

Every change to an activity, its countries, partners and status goes through these functions, so
that each one is validated the same way from the browser, the API and the importers, runs in one
transaction, and is recorded in the audit history with its author.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.text import field_errors, ssc_id_problem

# The roll-ups sum money by the activity's division, modality, funding nature, visibility,
# status, countries and themes: a change to any of them must refresh the figures.
from finance.rollups import request_refresh_for_activities, request_refresh_for_changed_activities

from . import bulk
from .access import loggable_divisions, responsible_cpms
from .models import (
    SDG,
    Activity,
    ActivityCountry,
    ActivityPartner,
    Country,
    CountryRole,
    Division,
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
    if errors:
        raise ActivityError(errors)


def _sync_countries(activity: Activity, links: Sequence[CountryLink], user: User | None) -> bool:
    """Bring the country links to `links`; return whether the roll-ups must follow: a country
    added or removed or a share changed (the money's split), or a role changed (who shares
    with whom, finance.models.ActivityPair)."""
    existing = {link.country_id: link for link in activity.country_links.all()}
    wanted = {link.country.pk: link for link in links}
    changed = existing.keys() != wanted.keys()
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
        changed = True
        row.role, row.share = link.role, link.share
        row._history_user = user  # type: ignore[attr-defined]
        row.save()
    return changed


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
def create_activity(*, data: ActivityData, user: User | None) -> Activity:
    activity = _new_activity(data, user)
    _check_placement(activity, user)
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


# The activity's own fields the roll-ups sum by (finance.rollups copies them into their rows).
ROLLUP_FIELDS = ("lead_division_id", "modality", "funding_nature", "visibility", "status")


@transaction.atomic
def update_activity(
    *, activity: Activity, data: ActivityData, user: User | None, expected_version: int | None
) -> Activity:
    # Compare with what is stored, not with the instance: a ModelForm has already copied the
    # submitted values onto it.
    row = Activity.objects.values(*ROLLUP_FIELDS, "responsible_cpm_id").get(pk=activity.pk)
    stored = tuple(row[name] for name in ROLLUP_FIELDS)
    previous_status = row["status"]
    new_status = _apply_fields(activity, data, previous_status)
    _check_placement(
        activity,
        user,
        stored_division_id=row["lead_division_id"],
        stored_cpm_id=row["responsible_cpm_id"],
    )
    _validate(activity, data)
    _lock_current_version(activity, expected_version)
    activity._history_user = user  # type: ignore[attr-defined]
    activity.save()
    rollups_stale = _sync_countries(activity, data.countries, user)
    _sync_partners(activity, data.partners, user)
    rollups_stale |= _sync_m2m(activity, data)
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
        # Its money leaves the old division's slices too.
        request_refresh_for_activities([activity.pk], extra_divisions=[old_division])
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
    request_refresh_for_activities([activity.pk])
    return activity


# --- Many activities at once (importers) ------------------------------------------------------
#
# One by one, an activity costs some thirty queries. The functions below check each activity as
# create_activity and update_activity do, then write a whole batch, audit history included, in a
# number of queries that does not grow with the batch.

# Activity's m2m fields (all tracked by its history) -> the column naming the other side.
M2M_TARGETS = {"themes": "theme_id", "sdgs": "sdg_id"}


@dataclass
class PreparedActivity:
    """A checked write for save_activities: a new activity (no pk yet) or a changed one."""

    activity: Activity
    data: ActivityData
    previous_status: str = ""
    expected_version: int = 0


class ActivityBatchError(ActivityError):
    """save_activities refused its batch; `by_item` maps positions in the batch to errors."""

    def __init__(self, by_item: dict[int, ActivityError]):
        self.by_item = by_item
        super().__init__({"__all__": [str(error) for error in by_item.values()]})


def _loaded_relations(activity: Activity) -> list[str]:
    # Foreign keys set to rows the caller loaded: asking the database whether each still exists
    # would cost a query per activity, and its foreign key constraint guards the write anyway.
    return [
        f.name
        for f in Activity._meta.concrete_fields
        if f.is_relation and getattr(activity, f.attname) is not None
    ]


def prepare_new_activity(*, data: ActivityData, user: User | None) -> PreparedActivity:
    """Check a new activity as create_activity does, without writing; ActivityError if it is not
    valid. A batch keeps the SSC IDs it is given (importers always carry one)."""
    if not data.ssc_id.strip():
        raise ActivityError({"ssc_id": [_("Give the SSC ID.")]})
    activity = _new_activity(data, user)
    activity.ssc_id = data.ssc_id.strip()
    _validate(activity, data, exclude=_loaded_relations(activity))
    return PreparedActivity(activity, data)


def prepare_activity_update(
    *, activity: Activity, data: ActivityData, expected_version: int | None
) -> PreparedActivity:
    """Check a change as update_activity does, without writing; ActivityError if it is refused.
    The fields are copied onto `activity`, which must be as loaded from the database."""
    previous_status = activity.status
    expected = activity.version if expected_version is None else expected_version
    _apply_fields(activity, data, previous_status)
    _validate(activity, data, exclude=_loaded_relations(activity))
    return PreparedActivity(activity, data, previous_status, expected)


@transaction.atomic
def save_activities(
    *, items: Sequence[PreparedActivity], user: User | None, reason: str | None = None
) -> None:
    """Write prepared activities with their countries, partner roles, themes, SDGs and status
    notes. All or none: ActivityBatchError when an SSC ID is taken or an activity changed since
    it was loaded (the versions are checked under a row lock, then claimed).

    The audit history gets what single saves give it, with one activity snapshot per write: '+'
    for a new activity, '~' for a change, each with its themes and SDGs; a row per country link
    and partner role added, changed or removed; every row carrying `user`, the same moment and
    `reason` (what the change came through: an import run names itself there).
    """
    if not items:
        return
    now = timezone.now()
    new = [item for item in items if item.activity.pk is None]
    changed = [item for item in items if item.activity.pk is not None]
    changed_ids = [item.activity.pk for item in changed]
    _claim_batch(items, changed_ids)
    # Before the update: the money of an activity that changes division leaves the old one's
    # roll-ups.
    old_divisions = dict(
        Activity.objects.filter(pk__in=changed_ids).values_list("pk", "lead_division_id")
    )

    bulk.insert([item.activity for item in new])
    if changed:
        fields = {"version", "updated_at"} | {
            name
            for item in changed
            for name in item.data.fields
            if name in EDITABLE_FIELDS or name == "status"
        }
        for item in changed:
            item.activity.version = item.expected_version + 1
            item.activity.updated_at = now  # an update of chosen fields does not apply auto_now
        bulk.update([item.activity for item in changed], sorted(fields))

    _sync_country_batch(items, changed_ids, user, now, reason)
    _sync_partner_batch(items, changed_ids, user, now, reason)
    through_rows = _sync_m2m_batch(items, changed_ids)

    records = bulk.insert_history(
        [item.activity for item in new],
        history_type="+",
        user=user,
        when=now,
        ids=True,
        reason=reason,
    ) + bulk.insert_history(
        [item.activity for item in changed],
        history_type="~",
        user=user,
        when=now,
        ids=True,
        reason=reason,
    )
    for name, rows_by_activity in through_rows.items():
        # The snapshot of the m2m that simple-history takes with every activity record.
        snapshot = apps.get_model("activities", f"HistoricalActivity_{name}")
        target = M2M_TARGETS[name]
        bulk.insert_rows(
            snapshot,
            [
                {
                    "history_id": record_id,
                    "id": row.pk,
                    "activity_id": row.activity_id,
                    target: getattr(row, target),
                }
                for item, record_id in zip([*new, *changed], records, strict=True)
                for row in rows_by_activity[item.activity.pk].values()
            ],
        )

    bulk.insert_rows(
        StatusChange,
        [
            {
                "activity_id": item.activity.pk,
                "from_status": item.previous_status,
                "to_status": item.activity.status,
                "note": item.data.status_note or ("" if item.previous_status else _("Created")),
                "changed_by_id": user.pk if user else None,
            }
            for item in items
            if item.activity.status != item.previous_status
        ],
    )
    # A changed activity's cells follow its new countries, themes and fields (its money, if
    # any: a new activity has none yet). Every changed one is refreshed, whatever changed: a
    # refresh that finds its cells right writes nothing.
    request_refresh_for_changed_activities(
        {
            item.activity.pk: {old_divisions[item.activity.pk], item.activity.lead_division_id}
            for item in changed
        }
    )


def _claim_batch(items: Sequence[PreparedActivity], changed_ids: list[int]) -> None:
    errors: dict[int, ActivityError] = {}
    requested: dict[str, int] = {}
    for position, item in enumerate(items):
        if item.activity.pk is None:
            ssc_id = item.activity.ssc_id
            if ssc_id in requested:
                errors[position] = ActivityError(
                    {"ssc_id": [_("SSC ID %(id)s is given twice.") % {"id": ssc_id}]}
                )
            requested[ssc_id] = position
    for ssc_id in Activity.objects.filter(ssc_id__in=requested).values_list("ssc_id", flat=True):
        errors[requested[ssc_id]] = ActivityError(
            {"ssc_id": [_("SSC ID %(id)s is already used.") % {"id": ssc_id}]}
        )
    # The lock holds these rows until the batch commits: nobody can save them in between.
    versions = dict(
        Activity.objects.select_for_update().filter(pk__in=changed_ids).values_list("pk", "version")
    )
    for position, item in enumerate(items):
        pk = item.activity.pk
        if pk is not None and versions.get(pk) != item.expected_version:
            item.activity.version = versions.get(pk, item.activity.version)
            errors[position] = ConflictError(item.activity)
    if errors:
        raise ActivityBatchError(errors)


def _delete_with_history(
    model: type[ActivityCountry] | type[ActivityPartner],
    rows: list[Any],
    user: User | None,
    when: datetime.datetime,
    reason: str | None,
) -> None:
    """Delete link rows and record each deletion with its author, in two queries.

    QuerySet.delete() would send a signal per row, on which simple-history records the deletion
    without its author (it looks for the author on instances the queryset loads itself). Nothing
    points at link rows, so the plain delete that Django uses when no signal listens is safe.
    """
    if not rows:
        return
    bulk.insert_history(rows, history_type="-", user=user, when=when, reason=reason)
    queryset = model.objects.filter(pk__in=[row.pk for row in rows])
    queryset._raw_delete(queryset.db)


def _sync_country_batch(
    items: Sequence[PreparedActivity],
    changed_ids: list[int],
    user: User | None,
    when: datetime.datetime,
    reason: str | None,
) -> None:
    existing: dict[int, dict[int, ActivityCountry]] = defaultdict(dict)
    for row in ActivityCountry.objects.filter(activity_id__in=changed_ids):
        existing[row.activity_id][row.country_id] = row
    stale: list[ActivityCountry] = []
    updated: list[ActivityCountry] = []
    fresh: list[ActivityCountry] = []
    for item in items:
        current = existing.get(item.activity.pk, {})
        wanted = {link.country.pk: link for link in item.data.countries}
        stale += [row for country_id, row in current.items() if country_id not in wanted]
        for country_id, link in wanted.items():
            link_row = current.get(country_id)
            if link_row is None:
                fresh.append(
                    ActivityCountry(
                        activity=item.activity,
                        country=link.country,
                        role=link.role,
                        share=link.share,
                    )
                )
            elif (link_row.role, link_row.share) != (link.role, link.share):
                link_row.role, link_row.share = link.role, link.share
                updated.append(link_row)
    _delete_with_history(ActivityCountry, stale, user, when, reason)
    if updated:
        bulk.update(updated, ["role", "share"])
        bulk.insert_history(updated, history_type="~", user=user, when=when, reason=reason)
    bulk.insert_with_history(fresh, user=user, when=when, reason=reason)


def _sync_partner_batch(
    items: Sequence[PreparedActivity],
    changed_ids: list[int],
    user: User | None,
    when: datetime.datetime,
    reason: str | None,
) -> None:
    existing: dict[int, dict[tuple[int, str], ActivityPartner]] = defaultdict(dict)
    for row in ActivityPartner.objects.filter(activity_id__in=changed_ids):
        existing[row.activity_id][(row.partner_id, row.role)] = row
    stale: list[ActivityPartner] = []
    fresh: list[ActivityPartner] = []
    for item in items:
        current = existing.get(item.activity.pk, {})
        wanted = {
            (link.partner.pk, role): link.partner
            for link in item.data.partners
            for role in link.roles
        }
        stale += [row for key, row in current.items() if key not in wanted]
        fresh += [
            ActivityPartner(activity=item.activity, partner=partner, role=role)
            for (partner_id, role), partner in wanted.items()
            if (partner_id, role) not in current
        ]
    _delete_with_history(ActivityPartner, stale, user, when, reason)
    bulk.insert_with_history(fresh, user=user, when=when, reason=reason)


def _sync_m2m_batch(
    items: Sequence[PreparedActivity], changed_ids: list[int]
) -> dict[str, dict[int, dict[int, Any]]]:
    """Bring themes and SDGs to what each item asks for, without the m2m signals (whose history
    rows would name no author); return, per field, each activity's rows after the write."""
    result: dict[str, dict[int, dict[int, Any]]] = {}
    for name in M2M_TARGETS:
        through = getattr(Activity, name).through
        target = M2M_TARGETS[name]
        rows: dict[int, dict[int, Any]] = defaultdict(dict)
        for row in through.objects.filter(activity_id__in=changed_ids):
            rows[row.activity_id][getattr(row, target)] = row
        stale: list[int] = []
        fresh: list[Any] = []
        for item in items:
            current = rows[item.activity.pk]
            wanted = {obj.pk for obj in getattr(item.data, name)}
            for pk in set(current) - wanted:
                stale.append(current.pop(pk).pk)
            for pk in sorted(wanted - set(current)):
                current[pk] = through(activity_id=item.activity.pk, **{target: pk})
                fresh.append(current[pk])
        if stale:
            through.objects.filter(pk__in=stale).delete()
        bulk.insert(fresh)
        result[name] = rows
    return result


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
    # Checked before the spaces are tidied: a line break or tab is refused, not made a space.
    if refused := field_errors(Partner, {"name": partner.name}):
        raise PartnerError(refused)
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
def create_partners(
    *, partners: Sequence[Partner], user: User | None, reason: str | None = None
) -> list[Partner]:
    """Create unsaved partners with the checks and history create_partner gives each one, in a
    few queries (importers meet hundreds of new organizations); PartnerError lists every refusal.
    """
    errors: dict[str, list[str]] = {}
    keys: set[tuple[str, int | None]] = set()
    for partner in partners:
        partner.name = " ".join(partner.name.split())
        partner.name_key = normalize_name(partner.name)
        try:
            partner.full_clean(exclude=["name_key"], validate_constraints=False)
        except ValidationError as error:
            for name, messages in PartnerError.from_validation_error(error).errors.items():
                errors.setdefault(name, []).extend(f"{partner.name}: {m}" for m in messages)
        if (partner.name_key, partner.country_id) in keys:
            errors.setdefault("name", []).append(
                _("%(name)s is listed twice.") % {"name": partner.name}
            )
        keys.add((partner.name_key, partner.country_id))
    for duplicate in Partner.objects.filter(
        name_key__in={key for key, _country in keys}
    ).select_related("country"):
        if (duplicate.name_key, duplicate.country_id) in keys:
            errors.setdefault("name", []).append(
                _("%(name)s already exists in %(country)s: use it, or merge the two.")
                % {"name": duplicate.name, "country": duplicate.country or _("no country")}
            )
    if errors:
        raise PartnerError(errors)
    bulk.insert_with_history(partners, user=user, when=timezone.now(), reason=reason)
    return list(partners)


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
