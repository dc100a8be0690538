"""Importing the corporate SSC workbook: all or nothing, upsert on SSC ID, a rerun changes nothing.

The workbook states each activity's figures; the ledger records movements. The import therefore
brings every (contributor, kind, stage, currency) line of the ledger to the figure the workbook
states, by recording an original entry where there was none and an adjustment (or a reversal)
where the figure moved, each saying which import made it. For activities in the Activities sheet
the workbook is the whole picture: a line it no longer lists is brought to zero. Contribution rows
for activities only in the portal set the lines they list and leave the others alone.

Legacy figures carry a year, not a date: they are dated 1 January of the activity's year, and
amounts in other currencies use the exchange rate of that month.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from activities import services as activity_services
from activities.models import Activity, CountryRole, Partner, PartnerType, normalize_name

from . import services
from .export import legacy_year
from .legacy import CONTRIBUTIONS, ActivityRow, ContributionRow, Problem, UnsafeFile, read_workbook
from .models import (
    IFAD_KINDS,
    ContributionKind,
    EntryType,
    FinancialEntry,
    ImportRun,
    PendingImport,
    to_usd,
)

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

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

LineKey = tuple[str, int | None, str, str]  # kind, contributor id, stage, currency


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
    warnings: list[str] = field(default_factory=list)
    run_id: int | None = None


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
) -> ImportSummary:
    """Read, check and (unless `dry_run`) write the workbook; ImportRefused lists all problems."""
    digest = checksum(handle)
    known = set(Activity.objects.values_list("ssc_id", flat=True))
    parsed = read_workbook(handle, known_ssc_ids=known)
    if parsed.problems:
        raise ImportRefused([str(problem) for problem in parsed.problems])
    summary = ImportSummary(warnings=[str(w) for w in parsed.warnings])
    reason = _("Legacy workbook import: %(name)s") % {"name": filename[:200]}
    with transaction.atomic():
        writer = _Writer(user=user, reason=reason, summary=summary)
        problems = writer.run(parsed.activities, parsed.contributions, progress)
        if problems:
            transaction.set_rollback(True)
            raise ImportRefused([str(problem) for problem in problems])
        if dry_run:
            transaction.set_rollback(True)
        else:
            run = ImportRun.objects.create(
                user=user,
                filename=filename[:255],
                sha256=digest,
                activities_created=summary.created,
                activities_updated=summary.updated,
                activities_unchanged=summary.unchanged,
                entries_recorded=summary.entries,
                warnings=summary.warnings,
            )
            summary.run_id = run.pk
    return summary


class _Writer:
    def __init__(self, *, user: User | None, reason: str, summary: ImportSummary):
        self.user = user
        self.reason = reason
        self.summary = summary
        self.problems: list[Problem] = []
        self.partners: dict[str, Partner] = {}

    def run(
        self,
        activity_rows: list[ActivityRow],
        contribution_rows: list[ContributionRow],
        progress: Progress | None,
    ) -> list[Problem]:
        by_activity: dict[str, list[ContributionRow]] = defaultdict(list)
        for contribution in contribution_rows:
            by_activity[contribution.ssc_id].append(contribution)
        existing = {
            a.ssc_id: a
            for a in Activity.objects.filter(
                ssc_id__in={r.ssc_id for r in activity_rows} | set(by_activity)
            ).prefetch_related("country_links", "partner_links", "themes", "sdgs")
        }
        total = len(activity_rows) + len(set(by_activity) - {r.ssc_id for r in activity_rows})
        done = 0
        for row in activity_rows:
            counted = (self.summary.created, self.summary.updated)
            entries = self.summary.entries
            activity = self._upsert_activity(row, existing.get(row.ssc_id))
            if activity is not None:
                self._reconcile(activity, row.year, row, by_activity.pop(row.ssc_id, []))
                if counted == (self.summary.created, self.summary.updated):
                    if self.summary.entries > entries:
                        self.summary.updated += 1
                    else:
                        self.summary.unchanged += 1
            done += 1
            if progress and done % 100 == 0:
                progress(done, total)
        for ssc_id, rows in by_activity.items():
            activity = existing[ssc_id]
            entries = self.summary.entries
            self._reconcile(activity, activity.year or datetime.date.today().year, None, rows)
            if self.summary.entries > entries:
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
            done += 1
        if progress:
            progress(done, total)
        # One missing rate stops several stages of the same row: say it once.
        return list(dict.fromkeys(self.problems))

    # --- activities -----------------------------------------------------------------------

    def _upsert_activity(self, row: ActivityRow, activity: Activity | None) -> Activity | None:
        fields = {
            "title": row.title,
            "funding_nature": row.funding_nature,
            "approval_year": row.year,
            "lead_division": row.division,
            "modality": row.modality,
            "status": row.status,
            "notes": row.notes,
        }
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
        if activity is None:
            data = activity_services.ActivityData(
                fields=fields,
                countries=links,
                themes=row.themes,
                ssc_id=row.ssc_id,
                status_note=self.reason,
            )
            try:
                created = activity_services.create_activity(data=data, user=self.user)
            except activity_services.ActivityError as error:
                self._activity_problem(row, error)
                return None
            self.summary.created += 1
            return created
        if activity.approval_year is None and legacy_year(activity) == row.year:
            # The export writes a start year (or the year it was logged) when no approval year
            # was recorded: reading it back is no reason to change the record.
            fields["approval_year"] = None
        if not self._differs(activity, fields, links, row):
            return activity
        data = activity_services.ActivityData(
            fields=fields,
            countries=[
                # Shares typed in the portal survive a re-import of the same countries.
                activity_services.CountryLink(
                    link.country, link.role, self._share(activity, link.country.pk)
                )
                for link in links
            ],
            partners=_partner_links(activity),
            themes=row.themes,
            sdgs=list(activity.sdgs.all()),
            status_note=self.reason,
        )
        try:
            updated = activity_services.update_activity(
                activity=activity, data=data, user=self.user, expected_version=activity.version
            )
        except activity_services.ActivityError as error:
            self._activity_problem(row, error)
            return None
        self.summary.updated += 1
        return updated

    @staticmethod
    def _share(activity: Activity, country_id: int) -> Decimal | None:
        for link in activity.country_links.all():
            if link.country_id == country_id:
                return link.share
        return None

    @staticmethod
    def _differs(
        activity: Activity,
        fields: dict[str, Any],
        links: list[activity_services.CountryLink],
        row: ActivityRow,
    ) -> bool:
        for name, value in fields.items():
            current = getattr(activity, name)
            if (current.pk if hasattr(current, "pk") else current) != (
                value.pk if hasattr(value, "pk") else value
            ):
                return True
        current_links = {(link.country_id, link.role) for link in activity.country_links.all()}
        if current_links != {(link.country.pk, link.role) for link in links}:
            return True
        return {t.pk for t in activity.themes.all()} != {t.pk for t in row.themes}

    def _activity_problem(self, row: ActivityRow, error: activity_services.ActivityError) -> None:
        for name, messages in error.errors.items():
            column = {"status": "J (status)", "title": "B (activity)"}.get(name, name)
            for message in messages:
                self.problems.append(Problem("Activities", row.row, column, message))

    # --- money ----------------------------------------------------------------------------

    def _partner(self, row: ContributionRow) -> Partner:
        key = normalize_name(row.contributor)
        if key in self.partners:
            return self.partners[key]
        found = list(Partner.objects.filter(name_key=key).order_by("country_id", "pk")[:1])
        if found:
            partner = found[0]
        else:
            partner = activity_services.create_partner(
                user=self.user,
                name=row.contributor,
                type=PARTNER_TYPES.get(row.contributor_type.casefold(), PartnerType.OTHER),
            )
            self.summary.partners_created += 1
        self.partners[key] = partner
        return partner

    def _reconcile(
        self,
        activity: Activity,
        year: int,
        row: ActivityRow | None,
        contributions: list[ContributionRow],
    ) -> None:
        value_date = datetime.date(year, 1, 1)
        targets: dict[LineKey, Decimal] = defaultdict(Decimal)
        rows_by_key: dict[LineKey, ContributionRow] = {}
        if row is not None:
            kind = IFAD_KIND_BY_NATURE[row.funding_nature]
            for stage, amount in row.ifad.items():
                targets[(kind, None, stage, "USD")] += amount or 0
        for contribution in contributions:
            partner = self._partner(contribution)
            for stage, amount in contribution.amounts.items():
                key: LineKey = (contribution.kind, partner.pk, stage, contribution.currency)
                targets[key] += amount or 0
                rows_by_key[key] = contribution
        lines = list(
            FinancialEntry.objects.filter(activity=activity)
            .values("kind", "contributor_id", "stage", "currency")
            .annotate(net=Sum("amount"), usd=Sum("amount_usd"))
            .order_by()
        )
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
        for key, target in sorted(targets.items(), key=lambda item: str(item[0])):
            now = current.get(key, Decimal(0))
            if target == now:
                continue
            currency = key[3]
            try:
                rate = services.rate_for(currency, value_date)
            except services.FinanceError as error:
                source = rows_by_key.get(key)
                self.problems.append(
                    Problem(
                        CONTRIBUTIONS if source else "Activities",
                        source.row if source else (row.row if row else 0),
                        "E (currency)" if source else "",
                        " ".join(error.errors.get("currency", [str(error)])),
                    )
                )
                continue
            self._record(activity, key, now, target, rate, value_date, rows_by_key.get(key))

    def _record(
        self,
        activity: Activity,
        key: LineKey,
        now: Decimal,
        target: Decimal,
        rate: Decimal,
        value_date: datetime.date,
        source: ContributionRow | None,
    ) -> None:
        kind, contributor_id, stage, currency = key
        original = (
            FinancialEntry.objects.filter(
                activity=activity,
                kind=kind,
                contributor_id=contributor_id,
                stage=stage,
                currency=currency,
                entry_type=EntryType.ORIGINAL,
            )
            .order_by("-pk")
            .first()
        )
        delta = target - now
        entry = FinancialEntry(
            activity=activity,
            contributor_id=contributor_id,
            kind=kind,
            valuation_method="other" if kind == ContributionKind.IN_KIND else "",
            valuation_basis=(
                source.notes[:300] if source and kind == ContributionKind.IN_KIND else ""
            ),
            stage=stage,
            amount=delta if original else target,
            currency=currency,
            value_date=value_date,
            fiscal_year=value_date.year,
            units_per_usd=original.units_per_usd if original else rate,
            amount_usd=to_usd(
                delta if original else target, original.units_per_usd if original else rate
            ),
            reference=_("legacy workbook"),
            note=(source.notes[:500] if source else ""),
            entry_type=(
                EntryType.ORIGINAL
                if original is None
                else EntryType.REVERSAL
                if target == 0
                else EntryType.ADJUSTMENT
            ),
            corrects=original,
            reason=self.reason if original else "",
            created_by=self.user,
        )
        entry._history_user = self.user  # type: ignore[attr-defined]
        entry.save()
        self.summary.entries += 1


def _partner_links(activity: Activity) -> list[activity_services.PartnerLink]:
    roles: dict[int, set[str]] = defaultdict(set)
    partners: dict[int, Partner] = {}
    for link in activity.partner_links.select_related("partner"):
        roles[link.partner_id].add(link.role)
        partners[link.partner_id] = link.partner
    return [activity_services.PartnerLink(partners[pk], frozenset(r)) for pk, r in roles.items()]


# --- The upload page's two steps, run by Celery (finance.tasks) ----------------------------------


def progress_key(pending_id: int) -> str:
    return f"finance:import-progress:{pending_id}"


def import_progress(pending_id: int) -> tuple[int, int] | None:
    """(done, total) of a running check or import. Kept in the cache, not the database: the
    import's own transaction would hide it from the page until the end."""
    value = cache.get(progress_key(pending_id))
    return tuple(value) if value else None  # type: ignore[return-value]


