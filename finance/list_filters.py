"""The activity list's money filters (settings.ACTIVITY_EXTENSIONS["list_filters"]): the
activities with money, in a span of fiscal years, as the dashboard counts them.

They read the roll-ups the dashboard reads (ActivityMoney over all years, ActivityYearTotal for
a span), scoped to the money the caller reads (finance.access.rollup_scope), so that a chart
element's link (finance.dashboard.links) lists exactly the activities that element counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from activities.filters import (
    IntegerFilter,
    ListFilterExtension,
    YesNoFilter,
    ignore_in_filter_method,
)
from activities.models import Activity

from .access import rollup_scope
from .models import ActivityMoney, ActivityYearTotal

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MONEY_FILTERS = ("money_from", "money_to", "with_money")


def _year_filter(label: StrOrPromise) -> IntegerFilter:
    return IntegerFilter(
        label=label, method=ignore_in_filter_method, min_value=1978, max_value=2100
    )


def money_activities(
    queryset: QuerySet[Activity], data: dict[str, Any], request: HttpRequest | None
) -> QuerySet[Activity]:
    """The activities with money (any kind, any stage) in the caller's roll-ups, in the fiscal
    years asked for; a span implies "with money". An unclean value is not in `data`."""
    first, last = data.get("money_from"), data.get("money_to")
    if not data.get("with_money") and first is None and last is None:
        return queryset
    user = getattr(request, "user", None)
    scope = rollup_scope(user) if user is not None else None
    if scope is None:
        return queryset.none()
    if first is None and last is None:
        money = ActivityMoney.objects.filter(scope)
        return queryset.filter(pk__in=money.values("activity_id").order_by())
    years = ActivityYearTotal.objects.filter(scope)
    if first is not None:
        years = years.filter(year__gte=first)
    if last is not None:
        years = years.filter(year__lte=last)
    return queryset.filter(pk__in=years.values("activity_id").order_by())


MONEY_LIST_FILTERS = ListFilterExtension(
    filters={
        "money_from": _year_filter(_("Money from fiscal year")),
        "money_to": _year_filter(_("Money to fiscal year")),
        "with_money": YesNoFilter(
            label=_("Only activities with money"), method=ignore_in_filter_method
        ),
    },
    apply=money_activities,
)
