"""Writes to the knowledge library, learning routes, demands and offers.

Every change goes through these functions so that it is validated the same way from the pages,
the admin's eventual API and the demo loader, runs in one transaction, keeps the search vector of
an asset in step with its text, and never leaves a stored file without its row (or a row without
its file).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Func, IntegerField, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.text import field_errors
from activities import services as activity_services
from activities.history import MERGE_REASON, Through
from activities.models import (
    SDG,
    Activity,
    ActivityType,
    Country,
    CountryRole,
    Division,
    FundingNature,
    Modality,
    Partner,
    PartnerRole,
    Status,
    Theme,
    Visibility,
)

from .matching import score_offer
from .models import (
    ActionPlan,
    AssetFile,
    AssetText,
    DemandStatus,
    HostCase,
    KnowledgeAsset,
    LearningDemand,
    LearningOffer,
    LearningRoute,
    RouteParticipant,
    search_config_for,
)
from .texts import TextVersion, check_texts, reindex_texts, sync_texts
from .uploads import CheckedFile

if TYPE_CHECKING:
    from accounts.models import User

# The part of a long text that feeds the search vector: PostgreSQL refuses a tsvector over 1 MB,
# and 250,000 characters (a 100-page report) stay far below it.
MAX_INDEXED_CHARS = 250_000


class KnowledgeError(activity_services.ActivityError):
    """A knowledge write was refused. `errors` maps a field name (or "__all__") to messages."""


class StaleEditError(KnowledgeError):
    """The record was changed after the caller read it: saving would overwrite that change."""


def _refuse_later_change(record: Any, read_at: datetime.datetime | None, message: str) -> None:
    """Lock the record's row until the write commits, and refuse (StaleEditError) if it was
    changed after `read_at` (its `updated_at` as the caller read it; None: no check)."""
    if record is None or record.pk is None or read_at is None:
        return
    current = (
        type(record)
        .objects.select_for_update()
        .filter(pk=record.pk)
        .values_list("updated_at", flat=True)
        .first()
    )
    if current != read_at:
        raise StaleEditError(message)


def _clean(instance: Any, *, exclude: Sequence[str] = ()) -> dict[str, list[str]]:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as error:
        return KnowledgeError.from_validation_error(error).errors
    return {}


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise KnowledgeError(errors)


# --- Assets ----------------------------------------------------------------------------------

ASSET_FIELDS = (
    "asset_type",
    "title",
    "abstract",
    "body",
    "language",
    "published_on",
    "division",
    "external_url",
    "licence",
    "visibility",
)


@dataclass
class AssetData:
    """What a caller may set on an asset; the form and the demo loader build one."""

    fields: dict[str, Any]
    themes: Iterable[Theme] = ()
    countries: Iterable[Country] = ()
    sdgs: Iterable[SDG] = ()
    author_organizations: Iterable[Partner] = ()
    activities: Iterable[Activity] = ()
    new_files: Sequence[CheckedFile] = ()
    remove_files: Iterable[int] = ()
    # The title and abstract in other languages; None keeps those the asset has (the demo
    # loader's older callers, an API PATCH leaving them out).
    texts: Sequence[TextVersion] | None = None


def asset_data_of(asset: KnowledgeAsset, *, texts: Sequence[TextVersion] | None) -> AssetData:
    """The asset as it is, with these versions in other languages: what a write of the
    versions alone saves (the API's)."""
    return AssetData(
        fields={name: getattr(asset, name) for name in ASSET_FIELDS},
        themes=list(asset.themes.all()),
        countries=list(asset.countries.all()),
        sdgs=list(asset.sdgs.all()),
        author_organizations=list(asset.author_organizations.all()),
        activities=list(asset.activities.all()),
        texts=texts,
    )


def search_vector() -> Any:
    """Title, abstract, body and attached text, weighted A to D, in each row's language."""
    config = search_config_for("language")
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("abstract", weight="B", config=config)
        + SearchVector(Substr("body", 1, MAX_INDEXED_CHARS), weight="C", config=config)
        + SearchVector(Substr("file_text", 1, MAX_INDEXED_CHARS), weight="D", config=config)
    )


