"""An activity's results page and the pages that build its framework: results, indicators,
reporting periods with their (disaggregated) targets, expected benefits, the scaling-up pathway
and related activities.

Everyone who reads the activity reads its results page (readers outside the activity's reporters
see approved updates only); who changes the activity builds the framework
(ActivityResultsAccess.require_framework). Every write goes through results.services, whose
refusals land on the field they name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from activities.history import Through
from activities.models import Activity

from .. import access, progress, services
from ..forms.framework import (
    IndicatorForm,
    PathwayForm,
    PeriodForm,
    RelationForm,
    ResultForm,
    benefit_formsets,
)
from ..history import results_history_entries
from ..models import (
    ActivityRelation,
    BenefitStream,
    Dimension,
    Indicator,
    Period,
    RelationType,
    Result,
    ResultType,
    ScalingPathway,
    Side,
    TargetDisaggregation,
    Update,
)

if TYPE_CHECKING:
    from accounts.models import User

# As the activity's own history page.
HISTORY_PAGE_SIZE = 20
# How a relation reads from the other activity's page.
INVERSE_LABELS = {
    RelationType.FOLLOW_UP_OF: gettext_lazy("Followed up by"),
    RelationType.RECIPROCITY_FOR: gettext_lazy("Reciprocated by (the host now a guest)"),
    RelationType.SCALING_UP_OF: gettext_lazy("Scaled up by"),
    RelationType.PART_OF: gettext_lazy("Programme that includes"),
}
# The framework reads from the top: what the activity contributes to, then what it changes,
# then what it delivers.
TYPE_ORDER = (ResultType.IMPACT, ResultType.OUTCOME, ResultType.OUTPUT)
TYPE_HEADINGS = {
    ResultType.IMPACT: gettext_lazy("Impacts"),
    ResultType.OUTCOME: gettext_lazy("Outcomes"),
    ResultType.OUTPUT: gettext_lazy("Outputs"),
}


def results_url(activity_id: int, anchor: str = "") -> str:
    url = reverse("results:activity", args=[activity_id])
    return f"{url}#{anchor}" if anchor else url


def add_results_errors(
    form: forms.BaseForm, error: services.ResultsError, aliases: Mapping[str, str | None] = {}
) -> None:
    """Put each refusal on the field it names (or above the form when no field shows it)."""
    for name, found in error.errors.items():
        target = aliases.get(name, name)
        for message in found:
            form.add_error(target if target in form.fields else None, message)


# --- the results page ---------------------------------------------------------------------------


@dataclass
class PartRow:
    label: str
    target: Any
    actual: Any


@dataclass
class PeriodRow:
    period: Period
    actual: progress.Actual
    percent: int | None
    parts: list[PartRow]
    updates: list[Update] = field(default_factory=list)


@dataclass
class IndicatorRow:
    indicator: Indicator
    dimensions: list[Dimension]
    periods: list[PeriodRow]


def _framework(activity: Activity, user: User) -> list[dict[str, Any]]:
    """The results grouped by type, each indicator with its periods' targets, actuals (as
    results.progress defines them), disaggregation and visible updates; a fixed number of
    queries whatever the framework's size."""
    periods_query = Period.objects.prefetch_related(
        Prefetch("target_parts", queryset=TargetDisaggregation.objects.all())
    )
    indicators_query = Indicator.objects.select_related("core").prefetch_related(
        Prefetch("dimensions", queryset=Dimension.objects.prefetch_related("values")),
        Prefetch("periods", queryset=periods_query),
    )
    results = list(
        activity.results.prefetch_related(Prefetch("indicators", queryset=indicators_query))
    )
    periods = [p for r in results for i in r.indicators.all() for p in i.periods.all()]
    actual_by_period = progress.actuals(periods)
    updates_by_period: dict[int, list[Update]] = {}
    visible_updates = (
        Update.objects.visible_to(user)
        .filter(period_id__in=[p.pk for p in periods])
        .select_related("created_by", "reviewed_by")
        .order_by("period_id", "created_at", "pk")
    )
    for update in visible_updates if periods else []:
        updates_by_period.setdefault(update.period_id, []).append(update)
    groups = []
    for result_type in TYPE_ORDER:
        rows = [
            {"result": r, "indicators": [_indicator_row(i, actual_by_period, updates_by_period)
                                          for i in r.indicators.all()]}
            for r in results
            if r.type == result_type
        ]  # fmt: skip
        if rows:
            groups.append({"heading": TYPE_HEADINGS[result_type], "results": rows})
    return groups


