"""The demo's likely duplicate (issue 22): SSC-2010-02 logged a second time, its title retyped,
by someone not sure it differs ("Not sure" on the New activity page); the pair is open in the
focal point's report, and the New activity page suggests both when the same title is typed
again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from accounts.models import User
from activities import duplicates, services
from activities.models import Activity, DuplicatePair, FoundVia

from .activity_data import current_activity_data

ORIGINAL = "SSC-2010-02"


@dataclass
class DuplicatesLoadReport:
    created: bool = False

    def summary(self) -> str:
        if self.created:
            return f"Likely duplicates: {ORIGINAL} logged twice, one open pair to check."
        return "Likely duplicates: unchanged."


def retyped(title: str) -> str:
    """The title as a second person types it: lower case and one word dropped."""
    words = title.split()
    if len(words) > 3:
        del words[len(words) // 2]
    return " ".join(words).lower()


def load_demo_duplicates(*, users: Mapping[str, User]) -> DuplicatesLoadReport:
    """Found again by its title: a rerun changes nothing."""
    report = DuplicatesLoadReport()
    original = Activity.objects.filter(ssc_id=ORIGINAL).first()
    if original is None:
        return report
    title = retyped(original.title)
    if Activity.objects.filter(title=title).exists():
        return report
    data = current_activity_data(original)
    # Logged anew, it must say what its status needs (Activity.missing_status_facts): the
    # workbook's record never gave an actual start; the second person gives the planned one.
    started = original.actual_start or original.planned_start or date(original.year or 2010, 1, 1)
    fields = {**data.fields, "title": title, "actual_start": started}
    data = replace(data, fields=fields, ssc_id="", status_note="")
    author = users["admin"]
    copy = services.create_activity(data=data, user=author)
    matches = duplicates.suggest(replace(duplicates.Facts.of_data(data), pk=copy.pk), author)
    found = [m for m in matches if m.activity.pk == original.pk]
    services.record_duplicate_pairs(
        activity=copy, matches=found, user=author, via=FoundVia.FORM, decided=False
    )
    report.created = DuplicatePair.objects.filter(first=original, second=copy).exists()
    return report
