"""The change history of a learning route (with its host cases, participants and action plans),
of a learning demand and of a learning offer, as people read it.

As for an asset (knowledge.history): django-simple-history keeps one snapshot per save and delete
of each of these rows; this module turns them into entries ("who, when, what changed, through
what"), newest first, with the entries and grouping of an activity's history
(activities.history). Each table is read once, then the names of the rows the snapshots point
at, once per model: a fixed number of queries whatever the length of the history.

What a change came through is its snapshot's change reason: the pages' form or the API
(activities.history.Through, given to the services), a merge or an import run, read as
activities.history.through_label says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from activities.history import (
    GROUPING_WINDOW,
    Change,
    Entry,
    Event,
    display_value,
    group_events,
    newest_first_with_authors,
    partner_names,
    through_label,
)
from activities.models import Activity, Country, Division, Partner, Theme

from .models import (
    ActionPlan,
    HostCase,
    KnowledgeAsset,
    Language,
    LearningDemand,
    LearningOffer,
    LearningRoute,
    RouteParticipant,
)

# Kept by the portal, not typed by anyone. A demand's match score and reasons are the accepted
# match's explanation, shown on the demand's page as it was; the accept itself shows in the
# history as the status, the accepted offer and the resulting activity.
UNTRACKED_FIELDS = {
    "id",
    "route",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    "match_score",
    "match_reasons",
}


def _tracked(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.name not in UNTRACKED_FIELDS]


def _snapshots(model: type[models.Model], **lookup: Any) -> list[Any]:
    return list(
        model.history.filter(**lookup).order_by("history_date", "history_id")  # type: ignore[attr-defined]
    )


def _themes_by_record(model: type[models.Model], pk: int) -> dict[int, set[int]]:
    """The themes each snapshot of the record held (one query)."""
    snapshot = apps.get_model("knowledge", f"Historical{model.__name__}_themes")
    column = f"{model.__name__.lower()}_id"
    found: dict[int, set[int]] = defaultdict(set)
    rows = snapshot.objects.filter(**{column: pk}).values_list("history_id", "theme_id")
    for history_id, theme_id in rows:
        found[history_id].add(theme_id)
    return found


def _load_names(model: type[models.Model], ids: set[int]) -> dict[int, str]:
    if model is Partner:
        return partner_names(ids)
    rows: Any = model._default_manager.filter(pk__in=ids)
    if model is Activity:
        return dict(rows.values_list("pk", "ssc_id"))
    if model is KnowledgeAsset:
        return dict(rows.values_list("pk", "title"))
    if model is Division:
        return {row.pk: f"{row.code} - {row.display_name}" for row in rows}
    if model is LearningOffer:
        rows = rows.select_related("institution")
    return {row.pk: getattr(row, "display_name", None) or str(row) for row in rows}


class _Names:
    """The names of the rows the snapshots point at, each model read once; a row deleted since
    reads as its number."""

    def __init__(
        self, *groups: tuple[Iterable[Any], list[models.Field[Any, Any]]], themes: set[int]
    ) -> None:
        wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        wanted[Theme] |= themes
        for rows, fields in groups:
            relations = [f for f in fields if f.is_relation and f.related_model is not None]
            for row in rows:
                for f in relations:
                    if (pk := getattr(row, f.attname)) is not None:
                        wanted[f.related_model].add(pk)  # type: ignore[index]
        # A plan's participant is named from the participants' own snapshots (route_history_…).
        wanted.pop(RouteParticipant, None)
        self.by_model = {model: _load_names(model, ids) for model, ids in wanted.items() if ids}

    def of(self, model: Any, pk: int | None) -> str:
        if pk is None:
            return ""
        return self.by_model.get(model, {}).get(pk, f"#{pk}")


def _value(field: models.Field[Any, Any], row: Any, names: _Names) -> str:
    raw = getattr(row, field.attname)
    if raw is None or raw == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if field.is_relation:
        return names.of(field.related_model, raw)
    if isinstance(field, models.BooleanField):
        return _("Yes") if raw else _("No")
    if field.name == "languages":
        labels = dict(Language.choices)
        return ", ".join(str(labels.get(code, code)) for code in raw)
    return display_value(raw)


def _field_changes(
    fields: list[models.Field[Any, Any]], before: Any, after: Any, names: _Names, record: str = ""
) -> list[Change]:
    """One line per field whose value reads differently; `record` names a row of the route's
    (an action plan) in front of the field's name."""
    changes = []
    for f in fields:
        old, new = _value(f, before, names), _value(f, after, names)
        if old == new:
            continue
        label = str(f.verbose_name).capitalize()
        if record:
            label = _("%(record)s: %(field)s") % {"record": record, "field": f.verbose_name}
        changes.append(Change(label, "changed", old, new, long=isinstance(f, models.TextField)))
    return changes


def _event(row: Any, change: Change | None = None, *, created: bool = False) -> Event:
    """One change a snapshot made: its author, time and channel."""
    return Event(
        row.history_date,
        row.history_user_id,
        change,
        created=created,
        through=through_label(row.history_change_reason),
    )


def _record_events(
    model: type[models.Model], rows: list[Any], themes: dict[int, set[int]], names: _Names
) -> list[Event]:
    """The record's own changes: its fields and its themes."""
    fields = _tracked(model)
    label = str(getattr(model._meta.get_field("themes"), "verbose_name", "")).capitalize()
    events: list[Event] = []
    previous = None
    for row in rows:
        if previous is None:
            # The first snapshot: the creation, or where the history starts.
            events.append(_event(row, created=row.history_type == "+"))
            previous = row
            continue
        changes = _field_changes(fields, previous, row, names)
        before = themes.get(previous.history_id, set())
        after = themes.get(row.history_id, set())
        changes += [
            Change(label, "added", new=names.of(Theme, pk)) for pk in sorted(after - before)
        ]
        changes += [
            Change(label, "removed", old=names.of(Theme, pk)) for pk in sorted(before - after)
        ]
        events += [_event(row, change) for change in changes]
        previous = row
    return events


