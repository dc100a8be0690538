"""A CPM shares a case study and answers a learning demand with it, in Chromium.

The CPM uploads a case-study PDF (generated here) from an activity's page, finds it by a word
that occurs only inside the PDF, records a learning demand, gets the activity's host proposed as
a match with its reasons, and turns the match into a new Pipeline activity. Run alone with
`pytest -m browser`; screenshots of each page go to $SCREENSHOT_DIR as knowledge-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from activities.models import Activity, Country, CountryRole, PartnerRole, Status
from knowledge.models import DemandStatus, KnowledgeAsset, LearningDemand
from tests.browser.pages import log_in
from tests.factories import ActivityFactory, PartnerFactory, country, theme
from tests.knowledge.factories import make_offer
from tests.knowledge.files import pdf_bytes

pytestmark = [
    pytest.mark.browser,
    # The live server needs committed data; serialized_rollback brings back the reference data.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A word that is nowhere but inside the PDF's text layer.
PDF_ONLY_WORD = "Quinuamarka"


def _label(text: str) -> re.Pattern[str]:
    """A field's label, whether or not it carries the required-field star."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def _shoot(page: Page, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"knowledge-{name}.png"), full_page=True)


def _fill_case_study(page: Page, activity: Activity) -> None:
    """From the activity's page, the form of a case study with a PDF only it contains."""
    page.goto(activity.get_absolute_url())
    page.get_by_role("link", name="Add an asset from this activity").click()
    expect(page.get_by_label(_label("Linked activities"))).to_have_value(activity.ssc_id)
    page.get_by_label(_label("Title")).fill("How Andean farmers run their quinoa value chain")
    page.get_by_label(_label("Type")).select_option(label="Case study")
    page.get_by_label(_label("Abstract")).fill("Producers' associations own the processing.")
    page.get_by_label(_label("Files")).set_input_files(
        files=[
            {
                "name": "quinoa-case-study.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes(
                    "Case study: the quinoa value chain of the Peruvian altiplano.",
                    f"The {PDF_ONLY_WORD} cooperative cleans and sells the grain together.",
                ),
            }
        ]
    )


def _fill_demand(page: Page, bolivia: Country) -> None:
    """A demand from Bolivia on farmer-owned processing, in Spanish, on value chains."""
    page.get_by_role("link", name="Record a demand").click()
    page.get_by_label(_label("Country programme")).select_option(label=bolivia.name)
    page.get_by_label(_label("What they want to learn")).fill(
        "Farmer-owned processing of Andean grains"
    )
    page.get_by_label(_label("For whom")).fill("Staff and farmer leaders of the project")
    page.get_by_label(_label("Working language")).select_option(label="Spanish")
    page.get_by_label("Inclusive agricultural value chains").check()


def _search_library(page: Page) -> None:
    """Search the library for the word only the case study's PDF holds, as typed in lower
    case: the case study alone is found, the word highlighted as the PDF writes it."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Knowledge").click()
    page.get_by_label("Search the library").fill(PDF_ONLY_WORD.lower())
    page.get_by_role("button", name="Search", exact=True).click()
    result = page.locator(".result").filter(has_text="How Andean farmers run their quinoa")
    expect(result).to_have_count(1)
    expect(result.locator("mark")).to_have_text(PDF_ONLY_WORD)


def test_cpm_shares_a_case_study_and_turns_a_matched_demand_into_an_activity(
    live_server,  # type: ignore[no-untyped-def]
    live_settings: None,
    browser: Browser,
    screenshots: Path,
    cpm: User,
    focal: User,
) -> None:
    host = PartnerFactory(
        name="Asociación de Productores de Quinua", acronym="APQ", country=country("PE")
    )
    activity = ActivityFactory(
        title="Quinoa value chain exchange",
        status=Status.COMPLETED,
        countries=["PE", ("EC", CountryRole.RECEIVER)],
        partners=[(host, PartnerRole.HOST)],
        themes=[theme(3)],
    )
    make_offer(
        activity=activity, title="Farmer-run quinoa value chains", languages=["es"], user=focal
    )
    bolivia = country("BO")

    page = browser.new_page(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, "cpm")

    # 1. From the activity's page, upload a case study as a PDF.
    _fill_case_study(page, activity)
    _shoot(page, screenshots, "asset-form")
    page.get_by_role("button", name="Add to the library").click()
    expect(page.get_by_text("The asset was added to the library.")).to_be_visible()
    expect(page.get_by_role("link", name="quinoa-case-study.pdf")).to_be_visible()
    _shoot(page, screenshots, "asset")

    # 2. Find it by the word that is only inside the PDF.
    _search_library(page)
    _shoot(page, screenshots, "search")

    # 3. Record a learning demand from Bolivia on value chains.
    page.get_by_role("link", name="Learning demands").click()
    _fill_demand(page, bolivia)
    _shoot(page, screenshots, "demand-form")
    page.get_by_role("button", name="Record and see matches").click()

    # 4. The activity's host is proposed, with its reasons.
    proposal = page.locator(".result").filter(has_text=host.name)
    expect(proposal).to_be_visible()
    expect(proposal).to_contain_text("Can work in Spanish.")
    expect(proposal).to_contain_text("1 knowledge asset on these themes")
    _shoot(page, screenshots, "demand")

    # 5. Accept it: a new Pipeline activity with the countries and the host.
    proposal.get_by_role("button", name=re.compile("^Accept and create the activity")).click()
    expect(page.get_by_text("was created in the pipeline from this match")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Farmer-owned processing of Andean grains"
    )
    _shoot(page, screenshots, "new-activity")

    asset = KnowledgeAsset.objects.get()
    assert list(asset.activities.all()) == [activity]
    assert PDF_ONLY_WORD in asset.file_text and PDF_ONLY_WORD not in asset.title + asset.abstract
    demand = LearningDemand.objects.get()
    assert demand.status == DemandStatus.MATCHED and demand.created_by == cpm
    created = demand.activity
    assert created is not None and created.status == Status.PIPELINE
    assert page.url.endswith(created.get_absolute_url())
    assert set(created.country_links.values_list("country__iso2", "role")) == {
        ("BO", CountryRole.RECEIVER),
        ("PE", CountryRole.PROVIDER),
    }
    assert list(created.partner_links.values_list("partner", "role")) == [
        (host.pk, PartnerRole.HOST)
    ]
    assert Activity.objects.count() == 2
