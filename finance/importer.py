"""Importing the corporate SSC workbook: all or nothing, upsert on SSC ID, a rerun changes nothing.

The workbook states each activity's figures; the ledger records movements. The import therefore
brings every (contributor, kind, stage, currency) line of the ledger to the figure the workbook
states, by recording an original entry where there was none and an adjustment (or a reversal)
where the figure moved, each saying which import made it. For activities in the Activities sheet
the workbook is the whole picture: a line it no longer lists is brought to zero. Contribution rows
for activities only in the portal set the lines they list and leave the others alone.

Legacy figures carry a year, not a date: they are dated 1 January of the activity's year, and
amounts in other currencies use the exchange rate of that month.

The file may be older than the portal: an activity the portal changed after the file was made,
in a field or line the file would change back, is a conflict (finance.import_review) and is left
as it is unless the focal point asks, activity by activity, to overwrite it. Every history row
the import writes names its run (activities.history.import_run_reason).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from activities import bulk
from activities import services as activity_services
from activities.history import import_run_reason
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

from . import import_review, periods, rollups, services
from .export import legacy_year
from .import_review import ActivityReview, Difference, Labels, LineKey, PortalChanges
from .legacy import (
    ACTIVITIES,
    CONTRIBUTIONS,
    ActivityRow,
    ContributionRow,
    Problem,
    read_workbook,
)
from .models import (
    IFAD_KINDS,
    MAX_LINE_AMOUNT,
    ContributionKind,
    EntryType,
    FinancialEntry,
    ImportRun,
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


class ImportRefused(Exception):
    """The file was not imported; `problems` lists every reason, by sheet, row and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    entries: int = 0
    partners_created: int = 0
    skipped: int = 0  # activities left as they are: the portal changed them after the file
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None
    sheets: dict[str, str] = field(default_factory=dict)  # ACTIVITIES/CONTRIBUTIONS -> title
    made_at: datetime.datetime | None = None  # from when portal changes are newer than the file
    reviews: list[ActivityReview] = field(default_factory=list)
    reviews_omitted: int = 0


Progress = Callable[[int, int], None]


def checksum(handle: IO[bytes]) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def import_legacy_workbook(
    *,
    handle: IO[bytes],
    filename: str,
    user: User | None,
    dry_run: bool,
    progress: Progress | None = None,
    overwrite: Collection[str] = (),
) -> ImportSummary:
    """Read, check and (unless `dry_run`) write the workbook; ImportRefused lists all problems.

    A dry run works out everything the import would do and writes nothing. The import writes
    CHUNK activities at a time, in one transaction: a problem found in a later chunk undoes the
    earlier ones, so the file goes in whole or not at all. Activities in conflict (changed in
    the portal after the file was made) are skipped unless their SSC ID is in `overwrite`.
    """
    digest = checksum(handle)
    known = set(Activity.objects.values_list("ssc_id", flat=True))
    parsed = read_workbook(handle, known_ssc_ids=known)
    if parsed.problems:
        raise ImportRefused([str(problem) for problem in parsed.problems])
    summary = ImportSummary(
        warnings=[str(w) for w in parsed.warnings],
        sheets=parsed.sheets,
        made_at=import_review.file_made_at(parsed.made_at),
    )
    reason = _("Legacy workbook import: %(name)s") % {"name": filename[:200]}
    with transaction.atomic():
        last_entry = rollups.last_entry_id()  # the import's entries come after it
        run = None
        if not dry_run:
            # First, so that every history row the import writes can name it.
            run = ImportRun.objects.create(user=user, filename=filename[:255], sha256=digest)
        writer = _Writer(
            user=user,
            reason=reason,
            summary=summary,
            write=not dry_run,
            history_reason=import_run_reason(run.pk, run.filename) if run else None,
            overwrite=frozenset(overwrite),
        )
        problems = writer.run(parsed.activities, parsed.contributions, progress)
        if problems:
            raise ImportRefused([str(problem) for problem in problems])
        if run is not None:
            run.activities_created = summary.created
            run.activities_updated = summary.updated
            run.activities_unchanged = summary.unchanged
            run.activities_skipped = summary.skipped
            run.entries_recorded = summary.entries
            run.warnings = summary.warnings
            run.save()
            summary.run_id = run.pk
            rollups.request_refresh_for_entries_after(last_entry)

    return summary


