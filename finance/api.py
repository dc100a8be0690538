"""REST API endpoints for the ledger (/api/v1/ledger/).

Entries are read by whoever may read their activity (as on its finance page), and recorded or
corrected by its editors through finance.services, with the ledger's optimistic lock: the
`ledger_version` a client read must still be current, or nothing is written (409).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from activities.access import get_activity_for_user, without_merged
from activities.filters import IntegerFilter, SinceFilter
from activities.history import Through
from activities.models import (
    Activity,
    ActivityCountry,
    Country,
    Division,
    Modality,
    Status,
    Theme,
    Visibility,
)
from ssc_portal.api import (
    FORMAT_PARAMETER,
    Column,
    Conflict,
    CsvOnReads,
    ListsFromReplica,
    csv_columns,
    error_responses,
    read_schemas,
)
from ssc_portal.db_router import reads_from_replica

from . import api_examples, rollups, services
from .access import readable_entries
from .figures import FIGURE_NAMES
from .filters import ApiActivityFilter
from .iati import ActivityPart, NoActivities, export_iati
from .models import ContributionKind, EntryType, FinancialEntry, RollupCell, Stage
from .quantities import unvalued_in_selection
from .serializers import (
    CorrectedEntrySerializer,
    CorrectionInput,
    LedgerEntrySerializer,
    RecordedEntriesSerializer,
    RecordEntriesInput,
    RollupQuery,
    RollupSerializer,
)

if TYPE_CHECKING:
    from accounts.models import User


@contextmanager
def refusals_as_api_errors() -> Iterator[None]:
    """The ledger services' refusals as the API's answers: 409 for a stale version, else 400."""
    try:
        yield
    except services.LedgerConflict as error:
        raise Conflict(str(error)) from None
    except services.FinanceError as error:
        raise exceptions.ValidationError(error.errors) from None


class LedgerFilter(django_filters.FilterSet):
    """The entry's own fields, and its activity's (as the activity list filters them)."""

    activity = IntegerFilter(label=gettext_lazy("Activity id"), min_value=1)
    ssc_id = django_filters.CharFilter(
        label=gettext_lazy("Activity SSC ID"), field_name="activity__ssc_id", max_length=20
    )
    kind = django_filters.ChoiceFilter(choices=ContributionKind.choices)
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    entry_type = django_filters.ChoiceFilter(choices=EntryType.choices)
    currency = django_filters.CharFilter(
        label=gettext_lazy("ISO 4217 currency"), method="filter_currency", max_length=3
    )
    fiscal_year = IntegerFilter(min_value=1978, max_value=2100)
    contributor = IntegerFilter(label=gettext_lazy("Contributing partner's id"), min_value=1)
    contributor_group = IntegerFilter(
        label=gettext_lazy("Contributor group's id (lines not yet split)"), min_value=1
    )
    created_since = SinceFilter(
        label=gettext_lazy("Recorded since (ISO 8601)"), field_name="created_at", lookup_expr="gte"
    )
    division = django_filters.ModelChoiceFilter(
        field_name="activity__lead_division", queryset=Division.objects.all(), to_field_name="code"
    )
    country = django_filters.ModelChoiceFilter(
        queryset=Country.objects.all(), to_field_name="iso2", method="filter_country"
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="activity__themes", queryset=Theme.objects.all(), to_field_name="code"
    )
    status = django_filters.ChoiceFilter(field_name="activity__status", choices=Status.choices)
    modality = django_filters.ChoiceFilter(
        field_name="activity__modality", choices=Modality.choices
    )

    class Meta:
        model = FinancialEntry
        fields: list[str] = []

    def filter_currency(
        self, queryset: QuerySet[FinancialEntry], name: str, value: str
    ) -> QuerySet[FinancialEntry]:
        return queryset.filter(currency=value.upper()) if value else queryset

    def filter_country(
        self, queryset: QuerySet[FinancialEntry], name: str, value: Country | None
    ) -> QuerySet[FinancialEntry]:
        if not value:
            return queryset
        links = ActivityCountry.objects.filter(country=value).values("activity_id")
        return queryset.filter(activity_id__in=links)


@extend_schema_view(
    **read_schemas(
        LedgerEntrySerializer,
        list_summary=gettext_lazy("List ledger entries"),
        one_summary=gettext_lazy("One ledger entry"),
        list_description=gettext_lazy(
            "The entries of the activities you may see, oldest first. Entries are never "
            "changed: a sync follows `next` with created_since, corrections come as new "
            "entries pointing at the one they correct."
        ),
        examples=api_examples.LEDGER_EXAMPLES,
    ),
    create=extend_schema(
        summary=gettext_lazy("Record entries"),
        description=gettext_lazy(
            "One or more lines for one activity, all recorded or none, by the activity's "
            "editors. Amounts in another currency than US$ need the focal point's rate for "
            "the month of their value date."
        ),
        request=RecordEntriesInput,
        examples=[api_examples.LEDGER_RECORD],
        responses={201: RecordedEntriesSerializer, **error_responses(400, 403, 404, 409)},
    ),
    correct=extend_schema(
        summary=gettext_lazy("Correct an entry"),
        description=gettext_lazy(
            "Brings an original entry to a new amount (null or 0 reverses it) with a new "
            "adjustment or reversal entry that says why."
        ),
        request=CorrectionInput,
        responses={201: CorrectedEntrySerializer, **error_responses(400, 403, 404, 409)},
    ),
)
class LedgerViewSet(
    CsvOnReads,
    ListsFromReplica,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = LedgerEntrySerializer
    filterset_class = LedgerFilter
    csv_columns = csv_columns(LedgerEntrySerializer.Meta.fields)
    ordering_choices = {"id": ("pk",), "-id": ("-pk",)}
    default_ordering = "id"
    queryset = FinancialEntry.objects.none()

    def get_queryset(self) -> QuerySet[FinancialEntry]:
        user: User = self.request.user  # type: ignore[assignment]
        entries = FinancialEntry.objects.select_related(
            "activity", "contributor", "contributor_group", "created_by", "provider_country"
        )
        return readable_entries(user, entries)

    def get_object(self) -> FinancialEntry:
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise exceptions.NotFound(_("No such ledger entry.")) from None
        entry = self.get_queryset().filter(pk=pk).first()
        if entry is None:
            raise exceptions.NotFound(_("No such ledger entry."))
        return entry

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        parsed = RecordEntriesInput(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        activity = get_activity_for_user(user, data["activity"], write=True)
        entries = [
            services.EntryData(
                **{**line, "amount": line.get("amount"), "currency": line["currency"].upper()}
            )
            for line in data["entries"]
        ]
        with refusals_as_api_errors():
            recorded = services.record_entries(
                activity=activity,
                entries=entries,
                user=user,
                expected_version=data["ledger_version"],
                through=Through.API,
            )
        body = {
            "ledger_version": services.ledger_version(activity),
            "entries": LedgerEntrySerializer(recorded, many=True).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str) -> Response:
        user: User = request.user  # type: ignore[assignment]
        entry = self.get_object()
        activity = get_activity_for_user(user, entry.activity_id, write=True)
        parsed = CorrectionInput(data=request.data)
        parsed.is_valid(raise_exception=True)
        data = parsed.validated_data
        with refusals_as_api_errors():
            correction = services.correct_entry(
                entry=entry,
                new_amount=data["new_amount"],
                reason=data["reason"],
                user=user,
                expected_version=data["ledger_version"],
                value_date=data.get("value_date"),
                new_quantity=data.get("new_quantity"),
                through=Through.API,
            )
        body = {
            "ledger_version": services.ledger_version(activity),
            "entry": LedgerEntrySerializer(correction).data,
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- IATI -------------------------------------------------------------------------------------


class IatiXmlRenderer(BaseRenderer):
    """Lets callers ask for application/xml; the file itself is streamed (export_iati), and
    errors are JSON like every other API error."""

    media_type = "application/xml"
    format = "xml"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        return data if isinstance(data, bytes) else b""


@extend_schema_view(
    list=extend_schema(
        operation_id="iati_activities",
        summary=gettext_lazy("IATI 2.03 file of the public activities"),
        description=gettext_lazy(
            "Public by nature: no token needed. Only public activities, whoever asks, with the "
            "activity list's filters. What IATI has no code for (SSC roles of countries and "
            "organisations, in-kind contributions) is in the namespace "
            "urn:ssc-portal:iati-extension:1. 404 when no public activity matches (an IATI "
            "file needs one)."
        ),
        responses={
            (200, "application/xml"): OpenApiResponse(
                OpenApiTypes.STR,
                description=gettext_lazy("An iati-activities document (IATI 2.03)."),
            ),
            **error_responses(400, 404),
        },
    )
)
class IatiActivitiesViewSet(viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    # What other apps add to each activity; the project composes them (ssc_portal.api_urls
    # passes them to as_view), as finance may not import the apps above it.
    parts: Sequence[ActivityPart] = ()
    renderer_classes = [IatiXmlRenderer]
    filterset_class = ApiActivityFilter
    pagination_class = None
    queryset = Activity.objects.none()

    def get_queryset(self) -> QuerySet[Activity]:
        return without_merged(Activity.objects.filter(visibility=Visibility.PUBLIC))

    @reads_from_replica
    def list(self, request: Request) -> StreamingHttpResponse:
        activities = self.filter_queryset(self.get_queryset())
        try:
            chunks = export_iati(activities, extra=self.parts)
        except NoActivities:
            raise exceptions.NotFound(
                _("No public activity matches these filters (an IATI file needs one).")
            ) from None
        response = StreamingHttpResponse(chunks, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="iati-activities.xml"'
        return response


# --- roll-ups ---------------------------------------------------------------------------------


def _amount(source: str, stage: str) -> Column:
    return f"{source}_{stage}_usd", lambda group: group[source][stage]


ROLLUP_CSV: list[Column] = [
    *csv_columns(["key", "label"]),
    *[
        _amount(source, stage)
        for source in ("ifad", "cofinancing", "in_kind", "total")
        for stage in ("planned", "allocated", "spent")
    ],
    *csv_columns(list(FIGURE_NAMES)),
]


@extend_schema_view(
    get=extend_schema(
        operation_id="rollups",
        summary=gettext_lazy(
            "Money summed by year, division, country, theme, modality, status or funding"
        ),
        description=gettext_lazy(
            "The dashboard's figures, from the same roll-up tables and the same scope: staff see "
            "the whole portfolio, a partner user the money of public activities. "
            "Money of an activity in several countries or themes is split between them (by "
            "the countries' shares), so the groups add up to the total to the cent. Money is "
            "counted in the fiscal year of its entries."
        ),
        parameters=[RollupQuery, FORMAT_PARAMETER],
        examples=api_examples.ROLLUP_EXAMPLES,
        responses={
            (200, "application/json"): RollupSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description=gettext_lazy("One row per group.")
            ),
            **error_responses(400),
        },
    )
)
class RollupView(CsvOnReads, generics.GenericAPIView):
    """One summary, not a list of records: a plain view, so the schema does not page it."""

    serializer_class = RollupSerializer
    pagination_class = None
    filterset_class = None
    csv_columns = ROLLUP_CSV
    csv_items = "groups"
    queryset = RollupCell.objects.none()  # the schema's; rollups.rollup_rows scopes the reads

    @reads_from_replica
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        query = RollupQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.filters()
        group_by = query.rollup_group_by()
        groups = rollups.grouped_totals(user, filters, group_by)
        _keys_as_codes(group_by, groups)
        state = rollups.rollup_state()
        total = rollups.totals(user, filters)
        coverage = rollups.coverage(
            rollups.rollup_scope(user),
            filters,
            base_totals=None if filters.agreements else total,
        )
        body = {
            "group_by": query.validated_data["group_by"],
            "currency": "USD",
            "as_of": state.as_of,
            "refreshing": state.is_refreshing,
            "total": total,
            "groups": groups,
            "coverage": coverage,
            "in_kind_not_valued": unvalued_in_selection(
                rollups.rollup_scope(user), filters
            ).as_data(),
        }
        return Response(RollupSerializer(body).data)


def _keys_as_codes(group_by: str, groups: list[rollups.Figures]) -> None:
    """Divisions, countries and themes by their codes (as the filters take them), not ids."""
    code_fields: dict[str, tuple[type[Division | Country | Theme], str]] = {
        "division": (Division, "code"),
        "country": (Country, "iso2"),
        "theme": (Theme, "code"),
    }
    if group_by not in code_fields:
        return
    model, code = code_fields[group_by]
    ids = [group.key for group in groups if group.key is not None]
    codes = dict(model._default_manager.filter(pk__in=ids).values_list("pk", code))
    for group in groups:
        if group.key is not None:
            group.key = codes[group.key]
