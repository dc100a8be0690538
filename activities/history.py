"""The change history of one activity, as people read it.

django-simple-history stores one snapshot per save of the activity, of each country link, of each
partner role and of the themes and SDGs; StatusChange keeps the note given with a status move.
This module turns those snapshots into entries ("who, when, what changed"), newest first.

Everything is read in a fixed number of queries whatever the length of the history: each table
once, then the names of the divisions, people, countries and partners the snapshots point at.
A save writes several snapshots (activity, countries, partners, themes) within a moment: events by
the same person close together in time make one entry.

A snapshot's change reason says what the change came through: the services write `Through` there
for a change made on a page's form or through the API, an import run writes import_run_reason()
and a merge MERGE_REASON; the entries read "through the page's form", "through the API",
"through Import run #N (file)". Apps above this one (finance, knowledge) write them too; this
module only reads them, so it knows a run's number and file name from the reason itself, never
from their models. A snapshot without a reason (written before the services said, or by the
shell or the demo loader) names no channel.
"""

from __future__ import annotations

import datetime
import enum
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts import formatting

from .models import (
    SDG,
    Activity,
    ActivityCountry,
    ActivityMerge,
    ActivityPartner,
    Country,
    CountryRole,
    Division,
    Partner,
    PartnerRole,
    Status,
    Theme,
)
from .texts import ActivityText, ContentLanguage

# Saves closer together than this, by the same person, are one change.
GROUPING_WINDOW = datetime.timedelta(seconds=5)
# Bookkeeping columns nobody edits directly.
# agreement: kept by the counterparts app, whose own history tells each side's steps.
UNTRACKED_FIELDS = {
    "id",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "ssc_id",
    "agreement",
}
IMPORT_RUN_PREFIX = "import-run:"
IMPORT_RUN_REASON = re.compile(r"import-run:(\d+):(.*)", re.DOTALL)
# What the moves a merge makes in other apps (ledger lines, knowledge links) write as their reason.
MERGE_REASON = "merge:%(removed)s->%(kept)s"
MERGE_REASON_PATTERN = re.compile(r"merge:(.+)->(.+)", re.DOTALL)
CHANGE_REASON_LENGTH = 100  # simple-history's history_change_reason column


class Through(enum.StrEnum):
    """What a person's change came through, kept as its snapshots' change reason: every app's
    services take it from their pages (FORM) and their API (API)."""

    FORM = "form"
    API = "api"


# The reasons that name a channel; the knowledge base wrote its own before the portal had one
# Through, and those rows still read right.
CHANNEL_REASONS = {
    **{channel.value: channel for channel in Through},
    "knowledge:form": Through.FORM,
    "knowledge:api": Through.API,
}


def marked[Row: models.Model](row: Row, through: Through | None) -> Row:
    """The row, marked with what its change comes through, for the snapshot its next save or
    delete writes. Set each time (None too), so that a row saved again keeps no older reason."""
    row._change_reason = through.value if through else None  # type: ignore[attr-defined]
    return row


