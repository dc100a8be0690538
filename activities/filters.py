"""Filters for the activity list, shared by the pages and the REST API.

Nothing here knows about HTML: the page renders the form's fields itself, the API reads the same
parameters from the query string. An invalid parameter leaves the form invalid; the page shows
its message and ignores that parameter, the API answers 400 (django-filter's DRF backend).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

import django_filters
import django_filters.conf
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import (
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from .access import cpm_patch, visible_partners
from .extensions import extensions
from .forms import LongSelect
from .models import (
    Activity,
    ActivityCountry,
    ActivityPartner,
    ActivityType,
    Agreement,
    Country,
    CountryRole,
    Division,
    FundingNature,
    Modality,
    Partner,
    PartnerType,
    Status,
    Theme,
    Visibility,
    lacking_status_facts,
    status_rank,
)
from .reference_names import country_display_name

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_stubs_ext import WithAnnotations


NEEDS_TYPE, NEEDS_STATUS_FACTS = "type", "status_facts"
NEEDS_CHOICES = [
    (NEEDS_TYPE, _("An activity type")),
    (NEEDS_STATUS_FACTS, _("The dates or results its status needs")),
]


class SinceField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time that PostgreSQL can compare: a UTC offset within +/-14:00 (the
    widest any time zone uses) and a year from 1900 on. Anything else is a 400 naming the
    parameter, never a database error."""

    # The same limits as a pattern, for the API schema: a year from 1900, an offset of at most
    # 14 hours (or Z), and the seconds that date-time (RFC 3339) requires.
    pattern = (
        r"^(?:19|[2-9]\d)\d{2}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?"
        r"(?:Z|[+-](?:0\d|1[0-3]):[0-5]\d|[+-]14:00)$"
    )
    default_error_messages = {
        "out_of_range": _(
            "Enter a date-time from the year 1900 on, with a UTC offset between -14:00 and +14:00."
        ),
    }

    def to_python(self, value: Any) -> Any:
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if moment.year < 1900 or (offset is not None and abs(offset) > timedelta(hours=14)):
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return moment


class SinceFilter(django_filters.IsoDateTimeFilter):
    field_class = SinceField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (a year, an id): 2024.5 is an error, not 2024 (NumberFilter reads
    decimals)."""

    field_class = forms.IntegerField


class YesNoField(forms.NullBooleanField):
    """true or false (1 or 0 from older links); anything else is an error rather than "any",
    which the NullBooleanField that BooleanFilter uses would make of a typo."""

    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # as NullBooleanField's stub
        if value in (None, ""):
            return None
        text = str(value).lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError(_("Enter true or false."), code="invalid")


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class CountryChoiceIterator(ModelChoiceIterator):
    """The countries' options as plain rows (value, iso2, stored name), named as
    Country.display_name names them: the list page has three selects of every country, and a
    model instance per option (with its aliases and pattern) was most of their cost."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        key = self.field.to_field_name or "pk"
        rows = self.queryset.values_list(key, "iso2", "name")
        shared: dict[str, Any] | None = getattr(self.field, "shared_rows", None)
        if shared is not None:
            # The same query for every select of the form: read once.
            sql = str(rows.query)
            if sql not in shared:
                shared[sql] = list(rows)
            rows = shared[sql]
        for value, iso2, name in rows:
            yield (value, country_display_name(iso2, name))


class CountryChoiceField(django_filters.fields.ModelChoiceField):
    iterator = CountryChoiceIterator
    # The options' rows by query, shared by the country selects of one form (ActivityFilter
    # gives them one dict per request); None: each select reads its own.
    shared_rows: dict[str, list[tuple[Any, str, str]]] | None = None


class CountryChoiceFilter(django_filters.ModelChoiceFilter):
    """A country by its ISO code, among every country (in a LongSelect)."""

    field_class = CountryChoiceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Country.objects.all())
        kwargs.setdefault("to_field_name", "iso2")
        kwargs.setdefault("empty_label", _("Any country"))
        kwargs.setdefault("widget", LongSelect)
        super().__init__(*args, **kwargs)


