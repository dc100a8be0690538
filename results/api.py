"""REST API endpoints of the results module (issue 19): results, indicators with their periods,
targets and actuals, updates and their approval, and the focal point's library.

Scoped like the pages, through results.access: a record the caller may not read answers 404,
an action they may not take on one they read answers 403. Updates are drafted and changed by
the activity's reporters (its editors, and users of a partner implementing or hosting it) and
approved or returned by its editors, each action through results.services with the update's
`version`: a stale one is refused with 409, as the activity API does. Evidence comes as a link
or a knowledge asset's id; files go through the update's page, where uploads are checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from activities.filters import IntegerFilter
from activities.history import Through
from knowledge.models import KnowledgeAsset
from ssc_portal.api import Conflict, ListsFromReplica, error_responses

from . import access, services
from .models import (
    CoreIndicator,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorKind,
    Period,
    Result,
    ResultType,
    Side,
    TargetDisaggregation,
    Update,
    UpdateDisaggregation,
    UpdateStatus,
)
from .progress import actuals
from .serializers import (
    CoreIndicatorSerializer,
    DimensionSerializer,
    IndicatorSerializer,
    ReasonInput,
    ResultSerializer,
    UpdateChangeInput,
    UpdateCreateInput,
    UpdateSerializer,
    VersionInput,
)

if TYPE_CHECKING:
    from accounts.models import User

BY_ID = {"id": ("pk",), "-id": ("-pk",)}


@contextmanager
def refusals_as_api_errors(renamed: Mapping[str, str] | None = None) -> Iterator[None]:
    """The results services' refusals as the API's answers: 409 for a stale version, else 400
    naming the field as the request named it (`renamed`: the model's name -> the request's)."""
    try:
        yield
    except services.UpdateConflict as error:
        raise Conflict(" ".join(error.errors["version"])) from None
    except services.ResultsError as error:
        names = renamed or {}
        errors = {names.get(name, name): messages for name, messages in error.errors.items()}
        raise exceptions.ValidationError(errors) from None


def _pk(view: viewsets.GenericViewSet, missing: str) -> int:
    try:
        return int(view.kwargs["pk"])
    except ValueError:
        raise exceptions.NotFound(missing) from None


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _reads(
    serializer: type[Any],
    *,
    list_summary: str | Promise,
    one_summary: str | Promise,
    list_description: str | Promise,
    refused: Sequence[int] = (),
) -> dict[str, Any]:
    """The schemas of a view set's list and retrieve actions (JSON only)."""
    return {
        "list": extend_schema(
            summary=list_summary,
            description=list_description,
            responses={200: serializer(many=True), **error_responses(400, *refused)},
        ),
        "retrieve": extend_schema(
            summary=one_summary,
            responses={200: serializer, **error_responses(400, 404, *refused)},
        ),
    }


# --- the library (staff) -----------------------------------------------------------------------


