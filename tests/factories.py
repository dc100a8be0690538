"""Factories for the portal's spine: users, partner organizations and activities.

Reference data (countries, divisions, themes, SDGs) comes from migration activities/0002, so the
factories look it up instead of inventing it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from activities.models import (
    SDG,
    SEARCH_KEY_SEPARATOR,
    Activity,
    ActivityCountry,
    ActivityPartner,
    ActivityType,
    Country,
    CountryRole,
    Division,
    FundingNature,
    Modality,
    Partner,
    PartnerRole,
    PartnerType,
    Theme,
    fold_text,
    normalize_name,
)
from activities.services import ActivityData, CountryLink, PartnerLink

PASSWORD = "correct horse battery staple"


def country(code: str) -> Country:
    """A reference country by ISO2 or ISO3 code."""
    field = "iso2" if len(code) == 2 else "iso3"
    return Country.objects.get(**{field: code.upper()})


def division(code: str) -> Division:
    return Division.objects.get(code=code)


def theme(position: int = 1) -> Theme:
    return Theme.objects.get(position=position)


def sdg(number: int) -> SDG:
    return SDG.objects.get(number=number)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.VIEWER
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def divisions(self, create: bool, extracted: Iterable[str | Division] | None, **_: Any) -> None:
        if create and extracted:
            self.divisions.set(d if isinstance(d, Division) else division(d) for d in extracted)

    @factory.post_generation
    def countries(self, create: bool, extracted: Iterable[str | Country] | None, **_: Any) -> None:
        if create and extracted:
            self.countries.set(c if isinstance(c, Country) else country(c) for c in extracted)


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner organization {n}")
    name_key = factory.LazyAttribute(lambda p: normalize_name(p.name))
    aliases = factory.LazyFunction(list)
    search_key = factory.LazyAttribute(
        lambda p: SEARCH_KEY_SEPARATOR.join(
            fold_text(name) for name in (p.name, p.acronym, *p.aliases) if name
        )
    )
    acronym = ""
    type = PartnerType.NGO
    country = factory.LazyFunction(lambda: country("BR"))


CountrySpec = Country | str | tuple[Country | str, str]
PartnerSpec = Partner | tuple[Partner, str]


# The users of every role that the shared fixtures (tests/conftest.py) and the permission walks'
# worlds are made of. `cpm` is a CPM of the LAC division, `cpm_other` one of APR; the partner
# user belongs to the partner organization (make_partner_org).
ROLE_USERS: dict[str, dict[str, Any]] = {
    "admin": {"username": "admin", "role": Role.ADMIN, "is_staff": True, "is_superuser": True},
    # The focal point keeps reference data and users in the Django admin: staff, not superuser.
    "focal": {"username": "focal", "role": Role.FOCAL_POINT, "is_staff": True},
    "cpm": {"username": "cpm", "role": Role.CPM, "divisions": ["LAC"]},
    "cpm_other": {"username": "cpm_other", "role": Role.CPM, "divisions": ["APR"]},
    "partner": {"username": "partner", "role": Role.PARTNER},
    "viewer": {"username": "viewer", "role": Role.VIEWER},
    # Country counterparts: Mozambique's (a receiver in the shared fixtures' activities) and
    # Kenya's (taking part in none of them unless a test says so).
    "counterpart": {"username": "counterpart", "role": Role.COUNTERPART, "country": "MZ"},
    "counterpart_other": {
        "username": "counterpart_other",
        "role": Role.COUNTERPART,
        "country": "KE",
    },
}


PARTNER_ORG_NAME = "Cooperativa Agraria del Sur"


def make_partner_org() -> Partner:
    return PartnerFactory(name=PARTNER_ORG_NAME, acronym="CAS", country=country("PE"))


def make_role_user(name: str, *, partner: Partner | None = None) -> User:
    """The user of that name in ROLE_USERS; the partner user needs its organization."""
    fields = dict(ROLE_USERS[name])
    if "country" in fields:
        fields["counterpart_country"] = country(fields.pop("country"))
    extra = {"partner": partner} if partner is not None else {}
    return UserFactory(**fields, **extra)


def _as_country(value: Country | str) -> Country:
    return value if isinstance(value, Country) else country(value)


class ActivityFactory(DjangoModelFactory):
    """An activity saved straight through the model (no service): fast set-up for reads.

    `countries=["BR", ("MZ", "receiver")]`, `partners=[partner, (other, "broker")]` and
    `themes=[...]` add the links; a bare country is a provider, a bare partner an implementer.
    """

    class Meta:
        model = Activity
        skip_postgeneration_save = True

    ssc_id = factory.Sequence(lambda n: f"SSC-2099-{n + 1:03d}")
    title = factory.Sequence(lambda n: f"Learning route on rural finance {n}")
    summary = "Exchange of practices between programme countries."
    activity_type = ActivityType.LEARNING_ROUTE
    modality = Modality.SOUTH_SOUTH
    funding_nature = FundingNature.GRANT
    lead_division = factory.LazyFunction(lambda: division("LAC"))
    approval_year = 2024

    @factory.post_generation
    def countries(self, create: bool, extracted: Sequence[CountrySpec] | None, **_: Any) -> None:
        if not create or not extracted:
            return
        for spec in extracted:
            value, role = spec if isinstance(spec, tuple) else (spec, CountryRole.PROVIDER)
            ActivityCountry.objects.create(activity=self, country=_as_country(value), role=role)

    @factory.post_generation
    def partners(self, create: bool, extracted: Sequence[PartnerSpec] | None, **_: Any) -> None:
        if not create or not extracted:
            return
        for spec in extracted:
            partner, role = spec if isinstance(spec, tuple) else (spec, PartnerRole.IMPLEMENTER)
            ActivityPartner.objects.create(activity=self, partner=partner, role=role)

    @factory.post_generation
    def themes(self, create: bool, extracted: Sequence[Theme] | None, **_: Any) -> None:
        if create:
            self.themes.set(extracted if extracted is not None else [theme(1)])


def activity_data(
    *,
    countries: Sequence[CountrySpec] = ("BR", ("MZ", CountryRole.RECEIVER)),
    partners: Sequence[tuple[Partner, Iterable[str]]] = (),
    themes: Sequence[Theme] | None = None,
    sdgs: Sequence[SDG] = (),
    ssc_id: str = "",
    status_note: str = "",
    **fields: Any,
) -> ActivityData:
    """A valid ActivityData for the services; keyword arguments override model fields."""
    values: dict[str, Any] = {
        "title": "Learning route on inclusive value chains",
        "summary": "Peers from two programmes visit each other.",
        "activity_type": ActivityType.LEARNING_ROUTE,
        "modality": Modality.SOUTH_SOUTH,
        "funding_nature": FundingNature.GRANT,
        "lead_division": division("LAC"),
        "approval_year": 2024,
    }
    values.update(fields)
    links = []
    for spec in countries:
        value, role = spec if isinstance(spec, tuple) else (spec, CountryRole.PROVIDER)
        links.append(CountryLink(country=_as_country(value), role=role))
    return ActivityData(
        fields=values,
        countries=links,
        partners=[PartnerLink(partner=p, roles=frozenset(roles)) for p, roles in partners],
        themes=themes if themes is not None else [theme(1)],
        sdgs=sdgs,
        ssc_id=ssc_id,
        status_note=status_note,
    )