def _indicator_row(
    indicator: Indicator,
    actuals: dict[int, progress.Actual],
    updates: dict[int, list[Update]],
) -> IndicatorRow:
    dimensions = list(indicator.dimensions.all())
    rows = []
    for period in indicator.periods.all():
        period.indicator = indicator  # progress reads the indicator's direction and baseline
        actual = actuals[period.pk]
        targets = {p.dimension_value_id: p.value for p in period.target_parts.all()}
        parts = [
            PartRow(f"{d.name}: {v.value}", targets.get(v.pk), actual.parts.get(v.pk))
            for d in dimensions
            for v in d.values.all()
        ]
        rows.append(
            PeriodRow(
                period,
                actual,
                progress.progress_percent(period, actual),
                parts,
                updates.get(period.pk, []),
            )
        )
    return IndicatorRow(indicator, dimensions, rows)


def _relations(activity: Activity, user: User) -> list[dict[str, Any]]:
    """Links recorded on this activity and those recorded on others towards it, among the
    activities the user reads."""
    readable = Activity.objects.visible_to(user)
    rows: list[dict[str, Any]] = [
        {"label": r.get_type_display(), "other": r.related, "relation": r, "own": True}
        for r in activity.relations.filter(related__in=readable).select_related("related")
    ]
    rows += [
        {"label": INVERSE_LABELS[RelationType(r.type)], "other": r.activity, "relation": r}
        for r in ActivityRelation.objects.filter(related=activity, activity__in=readable)
        .select_related("activity")
        .order_by("type", "activity__ssc_id")
    ]
    return rows


