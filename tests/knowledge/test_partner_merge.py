"""Merging two partners moves what the knowledge base says about the merged one."""

from __future__ import annotations

from accounts.models import User
from activities.models import Partner
from activities.services import merge_partners
from knowledge.models import HostCase, KnowledgeAsset, LearningRoute, RouteParticipant
from knowledge.services import move_partner_links
from tests.factories import PartnerFactory
from tests.knowledge.factories import make_asset, make_offer, make_route


def test_a_merge_moves_hosts_participants_offers_and_authors_to_the_partner_kept(
    focal: User,
) -> None:
    keep, remove = PartnerFactory(name="Instituto Rural"), PartnerFactory(name="Inst. Rural")
    route = make_route(hosts=[(remove, "BR")], participants=[(remove, "PE")], user=focal)
    LearningRoute.objects.filter(pk=route.pk).update(organizer=remove)
    offer = make_offer(institution=remove, user=focal)
    alone = make_asset(title="Written by the merged one", authors=[remove], user=focal)
    both = make_asset(title="Written by both", authors=[keep, remove], user=focal)

    merge_partners(keep=keep, remove=remove, user=focal)

    assert not Partner.objects.filter(pk=remove.pk).exists()
    assert LearningRoute.objects.get(pk=route.pk).organizer == keep
    assert HostCase.objects.get(route=route).host == keep
    assert RouteParticipant.objects.get(route=route).organization == keep
    offer.refresh_from_db()
    assert offer.institution == keep
    for asset in (alone, both):
        assert list(KnowledgeAsset.objects.get(pk=asset.pk).author_organizations.all()) == [keep]


def test_a_partner_the_knowledge_base_does_not_name_moves_nothing(focal: User) -> None:
    keep, remove = PartnerFactory(), PartnerFactory()
    asset = make_asset(authors=[keep], user=focal)
    move_partner_links(keep=keep, remove=remove, user=None)
    assert list(asset.author_organizations.all()) == [keep]