def process_pending_import(pending_id: int, *, commit: bool) -> None:
    """Check (commit=False) or import (commit=True) an uploaded workbook. A rerun is harmless:
    a finished step is not repeated."""
    pending = PendingImport.objects.select_related("user").get(pk=pending_id)
    expected = PendingImport.State.IMPORTING if commit else PendingImport.State.CHECKING
    if pending.state != expected:
        return

    def progress(done: int, total: int) -> None:
        cache.set(progress_key(pending_id), (done, total), timeout=3600)

    try:
        with pending.file.open("rb") as handle:
            summary = import_legacy_workbook(
                handle=handle,
                filename=pending.filename,
                user=pending.user,
                dry_run=not commit,
                progress=progress,
            )
    except (ImportRefused, UnsafeFile) as error:
        pending.problems = error.problems if isinstance(error, ImportRefused) else [str(error)]
        pending.state = PendingImport.State.REFUSED
        pending.file.delete(save=False)
    else:
        pending.summary = {
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "entries": summary.entries,
            "partners_created": summary.partners_created,
            "warnings": summary.warnings,
        }
        if commit:
            pending.state = PendingImport.State.DONE
            pending.run_id = summary.run_id
            pending.file.delete(save=False)
        else:
            pending.state = PendingImport.State.CHECKED
    cache.delete(progress_key(pending_id))
    pending.save()


def start_pending_import(*, pending: PendingImport, commit: bool) -> None:
    """Queue the check or the import once the upload is committed. When the broker cannot be
    reached the work runs here and now instead: slower for the user, but nothing waits forever."""
    from .tasks import process_pending_import_task

    def send() -> None:
        try:
            process_pending_import_task.delay(pending.pk, commit)
        except KombuError:
            logger.warning("Task queue unreachable; importing %s in the request", pending.pk)
            process_pending_import(pending.pk, commit=commit)

    transaction.on_commit(send)
