"""REST API endpoints for activities, partners, countries and themes (/api/v1/).

Thin, like the pages: every read is scoped by the same querysets and access helpers as the
pages (Activity.objects.visible_to, access.get_activity_for_user, access.visible_partners), and
every write goes through the activity form's rules and activities.services, so the API can do
nothing the browser cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from finance.figures import FIGURE_NAMES
from ssc_portal.api import (
    Column,
    Conflict,
    CsvOnReads,
    csv_columns,
    error_responses,
    read_schemas,
)

from . import access, services
from .filters import ApiActivityFilter, PartnerFilter, with_reporting_year
from .forms import ActivityForm
from .models import Activity, Country, Partner, Status, Theme, Visibility
from .serializers import (
    ACTIVITY_COLUMNS,
    ActivityChangeInput,
    ActivityPatchInput,
    ActivitySerializer,
    ActivityWriteSerializer,
    CountrySerializer,
    PartnerSerializer,
    ThemeSerializer,
    load_activity_links,
)

if TYPE_CHECKING:
    from accounts.models import User


def _money(*path: str) -> Callable[[dict[str, Any]], Any]:
    """A money column: empty where the caller may not read the activity's money."""

    def read(activity: dict[str, Any]) -> Any:
        value = activity["finance"]
        for key in path:
            if value is None:
                return None
            value = value[key]
        return value

    return read


def _roles(item: dict[str, Any]) -> str:
    return "; ".join(f"{p['name']} ({', '.join(p['roles'])})" for p in item["partners"])


ACTIVITY_CSV: list[Column] = [
    *csv_columns(
        [
            "id",
            "ssc_id",
            "title",
            "status",
            "visibility",
            "activity_type",
            "modality",
            "funding_nature",
            "lead_division",
            "approval_year",
            "reporting_year",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
        ]
    ),
    ("countries", lambda a: [f"{c['iso2']} ({c['role']})" for c in a["countries"]]),
    ("partners", _roles),
    ("themes", lambda a: a["themes"]),
    ("sdgs", lambda a: a["sdgs"]),
    ("planned_usd", _money("planned")),
    ("allocated_usd", _money("allocated")),
    ("spent_usd", _money("spent")),
    ("ifad_allocated_usd", _money("ifad", "allocated")),
    ("cofinancing_allocated_usd", _money("cofinancing", "allocated")),
    ("in_kind_allocated_usd", _money("in_kind", "allocated")),
    *[(name, _money(name)) for name in FIGURE_NAMES],
    *csv_columns(["version", "updated_at"]),
]