class LibraryViewSet(ListsFromReplica, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The core indicators and dimensions are the focal point's library: staff read them (a
    partner user reads an indicator's dimensions with the indicator)."""

    ordering_choices = BY_ID
    default_ordering = "id"
    missing = gettext_lazy("No such record.")
    model: type[CoreIndicator] | type[Dimension]
    related: tuple[str, ...] = ()  # prefetched with each record

    def get_queryset(self) -> QuerySet[Any]:
        if not access.reads_library(self.request.user):
            raise exceptions.PermissionDenied(_("Only IFAD staff read the indicator library."))
        return self.model._default_manager.prefetch_related(*self.related)

    def get_object(self) -> Any:
        pk = _pk(self, str(self.missing))
        found = self.get_queryset().filter(pk=pk).first()
        if found is None:
            raise exceptions.NotFound(str(self.missing))
        return found


@extend_schema_view(
    **_reads(
        CoreIndicatorSerializer,
        list_summary=gettext_lazy("List core indicators"),
        one_summary=gettext_lazy("One core indicator"),
        list_description=gettext_lazy(
            "The corporate indicators that activities adopt so that their values roll up "
            "across the portfolio, with their unit and aggregation rule. Staff only."
        ),
        refused=(403,),
    )
)
class CoreIndicatorViewSet(LibraryViewSet):
    serializer_class = CoreIndicatorSerializer
    queryset = CoreIndicator.objects.none()
    missing = gettext_lazy("No such core indicator.")
    model = CoreIndicator


@extend_schema_view(
    **_reads(
        DimensionSerializer,
        list_summary=gettext_lazy("List disaggregation dimensions"),
        one_summary=gettext_lazy("One disaggregation dimension"),
        list_description=gettext_lazy(
            "The dimensions values are disaggregated by (sex, age group ...) with their "
            "values. Staff only; reporters find an indicator's dimensions on the indicator."
        ),
        refused=(403,),
    )
)
class DimensionViewSet(LibraryViewSet):
    serializer_class = DimensionSerializer
    queryset = Dimension.objects.none()
    missing = gettext_lazy("No such dimension.")
    model = Dimension
    related = ("values",)


# --- frameworks --------------------------------------------------------------------------------


class ResultFilter(django_filters.FilterSet):
    activity = IntegerFilter(label=gettext_lazy("Activity id"), min_value=1)
    type = django_filters.ChoiceFilter(choices=ResultType.choices)
    side = django_filters.ChoiceFilter(choices=Side.choices)

    class Meta:
        model = Result
        fields: list[str] = []


@extend_schema_view(
    **_reads(
        ResultSerializer,
        list_summary=gettext_lazy("List results"),
        one_summary=gettext_lazy("One result"),
        list_description=gettext_lazy(
            "The results (outputs, outcomes, impacts) of the activities you may see; "
            "filter by activity. Their indicators: /api/v1/indicators/?result=."
        ),
    )
)
class ResultViewSet(ListsFromReplica, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ResultSerializer
    filterset_class = ResultFilter
    ordering_choices = BY_ID
    default_ordering = "id"
    queryset = Result.objects.none()

    def get_queryset(self) -> QuerySet[Result]:
        return Result.objects.visible_to(self.request.user)

    def get_object(self) -> Result:
        return access.get_result_for_user(self.request.user, _pk(self, _("No such result.")))[0]


class IndicatorFilter(django_filters.FilterSet):
    activity = IntegerFilter(
        label=gettext_lazy("Activity id"), field_name="result__activity", min_value=1
    )
    result = IntegerFilter(label=gettext_lazy("Result id"), min_value=1)
    core = django_filters.CharFilter(
        label=gettext_lazy("Core indicator code"), field_name="core__code", max_length=60
    )
    kind = django_filters.ChoiceFilter(choices=IndicatorKind.choices)

    class Meta:
        model = Indicator
        fields: list[str] = []


@extend_schema_view(
    **_reads(
        IndicatorSerializer,
        list_summary=gettext_lazy("List indicators"),
        one_summary=gettext_lazy("One indicator"),
        list_description=gettext_lazy(
            "Indicators with their baseline, dimensions and reporting periods: each period's "
            "target, disaggregated targets and actual (the approved updates that count, as "
            "the results page shows it). Filter by activity or result."
        ),
    )
)
class IndicatorViewSet(ListsFromReplica, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering_choices = BY_ID
    default_ordering = "id"
    queryset = Indicator.objects.none()

    def get_queryset(self) -> QuerySet[Indicator]:
        targets = TargetDisaggregation.objects.select_related("dimension_value__dimension")
        periods = Period.objects.prefetch_related(Prefetch("target_parts", queryset=targets))
        return (
            Indicator.objects.visible_to(self.request.user)
            .select_related("result", "core")
            .prefetch_related(
                Prefetch("dimensions", queryset=Dimension.objects.prefetch_related("values")),
                Prefetch("periods", queryset=periods),
            )
        )

    def get_object(self) -> Indicator:
        access.get_indicator_for_user(self.request.user, _pk(self, _("No such indicator.")))
        return self.get_queryset().get(pk=int(self.kwargs["pk"]))

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        """The actuals of every period shown, read at once (progress.actuals)."""
        shown = args[0] if args else kwargs.get("instance")
        indicators = shown if isinstance(shown, list) else [shown] if shown is not None else []
        periods = [period for indicator in indicators for period in indicator.periods.all()]
        kwargs["context"] = {**self.get_serializer_context(), "actuals": actuals(periods)}
        return self.get_serializer_class()(*args, **kwargs)


# --- updates -----------------------------------------------------------------------------------


class UpdateFilter(django_filters.FilterSet):
    activity = IntegerFilter(
        label=gettext_lazy("Activity id"),
        field_name="period__indicator__result__activity",
        min_value=1,
    )
    indicator = IntegerFilter(
        label=gettext_lazy("Indicator id"), field_name="period__indicator", min_value=1
    )
    period = IntegerFilter(label=gettext_lazy("Reporting period id"), min_value=1)
    status = django_filters.ChoiceFilter(choices=UpdateStatus.choices)

    class Meta:
        model = Update
        fields: list[str] = []


def _parts(
    given: Sequence[Mapping[str, Any]],
) -> dict[DimensionValue, Decimal]:
    """The disaggregated values by dimension value (the service checks they are the
    indicator's); an unknown or repeated dimension value is refused naming its row."""
    ids = [row["dimension_value"] for row in given]
    values = DimensionValue.objects.select_related("dimension").in_bulk(ids)
    errors: dict[str, list[str]] = {}
    parts: dict[DimensionValue, Decimal] = {}
    for index, row in enumerate(given):
        value = values.get(row["dimension_value"])
        name = f"parts.{index}.dimension_value"
        if value is None:
            errors[name] = [_("No such dimension value.")]
        elif value in parts:
            errors[name] = [_("Each dimension value may appear once.")]
        else:
            parts[value] = row["value"]
    if errors:
        raise exceptions.ValidationError(errors)
    return parts


def _update_data(user: User, data: Mapping[str, Any]) -> services.UpdateData:
    asset = None
    if data.get("evidence_asset") is not None:
        # An asset the caller may not read is answered as one that does not exist.
        asset = KnowledgeAsset.objects.visible_to(user).filter(pk=data["evidence_asset"]).first()
        if asset is None:
            raise exceptions.ValidationError({"evidence_asset": [_("No such knowledge asset.")]})
    return services.UpdateData(
        value=data.get("value"),
        narrative=data.get("narrative", ""),
        achieved=data.get("achieved"),
        comment=data.get("comment", ""),
        parts=_parts(data.get("parts", [])),
        evidence_url=data.get("evidence_url", ""),
        evidence_asset=asset,
    )


def _parse(serializer: type[Any], request: Request) -> dict[str, Any]:
    parsed = serializer(data=request.data)
    parsed.is_valid(raise_exception=True)
    return dict(parsed.validated_data)


ACTIONS = error_responses(400, 403, 404, 409)


@extend_schema_view(
    **_reads(
        UpdateSerializer,
        list_summary=gettext_lazy("List indicator updates"),
        one_summary=gettext_lazy("One indicator update"),
        list_description=gettext_lazy(
            "The updates you may see: an activity's reporters and approvers see every state, "
            "other readers approved updates only. Filter by activity, indicator, period or "
            "status."
        ),
    ),
    create=extend_schema(
        summary=gettext_lazy("Draft an update"),
        description=gettext_lazy(
            "The activity's reporters: its CPM, the focal point, and users of a partner "
            "organization implementing or hosting it. The update starts as a draft."
        ),
        request=UpdateCreateInput,
        responses={201: UpdateSerializer, **error_responses(400, 403, 404)},
    ),
    update=extend_schema(
        summary=gettext_lazy("Change a draft or returned update"),
        description=gettext_lazy(
            "Replaces its content (fields left out are emptied; an uploaded file stays). "
            "Send `version` as read: a stale one is refused with 409. Submitted and approved "
            "updates are locked."
        ),
        request=UpdateChangeInput,
        responses={200: UpdateSerializer, **ACTIONS},
    ),
    submit=extend_schema(
        summary=gettext_lazy("Submit an update for approval"),
        description=gettext_lazy("A draft or a returned update, by the activity's reporters."),
        request=VersionInput,
        responses={200: UpdateSerializer, **ACTIONS},
    ),
    send_back=extend_schema(
        operation_id="updates_return",
        summary=gettext_lazy("Return an update for revision"),
        description=gettext_lazy(
            "A submitted update, by the activity's CPM or the focal point, saying what to correct."
        ),
        request=ReasonInput,
        responses={200: UpdateSerializer, **ACTIONS},
    ),
    approve=extend_schema(
        summary=gettext_lazy("Approve an update"),
        description=gettext_lazy(
            "A submitted update, by the activity's CPM or the focal point: its value counts "
            "and is locked. Approving a revision retires the update it revises."
        ),
        request=VersionInput,
        responses={200: UpdateSerializer, **ACTIONS},
    ),
    revise=extend_schema(
        summary=gettext_lazy("Start a revision of an approved update"),
        description=gettext_lazy(
            "An approved value is locked: a correction is a new draft naming it and why. "
            "The approved value counts until the revision is approved."
        ),
        request=ReasonInput,
        responses={201: UpdateSerializer, **ACTIONS},
    ),
)
class UpdateViewSet(
    ListsFromReplica,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = UpdateSerializer
    filterset_class = UpdateFilter
    ordering_choices = BY_ID
    default_ordering = "id"
    queryset = Update.objects.none()

    def get_queryset(self) -> QuerySet[Update]:
        parts = UpdateDisaggregation.objects.select_related("dimension_value__dimension")
        return (
            Update.objects.visible_to(self.request.user)
            .select_related("period__indicator__result")
            .prefetch_related(Prefetch("parts", queryset=parts))
        )

    def _update(self) -> tuple[Update, access.ActivityResultsAccess]:
        return access.get_update_for_user(self.request.user, _pk(self, _("No such update.")))

    def _answer(self, update: Update, code: int = status.HTTP_200_OK) -> Response:
        return Response(UpdateSerializer(self.get_queryset().get(pk=update.pk)).data, status=code)

    def get_object(self) -> Update:
        self._update()  # 404 for what the caller may not see
        return self.get_queryset().get(pk=int(self.kwargs["pk"]))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        data = _parse(UpdateCreateInput, request)
        period, rights = access.get_period_for_user(user, data["period"])
        rights.require_reporting()
        with refusals_as_api_errors():
            update = services.save_update(
                period=period, data=_update_data(user, data), user=user, through=Through.API
            )
        return self._answer(update, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        update, rights = self._update()
        rights.require_reporting()
        data = _parse(UpdateChangeInput, request)
        with refusals_as_api_errors():
            services.save_update(
                period=update.period,
                update=update,
                data=_update_data(user, data),
                user=user,
                expected_version=data["version"],
                through=Through.API,
            )
        return self._answer(update)

    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        update, rights = self._update()
        rights.require_reporting()
        data = _parse(VersionInput, request)
        with refusals_as_api_errors():
            services.submit_update(
                update=update,
                user=_user(request),
                expected_version=data["version"],
                through=Through.API,
            )
        return self._answer(update)

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request: Request, pk: str) -> Response:
        update, rights = self._update()
        rights.require_approving()
        data = _parse(ReasonInput, request)
        with refusals_as_api_errors({"return_reason": "reason"}):
            services.return_update(
                update=update,
                user=_user(request),
                reason=data["reason"],
                expected_version=data["version"],
                through=Through.API,
            )
        return self._answer(update)

    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        update, rights = self._update()
        rights.require_approving()
        data = _parse(VersionInput, request)
        with refusals_as_api_errors():
            services.approve_update(
                update=update,
                user=_user(request),
                expected_version=data["version"],
                through=Through.API,
            )
        return self._answer(update)

    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        update, rights = self._update()
        rights.require_reporting()
        data = _parse(ReasonInput, request)
        with refusals_as_api_errors({"revision_reason": "reason"}):
            revision = services.revise_update(
                update=update,
                user=_user(request),
                reason=data["reason"],
                expected_version=data["version"],
                through=Through.API,
            )
        return self._answer(revision, status.HTTP_201_CREATED)
