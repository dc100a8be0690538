"""The activity endpoint's filters: the activity list's, plus a change since a date that counts
new ledger entries as changes (finance.activity_api)."""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from activities.filters import ActivityFilter, SinceFilter
from activities.models import Activity

from .models import FinancialEntry


class ApiActivityFilter(ActivityFilter):
    """The list's filters for the REST API, plus `updated_since` for incremental sync.

    Sorting is the API's cursor pagination's (ssc_portal.api.CursorPage): the list's `ordering`
    (by title, status, year) cannot be paged with a stable cursor, so it is not offered here.
    """

    ordering = None  # type: ignore[assignment]
    # The list page's money filters (finance.list_filters) are not API parameters: the API's
    # activity carries its money, and its parameters are the documented ones below.
    extended = False
    # updated_since: at most this many new ledger entries are looked up first (see below).
    INLINE_MONEY_IDS = 2000
    # Descriptions of the query parameters in the OpenAPI schema (the page shows labels only).
    help_texts = {
        "q": _("Text in the title or summary, or an exact SSC ID."),
        "division": _("Lead division code, e.g. LAC."),
        "country": _("ISO 3166-1 alpha-2 code of a country taking part, e.g. BR."),
        "role": _("With country: the role that country plays; alone: any country in it."),
        "provider": _("ISO 3166-1 alpha-2 code of a country providing (or exchanging both ways)."),
        "receiver": _("ISO 3166-1 alpha-2 code of a country receiving (or exchanging both ways)."),
        "theme": _("Theme code (see /api/v1/themes/)."),
        "agreement": _(
            "confirmed (by every side), waiting (for a side), disputed (by a side) or none (no "
            "side to confirm)."
        ),
        "reporting_year": _("Approval year, else the year it started or was to start."),
        "partner": _("Id of a partner organization taking part (see /api/v1/partners/)."),
        "partner_name": _("Text in a taking-part partner's name or acronym."),
        "mine": _(
            "true: only what you may edit (CPMs) or your organization takes part in (partners)."
        ),
    }
    updated_since = SinceFilter(
        label=_("Changed since"),
        method="filter_updated_since",
        help_text=_(
            "ISO 8601 date-time (e.g. 2025-01-31T00:00:00Z): activities whose record changed, "
            "or whose ledger got an entry, at or after it."
        ),
    )

    @classmethod
    def get_filters(cls) -> dict[str, django_filters.Filter]:
        filters = super().get_filters()
        for name, text in cls.help_texts.items():
            # A copy: the filter objects are shared with ActivityFilter, which the page uses.
            described = copy.deepcopy(filters[name])
            described.extra["help_text"] = text
            filters[name] = described
        return filters

    def filter_updated_since(
        self, queryset: QuerySet[Activity], name: str, value: Any
    ) -> QuerySet[Activity]:
        if not value:
            return queryset
        # The API's activity carries its money totals: a new entry counts as a change. The
        # ledger's services move the activity's updated_at with its money; the entries are also
        # looked up for those written in bulk without them (generate_synthetic's).
        new_money = FinancialEntry.objects.filter(created_at__gte=value)
        # `updated_at >= x OR id IN (subquery)` defeats PostgreSQL's indexes: it walks every
        # activity, and when the subquery is too big to hash it rescans it per activity. An
        # incremental sync sees few new entries: their activities go in as a list, and the two
        # index scans are OR-ed. A first sync from long ago sees many: then a correlated EXISTS
        # per activity, which stops once the page is full.
        # Unordered: the entries' default ordering (value date) would sort every new entry before
        # the LIMIT; any 2,001 of them tell "few" from "many".
        ids = list(
            new_money.order_by().values_list("activity_id", flat=True)[: self.INLINE_MONEY_IDS + 1]
        )
        if len(ids) <= self.INLINE_MONEY_IDS:
            return queryset.filter(Q(updated_at__gte=value) | Q(pk__in=set(ids)))
        return queryset.filter(
            Q(updated_at__gte=value) | Exists(new_money.filter(activity_id=OuterRef("pk")))
        )
