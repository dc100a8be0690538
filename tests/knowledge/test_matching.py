"""Demand and offer: which offers the portal proposes for a learning demand, the score and its
reasons, and how an accepted match becomes a new Pipeline activity."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from activities.models import (
    Activity,
    ActivityCountry,
    ActivityPartner,
    CountryRole,
    Partner,
    PartnerRole,
    Status,
)
from knowledge import services
from knowledge.matching import propose_matches, score_offer
from knowledge.models import DemandStatus, LearningDemand, LearningOffer
from tests.factories import ActivityFactory, PartnerFactory, country, theme
from tests.html import errors_next_to
from tests.knowledge.factories import make_asset, make_demand, make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def host() -> Partner:
    return PartnerFactory(name="Asociación de Productores de Quinua", country=country("PE"))


@pytest.fixture
def past_activity(host: Partner) -> Activity:
    """A completed exchange on value chains that the Peruvian association hosted."""
    return ActivityFactory(
        title="Quinoa value chain exchange",
        status=Status.COMPLETED,
        countries=["PE", ("EC", CountryRole.RECEIVER)],
        partners=[(host, PartnerRole.HOST)],
        themes=[theme(3)],
    )


@pytest.fixture
def demand(cpm: User) -> LearningDemand:
    """Bolivia (LAC, lower-middle income) wants to learn about value chains, in Spanish."""
    return make_demand(country_code="BO", themes=[3, 9], user=cpm)


@pytest.fixture
def offers(host: Partner, past_activity: Activity) -> dict[str, LearningOffer]:
    make_asset(title="Quinoa case study", activities=[past_activity], themes=[3])
    return {
        "peru": make_offer(activity=past_activity, themes=[3, 9], title="Quinoa value chains"),
        "senegal": make_offer(
            institution=PartnerFactory(name="Union des groupements", country=country("SN")),
            languages=["fr"],
            title="Millet value chains",
        ),
        "usa": make_offer(
            institution=PartnerFactory(name="Land-grant university", country=country("US")),
            title="Extension for value chains",
        ),
        "off_theme": make_offer(institution=PartnerFactory(), themes=[5], title="Climate"),
        "withdrawn": make_offer(institution=PartnerFactory(), is_active=False, title="Old"),
    }


def test_offers_sharing_a_theme_are_proposed_best_first_with_their_reasons(
    demand: LearningDemand, offers: dict[str, LearningOffer]
) -> None:
    proposals = propose_matches(demand)
    assert [(p.offer.title, p.score) for p in proposals] == [
        ("Quinoa value chains", 85),
        ("Extension for value chains", 50),
        ("Millet value chains", 35),
    ]
    best = proposals[0]
    assert best.offer.institution.name == "Asociación de Productores de Quinua"
    assert best.reasons == [
        "Shares 2 themes: Inclusive agricultural value chains, Support to rural producer "
        "organizations.",
        "Same IFAD division (LAC): similar contexts, a shorter journey.",
        "Peru is one income group ahead (Upper-middle income for Lower-middle income).",
        "Can work in Spanish.",
        f"1 past activity on these themes: {offers['peru'].activity.ssc_id}.",  # type: ignore[union-attr]
        "1 knowledge asset on these themes: “Quinoa case study”.",
    ]
    assert best.cautions == []
    senegal = proposals[2]
    assert "Same income group (Lower-middle income)." in senegal.reasons
    assert senegal.cautions == [
        "No common language: Spanish is not among French; plan interpretation."
    ]
    assert "further ahead" in " ".join(proposals[1].reasons)


def test_an_offer_from_a_past_activity_takes_its_host_and_country(
    host: Partner, past_activity: Activity
) -> None:
    offer = make_offer(activity=past_activity)
    assert (offer.institution, offer.country) == (host, country("PE"))
    no_host = ActivityFactory(partners=[(PartnerFactory(), PartnerRole.FUNDER)])
    with pytest.raises(services.KnowledgeError, match="records no host"):
        make_offer(activity=no_host)
    with pytest.raises(services.KnowledgeError, match="Name the offering institution"):
        make_offer()


def test_cpm_turns_a_match_into_a_pipeline_activity(
    cpm_client: Client,
    cpm: User,
    demand: LearningDemand,
    offers: dict[str, LearningOffer],
    host: Partner,
) -> None:
    page = cpm_client.get(demand.get_absolute_url())
    assert b"Accept and create the activity" in page.content
    response = cpm_client.post(
        reverse("knowledge:demand_accept", args=[demand.pk]), {"offer": offers["peru"].pk}
    )
    activity = Activity.objects.exclude(title="Quinoa value chain exchange").get()
    assert response["Location"] == activity.get_absolute_url()
    assert (activity.status, activity.title, activity.lead_division.code) == (
        Status.PIPELINE,
        "Community crab fattening and its market",
        "LAC",
    )
    assert activity.responsible_cpm == cpm
    assert set(
        ActivityCountry.objects.filter(activity=activity).values_list("country__iso2", "role")
    ) == {("BO", CountryRole.RECEIVER), ("PE", CountryRole.PROVIDER)}
    assert list(
        ActivityPartner.objects.filter(activity=activity).values_list("partner", "role")
    ) == [(host.pk, PartnerRole.HOST)]
    assert {t.position for t in activity.themes.all()} == {3, 9}
    demand.refresh_from_db()
    assert (demand.status, demand.activity, demand.accepted_offer, demand.match_score) == (
        DemandStatus.MATCHED,
        activity,
        offers["peru"],
        85,
    )
    assert "Can work in Spanish." in demand.match_reasons
    assert activity.status_changes.get().note.startswith(f"From learning demand #{demand.pk}")
    # Accepting again creates nothing more.
    again = cpm_client.post(
        reverse("knowledge:demand_accept", args=[demand.pk]), {"offer": offers["usa"].pk}
    )
    assert again.status_code == 302
    assert Activity.objects.count() == 2
    matched_page = cpm_client.get(demand.get_absolute_url()).content.decode()
    assert "Accepted match" in matched_page and activity.ssc_id in matched_page


def test_a_match_within_one_country_makes_it_both_provider_and_receiver(
    focal: User, host: Partner
) -> None:
    demand = make_demand(country_code="PE")
    offer = make_offer(institution=host)
    activity = services.accept_match(demand=demand, offer=offer, user=focal)
    assert list(activity.country_links.values_list("country__iso2", "role")) == [
        ("PE", CountryRole.BOTH)
    ]


def test_an_offer_without_a_shared_theme_cannot_be_accepted(
    focal: User, demand: LearningDemand, offers: dict[str, LearningOffer]
) -> None:
    assert score_offer(demand, offers["off_theme"]) is None
    with pytest.raises(services.KnowledgeError, match="no match"):
        services.accept_match(demand=demand, offer=offers["off_theme"], user=focal)
    assert Activity.objects.count() == 1


def test_cpm_of_another_division_cannot_accept_or_edit(
    cpm_other_client: Client, demand: LearningDemand, offers: dict[str, LearningOffer]
) -> None:
    page = cpm_other_client.get(demand.get_absolute_url())
    assert page.status_code == 200 and b"Accept and create the activity" not in page.content
    response = cpm_other_client.post(
        reverse("knowledge:demand_accept", args=[demand.pk]), {"offer": offers["peru"].pk}
    )
    assert response.status_code == 403
    assert Activity.objects.count() == 1


def test_a_cpm_records_demands_only_for_their_countries(cpm_client: Client) -> None:
    page = cpm_client.get(reverse("knowledge:demand_create")).content.decode()
    assert f'<option value="{country("BO").pk}">' in page
    assert f'<option value="{country("BD").pk}">' not in page
    form = {
        "country": country("BD").pk,
        "title": "Crab fattening",
        "description": "",
        "themes": [theme(3).pk],
        "audience": "Project staff",
        "needed_by": "2025-06-30",
        "language": "en",
        "preferred_type": "",
    }
    refused = cpm_client.post(reverse("knowledge:demand_create"), form)
    assert errors_next_to(refused.content, "id_country") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    accepted = cpm_client.post(
        reverse("knowledge:demand_create"), form | {"country": country("BO").pk}
    )
    demand = LearningDemand.objects.get()
    assert accepted["Location"] == demand.get_absolute_url()
    assert demand.status == DemandStatus.OPEN


def test_demand_page_queries_do_not_grow_with_offers(
    viewer_client: Client, demand: LearningDemand, fast_templates: None
) -> None:
    def add_offers(n: int) -> None:
        for i in range(n):
            partner = PartnerFactory(country=country(["PE", "BR", "SN", "MX"][i % 4]))
            activity = ActivityFactory(
                status=Status.COMPLETED, partners=[(partner, PartnerRole.HOST)], themes=[theme(3)]
            )
            make_asset(activities=[activity], authors=[partner], themes=[3])
            make_offer(activity=activity, themes=[3, 9])

    def count() -> int:
        viewer_client.get(demand.get_absolute_url())
        with CaptureQueriesContext(connection) as queries:
            response = viewer_client.get(demand.get_absolute_url())
        assert response.status_code == 200
        return len(queries)

    add_offers(2)
    few = count()
    add_offers(12)
    assert count() == few
