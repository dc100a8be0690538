"""What a workbook import changes, and what it would overwrite that the portal changed later.

The importer (finance.importer) plans each activity; this module describes the plan for people
(each field old -> new with its label, each ledger line moved) and finds the conflicts: a field or
line the file changes that someone changed in the portal after the file was made. "Made" is the
export's stamp (finance.legacy.read_stamp) or, for a file without one, the last import. Changes
an import made are not the portal's: their history rows name the run (activities.history).

Everything here is read per chunk of activities in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts import formatting
from activities import duplicates
from activities import services as activity_services
from activities.history import IMPORT_RUN_PREFIX, UNTRACKED_FIELDS
from activities.models import (
    Activity,
    ActivityCountry,
    Country,
    CountryRole,
    Division,
    FoundVia,
    Partner,
    Theme,
)

from .models import (
    IFAD_KINDS,
    ContributionKind,
    ContributorGroup,
    FinancialEntry,
    ImportRun,
    Stage,
)

# kind, contributor id, contributor group id (finance.models.groups), stage, currency
LineKey = tuple[str, int | None, int | None, str, str]
# The preview lists this many activities at most (conflicts always): a first import of ten
# thousand activities need not be read line by line on a page.
DETAIL_LIMIT = 1000
# New activities the preview page compares with the portal's (activities.duplicates, up to
# ~150 ms each at 100,000 activities: benchmarks/duplicates.py).
DUPLICATE_CHECKS = 20
COUNTRIES, THEMES = "countries", "themes"
ACTIVITY_FIELDS = {f.name: f for f in Activity._meta.concrete_fields}


@dataclass
class Difference:
    """One field or ledger line the import changes; `key` ties it to the portal's changes."""

    key: str
    label: str
    old: str
    new: str


@dataclass
class Conflict:
    """A difference over a change made in the portal after the file: who made it, when."""

    label: str
    portal: str
    file: str
    by: str
    at: str  # ISO 8601


@dataclass
class ActivityReview:
    """What the import does to one activity, as the preview shows it."""

    ssc_id: str
    sheet: str
    row: int
    action: str  # created, updated, conflict (skipped), overwritten
    fields: list[Difference] = field(default_factory=list)
    lines: list[Difference] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    # A new activity's title, country ids and years, for its likely duplicates on the preview
    # page (likely_duplicates); nothing for an activity already in the portal.
    probe: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def probe_of(fields: dict[str, Any], country_ids: Iterable[int]) -> dict[str, Any]:
    """What the preview compares a new activity of the file by (JSON, in the pending import)."""
    year = fields.get("approval_year")
    return {
        "title": fields.get("title") or "",
        "countries": sorted(country_ids),
        "years": [year, year] if year else None,
    }


def _facts(probe: dict[str, Any], pk: int | None = None) -> duplicates.Facts:
    return duplicates.Facts(
        title=probe["title"],
        countries=frozenset(probe["countries"]),
        partners=frozenset(),
        years=tuple(probe["years"]) if probe["years"] else None,  # type: ignore[arg-type]
        pk=pk,
    )


def likely_duplicates(
    reviews: list[dict[str, Any]], user: Any, *, limit: int = DUPLICATE_CHECKS
) -> int:
    """Give the first `limit` new activities of a preview their likely duplicates in the
    portal (`duplicates`, as activities.duplicates.as_row); the number checked. On the page,
    not in the import, whose queries do not grow with the file (tests/finance)."""
    checked = 0
    for review in reviews:
        if not review.get("probe") or checked >= limit:
            continue
        checked += 1
        found = duplicates.suggest(_facts(review["probe"]), user)
        review["duplicates"] = [duplicates.as_row(m) for m in found]
    return checked


@transaction.atomic
def record_likely_duplicates(
    reviews: list[dict[str, Any]], user: Any, *, limit: int = DUPLICATE_CHECKS
) -> int:
    """After an import: the first `limit` activities it created, with likely duplicates in the
    portal, become open pairs in the focal point's report (nobody told them apart); the number
    of pairs."""
    new = [r for r in reviews if r.get("probe") and r["action"] == "created"][:limit]
    created = {
        activity.ssc_id: activity
        for activity in Activity.objects.filter(ssc_id__in=[r["ssc_id"] for r in new])
    }
    recorded = 0
    for review in new:
        activity = created.get(review["ssc_id"])
        if activity is None:
            continue
        found = duplicates.suggest(_facts(review["probe"], activity.pk), user)
        recorded += len(
            activity_services.record_duplicate_pairs(
                activity=activity, matches=found, user=user, via=FoundVia.IMPORT, decided=False
            )
        )
    return recorded