@extend_schema_view(
    **read_schemas(
        ActivitySerializer,
        list_summary=_("List activities"),
        one_summary=_("One activity"),
        list_description=_(
            "The activities you may see, filtered like the activity list page. For an "
            "incremental sync, pass updated_since (the Date header of your previous sync's "
            "first request) and follow `next` to the end."
        ),
    ),
    create=extend_schema(
        summary=_("Create an activity"),
        description=_("CPMs and the focal point; the same rules as the New activity page."),
        request=ActivityWriteSerializer,
        responses={201: ActivitySerializer, **error_responses(400, 403)},
    ),
    update=extend_schema(
        summary=_("Replace an activity"),
        description=_(
            "Its editors (its CPMs, the focal point). Send `version` as read: a stale one is "
            "refused with 409. Countries, partners, themes and SDGs left out are emptied."
        ),
        request=ActivityChangeInput,
        responses={200: ActivitySerializer, **error_responses(400, 403, 404, 409)},
    ),
    partial_update=extend_schema(
        summary=_("Change some fields of an activity"),
        description=_("As PUT, but fields left out keep their value. `version` is required."),
        request=ActivityPatchInput,
        responses={200: ActivitySerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class ActivityViewSet(
    CsvOnReads,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ActivitySerializer
    filterset_class = ApiActivityFilter
    csv_columns = ACTIVITY_CSV
    # Cursor positions come from rows (dicts), so "id" rather than "pk".
    ordering_choices = {
        "updated": ("updated_at", "id"),
        "-updated": ("-updated_at", "-id"),
        "id": ("id",),
        "-id": ("-id",),
        "ssc_id": ("ssc_id",),
        "-ssc_id": ("-ssc_id",),
    }
    default_ordering = "updated"
    queryset = Activity.objects.none()  # for the schema; get_queryset scopes to the caller

    def get_queryset(self) -> QuerySet[Activity]:
        user: User = self.request.user  # type: ignore[assignment]
        # The list sorts and pages what it filters: see visible_to on inline_ids.
        return Activity.objects.visible_to(user, inline_ids=self.action == "list")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activities = self.filter_queryset(self.get_queryset())
        rows = self.paginate_queryset(with_reporting_year(activities).values(*ACTIVITY_COLUMNS))
        assert rows is not None  # every list is paginated
        return self.get_paginated_response(self._represent(rows))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self._activity(write=False)
        return Response(self._read(activity))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        if not user.can_create_activities:
            raise exceptions.PermissionDenied(_("Only CPMs and the focal point log activities."))
        data = _activity_data(request, user, None, partial=False)
        try:
            activity = services.create_activity(data=data, user=user)
        except services.ActivityError as error:
            raise exceptions.ValidationError(error.errors) from None
        return Response(self._read(activity), status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        activity = self._activity(write=True)
        data = _activity_data(request, user, activity, partial=kwargs.get("partial", False))
        try:
            services.update_activity(
                activity=activity, data=data, user=user, expected_version=data.version
            )
        except services.ConflictError as error:
            raise Conflict(str(error)) from None
        except services.ActivityError as error:
            raise exceptions.ValidationError(error.errors) from None
        return Response(self._read(activity))

    def _activity(self, *, write: bool) -> Activity:
        user: User = self.request.user  # type: ignore[assignment]
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise exceptions.NotFound(_("No such activity.")) from None
        return access.get_activity_for_user(user, pk, write=write)

    def _read(self, activity: Activity) -> dict[str, Any]:
        """The activity as the list shows it (after the access check made by the caller)."""
        rows = with_reporting_year(Activity.objects.filter(pk=activity.pk))
        return self._represent(list(rows.values(*ACTIVITY_COLUMNS)))[0]

    def _represent(self, rows: Sequence[dict[str, Any]]) -> Any:
        user: User = self.request.user  # type: ignore[assignment]
        links = load_activity_links([row["id"] for row in rows])
        links.money_hidden = {
            row["id"] for row in rows if not access.reads_money_of(user, row["visibility"])
        }
        context = {**self.get_serializer_context(), "links": links}
        return ActivitySerializer(rows, many=True, context=context).data


@dataclass
class ParsedActivity(services.ActivityData):
    version: int | None = None


def _activity_data(
    request: Request, user: User, activity: Activity | None, *, partial: bool
) -> ParsedActivity:
    """Parse the body, then apply the activity form's rules to it, as the browser's page does.

    For PATCH, what the body leaves out keeps its current value (links included); status and
    visibility left out keep theirs (on creation: pipeline, internal).
    """
    input_class = ActivityWriteSerializer
    if activity is not None:
        input_class = ActivityPatchInput if partial else ActivityChangeInput
    serializer = input_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    given: dict[str, Any] = dict(serializer.validated_data)
    version = given.pop("version", None)
    if activity is not None:
        given.pop("ssc_id", None)
        if partial:
            given = {**_current(activity), **given}
    given.setdefault("status", activity.status if activity else Status.PIPELINE)
    given.setdefault("visibility", activity.visibility if activity else Visibility.INTERNAL)
    countries = given.pop("countries", [])
    partners = given.pop("partners", [])
    posted = {name: _form_value(value) for name, value in given.items()}
    if activity is not None:
        posted["version"] = version
    form = ActivityForm(posted, instance=activity, user=user)
    if not form.is_valid():
        raise exceptions.ValidationError(
            {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        )
    return ParsedActivity(
        fields={
            name: value
            for name, value in form.cleaned_data.items()
            if name not in ("themes", "sdgs", "ssc_id", "status_note", "version")
        },
        countries=[
            services.CountryLink(link["iso2"], link["role"], link.get("share"))
            for link in countries
        ],
        partners=[services.PartnerLink(link["id"], frozenset(link["roles"])) for link in partners],
        themes=list(form.cleaned_data.get("themes") or []),
        sdgs=list(form.cleaned_data.get("sdgs") or []),
        ssc_id=form.cleaned_data.get("ssc_id", "") or "",
        status_note=form.cleaned_data.get("status_note", "") or "",
        version=version,
    )


def _current(activity: Activity) -> dict[str, Any]:
    """The activity's current values, in the write serializer's terms, for PATCH."""
    values: dict[str, Any] = {
        name: getattr(activity, name)
        for name, _field in ActivityWriteSerializer().fields.items()
        if name
        not in ("version", "ssc_id", "status_note", "countries", "partners", "themes", "sdgs")
    }
    values["countries"] = [
        {"iso2": link.country, "role": link.role, "share": link.share}
        for link in activity.country_links.select_related("country").order_by("pk")
    ]
    grouped: dict[int, dict[str, Any]] = {}
    for link in activity.partner_links.select_related("partner").order_by("pk"):
        grouped.setdefault(link.partner_id, {"id": link.partner, "roles": set()})["roles"].add(
            link.role
        )
    values["partners"] = list(grouped.values())
    values["themes"] = list(activity.themes.all())
    values["sdgs"] = list(activity.sdgs.all())
    return values


def _form_value(value: Any) -> Any:
    """A parsed value as the activity form expects it posted (primary keys, ISO dates)."""
    if isinstance(value, list):
        return [_form_value(item) for item in value]
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return "" if value is None else value


# --- partners and reference data --------------------------------------------------------------


@extend_schema_view(
    **read_schemas(
        PartnerSerializer,
        list_summary=_("List partner organizations"),
        one_summary=_("One partner organization"),
        list_description=_(
            "Staff see every organization; a partner user sees its own and those taking part "
            "in the activities it may see."
        ),
    )
)
class PartnerViewSet(CsvOnReads, viewsets.ReadOnlyModelViewSet):
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    csv_columns = csv_columns(PartnerSerializer.Meta.fields)
    ordering_choices = {
        "name": ("name", "pk"),
        "-name": ("-name", "-pk"),
        "updated": ("updated_at", "pk"),
        "-updated": ("-updated_at", "-pk"),
        "id": ("pk",),
        "-id": ("-pk",),
    }
    default_ordering = "name"
    queryset = Partner.objects.none()

    def get_queryset(self) -> QuerySet[Partner]:
        return access.visible_partners(self.request.user)  # type: ignore[arg-type]

    def get_object(self) -> Partner:
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise exceptions.NotFound(_("No such partner organization.")) from None
        return access.get_partner_for_user(self.request.user, pk)  # type: ignore[arg-type]


@extend_schema_view(
    **read_schemas(
        CountrySerializer,
        list_summary=_("List countries"),
        one_summary=_("One country, by ISO 3166-1 alpha-2 code"),
    )
)
class CountryViewSet(CsvOnReads, viewsets.ReadOnlyModelViewSet):
    """Reference data: every signed-in caller reads all of it."""

    serializer_class = CountrySerializer
    queryset = Country.objects.select_related("division")
    lookup_field = "iso2"
    lookup_value_regex = "[A-Za-z]{2}"
    filterset_class = None
    csv_columns = csv_columns(CountrySerializer.Meta.fields)
    ordering_choices = {"name": ("name",), "iso2": ("iso2",), "-iso2": ("-iso2",)}
    default_ordering = "name"

    def get_object(self) -> Country:
        country = self.get_queryset().filter(iso2=self.kwargs["iso2"].upper()).first()
        if country is None:
            raise exceptions.NotFound(_("No such country."))
        return country


@extend_schema_view(
    **read_schemas(
        ThemeSerializer, list_summary=_("List themes"), one_summary=_("One theme, by code")
    )
)
class ThemeViewSet(CsvOnReads, viewsets.ReadOnlyModelViewSet):
    serializer_class = ThemeSerializer
    queryset = Theme.objects.all()
    lookup_field = "code"
    lookup_value_regex = "[-a-z0-9_]+"
    filterset_class = None
    csv_columns = csv_columns(ThemeSerializer.Meta.fields)
    ordering_choices = {"position": ("position", "pk"), "code": ("code",)}
    default_ordering = "position"
