"""A small portfolio for the standards exports' tests: Brazil shares with Mozambique (70 %) and
Kenya (30 %) through a learning route; Peru trains Mozambique with expert-days, some not
valued; an activity with no receiver; a legacy activity with no type."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import User
from activities.models import Activity, ActivityCountry, ActivityType, CountryRole, Visibility
from counterparts.models import Confirmation
from finance import services
from tests.factories import ActivityFactory, PartnerFactory, country


@dataclass
class World:
    route: Activity  # BR -> MZ 70 %, KE 30 %; public
    training: Activity  # PE -> MZ; expert-days
    unreceived: Activity  # BR alone
    untyped: Activity | None = None


def line(kind: str, stage: str, amount: str | None, **extra: object) -> services.EntryData:
    values: dict[str, object] = {"currency": "USD", "value_date": datetime.date(2024, 3, 15)}
    values.update(extra)
    return services.EntryData(
        kind=kind,
        stage=stage,
        amount=Decimal(amount) if amount is not None else None,
        **values,  # type: ignore[arg-type]
    )


def record(activity: Activity, user: User, *lines: services.EntryData) -> None:
    services.record_entries(activity=activity, entries=lines, user=user, expected_version=None)


def set_share(activity: Activity, iso2: str, share: str) -> None:
    ActivityCountry.objects.filter(activity=activity, country__iso2=iso2).update(
        share=Decimal(share)
    )


def confirm(activity: Activity, iso2: str, state: str) -> None:
    link = ActivityCountry.objects.get(activity=activity, country__iso2=iso2)
    Confirmation.objects.update_or_create(
        country_link=link, defaults={"activity": activity, "state": state}
    )


def build_world(user: User, *, untyped: bool = False) -> World:
    route = ActivityFactory(
        countries=["BR", ("MZ", CountryRole.RECEIVER), ("KE", CountryRole.RECEIVER)],
        visibility=Visibility.PUBLIC,
    )
    set_share(route, "MZ", "70")
    set_share(route, "KE", "30")
    set_share(route, "BR", "0")
    peru_org = PartnerFactory(country=country("PE"))
    training = ActivityFactory(
        countries=["PE", ("MZ", CountryRole.RECEIVER)],
        activity_type=ActivityType.TECHNICAL_ASSISTANCE,
        partners=[peru_org],
    )
    unreceived = ActivityFactory(countries=["BR"])
    record(
        route,
        user,
        line("ifad_grant", "allocated", "1000.01"),
        line("ifad_grant", "spent", "500.00"),
        line("ifad_grant", "planned", "9999.00"),
    )
    record(
        training,
        user,
        line(
            "in_kind",
            "spent",
            "4000.00",
            contributor=peru_org,
            unit="expert_days",
            quantity=Decimal("40"),
            valued_by="actual_cost",
        ),
        line(
            "in_kind",
            "spent",
            None,
            contributor=peru_org,
            unit="scholarships",
            quantity=Decimal("3"),
            valued_by="not_valued",
        ),
        line("cofinancing", "allocated", "250.00", contributor=peru_org),
    )
    record(unreceived, user, line("ifad_grant", "spent", "77.77"))
    world = World(route=route, training=training, unreceived=unreceived)
    if untyped:
        world.untyped = ActivityFactory(countries=[("MZ", CountryRole.RECEIVER)], activity_type="")
        record(world.untyped, user, line("ifad_grant", "spent", "10.00"))
    return world