def file_made_at(stamped: datetime.datetime | None) -> datetime.datetime | None:
    """From when a change in the portal is newer than the file: its export stamp, else the last
    import (the file is taken to be the one that import read, edited since); None when nothing
    was imported yet and the file carries no stamp."""
    if stamped is not None:
        return stamped
    return ImportRun.objects.order_by("-created_at").values_list("created_at", flat=True).first()


def _from_import(prefix: str = "") -> Q:
    return Q(**{f"{prefix}history_change_reason__startswith": IMPORT_RUN_PREFIX})


class Labels:
    """The names values are shown with, read once per import."""

    def __init__(self) -> None:
        self.divisions = dict(Division.objects.values_list("pk", "code"))
        self.countries = dict(Country.objects.values_list("pk", "name"))
        self.themes = dict(Theme.objects.values_list("pk", "name"))
        self.roles = dict(CountryRole.choices)
        self.partners: dict[int, str] = {}
        self.groups: dict[int, str] = {}

    def field_value(self, name: str, raw: Any) -> str:
        if raw is None or raw == "":
            return ""
        if hasattr(raw, "pk"):
            raw = raw.pk
        model_field = ACTIVITY_FIELDS[name]
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(raw, raw))
        if name == "lead_division":
            return self.divisions.get(raw, str(raw))
        return str(raw)

    def countries_value(self, links: Iterable[tuple[int, str]]) -> str:
        return "; ".join(
            sorted(
                f"{self.countries.get(pk, pk)} ({self.roles.get(role, role)})" for pk, role in links
            )
        )

    def themes_value(self, ids: Iterable[int]) -> str:
        return "; ".join(sorted(self.themes.get(pk, str(pk)) for pk in ids))

    def differences(
        self,
        *,
        current: dict[str, Any],
        wanted: dict[str, Any],
        countries: tuple[set[tuple[int, str]], set[tuple[int, str]]],
        themes: tuple[set[int], set[int]],
    ) -> list[Difference]:
        """Each field (stored value or id in `current`), and the countries (id, role) and themes
        (ids), that go from the stored value to the wanted one."""
        found = []
        for name, value in wanted.items():
            if current[name] != (value.pk if hasattr(value, "pk") else value):
                found.append(
                    Difference(
                        name,
                        str(ACTIVITY_FIELDS[name].verbose_name).capitalize(),
                        self.field_value(name, current[name]),
                        self.field_value(name, value),
                    )
                )
        if countries[0] != countries[1]:
            found.append(
                Difference(
                    COUNTRIES,
                    _("Countries"),
                    self.countries_value(countries[0]),
                    self.countries_value(countries[1]),
                )
            )
        if themes[0] != themes[1]:
            found.append(
                Difference(
                    THEMES, _("Themes"), self.themes_value(themes[0]), self.themes_value(themes[1])
                )
            )
        return found

    def line_difference(
        self, key: LineKey, contributor: str | None, now: Decimal, target: Decimal
    ) -> Difference:
        return Difference(
            line_conflict_key(key), self.line(key, contributor), money(now), money(target)
        )

    def load_partners(self, ids: Iterable[tuple[int | None, int | None]]) -> None:
        """The names of the (partner, group) ids of the lines, those not known yet."""
        partners, groups = set(), set()
        for partner_id, group_id in ids:
            if partner_id is not None and partner_id > 0 and partner_id not in self.partners:
                partners.add(partner_id)
            if group_id is not None and group_id > 0 and group_id not in self.groups:
                groups.add(group_id)
        if partners:
            self.partners.update(Partner.objects.filter(pk__in=partners).values_list("pk", "name"))
        if groups:
            self.groups.update(
                ContributorGroup.objects.filter(pk__in=groups).values_list("pk", "label")
            )

    def line(self, key: LineKey, contributor: str | None) -> str:
        kind, contributor_id, group_id, stage, currency = key
        stage_label = str(Stage(stage).label).lower()
        if kind in IFAD_KINDS:
            return _("IFAD %(stage)s (%(currency)s)") % {"stage": stage_label, "currency": currency}
        name = (
            contributor
            or self.partners.get(contributor_id or 0)
            or self.groups.get(group_id or 0, "")
        )
        return _("%(name)s, %(kind)s %(stage)s (%(currency)s)") % {
            "name": name,
            "kind": str(ContributionKind(kind).label).lower(),
            "stage": stage_label,
            "currency": currency,
        }


