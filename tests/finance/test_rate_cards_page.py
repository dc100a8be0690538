"""The rate cards pages: agency staff read them, the focal point makes and changes them (a stale
edit is refused), each card's history says who changed what when, and the lines a card valued
at an older rate are re-valued only through the confirmation step, closed periods refused and
named by activity."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from activities.models import Activity, Partner
from finance import in_kind, services
from finance.in_kind import CardData
from finance.models import EntryType, FinancialEntry, InKindUnit, RateCard
from tests.factories import ActivityFactory, PartnerFactory, country

pytestmark = pytest.mark.django_db

LIST = reverse("finance:rate_cards")


def make_card(focal: User, unit: str = InKindUnit.EXPERT_DAYS, **extra: object) -> RateCard:
    values: dict[str, object] = {
        "unit": unit,
        "country": country("BR"),
        "year": 2026,
        "amount": Decimal("250"),
        "currency": "USD",
        **extra,
    }
    return in_kind.save_rate_card(
        card=None,
        data=CardData(**values),  # type: ignore[arg-type]
        user=focal,
        expected_version=None,
    )


def forty_days(activity: Activity, partner: Partner, user: User, day: int = 10) -> FinancialEntry:
    return services.record_entries(
        activity=activity,
        entries=[
            services.EntryData(
                kind="in_kind",
                stage="allocated",
                amount=None,
                currency="USD",
                value_date=datetime.date(2026, 3, day),
                contributor=partner,
                unit="expert_days",
                quantity=Decimal(40),
                valued_by="rate_card",
            )
        ],
        user=user,
        expected_version=None,
    )[0]


@pytest.fixture
def embrapa() -> Partner:
    return PartnerFactory(name="Embrapa", type="research", country=country("BR"))


def test_staff_read_the_list_the_partner_user_is_refused(
    focal: User, cpm_client: Client, viewer_client: Client, partner_client: Client
) -> None:
    card = make_card(focal)
    for client in (cpm_client, viewer_client):
        page = client.get(LIST)
        assert page.status_code == 200
        assert "Expert-days" in page.content.decode()
        assert "New rate card" not in page.content.decode()
        assert client.get(reverse("finance:rate_card", args=[card.pk])).status_code == 200
        assert client.get(reverse("finance:rate_card_revalue", args=[card.pk])).status_code == 403
        assert client.post(LIST, {"unit": "venue_days", "year": 2026}).status_code == 403
    assert partner_client.get(LIST).status_code == 403
    assert RateCard.objects.count() == 1


def test_focal_point_makes_a_card_and_bad_input_names_the_field(focal_client: Client) -> None:
    for amount, currency, message in (
        ("0", "USD", "Give the value of one unit, above 0."),
        ("250", "XXY", "XXY is not an ISO 4217 currency code"),
        ("ten", "USD", "“ten” is not a number"),
    ):
        body = {"unit": "expert_days", "year": "2026", "amount": amount, "currency": currency}
        bad = focal_client.post(LIST, body)
        assert bad.status_code == 400
        assert message in bad.content.decode()
    assert not RateCard.objects.exists()
    brazil = country("BR")
    response = focal_client.post(
        LIST,
        {
            "unit": "expert_days",
            "country": brazil.pk,
            "year": "2026",
            "amount": "250",
            "currency": "usd",
            "source": "Fee scale",
        },
    )
    card = RateCard.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "finance:rate_card", args=[card.pk]
    )
    assert (card.country, card.amount, card.currency, card.version) == (
        brazil,
        Decimal(250),
        "USD",
        1,
    )
    twice = focal_client.post(
        LIST,
        {
            "unit": "expert_days",
            "country": brazil.pk,
            "year": "2026",
            "amount": "9",
            "currency": "USD",
        },
    )
    assert twice.status_code == 400 and "A card for this unit" in twice.content.decode()


def test_list_filters_sorts_paginates_and_shows_an_empty_state(
    focal: User, focal_client: Client, django_assert_max_num_queries: object
) -> None:
    make_card(focal)
    make_card(focal, unit=InKindUnit.VENUE_DAYS, country=None, amount=Decimal("900"))
    for year in range(2000, 2030):
        make_card(focal, unit=InKindUnit.SCHOLARSHIPS, year=year, amount=Decimal("5000"))
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        page = focal_client.get(LIST).content.decode()
    assert "1\u201325 of 32" in page
    only = focal_client.get(LIST, {"unit": "venue_days"}).content.decode().split("<tbody>")[1]
    assert "Venue-days" in only and "Every country" in only and "Scholarships" not in only
    brazil = focal_client.get(LIST, {"country": "br", "year": "2026"}).content.decode()
    assert "Expert-days" in brazil and "Venue-days" not in brazil.split("<tbody>")[1]
    cheap_first = focal_client.get(LIST, {"sort": "amount"}).content.decode()
    body = cheap_first.split("<tbody>")[1]
    assert body.index("Expert-days") < body.index("Venue-days") < body.index("Scholarships")
    empty = focal_client.get(LIST, {"year": "1990"}).content.decode()
    assert "No card matches these filters." in empty
    bad = focal_client.get(LIST, {"year": "abc", "sort": "price"})
    assert bad.status_code == 200 and "Year: " in bad.content.decode()


def test_a_stale_edit_is_refused_and_the_history_says_who_and_when(
    focal: User, admin: User, focal_client: Client, admin_client: Client
) -> None:
    card = make_card(focal)
    url = reverse("finance:rate_card", args=[card.pk])
    assert admin_client.post(url, {"amount": "300", "version": 1}).status_code == 302
    stale = focal_client.post(url, {"amount": "275", "source": "Mine", "version": 1})
    assert stale.status_code == 409
    assert "changed this card (now version 2)" in stale.content.decode()
    card.refresh_from_db()
    assert (card.amount, card.version) == (Decimal(300), 2)
    # The fixed fields are shown, never read from the request.
    focal_client.post(url, {"amount": "310", "version": 2, "currency": "EUR", "year": 2020})
    card.refresh_from_db()
    assert (card.amount, card.currency, card.year, card.version) == (Decimal(310), "USD", 2026, 3)
    page = focal_client.get(url).content.decode()
    history = page.split('id="history-title"')[1]
    assert history.count("<tr>") == 4  # the head and three versions
    assert str(admin) in history and str(focal) in history
    assert "310.00" in history and "300.00" in history and "250.00" in history
    # The two edits came through the page's form; the card was made by the service directly.
    assert history.count("through the page&#x27;s form") == 2


def test_revalue_goes_through_confirmation_and_names_refused_lines_by_activity(
    focal: User, focal_client: Client, embrapa: Partner
) -> None:
    card = make_card(focal)
    open_activity = ActivityFactory(ssc_id="SSC-2026-0001")
    closed_activity = ActivityFactory(ssc_id="SSC-2026-0002")
    moved = forty_days(open_activity, embrapa, focal)
    kept = forty_days(closed_activity, embrapa, focal, day=11)
    in_kind.save_rate_card(
        card=card,
        data=CardData(
            unit=card.unit, country=card.country, year=2026, amount=Decimal(300), currency="USD"
        ),
        user=focal,
        expected_version=1,
    )
    services.close_period(
        fiscal_year=None, up_to=datetime.date(2026, 3, 11), reason="Board", user=focal
    )
    services.grant_period_exception(
        period=services.ClosedPeriod.objects.get(),
        activity=open_activity,
        reason="Re-valuation",
        expires_on=datetime.date(2100, 1, 1),
        user=focal,
    )
    listing = focal_client.get(LIST).content.decode()
    assert "2 lines valued at an older rate" in listing and "Re-value 2 lines" in listing
    url = reverse("finance:rate_card_revalue", args=[card.pk])
    confirm = focal_client.get(url).content.decode()
    assert "SSC-2026-0001" in confirm and "SSC-2026-0002" in confirm
    assert not FinancialEntry.objects.exclude(entry_type=EntryType.ORIGINAL).exists()
    done = focal_client.post(url, follow=True).content.decode()
    assert "1 line(s) re-valued" in done
    assert "SSC-2026-0002: 1 line(s) left as they are." in done
    correction = FinancialEntry.objects.get(corrects=moved)
    assert (correction.amount, correction.quantity, correction.unit_rate) == (
        Decimal(2000),
        Decimal(0),
        Decimal(300),
    )
    assert "Re-valued by rate card version 2" in correction.reason
    assert not FinancialEntry.objects.filter(corrects=kept).exists()
    assert "1 line valued at an older rate" in focal_client.get(LIST).content.decode()