# Activities planned and written together: enough to make the queries per activity negligible,
# few enough to keep the memory of a 10,000-activity file low.
CHUNK = 500
ATTNAMES = {f.name: f.attname for f in Activity._meta.concrete_fields}


@dataclass
class _LineChange:
    """One ledger line to bring from `now` to `target`."""

    key: LineKey
    now: Decimal
    target: Decimal
    rate: Decimal
    value_date: datetime.date
    source: ContributionRow | None


@dataclass
class _Planned:
    """What the import does to one activity of a chunk."""

    ssc_id: str
    row: ActivityRow | None
    activity: Activity | None  # as loaded; None for a new one
    prepared: activity_services.PreparedActivity | None  # None when its record stays as it is
    changes: list[_LineChange]
    ledger_version: int

    @property
    def sheet_row(self) -> tuple[str, int]:
        if self.row is not None:
            return ACTIVITIES, self.row.row
        first = next((c.source for c in self.changes if c.source), None)
        return CONTRIBUTIONS, first.row if first else 0


@dataclass
class _Loaded:
    """A chunk's activities already in the portal and what hangs off them, read in a fixed
    number of queries: values, not model instances, where nothing is written back."""

    activities: dict[str, Activity]  # by SSC ID
    countries: dict[int, dict[int, tuple[str, Decimal | None]]] = field(
        default_factory=lambda: defaultdict(dict)
    )  # activity -> country -> (role, share)
    themes: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    ledger_versions: dict[int, int] = field(default_factory=dict)
    lines: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))


