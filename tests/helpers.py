"""Helpers shared by the page tests: form payloads as a browser would post them, DB snapshots."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test import Client
from pytest_django import DjangoDbBlocker

from accounts.middleware import SEEN_AT, SIGNED_IN_AT
from accounts.models import ApiToken, User
from activities.models import (
    Activity,
    ActivityCountry,
    ActivityPartner,
    ActivityType,
    CountryRole,
    DuplicatePair,
    FundingNature,
    Modality,
    Partner,
    StatusChange,
    Visibility,
)
from activities.saved_views import SavedView
from counterparts.services import sync_sides
from finance.models import (
    ClosedPeriod,
    ContributionKind,
    ContributorGroup,
    ExchangeRate,
    FinancialEntry,
    ImportRun,
    PendingImport,
    PeriodException,
    RateCard,
    ReportExport,
    RollupRefresh,
    RollupRun,
    Stage,
    ThemeCode,
    ValuedBy,
)
from finance.services import EntryData
from standards.models import StandardsExport
from tests.counterparts.state import state_queries as counterparts_state_queries
from tests.factories import PartnerFactory, country, division, theme
from tests.knowledge.walk import state_queries as knowledge_state_queries
from tests.results.state import state_queries as results_state_queries


def sides_asked(activity: Activity) -> Activity:
    """The activity's sides asked to confirm it, as creating it through the services does
    (ActivityFactory does not): its agreement is then waiting before any money is recorded, so
    the first money recorded does not move it (which asks for the roll-ups' refresh too)."""
    sync_sides([activity.pk], user=None)
    activity.refresh_from_db()  # an edit saves the instance whole: its agreement must be current
    return activity


def activity_form_data(
    *,
    countries: Sequence[tuple[Any, str]] | None = None,
    partners: Sequence[tuple[Any, Iterable[str]]] = (),
    themes: Sequence[Any] | None = None,
    sdgs: Sequence[Any] = (),
    initial_countries: int = 0,
    initial_partners: int = 0,
    **fields: Any,
) -> dict[str, Any]:
    """The POST body of the activity form. Countries and partners are (pk or ISO2, role(s))."""
    if countries is None:
        countries = [("BR", CountryRole.PROVIDER), ("MZ", CountryRole.RECEIVER)]
    data: dict[str, Any] = {
        "title": "South-South learning route on rural finance",
        "summary": "Rural finance practitioners from Brazil visit Mozambique.",
        "objectives": "",
        "activity_type": ActivityType.LEARNING_ROUTE,
        "modality": Modality.SOUTH_SOUTH,
        "funding_nature": FundingNature.GRANT,
        "project_id": "",
        "lead_division": division("LAC").pk,
        "responsible_cpm": "",
        "status": "pipeline",
        "status_note": "",
        "approval_year": "2024",
        "planned_start": "",
        "planned_end": "",
        "actual_start": "",
        "actual_end": "",
        "themes": [t if isinstance(t, int) else t.pk for t in (themes or [theme(1)])]
        if themes != []
        else [],
        "sdgs": list(sdgs),
        "participants_women": "",
        "participants_men": "",
        "participants_youth": "",
        "outcomes": "",
        "action_plans_adopted": "",
        "follow_up": "",
        "lessons_learned": "",
        "notes": "",
        "visibility": Visibility.INTERNAL,
    }
    data.update(fields)
    data.update(_formset("countries", len(countries), initial_countries))
    for i, (value, role) in enumerate(countries):
        pk = country(value).pk if isinstance(value, str) else value
        data[f"countries-{i}-country"] = pk
        data[f"countries-{i}-role"] = role
        data[f"countries-{i}-share"] = ""
    data.update(_formset("partners", len(partners), initial_partners))
    for i, (value, roles) in enumerate(partners):
        data[f"partners-{i}-partner"] = value.pk if isinstance(value, Partner) else value
        data[f"partners-{i}-roles"] = list(roles)
    return data


def _formset(prefix: str, total: int, initial: int) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def edit_form_data(activity: Activity, **changes: Any) -> dict[str, Any]:
    """The edit form's body as loaded for `activity` (its version included), with changes."""
    activity.refresh_from_db()
    countries = [(link.country_id, link.role) for link in activity.country_links.order_by("pk")]
    grouped: dict[int, list[str]] = {}
    for link in activity.partner_links.order_by("pk"):
        grouped.setdefault(link.partner_id, []).append(link.role)
    values: dict[str, Any] = {
        "title": activity.title,
        "summary": activity.summary,
        "activity_type": activity.activity_type,
        "modality": activity.modality,
        "funding_nature": activity.funding_nature,
        "project_id": activity.project_id,
        "lead_division": activity.lead_division_id,
        "responsible_cpm": activity.responsible_cpm_id or "",
        "status": activity.status,
        "approval_year": activity.approval_year or "",
        "visibility": activity.visibility,
        "version": activity.version,
        "countries": countries,
        "partners": list(grouped.items()),
        "themes": list(activity.themes.values_list("pk", flat=True)),
    }
    values.update(changes)
    return activity_form_data(
        initial_countries=len(countries), initial_partners=len(grouped), **values
    )


def partner_form_data(**fields: Any) -> dict[str, Any]:
    data = {
        "name": "Instituto de Desarrollo Rural",
        "acronym": "IDR",
        "type": "government",
        "country": country("PE").pk,
        "website": "",
        "iati_identifier": "",
    }
    data.update(fields)
    return data


HISTORY_TABLES = (
    Activity.history.model,
    ActivityCountry.history.model,
    ActivityPartner.history.model,
    Partner.history.model,
)


@dataclass(frozen=True)
class Counted:
    """A query of db_state's read as its number of rows."""

    queryset: QuerySet[Any]


State = dict[str, Any]  # name -> rows (a list of tuples), a count, or a list or dict of those


def _state_queries() -> State:
    """Everything a page could change: each queryset's rows (or count) make the snapshot."""
    return {
        "activities": Activity.objects.order_by("pk").values_list(
            "pk", "ssc_id", "title", "status", "version"
        ),
        "countries": ActivityCountry.objects.order_by("pk").values_list(
            "activity_id", "country_id", "role"
        ),
        "partner_links": ActivityPartner.objects.order_by("pk").values_list(
            "activity_id", "partner_id", "role"
        ),
        "themes": Activity.themes.through.objects.order_by("pk").values_list("pk", "theme_id"),
        "duplicate_pairs": DuplicatePair.objects.order_by("pk").values_list(
            "pk", "state", "version"
        ),
        "partners": Partner.objects.order_by("pk").values_list("pk", "name", "acronym"),
        "status_changes": Counted(StatusChange.objects.all()),
        "history": [Counted(model.objects.all()) for model in HISTORY_TABLES],
        "users": User.objects.order_by("pk").values_list(
            "pk", "password", "partner_id", "role", "is_active", "email", "version"
        ),
        "people_history": Counted(User.history.model.objects.all()),  # type: ignore[attr-defined]
        "ledger": FinancialEntry.objects.order_by("pk").values_list("pk", "amount"),
        "rates": ExchangeRate.objects.order_by("pk").values_list("currency", "units_per_usd"),
        "theme_codes": ThemeCode.objects.order_by("pk").values_list("pk", "code"),
        "rate_cards": RateCard.objects.order_by("pk").values_list("pk", "amount", "version"),
        "imports": PendingImport.objects.order_by("pk").values_list("pk", "state"),
        "import_runs": Counted(ImportRun.objects.all()),
        "api_tokens": ApiToken.objects.order_by("pk").values_list("pk", "revoked_at"),
        "saved_views": SavedView.objects.order_by("pk").values_list("pk", "name", "shared"),
        "reports": Counted(ReportExport.objects.all()),
        "knowledge": knowledge_state_queries(),
        "rollup_runs": RollupRun.objects.order_by("pk").values_list("pk", "state"),
        "rollup_requests": Counted(RollupRefresh.objects.all()),
        "closed_periods": ClosedPeriod.objects.order_by("pk").values_list("pk", "reopened_at"),
        "period_exceptions": Counted(PeriodException.objects.all()),
        "results": results_state_queries(),
        "counterparts": counterparts_state_queries(),
        "standards_exports": Counted(StandardsExport.objects.all()),
    }


def _leaves(shape: Any) -> Iterator[Any]:
    """The querysets of a shape of _state_queries, in a fixed order."""
    if isinstance(shape, dict):
        for value in shape.values():
            yield from _leaves(value)
    elif isinstance(shape, list):
        for value in shape:
            yield from _leaves(value)
    else:
        yield shape


def _subquery(query: Any) -> tuple[str, tuple[Any, ...]]:
    """One query of the snapshot as a scalar subquery: its count, or its rows as JSON text."""
    if isinstance(query, Counted):
        sql, params = query.queryset.values("pk").query.get_compiler(connection.alias).as_sql()
        return f"(SELECT count(*) FROM ({sql}) AS q)", tuple(params)  # noqa: S608
    compiler = query.query.get_compiler(connection.alias)
    sql, params = compiler.as_sql()
    # The columns renamed by position: two columns of one name would otherwise collide.
    columns = [f"c{n}" for n in range(compiler.col_count)]
    row = ", ".join(f"q.{column}" for column in columns)
    return (
        f"(SELECT coalesce(json_agg(json_build_array({row})), '[]')::text "  # noqa: S608
        f"FROM ({sql}) AS q({', '.join(columns)}))",
        tuple(params),
    )


@cache
def _state_sql() -> tuple[str, tuple[Any, ...], State]:
    """The snapshot's query, its parameters and its shape (the querysets are never run)."""
    # Built once per process: compiling the ORM's thirty-odd queries costs more than running them.
    shape = _state_queries()
    parts = [_subquery(query) for query in _leaves(shape)]
    sql = "SELECT " + ", ".join(part for part, _params in parts)
    return sql, tuple(param for _part, params in parts for param in params), shape


def _fill(shape: Any, values: Iterator[Any]) -> Any:
    """The shape with each query replaced by its value, read in _leaves' order."""
    if isinstance(shape, dict):
        return {key: _fill(value, values) for key, value in shape.items()}
    if isinstance(shape, list):
        return [_fill(value, values) for value in shape]
    value = next(values)
    if isinstance(shape, Counted):
        return value
    # Decimals as Decimal (an amount's last cent must count); dates and times stay ISO text.
    return [tuple(row) for row in json.loads(value, parse_float=Decimal)]


def db_state() -> State:
    """Everything a page could change, to compare before and after a request.

    One query: the snapshot is taken twice around each of the permission walks' thousands of
    requests, and its thirty-odd queries one by one cost more than the requests themselves.
    """
    sql, params, shape = _state_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return _fill(shape, iter(row))


def session_count() -> int:
    return Session.objects.count()


def row_counts() -> dict[str, int]:
    """Row counts of every table the activity form writes to."""
    return {
        "activity": Activity.objects.count(),
        "country": ActivityCountry.objects.count(),
        "partner_link": ActivityPartner.objects.count(),
        "status_change": StatusChange.objects.count(),
        "partner": Partner.objects.count(),
        **{model._meta.db_table: model.objects.count() for model in HISTORY_TABLES},
        "themes": Activity.themes.through.objects.count(),
        "m2m_history": _m2m_history_count(),
    }


def _m2m_history_count() -> int:
    # simple-history keeps m2m history in its own tables (one per m2m field).
    tables = [
        t for t in connection.introspection.table_names() if "historical" in t and "theme" in t
    ]
    total = 0
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            total += cursor.fetchone()[0]
    return total


def broker_refuses(*args: Any, **kwargs: Any) -> None:
    """Stands for a task's apply_async when Redis is down: what kombu raises then."""
    from kombu.exceptions import OperationalError

    raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")


def record_entry(
    activity: Activity, *, amount: int = 1000, user: User | None = None
) -> FinancialEntry:
    """One planned IFAD-grant line of `amount` US$ on the activity's ledger, through the service."""
    from finance import services

    [entry] = services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="ifad_grant",
                stage="planned",
                amount=Decimal(amount),
                currency="USD",
                value_date=datetime.date(2024, 1, 1),
            )
        ],
        user=user,
        expected_version=None,
    )
    return entry


