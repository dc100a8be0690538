"""Many activities at once (importers).

One by one, an activity costs some thirty queries. The functions below check each activity as
create_activity and update_activity do, then write a whole batch, audit history included, in a
number of queries that does not grow with the batch.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import bulk
from ..models import Activity, ActivityCountry, ActivityPartner, StatusChange
from ..signals import activities_changed, activities_saved
from .activity import EDITABLE_FIELDS, ActivityData, _apply_fields, _new_activity, _validate
from .errors import ActivityError, ConflictError

if TYPE_CHECKING:
    from accounts.models import User

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
    # figures.
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

    _record_activity_history(new, changed, through_rows, user, now, reason)
    _record_status_changes(items, user)
    # A changed activity's money follows its new countries, themes and fields (a new activity
    # has none yet). Every changed one is announced, whatever changed: a roll-up refresh that
    # finds its cells right writes nothing.
    activities_changed.send(
        sender=Activity,
        divisions={
            item.activity.pk: {old_divisions[item.activity.pk], item.activity.lead_division_id}
            for item in changed
        },
    )
    activities_saved.send(
        sender=Activity, activity_ids={item.activity.pk for item in items}, user=user
    )


def _record_activity_history(
    new: list[PreparedActivity],
    changed: list[PreparedActivity],
    through_rows: dict[str, dict[int, dict[int, Any]]],
    user: User | None,
    now: datetime.datetime,
    reason: str | None,
) -> None:
    """One history record per activity written, each with the snapshot of its themes and SDGs."""
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


def _record_status_changes(items: Sequence[PreparedActivity], user: User | None) -> None:
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
    points at link rows, so one plain DELETE, as Django sends when no signal listens, is safe.
    """
    if not rows:
        return
    bulk.insert_history(rows, history_type="-", user=user, when=when, reason=reason)
    bulk.delete(model, [row.pk for row in rows])


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
