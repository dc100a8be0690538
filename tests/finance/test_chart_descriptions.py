"""The dashboard's text alternatives name the sides the charts are drawn on: in a right-to-left
language the years' bars run from the right and the flows from providers on the right, and the
descriptions say so (their translations come later; the English message is the one asked for)."""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.models import User
from finance import rollups
from finance.dashboard import Reference, Selection, cache_version
from finance.dashboard.charts import flow_chart, year_chart
from finance.dashboard.formatting import format_count
from finance.dashboard.selection import TOP_FLOWS
from finance.rollups import RollupFilters
from tests.finance.dashboard_data import small_portfolio

pytestmark = pytest.mark.django_db

YEARS = (
    "Each year has three bars, planned, allocated and spent (%s, lighter to darker); each bar "
    "stacks IFAD, cofinancing and in-kind, in US$."
)
FLOWS = (
    "Provider countries (%s) and receiver countries (%s) of the same activity, weighted by the "
    "number of activities with money in the selection; the %%(top)d most frequent pairs of "
    "%%(pairs)s. Two-way exchange countries count on both sides."
)


@pytest.mark.parametrize(
    ("language", "years", "flows"),
    [
        ("en", YEARS % "left to right", FLOWS % ("left", "right")),
        ("fr", YEARS % "left to right", FLOWS % ("left", "right")),
        ("ar", YEARS % "right to left", FLOWS % ("right", "left")),
    ],
)
def test_the_chart_descriptions_follow_the_pages_direction(
    language: str, years: str, flows: str, focal: User
) -> None:
    small_portfolio()
    state = rollups.rollup_state()
    selection = Selection(focal, RollupFilters(), Reference.load(), version=cache_version(state))
    with translation.override(language):
        assert year_chart(selection).description == translation.gettext(years)
        numbers = {"top": TOP_FLOWS, "pairs": format_count(selection.flow_pairs)}
        expected = translation.gettext(flows) % numbers
        assert flow_chart(selection).description == expected
