"""The change history of one knowledge asset, as people read it.

django-simple-history keeps one snapshot per save of the asset (with its authors, countries,
themes, SDGs and linked activities) and of each attached file; this module turns them into
entries ("who, when, what changed, through what"), newest first, in a fixed number of queries,
grouped as an activity's history is (activities.history).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext as _

from activities.history import (
    Change,
    Entry,
    Event,
    display_value,
    group_events,
    newest_first_with_authors,
    partner_names,
    through_label,
)
from activities.models import SDG, Activity, Country, Division, Partner, Theme

from .models import AssetFile, KnowledgeAsset

# Kept by the portal, not edited by anyone: their changes are not the asset's history (the
# derived ones are not even in its snapshots).
UNTRACKED_FIELDS = {
    "id",
    "file_text",
    "search_vector",
    "search_head",
    "search_length",
    "created_by",
    "created_at",
    "updated_at",
}


def _names_of(model: type[models.Model], ids: set[int]) -> dict[int, str]:
    if model is Partner:
        return partner_names(ids)
    rows = model._default_manager.filter(pk__in=ids)
    if model is Activity:
        return {row.pk: row.ssc_id for row in rows}  # type: ignore[attr-defined]
    return {row.pk: getattr(row, "display_name", None) or str(row) for row in rows}


# The linked records, by field: the model named, and the label of one of them.
LINKS: dict[str, tuple[type[models.Model], str]] = {
    "author_organizations": (Partner, "partner"),
    "countries": (Country, "country"),
    "themes": (Theme, "theme"),
    "sdgs": (SDG, "sdg"),
    "activities": (Activity, "activity"),
}


def _links_by_record(asset: KnowledgeAsset) -> dict[str, dict[int, set[int]]]:
    """For each linked field, the ids each snapshot held (one query per field)."""
    found: dict[str, dict[int, set[int]]] = {}
    for field, (_model, column) in LINKS.items():
        snapshot = apps.get_model("knowledge", f"HistoricalKnowledgeAsset_{field}")
        by_record: dict[int, set[int]] = defaultdict(set)
        rows = snapshot.objects.filter(knowledgeasset_id=asset.pk)
        for history_id, target in rows.values_list("history_id", f"{column}_id"):
            by_record[history_id].add(target)
        found[field] = by_record
    return found


def _value(field: models.Field[Any, Any], row: Any, divisions: dict[int, str]) -> str:
    raw = getattr(row, field.attname)
    if raw is None or raw == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(raw, raw))
    if field.name == "division":
        return divisions.get(raw, str(raw))
    return display_value(raw)


def _asset_events(
    records: list[Any], links: dict[str, dict[int, set[int]]], names: dict[str, dict[int, str]]
) -> list[Event]:
    divisions = {d.pk: f"{d.code} - {d.display_name}" for d in Division.objects.all()}
    tracked = [f for f in KnowledgeAsset._meta.concrete_fields if f.name not in UNTRACKED_FIELDS]
    events: list[Event] = []
    previous = None
    for row in records:
        through = through_label(row.history_change_reason)
        if previous is None:
            created = row.history_type == "+"
            events.append(
                Event(row.history_date, row.history_user_id, created=created, through=through)
            )
            previous = row
            continue
        changes = [
            Change(
                str(f.verbose_name).capitalize(),
                "changed",
                _value(f, previous, divisions),
                _value(f, row, divisions),
                long=isinstance(f, models.TextField),
            )
            for f in tracked
            if getattr(previous, f.attname) != getattr(row, f.attname)
        ]
        for field in LINKS:
            label = str(
                getattr(KnowledgeAsset._meta.get_field(field), "verbose_name", field)
            ).capitalize()
            before = links[field].get(previous.history_id, set())
            after = links[field].get(row.history_id, set())
            named = names[field]
            changes += [
                Change(label, "added", new=named.get(pk, f"#{pk}")) for pk in sorted(after - before)
            ]
            changes += [
                Change(label, "removed", old=named.get(pk, f"#{pk}"))
                for pk in sorted(before - after)
            ]
        events += [
            Event(row.history_date, row.history_user_id, c, through=through) for c in changes
        ]
        previous = row
    return events


def _file_events(rows: list[Any]) -> list[Event]:
    label = _("File")
    events = []
    for row in rows:
        if row.history_type == "+":
            change = Change(label, "added", new=row.original_name)
        elif row.history_type == "-":
            change = Change(label, "removed", old=row.original_name)
        else:
            continue
        events.append(
            Event(
                row.history_date,
                row.history_user_id,
                change,
                through=through_label(row.history_change_reason),
            )
        )
    return events


def asset_history_entries(asset: KnowledgeAsset) -> list[Entry]:
    """The asset's change history, newest first."""
    records = list(
        KnowledgeAsset.history.filter(id=asset.pk).order_by("history_date", "history_id")  # type: ignore[attr-defined]
    )
    links = _links_by_record(asset)
    names = {
        field: _names_of(model, set().union(*links[field].values()) if links[field] else set())
        for field, (model, _column) in LINKS.items()
    }
    files = list(
        AssetFile.history.filter(asset_id=asset.pk).order_by("history_date", "history_id")  # type: ignore[attr-defined]
    )
    entries = [
        e
        for e in group_events(_asset_events(records, links, names) + _file_events(files))
        if e.created or e.changes or e.notes
    ]
    return newest_first_with_authors(entries)