# The day the in-kind lines of in_kind_line are dated, unless a test says otherwise.
IN_KIND_DAY = datetime.date(2024, 3, 10)


def in_kind_line(
    unit: str, quantity: str, *, contributor: Partner | None = None, **fields: object
) -> EntryData:
    """An allocated in-kind line of `quantity` `unit`, not valued (its amount is 0), given by
    `contributor` (a new partner of Brazil when none is given); `fields` change the others."""
    values: dict[str, object] = {
        "kind": ContributionKind.IN_KIND,
        "stage": Stage.ALLOCATED,
        "amount": None,
        "currency": "USD",
        "value_date": IN_KIND_DAY,
        "contributor": contributor or PartnerFactory(country=country("BR")),
        "unit": unit,
        "quantity": Decimal(quantity),
        "valued_by": ValuedBy.NOT_VALUED,
        **fields,
    }
    return EntryData(**values)  # type: ignore[arg-type]


def person_form_data(person: User | None = None, **changes: Any) -> dict[str, Any]:
    """The People form as posted: a new CPM of LAC, or `person` as they are (with their
    version), with changes."""
    data: dict[str, Any] = {
        "first_name": "Ana",
        "last_name": "Ferreira",
        "email": "ana.ferreira@example.org",
        "role": "cpm",
        "divisions": [division("LAC").pk],
        "countries": [],
        "partner": "",
        "counterpart_country": "",
    }
    if person is not None:
        data.update(
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            role=person.role,
            divisions=[d.pk for d in person.divisions.all()],
            countries=[c.pk for c in person.countries.all()],
            partner=person.partner_id or "",
            counterpart_country=person.counterpart_country_id or "",
            version=person.version,
        )
    data.update(changes)
    return data


