"""The author link of a public knowledge asset opens the organization's page for whoever reads the
asset (a partner user, a country counterpart); an internal asset's authors stay hidden from them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.access import visible_partners
from activities.models import Partner, Visibility
from tests.factories import PartnerFactory
from tests.knowledge.factories import make_asset

pytestmark = pytest.mark.django_db


def test_a_partner_user_follows_a_public_assets_author_link_to_the_organizations_page(
    partner_user: User, client_for: Callable[[User | None], Client]
) -> None:
    author = PartnerFactory(name="Rural Learning Institute")
    asset = make_asset(title="Field guide", visibility=Visibility.PUBLIC, authors=[author])
    client = client_for(partner_user)
    page = client.get(reverse("knowledge:asset_detail", args=[asset.pk])).text
    link = author.get_absolute_url()
    assert f'href="{link}"' in page
    response = client.get(link)
    assert response.status_code == 200
    assert "Rural Learning Institute" in response.text
    # Through the API too: the organization is one the partner user may read.
    assert client.get(f"/api/v1/partners/{author.pk}/").status_code == 200


def test_the_authors_of_internal_assets_stay_hidden_from_partners_and_counterparts(
    partner_user: User, counterpart_user: User, client_for: Callable[[User | None], Client]
) -> None:
    hidden = PartnerFactory(name="Internal author")
    make_asset(title="Internal note", authors=[hidden])
    public_author = PartnerFactory(name="Public author")
    make_asset(title="Public case", visibility=Visibility.PUBLIC, authors=[public_author])
    for user in (partner_user, counterpart_user):
        readable = set(visible_partners(user).values_list("name", flat=True))
        assert "Public author" in readable
        assert "Internal author" not in readable
        response = client_for(user).get(reverse("activities:partner_detail", args=[hidden.pk]))
        assert response.status_code == 404


def test_staff_still_read_every_organization(
    viewer: User,
) -> None:
    hidden = PartnerFactory(name="Internal author")
    make_asset(title="Internal note", authors=[hidden])
    assert visible_partners(viewer).filter(pk=hidden.pk).exists()
    assert Partner.objects.count() == visible_partners(viewer).count()
