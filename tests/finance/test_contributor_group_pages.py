"""The contributor groups' pages: the money not yet split, and the split, checked and then
confirmed; bad input named next to its field or line, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.urls import reverse

from accounts.models import User
from activities.history import Through
from activities.models import Partner
from finance import services
from finance.models import ContributorGroup, FinancialEntry
from tests.factories import ActivityFactory, PartnerFactory
from tests.helpers import group_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(db: None) -> dict[str, Any]:
    """An activity with a group's planned and allocated lines; the group names FAO."""
    fao = PartnerFactory(name="FAO of the United Nations", acronym="FAO", country=None)
    wfp = PartnerFactory(name="World Food Programme", acronym="WFP", country=None)
    group = ContributorGroup.objects.create(
        label="Other contributors (FAO, WFP)", label_key="other contributors fao wfp"
    )
    group.members.set([fao, wfp])
    activity = ActivityFactory(title="Greater Mekong competitiveness")
    lines = [
        group_line(activity, group, "130000", stage=stage).pk for stage in ("planned", "allocated")
    ]
    return {"activity": activity, "group": group, "fao": fao, "wfp": wfp, "lines": lines}


def split_url(setting: dict[str, Any]) -> str:
    return reverse("finance:group_split", args=[setting["activity"].pk, setting["group"].pk])


def body(setting: dict[str, Any], parts: dict[int, tuple[str, str]], **extra: Any) -> dict:
    """Row r gives partner parts[r][0] the amount parts[r][1] of every line."""
    data: dict[str, Any] = {"version": services.ledger_version(setting["activity"]), **extra}
    for row, (partner, amount) in parts.items():
        data[f"partner_{row}"] = partner
        for pk in setting["lines"]:
            data[f"amount_{row}_{pk}"] = amount
    return data


def partner_money(partner: Partner) -> Decimal:
    total = FinancialEntry.objects.filter(contributor=partner).aggregate(t=Sum("amount_usd"))["t"]
    return total or Decimal(0)


def test_the_list_shows_each_groups_money_not_yet_split(
    focal: User,
    setting: dict[str, Any],
    client_for: Callable[[User | None], Any],
    django_assert_max_num_queries: Any,
) -> None:
    other = ActivityFactory()
    for _ in range(5):
        group_line(other, setting["group"], "10", stage="planned")
    client = client_for(focal)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("finance:groups")).content.decode()
    assert "Other contributors (FAO, WFP)" in page and "260,000.00" in page
    assert "FAO of the United Nations (FAO)" in page and split_url(setting) in page
    found = client.get(reverse("finance:groups"), {"q": "nothing like it"}).content.decode()
    assert "No group matches this search" in found


def test_a_split_is_checked_then_confirmed_and_keeps_the_totals(
    focal: User, setting: dict[str, Any], client_for: Callable[[User | None], Any]
) -> None:
    client = client_for(focal)
    form = client.get(split_url(setting)).content.decode()
    assert 'value="FAO of the United Nations (FAO)"' in form  # the members come first
    data = body(setting, {0: (setting["fao"].pk, "100 000"), 1: (setting["wfp"].pk, "30 000")})
    check = client.post(split_url(setting), data)
    assert check.status_code == 200 and "Split the money" in check.content.decode()
    assert not FinancialEntry.objects.filter(contributor__isnull=False).exists()
    done = client.post(split_url(setting), {**data, "confirm": "on"})
    assert done.status_code == 302
    assert done["Location"] == reverse("finance:activity", args=[setting["activity"].pk])
    assert partner_money(setting["fao"]) == Decimal("200000")
    assert partner_money(setting["wfp"]) == Decimal("60000")
    total = FinancialEntry.objects.aggregate(t=Sum("amount_usd"))["t"]
    assert total == Decimal("260000")
    page = client.get(done["Location"]).content.decode()
    assert "Group, not yet split" not in page and "World Food Programme" in page
    # Every line the split wrote (reversals and parts) keeps the page's form as its channel.
    written = FinancialEntry.history.filter(history_type="+", contributor__isnull=False)
    assert set(written.values_list("history_change_reason", flat=True)) == {Through.FORM}
    reversals = FinancialEntry.history.filter(entry_type="reversal")
    assert set(reversals.values_list("history_change_reason", flat=True)) == {Through.FORM}


@pytest.mark.parametrize(
    ("parts", "field", "message"),
    [
        ({0: ("fao", "100000"), 1: ("wfp", "20000")}, None, "add up to 120,000.00 USD"),
        ({0: ("fao", "a lot"), 1: ("wfp", "30000")}, "amount_0", "is not a number"),
        ({0: ("", "100000"), 1: ("wfp", "30000")}, "partner_0", "Say which partner"),
        ({0: ("fao", "100000"), 1: ("fao", "30000")}, "partner_1", "listed twice"),
        ({0: ("fao", "130000.001")}, None, "to the cent"),
        ({0: ("fao", "-1"), 1: ("wfp", "130001")}, None, "0 or more"),
        ({0: ("fao", "1e400"), 1: ("wfp", "30000")}, "amount_0", ""),
        ({0: ("Nobody Known", "130000")}, "partner_0", ""),
    ],
)
def test_a_bad_split_is_named_and_writes_nothing(
    focal: User,
    setting: dict[str, Any],
    client_for: Callable[[User | None], Any],
    parts: dict[int, tuple[str, str]],
    field: str | None,
    message: str,
) -> None:
    given = {
        row: (setting[name].pk if name in ("fao", "wfp") else name, amount)
        for row, (name, amount) in parts.items()
    }
    count = FinancialEntry.objects.count()
    response = client_for(focal).post(split_url(setting), body(setting, given, confirm="on"))
    assert response.status_code == 400
    page = response.content.decode()
    if field is not None:
        name = field if field.startswith("partner") else f"{field}_{setting['lines'][0]}"
        assert f'id="id_{name}_error"' in page
    assert message in page
    if field is None:
        assert "Cofinancing (cash), planned, USD, 2024" in page  # the line it is about
    assert FinancialEntry.objects.count() == count


def test_a_split_of_figures_changed_meanwhile_is_refused(
    focal: User, setting: dict[str, Any], client_for: Callable[[User | None], Any]
) -> None:
    data = body(
        setting,
        {0: (setting["fao"].pk, "130000")},
        confirm="on",
        version=services.ledger_version(setting["activity"]) - 1,
    )
    response = client_for(focal).post(split_url(setting), data)
    assert response.status_code == 409
    assert not FinancialEntry.objects.filter(contributor__isnull=False).exists()


def test_only_the_focal_point_sees_the_split_link(
    focal: User, cpm: User, setting: dict[str, Any], client_for: Callable[[User | None], Any]
) -> None:
    url = reverse("finance:activity", args=[setting["activity"].pk])
    focal_page = client_for(focal).get(url).content.decode()
    cpm_page = client_for(cpm).get(url).content.decode()
    assert "Group, not yet split" in focal_page and "Group, not yet split" in cpm_page
    assert split_url(setting) in focal_page and split_url(setting) not in cpm_page


def test_going_back_from_the_confirmation_keeps_what_was_typed(
    focal: User, setting: dict[str, Any], client_for: Callable[[User | None], Any]
) -> None:
    data = body(setting, {0: (setting["fao"].pk, "100 000"), 1: (setting["wfp"].pk, "30000")})
    page = client_for(focal).post(split_url(setting), {**data, "edit": "1"}).content.decode()
    assert "Check the split" in page and 'value="100 000"' in page
    assert not FinancialEntry.objects.filter(contributor__isnull=False).exists()
