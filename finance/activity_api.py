"""The activity endpoint (/api/v1/activities/): activities as the list page filters them, each
with its money.

It lives in finance because its reads show each activity's money and activities may not import
finance (the apps depend one way). The rest comes from activities, which it only composes: the
records' columns and links (activities.serializers.load_activity_links), the list's filters
(activities.filters.ActivityFilter, extended in finance.filters), and the writes, parsed by
activities.api.parse_activity with the activity form's rules and made by activities.services,
exactly as on the pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from activities import access, duplicates, services
from activities.api import parse_activity
from activities.duplicate_pairs import MergedVia
from activities.filters import with_reporting_year
from activities.history import Through
from activities.models import Activity, ActivityMerge, FoundVia
from activities.serializers import (
    ACTIVITY_COLUMNS,
    ActivityChangeInput,
    ActivityMergeInput,
    ActivityPatchInput,
    ActivityWriteSerializer,
    DuplicateSuggestionSerializer,
    load_activity_links,
)
from ssc_portal.api import Column, Conflict, CsvOnReads, csv_columns, error_responses, read_schemas
from ssc_portal.db_router import reads_from_replica

from . import api_examples
from .figures import FIGURE_NAMES
from .filters import ApiActivityFilter
from .in_kind import unvalued_by_activity
from .serializers import ActivitySerializer
from .summary import finance_totals

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
    ("agreement", lambda a: a["agreement"]["value"]),
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


# The 409 of a creation alike existing activities: the error body and the likely duplicates.
LIKELY_DUPLICATES_BODY = inline_serializer(
    name="LikelyDuplicates",
    fields={
        "detail": serializers.CharField(),
        "code": serializers.CharField(help_text=gettext_lazy("likely_duplicates")),
        "duplicates": DuplicateSuggestionSerializer(many=True),
    },
)


@extend_schema_view(
    **read_schemas(
        ActivitySerializer,
        list_summary=gettext_lazy("List activities"),
        one_summary=gettext_lazy("One activity"),
        list_description=gettext_lazy(
            "The activities you may see, filtered like the activity list page. For an "
            "incremental sync, pass updated_since (the Date header of your previous sync's "
            "first request) and follow `next` to the end."
        ),
        examples=api_examples.ACTIVITY_EXAMPLES,
    ),
    create=extend_schema(
        summary=gettext_lazy("Create an activity"),
        description=gettext_lazy(
            "CPMs and the focal point; the same rules as the New activity page. A new activity "
            "alike existing ones (similar title, same countries, overlapping years, shared "
            "partners) is refused with 409 and those `duplicates`, unless `not_duplicate_of` "
            "lists them: compare, then send it again."
        ),
        request=ActivityWriteSerializer,
        examples=api_examples.LIKELY_DUPLICATES,
        responses={
            201: ActivitySerializer,
            (409, "application/json"): OpenApiResponse(
                LIKELY_DUPLICATES_BODY,
                description=gettext_lazy(
                    "Likely duplicates not named in not_duplicate_of: nothing was saved."
                ),
            ),
            **error_responses(400, 403),
        },
    ),
    update=extend_schema(
        summary=gettext_lazy("Replace an activity"),
        description=gettext_lazy(
            "Its editors (its CPMs, the focal point). Send `version` as read: a stale one is "
            "refused with 409. Countries, partners, themes and SDGs left out are emptied."
        ),
        request=ActivityChangeInput,
        responses={200: ActivitySerializer, **error_responses(400, 403, 404, 409)},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change some fields of an activity"),
        description=gettext_lazy(
            "As PUT, but fields left out keep their value. `version` is required."
        ),
        request=ActivityPatchInput,
        examples=[api_examples.ACTIVITY_CHANGE],
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

    @reads_from_replica
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
        data = parse_activity(request, user, None, partial=False)
        try:
            activity = services.create_activity_past_duplicates(
                data=data,
                user=user,
                seen=data.not_duplicate_of,
                via=FoundVia.API,
                through=Through.API,
            )
        except services.LikelyDuplicates as found:
            body = {
                "detail": found.errors["__all__"][0],
                "code": "likely_duplicates",
                "duplicates": DuplicateSuggestionSerializer(found.matches, many=True).data,
            }
            return Response(body, status=status.HTTP_409_CONFLICT)
        except services.ActivityError as error:
            raise exceptions.ValidationError(error.errors) from None
        return Response(self._read(activity), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Likely duplicates of an activity"),
        description=gettext_lazy(
            "The activities you may see that look like this one (similar title, same "
            "countries, overlapping years, shared partners), the likeliest first; those "
            "already told apart from it are left out."
        ),
        examples=[api_examples.DUPLICATE_SUGGESTIONS],
        responses={
            200: DuplicateSuggestionSerializer(many=True),
            **error_responses(400, 404),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="duplicates",
        url_name="duplicates",
        pagination_class=None,
        filter_backends=[],
    )
    def duplicate_suggestions(self, request: Request, pk: str | None = None) -> Response:
        activity = self._activity(write=False)
        activity = Activity.objects.prefetch_related("country_links", "partner_links").get(
            pk=activity.pk
        )
        found = duplicates.suggest(duplicates.Facts.of_activity(activity), request.user)  # type: ignore[arg-type]
        return Response(DuplicateSuggestionSerializer(found, many=True).data)

    @extend_schema(
        summary=gettext_lazy("Merge another activity into this one"),
        description=gettext_lazy(
            "Two logs of one activity: everything of `remove` (countries, partners, themes, "
            "ledger lines with their amounts and rates, results, knowledge links, the "
            "conversation) moves to this activity, which is answered. `remove` is not deleted: "
            "it stays as a record of its history, hidden from lists, sums and exports, and "
            "reading it answers 404 naming this activity. Who may change both activities may "
            "merge them (403 otherwise); a stale `version` or `remove_version` is refused with "
            "409, an activity merged already or the same activity twice with 400; nothing is "
            "saved."
        ),
        request=ActivityMergeInput,
        examples=[api_examples.ACTIVITY_MERGE],
        responses={200: ActivitySerializer, **error_responses(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="merge", url_name="merge", filter_backends=[])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        user: User = request.user  # type: ignore[assignment]
        keep = self._activity(write=True)
        given = ActivityMergeInput(data=request.data)
        given.is_valid(raise_exception=True)
        # Read, not write: an activity merged already is refused by the service, naming it.
        remove = access.get_activity_for_user(user, given.validated_data["remove"], merged=True)
        merged = ActivityMerge.objects.filter(removed=remove).exists()
        if not merged and not access.can_edit_activity(user, remove):
            raise exceptions.PermissionDenied(
                _("You may read %(activity)s but not change it: it cannot be merged by you.")
                % {"activity": remove.ssc_id}
            )
        try:
            services.merge_activities(
                keep=keep,
                remove=remove,
                user=user,
                keep_version=given.validated_data["version"],
                remove_version=given.validated_data["remove_version"],
                via=MergedVia.API,
            )
        except services.ConflictError as error:
            raise Conflict(str(error)) from None
        except services.ActivityError as error:
            raise exceptions.ValidationError(error.errors) from None
        return Response(self._read(keep))

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user: User = request.user  # type: ignore[assignment]
        activity = self._activity(write=True)
        data = parse_activity(request, user, activity, partial=kwargs.get("partial", False))
        try:
            services.update_activity(
                activity=activity,
                data=data,
                user=user,
                expected_version=data.version,
                through=Through.API,
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
        kept = access.merged_into_for_user(user, pk)
        if kept is not None:
            raise exceptions.NotFound(
                _("This activity was merged into %(kept)s: read it at /api/v1/activities/%(id)s/.")
                % {"kept": kept.ssc_id, "id": kept.pk}
            )
        return access.get_activity_for_user(user, pk, write=write)

    def _read(self, activity: Activity) -> dict[str, Any]:
        """The activity as the list shows it (after the access check made by the caller)."""
        rows = with_reporting_year(Activity.objects.filter(pk=activity.pk))
        return self._represent(list(rows.values(*ACTIVITY_COLUMNS)))[0]

    def _represent(self, rows: Sequence[dict[str, Any]]) -> Any:
        ids = [row["id"] for row in rows]
        links = load_activity_links(ids)
        user: User = self.request.user  # type: ignore[assignment]
        # Whether the caller reads an activity's money depends only on its visibility: asked
        # once per visibility, not once per row.
        reads_money = {
            visibility: access.reads_money_of(user, visibility)
            for visibility in {row["visibility"] for row in rows}
        }
        hidden = {row["id"] for row in rows if not reads_money[row["visibility"]]}
        context = {
            **self.get_serializer_context(),
            "links": links,
            "money": finance_totals(ids),
            "money_hidden": hidden,
            "unvalued": unvalued_by_activity(ids),
        }
        return ActivitySerializer(rows, many=True, context=context).data