class ReportingYear(TypedDict):
    """The annotation added by with_reporting_year: NULL when no year or date is known."""

    reporting_year: int | None


def with_reporting_year(
    queryset: QuerySet[Activity],
) -> QuerySet[WithAnnotations[Activity, ReportingYear]]:
    """Annotate `reporting_year` the way Activity.year computes it, so the database can sort and
    filter on it: approval year, else the year the activity (was to) start."""
    return queryset.annotate(
        reporting_year=Coalesce(
            "approval_year",
            ExtractYear(Coalesce("actual_start", "planned_start")),
            output_field=IntegerField(),
        )
    )


def reporting_years(queryset: QuerySet[Activity]) -> list[int]:
    """The span of years in `queryset`, newest first, for the Year select.

    The first and last year in one aggregate (an index-friendly MIN/MAX) rather than a DISTINCT
    over every row: a year inside the span with no activity just lists nothing."""
    span = with_reporting_year(queryset.order_by()).aggregate(
        first=Min("reporting_year"), last=Max("reporting_year")
    )
    if span["first"] is None:
        return []
    return list(range(span["last"], span["first"] - 1, -1))


class ActivityOrderingFilter(django_filters.OrderingFilter):
    """Ordering by the public names ssc_id, title, status, year, updated (prefix - for
    descending). Year and status need an annotation; the primary key breaks ties so that
    pagination is stable."""

    def filter(self, qs: QuerySet[Activity], value: Any) -> QuerySet[Activity]:
        if not value:
            return qs
        names = [v.lstrip("-") for v in value]
        if "year" in names:
            qs = with_reporting_year(qs)
        if "status" in names:
            qs = qs.annotate(status_rank=status_rank())
        ordering = [self.get_ordering_value(v) for v in value]
        return qs.order_by(*ordering, "-pk")


class CallerChoiceIterator(django_filters.fields.ModelChoiceIterator):
    """ModelChoiceIterator reading its field's queryset when iterated, not when made (the
    field makes one as soon as it is built)."""

    def __init__(self, field: Any) -> None:
        self.field = field

    @property
    def queryset(self) -> Any:  # type: ignore[override]  # read-only here
        return self.field.queryset


class CallerChoiceField(django_filters.fields.ModelChoiceField):
    """A model choice among a queryset built when first needed (to clean a value or to list
    the options), by `queryset_for`: most requests leave the parameter out, and a partner
    user's visible organizations cost as much to build as the rest of the filter set."""

    iterator = CallerChoiceIterator
    _queryset: QuerySet[Any] | None

    def __init__(self, *args: Any, queryset_for: Callable[[], QuerySet[Any]], **kwargs: Any):
        self.queryset_for = queryset_for
        super().__init__(*args, queryset=None, **kwargs)

    @property  # type: ignore[override]  # ModelChoiceField's, built on first use
    def queryset(self) -> QuerySet[Any]:
        if self._queryset is None:
            self._queryset = self.queryset_for().all()
        return self._queryset

    @queryset.setter
    def queryset(self, queryset: QuerySet[Any] | None) -> None:
        # As ModelChoiceField's.
        self._queryset = None if queryset is None else queryset.all()
        self.widget.choices = self.choices

    def __deepcopy__(self, memo: dict[int, Any]) -> CallerChoiceField:
        # As ModelChoiceField's, without building the queryset: the copy gets its own
        # iterator (and the queryset, if built already).
        result: CallerChoiceField = forms.Field.__deepcopy__(self, memo)
        result.widget.choices = result.choices
        if self._queryset is not None:
            result._queryset = self._queryset.all()
        return result


class CallerChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice among the records the caller may see: its form field is built for each
    request, never kept. django-filter keeps a filter's field once built, and a field built
    outside a request (the OpenAPI schema reads the filters' fields) would hold no choice at
    all: every later request, copied from it, would refuse every id. The choices' queryset is
    built only if the request uses it (CallerChoiceField)."""

    field_class = CallerChoiceField

    @property
    def field(self) -> Any:
        request = self.get_request()
        # As Filter.field, with the queryset's maker in place of the queryset.
        kwargs = {key: value for key, value in self.extra.items() if key != "queryset"}
        if django_filters.conf.settings.DISABLE_HELP_TEXT:
            kwargs.pop("help_text", None)
        self._field = self.field_class(
            label=self.label, queryset_for=lambda: self.get_queryset(request), **kwargs
        )
        return self._field


def _visible_partners(request: HttpRequest | None) -> QuerySet[Partner]:
    user = getattr(request, "user", None)
    return Partner.objects.none() if user is None else visible_partners(user)


@dataclass(frozen=True)
class ListFilterExtension:
    """Filters of the activity list that read another app's data (finance: whether an activity
    has money, and in which fiscal years). This app cannot import theirs, so
    settings.ACTIVITY_EXTENSIONS["list_filters"] names them (activities/extensions.py):
    `filters` join the list page's form (their own `method` does nothing), and `apply` narrows
    the activities once the whole form is clean, with every value at hand (a year range is one
    condition, not two)."""

    filters: dict[str, django_filters.Filter]
    apply: Callable[[QuerySet[Activity], dict[str, Any], HttpRequest | None], QuerySet[Activity]]


def list_filter_extensions() -> list[ListFilterExtension]:
    """The filters other apps add to the activity list, in the settings' order."""
    return extensions("list_filters")


def ignore_in_filter_method(queryset: QuerySet[Activity], name: str, value: Any) -> QuerySet[Any]:
    """An extension filter's `method`: the extension's `apply` does the filtering."""
    return queryset


