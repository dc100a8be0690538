"""The change history of one activity's results, as people read it.

django-simple-history keeps one snapshot per save and delete of each result, indicator, reporting
period (with its target), target disaggregation, update and update disaggregation, expected
benefit, scaling-up pathway and related activity. This module
turns them into entries ("who, when, what changed, before -> after, through what"), newest first,
with the entries and grouping of an activity's history (activities.history).

Each row is named so that a reader knows which it is ("Indicator 'Farmers trained', 1 Jan 2025 -
31 Dec 2025"), from its own last snapshot and its parents': a row deleted since still reads. Each
table is read once (the rows of the activity's results found by a subquery, so a result that came
in with a merge brings its earlier history along), then the names the snapshots point at, once per
model: a fixed number of queries whatever the length of the history.

Readers who do not report on the activity see approved updates only (results.access): for them
an update's history starts at its approval, and its disaggregation (written while it was a draft)
is left out. Relations to activities the reader cannot read are left out too, as on the results
page. An indicator's disaggregation dimensions (a many-to-many field) are recorded with each of
its snapshots and read as one of its fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from accounts.formatting import day
from activities.history import (
    GROUPING_WINDOW,
    Change,
    Entry,
    Event,
    display_value,
    group_events,
    newest_first_with_authors,
    through_label,
)
from activities.models import Activity, Partner
from knowledge.models import KnowledgeAsset

from .models import (
    ActivityRelation,
    BenefitStream,
    CoreIndicator,
    Dimension,
    DimensionValue,
    Indicator,
    Period,
    Result,
    ScalingPathway,
    TargetDisaggregation,
    Update,
    UpdateDisaggregation,
    UpdateStatus,
)

# The parent links (a row never moves to another parent but by a merge, which the activity's own
# history tells), the order on the page and the bookkeeping the portal keeps: nobody types them.
UNTRACKED_FIELDS = {
    "id",
    "activity",
    "result",
    "indicator",
    "period",
    "update",
    "dimension_value",
    "position",
    "version",
    "created_by",
    "created_at",
    "submitted_by",
    "submitted_at",
    "reviewed_by",
    "reviewed_at",
    "updated_by",
    "evidence_file_name",
    "updated_at",
}


def _tracked(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.name not in UNTRACKED_FIELDS]


def _ordered(rows: Any) -> list[Any]:
    return list(rows.order_by("history_date", "history_id"))


@dataclass
class _Snapshots:
    """Every snapshot of the activity's results and the rows under them, oldest first."""

    results: list[Any]
    indicators: list[Any]
    periods: list[Any]
    targets: list[Any]
    updates: list[Any]
    parts: list[Any]
    benefits: list[Any]
    pathways: list[Any]
    relations: list[Any]
    # The dimensions each indicator snapshot had, by the snapshot's history id.
    dimension_sets: dict[int, frozenset[int]]


def _read_snapshots(
    activity: Activity, *, all_updates: bool, readable: models.QuerySet[Activity]
) -> _Snapshots:
    """Each table once (ten queries). Relations to activities the reader cannot read are left
    out, as on the results page."""
    result_ids = Result.history.filter(activity_id=activity.pk).values("id")  # type: ignore[attr-defined]
    indicator_ids = Indicator.history.filter(result_id__in=result_ids).values("id")  # type: ignore[attr-defined]
    period_ids = Period.history.filter(indicator_id__in=indicator_ids).values("id")  # type: ignore[attr-defined]
    updates = Update.history.filter(period_id__in=period_ids)  # type: ignore[attr-defined]
    if not all_updates:
        updates = updates.filter(status=UpdateStatus.APPROVED)
    parts = UpdateDisaggregation.history.filter(  # type: ignore[attr-defined]
        update_id__in=Update.history.filter(period_id__in=period_ids).values("id")  # type: ignore[attr-defined]
    )
    return _Snapshots(
        results=_ordered(Result.history.filter(id__in=result_ids)),  # type: ignore[attr-defined]
        indicators=_ordered(Indicator.history.filter(id__in=indicator_ids)),  # type: ignore[attr-defined]
        periods=_ordered(Period.history.filter(id__in=period_ids)),  # type: ignore[attr-defined]
        targets=_ordered(TargetDisaggregation.history.filter(period_id__in=period_ids)),  # type: ignore[attr-defined]
        updates=_ordered(updates),
        parts=_ordered(parts) if all_updates else [],
        benefits=_ordered(BenefitStream.history.filter(activity_id=activity.pk)),  # type: ignore[attr-defined]
        pathways=_ordered(ScalingPathway.history.filter(activity_id=activity.pk)),  # type: ignore[attr-defined]
        relations=_ordered(
            ActivityRelation.history.filter(  # type: ignore[attr-defined]
                activity_id=activity.pk, related_id__in=readable.values("id")
            )
        ),
        dimension_sets=_dimension_sets(indicator_ids),
    )