def search_head() -> Any:
    """The title and abstract part of search_vector(): its first positions, the same weights."""
    config = search_config_for("language")
    return SearchVector("title", weight="A", config=config) + SearchVector(
        "abstract", weight="B", config=config
    )


class VectorLength(Func):
    """The length ts_rank's normalization divides by: every position of every word (a word
    without positions counts once)."""

    template = (
        "(SELECT COALESCE(SUM(GREATEST(COALESCE(CARDINALITY(positions), 0), 1)), 0) "
        "FROM unnest(%(expressions)s))"
    )
    output_field = IntegerField()


def reindex_assets(assets: QuerySet[KnowledgeAsset]) -> int:
    """Recompute the stored search vector of these assets, with its head and length
    (KnowledgeAsset.search_head), in two UPDATEs (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return 0
    count = assets.update(search_vector=search_vector(), search_head=search_head())
    # Measured on the stored vector rather than a second parse of the long texts.
    assets.update(search_length=VectorLength("search_vector"))
    return count


def by(row: Any, user: User | None, reason: str | None = None) -> Any:
    """The row, marked with who changes it (and through what: a page, the API, a merge) for
    the history row its next save or delete writes (django-simple-history reads both). Set
    each time, so that a row saved again by other means does not keep an earlier reason."""
    row._history_user = user
    row._change_reason = reason
    return row


def _moved(row: Any, user: User | None, reason: str, **values: Any) -> None:
    """Point one row elsewhere through save(), so that the move is a row of its history."""
    for name, value in values.items():
        setattr(row, name, value)
    by(row, user, reason).save(update_fields=list(values))


def _move_m2m(
    assets: list[KnowledgeAsset],
    field: str,
    keep: Any,
    remove: Any,
    *,
    user: User | None,
    reason: str,
) -> None:
    """Each asset names `keep` instead of `remove` in its `field` (once, if it named both); from
    the asset's side, so that each asset's history says so. Their search text, which names
    their authors and activities, is made again."""
    for asset in assets:
        links = getattr(by(asset, user, reason), field)
        links.add(keep)
        links.remove(remove)
    if assets:
        reindex_assets(KnowledgeAsset.objects.filter(pk__in=[a.pk for a in assets]))


def move_partner_links(*, keep: Partner, remove: Partner, user: User | None) -> None:
    """Partner merge (activities.signals.partners_merged): what in the knowledge base points at
    `remove` points at `keep` before `remove` is deleted. Without it the routes' and offers'
    PROTECT links would refuse the merge, and the assets would lose `remove` as an author
    without a word. An asset both authored keeps `keep` once; the moved assets' search text
    (which holds their authors' names) is made again. Each move is a row of the moved record's
    history."""
    # Each name shortened: the reason column holds 100 characters.
    reason = MERGE_REASON % {"removed": remove.name[:45], "kept": keep.name[:45]}
    for case in HostCase.objects.filter(host=remove):
        _moved(case, user, reason, host=keep)
    for participant in RouteParticipant.objects.filter(organization=remove):
        _moved(participant, user, reason, organization=keep)
    for route in LearningRoute.objects.filter(organizer=remove):
        _moved(route, user, reason, organizer=keep)
    for offer in LearningOffer.objects.filter(institution=remove):
        _moved(offer, user, reason, institution=keep)
    assets = list(KnowledgeAsset.objects.filter(author_organizations=remove).order_by("pk"))
    _move_m2m(assets, "author_organizations", keep, remove, user=user, reason=reason)


def _set_m2m(asset: KnowledgeAsset, data: AssetData) -> None:
    asset.themes.set(list(data.themes))
    asset.countries.set(list(data.countries))
    asset.sdgs.set(list(data.sdgs))
    asset.author_organizations.set(list(data.author_organizations))
    asset.activities.set(list(data.activities))


def _delete_stored(names: Iterable[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


@transaction.atomic
def save_asset(
    *,
    asset: KnowledgeAsset | None,
    data: AssetData,
    user: User | None,
    through: Through | None = None,
    read_at: datetime.datetime | None = None,
) -> KnowledgeAsset:
    """Create (asset=None) or update an asset with its links, files and versions in other
    languages, and index it. `through` (the page's form, the API) is kept in the versions'
    history.

    Uploads arrive checked (uploads.check_upload). A file written to storage is deleted again if
    anything after it fails, and removed files leave storage only once the change is committed.
    `read_at`: the asset's `updated_at` as the caller read it; a later change is refused
    (StaleEditError) rather than overwritten.
    """
    _refuse_later_change(
        asset, read_at, _("Someone else changed this knowledge asset since you read it.")
    )
    if asset is None:
        asset = KnowledgeAsset(created_by=user)
    for name, value in data.fields.items():
        if name in ASSET_FIELDS:
            setattr(asset, name, value)
    errors = _clean(asset, exclude=["file_text", "search_vector", "search_head", "search_length"])
    if not list(data.themes):
        errors.setdefault("themes", []).append(_("Choose at least one theme."))
    removing = {int(pk) for pk in data.remove_files}
    kept = asset.files.exclude(pk__in=removing).count() if asset.pk else 0
    if not (kept or data.new_files or asset.external_url or asset.body.strip()):
        errors.setdefault("files", []).append(
            _("Attach a file, give an external link or write the body: the asset needs content.")
        )
    if problems := check_texts(asset.language, data.texts):
        errors["texts"] = problems
    _raise_if(errors)
    by(asset, user).save()
    _set_m2m(asset, data)
    if sync_texts(asset, data.texts, user, through):
        reindex_texts(AssetText.objects.filter(asset=asset))
    removed_names: list[str] = []
    for row in asset.files.filter(pk__in=removing):
        removed_names.append(row.file.name or "")
        by(row, user).delete()
    stored: list[str] = []
    try:
        for checked in data.new_files:
            row = AssetFile(
                asset=asset,
                original_name=checked.name,
                kind=checked.kind,
                size=checked.size,
                sha256=checked.sha256,
                pages=checked.pages,
                text=checked.text,
                uploaded_by=user,
            )
            row.file.save(checked.name, checked.upload, save=False)
            stored.append(row.file.name or "")
            by(row, user).save()
        texts = asset.files.exclude(text="").order_by("pk").values_list("text", flat=True)
        asset.file_text = "\n\n".join(texts)
        asset.save(update_fields=["file_text", "updated_at"])
        reindex_assets(KnowledgeAsset.objects.filter(pk=asset.pk))
    except BaseException:
        _delete_stored(stored)
        raise
    transaction.on_commit(lambda: _delete_stored(removed_names))
    return asset


@transaction.atomic
def delete_asset(*, asset: KnowledgeAsset, user: User | None) -> None:
    names = list(asset.files.values_list("file", flat=True))
    for row in asset.files.all():
        by(row, user).delete()
    by(asset, user).delete()
    transaction.on_commit(lambda: _delete_stored(names))


# --- Learning routes -------------------------------------------------------------------------

ROUTE_FIELDS = (
    "title",
    "summary",
    "activity",
    "organizer",
    "division",
    "start_date",
    "end_date",
    "visibility",
)


@dataclass(frozen=True)
class HostCaseData:
    title: str
    host: Partner
    country: Country
    theme: Theme


@dataclass(frozen=True)
class ParticipantData:
    organization: Partner
    country: Country
    people: int | None = None


@dataclass
class RouteData:
    fields: dict[str, Any]
    themes: Iterable[Theme] = ()
    host_cases: Sequence[HostCaseData] = ()
    participants: Sequence[ParticipantData] = ()


def _check_route_links(route: LearningRoute, data: RouteData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not list(data.themes):
        errors.setdefault("themes", []).append(_("Choose at least one theme."))
    if not data.host_cases:
        errors.setdefault("host_cases", []).append(
            _("Add at least one host case: the places the route visits.")
        )
    seen: set[int] = set()
    for participant in data.participants:
        if participant.organization.pk in seen:
            errors.setdefault("participants", []).append(
                _("%(org)s is listed twice.") % {"org": participant.organization}
            )
        seen.add(participant.organization.pk)
    if route.pk:
        leaving = (
            route.participants.exclude(organization_id__in=seen)
            .filter(plans__isnull=False)
            .select_related("organization")
            .distinct()
        )
        for row in leaving:
            errors.setdefault("participants", []).append(
                _("%(org)s drew up an action plan: delete the plan before removing them.")
                % {"org": row.organization}
            )
    activity = data.fields.get("activity")
    if activity is not None:
        taken = LearningRoute.objects.filter(activity=activity).exclude(pk=route.pk).first()
        if taken:
            errors.setdefault("activity", []).append(
                _("%(activity)s is already the route %(route)s.")
                % {"activity": activity.ssc_id, "route": taken.title}
            )
    return errors


@transaction.atomic
def save_route(
    *,
    route: LearningRoute | None,
    data: RouteData,
    user: User | None,
    read_at: datetime.datetime | None = None,
    through: Through | None = None,
) -> LearningRoute:
    """`read_at`: the route's `updated_at` as the caller read it (see save_asset). `through`
    (the page's form, the API) is kept in the history of the route and of its rows."""
    reason = through.value if through else None
    _refuse_later_change(
        route, read_at, _("Someone else changed this learning route since you read it.")
    )
    if route is None:
        route = LearningRoute(created_by=user)
    for name, value in data.fields.items():
        if name in ROUTE_FIELDS:
            setattr(route, name, value)
    errors = _clean(route)
    for name, messages in _check_route_links(route, data).items():
        errors.setdefault(name, []).extend(messages)
    for case in data.host_cases:  # saved in bulk below, without full_clean
        for messages in field_errors(HostCase, {"title": case.title}).values():
            errors.setdefault("host_cases", []).extend(messages)
    _raise_if(errors)
    by(route, user, reason).save()
    route.themes.set(list(data.themes))
    # Host cases are nobody's target: replaced whole. Participants carry plans: kept by
    # organization, updated, added or (without plans, checked above) removed. One by one, each
    # a row of its history (a route has a handful).
    for old_case in route.host_cases.all():
        by(old_case, user, reason).delete()
    for c in data.host_cases:
        new_case = HostCase(
            route=route, title=c.title, host=c.host, country=c.country, theme=c.theme
        )
        by(new_case, user, reason).save()
    existing = {row.organization_id: row for row in route.participants.all()}
    wanted = {p.organization.pk: p for p in data.participants}
    for row in route.participants.exclude(organization_id__in=wanted):
        by(row, user, reason).delete()
    for org_id, participant in wanted.items():
        row = existing.get(org_id) or RouteParticipant(route=route, organization_id=org_id)
        if row.pk and (row.country_id, row.people) == (participant.country.pk, participant.people):
            continue
        row.country, row.people = participant.country, participant.people
        by(row, user, reason).save()
    return route


@transaction.atomic
def delete_route(*, route: LearningRoute, user: User | None) -> None:
    by(route, user).delete()


PLAN_FIELDS = (
    "participant",
    "title",
    "summary",
    "status",
    "status_date",
    "evidence",
    "evidence_url",
    "evidence_asset",
)


@transaction.atomic
def save_action_plan(
    *,
    plan: ActionPlan | None,
    route: LearningRoute,
    fields: dict[str, Any],
    user: User | None,
    read_at: datetime.datetime | None = None,
    through: Through | None = None,
) -> ActionPlan:
    """Record a plan or its follow-up; a new status without a date is dated today. `read_at`:
    the plan's `updated_at` as the caller read it (see save_asset); `through`: see save_route."""
    _refuse_later_change(
        plan, read_at, _("Someone else changed this action plan since you read it.")
    )
    previous_status = plan.status if plan is not None else None
    if plan is None:
        plan = ActionPlan(route=route)
    for name, value in fields.items():
        if name in PLAN_FIELDS:
            setattr(plan, name, value)
    if plan.status != previous_status and not fields.get("status_date"):
        plan.status_date = timezone.localdate()
    plan.updated_by = user
    _raise_if(_clean(plan))
    by(plan, user, through.value if through else None).save()
    return plan


@transaction.atomic
def delete_action_plan(
    *, plan: ActionPlan, user: User | None, through: Through | None = None
) -> None:
    by(plan, user, through.value if through else None).delete()


# --- Demand and offer ------------------------------------------------------------------------

DEMAND_FIELDS = (
    "country",
    "title",
    "description",
    "audience",
    "needed_by",
    "language",
    "preferred_type",
    "status",
)
OFFER_FIELDS = (
    "institution",
    "activity",
    "country",
    "title",
    "description",
    "languages",
    "is_active",
)


@transaction.atomic
def save_demand(
    *,
    demand: LearningDemand | None,
    fields: dict[str, Any],
    themes: Iterable[Theme],
    user: User | None,
    read_at: datetime.datetime | None = None,
    through: Through | None = None,
) -> LearningDemand:
    """`read_at`: the demand's `updated_at` as the caller read it (see save_asset); `through`:
    see save_route."""
    _refuse_later_change(
        demand, read_at, _("Someone else changed this learning demand since you read it.")
    )
    if demand is None:
        demand = LearningDemand(created_by=user)
    for name, value in fields.items():
        if name in DEMAND_FIELDS:
            setattr(demand, name, value)
    errors = _clean(demand)
    themes = list(themes)
    if not themes:
        errors.setdefault("themes", []).append(_("Choose at least one theme."))
    _raise_if(errors)
    by(demand, user, through.value if through else None).save()
    demand.themes.set(themes)
    return demand


@transaction.atomic
def delete_demand(*, demand: LearningDemand, user: User | None) -> None:
    by(demand, user).delete()


def host_of(activity: Activity) -> Partner | None:
    """The organization that hosted a past activity (its first host, else its implementer)."""
    links = activity.partner_links.select_related("partner__country")
    for role in (PartnerRole.HOST, PartnerRole.IMPLEMENTER):
        link = links.filter(role=role).order_by("pk").first()
        if link:
            return link.partner
    return None


@transaction.atomic
def save_offer(
    *,
    offer: LearningOffer | None,
    fields: dict[str, Any],
    themes: Iterable[Theme],
    user: User | None,
    read_at: datetime.datetime | None = None,
    through: Through | None = None,
) -> LearningOffer:
    """Record what an institution, or a past activity's host, can share.

    An offer made from a past activity without naming the institution takes the activity's host;
    without a country it takes the institution's, else the activity's first provider country.
    `read_at`: the offer's `updated_at` as the caller read it (see save_asset); `through`: see
    save_route.
    """
    _refuse_later_change(
        offer, read_at, _("Someone else changed this learning offer since you read it.")
    )
    if offer is None:
        offer = LearningOffer(created_by=user)
    for name, value in fields.items():
        if name in OFFER_FIELDS:
            setattr(offer, name, value)
    errors: dict[str, list[str]] = {}
    if offer.institution_id is None and offer.activity is not None:
        host = host_of(offer.activity)
        if host is None:
            errors["institution"] = [
                _("%(activity)s records no host: name the offering institution.")
                % {"activity": offer.activity.ssc_id}
            ]
        else:
            offer.institution = host
    if offer.institution_id is None and not errors:
        errors["institution"] = [_("Name the offering institution, or choose a past activity.")]
    if offer.country_id is None and offer.institution_id is not None:
        providers = offer.activity.providers if offer.activity else []
        country = offer.institution.country or (providers[0] if providers else None)
        if country is not None:
            offer.country = country
    for name, messages in _clean(offer).items():
        errors.setdefault(name, []).extend(messages)
    if not offer.languages:
        errors.setdefault("languages", []).append(_("Give at least one language."))
    themes = list(themes)
    if not themes:
        errors.setdefault("themes", []).append(_("Choose at least one theme."))
    _raise_if(errors)
    by(offer, user, through.value if through else None).save()
    offer.themes.set(themes)
    return offer


@transaction.atomic
def delete_offer(*, offer: LearningOffer, user: User | None) -> None:
    by(offer, user).delete()


def _lead_division(demand: LearningDemand, user: User | None) -> Division:
    if demand.country.division_id:
        return demand.country.division  # type: ignore[return-value]
    if user is not None and (first := user.divisions.order_by("code").first()):
        return first
    return Division.objects.filter(is_regional=False).order_by("code").first() or (
        Division.objects.order_by("code").first()  # type: ignore[return-value]
    )


@transaction.atomic
def accept_match(
    *,
    demand: LearningDemand,
    offer: LearningOffer,
    user: User | None,
    through: Through | None = None,
) -> Activity:
    """Turn an accepted match into a new Pipeline activity and close the demand as matched.

    The activity is pre-filled from the demand (title, details, audience, format, themes shared
    with the offer) and the match: the demanding country receives, the offering country provides
    (both, when they are the same), and the offering institution hosts.
    """
    # Locked, so that two CPMs accepting at once cannot both create an activity.
    demand = (
        LearningDemand.objects.select_for_update(of=("self",))
        .select_related("country__division")
        .get(pk=demand.pk)
    )
    if not demand.is_open:
        raise KnowledgeError(
            _("This demand is already %(status)s.")
            % {"status": demand.get_status_display().lower()}
        )
    proposal = score_offer(demand, offer)
    if proposal is None:
        raise KnowledgeError(_("This offer shares no theme with the demand: it is no match."))
    same_country = offer.country_id == demand.country_id
    countries = [
        activity_services.CountryLink(
            demand.country, CountryRole.BOTH if same_country else CountryRole.RECEIVER
        )
    ]
    if not same_country:
        countries.append(activity_services.CountryLink(offer.country, CountryRole.PROVIDER))
    summary = "\n\n".join(
        part
        for part in (
            demand.description,
            _("For: %(audience)s") % {"audience": demand.audience},
            _("Offer by %(institution)s: %(title)s")
            % {"institution": offer.institution, "title": offer.title},
        )
        if part
    )
    data = activity_services.ActivityData(
        fields={
            "title": demand.title,
            "summary": summary[:5000],
            "activity_type": demand.preferred_type or ActivityType.LEARNING_ROUTE,
            "modality": Modality.SOUTH_SOUTH,
            "funding_nature": FundingNature.GRANT,
            "lead_division": _lead_division(demand, user),
            "status": Status.PIPELINE,
            "planned_end": demand.needed_by,
            "visibility": Visibility.INTERNAL,
        },
        countries=countries,
        partners=[activity_services.PartnerLink(offer.institution, frozenset({PartnerRole.HOST}))],
        themes=proposal.shared_themes,
        status_note=_(
            "From learning demand #%(pk)s, matched with %(institution)s (score %(score)s)"
        )
        % {"pk": demand.pk, "institution": offer.institution, "score": proposal.score},
    )
    try:
        activity = activity_services.create_activity(data=data, user=user, through=through)
    except activity_services.ActivityError as error:
        raise KnowledgeError(error.errors) from error
    demand.status = DemandStatus.MATCHED
    demand.accepted_offer = offer
    demand.match_score = proposal.score
    demand.match_reasons = [str(reason) for reason in proposal.reasons]
    demand.activity = activity
    by(demand, user, through.value if through else None).save()
    return activity


def move_activity_links(*, keep: Activity, remove: Activity, user: User | None) -> None:
    """Activity merge (activities.signals.activities_merged): what in the knowledge base names
    `remove` names `keep`. An asset linked to both keeps `keep` once; a learning route moves
    only when `keep` is no route yet (one route per activity), else it stays on `remove`'s
    record. Each move is a row of the moved record's history."""
    reason = MERGE_REASON % {"removed": remove.ssc_id, "kept": keep.ssc_id}
    assets = list(KnowledgeAsset.objects.filter(activities=remove).order_by("pk"))
    _move_m2m(assets, "activities", keep, remove, user=user, reason=reason)
    if not LearningRoute.objects.filter(activity=keep).exists():
        for route in LearningRoute.objects.filter(activity=remove):
            _moved(route, user, reason, activity=keep)
    for demand in LearningDemand.objects.filter(activity=remove):
        _moved(demand, user, reason, activity=keep)
    for offer in LearningOffer.objects.filter(activity=remove):
        _moved(offer, user, reason, activity=keep)
