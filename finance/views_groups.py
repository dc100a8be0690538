"""The focal point's pages for contributor groups (finance.contributor_groups): the groups'
money not yet split, and the split of one group's lines on one activity, confirmed first."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import User
from activities.access import get_activity_for_user
from activities.forms import partner_options
from activities.history import Through
from activities.models import Activity, Partner

from . import contributor_groups, services
from .access import get_contributor_group_for_user, require_group_keeper
from .errors import FinanceError, LedgerConflict
from .forms import GroupSplitForm
from .models import ContributorGroup, FinancialEntry


@never_cache
@login_required
@require_http_methods(["GET"])
def group_list(request: HttpRequest) -> HttpResponse:
    """Each group's money on each activity, until it is split: the largest first."""
    require_group_keeper(request.user)
    search = request.GET.get("q", "").strip()[:100]
    lines = FinancialEntry.objects.filter(contributor_group__isnull=False)
    if search:
        lines = lines.filter(
            Q(contributor_group__label__icontains=search)
            | Q(activity__ssc_id__icontains=search)
            | Q(activity__title__icontains=search)
        )
    rows = (
        lines.values("contributor_group_id", "activity_id", "activity__ssc_id", "activity__title")
        .annotate(usd=Sum("amount_usd"))
        .exclude(usd=0)
        .order_by("-usd", "activity__ssc_id", "contributor_group_id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    groups = ContributorGroup.objects.prefetch_related("members").in_bulk(
        [row["contributor_group_id"] for row in page]
    )
    for row in page:
        row["group"] = groups[row["contributor_group_id"]]  # type: ignore[misc]
    return render(
        request,
        "finance/groups.html",
        {"page": page, "search": search, "total": rows.aggregate(total=Sum("usd"))["total"]},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def group_split(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    """The group's lines on the activity, and the amounts each partner takes of them. A valid
    POST shows what will be recorded; the confirmed POST records it."""
    user: User = request.user  # type: ignore[assignment]
    group = get_contributor_group_for_user(user, pk, write=True)
    activity = get_activity_for_user(user, activity_pk, write=True)
    lines = contributor_groups.group_lines(activity, group)
    form = GroupSplitForm(
        request.POST or None,
        lines=[(line.entry.pk, line.label) for line in lines],
        members=[member.pk for member in group.members.all()],
        partner_choices=partner_options(),
        initial={"version": services.ledger_version(activity)},
    )
    context: dict[str, Any] = {"group": group, "activity": activity, "lines": lines, "form": form}
    if request.method != "POST":
        return render(request, "finance/group_split.html", context)
    if not form.is_valid():
        return render(request, "finance/group_split.html", context, status=400)
    partners = Partner.objects.in_bulk(
        {partner for parts in form.shares().values() for partner in parts}
    )
    shares = {
        pk: {partners[partner]: amount for partner, amount in parts.items()}
        for pk, parts in form.shares().items()
    }
    if "edit" in request.POST:  # back from the confirmation, with what was typed
        return render(request, "finance/group_split.html", context)
    if not form.cleaned_data["confirm"]:
        return _checked(request, context, activity, group, shares)
    try:
        contributor_groups.split_group_money(
            activity=activity,
            group=group,
            shares=shares,
            user=user,
            expected_version=form.cleaned_data["version"],
            through=Through.FORM,
        )
    except FinanceError as error:
        _refusal(form, lines, error)
        status = 409 if isinstance(error, LedgerConflict) else 400
        return render(request, "finance/group_split.html", context, status=status)
    messages.success(
        request,
        _("The money of %(group)s was split: each part is a line of its partner.")
        % {"group": group.label},
    )
    return redirect("finance:activity", pk=activity.pk)


def _checked(
    request: HttpRequest,
    context: dict[str, Any],
    activity: Activity,
    group: ContributorGroup,
    shares: contributor_groups.Shares,
) -> HttpResponse:
    """The confirmation step: the split as it will be recorded, or why it cannot be."""
    try:
        with_errors = contributor_groups.check_split(activity=activity, group=group, shares=shares)
    except FinanceError as error:
        _refusal(context["form"], context["lines"], error)
        return render(request, "finance/group_split.html", context, status=400)
    return render(request, "finance/group_split_confirm.html", {**context, "parts": with_errors})


def _refusal(
    form: GroupSplitForm, lines: list[contributor_groups.GroupLine], error: FinanceError
) -> None:
    """The service's messages on the form, each line's named by its kind, stage and currency."""
    names = {f"line_{line.entry.pk}": line.label for line in lines}
    for name, problems in error.errors.items():
        for problem in problems:
            prefix = names.get(name)
            form.add_error(None, f"{prefix}: {problem}" if prefix else problem)