class ActivityFilter(django_filters.FilterSet):
    # Whether the other apps' filters (list_filter_extensions) join this filter set's own.
    extended: ClassVar[bool] = True
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=200)
    division = django_filters.ModelChoiceFilter(
        label=_("Division"),
        field_name="lead_division",
        queryset=Division.objects.all(),
        to_field_name="code",
        empty_label=_("Any division"),
    )
    # 249 options: built in Python, not through one template per option (a third of the list
    # page's time otherwise), from plain rows.
    country = CountryChoiceFilter(label=_("Country"), method="filter_country")
    # One provider -> receiver pair (the dashboard's flows): a country providing (or exchanging
    # both ways) and one receiving (or both) in the same activity.
    provider = CountryChoiceFilter(label=_("Provider country"), method="filter_provider")
    receiver = CountryChoiceFilter(label=_("Receiver country"), method="filter_receiver")
    role = django_filters.ChoiceFilter(
        label=_("Country role"),
        choices=CountryRole.choices,
        method="filter_role",
        empty_label=_("Any role"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"),
        field_name="themes",
        queryset=Theme.objects.all(),
        to_field_name="code",
        empty_label=_("Any theme"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("Any status")
    )
    agreement = django_filters.ChoiceFilter(
        label=_("Confirmation"), choices=Agreement.choices, empty_label=_("Any confirmation")
    )
    reporting_year = IntegerFilter(
        label=_("Reporting year"), method="filter_reporting_year", min_value=1978, max_value=2100
    )
    modality = django_filters.ChoiceFilter(
        label=_("Modality"), choices=Modality.choices, empty_label=_("Any modality")
    )
    activity_type = django_filters.ChoiceFilter(
        label=_("Type"), choices=ActivityType.choices, empty_label=_("Any type")
    )
    funding_nature = django_filters.ChoiceFilter(
        label=_("Funding"), choices=FundingNature.choices, empty_label=_("Any funding")
    )
    visibility = django_filters.ChoiceFilter(
        label=_("Visibility"), choices=Visibility.choices, empty_label=_("Any visibility")
    )
    # Only the organizations the caller may see: one hidden from them answers as an unknown id
    # does (the same "not one of the choices"), so neither its name nor its existence shows.
    partner = CallerChoiceFilter(
        label=_("Partner organization"),
        queryset=_visible_partners,
        method="filter_partner",
    )
    partner_name = django_filters.CharFilter(
        label=_("Partner"), method="filter_partner_name", max_length=200
    )
    # Whether the sides confirmed: a column the counterparts app keeps on the activity.
    agreement = django_filters.ChoiceFilter(
        label=_("Confirmation"), choices=Agreement.choices, empty_label=_("Any confirmation")
    )
    mine = YesNoFilter(label=_("Only my activities"), method="filter_mine")
    needs = django_filters.ChoiceFilter(
        label=_("To complete"),
        choices=NEEDS_CHOICES,
        method="filter_needs",
        empty_label=_("Any record"),
    )
    ordering = ActivityOrderingFilter(
        label=_("Sort by"),
        fields=(
            ("ssc_id", "ssc_id"),
            ("title", "title"),
            ("status_rank", "status"),
            ("reporting_year", "year"),
            ("updated_at", "updated"),
        ),
        field_labels={
            "ssc_id": _("SSC ID"),
            "title": _("Title"),
            "status_rank": _("Status"),
            "reporting_year": _("Reporting year"),
            "updated_at": _("Last updated"),
        },
    )

    class Meta:
        model = Activity
        fields: list[str] = []

    # Countries and partners go through a subquery rather than a join: a join would repeat an
    # activity once per matching row and break the counts and the pagination.

    def _country_links(self) -> QuerySet[ActivityCountry]:
        links = ActivityCountry.objects.all()
        data = self.form.cleaned_data
        if data.get("country"):
            links = links.filter(country=data["country"])
        role = data.get("role")
        if role == CountryRole.BOTH:
            links = links.filter(role=CountryRole.BOTH)
        elif role:
            # A two-way exchange country provides and receives: it matches either role.
            links = links.filter(role__in=[role, CountryRole.BOTH])
        return links

    def filter_country(
        self, queryset: QuerySet[Activity], name: str, value: Country | None
    ) -> QuerySet[Activity]:
        if not value:
            return queryset
        return queryset.filter(pk__in=self._country_links().values("activity_id"))

    def filter_role(
        self, queryset: QuerySet[Activity], name: str, value: str
    ) -> QuerySet[Activity]:
        # With a country, filter_country already applied the role to that country's link.
        if not value or self.form.cleaned_data.get("country"):
            return queryset
        return queryset.filter(pk__in=self._country_links().values("activity_id"))

    def _with_country_as(
        self, queryset: QuerySet[Activity], country: Country | None, role: str
    ) -> QuerySet[Activity]:
        """The activities in which `country` plays `role` (provider or receiver) or both."""
        if not country:
            return queryset
        links = ActivityCountry.objects.filter(country=country, role__in=[role, CountryRole.BOTH])
        return queryset.filter(pk__in=links.values("activity_id"))

    def filter_provider(
        self, queryset: QuerySet[Activity], name: str, value: Country | None
    ) -> QuerySet[Activity]:
        return self._with_country_as(queryset, value, CountryRole.PROVIDER)

    def filter_receiver(
        self, queryset: QuerySet[Activity], name: str, value: Country | None
    ) -> QuerySet[Activity]:
        return self._with_country_as(queryset, value, CountryRole.RECEIVER)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each filter set gets its own copies: django-filter keeps a filter's form field once
        # built, bound to the filter set that built it.
        self.extensions = list_filter_extensions() if self.extended else []
        for extension in self.extensions:
            for name, extra in copy.deepcopy(extension.filters).items():
                extra.model, extra.parent = self.queryset.model, self
                self.filters[name] = extra

    def get_form_class(self) -> type[forms.Form]:
        form_class = super().get_form_class()
        # The country, provider and receiver selects list the same countries: one query for
        # the three, not one each. A new dict per filter set, i.e. per request.
        shared: dict[str, list[tuple[Any, str, str]]] = {}
        for field in form_class.base_fields.values():
            if isinstance(field, CountryChoiceField):
                field.shared_rows = shared
        return form_class

    @classmethod
    def parameter_names(cls) -> set[str]:
        """Every query parameter the filters read, the other apps' included."""
        names = set(cls.base_filters)
        for extension in list_filter_extensions() if cls.extended else []:
            names.update(extension.filters)
        return names

    def filter_queryset(self, queryset: QuerySet[Activity]) -> QuerySet[Activity]:
        queryset = super().filter_queryset(queryset)
        for extension in self.extensions:
            queryset = extension.apply(queryset, self.form.cleaned_data, self.request)
        return queryset

    def filter_reporting_year(
        self, queryset: QuerySet[Activity], name: str, value: Any
    ) -> QuerySet[Activity]:
        if value in (None, ""):
            return queryset
        year = int(value)
        return queryset.filter(
            Q(approval_year=year)
            | Q(approval_year__isnull=True, actual_start__year=year)
            | Q(approval_year__isnull=True, actual_start__isnull=True, planned_start__year=year)
        )

    def filter_partner(
        self, queryset: QuerySet[Activity], name: str, value: Partner | None
    ) -> QuerySet[Activity]:
        if not value:
            return queryset
        links = ActivityPartner.objects.filter(partner=value)
        return queryset.filter(pk__in=links.values("activity_id"))

    def filter_partner_name(
        self, queryset: QuerySet[Activity], name: str, value: str
    ) -> QuerySet[Activity]:
        value = (value or "").strip()
        if not value:
            return queryset
        # The matching organizations are read first and given as a list: PostgreSQL estimates a
        # `name LIKE '%word%'` at a couple of rows whatever the word, and for a common one then
        # joins every activity of those organizations before sorting them, instead of walking
        # the newest until a page is full.
        partners = list(Partner.objects.search(value).order_by().values_list("pk", flat=True))
        links = ActivityPartner.objects.filter(partner_id__in=partners)
        return queryset.filter(pk__in=links.values("activity_id"))

    def filter_q(self, queryset: QuerySet[Activity], name: str, value: str) -> QuerySet[Activity]:
        return queryset.search(value or "")  # type: ignore[attr-defined]

    def filter_needs(
        self, queryset: QuerySet[Activity], name: str, value: str
    ) -> QuerySet[Activity]:
        """Records imported incomplete: without an activity type, or with a status their
        dates and results do not show yet (Activity.missing_status_facts)."""
        if value == NEEDS_TYPE:
            return queryset.filter(activity_type="")
        if value == NEEDS_STATUS_FACTS:
            return queryset.filter(lacking_status_facts())
        return queryset

    def filter_mine(
        self, queryset: QuerySet[Activity], name: str, value: bool | None
    ) -> QuerySet[Activity]:
        """The caller's own portfolio: what a CPM or the focal point may edit, what a
        partner user's organization takes part in, or what a country counterpart's country
        takes part in."""
        if not value or self.request is None:
            return queryset
        user = self.request.user
        if getattr(user, "partner_id", None):
            links = ActivityPartner.objects.filter(partner_id=user.partner_id)
            return queryset.filter(pk__in=links.values("activity_id"))
        if getattr(user, "counterpart_country_id", None):
            countries = ActivityCountry.objects.filter(country_id=user.counterpart_country_id)
            return queryset.filter(pk__in=countries.values("activity_id"))
        if getattr(user, "is_focal_point", False):
            # The focal point may edit everything: a subquery over every row would only cost.
            return queryset
        if not getattr(user, "is_cpm", False):
            return queryset.none()  # a viewer edits nothing
        # The CPM's rule applied to the rows themselves, not through a subquery of every
        # activity (see cpm_patch on inline_ids).
        return queryset.filter(cpm_patch(user, inline_ids=True))  # type: ignore[arg-type]


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q", max_length=200)
    type = django_filters.ChoiceFilter(label=_("Type"), choices=PartnerType.choices)
    country = django_filters.ModelChoiceFilter(
        label=_("Country"), queryset=Country.objects.all(), to_field_name="iso2"
    )
    updated_since = SinceFilter(
        label=_("Changed since"), field_name="updated_at", lookup_expr="gte"
    )

    class Meta:
        model = Partner
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Partner], name: str, value: str) -> QuerySet[Partner]:
        return queryset.search(value or "")  # type: ignore[attr-defined]