@login_required
def activity_results(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    activity, rights = access.get_activity_for_results(user, pk)
    benefits = list(activity.benefits.all())
    start, end = services.activity_dates(activity)
    context = {
        "activity": activity,
        "rights": rights,
        "groups": _framework(activity, user),
        "benefits": [
            {"side": label, "items": [b for b in benefits if b.side == side]}
            for side, label in Side.choices
            if any(b.side == side for b in benefits)
        ],
        "pathway": ScalingPathway.objects.filter(activity=activity)
        .select_related("champion")
        .first(),
        "relations": _relations(activity, user),
        "has_dates": bool(start and end),
    }
    return render(request, "results/activity_results.html", context)


@login_required
@require_GET
def results_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The changes of the activity's results framework, expected benefits, scaling-up pathway and
    related activities: read by who reads its results page, updates and relations as that page
    shows them (approved updates to non-reporters, relations to activities the reader reads)."""
    user: User = request.user  # type: ignore[assignment]
    activity, rights = access.get_activity_for_results(user, pk)
    entries = results_history_entries(
        activity, all_updates=rights.reports, readable=Activity.objects.visible_to(user)
    )
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "results/history.html",
        {"activity": activity, "page_obj": page, "entries": page.object_list},
    )


# --- results --------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, failed: bool
) -> HttpResponse:
    return render(request, template, context, status=400 if failed else 200)


def _result_page(request: HttpRequest, activity: Activity, result: Result | None) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    instance = result or Result(activity=activity)
    form = ResultForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_result(result=form.instance, user=user, through=Through.FORM)
        except services.ResultsError as error:
            add_results_errors(form, error)
        else:
            messages.success(request, _("The result was saved."))
            return redirect(results_url(activity.pk, f"result-{saved.pk}"))
    return _form_page(
        request,
        "results/activity_result_form.html",
        {"form": form, "activity": activity, "result": result},
        failed=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_create(request: HttpRequest, pk: int) -> HttpResponse:
    activity, rights = access.get_activity_for_results(request.user, pk)
    rights.require_framework()
    return _result_page(request, activity, None)


@login_required
@require_http_methods(["GET", "POST"])
def result_edit(request: HttpRequest, pk: int) -> HttpResponse:
    result, rights = access.get_result_for_user(request.user, pk)
    rights.require_framework()
    return _result_page(request, result.activity, result)


def _confirm_delete(
    request: HttpRequest,
    *,
    activity: Activity,
    title: str,
    label: str,
    consequences: list[str],
    cancel: str,
    error: services.ResultsError | None = None,
) -> HttpResponse:
    return render(
        request,
        "results/activity_confirm_delete.html",
        {
            "activity": activity,
            "title": title,
            "object_label": label,
            "consequences": consequences,
            "cancel_url": cancel,
            "problems": [m for ms in error.errors.values() for m in ms] if error else [],
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_delete(request: HttpRequest, pk: int) -> HttpResponse:
    result, rights = access.get_result_for_user(request.user, pk)
    rights.require_framework()
    activity = result.activity
    error = None
    if request.method == "POST":
        try:
            services.delete_result(result=result, through=Through.FORM)
        except services.ResultsError as refused:
            error = refused
        else:
            messages.success(request, _("“%(title)s” was deleted.") % {"title": result.title})
            return redirect(results_url(activity.pk))
    return _confirm_delete(
        request,
        activity=activity,
        title=_("Delete this result?"),
        label=result.title,
        consequences=[
            _(
                "Its %(count)d indicator(s), their periods, targets and updates not yet "
                "approved are deleted for good."
            )
            % {"count": result.indicators.count()},
            _("A result with approved values cannot be deleted: they stay on record."),
        ],
        cancel=results_url(activity.pk, f"result-{result.pk}"),
        error=error,
    )


# --- indicators -----------------------------------------------------------------------------------


def _indicator_page(
    request: HttpRequest, result: Result, indicator: Indicator | None
) -> HttpResponse:
    instance = indicator or Indicator(result=result)
    form = IndicatorForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_indicator(
                indicator=form.indicator(),
                dimensions=form.cleaned_data["dimensions"],
                through=Through.FORM,
            )
        except services.ResultsError as error:
            add_results_errors(form, error)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect(results_url(result.activity_id, f"indicator-{saved.pk}"))
    return _form_page(
        request,
        "results/activity_indicator_form.html",
        {
            "form": form,
            "activity": result.activity,
            "result": result,
            "indicator": indicator,
            "cores": list(form.fields["core"].queryset),  # type: ignore[attr-defined]
        },
        failed=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    result, rights = access.get_result_for_user(request.user, pk)
    rights.require_framework()
    return _indicator_page(request, result, None)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator, rights = access.get_indicator_for_user(request.user, pk)
    rights.require_framework()
    return _indicator_page(request, indicator.result, indicator)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    indicator, rights = access.get_indicator_for_user(request.user, pk)
    rights.require_framework()
    activity = indicator.result.activity
    error = None
    if request.method == "POST":
        try:
            services.delete_indicator(indicator=indicator, through=Through.FORM)
        except services.ResultsError as refused:
            error = refused
        else:
            messages.success(request, _("“%(title)s” was deleted.") % {"title": indicator.title})
            return redirect(results_url(activity.pk, f"result-{indicator.result_id}"))
    return _confirm_delete(
        request,
        activity=activity,
        title=_("Delete this indicator?"),
        label=indicator.title,
        consequences=[
            _("Its %(count)d reporting period(s), their targets and draft updates are deleted.")
            % {"count": indicator.periods.count()},
            _("An indicator with approved values cannot be deleted: they stay on record."),
        ],
        cancel=results_url(activity.pk, f"indicator-{indicator.pk}"),
        error=error,
    )


# --- periods --------------------------------------------------------------------------------------


def _period_page(request: HttpRequest, indicator: Indicator, period: Period | None) -> HttpResponse:
    instance = period or Period(indicator=indicator)
    form = PeriodForm(
        request.POST if request.method == "POST" else None, instance=instance, indicator=indicator
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_period(
                period=form.instance, target_parts=form.target_parts(), through=Through.FORM
            )
        except services.ResultsError as error:
            first_part = next((n for _d, names in form.groups for n in names), None)
            add_results_errors(form, error, {"target_parts": first_part})
        else:
            messages.success(request, _("The reporting period was saved."))
            return redirect(results_url(indicator.result.activity_id, f"indicator-{indicator.pk}"))
    start, end = services.activity_dates(indicator.result.activity)
    return _form_page(
        request,
        "results/activity_period_form.html",
        {
            "form": form,
            "activity": indicator.result.activity,
            "indicator": indicator,
            "period": period,
            "activity_start": start,
            "activity_end": end,
        },
        failed=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def period_create(request: HttpRequest, pk: int) -> HttpResponse:
    indicator, rights = access.get_indicator_for_user(request.user, pk)
    rights.require_framework()
    return _period_page(request, indicator, None)


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request: HttpRequest, pk: int) -> HttpResponse:
    period, rights = access.get_period_for_user(request.user, pk)
    rights.require_framework()
    return _period_page(request, period.indicator, period)


@login_required
@require_POST
def annual_periods(request: HttpRequest, pk: int) -> HttpResponse:
    indicator, rights = access.get_indicator_for_user(request.user, pk)
    rights.require_framework()
    try:
        created = services.annual_periods(indicator, through=Through.FORM)
    except services.ResultsError as error:
        for found in error.errors.values():
            for message in found:
                messages.error(request, message)
    else:
        if created:
            messages.success(
                request,
                _("%(count)d annual period(s) added: give each its target.")
                % {"count": len(created)},
            )
        else:
            messages.info(request, _("Every year of the activity already has its period."))
    return redirect(results_url(indicator.result.activity_id, f"indicator-{indicator.pk}"))


@login_required
@require_http_methods(["GET", "POST"])
def period_delete(request: HttpRequest, pk: int) -> HttpResponse:
    period, rights = access.get_period_for_user(request.user, pk)
    rights.require_framework()
    indicator = period.indicator
    activity = indicator.result.activity
    error = None
    if request.method == "POST":
        try:
            services.delete_period(period=period, through=Through.FORM)
        except services.ResultsError as refused:
            error = refused
        else:
            messages.success(request, _("The reporting period %(period)s was deleted.") % {
                "period": period})  # fmt: skip
            return redirect(results_url(activity.pk, f"indicator-{indicator.pk}"))
    return _confirm_delete(
        request,
        activity=activity,
        title=_("Delete this reporting period?"),
        label=f"{indicator.title}: {period}",
        consequences=[
            _("The period and its targets are deleted for good."),
            _("A period with updates cannot be deleted."),
        ],
        cancel=results_url(activity.pk, f"indicator-{indicator.pk}"),
        error=error,
    )


# --- benefits, scaling up, related activities -----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def benefits_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity, rights = access.get_activity_for_results(request.user, pk)
    rights.require_framework()
    data = request.POST if request.method == "POST" else None
    formsets = benefit_formsets(data, list(activity.benefits.all()))
    if data is not None and all(fs.is_valid() for _s, _l, fs in formsets):
        rows: list[tuple[forms.Form, BenefitStream]] = [
            (form, BenefitStream(side=side, description=form.cleaned_data["description"].strip()))
            for side, _label, formset in formsets
            for form in formset.forms
            if form.cleaned_data.get("description", "").strip()
        ]
        try:
            services.save_benefits(
                activity=activity, benefits=[b for _f, b in rows], through=Through.FORM
            )
        except services.ResultsError as error:
            for name, found in error.errors.items():
                index = int(name.split(".")[1]) if name.startswith("benefits.") else None
                form = rows[index][0] if index is not None else formsets[0][2].forms[0]
                for message in found:
                    form.add_error("description", message)
        else:
            messages.success(request, _("The expected benefits were saved."))
            return redirect(results_url(activity.pk, "benefits"))
    return _form_page(
        request,
        "results/activity_benefits_form.html",
        {"activity": activity, "formsets": formsets},
        failed=data is not None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pathway_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    activity, rights = access.get_activity_for_results(user, pk)
    rights.require_framework()
    instance = ScalingPathway.objects.filter(activity=activity).first() or ScalingPathway(
        activity=activity
    )
    form = PathwayForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_pathway(pathway=form.instance, user=user, through=Through.FORM)
        except services.ResultsError as error:
            add_results_errors(form, error)
        else:
            messages.success(request, _("The scaling-up pathway was saved."))
            return redirect(results_url(activity.pk, "scaling-up"))
    return _form_page(
        request,
        "results/activity_pathway_form.html",
        {"form": form, "activity": activity},
        failed=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def relation_create(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    activity, rights = access.get_activity_for_results(user, pk)
    rights.require_framework()
    form = RelationForm(
        request.POST if request.method == "POST" else None,
        instance=ActivityRelation(activity=activity),
        user=user,
        activity=activity,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_relation(relation=form.relation(activity), through=Through.FORM)
        except services.ResultsError as error:
            add_results_errors(form, error, {"related": "related_ssc_id"})
        else:
            messages.success(request, _("The related activity was added."))
            return redirect(results_url(activity.pk, "related"))
    return _form_page(
        request,
        "results/activity_relation_form.html",
        {"form": form, "activity": activity},
        failed=request.method == "POST",
    )


@login_required
@require_http_methods(["GET", "POST"])
def relation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    relation, rights = access.get_relation_for_user(request.user, pk)
    rights.require_framework()
    activity = relation.activity
    if request.method == "POST":
        services.delete_relation(relation=relation, through=Through.FORM)
        messages.success(request, _("The link to %(id)s was removed.") % {
            "id": relation.related.ssc_id})  # fmt: skip
        return redirect(results_url(activity.pk, "related"))
    return _confirm_delete(
        request,
        activity=activity,
        title=_("Remove this related activity?"),
        label=f"{relation.get_type_display()} {relation.related.ssc_id} {relation.related.title}",
        consequences=[_("Only the link is removed: both activities stay as they are.")],
        cancel=results_url(activity.pk, "related"),
    )