def _dimension_sets(indicator_ids: models.QuerySet[Any]) -> dict[int, frozenset[int]]:
    """What django-simple-history copied of the indicators' dimensions at each snapshot."""
    copies = Indicator.history.model.dimensions.filter(  # type: ignore[attr-defined]
        indicator_id__in=indicator_ids
    )
    sets: dict[int, set[int]] = {}
    for history_id, dimension_id in copies.values_list("history_id", "dimension_id"):
        sets.setdefault(history_id, set()).add(dimension_id)
    return {history_id: frozenset(ids) for history_id, ids in sets.items()}


def _latest(rows: list[Any]) -> dict[int, Any]:
    """Each row's last snapshot: what it is now, or was when deleted."""
    return {row.id: row for row in rows}


class _Names:
    """What the snapshots point at, named: the rows of the framework from their own last
    snapshots, the core indicators, dimension values and library assets each read once."""

    def __init__(self, found: _Snapshots) -> None:
        self.results = _latest(found.results)
        self.indicators = _latest(found.indicators)
        self.periods = _latest(found.periods)
        self.updates = _latest(found.updates)
        cores = {row.core_id for row in found.indicators} - {None}
        values = {row.dimension_value_id for row in (*found.targets, *found.parts)}
        assets = {row.evidence_asset_id for row in found.updates} - {None}
        self.cores = dict(CoreIndicator.objects.filter(pk__in=cores).values_list("pk", "title"))
        self.values = {
            row.pk: str(row)
            for row in DimensionValue.objects.filter(pk__in=values).select_related("dimension")
        }
        dimensions = set().union(*found.dimension_sets.values())
        self.dimensions = dict(
            Dimension.objects.filter(pk__in=dimensions).values_list("pk", "name")
        )
        self.assets = dict(KnowledgeAsset.objects.filter(pk__in=assets).values_list("pk", "title"))
        champions = {row.champion_id for row in found.pathways} - {None}
        self.partners = dict(Partner.objects.filter(pk__in=champions).values_list("pk", "name"))
        related = {row.related_id for row in found.relations}
        self.activities = {
            pk: f"{ssc_id} {title}"
            for pk, ssc_id, title in Activity.objects.filter(pk__in=related).values_list(
                "pk", "ssc_id", "title"
            )
        }

    def result(self, pk: int) -> str:
        row = self.results.get(pk)
        return _("Result '%(title)s'") % {"title": row.title if row else f"#{pk}"}

    def indicator(self, pk: int) -> str:
        row = self.indicators.get(pk)
        return _("Indicator '%(title)s'") % {"title": row.title if row else f"#{pk}"}

    def period(self, pk: int) -> str:
        row = self.periods.get(pk)
        if row is None:
            return _("Reporting period #%(id)s") % {"id": pk}
        # The dates as the results pages write them, in the reader's language.
        return f"{self.indicator(row.indicator_id)}, {day(row.start)} \N{EN DASH} {day(row.end)}"

    def update(self, pk: int) -> str:
        row = self.updates.get(pk)
        if row is None:
            return _("Update #%(id)s") % {"id": pk}
        return _("%(period)s, update of %(day)s") % {
            "period": self.period(row.period_id),
            "day": day(row.created_at),
        }

    def value(self, pk: int) -> str:
        return self.values.get(pk, f"#{pk}")

    def activity(self, pk: int) -> str:
        return self.activities.get(pk, f"#{pk}")

    def dimension_list(self, ids: frozenset[int]) -> str:
        return ", ".join(sorted(self.dimensions.get(pk, f"#{pk}") for pk in ids))


def _value(field: models.Field[Any, Any], row: Any, names: _Names) -> str:
    raw = getattr(row, field.attname)
    if raw is None or raw == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if isinstance(field, models.BooleanField):
        return _("Yes") if raw else _("No")
    if field.name == "core":
        return names.cores.get(raw, f"#{raw}")
    if field.name == "evidence_asset":
        return names.assets.get(raw, f"#{raw}")
    if field.name == "champion":
        return names.partners.get(raw, f"#{raw}")
    if field.name == "related":
        return names.activity(raw)
    if field.name == "revises":
        return names.update(raw)
    if field.name == "evidence_file":
        return row.evidence_file_name or str(raw).rsplit("/", 1)[-1]
    return display_value(raw)