@contextmanager
def _marking_deletions(through: Through | None) -> Iterator[None]:
    # Django sends pre_delete with each row a delete removes, its cascade included, before
    # deleting it; a receiver connected for the block alone, and heeding this thread only, marks
    # them for the last snapshots simple-history writes on post_delete.
    thread = threading.get_ident()

    def mark(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        if threading.get_ident() == thread:
            marked(instance, through)

    pre_delete.connect(mark, weak=False)
    try:
        yield
    finally:
        pre_delete.disconnect(mark)


def delete_marked(row: models.Model, through: Through | None) -> None:
    """Delete the row (Model.delete(), its cascade too), marking it and every row its deletion
    cascades to (an indicator's periods, a result's indicators...) with `through`: their last
    snapshots would otherwise name no channel."""
    with _marking_deletions(through):
        marked(row, through).delete()


def delete_all_marked(rows: models.QuerySet[Any], through: Through | None) -> None:
    """rows.delete(), each deleted row (and its cascade) marked with `through`."""
    with _marking_deletions(through):
        rows.delete()


def create_all_marked[Row: models.Model](
    model: type[Row], rows: Iterable[Row], through: Through | None
) -> list[Row]:
    """Insert the rows in one statement with a creation snapshot each, marked with `through`
    (a plain bulk_create writes no history). The snapshots name the request's user, as a save's
    do."""
    return bulk_create_with_history(
        list(rows), model, default_change_reason=through.value if through else None
    )


def through_of(reason: str | None) -> Through | None:
    """The channel a snapshot's change reason names, or None (an import run, a merge, nothing)."""
    return CHANNEL_REASONS.get(reason or "")


def import_run_reason(run_id: int, filename: str) -> str:
    """The change reason of every history row an import run writes: its number and file name."""
    return f"{IMPORT_RUN_PREFIX}{run_id}:{filename}"[:CHANGE_REASON_LENGTH]


def through_label(reason: str | None) -> str:
    """What a history row's change came through, as "through …" ends: the form, the API, an
    import run, a merge; "" when nobody said."""
    channel = through_of(reason)
    if channel == Through.FORM:
        return _("the page's form")
    if channel == Through.API:
        return _("the API")
    if match := IMPORT_RUN_REASON.fullmatch(reason or ""):
        return _("Import run #%(number)s (%(name)s)") % {
            "number": match.group(1),
            "name": match.group(2),
        }
    if match := MERGE_REASON_PATTERN.fullmatch(reason or ""):
        return _("the merge of %(removed)s into %(kept)s") % {
            "removed": match.group(1),
            "kept": match.group(2),
        }
    return ""


@dataclass
class Change:
    """One line of an entry. kind: changed (old -> new), added, removed."""

    label: str
    kind: str
    old: str = ""
    new: str = ""
    long: bool = False


@dataclass
class Entry:
    when: datetime.datetime
    user_id: int | None
    created: bool = False
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    user: Any = None
    through: str = ""


@dataclass
class Event:
    """One change, note or creation, before events close together are grouped into an Entry."""

    when: datetime.datetime
    user_id: int | None
    change: Change | None = None
    note: str = ""
    created: bool = False
    through: str = ""


def display_value(value: Any) -> str:
    """A snapshot's value as the pages write it (dates, amounts in the reader's format)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return formatting.moment(value)
    if isinstance(value, datetime.date):
        return formatting.day(value)
    if isinstance(value, Decimal):
        return formatting.quantity(value)
    return str(value)


def partner_names(ids: set[int]) -> dict[int, str]:
    """The organizations' names; a merged or deleted one's last recorded name."""
    names = {p.pk: str(p) for p in Partner.objects.filter(pk__in=ids)}
    missing = ids - set(names)
    if missing:
        for pk, name in (
            Partner.history.filter(id__in=missing)  # type: ignore[attr-defined]
            .order_by("history_date")
            .values_list("id", "name")
        ):
            names[pk] = name
    return names


class _Names:
    """Names of the rows snapshots point at, loaded once per table."""

    def __init__(self, user_ids: set[int], country_ids: set[int], partner_ids: set[int]) -> None:
        user_model = get_user_model()
        self.users = {u.pk: u for u in user_model.objects.filter(pk__in=user_ids)}
        self.divisions = {d.pk: f"{d.code} - {d.display_name}" for d in Division.objects.all()}
        self.countries = {c.pk: c.display_name for c in Country.objects.filter(pk__in=country_ids)}
        self.partners = partner_names(partner_ids)
        self.themes = {t.pk: t.display_name for t in Theme.objects.all()}
        self.sdgs = {s.pk: str(s) for s in SDG.objects.all()}

    def user(self, pk: int | None) -> str:
        if pk is None:
            return ""
        user = self.users.get(pk)
        return str(user) if user else _("deleted user #%(id)s") % {"id": pk}

    def country(self, pk: int) -> str:
        return self.countries.get(pk, _("country #%(id)s") % {"id": pk})

    def partner(self, pk: int) -> str:
        return self.partners.get(pk, _("organization #%(id)s") % {"id": pk})


def _tracked_fields() -> list[models.Field[Any, Any]]:
    return [
        f
        for f in Activity._meta.concrete_fields
        if f.name not in UNTRACKED_FIELDS and not f.many_to_many
    ]


def _field_value(f: models.Field[Any, Any], row: Any, names: _Names) -> str:
    raw = getattr(row, f.attname)
    if raw is None or raw == "":
        return ""
    if f.choices:
        return str(dict(f.flatchoices).get(raw, raw))
    if f.name == "lead_division":
        return names.divisions.get(raw, str(raw))
    if f.name == "responsible_cpm":
        return names.user(raw)
    return display_value(raw)


def _activity_events(
    rows: list[Any],
    themes_by_record: dict[int, set[int]],
    sdgs_by_record: dict[int, set[int]],
    names: _Names,
) -> list[Event]:
    events: list[Event] = []
    tracked = _tracked_fields()
    previous = None
    for row in rows:
        when, user_id = row.history_date, row.history_user_id
        through = through_label(row.history_change_reason)
        if row.history_type == "+" or previous is None:
            events.append(Event(when, user_id, created=row.history_type == "+", through=through))
        if previous is not None and row.history_type == "~":
            for f in tracked:
                old, new = _field_value(f, previous, names), _field_value(f, row, names)
                if old != new:
                    events.append(
                        Event(
                            when,
                            user_id,
                            Change(
                                str(f.verbose_name).capitalize(),
                                "changed",
                                old,
                                new,
                                long=isinstance(f, models.TextField),
                            ),
                            through=through,
                        )
                    )
        if previous is not None:
            for label, by_record, lookup in (
                (_("Theme"), themes_by_record, names.themes),
                (_("SDG"), sdgs_by_record, names.sdgs),
            ):
                before = by_record.get(previous.history_id, set())
                after = by_record.get(row.history_id, set())
                for pk in sorted(after - before):
                    change = Change(label, "added", new=lookup.get(pk, str(pk)))
                    events.append(Event(when, user_id, change, through=through))
                for pk in sorted(before - after):
                    change = Change(label, "removed", old=lookup.get(pk, str(pk)))
                    events.append(Event(when, user_id, change, through=through))
        previous = row
    return events


def _country_events(rows: Iterable[Any], names: _Names) -> list[Event]:
    roles = dict(CountryRole.choices)
    events: list[Event] = []
    last: dict[int, Any] = {}

    def describe(row: Any) -> str:
        text = f"{names.country(row.country_id)} ({roles.get(row.role, row.role)})"
        if row.share is not None:
            text += " " + _("%(share)s%% share") % {"share": display_value(row.share)}
        return text

    for row in rows:
        before = last.get(row.id)
        change = None
        if row.history_type == "+":
            change = Change(_("Country"), "added", new=describe(row))
        elif row.history_type == "-":
            change = Change(_("Country"), "removed", old=describe(row))
        elif before is not None and describe(before) != describe(row):
            change = Change(_("Country"), "changed", old=describe(before), new=describe(row))
        if change is not None:
            events.append(_row_event(row, change))
        last[row.id] = row
    return events


def _partner_events(rows: Iterable[Any], names: _Names) -> list[Event]:
    roles = dict(PartnerRole.choices)
    events: list[Event] = []
    last: dict[int, Any] = {}

    def describe(row: Any) -> str:
        return f"{names.partner(row.partner_id)} ({roles.get(row.role, row.role)})"

    for row in rows:
        before = last.get(row.id)
        change = None
        if row.history_type == "+":
            change = Change(_("Partner"), "added", new=describe(row))
        elif row.history_type == "-":
            change = Change(_("Partner"), "removed", old=describe(row))
        elif before is not None and describe(before) != describe(row):
            # A changed link is a merge of two partner organizations.
            change = Change(_("Partner"), "changed", old=describe(before), new=describe(row))
        if change is not None:
            events.append(_row_event(row, change))
        last[row.id] = row
    return events


def _row_event(row: Any, change: Change) -> Event:
    """One change a linked row's snapshot made: its author, time and channel."""
    return Event(
        row.history_date,
        row.history_user_id,
        change,
        through=through_label(row.history_change_reason),
    )


def _text_events(rows: Iterable[Any]) -> list[Event]:
    """The title and summary in other languages: one line per field and language."""
    names = dict(ContentLanguage.choices)
    events: list[Event] = []
    last: dict[int, Any] = {}
    for row in rows:
        before = last.get(row.id)
        name = names.get(row.language, row.language)
        labels = {
            "title": _("Title in %(language)s") % {"language": name},
            "summary": _("Summary in %(language)s") % {"language": name},
        }
        for part, label in labels.items():
            old, new = getattr(before, part, "") if before else "", getattr(row, part)
            change = None
            if row.history_type == "+" and new:
                change = Change(label, "added", new=new, long=part == "summary")
            elif row.history_type == "-" and new:
                change = Change(label, "removed", old=new, long=part == "summary")
            elif row.history_type == "~" and old != new:
                change = Change(label, "changed", old=old, new=new, long=part == "summary")
            if change is not None:
                events.append(_row_event(row, change))
        last[row.id] = row
    return events


def group_events(events: list[Event]) -> list[Entry]:
    """Events by one person, through one channel, within GROUPING_WINDOW, as one entry (oldest
    first)."""
    events.sort(key=lambda e: e.when)
    entries: list[Entry] = []
    for event in events:
        current = entries[-1] if entries else None
        if (
            current is None
            or current.user_id != event.user_id
            or event.when - current.when > GROUPING_WINDOW
            or (event.through and current.through and event.through != current.through)
        ):
            current = Entry(when=event.when, user_id=event.user_id)
            entries.append(current)
        current.created = current.created or event.created
        current.through = current.through or event.through
        if event.change:
            current.changes.append(event.change)
        if event.note:
            current.notes.append(event.note)
    return entries


def newest_first_with_authors(entries: list[Entry]) -> list[Entry]:
    """The entries (oldest first, as group_events gives them) newest first, each with its
    author read (one query for all)."""
    user_ids = {e.user_id for e in entries if e.user_id}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)}
    for entry in entries:
        entry.user = users.get(entry.user_id) if entry.user_id else None
    entries.reverse()
    return entries


