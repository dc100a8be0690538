"""The dashboard: its totals reconcile with the activities' finance pages and with the workbook
export, by country and theme they add up to the portfolio total, it issues the same number of
queries whatever the size of the portfolio, and it shows each user only their scope."""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import Max, Min, QuerySet
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from accounts.models import User
from activities.filters import ActivityFilter
from activities.models import (
    Activity,
    ActivityCountry,
    Agreement,
    Country,
    Division,
    Partner,
    Theme,
    Visibility,
)
from finance import rollups
from finance.dashboard import (
    TABLE_SLUGS,
    TOP_FLOWS,
    Column,
    Reference,
    Selection,
    Table,
    format_usd,
    warm_default_views,
)
from finance.export import build_workbook
from finance.importer import import_legacy_workbook
from finance.models import (
    ActivityMoney,
    ActivityYearTotal,
    FinancialEntry,
    RollupRefresh,
    Stage,
)
from finance.summary import activity_finance
from tests.factories import PARTNER_ORG_NAME, ActivityFactory, division, make_partner_org
from tests.finance.dashboard_data import generate_ledger, small_portfolio
from tests.helpers import shared_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_templates")]

SAMPLE = Path(__file__).resolve().parents[3] / "shared/legacy/ssc-corporate-spreadsheet-sample.xlsx"
FAMILIES = {"IFAD": "ifad", "Cofinancing": "cofinancing", "In-kind": "in_kind"}
STAGE_WORDS = {"planned": Stage.PLANNED, "allocated": Stage.ALLOCATED, "spent": Stage.SPENT}


# --- helpers --------------------------------------------------------------------------------------


def table_csv(client: Client, slug: str, query: str = "") -> list[list[str]]:
    url = reverse("finance:dashboard_table", args=[slug, "csv"]) + (f"?{query}" if query else "")
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def summary(client: Client, query: str = "") -> dict[str, str]:
    """The headline figures from the summary CSV, by their English label."""
    return {label: value for label, value in table_csv(client, "summary", query)[1:]}


def money(summary_rows: dict[str, str]) -> dict[tuple[str, str], Decimal]:
    """{(family, stage): amount} from the summary's "IFAD planned (US$)" rows."""
    figures = {}
    for label, value in summary_rows.items():
        match = re.fullmatch(
            r"(IFAD|Cofinancing|In-kind) (planned|allocated|spent) \(US\$\)", label
        )
        if match:
            figures[FAMILIES[match[1]], STAGE_WORDS[match[2]]] = Decimal(value)
    assert len(figures) == 9
    return figures


def pages_money(activities: QuerySet[Activity]) -> dict[tuple[str, str], Decimal]:
    """The same figures summed from each activity's finance page."""
    totals = {key: Decimal("0.00") for key in ((f, s) for f in FAMILIES.values() for s in Stage)}
    for activity in activities:
        sheet = activity_finance(activity)
        for family in FAMILIES.values():
            for stage in Stage:
                totals[family, stage] += getattr(sheet, family)[stage]
    return totals


def export_ifad(activities: QuerySet[Activity]) -> tuple[int, dict[str, Decimal]]:
    """Activity rows and the Total row's IFAD planned/allocated/spent of the workbook export."""
    book = openpyxl.load_workbook(io.BytesIO(build_workbook(activities)), read_only=True)
    rows = list(book["Activities"].iter_rows(values_only=True))
    total = next(row for row in rows if row[1] == "Total")
    ifad = {stage: Decimal(str(total[10 + index] or 0)) for index, stage in enumerate(Stage.values)}
    return len(rows) - 2, ifad


def column_sum(rows: list[list[str]], column: str) -> tuple[Decimal, Decimal]:
    """(sum of the body rows, the Total row) of one column of a downloaded table."""
    index = rows[0].index(column)
    body, total = rows[1:-1], rows[-1]
    assert total[0] == "Total"
    return sum((Decimal(row[index]) for row in body), Decimal(0)), Decimal(total[index])