def _event(row: Any, change: Change) -> Event:
    """One change a snapshot made: its author, time and channel."""
    return Event(
        row.history_date,
        row.history_user_id,
        change,
        through=through_label(row.history_change_reason),
    )


@dataclass
class _Kind:
    """How one table's rows read: the line an added or removed row makes, and the name put in
    front of each changed field."""

    label: Callable[[Any], str]
    describe: Callable[[Any], str]
    record: Callable[[Any], str]
    # The first snapshot one sees may be no creation: where the history starts, or (an update
    # shown from its approval on) the row's first appearance to this reader.
    first_seen_added: bool = False
    # What stays one row across saves: its id, or (a part replaced whole on each save) its
    # parent and dimension value.
    key: Callable[[Any], Any] = lambda row: row.id
    # A part holds one value: its name says which ("... : Target for Sex: Women").
    single_value: bool = False


def _changed(
    kind: _Kind, fields: list[models.Field[Any, Any]], before: Any, after: Any, names: _Names
) -> list[Change]:
    changes = []
    for f in fields:
        old, new = _value(f, before, names), _value(f, after, names)
        if old == new:
            continue
        label = kind.record(after)
        if not kind.single_value:
            label = _("%(record)s: %(field)s") % {
                "record": label,
                "field": str(f.verbose_name).capitalize(),
            }
        changes.append(Change(label, "changed", old, new, long=isinstance(f, models.TextField)))
    return changes


def _rewritten(before: Any, row: Any) -> bool:
    """Whether the row is written again in the save that removed it: a period's target parts and
    an update's parts are replaced whole on each save (results.services)."""
    return (
        before is not None
        and before.history_type == "-"
        and row.history_type == "+"
        and before.history_user_id == row.history_user_id
        and row.history_date - before.history_date <= GROUPING_WINDOW
    )


def _row_events(
    rows: list[Any], model: type[models.Model], kind: _Kind, names: _Names
) -> list[Event]:
    """Each row added, changed (field by field) or removed."""
    fields = _tracked(model)
    events: list[Event | None] = []
    last: dict[Any, Any] = {}
    removals: dict[Any, int] = {}  # where each row's removal sits in events
    for row in rows:
        key = kind.key(row)
        before = last.get(key)
        removal = removals.pop(key, None)
        if _rewritten(before, row) and removal is not None:
            events[removal] = None
            changes = _changed(kind, fields, before, row, names)
        elif row.history_type == "+" or (before is None and kind.first_seen_added):
            changes = [Change(kind.label(row), "added", new=kind.describe(row))]
        elif row.history_type == "-":
            removals[key] = len(events)
            changes = [Change(kind.label(row), "removed", old=kind.describe(row))]
        else:
            changes = _changed(kind, fields, before, row, names) if before is not None else []
        events += [_event(row, change) for change in changes]
        last[key] = row
    return [event for event in events if event is not None]


def _same_save(first: Any, later: Any) -> bool:
    """Whether a later snapshot was written by the same change: a save records the indicator,
    then each dimension added or removed records it again, moments apart, by the same person
    through the same channel."""
    return (
        later.history_type == "~"
        and later.history_user_id == first.history_user_id
        and later.history_change_reason == first.history_change_reason
        and later.history_date - first.history_date <= GROUPING_WINDOW
    )


def _dimension_events(found: _Snapshots, names: _Names) -> list[Event]:
    """Each change of an indicator's dimensions, from the set before a change's first snapshot
    to the set after its last (a removal then an addition read as one change)."""
    label = str(Indicator._meta.get_field("dimensions").verbose_name).capitalize()
    by_indicator: dict[int, list[Any]] = {}
    for row in found.indicators:
        # A deletion's snapshot has no dimensions left: the removal itself says enough.
        if row.history_type != "-":
            by_indicator.setdefault(row.id, []).append(row)
    events = []
    for rows in by_indicator.values():
        shown = found.dimension_sets.get(rows[0].history_id, frozenset())
        index = 1
        while index < len(rows):
            end = index
            while end + 1 < len(rows) and _same_save(rows[index], rows[end + 1]):
                end += 1
            now = found.dimension_sets.get(rows[end].history_id, frozenset())
            if now != shown:
                record = _("%(record)s: %(field)s") % {
                    "record": names.indicator(rows[end].id),
                    "field": label,
                }
                change = Change(
                    record, "changed", names.dimension_list(shown), names.dimension_list(now)
                )
                events.append(_event(rows[end], change))
            shown, index = now, end + 1
    return events


def _with_value(name: str, value: Any) -> str:
    if value is None:
        return name
    return _("%(name)s: %(value)s") % {"name": name, "value": display_value(value)}


