"""Steps the results browser tests share: filling the framework's and an update's forms as a
person would (labels, buttons, messages), and taking screenshots."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from results.models import Indicator
from tests.knowledge.files import pdf_bytes


def label(text: str) -> re.Pattern[str]:
    """A field's label, with or without the required mark."""
    return re.compile(rf"^{re.escape(text)}( \*)?$")


def shoot(page: Page, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


def add_indicators(page: Page, screenshots: Path, prefix: str = "results-framework") -> None:
    """On an activity's results page with one result: a core quantitative indicator (people
    trained) disaggregated by sex, and a qualitative one."""
    page.get_by_role("link", name="Add an indicator").first.click()
    page.get_by_label(label("Core indicator")).select_option(label="People trained")
    page.get_by_label(label("Title")).fill("Seed producers trained in certification")
    page.get_by_label("Sex").check()
    shoot(page, screenshots, f"{prefix}-3-indicator-form")
    page.get_by_role("button", name="Save the indicator").click()
    expect(page.get_by_text("The indicator was saved.")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Add an indicator")).click()
    page.get_by_label(label("Title")).fill("Seed law drafted with the guest's ministry")
    page.get_by_label(label("Kind")).select_option(label="Qualitative")
    page.get_by_role("button", name="Save the indicator").click()
    expect(page.get_by_text("The indicator was saved.")).to_be_visible()


def set_periods(
    page: Page, screenshots: Path, trained: Indicator, prefix: str = "results-framework"
) -> None:
    """Annual periods for 2025 and 2026; 2025's target: 100 people, 60 women and 40 men."""
    page.get_by_role("button", name=f"Add annual periods {trained.title}").click()
    expect(page.get_by_text("2 annual period(s) added")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Edit 2025-01-01")).first.click()
    page.get_by_label(label("Target")).fill("100")
    page.get_by_label("Sex: Women").fill("60")
    page.get_by_label("Sex: Men").fill("40")
    shoot(page, screenshots, f"{prefix}-4-period-form")
    page.get_by_role("button", name="Save the period").click()
    expect(page.get_by_text("The reporting period was saved.")).to_be_visible()


def report(page: Page, period_url: str, screenshots: Path, prefix: str = "results") -> None:
    """A reporter's first update of 30 people (20 women, 10 men) with a PDF as evidence, after
    words typed into the value are refused naming it; then submitted."""
    page.goto(period_url)
    shoot(page, screenshots, f"{prefix}-period-empty")
    page.get_by_role("link", name="New update").first.click()
    page.get_by_label(label("Value (people)")).fill("thirty")
    page.get_by_label("Sex: Women").fill("20")
    page.get_by_label("Sex: Men").fill("10")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("“thirty” is not a number").first).to_be_visible()
    shoot(page, screenshots, f"{prefix}-update-form-refused")
    page.get_by_label(label("Value (people)")).fill("30")
    page.get_by_label("Evidence file").set_input_files(
        files=[
            {
                "name": "attendance.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes("Attendance of the first cohort"),
            }
        ]
    )
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("The update was saved as a draft.")).to_be_visible()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("The update was submitted for approval.")).to_be_visible()
    shoot(page, screenshots, f"{prefix}-period-submitted")