def group_line(
    activity: Activity,
    group: ContributorGroup,
    amount: str,
    *,
    stage: str = "allocated",
    currency: str = "USD",
    units_per_usd: str = "1",
    amount_usd: str | None = None,
) -> FinancialEntry:
    """Cofinancing given to a contributor group, dated 1 January 2024, written as the workbook
    import writes it: no service records a group's line."""
    import datetime

    return FinancialEntry.objects.create(
        activity=activity,
        contributor_group=group,
        kind="cofinancing",
        stage=stage,
        amount=Decimal(amount),
        currency=currency,
        value_date=datetime.date(2024, 1, 1),
        fiscal_year=2024,
        units_per_usd=Decimal(units_per_usd),
        amount_usd=Decimal(amount_usd or amount),
    )


@contextmanager
def shared_transaction(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """For a class-scoped fixture: what it makes lives in a transaction rolled back after the
    class's last test, and each test (pytest-django's `db`) runs in a savepoint of it, so what a
    test writes is undone before the next. Making read-only data once per class instead of once
    per test; only tests that all ask for it belong in that class (any other would find it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def signed_in_session(user: User) -> str:
    """A new session key signed in as the user, for clients made later (their cookie)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def sign_in(client: Client, user: User) -> None:
    """The client signed in as the user with the session Client.force_login would leave (the
    user, the backend, the password's hash, the expiry clocks), written at once.

    force_login goes through the sign-in itself: a session made, then replaced by a new key,
    django-axes' reads, the last-login write, the security log. The tests that only need a
    signed-in client do not test those; tests/accounts tests the sign-in."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = _session_backend()
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT] = session[SEEN_AT] = int(time.time())
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME].update(
        {
            "max-age": None,
            "path": "/",
            "domain": settings.SESSION_COOKIE_DOMAIN,
            "secure": settings.SESSION_COOKIE_SECURE or None,
            "expires": None,
        }
    )


def _session_backend() -> str:
    """The backend force_login records: the first of AUTHENTICATION_BACKENDS that finds users."""
    return next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