def _row_events(
    rows: list[Any],
    label: Callable[[Any], str],
    describe: Callable[[Any], str],
    changed: Callable[[Any, Any], list[Change]],
) -> list[Event]:
    """A route's rows (host cases, participants, plans): each added, changed or removed."""
    events: list[Event] = []
    last: dict[int, Any] = {}
    for row in rows:
        before = last.get(row.id)
        if row.history_type == "+":
            changes = [Change(label(row), "added", new=describe(row))]
        elif row.history_type == "-":
            changes = [Change(label(row), "removed", old=describe(row))]
        else:
            changes = changed(before, row) if before is not None else []
        events += [_event(row, change) for change in changes]
        last[row.id] = row
    return events


def _without_replaced(events: list[Event]) -> list[Event]:
    """Each save of a route replaces its host cases whole (services.save_route): a case removed
    and added again as it was, by one person in one save, did not change."""
    added: dict[tuple[int | None, str], list[Event]] = defaultdict(list)
    for event in events:
        if event.change is not None and event.change.kind == "added":
            added[(event.user_id, event.change.new)].append(event)
    dropped: set[int] = set()
    for event in events:
        if event.change is None or event.change.kind != "removed":
            continue
        for twin in added.get((event.user_id, event.change.old), []):
            if id(twin) not in dropped and abs(twin.when - event.when) <= GROUPING_WINDOW:
                dropped |= {id(event), id(twin)}
                break
    return [event for event in events if id(event) not in dropped]


def _entries(events: list[Event]) -> list[Entry]:
    """The events grouped as entries with their authors, newest first (one query)."""
    entries = [e for e in group_events(events) if e.created or e.changes or e.notes]
    return newest_first_with_authors(entries)


def _organization_in_country(participant: Any, names: _Names) -> str:
    """A participant snapshot's organization and country, as it had them."""
    organization = names.of(Partner, participant.organization_id)
    return f"{organization} ({names.of(Country, participant.country_id)})"


def _route_rows_events(
    hosts: list[Any], participants: list[Any], plans: list[Any], names: _Names
) -> list[Event]:
    def host(row: Any) -> str:
        return (
            f"{row.title} ({names.of(Partner, row.host_id)}, "
            f"{names.of(Country, row.country_id)}; {names.of(Theme, row.theme_id)})"
        )

    def participant(row: Any) -> str:
        text = _organization_in_country(row, names)
        if row.people is not None:
            text += ", " + ngettext("%(count)s person", "%(count)s people", row.people) % {
                "count": row.people
            }
        return text

    def plan_of(row: Any) -> str:
        return _("Action plan of %(participant)s") % {
            "participant": names.of(RouteParticipant, row.participant_id)
        }

    def as_whole(describe: Callable[[Any], str], label: str) -> Callable[[Any, Any], list[Change]]:
        def changed(before: Any, after: Any) -> list[Change]:
            old, new = describe(before), describe(after)
            return [Change(label, "changed", old, new)] if old != new else []

        return changed

    plan_fields = _tracked(ActionPlan)
    host_label, participant_label = _("Host case"), _("Participant")
    return [
        *_without_replaced(
            _row_events(hosts, lambda _row: host_label, host, as_whole(host, host_label))
        ),
        *_row_events(
            participants,
            lambda _row: participant_label,
            participant,
            as_whole(participant, participant_label),
        ),
        *_row_events(
            plans,
            plan_of,
            lambda row: row.title,
            lambda before, after: _field_changes(
                plan_fields, before, after, names, record=plan_of(after)
            ),
        ),
    ]


def route_history_entries(route: LearningRoute) -> list[Entry]:
    """The route's change history with its host cases', participants' and action plans',
    newest first."""
    records = _snapshots(LearningRoute, id=route.pk)
    themes = _themes_by_record(LearningRoute, route.pk)
    hosts = _snapshots(HostCase, route_id=route.pk)
    participants = _snapshots(RouteParticipant, route_id=route.pk)
    plans = _snapshots(ActionPlan, route_id=route.pk)
    names = _Names(
        (records, _tracked(LearningRoute)),
        (hosts, _tracked(HostCase)),
        (participants, _tracked(RouteParticipant)),
        (plans, _tracked(ActionPlan)),
        themes=set().union(*themes.values()),
    )
    # A participant (and the plans it drew up) named by its organization and country, as its
    # last snapshot has them: it may have been removed since.
    names.by_model[RouteParticipant] = {
        row.id: _organization_in_country(row, names) for row in participants
    }
    events = _record_events(LearningRoute, records, themes, names)
    events += _route_rows_events(hosts, participants, plans, names)
    return _entries(events)


def _country_record_entries(model: type[LearningDemand | LearningOffer], pk: int) -> list[Entry]:
    records = _snapshots(model, id=pk)
    themes = _themes_by_record(model, pk)
    names = _Names((records, _tracked(model)), themes=set().union(*themes.values()))
    return _entries(_record_events(model, records, themes, names))


def demand_history_entries(demand: LearningDemand) -> list[Entry]:
    """The demand's change history, newest first."""
    return _country_record_entries(LearningDemand, demand.pk)


def offer_history_entries(offer: LearningOffer) -> list[Entry]:
    """The offer's change history, newest first."""
    return _country_record_entries(LearningOffer, offer.pk)
