"""The demo's likely duplicate: one open pair in the focal point's report, suggested again on
the New activity page, and a rerun changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import User
from activities.duplicates import Facts, suggest
from activities.models import Activity, DuplicatePair, PairState
from demo.duplicates import ORIGINAL

pytestmark = pytest.mark.django_db


def load(settings: Any) -> str:
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_the_demo_has_an_open_pair_and_a_rerun_changes_nothing(settings: Any) -> None:
    assert "SSC-2010-02 logged twice, one open pair to check." in load(settings)
    pair = DuplicatePair.objects.get()
    assert pair.state == PairState.OPEN and pair.first.ssc_id == ORIGINAL
    count = Activity.objects.count()
    assert "Likely duplicates: unchanged." in load(settings)
    assert (Activity.objects.count(), DuplicatePair.objects.count()) == (count, 1)
    focal = User.objects.get(username="admin")
    copy = Activity.objects.prefetch_related("country_links", "partner_links").get(
        pk=pair.second_id
    )
    again = Facts(
        title=copy.title, countries=Facts.of_activity(copy).countries, partners=frozenset(),
        years=Facts.of_activity(copy).years,
    )  # fmt: skip
    assert {m.activity.pk for m in suggest(again, focal)} >= {pair.first_id, pair.second_id}