def money(value: Decimal) -> str:
    return formatting.amount(value)


def line_conflict_key(key: LineKey) -> str:
    """Lines that one workbook figure states together: IFAD's by stage (the workbook gives its
    money in US$ whatever the source and currency), the others one by one."""
    kind, contributor_id, group_id, stage, currency = key
    if kind in IFAD_KINDS:
        return f"line:ifad:{stage}"
    if group_id is not None:
        return f"line:{kind}:group-{group_id}:{stage}:{currency}"
    return f"line:{kind}:{contributor_id}:{stage}:{currency}"


@dataclass
class _Change:
    user_id: int | None
    when: datetime.datetime


class PortalChanges:
    """Who last changed, in the portal and after `since`, each field, the countries, the themes
    and each ledger line of the given activities: four queries, whatever their number."""

    def __init__(self, activity_ids: list[int], since: datetime.datetime | None) -> None:
        self.by_activity: dict[int, dict[str, _Change]] = defaultdict(dict)
        if since is None or not activity_ids:
            return
        history = Activity.history.model  # type: ignore[attr-defined]
        recent = history.objects.filter(id__in=activity_ids, history_date__gt=since).exclude(
            _from_import()
        )
        records = list(
            history.objects.filter(id__in=recent.values("id")).order_by(
                "history_date", "history_id"
            )
        )
        self._record_changes(records, since)
        country_history = ActivityCountry.history.model  # type: ignore[attr-defined]
        for activity_id, user_id, when in (
            country_history.objects.filter(activity_id__in=activity_ids, history_date__gt=since)
            .exclude(_from_import())
            .order_by("history_date")
            .values_list("activity_id", "history_user_id", "history_date")
        ):
            self.by_activity[activity_id][COUNTRIES] = _Change(user_id, when)
        entry_history = FinancialEntry.history.model  # type: ignore[attr-defined]
        for activity_id, kind, contributor_id, group_id, stage, currency, user_id, when in (
            entry_history.objects.filter(
                activity_id__in=activity_ids, history_date__gt=since, history_type="+"
            )
            .exclude(_from_import())
            .order_by("history_date")
            .values_list(
                "activity_id",
                "kind",
                "contributor_id",
                "contributor_group_id",
                "stage",
                "currency",
                "history_user_id",
                "history_date",
            )
        ):
            key = line_conflict_key((kind, contributor_id, group_id, stage, currency))
            self.by_activity[activity_id][key] = _Change(user_id, when)

    def _record_changes(self, records: list[Any], since: datetime.datetime) -> None:
        """Each field (and the themes) a portal save after `since` changed, by comparing every
        snapshot with the one before it."""
        if not records:
            return
        theme_model = apps.get_model("activities", "HistoricalActivity_themes")
        themes: dict[int, set[int]] = defaultdict(set)
        for history_id, theme_id in theme_model.objects.filter(
            history_id__in=[r.history_id for r in records]
        ).values_list("history_id", "theme_id"):
            themes[history_id].add(theme_id)
        tracked = [f for f in Activity._meta.concrete_fields if f.name not in UNTRACKED_FIELDS]
        previous: dict[int, Any] = {}
        for record in records:
            before = previous.get(record.id)
            previous[record.id] = record
            portal = not (record.history_change_reason or "").startswith(IMPORT_RUN_PREFIX)
            if before is None or record.history_date <= since or not portal:
                continue
            change = _Change(record.history_user_id, record.history_date)
            for model_field in tracked:
                if getattr(before, model_field.attname) != getattr(record, model_field.attname):
                    self.by_activity[record.id][model_field.name] = change
            if themes[before.history_id] != themes[record.history_id]:
                self.by_activity[record.id][THEMES] = change

    def conflicts(
        self, activity_id: int, differences: list[Difference]
    ) -> list[tuple[Difference, _Change]]:
        changed = self.by_activity.get(activity_id, {})
        return [(d, changed[d.key]) for d in differences if d.key in changed]


def user_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {pk for pk in user_ids if pk is not None}
    if not wanted:
        return {}
    return {user.pk: str(user) for user in get_user_model().objects.filter(pk__in=wanted)}


def describe_conflicts(
    found: list[tuple[Difference, _Change]], names: dict[int, str]
) -> list[Conflict]:
    return [
        Conflict(
            label=difference.label,
            portal=difference.old,
            file=difference.new,
            by=names.get(change.user_id, "") if change.user_id else _("System"),
            at=change.when.isoformat(),
        )
        for difference, change in found
    ]
