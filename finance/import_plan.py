"""Planning a workbook import: what each activity's record and ledger lines become, what
changed since the file was made, and what the check shows the focal point.

Nothing here writes but the partners a real import creates first; finance.importer writes
what the plan says, a chunk of activities at a time.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from activities import services as activity_services
from activities.models import (
    SDG,
    Activity,
    ActivityCountry,
    ActivityPartner,
    CountryRole,
    Partner,
    PartnerType,
    normalize_name,
)

from . import contributor_groups, import_review, periods, services
from .export import legacy_year
from .import_review import ActivityReview, Difference, Labels, LineKey, PortalChanges
from .legacy import (
    ACTIVITIES,
    CONTRIBUTIONS,
    ActivityRow,
    ContributionRow,
    Problem,
)
from .models import (
    IFAD_KINDS,
    MAX_LINE_AMOUNT,
    ContributionKind,
    ContributorGroup,
    FinancialEntry,
    LedgerLock,
    to_usd,
)

if TYPE_CHECKING:
    from accounts.models import User

IFAD_KIND_BY_NATURE = {
    "grant": ContributionKind.IFAD_GRANT,
    "in_project": ContributionKind.IFAD_LOAN,
    "admin_budget": ContributionKind.IFAD_ADMIN,
}

PARTNER_TYPES = {
    "government": PartnerType.GOVERNMENT,
    "local government": PartnerType.LOCAL_GOVERNMENT,
    "ngo": PartnerType.NGO,
    "cso": PartnerType.NGO,
    "ngo/cso": PartnerType.NGO,
    "civil society": PartnerType.NGO,
    "farmers' organization": PartnerType.FARMERS_ORG,
    "farmers organization": PartnerType.FARMERS_ORG,
    "research": PartnerType.RESEARCH,
    "academic": PartnerType.RESEARCH,
    "research/academic": PartnerType.RESEARCH,
    "private": PartnerType.PRIVATE,
    "private sector": PartnerType.PRIVATE,
    "private company": PartnerType.PRIVATE,
    "multilateral": PartnerType.MULTILATERAL,
    "multilateral/un": PartnerType.MULTILATERAL,
    "un": PartnerType.MULTILATERAL,
    "multilateral/bilateral": PartnerType.MULTILATERAL,
    "bilateral": PartnerType.BILATERAL,
    "bilateral donor": PartnerType.BILATERAL,
    "donor": PartnerType.BILATERAL,
    "foundation": PartnerType.FOUNDATION,
    "project unit": PartnerType.PROJECT_UNIT,
    # Our own export writes the type's code.
    **{value: value for value in PartnerType.values},
}


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    entries: int = 0
    partners_created: int = 0
    groups_created: int = 0  # "Other contributors (A, B)" labels: finance.contributor_groups
    skipped: int = 0  # activities left as they are: the portal changed them after the file
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None
    sheets: dict[str, str] = field(default_factory=dict)  # ACTIVITIES/CONTRIBUTIONS -> title
    made_at: datetime.datetime | None = None  # from when portal changes are newer than the file
    reviews: list[ActivityReview] = field(default_factory=list)
    reviews_omitted: int = 0


ATTNAMES = {f.name: f.attname for f in Activity._meta.concrete_fields}


@dataclass
class LineChange:
    """One ledger line to bring from `now` to `target`."""

    key: LineKey
    now: Decimal
    target: Decimal
    rate: Decimal
    value_date: datetime.date
    source: ContributionRow | None


@dataclass
class Planned:
    """What the import does to one activity of a chunk."""

    ssc_id: str
    row: ActivityRow | None
    activity: Activity | None  # as loaded; None for a new one
    prepared: activity_services.PreparedActivity | None  # None when its record stays as it is
    changes: list[LineChange]
    ledger_version: int

    @property
    def sheet_row(self) -> tuple[str, int]:
        if self.row is not None:
            return ACTIVITIES, self.row.row
        first = next((c.source for c in self.changes if c.source), None)
        return CONTRIBUTIONS, first.row if first else 0


@dataclass
class Loaded:
    """A chunk's activities already in the portal and what hangs off them, read in a fixed
    number of queries: values, not model instances, where nothing is written back."""

    activities: dict[str, Activity]  # by SSC ID
    countries: dict[int, dict[int, tuple[str, Decimal | None]]] = field(
        default_factory=lambda: defaultdict(dict)
    )  # activity -> country -> (role, share)
    themes: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    ledger_versions: dict[int, int] = field(default_factory=dict)
    lines: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    # For the activities whose record changes only: the links an update carries over.
    partners: dict[int, dict[Partner, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )
    sdgs: dict[int, list[SDG]] = field(default_factory=lambda: defaultdict(list))


def contribution_is_group(row: ContributionRow) -> bool:
    """The row's contributor is a group's label ("Other contributors (FAO)"), not a partner."""
    return contributor_groups.group_names(row.contributor) is not None


class ImportPlanner:
    """Works out, chunk by chunk, what the import does to each activity of the file."""

    def __init__(
        self,
        *,
        user: User | None,
        reason: str,
        summary: ImportSummary,
        write: bool,
        history_reason: str | None = None,
        overwrite: frozenset[str] = frozenset(),
    ):
        self.user = user
        self.reason = reason
        self.summary = summary
        self.write = write
        self.history_reason = history_reason
        self.overwrite = overwrite
        self.labels = Labels()
        self.activities_sheet = summary.sheets.get(ACTIVITIES, ACTIVITIES)
        self.contributions_sheet = summary.sheets.get(CONTRIBUTIONS, CONTRIBUTIONS)
        self.problems: list[Problem] = []
        # Contributor name key -> partner pk; in a dry run, organizations still to be created
        # get negative numbers, which no row has.
        self.partner_ids: dict[str, int] = {}
        self.name_keys: dict[str, str] = {}  # contributor as written -> its name key
        # The same for the labels that name a group of contributors: label key -> group pk.
        self.group_ids: dict[str, int] = {}
        self.rates: dict[tuple[str, datetime.date], Decimal | services.FinanceError] = {}
        self.today = datetime.date.today()
        self.guard = periods.PeriodGuard.load()

    def _resolve_partners(self, contributions: list[ContributionRow]) -> None:
        """Every contributor to its organization, matched on the normalized name; the ones the
        portal does not know yet are created (typed by the first row naming them)."""
        first_rows: dict[str, ContributionRow] = {}
        group_labels: dict[str, str] = {}
        for contribution in contributions:
            if contribution.contributor not in self.name_keys:
                self.name_keys[contribution.contributor] = normalize_name(contribution.contributor)
            key = self.name_keys[contribution.contributor]
            if contribution_is_group(contribution):
                group_labels.setdefault(key, contribution.contributor)
            else:
                first_rows.setdefault(key, contribution)
        self._resolve_groups(group_labels)
        for pk, key in (
            Partner.objects.filter(name_key__in=list(first_rows))
            .order_by("country_id", "pk")
            .values_list("pk", "name_key")
        ):
            self.partner_ids.setdefault(key, pk)
        missing = [(key, row) for key, row in first_rows.items() if key not in self.partner_ids]
        self.summary.partners_created = len(missing)
        if not self.write:
            for number, (key, _row) in enumerate(missing, start=1):
                self.partner_ids[key] = -number
            return
        created = activity_services.create_partners(
            partners=[
                Partner(
                    name=row.contributor,
                    type=PARTNER_TYPES.get(row.contributor_type.casefold(), PartnerType.OTHER),
                )
                for _key, row in missing
            ],
            user=self.user,
            reason=self.history_reason,
        )
        for (key, _row), partner in zip(missing, created, strict=True):
            self.partner_ids[key] = partner.pk

    def _resolve_groups(self, labels: dict[str, str]) -> None:
        """Every group label (by its key) to its group; in a dry run, groups still to be
        created get negative numbers."""
        if not labels:
            return
        self.group_ids = dict(
            ContributorGroup.objects.filter(label_key__in=list(labels)).values_list(
                "label_key", "pk"
            )
        )
        missing = [key for key in labels if key not in self.group_ids]
        self.summary.groups_created = len(missing)
        if self.write:
            self.group_ids = contributor_groups.create_groups(
                labels=labels.values(), user=self.user, reason=self.history_reason
            )
            return
        for number, key in enumerate(missing, start=1):
            self.group_ids[key] = -number

    def _load(self, chunk: list[tuple[str, ActivityRow | None]]) -> Loaded:
        activities = {
            activity.ssc_id: activity
            for activity in Activity.objects.filter(ssc_id__in=[ssc_id for ssc_id, _row in chunk])
        }
        loaded = Loaded(activities)
        ids = [activity.pk for activity in activities.values()]
        if not ids:
            return loaded
        for activity_id, country_id, role, share in ActivityCountry.objects.filter(
            activity_id__in=ids
        ).values_list("activity_id", "country_id", "role", "share"):
            loaded.countries[activity_id][country_id] = (role, share)
        for activity_id, theme_id in Activity.themes.through.objects.filter(
            activity_id__in=ids
        ).values_list("activity_id", "theme_id"):
            loaded.themes[activity_id].add(theme_id)
        loaded.ledger_versions = dict(
            LedgerLock.objects.filter(activity_id__in=ids).values_list("activity_id", "version")
        )
        for line in (
            FinancialEntry.objects.filter(activity_id__in=ids)
            .values(
                "activity_id", "kind", "contributor_id", "contributor_group_id", "stage", "currency"
            )
            .annotate(net=Sum("amount"), usd=Sum("amount_usd"))
            .order_by()
        ):
            loaded.lines[line["activity_id"]].append(line)
        return loaded

    def _plan(
        self, chunk: list[tuple[str, ActivityRow | None]], by_activity: dict[str, list[Any]]
    ) -> list[Planned]:
        loaded = self._load(chunk)
        wanted = {
            ssc_id: self._wanted(row, loaded.activities.get(ssc_id))
            for ssc_id, row in chunk
            if row is not None
        }
        differences = {
            ssc_id: self._differences(activity, *wanted[ssc_id], row, loaded)
            for ssc_id, row in chunk
            if row is not None and (activity := loaded.activities.get(ssc_id)) is not None
        }
        changing = {loaded.activities[ssc_id].pk for ssc_id, found in differences.items() if found}
        portal = PortalChanges(
            [activity.pk for activity in loaded.activities.values()], self.summary.made_at
        )
        self.labels.load_partners(
            (line["contributor_id"], line["contributor_group_id"])
            for lines in loaded.lines.values()
            for line in lines
        )
        in_conflict: list[tuple[ActivityReview, list[Any]]] = []
        self._load_kept_links(loaded, changing)

        planned: list[Planned] = []
        for ssc_id, row in chunk:
            activity = loaded.activities.get(ssc_id)
            prepared = None
            if row is not None:
                try:
                    prepared = self._prepare(row, activity, wanted[ssc_id], loaded, changing)
                except activity_services.ActivityError as error:
                    self._activity_problem(row, error)
                    continue
                year = row.year
            else:
                assert activity is not None  # the reader refuses IDs unknown to both
                year = activity.year or self.today.year
            contributions = by_activity.get(ssc_id, [])
            changes = self._reconcile(
                year, row, contributions, loaded.lines[activity.pk] if activity else []
            )
            review = self._review(
                ssc_id, row, activity, contributions, differences.get(ssc_id, []), changes
            )
            if activity is None and row is not None:
                fields, links = wanted[ssc_id]
                review.probe = import_review.probe_of(fields, (link.country.pk for link in links))
            found = portal.conflicts(activity.pk, review.fields + review.lines) if activity else []
            if found:
                in_conflict.append((review, found))
                if ssc_id not in self.overwrite:
                    review.action = "conflict"
                    self.summary.skipped += 1
                    self._keep(review)
                    continue
                review.action = "overwritten"
            self._refuse_closed(year, activity, row, changes)
            self._count(review, activity, prepared, changes)
            version = loaded.ledger_versions.get(activity.pk, 0) if activity else 0
            planned.append(Planned(ssc_id, row, activity, prepared, changes, version))
        names = import_review.user_names(
            change.user_id for _review, found in in_conflict for _diff, change in found
        )
        for review, found in in_conflict:
            review.conflicts = import_review.describe_conflicts(found, names)
        return planned

    @staticmethod
    def _load_kept_links(loaded: Loaded, changing: set[int]) -> None:
        """What an update must carry over unchanged: only for the activities that change."""
        for link in ActivityPartner.objects.filter(activity_id__in=changing).select_related(
            "partner"
        ):
            loaded.partners[link.activity_id][link.partner].add(link.role)
        for through in Activity.sdgs.through.objects.filter(
            activity_id__in=changing
        ).select_related("sdg"):
            loaded.sdgs[through.activity_id].append(through.sdg)

    def _prepare(
        self,
        row: ActivityRow,
        activity: Activity | None,
        wanted: tuple[dict[str, Any], list[activity_services.CountryLink]],
        loaded: Loaded,
        changing: set[int],
    ) -> activity_services.PreparedActivity | None:
        """The activity's record as the row states it, None when it stays as it is; raises
        ActivityError when the record would be refused."""
        fields, links = wanted
        if activity is None:
            return activity_services.prepare_new_activity(
                data=activity_services.ActivityData(
                    fields=fields,
                    countries=links,
                    themes=row.themes,
                    ssc_id=row.ssc_id,
                    status_note=self.reason,
                ),
                user=self.user,
            )
        if activity.pk not in changing:
            return None
        stored = loaded.countries[activity.pk]
        data = activity_services.ActivityData(
            fields=fields,
            countries=[
                # Shares typed in the portal survive a re-import of the same countries.
                activity_services.CountryLink(
                    link.country,
                    link.role,
                    stored[link.country.pk][1] if link.country.pk in stored else None,
                )
                for link in links
            ],
            partners=[
                activity_services.PartnerLink(partner, frozenset(roles))
                for partner, roles in loaded.partners[activity.pk].items()
            ],
            themes=row.themes,
            sdgs=loaded.sdgs[activity.pk],
            status_note=self.reason,
        )
        return activity_services.prepare_activity_update(
            activity=activity, data=data, expected_version=activity.version
        )

    def _count(
        self,
        review: ActivityReview,
        activity: Activity | None,
        prepared: activity_services.PreparedActivity | None,
        changes: list[LineChange],
    ) -> None:
        """Count the activity in the summary, and show it in the preview when it changes."""
        if activity is None:
            self.summary.created += 1
        elif prepared is not None or changes:
            self.summary.updated += 1
        else:
            self.summary.unchanged += 1
        self.summary.entries += len(changes)
        if activity is None or prepared is not None or changes:
            self._keep(review)

    def _review(
        self,
        ssc_id: str,
        row: ActivityRow | None,
        activity: Activity | None,
        contributions: list[ContributionRow],
        fields: list[Difference],
        changes: list[LineChange],
    ) -> ActivityReview:
        if row is not None:
            sheet, number = self.activities_sheet, row.row
        else:
            sheet, number = self.contributions_sheet, contributions[0].row if contributions else 0
        lines = [
            self.labels.line_difference(
                change.key,
                change.source.contributor if change.source else None,
                change.now,
                change.target,
            )
            for change in changes
        ]
        action = "updated" if activity is not None else "created"
        return ActivityReview(ssc_id, sheet, number, action, fields, lines)

    def _keep(self, review: ActivityReview) -> None:
        """Into the preview; past DETAIL_LIMIT only conflicts, which the focal point must see."""
        if review.action in ("conflict", "overwritten") or (
            len(self.summary.reviews) < import_review.DETAIL_LIMIT
        ):
            self.summary.reviews.append(review)
        else:
            self.summary.reviews_omitted += 1

    @staticmethod
    def _wanted(
        row: ActivityRow, activity: Activity | None
    ) -> tuple[dict[str, Any], list[activity_services.CountryLink]]:
        """The record's fields and country links as the row states them."""
        fields = {
            "title": row.title,
            "funding_nature": row.funding_nature,
            "approval_year": row.year,
            "lead_division": row.division,
            "modality": row.modality,
            "status": row.status,
            "notes": row.notes,
        }
        if (
            activity is not None
            and activity.approval_year is None
            and legacy_year(activity) == row.year
        ):
            # The export writes a start year (or the year it was logged) when no approval year
            # was recorded: reading it back is no reason to change the record.
            fields["approval_year"] = None
        links = [
            activity_services.CountryLink(
                c, CountryRole.BOTH if c in row.receivers else CountryRole.PROVIDER
            )
            for c in row.providers
        ] + [
            activity_services.CountryLink(c, CountryRole.RECEIVER)
            for c in row.receivers
            if c not in row.providers
        ]
        return fields, links

    def _differences(
        self,
        activity: Activity,
        fields: dict[str, Any],
        links: list[activity_services.CountryLink],
        row: ActivityRow,
        loaded: Loaded,
    ) -> list[Difference]:
        """Each field, and the countries and themes, that the row changes: old -> new."""
        return self.labels.differences(
            # The stored ids, not the related rows: reading those would cost a query each.
            current={name: getattr(activity, ATTNAMES[name]) for name in fields},
            wanted=fields,
            countries=(
                {(pk, role) for pk, (role, _share) in loaded.countries[activity.pk].items()},
                {(link.country.pk, link.role) for link in links},
            ),
            themes=(loaded.themes[activity.pk], {t.pk for t in row.themes}),
        )

    def _activity_problem(self, row: ActivityRow, error: activity_services.ActivityError) -> None:
        for name, messages in error.errors.items():
            column = {"status": "J (status)", "title": "B (activity)"}.get(name, name)
            for message in messages:
                self.problems.append(Problem(self.activities_sheet, row.row, column, message))

    def _refuse_closed(
        self,
        year: int,
        activity: Activity | None,
        row: ActivityRow | None,
        changes: list[LineChange],
    ) -> None:
        """A figure that moves in a closed fiscal year is a problem of the row that states it."""
        if not changes:
            return
        refusals = self.guard.entry_refusals(
            value_date=datetime.date(year, 1, 1),
            fiscal_year=year,
            activity_id=activity.pk if activity else None,
        )
        source = next((change.source for change in changes if change.source), None)
        where = ("Activities", row.row) if row else (CONTRIBUTIONS, source.row if source else 0)
        for messages in refusals.values():
            self.problems += [Problem(*where, _("year"), message) for message in messages]

    def _rate(self, currency: str, value_date: datetime.date) -> Decimal:
        key = (currency, value_date.replace(day=1))
        if key not in self.rates:
            try:
                self.rates[key] = services.rate_for(currency, value_date)
            except services.FinanceError as error:
                self.rates[key] = error
        found = self.rates[key]
        if isinstance(found, services.FinanceError):
            raise found
        return found

    def _line_key(self, contribution: ContributionRow, stage: str) -> LineKey:
        """The ledger line a row's figure for a stage states: its partner's, or its group's."""
        name_key = self.name_keys[contribution.contributor]
        partner_id = self.partner_ids.get(name_key)
        group_id = self.group_ids.get(name_key) if partner_id is None else None
        return (contribution.kind, partner_id, group_id, stage, contribution.currency)

    def _reconcile(
        self,
        year: int,
        row: ActivityRow | None,
        contributions: list[ContributionRow],
        lines: list[dict[str, Any]],
    ) -> list[LineChange]:
        value_date = datetime.date(year, 1, 1)
        targets: dict[LineKey, Decimal] = defaultdict(Decimal)
        rows_by_key: dict[LineKey, ContributionRow] = {}
        if row is not None:
            kind = IFAD_KIND_BY_NATURE[row.funding_nature]
            for stage, amount in row.ifad.items():
                targets[(kind, None, None, stage, "USD")] += amount or 0
        for contribution in contributions:
            for stage, amount in contribution.amounts.items():
                key = self._line_key(contribution, stage)
                targets[key] += amount or 0
                rows_by_key[key] = contribution
        current: dict[LineKey, Decimal] = {
            (*_ids(line), line["stage"], line["currency"]): line["net"]  # type: ignore[misc]
            for line in lines
        }
        if row is not None:
            ifad_usd = dict.fromkeys(row.ifad, Decimal(0))
            for line in lines:
                if line["kind"] in IFAD_KINDS:
                    ifad_usd[line["stage"]] += line["usd"]
            if all(ifad_usd[stage] == (amount or 0) for stage, amount in row.ifad.items()):
                # The workbook states IFAD's money in US$ only: when the US$ figures agree,
                # lines the portal keeps in another currency or IFAD source stay as they are.
                targets = defaultdict(
                    Decimal, {k: v for k, v in targets.items() if k[0] not in IFAD_KINDS}
                )
                current = {k: v for k, v in current.items() if k[0] not in IFAD_KINDS}
            # The Activities sheet states the whole picture: unlisted lines go to zero.
            for key in current:
                targets.setdefault(key, Decimal(0))
        changes: list[LineChange] = []
        for key, target in sorted(targets.items(), key=lambda item: str(item[0])):
            now = current.get(key, Decimal(0))
            if target == now:
                continue
            source = rows_by_key.get(key)
            where = (
                (self.contributions_sheet, source.row)
                if source
                else (self.activities_sheet, row.row if row else 0)
            )
            try:
                rate = self._rate(key[4], value_date)
            except services.FinanceError as error:
                self.problems.append(
                    Problem(
                        *where,
                        "E (currency)" if source else "",
                        " ".join(error.errors.get("currency", [str(error)])),
                    )
                )
                continue
            too_large = (
                services.amount_over_limit(target, key[4])
                if target > MAX_LINE_AMOUNT
                else services.converted_over_limit(to_usd(target, rate), key[4])
            )
            if too_large:
                # Refused as the finance page refuses it (finance.models.MAX_LINE_AMOUNT).
                self.problems.append(Problem(*where, "", too_large))
                continue
            changes.append(LineChange(key, now, target, rate, value_date, source))
        return changes


def _ids(line: dict[str, Any]) -> tuple[str, int | None, int | None]:
    """A stored line's kind, contributor and group, the start of its LineKey."""
    return line["kind"], line["contributor_id"], line["contributor_group_id"]