class _Writer:
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
        self.rates: dict[tuple[str, datetime.date], Decimal | services.FinanceError] = {}
        self.today = datetime.date.today()
        self.guard = periods.PeriodGuard.load()

    def run(
        self,
        activity_rows: list[ActivityRow],
        contribution_rows: list[ContributionRow],
        progress: Progress | None,
    ) -> list[Problem]:
        by_activity: dict[str, list[ContributionRow]] = defaultdict(list)
        for contribution in contribution_rows:
            by_activity[contribution.ssc_id].append(contribution)
        in_sheet = {row.ssc_id for row in activity_rows}
        work: list[tuple[str, ActivityRow | None]] = [(row.ssc_id, row) for row in activity_rows]
        work += [(ssc_id, None) for ssc_id in by_activity if ssc_id not in in_sheet]
        self._resolve_partners(
            [contribution for ssc_id, _row in work for contribution in by_activity[ssc_id]]
        )
        for start in range(0, len(work), CHUNK):
            chunk = work[start : start + CHUNK]
            planned = self._plan(chunk, by_activity)
            # Once the file is known to be refused, writing more would only cost time.
            if self.write and not self.problems:
                self._write(planned)
            if progress:
                progress(start + len(chunk), len(work))
        # One missing rate stops several stages of the same row: say it once.
        return list(dict.fromkeys(self.problems))

    # --- planning ---------------------------------------------------------------------------

    def _resolve_partners(self, contributions: list[ContributionRow]) -> None:
        """Every contributor to its organization, matched on the normalized name; the ones the
        portal does not know yet are created (typed by the first row naming them)."""
        first_rows: dict[str, ContributionRow] = {}
        for contribution in contributions:
            if contribution.contributor not in self.name_keys:
                self.name_keys[contribution.contributor] = normalize_name(contribution.contributor)
            first_rows.setdefault(self.name_keys[contribution.contributor], contribution)
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

    def _load(self, chunk: list[tuple[str, ActivityRow | None]]) -> _Loaded:
        activities = {
            activity.ssc_id: activity
            for activity in Activity.objects.filter(ssc_id__in=[ssc_id for ssc_id, _row in chunk])
        }
        loaded = _Loaded(activities)
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
            .values("activity_id", "kind", "contributor_id", "stage", "currency")
            .annotate(net=Sum("amount"), usd=Sum("amount_usd"))
            .order_by()
        ):
            loaded.lines[line["activity_id"]].append(line)
        return loaded

    def _plan(
        self, chunk: list[tuple[str, ActivityRow | None]], by_activity: dict[str, list[Any]]
    ) -> list[_Planned]:
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
            line["contributor_id"] for lines in loaded.lines.values() for line in lines
        )
        in_conflict: list[tuple[ActivityReview, list[Any]]] = []
        # What an update must carry over unchanged: only for the activities that change.
        partners: dict[int, dict[Partner, set[str]]] = defaultdict(lambda: defaultdict(set))
        for link in ActivityPartner.objects.filter(activity_id__in=changing).select_related(
            "partner"
        ):
            partners[link.activity_id][link.partner].add(link.role)
        sdgs: dict[int, list[SDG]] = defaultdict(list)
        for through in Activity.sdgs.through.objects.filter(
            activity_id__in=changing
        ).select_related("sdg"):
            sdgs[through.activity_id].append(through.sdg)

        planned: list[_Planned] = []
        for ssc_id, row in chunk:
            activity = loaded.activities.get(ssc_id)
            prepared = None
            if row is not None:
                fields, links = wanted[ssc_id]
                try:
                    if activity is None:
                        prepared = activity_services.prepare_new_activity(
                            data=activity_services.ActivityData(
                                fields=fields,
                                countries=links,
                                themes=row.themes,
                                ssc_id=row.ssc_id,
                                status_note=self.reason,
                            ),
                            user=self.user,
                        )
                    elif activity.pk in changing:
                        stored = loaded.countries[activity.pk]
                        data = activity_services.ActivityData(
                            fields=fields,
                            countries=[
                                # Shares typed in the portal survive a re-import of the same
                                # countries.
                                activity_services.CountryLink(
                                    link.country,
                                    link.role,
                                    stored[link.country.pk][1]
                                    if link.country.pk in stored
                                    else None,
                                )
                                for link in links
                            ],
                            partners=[
                                activity_services.PartnerLink(partner, frozenset(roles))
                                for partner, roles in partners[activity.pk].items()
                            ],
                            themes=row.themes,
                            sdgs=sdgs[activity.pk],
                            status_note=self.reason,
                        )
                        prepared = activity_services.prepare_activity_update(
                            activity=activity, data=data, expected_version=activity.version
                        )
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
            if activity is None:
                self.summary.created += 1
            elif prepared is not None or changes:
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
            self.summary.entries += len(changes)
            if activity is None or prepared is not None or changes:
                self._keep(review)
            version = loaded.ledger_versions.get(activity.pk, 0) if activity else 0
            planned.append(_Planned(ssc_id, row, activity, prepared, changes, version))
        names = import_review.user_names(
            change.user_id for _review, found in in_conflict for _diff, change in found
        )
        for review, found in in_conflict:
            review.conflicts = import_review.describe_conflicts(found, names)
        return planned

    def _review(
        self,
        ssc_id: str,
        row: ActivityRow | None,
        activity: Activity | None,
        contributions: list[ContributionRow],
        fields: list[Difference],
        changes: list[_LineChange],
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
        loaded: _Loaded,
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
        changes: list[_LineChange],
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

    def _reconcile(
        self,
        year: int,
        row: ActivityRow | None,
        contributions: list[ContributionRow],
        lines: list[dict[str, Any]],
    ) -> list[_LineChange]:
        value_date = datetime.date(year, 1, 1)
        targets: dict[LineKey, Decimal] = defaultdict(Decimal)
        rows_by_key: dict[LineKey, ContributionRow] = {}
        if row is not None:
            kind = IFAD_KIND_BY_NATURE[row.funding_nature]
            for stage, amount in row.ifad.items():
                targets[(kind, None, stage, "USD")] += amount or 0
        for contribution in contributions:
            partner_id = self.partner_ids[self.name_keys[contribution.contributor]]
            for stage, amount in contribution.amounts.items():
                key: LineKey = (contribution.kind, partner_id, stage, contribution.currency)
                targets[key] += amount or 0
                rows_by_key[key] = contribution
        current: dict[LineKey, Decimal] = {
            (line["kind"], line["contributor_id"], line["stage"], line["currency"]): line["net"]
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
        changes: list[_LineChange] = []
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
                rate = self._rate(key[3], value_date)
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
                services.amount_over_limit(target, key[3])
                if target > MAX_LINE_AMOUNT
                else services.converted_over_limit(to_usd(target, rate), key[3])
            )
            if too_large:
                # Refused as the finance page refuses it (finance.models.MAX_LINE_AMOUNT).
                self.problems.append(Problem(*where, "", too_large))
                continue
            changes.append(_LineChange(key, now, target, rate, value_date, source))
        return changes

    # --- writing ----------------------------------------------------------------------------

    def _write(self, planned: list[_Planned]) -> None:
        with_record = [p for p in planned if p.prepared is not None]
        try:
            if with_record:
                activity_services.save_activities(
                    items=[p.prepared for p in with_record if p.prepared],
                    user=self.user,
                    reason=self.history_reason,
                )
        except activity_services.ActivityBatchError as batch:
            for position, error in batch.by_item.items():
                row = with_record[position].row
                assert row is not None  # only sheet rows change the record
                self._activity_problem(row, error)
            return
        now = timezone.now()
        if not self._claim_ledgers(planned, now):
            return
        originals = self._originals(planned)
        reference = _("legacy workbook")
        entries: list[dict[str, Any]] = []
        for plan in planned:
            activity = plan.prepared.activity if plan.prepared else plan.activity
            assert activity is not None  # a new activity always has a prepared record
            entries += [
                self._entry(
                    activity.pk, change, originals.get((activity.pk, change.key)), reference
                )
                for change in plan.changes
            ]
        bulk.insert_rows_with_history(
            FinancialEntry, entries, user=self.user, when=now, reason=self.history_reason
        )

    def _claim_ledgers(self, planned: list[_Planned], now: datetime.datetime) -> bool:
        """Move the ledger version of every existing activity whose figures change, as a form
        recording entries does, so that a form opened before the import is refused. Fails
        (with a problem) when someone recorded figures since the chunk was planned."""
        claims = {p.activity.pk: p for p in planned if p.activity is not None and p.changes}
        if not claims:
            return True
        LedgerLock.objects.bulk_create(
            [LedgerLock(activity_id=pk) for pk in claims], ignore_conflicts=True
        )
        locked = dict(
            LedgerLock.objects.select_for_update()
            .filter(activity_id__in=list(claims))
            .values_list("activity_id", "version")
        )
        moved = [p for pk, p in claims.items() if locked.get(pk, 0) != p.ledger_version]
        for plan in moved:
            sheet, number = plan.sheet_row
            self.problems.append(
                Problem(
                    self.summary.sheets.get(sheet, sheet),
                    number,
                    "",
                    _(
                        "Someone changed the figures of %(id)s while the file was being "
                        "imported: import it again."
                    )
                    % {"id": plan.ssc_id},
                )
            )
        if moved:
            return False
        LedgerLock.objects.filter(activity_id__in=list(claims)).update(
            version=F("version") + 1, updated_by=self.user, updated_at=now
        )
        services.touch_activities(claims)
        return True

    @staticmethod
    def _originals(planned: list[_Planned]) -> dict[tuple[int, LineKey], tuple[int, Decimal]]:
        """(activity, line) -> (pk, rate) of the line's latest original entry, for the lines
        that already have entries: a correction points at it and keeps its rate."""
        ids = [p.activity.pk for p in planned if p.activity is not None and p.changes]
        found: dict[tuple[int, LineKey], tuple[int, Decimal]] = {}
        for pk, activity_id, kind, contributor_id, stage, currency, rate in (
            FinancialEntry.objects.filter(activity_id__in=ids, entry_type=EntryType.ORIGINAL)
            .order_by("pk")
            .values_list(
                "pk", "activity_id", "kind", "contributor_id", "stage", "currency", "units_per_usd"
            )
        ):
            found[(activity_id, (kind, contributor_id, stage, currency))] = (pk, rate)
        return found

    def _entry(
        self,
        activity_id: int,
        change: _LineChange,
        original: tuple[int, Decimal] | None,
        reference: str,
    ) -> dict[str, Any]:
        """The ledger entry bringing the line to its target, as column values by name."""
        kind, contributor_id, stage, currency = change.key
        source = change.source
        amount = change.target if original is None else change.target - change.now
        rate = change.rate if original is None else original[1]
        return {
            "activity_id": activity_id,
            "contributor_id": contributor_id,
            "kind": kind,
            "valuation_method": "other" if kind == ContributionKind.IN_KIND else "",
            "valuation_basis": (
                source.notes[:300] if source and kind == ContributionKind.IN_KIND else ""
            ),
            "stage": stage,
            "amount": amount,
            "currency": currency,
            "value_date": change.value_date,
            "fiscal_year": change.value_date.year,
            "units_per_usd": rate,
            "amount_usd": to_usd(amount, rate),
            "reference": reference,
            "note": source.notes[:500] if source else "",
            "entry_type": (
                EntryType.ORIGINAL
                if original is None
                else EntryType.REVERSAL
                if change.target == 0
                else EntryType.ADJUSTMENT
            ),
            "corrects_id": original[0] if original else None,
            "reason": self.reason if original else "",
            "created_by_id": self.user.pk if self.user else None,
        }