def _kinds(names: _Names, *, all_updates: bool) -> list[tuple[str, _Kind]]:
    """How each table's rows read, by the attribute of _Snapshots that holds them."""

    def part_label(parent: str, row: Any) -> str:
        return _("%(record)s: %(field)s for %(value)s") % {
            "record": parent,
            "field": _("Target") if hasattr(row, "period_id") else _("Value"),
            "value": names.value(row.dimension_value_id),
        }

    def result(row: Any) -> str:
        return f"{row.title} ({row.get_type_display()})"

    def update(row: Any) -> str:
        shown = row.value if row.value is not None else row.narrative
        text = f"{_with_value(names.update(row.id), shown)} ({row.get_status_display()})"
        if row.revision_reason:
            text = _("%(update)s, a revision: %(reason)s") % {
                "update": text,
                "reason": row.revision_reason,
            }
        return text

    def indicator(row: Any) -> str:
        return _("%(indicator)s, under %(result)s") % {
            "indicator": row.title,
            "result": names.result(row.result_id),
        }

    return [
        ("results", _Kind(lambda _r: _("Result"), result, lambda r: names.result(r.id))),
        (
            "indicators",
            _Kind(lambda _r: _("Indicator"), indicator, lambda r: names.indicator(r.id)),
        ),
        (
            "periods",
            _Kind(
                lambda _r: _("Reporting period"),
                lambda r: _with_value(names.period(r.id), r.target_value),
                lambda r: names.period(r.id),
            ),
        ),
        (
            "targets",
            _Kind(
                lambda r: part_label(names.period(r.period_id), r),
                lambda r: display_value(r.value),
                lambda r: part_label(names.period(r.period_id), r),
                key=lambda r: (r.period_id, r.dimension_value_id),
                single_value=True,
            ),
        ),
        (
            "updates",
            _Kind(
                lambda _r: _("Update"),
                update,
                lambda r: names.update(r.id),
                first_seen_added=not all_updates,
            ),
        ),
        (
            "parts",
            _Kind(
                lambda r: part_label(names.update(r.update_id), r),
                lambda r: display_value(r.value),
                lambda r: part_label(names.update(r.update_id), r),
                key=lambda r: (r.update_id, r.dimension_value_id),
                single_value=True,
            ),
        ),
        *_beside_the_framework(names),
    ]


def _beside_the_framework(names: _Names) -> list[tuple[str, _Kind]]:
    """How the expected benefits, the scaling-up pathway and the related activities read."""

    def relation(row: Any) -> str:
        return _("%(relation)s %(activity)s") % {
            "relation": row.get_type_display(),
            "activity": names.activity(row.related_id),
        }

    return [
        (
            "benefits",
            _Kind(
                lambda _r: _("Expected benefit"),
                lambda r: f"{r.description} ({r.get_side_display()})",
                lambda r: _("Expected benefit %(number)s") % {"number": r.position + 1},
                # The streams are written anew on each save, in order (results.services).
                key=lambda r: r.position,
            ),
        ),
        (
            "pathways",
            _Kind(
                lambda _r: _("Scaling-up pathway"),
                lambda r: r.description,
                lambda _r: _("Scaling-up pathway"),
            ),
        ),
        ("relations", _Kind(lambda _r: _("Related activity"), relation, relation)),
    ]


MODELS = {
    "results": Result,
    "indicators": Indicator,
    "periods": Period,
    "targets": TargetDisaggregation,
    "updates": Update,
    "parts": UpdateDisaggregation,
    "benefits": BenefitStream,
    "pathways": ScalingPathway,
    "relations": ActivityRelation,
}


def _entries(events: list[Event]) -> list[Entry]:
    """The events grouped as entries with their authors, newest first (one query)."""
    entries = [e for e in group_events(events) if e.changes]
    return newest_first_with_authors(entries)


def results_history_entries(
    activity: Activity, *, all_updates: bool, readable: models.QuerySet[Activity]
) -> list[Entry]:
    """The changes of the activity's results, indicators (their dimensions too), periods,
    targets, updates, expected benefits, scaling-up pathway and related activities, newest
    first. all_updates: whether the reader sees every update (a reporter) or approved ones;
    readable: the activities the reader reads (a relation to another is left out)."""
    found = _read_snapshots(activity, all_updates=all_updates, readable=readable)
    names = _Names(found)
    events: list[Event] = []
    for attribute, kind in _kinds(names, all_updates=all_updates):
        events += _row_events(getattr(found, attribute), MODELS[attribute], kind, names)
    events += _dimension_events(found, names)
    return _entries(events)