def import_sample(user: User) -> None:
    with SAMPLE.open("rb") as handle:
        import_legacy_workbook(handle=handle, filename=SAMPLE.name, user=user, dry_run=False)
    rollups.rebuild_all()


def activities_with_money(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    return queryset.filter(pk__in=FinancialEntry.objects.values("activity_id"))


def listed(query: str, user: User) -> QuerySet[Activity]:
    """The activities the list page (and the workbook export) select for the same parameters."""
    params = dict(pair.split("=") for pair in query.split("&")) if query else {}
    return ActivityFilter(params or None, queryset=Activity.objects.visible_to(user)).qs


def assert_reconciles(
    client: Client, query: str, activities: QuerySet[Activity]
) -> dict[tuple[str, str], Decimal]:
    """The dashboard's figures for `query` equal the finance pages' and the export's."""
    assert activities.exists(), f"{query} selects nothing: the comparison would prove nothing"
    figures = summary(client, query)
    dashboard = money(figures)
    assert dashboard == pages_money(activities), query
    count, ifad = export_ifad(activities)
    for stage in Stage.values:
        assert dashboard["ifad", stage] == ifad[stage], (query, stage)
    assert int(figures["Activities with money"]) == activities.count() == count, query
    # Every chart's table adds up to the same total, countries and themes included.
    for slug in ("years", "divisions", "themes", "modalities", "countries"):
        rows = table_csv(client, slug, query)
        for column in ("IFAD allocated (US$)", "Cofinancing allocated (US$)", "IFAD planned (US$)"):
            body, total = column_sum(rows, column)
            assert body == total, (query, slug, column)
        assert column_sum(rows, "IFAD allocated (US$)")[1] == dashboard["ifad", Stage.ALLOCATED]
    return dashboard


# --- reconciliation -------------------------------------------------------------------------------


@pytest.mark.skipif(not SAMPLE.exists(), reason="../shared/legacy is beside the repository in CI")
def test_sample_totals_equal_the_finance_pages_and_the_export_for_several_filters(
    focal: User, focal_client: Client
) -> None:
    import_sample(focal)
    everything = assert_reconciles(focal_client, "", Activity.objects.all())
    assert everything["ifad", Stage.ALLOCATED] == Decimal("6544000.00")
    assert everything["cofinancing", Stage.ALLOCATED] == Decimal("2332000.00")
    for query in (
        "division=APR",
        "division=LAC",
        "status=ongoing",
        "funding_nature=in_project",
        "division=APR&status=completed",
        "modality=triangular",
    ):
        assert_reconciles(focal_client, query, activities_with_money(listed(query, focal)))
    # Several values of one filter, and fiscal years (one year per activity in the sample).
    both = Activity.objects.filter(lead_division__code__in=["LAC", "ESA"])
    assert_reconciles(focal_client, "division=LAC&division=ESA", both)
    years = Activity.objects.filter(financial_entries__fiscal_year__range=(2007, 2009)).distinct()
    assert_reconciles(focal_client, "fiscal_year_from=2007&fiscal_year_to=2009", years)

    page = focal_client.get(reverse("finance:dashboard")).content.decode()
    assert f'data-figure="ifad_allocated">{format_usd(Decimal("6544000"), 0)}<' in page
    assert 'data-figure="activities">16<' in page


def test_generated_portfolio_reconciles_and_countries_and_themes_add_up(
    focal: User, focal_client: Client
) -> None:
    generate_ledger(activities=40, entries_per_activity=6, seed=11)
    total = assert_reconciles(focal_client, "", activities_with_money(Activity.objects))
    for query in ("division=APR", "status=ongoing", "modality=south_south", "funding_nature=grant"):
        assert_reconciles(focal_client, query, activities_with_money(listed(query, focal)))

    # A country's row is what the dashboard shows when filtering on that country alone, and
    # the rows (each activity split by its shares, in whole cents) add up to the total.
    countries = table_csv(focal_client, "countries")
    allocated = countries[0].index("IFAD allocated (US$)")
    body, table_total = column_sum(countries, "IFAD allocated (US$)")
    assert body == table_total == total["ifad", Stage.ALLOCATED]
    busiest = countries[1]
    code = Country.objects.get(name=busiest[0]).iso2
    alone = money(summary(focal_client, f"country={code}"))
    assert alone["ifad", Stage.ALLOCATED] == Decimal(busiest[allocated])

    themes = table_csv(focal_client, "themes")
    body, table_total = column_sum(themes, "In-kind spent (US$)")
    assert body == table_total == total["in_kind", Stage.SPENT]
    first_theme = Theme.objects.get(name=themes[1][0])
    alone = money(summary(focal_client, f"theme={first_theme.code}"))
    assert alone["in_kind", Stage.SPENT] == Decimal(
        themes[1][themes[0].index("In-kind spent (US$)")]
    )


# --- a constant number of queries -----------------------------------------------------------------

QUERIES = (
    "",
    "fiscal_year_from=2019&fiscal_year_to=2023",
    "division=APR&division=LAC&status=ongoing",
    "country=BR&modality=triangular",
    "theme=gender&funding_nature=grant",
)


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def query_counts(client: Client) -> dict[str, tuple[int, int]]:
    """For each filter set: (queries with an empty cache, queries once cached)."""
    counts = {}
    for query in QUERIES:
        url = reverse("finance:dashboard") + (f"?{query}" if query else "")
        caches["dashboard"].clear()
        cold = queries_for(client, url)
        counts[query] = (cold, queries_for(client, url))
    return counts


def test_dashboard_issues_the_same_number_of_queries_for_a_small_and_a_larger_portfolio(
    focal_client: Client,
    cpm_client: Client,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    generate_ledger(activities=6, entries_per_activity=2, seed=3)
    small = query_counts(focal_client)
    small_cpm = query_counts(cpm_client)
    generate_ledger(activities=120, entries_per_activity=8, seed=4)
    assert FinancialEntry.objects.count() > 10 * 12
    assert query_counts(focal_client) == small
    assert query_counts(cpm_client) == small_cpm
    # Pinned: session, user, the inbox's unread count, 3 reference lists, 3 for the state, the
    # cache's version (the selection's slices), 5 roll-up reads (years, divisions and
    # modalities in one; countries; themes; the top activities; flows), the top activities'
    # names, the closed periods, the coverage's 2 reads (activities by agreement, which give the
    # page's count too; confirmed money) and the in-kind from the ledger's lines with a unit
    # (what leverage left out and the quantities by provider, in one read). Once cached, the 8
    # reads are skipped.
    caches["dashboard"].clear()
    with django_assert_num_queries(20):
        focal_client.get(reverse("finance:dashboard"))
    with django_assert_num_queries(12):
        focal_client.get(reverse("finance:dashboard"))


def test_single_table_download_runs_only_its_own_queries(focal_client: Client) -> None:
    generate_ledger(activities=5, entries_per_activity=2, seed=5)
    caches["dashboard"].clear()
    url = reverse("finance:dashboard_table", args=["themes", "csv"])
    # session, user, 3 reference lists, the cache's version, the theme sums.
    assert queries_for(focal_client, url) == 7


def test_cached_figures_follow_a_recomputed_slice(focal: User, focal_client: Client) -> None:
    activity = ActivityFactory(countries=["BR"])
    FinancialEntry.objects.create(
        activity=activity, kind="ifad_grant", stage="allocated", amount=100, currency="USD",
        value_date=datetime.date(2024, 1, 1), fiscal_year=2024, units_per_usd=1, amount_usd=100,
    )  # fmt: skip
    rollups.rebuild_all()
    assert money(summary(focal_client))["ifad", Stage.ALLOCATED] == Decimal("100.00")
    FinancialEntry.objects.create(
        activity=activity, kind="ifad_grant", stage="allocated", amount=5, currency="USD",
        value_date=datetime.date(2024, 1, 1), fiscal_year=2024, units_per_usd=1, amount_usd=5,
    )  # fmt: skip
    # Not recomputed yet: the roll-up is a snapshot, and the cache serves the same snapshot.
    assert money(summary(focal_client))["ifad", Stage.ALLOCATED] == Decimal("100.00")
    rollups.compute_slices([(2024, activity.lead_division_id)])
    assert money(summary(focal_client))["ifad", Stage.ALLOCATED] == Decimal("105.00")


def _allocate(activity: Activity, amount: int, year: int) -> None:
    FinancialEntry.objects.create(
        activity=activity, kind="ifad_grant", stage="allocated", amount=amount, currency="USD",
        value_date=datetime.date(year, 1, 1), fiscal_year=year, units_per_usd=1,
        amount_usd=amount,
    )  # fmt: skip


def test_a_recomputed_slice_leaves_other_years_and_divisions_cached(
    focal_client: Client,
) -> None:
    """The figures of a selection are cached under the time its own slices (years x
    divisions) were computed: an edit to LAC's 2024 leaves APR's and 2023's views served from
    the cache, while LAC's and the whole portfolio's follow it."""
    lac = ActivityFactory(countries=["BR"])
    apr = ActivityFactory(countries=["IN"], lead_division=division("APR"))
    for activity, year in ((lac, 2023), (lac, 2024), (apr, 2024)):
        _allocate(activity, 100, year)
    rollups.rebuild_all()
    caches["dashboard"].clear()
    untouched = ["division=APR", "fiscal_year_from=2023&fiscal_year_to=2023"]
    url = reverse("finance:dashboard")
    for query in untouched:
        queries_for(focal_client, f"{url}?{query}")
    cached = {query: queries_for(focal_client, f"{url}?{query}") for query in untouched}
    assert money(summary(focal_client, "division=LAC"))["ifad", Stage.ALLOCATED] == 200
    assert money(summary(focal_client))["ifad", Stage.ALLOCATED] == 300
    _allocate(lac, 5, 2024)
    rollups.compute_slices([(2024, lac.lead_division_id)])
    assert {query: queries_for(focal_client, f"{url}?{query}") for query in untouched} == cached
    assert money(summary(focal_client, "division=LAC"))["ifad", Stage.ALLOCATED] == 205
    assert money(summary(focal_client))["ifad", Stage.ALLOCATED] == 305
    assert money(summary(focal_client, "division=APR"))["ifad", Stage.ALLOCATED] == 100


def test_the_worker_warms_the_portfolio_view_so_its_first_viewer_reads_no_roll_up(
    focal_client: Client,
    cpm_client: Client,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    generate_ledger(activities=6, entries_per_activity=2, seed=6)
    caches["dashboard"].clear()
    assert warm_default_views() is True
    # The cached page's 12 queries (session, user, the inbox's unread count, 3 reference lists,
    # 3 for the state, the cache's version, the top activities' names, the closed periods):
    # none of the 7 roll-up reads.
    with django_assert_num_queries(12):
        assert focal_client.get(reverse("finance:dashboard")).status_code == 200
    # A CPM's scope is narrower: not warmed, computed on demand.
    with CaptureQueriesContext(connection) as captured:
        assert cpm_client.get(reverse("finance:dashboard")).status_code == 200
    assert len(captured) > 9


def test_nothing_is_warmed_before_any_roll_up_is_computed() -> None:
    assert warm_default_views() is False


@pytest.fixture(scope="class")
def shared_small_ledger(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[None]:
    """A small generated portfolio, rolled up, made once for the class's cases."""
    with shared_transaction(django_db_blocker):
        generate_ledger(activities=8, entries_per_activity=3, seed=7)
        yield


class TestWithRedisUnreachable:
    """The cases of one small portfolio (shared_small_ledger), each in a savepoint of it."""

    @pytest.mark.parametrize("query", ["", "country=BR", "division=LAC&fiscal_year_from=2020"])
    def test_with_redis_unreachable_the_dashboard_computes_the_same_figures(
        self,
        shared_small_ledger: None,
        focal_client: Client,
        query: str,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caches["dashboard"].clear()
        expected = summary(focal_client, query)
        unreachable = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
        with override_settings(CACHES={**settings.CACHES, "dashboard": unreachable}):
            assert summary(focal_client, query) == expected
            assert focal_client.get(reverse("finance:dashboard") + f"?{query}").status_code == 200
        assert "Dashboard cache unreachable" in caplog.text


# --- the page -------------------------------------------------------------------------------------


def test_page_shows_headline_figures_charts_tables_and_downloads(focal_client: Client) -> None:
    lac, _apr = small_portfolio()
    response = focal_client.get(reverse("finance:dashboard"))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-figure="ifad_allocated">US$\u00a01,500<' in page
    assert 'data-figure="cofinancing">US$\u00a02,800<' in page
    assert 'data-figure="leverage">1.87x<' in page  # 2,800 / 1,500
    assert 'data-figure="activities">2<' in page
    assert 'data-figure="countries">3<' in page
    assert "Figures as of" in page
    for slug in TABLE_SLUGS[1:]:
        if slug != "quantities":  # a table, not a chart: it has rows only with quantities
            assert f'data-chart="{slug}"' in page
            assert f'data-table="{slug}"' in page
        assert reverse("finance:dashboard_table", args=[slug, "csv"]) in page
    assert "No in-kind quantities are recorded for this selection." in page
    assert 'id="dashboard-data"' in page
    assert "vendor/echarts.min.js" in page and "js/dashboard.js" in page
    assert "shares given on the activity, or equally" in page  # how the money is split
    # The top activities link to their finance pages.
    assert reverse("finance:activity", args=[lac.pk]) in page
    assert "<script>" not in page and "style=" not in page  # CSP: no inline script or style


def test_data_tables_head_each_row_align_the_numbers_and_total_in_the_footer(
    focal_client: Client,
) -> None:
    small_portfolio()
    page = focal_client.get(reverse("finance:dashboard")).content.decode()
    found = re.search(r'<table class="table" data-table="divisions">.*?</table>', page, re.S)
    assert found is not None
    table = found.group(0)
    assert '<th scope="col">Division</th>' in table
    assert '<th scope="col" class="num">IFAD allocated (US$)</th>' in table
    assert "&quot;" not in table  # the header's attributes are markup, not text
    # Each division's row leads to its activities in the list (finance.dashboard.links).
    link = '<a href="/activities/?with_money=true&amp;division=LAC">'
    assert f'<tr><th scope="row">{link}LAC: ' in table
    assert '<tfoot><tr><th scope="row">Total</th><td class="num nowrap">' in table


def test_a_table_without_rows_says_so_and_has_no_total() -> None:
    columns = [Column("provider", "Provider country"), Column("activities", "Activities", "count")]
    table = Table("flows", "Who shares with whom", columns, rows=[], total=["Total", 0])
    html = render_to_string("finance/_data_table.html", {"table": table})
    assert '<td colspan="2">No money in this selection.</td>' in html
    assert '<caption class="visually-hidden">Who shares with whom</caption>' in html
    assert "<tfoot>" not in html


def test_filters_apply_to_every_chart_and_download(focal_client: Client) -> None:
    small_portfolio()
    page = focal_client.get(reverse("finance:dashboard") + "?division=APR").content.decode()
    assert 'data-figure="ifad_allocated">US$\u00a0500<' in page
    assert "Rice exchange" in page and "Learning route on cassava" not in page
    assert "?division=APR" in page  # the download links keep the filters
    rows = table_csv(focal_client, "countries", "division=APR")
    assert [row[0] for row in rows[1:]] == ["India", "Total"]


def test_invalid_filters_are_named_and_left_out(focal_client: Client) -> None:
    small_portfolio()
    url = (
        reverse("finance:dashboard")
        + "?fiscal_year_from=2025&fiscal_year_to=2020&division=XYZ&status=ongoing"
    )
    response = focal_client.get(url)
    page = response.content.decode()
    assert response.status_code == 400
    assert "To fiscal year: 2020 is before the first year, 2025." in page
    assert "division: Select a valid choice. XYZ is not one of the available choices." in page
    download = focal_client.get(
        reverse("finance:dashboard_table", args=["years", "csv"]) + "?fiscal_year_from=abc"
    )
    assert download.status_code == 400
    assert download.content.decode() == "From fiscal year: Enter a whole number."


def test_cpm_and_viewer_see_the_whole_portfolio_partner_is_refused(
    cpm_client: Client, viewer_client: Client, partner_client: Client
) -> None:
    """A CPM reads every activity on the pages, so their dashboard sums every one too."""
    small_portfolio()
    cpm_page = cpm_client.get(reverse("finance:dashboard")).content.decode()
    assert 'data-figure="ifad_allocated">US$\u00a01,500<' in cpm_page  # LAC and APR
    assert "Rice exchange" in cpm_page
    viewer_page = viewer_client.get(reverse("finance:dashboard")).content.decode()
    assert 'data-figure="ifad_allocated">US$\u00a01,500<' in viewer_page
    assert partner_client.get(reverse("finance:dashboard")).status_code == 403
    csv_url = reverse("finance:dashboard_table", args=["summary", "csv"])
    assert partner_client.get(csv_url).status_code == 403


def test_empty_portfolio_says_so_without_charts(focal_client: Client) -> None:
    page = focal_client.get(reverse("finance:dashboard")).content.decode()
    assert "No money to show yet" in page
    assert "have not been computed yet" in page
    assert "echarts" not in page
    small_portfolio()
    page = focal_client.get(reverse("finance:dashboard") + "?division=ESA").content.decode()
    assert "No money is recorded for the activities in this selection" in page
    assert "Clear filters" in page and "echarts" not in page


def test_refreshing_and_stale_states_are_visible(focal_client: Client) -> None:
    lac, _apr = small_portfolio()
    RollupRefresh.objects.create(year=2024, division_id=lac.lead_division_id)
    page = focal_client.get(reverse("finance:dashboard")).content.decode()
    assert 'data-state="refreshing"' in page and "1 recent change is being counted" in page
    RollupRefresh.objects.update(requested_at=timezone.now() - datetime.timedelta(minutes=10))
    page = focal_client.get(reverse("finance:dashboard")).content.decode()
    assert 'data-state="stale"' in page and "the background worker may be down" in page


def test_downloads_escape_formulas_and_keep_numbers(focal_client: Client) -> None:
    lac, _apr = small_portfolio()
    Activity.objects.filter(pk=lac.pk).update(title='=HYPERLINK("http://x")')
    rows = table_csv(focal_client, "top")
    assert rows[1][1] == '\'=HYPERLINK("http://x")'
    assert rows[1][-1] == "3800.00"
    response = focal_client.get(reverse("finance:dashboard_table", args=["top", "xlsx"]))
    assert response["Content-Disposition"] == 'attachment; filename="ssc-dashboard-top.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    assert sheet["B2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["H2"].value == 3800 and sheet["H2"].number_format == "#,##0.00"
    assert focal_client.get("/dashboard/tables/nothing.csv").status_code == 404
    assert focal_client.get("/dashboard/tables/top.pdf").status_code == 404


def test_flows_pair_provider_and_receiver_countries(focal_client: Client) -> None:
    small_portfolio()
    rows = table_csv(focal_client, "flows")
    assert rows == [
        ["Provider country", "Receiver country", "Activities"],
        ["Brazil", "Mozambique", "1"],
    ]


def _pairs_of(activity_ids: set[int]) -> Counter[tuple[int, int]]:
    """Who shares with whom, from the activities' links as they are now (the dashboard reads
    the pairs the roll-ups keep)."""
    links: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for activity, country_id, role in ActivityCountry.objects.filter(
        activity_id__in=activity_ids
    ).values_list("activity_id", "country_id", "role"):
        links[activity].append((country_id, role))
    pairs: Counter[tuple[int, int]] = Counter()
    for countries in links.values():
        for provider, provider_role in countries:
            for receiver, receiver_role in countries:
                if (
                    provider != receiver
                    and provider_role in rollups.PROVIDER_ROLES
                    and receiver_role in rollups.RECEIVER_ROLES
                ):
                    pairs[provider, receiver] += 1
    return pairs


@pytest.fixture(scope="class")
def shared_pairs(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """A generated portfolio whose activities share country pairs, its roll-ups computed: made
    once for the class's cases (making it cost more than reading it)."""
    with shared_transaction(django_db_blocker):
        # The partner user's organization first: the generator may link it to activities.
        make_partner_org()
        _share_pairs()
        yield


def _share_pairs() -> None:
    generate_ledger(activities=60, entries_per_activity=4, seed=11)
    # A third of the links both ways (a two-way exchange), a third of the activities public,
    # then the roll-ups computed.
    links = list(ActivityCountry.objects.order_by("pk").values_list("pk", flat=True))
    ActivityCountry.objects.filter(pk__in=links[::3]).update(role="both")
    activities = list(Activity.objects.order_by("pk").values_list("pk", flat=True))
    Activity.objects.filter(pk__in=activities[::3]).update(visibility=Visibility.PUBLIC)
    # Every agreement state on some activities of each visibility.
    for offset, state in enumerate(Agreement.values):
        Activity.objects.filter(pk__in=activities[offset::4]).update(agreement=state)
    # One pair shared by a third of the activities: counts above one in every division.
    brazil, mozambique = Country.objects.get(iso2="BR"), Country.objects.get(iso2="MZ")
    for activity_id in activities[::3] + activities[1::3]:
        ActivityCountry.objects.filter(
            activity_id=activity_id, country__in=[brazil, mozambique]
        ).delete()
        ActivityCountry.objects.create(activity_id=activity_id, country=brazil, role="provider")
        ActivityCountry.objects.create(activity_id=activity_id, country=mozambique, role="receiver")
    rollups.compute_slices(None)


class TestWhoSharesWithWhom:
    """The cases of one portfolio (shared_pairs)."""

    @pytest.fixture
    def partner_org(self, shared_pairs: None, db: None) -> Partner:
        """The partner user's organization, the one made before the portfolio."""
        return Partner.objects.get(name=PARTNER_ORG_NAME)

    @pytest.mark.parametrize("who", ["focal", "cpm", "partner_user"])
    @pytest.mark.parametrize(
        "filters",
        [
            {},
            {"divisions": "LAC"},
            {"year_from": 2015, "year_to": 2020},
            {"countries": "BR"},
            {"agreements": ("confirmed",)},
            {"agreements": ("waiting", "disputed"), "divisions": "LAC"},
        ],
        ids=[
            "everything",
            "a division",
            "a year range",
            "a country",
            "an agreement",
            "two agreements in a division",
        ],
    )
    def test_who_shares_with_whom_counts_the_pairs_of_the_selected_activities(
        self,
        who: str,
        filters: dict[str, object],
        request: pytest.FixtureRequest,
        shared_pairs: None,
    ) -> None:
        """Over all years with no filter but a division and agreements, the counts come from
        PairCount; otherwise from the pairs themselves. Either way, what a count of the live
        country links gives."""
        user = request.getfixturevalue(who)
        _assert_pairs(user, who, filters)


def _assert_pairs(user: User, who: str, filters: dict[str, object]) -> None:
    if "divisions" in filters:
        filters = {**filters, "divisions": (Division.objects.get(code=filters["divisions"]).pk,)}
    if "countries" in filters:
        filters = {**filters, "countries": (Country.objects.get(iso2=filters["countries"]).pk,)}
    selection = Selection(user, rollups.RollupFilters(**filters), Reference.load())  # type: ignore[arg-type]

    query = selection._activity_q()
    assert query is not None
    source = ActivityMoney if not filters.get("year_from") else ActivityYearTotal
    selected = set(source.objects.filter(query).values_list("activity_id", flat=True))
    expected = _pairs_of(selected)
    ranked = sorted(expected.items(), key=lambda item: (-item[1], item[0]))
    assert [tuple(row[:3]) for row in selection._flow_rows] == [
        (provider, receiver, count) for (provider, receiver), count in ranked[:TOP_FLOWS]
    ]
    assert selection.flow_pairs == len(expected)
    assert expected or who != "focal"


# --- activities: all years from ActivityMoney, a year range from ActivityYearTotal ---------------


def activity_figures(focal: User, filters: rollups.RollupFilters) -> tuple[object, ...]:
    selection = Selection(focal, filters, Reference.load())
    top = selection.top_activities
    return (
        selection.activity_count,
        [(row.activity.pk, row.ifad, row.cofinancing, row.in_kind) for row in top],
        [(flow.provider.pk, flow.receiver.pk, flow.activities) for flow in selection.flows],
        selection.flow_pairs,
    )  # fmt: skip


@pytest.fixture(scope="class")
def shared_ledger(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """A generated portfolio, rolled up, made once for the class's cases (making it cost more
    than reading it)."""
    with shared_transaction(django_db_blocker):
        generate_ledger(activities=40, entries_per_activity=6, seed=5)
        yield


class TestAllYearsAndEveryYear:
    """The cases of one portfolio (shared_ledger), each in a savepoint of it."""

    @pytest.mark.parametrize(
        "filters",
        [
            {},
            {"divisions": ("APR", "LAC")},
            {"countries": ("BR",), "modalities": ("triangular",)},
            {"statuses": ("ongoing",)},
        ],
    )
    def test_activity_counts_rankings_and_flows_of_all_years_equal_those_of_every_year(
        self, shared_ledger: None, focal: User, filters: dict[str, tuple[str, ...]]
    ) -> None:
        years = FinancialEntry.objects.aggregate(first=Min("fiscal_year"), last=Max("fiscal_year"))
        resolved = {
            name: tuple(
                Division.objects.get(code=value).pk if name == "divisions"
                else Country.objects.get(iso2=value).pk if name == "countries" else value
                for value in values
            )
            for name, values in filters.items()
        }  # fmt: skip
        every_year = rollups.RollupFilters(
            year_from=years["first"], year_to=years["last"], **resolved
        )
        all_years = rollups.RollupFilters(**resolved)
        figures = activity_figures(focal, all_years)
        assert figures == activity_figures(focal, every_year)
        assert figures[0] > 0 or filters


def test_the_ranking_follows_an_edit_once_its_slice_is_refreshed(focal: User) -> None:
    lac, apr = small_portfolio()
    [first, second] = Selection(focal, rollups.RollupFilters(), Reference.load()).top_activities
    assert (first.activity, second.activity) == (lac, apr)
    FinancialEntry.objects.create(
        activity=apr, kind="ifad_grant", stage="allocated", amount=Decimal("9000.00"),
        currency="USD", value_date=datetime.date(2023, 2, 1), fiscal_year=2023,
        units_per_usd=1, amount_usd=Decimal("9000.00"),
    )  # fmt: skip
    rollups.request_refresh_for_activities([apr.pk])
    rollups.drain_refresh_requests()
    selection = Selection(focal, rollups.RollupFilters(), Reference.load())
    [first, second] = selection.top_activities
    assert (first.activity, first.ifad) == (apr, Decimal("9500.00"))
    assert second.activity == lac
    assert selection.activity_count == 2
