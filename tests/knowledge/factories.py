"""Knowledge records for tests, written through the services (so the search vector is built)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from accounts.models import User
from activities.models import Activity, Partner, Visibility
from knowledge import services
from knowledge.models import (
    ActionPlan,
    AssetType,
    KnowledgeAsset,
    Language,
    LearningDemand,
    LearningOffer,
    LearningRoute,
)
from knowledge.texts import TextVersion
from knowledge.uploads import check_upload
from tests.factories import country, division, theme
from tests.knowledge.files import pdf_bytes, upload


def make_asset(
    *,
    title: str = "Case study of a learning route on rural finance",
    asset_type: str = AssetType.CASE_STUDY,
    abstract: str = "What the route taught its participants.",
    body: str = "",
    language: str = Language.ENGLISH,
    published_on: datetime.date = datetime.date(2024, 5, 1),
    division_code: str = "LAC",
    themes: Sequence[int] = (1,),
    countries: Sequence[str] = (),
    activities: Sequence[Activity] = (),
    authors: Sequence[Partner] = (),
    visibility: str = Visibility.INTERNAL,
    pdf_lines: Sequence[str] = (),
    external_url: str = "https://example.org/asset",
    user: User | None = None,
    texts: Sequence[TextVersion] | None = None,
) -> KnowledgeAsset:
    files = [check_upload(upload("asset.pdf", pdf_bytes(*pdf_lines)))] if pdf_lines else []
    return services.save_asset(
        asset=None,
        data=services.AssetData(
            fields={
                "asset_type": asset_type,
                "title": title,
                "abstract": abstract,
                "body": body,
                "language": language,
                "published_on": published_on,
                "division": division(division_code),
                "external_url": external_url,
                "visibility": visibility,
            },
            themes=[theme(position) for position in themes],
            countries=[country(code) for code in countries],
            activities=list(activities),
            author_organizations=list(authors),
            new_files=files,
            texts=texts,
        ),
        user=user,
    )


def make_route(
    *,
    title: str = "Learning route on value chains",
    division_code: str = "LAC",
    hosts: Sequence[tuple[Partner, str]] = (),
    participants: Sequence[tuple[Partner, str]] = (),
    visibility: str = Visibility.INTERNAL,
    user: User | None = None,
) -> LearningRoute:
    return services.save_route(
        route=None,
        data=services.RouteData(
            fields={
                "title": title,
                "division": division(division_code),
                "start_date": datetime.date(2024, 3, 4),
                "end_date": datetime.date(2024, 3, 9),
                "visibility": visibility,
            },
            themes=[theme(3)],
            host_cases=[
                services.HostCaseData(f"Case of {host.name}", host, country(code), theme(3))
                for host, code in hosts
            ],
            participants=[
                services.ParticipantData(org, country(code), 4) for org, code in participants
            ],
        ),
        user=user,
    )


def make_plan(route: LearningRoute, **fields: Any) -> ActionPlan:
    values: dict[str, Any] = {
        "participant": route.participants.first(),
        "title": "Plan to try crab fattening in two villages",
        "status": "drafted",
    }
    values.update(fields)
    return services.save_action_plan(plan=None, route=route, fields=values, user=None)


def make_demand(
    *,
    country_code: str = "PE",
    themes: Sequence[int] = (3,),
    user: User | None = None,
    **fields: Any,
) -> LearningDemand:
    values: dict[str, Any] = {
        "country": country(country_code),
        "title": "Community crab fattening and its market",
        "audience": "Project staff and farmer leaders",
        "language": Language.SPANISH,
    }
    values.update(fields)
    return services.save_demand(
        demand=None, fields=values, themes=[theme(p) for p in themes], user=user
    )


def make_offer(
    *,
    institution: Partner | None = None,
    activity: Activity | None = None,
    themes: Sequence[int] = (3,),
    languages: Sequence[str] = (Language.SPANISH,),
    user: User | None = None,
    **fields: Any,
) -> LearningOffer:
    values: dict[str, Any] = {
        "institution": institution,
        "activity": activity,
        "title": "Value chains run by farmers' organizations",
        "languages": list(languages),
    }
    values.update(fields)
    return services.save_offer(
        offer=None, fields=values, themes=[theme(p) for p in themes], user=user
    )
