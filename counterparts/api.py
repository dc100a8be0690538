"""REST API endpoints of "both sides agree" (issue 20): each side's confirmation and its actions,
the activity's conversation, proposed contributions and their decisions, and the caller's inbox.

Scoped like the pages, through counterparts.access: what the caller may not read answers 404,
an action they may not take on what they read answers 403. Every action goes through
counterparts.services with the record's `version` (a stale one is refused with 409) and is
recorded as coming through the API; a refusal answers 400 naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from activities.access import visible_partners
from activities.filters import IntegerFilter, YesNoFilter
from ssc_portal.api import Conflict, ListsFromReplica, error_responses, read_schemas

from . import access, services
from .api_examples import CONFIRMATION_EXAMPLES
from .models import (
    Channel,
    Comment,
    Confirmation,
    ConfirmationState,
    ConfirmationStep,
    ContributionProposal,
    Notification,
    ProposalState,
)
from .serializers import (
    AnswerInput,
    CommentInput,
    CommentSerializer,
    ConfirmationSerializer,
    ConfirmInput,
    DeclineInput,
    DisputeInput,
    MarkedSerializer,
    NotificationSerializer,
    ProposalInput,
    ProposalSerializer,
    RecordVersionInput,
)

if TYPE_CHECKING:
    from accounts.models import User

BY_ID = {"id": ("pk",), "-id": ("-pk",)}
ACTIONS = error_responses(400, 403, 404, 409)


@contextmanager
def refusals_as_api_errors() -> Iterator[None]:
    """The services' refusals as the API's answers: 409 for a stale version, else 400 naming
    the field."""
    try:
        yield
    except services.StaleRecord as error:
        raise Conflict(" ".join(str(m) for m in error.errors["version"])) from None
    except services.CounterpartError as error:
        raise exceptions.ValidationError(error.errors) from None


def _user(request: Request) -> User:
    return request.user  # type: ignore[return-value]


def _pk(view: viewsets.GenericViewSet, missing: str) -> int:
    try:
        return int(view.kwargs["pk"])
    except ValueError:
        raise exceptions.NotFound(missing) from None


def _parse(serializer: type[Any], request: Request) -> Mapping[str, Any]:
    parsed = serializer(data=request.data)
    parsed.is_valid(raise_exception=True)
    return dict(parsed.validated_data)


# --- confirmations ------------------------------------------------------------------------


class ConfirmationFilter(django_filters.FilterSet):
    activity = IntegerFilter(label=gettext_lazy("Activity id"), min_value=1)
    state = django_filters.ChoiceFilter(choices=ConfirmationState.choices)

    class Meta:
        model = Confirmation
        fields: list[str] = []


@extend_schema_view(
    **read_schemas(
        ConfirmationSerializer,
        list_summary=gettext_lazy("List the sides' confirmations"),
        one_summary=gettext_lazy("One side's confirmation, with its thread"),
        csv=False,
        list_description=gettext_lazy(
            "One per country's and organization's role on the activities you read. Filter by "
            "activity or state."
        ),
        examples=CONFIRMATION_EXAMPLES,
    ),
    confirm=extend_schema(
        summary=gettext_lazy("Confirm the record"),
        description=gettext_lazy("By the side's counterparts: the record is right as it stands."),
        request=ConfirmInput,
        responses={200: ConfirmationSerializer, **ACTIONS},
    ),
    dispute=extend_schema(
        summary=gettext_lazy("Dispute the record"),
        description=gettext_lazy(
            "By the side's counterparts: what is wrong (one or more fields) and a comment. The "
            "activity's manager is told."
        ),
        request=DisputeInput,
        responses={200: ConfirmationSerializer, **ACTIONS},
    ),
    answer=extend_schema(
        summary=gettext_lazy("Answer a dispute"),
        description=gettext_lazy(
            "By who manages the activity, after correcting it or explaining why not: the side "
            "is asked to confirm again."
        ),
        request=AnswerInput,
        responses={200: ConfirmationSerializer, **ACTIONS},
    ),
)
class ConfirmationViewSet(ListsFromReplica, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ConfirmationSerializer
    filterset_class = ConfirmationFilter
    ordering_choices = BY_ID
    default_ordering = "id"
    queryset = Confirmation.objects.none()

    def get_queryset(self) -> QuerySet[Confirmation]:
        steps = ConfirmationStep.objects.select_related("by")
        return (
            access.readable_confirmations(self.request.user)
            .select_related("activity", "country_link__country", "partner_link__partner")
            .prefetch_related(Prefetch("steps", queryset=steps))
        )

    def get_object(self) -> Confirmation:
        return self._confirmation(None)

    def _confirmation(self, action_name: str | None) -> Confirmation:
        pk = _pk(self, _("No such confirmation."))
        access.get_confirmation_for_user(self.request.user, pk, action=action_name)
        return self.get_queryset().get(pk=pk)

    def _answer(self, confirmation: Confirmation) -> Response:
        return Response(ConfirmationSerializer(self.get_queryset().get(pk=confirmation.pk)).data)

    def _act(
        self,
        name: str,
        given: type[Any],
        act: Callable[[Confirmation, User, Mapping[str, Any]], Any],
    ) -> Response:
        """Check the caller may take the action, parse its input, have the service take it."""
        confirmation = self._confirmation(name)
        data = _parse(given, self.request)
        with refusals_as_api_errors():
            act(confirmation, _user(self.request), data)
        return self._answer(confirmation)

    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        return self._act(
            "confirm",
            ConfirmInput,
            lambda confirmation, user, data: services.confirm(
                confirmation=confirmation,
                user=user,
                expected_version=data["version"],
                comment=data["comment"],
                via=Channel.API,
            ),
        )

    @action(detail=True, methods=["post"])
    def dispute(self, request: Request, pk: str) -> Response:
        return self._act(
            "dispute",
            DisputeInput,
            lambda confirmation, user, data: services.dispute(
                confirmation=confirmation,
                user=user,
                fields=data["fields"],
                comment=data["comment"],
                expected_version=data["version"],
                via=Channel.API,
            ),
        )

    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        return self._act(
            "answer",
            AnswerInput,
            lambda confirmation, user, data: services.answer(
                confirmation=confirmation,
                user=user,
                comment=data["comment"],
                expected_version=data["version"],
                via=Channel.API,
            ),
        )


# --- the conversation ---------------------------------------------------------------------


class CommentFilter(django_filters.FilterSet):
    activity = IntegerFilter(label=gettext_lazy("Activity id"), min_value=1)
    internal = YesNoFilter(label=gettext_lazy("Internal notes only (true) or shared only (false)"))

    class Meta:
        model = Comment
        fields: list[str] = []


@extend_schema_view(
    **read_schemas(
        CommentSerializer,
        list_summary=gettext_lazy("List the conversation's messages"),
        one_summary=gettext_lazy("One message"),
        csv=False,
        list_description=gettext_lazy(
            "The messages on the activities you read, oldest first; internal notes only for "
            "agency staff. Filter by activity."
        ),
    ),
    create=extend_schema(
        summary=gettext_lazy("Post a message"),
        description=gettext_lazy(
            "By who manages the activity and by its counterparts; internal notes by who "
            "manages it only. An @mention of someone who may not read the message is refused, "
            "naming them."
        ),
        request=CommentInput,
        responses={201: CommentSerializer, **error_responses(400, 403, 404)},
    ),
)
class CommentViewSet(
    ListsFromReplica, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = CommentSerializer
    filterset_class = CommentFilter
    ordering_choices = BY_ID
    default_ordering = "id"
    queryset = Comment.objects.none()

    def get_queryset(self) -> QuerySet[Comment]:
        return (
            access.readable_comments(self.request.user)
            .select_related("author")
            .prefetch_related("mentions")
        )

    def get_object(self) -> Comment:
        found = self.get_queryset().filter(pk=_pk(self, _("No such message."))).first()
        if found is None:
            raise exceptions.NotFound(_("No such message."))
        return found

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        data = _parse(CommentInput, request)
        activity = access.get_activity(user, data["activity"])
        access.check_may_comment(user, activity, internal=data["internal"])
        with refusals_as_api_errors():
            comment = services.post_comment(
                activity=activity,
                user=user,
                body=data["body"],
                internal=data["internal"],
                via=Channel.API,
            )
        found = self.get_queryset().get(pk=comment.pk)
        return Response(CommentSerializer(found).data, status=status.HTTP_201_CREATED)


# --- proposed contributions ---------------------------------------------------------------


class ProposalFilter(django_filters.FilterSet):
    activity = IntegerFilter(label=gettext_lazy("Activity id"), min_value=1)
    state = django_filters.ChoiceFilter(choices=ProposalState.choices)

    class Meta:
        model = ContributionProposal
        fields: list[str] = []


@extend_schema_view(
    **read_schemas(
        ProposalSerializer,
        list_summary=gettext_lazy("List proposed contributions"),
        one_summary=gettext_lazy("One proposed contribution"),
        csv=False,
        list_description=gettext_lazy(
            "Agency staff read every proposal of the activities they read; a partner user its "
            "organization's, a country's counterpart its country's organizations'. Filter by "
            "activity or state."
        ),
    ),
    create=extend_schema(
        summary=gettext_lazy("Propose a contribution"),
        description=gettext_lazy(
            "By the activity's counterparts, for their own organization (or their country's): "
            "the activity's manager accepts it into the ledger or declines it."
        ),
        request=ProposalInput,
        responses={201: ProposalSerializer, **error_responses(400, 403, 404)},
    ),
    accept=extend_schema(
        summary=gettext_lazy("Accept a proposal into the ledger"),
        description=gettext_lazy(
            "By who manages the activity: recorded at the month's rate with the ledger's checks "
            "(closed periods, limits); the new ledger line is `entry`."
        ),
        request=RecordVersionInput,
        responses={200: ProposalSerializer, **ACTIONS},
    ),
    decline=extend_schema(
        summary=gettext_lazy("Decline a proposal"),
        description=gettext_lazy("By who manages the activity, with a reason."),
        request=DeclineInput,
        responses={200: ProposalSerializer, **ACTIONS},
    ),
    withdraw=extend_schema(
        summary=gettext_lazy("Withdraw a proposal"),
        description=gettext_lazy("By whoever proposed it, while it is still proposed."),
        request=RecordVersionInput,
        responses={200: ProposalSerializer, **ACTIONS},
    ),
)
class ProposalViewSet(
    ListsFromReplica, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter
    ordering_choices = BY_ID
    default_ordering = "id"
    queryset = ContributionProposal.objects.none()

    def get_queryset(self) -> QuerySet[ContributionProposal]:
        return access.readable_proposals(self.request.user).select_related(
            "contributor", "proposed_by", "decided_by"
        )

    def get_object(self) -> ContributionProposal:
        return self._proposal(None)

    def _proposal(self, action_name: str | None) -> ContributionProposal:
        pk = _pk(self, _("No such proposed contribution."))
        return access.get_proposal_for_user(self.request.user, pk, action=action_name)

    def _answer(self, proposal: ContributionProposal, code: int = status.HTTP_200_OK) -> Response:
        found = self.get_queryset().get(pk=proposal.pk)
        return Response(ProposalSerializer(found).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        data = _parse(ProposalInput, request)
        activity = access.get_activity(user, data["activity"])
        if not access.is_counterpart_of(user, activity):
            raise exceptions.PermissionDenied(
                _("Only the activity's counterparts propose contributions to it.")
            )
        contributor = visible_partners(user).filter(pk=data["contributor"]).first()
        if contributor is None:
            raise exceptions.ValidationError({"contributor": [_("No such organization.")]})
        proposal_data = services.ProposalData.from_values(contributor, data)
        with refusals_as_api_errors():
            proposal = services.propose(
                activity=activity, user=user, data=proposal_data, via=Channel.API
            )
        return self._answer(proposal, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        proposal = self._proposal("decide")
        data = _parse(RecordVersionInput, request)
        with refusals_as_api_errors():
            services.accept(
                proposal=proposal,
                user=_user(request),
                expected_version=data["version"],
                via=Channel.API,
            )
        return self._answer(proposal)

    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        proposal = self._proposal("decide")
        data = _parse(DeclineInput, request)
        with refusals_as_api_errors():
            services.decline(
                proposal=proposal,
                user=_user(request),
                reason=data["reason"],
                expected_version=data["version"],
                via=Channel.API,
            )
        return self._answer(proposal)

    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        proposal = self._proposal("withdraw")
        data = _parse(RecordVersionInput, request)
        with refusals_as_api_errors():
            services.withdraw(
                proposal=proposal,
                user=_user(request),
                expected_version=data["version"],
                via=Channel.API,
            )
        return self._answer(proposal)


# --- the inbox ----------------------------------------------------------------------------


class NotificationFilter(django_filters.FilterSet):
    unread = YesNoFilter(
        label=gettext_lazy("Unread only (true) or read only (false)"), method="filter_unread"
    )

    class Meta:
        model = Notification
        fields: list[str] = []

    def filter_unread(
        self, queryset: QuerySet[Notification], name: str, value: bool | None
    ) -> QuerySet[Notification]:
        if value is None:
            return queryset
        return queryset.filter(read_at__isnull=value)


@extend_schema_view(
    **read_schemas(
        NotificationSerializer,
        list_summary=gettext_lazy("Your inbox"),
        one_summary=gettext_lazy("One notification"),
        csv=False,
        list_description=gettext_lazy(
            "Your own notifications, newest first: what needs you, and where."
        ),
    ),
    read=extend_schema(
        summary=gettext_lazy("Mark a notification read"),
        request=None,
        responses={200: NotificationSerializer, **error_responses(400, 403, 404)},
    ),
    read_all=extend_schema(
        summary=gettext_lazy("Mark all your notifications read"),
        request=None,
        responses={200: MarkedSerializer, **error_responses(400, 403)},
    ),
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    # The inbox reads the primary: a notification just marked read must show as read.
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_choices = {"-id": ("-pk",), "id": ("pk",)}
    default_ordering = "-id"
    queryset = Notification.objects.none()

    def get_queryset(self) -> QuerySet[Notification]:
        return access.own_notifications(self.request.user).select_related("actor", "activity")

    def get_object(self) -> Notification:
        found = self.get_queryset().filter(pk=_pk(self, _("No such notification."))).first()
        if found is None:
            raise exceptions.NotFound(_("No such notification."))
        return found

    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = self.get_object()
        services.mark_read(self.get_queryset().filter(pk=notification.pk))
        return Response(NotificationSerializer(self.get_object()).data)

    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": services.mark_read(self.get_queryset())})
