"""The activity form helps: refused, it starts from a summary that names and links each field;
a partner is typed by its acronym or a former name; a refused ledger line keeps the row aligned.

Screenshots at 1366 and 390 px wide go to $SCREENSHOT_DIR (default: the test's tmp_path).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role
from activities.models import Activity, PartnerRole, Status
from activities.services import update_partner
from tests.browser.pages import log_in
from tests.factories import ActivityFactory, PartnerFactory, UserFactory, country

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (1366, 390)


def _shoot(page: Page, directory: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(directory / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def test_the_summary_takes_the_focus_links_each_field_and_partners_are_found_by_any_name(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
) -> None:
    UserFactory(username="cpm", role=Role.CPM, divisions=["LAC"])
    fao = PartnerFactory(
        name="Food and Agriculture Organization of the United Nations", acronym="FAO", country=None
    )
    embrapa = update_partner(
        partner=PartnerFactory(
            name="Brazilian Agricultural Research Corporation", acronym="EMBRAPA"
        ),
        user=None,
        aliases=["Empresa Brasileira de Pesquisa Agropecuária"],
    )
    imported = ActivityFactory(
        title="Imported exchange on seeds", activity_type="", status=Status.APPROVED
    )

    page = browser.new_page(base_url=live_server.url)
    page.set_default_timeout(10_000)
    log_in(page, "cpm")
    page.goto(f"/activities/{imported.pk}/edit/")
    partners = page.locator('[data-formset="partners"] input[list="partner-names"]')
    partners.nth(0).fill("fao")
    page.locator("#id_partners-0-roles_0").check()  # host
    partners.nth(1).fill("empresa brasileira de pesquisa agropecuaria")
    page.locator("#id_partners-1-roles_4").check()  # implementer
    page.locator("#id_status").select_option("ongoing")
    page.get_by_role("button", name="Save changes").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Activity type")
    expect(summary).to_contain_text("imported without an activity type")
    expect(summary).not_to_contain_text("__all__")
    # The partners typed by acronym and former name were taken: no refusal on their rows.
    expect(page.locator('[data-formset="partners"] .errorlist')).to_have_count(0)
    _shoot(page, screenshots, "activity-form-errors")
    summary.get_by_role("link", name="Activity type").click()
    expect(page.locator("#id_activity_type")).to_be_focused()

    page.locator("#id_activity_type").select_option("training")
    page.get_by_role("button", name="Save changes").click()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("An ongoing activity has started")
    expect(summary).not_to_contain_text("actual_start")
    summary.get_by_role("link", name="Actual start").click()
    expect(page.locator("#id_actual_start")).to_be_focused()
    page.locator("#id_actual_start").fill("2025-03-01")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported exchange on seeds")
    stored = Activity.objects.get(pk=imported.pk)
    assert (stored.status, stored.actual_start) == (Status.ONGOING, datetime.date(2025, 3, 1))
    assert set(stored.partner_links.values_list("partner", "role")) == {
        (fao.pk, PartnerRole.HOST),
        (embrapa.pk, PartnerRole.IMPLEMENTER),
    }


def test_the_partner_list_finds_by_acronym_and_former_name_and_a_refused_line_stays_aligned(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
) -> None:
    UserFactory(username="cpm", role=Role.CPM, divisions=["LAC"])
    update_partner(
        partner=PartnerFactory(name="Brazilian Agricultural Research Corporation", acronym="EMB"),
        user=None,
        aliases=["Empresa Brasileira de Pesquisa Agropecuária"],
    )
    PartnerFactory(name="Zamorano", country=country("HN"))
    activity = ActivityFactory(title="Exchange on cassava")

    page = browser.new_page(base_url=live_server.url)
    page.set_default_timeout(10_000)
    log_in(page, "cpm")
    for typed in ("emb", "agropecuaria"):
        page.goto("/partners/")
        page.get_by_label("Search").fill(typed)
        page.get_by_role("button", name="Apply", exact=True).click()
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Brazilian Agricultural Research Corporation")
    _shoot(page, screenshots, "partner-search-alias")

    page.goto(f"/activities/{activity.pk}/finance/")
    page.locator("#id_lines-0-amount").fill("1000")
    page.locator("#id_lines-0-contributor").fill("Nobody we know")
    page.get_by_role("button", name="Record lines").click()
    expect(page.locator("#id_lines-0-contributor + .errorlist")).to_be_visible()
    # The labels of the row's fields stay on one line: an error lifts none of them.
    tops = (
        page.locator(".entry-line")
        .first.locator(".formset-row")
        .first.evaluate(
            "row => [...row.querySelectorAll(':scope > .field > label')]"
            ".map(label => Math.round(label.getBoundingClientRect().top))"
        )
    )
    assert len(set(tops[:3])) == 1, tops
    page.locator("#add").screenshot(path=str(screenshots / "finance-refused-line-1366.png"))
