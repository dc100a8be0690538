"""REST API endpoints for partners, countries and themes (/api/v1/), and the parsing of the
activity endpoint's writes.

Thin, like the pages: every read is scoped by the same querysets and access helpers as the
pages (Activity.objects.visible_to, access.get_activity_for_user, access.visible_partners), and
every write goes through the activity form's rules and activities.services, so the API can do
nothing the browser cannot. The activity endpoint itself is finance.activity_api: its reads show
each activity's money, which activities may not import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    extend_schema_view,
)
from rest_framework import exceptions, viewsets
from rest_framework.request import Request

from ssc_portal.api import (
    CsvOnReads,
    ListsFromReplica,
    csv_columns,
    read_schemas,
)

from . import access, services
from .filters import PartnerFilter
from .forms import ActivityForm
from .models import Activity, Country, Partner, Status, Theme, Visibility
from .serializers import (
    ActivityChangeInput,
    ActivityPatchInput,
    ActivityWriteSerializer,
    CountrySerializer,
    PartnerSerializer,
    ThemeSerializer,
)
from .texts import ContentLanguage

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class ParsedActivity(services.ActivityData):
    version: int | None = None
    not_duplicate_of: frozenset[int] = frozenset()


def parse_activity(
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
    not_duplicate_of = frozenset(given.pop("not_duplicate_of", ()))
    if activity is not None:
        given.pop("ssc_id", None)
        if partial:
            given = {**_current(activity), **given}
    given.setdefault("status", activity.status if activity else Status.PIPELINE)
    given.setdefault("visibility", activity.visibility if activity else Visibility.INTERNAL)
    countries = given.pop("countries", [])
    partners = given.pop("partners", [])
    # PATCH keeps the versions left out (None); PUT and POST replace them.
    given_texts = given.pop("texts", None if partial else [])
    texts = (
        None
        if given_texts is None
        else [
            services.TextVersion(t["language"], t["title"], t.get("summary", ""))
            for t in given_texts
        ]
    )
    given.setdefault("language", activity.language if activity else ContentLanguage.ENGLISH)
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
        texts=texts,
        version=version,
        not_duplicate_of=not_duplicate_of,
    )


def _current(activity: Activity) -> dict[str, Any]:
    """The activity's current values, in the write serializer's terms, for PATCH."""
    values: dict[str, Any] = {
        name: getattr(activity, name)
        for name, _field in ActivityWriteSerializer().fields.items()
        if name
        not in (
            "version",
            "ssc_id",
            "status_note",
            "countries",
            "partners",
            "themes",
            "sdgs",
            "not_duplicate_of",
            "texts",
        )
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
        list_summary=gettext_lazy("List partner organizations"),
        one_summary=gettext_lazy("One partner organization"),
        list_description=gettext_lazy(
            "Staff see every organization; a partner user sees its own and those taking part "
            "in the activities it may see."
        ),
    )
)
class PartnerViewSet(CsvOnReads, ListsFromReplica, viewsets.ReadOnlyModelViewSet):
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
        list_summary=gettext_lazy("List countries"),
        one_summary=gettext_lazy("One country, by ISO 3166-1 alpha-2 code"),
    )
)
class CountryViewSet(CsvOnReads, ListsFromReplica, viewsets.ReadOnlyModelViewSet):
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
        ThemeSerializer,
        list_summary=gettext_lazy("List themes"),
        one_summary=gettext_lazy("One theme, by code"),
    )
)
class ThemeViewSet(CsvOnReads, ListsFromReplica, viewsets.ReadOnlyModelViewSet):
    serializer_class = ThemeSerializer
    queryset = Theme.objects.all()
    lookup_field = "code"
    lookup_value_regex = "[-a-z0-9_]+"
    filterset_class = None
    csv_columns = csv_columns(ThemeSerializer.Meta.fields)
    ordering_choices = {"position": ("position", "pk"), "code": ("code",)}
    default_ordering = "position"