def _merge_events(activity: Activity, merges: Iterable[ActivityMerge]) -> list[Event]:
    """What a merge did, on both records: the kept one says what came in, the merged one
    where it went (activities.services.merges)."""
    events = []
    for merge in merges:
        if merge.kept_id == activity.pk:
            note = _(
                "Merged %(merged)s into this activity: its countries, partners, themes, "
                "ledger lines and results are now this activity's (its own history stays on "
                "its record)."
            ) % {"merged": merge.removed.ssc_id}
        else:
            note = _(
                "Merged into %(kept)s, which now holds its countries, partners, themes, "
                "ledger lines and results; this record is kept for its history."
            ) % {"kept": merge.kept.ssc_id}
        events.append(
            Event(merge.merged_at, merge.merged_by_id, note=note, through=merge.get_via_display())
        )
    return events


def activity_history_entries(activity: Activity) -> list[Entry]:
    """The activity's change history, newest first."""
    history_model = Activity.history.model  # type: ignore[attr-defined]
    theme_model = apps.get_model("activities", "HistoricalActivity_themes")
    sdg_model = apps.get_model("activities", "HistoricalActivity_sdgs")
    country_model = ActivityCountry.history.model  # type: ignore[attr-defined]
    partner_model = ActivityPartner.history.model  # type: ignore[attr-defined]

    records = list(
        history_model.objects.filter(id=activity.pk).order_by("history_date", "history_id")
    )
    themes_by_record: dict[int, set[int]] = defaultdict(set)
    for history_id, theme_id in theme_model.objects.filter(activity_id=activity.pk).values_list(
        "history_id", "theme_id"
    ):
        themes_by_record[history_id].add(theme_id)
    sdgs_by_record: dict[int, set[int]] = defaultdict(set)
    for history_id, sdg_id in sdg_model.objects.filter(activity_id=activity.pk).values_list(
        "history_id", "sdg_id"
    ):
        sdgs_by_record[history_id].add(sdg_id)
    country_rows = list(
        country_model.objects.filter(activity_id=activity.pk).order_by("history_date", "history_id")
    )
    partner_rows = list(
        partner_model.objects.filter(activity_id=activity.pk).order_by("history_date", "history_id")
    )
    text_rows = list(
        ActivityText.history.filter(activity_id=activity.pk).order_by("history_date", "history_id")  # type: ignore[attr-defined]
    )
    status_changes = list(
        activity.status_changes.order_by("changed_at", "pk").values(
            "from_status", "to_status", "note", "changed_by_id", "changed_at"
        )
    )

    merges = list(
        ActivityMerge.objects.filter(Q(kept=activity) | Q(removed=activity)).select_related(
            "kept", "removed"
        )
    )

    user_ids = {r.history_user_id for r in (*records, *country_rows, *partner_rows, *text_rows)}
    user_ids |= {merge.merged_by_id for merge in merges}
    user_ids |= {r.responsible_cpm_id for r in records}
    user_ids |= {s["changed_by_id"] for s in status_changes}
    user_ids.discard(None)
    names = _Names(
        user_ids,  # type: ignore[arg-type]
        {r.country_id for r in country_rows},
        {r.partner_id for r in partner_rows},
    )

    events = _activity_events(records, themes_by_record, sdgs_by_record, names)
    events += _country_events(country_rows, names)
    events += _partner_events(partner_rows, names)
    events += _text_events(text_rows)
    created_note = _("Created")
    status_labels = dict(Status.choices)
    for change in status_changes:
        note = change["note"].strip()
        if not note or (not change["from_status"] and note == created_note):
            continue
        label = _("Note on the move from %(old)s to %(new)s") % {
            "old": status_labels.get(change["from_status"], change["from_status"] or "-"),
            "new": status_labels.get(change["to_status"], change["to_status"]),
        }
        events.append(Event(change["changed_at"], change["changed_by_id"], note=f"{label}: {note}"))

    events += _merge_events(activity, merges)

    entries = [e for e in group_events(events) if e.created or e.changes or e.notes]
    for entry in entries:
        entry.user = names.users.get(entry.user_id) if entry.user_id else None
    entries.reverse()
    return entries
