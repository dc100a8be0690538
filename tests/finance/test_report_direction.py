"""The PDF report follows its reader's language and direction: asked in Arabic, its words are
Arabic, its running title starts the header on the right and its page number ends the footer on
the left (English: the other way round); the charts' labels are the document's text, laid out
right to left, and their bars grow from the right."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PageObject, PdfReader

from accounts.models import User
from finance import report_pdf
from finance.models import ReportExport
from tests.finance.dashboard_data import small_portfolio

pytestmark = pytest.mark.django_db


def _pdf_asked_in(
    language: str, user: User, client: Client, callbacks: Any
) -> tuple[ReportExport, PdfReader]:
    user.language = language
    user.save(update_fields=["language"])
    with callbacks(execute=True):
        client.post(reverse("finance:reports"), {"format": "pdf"})
    export = ReportExport.objects.latest("pk")
    assert export.state == ReportExport.State.DONE, export.error
    with export.file.open("rb") as handle:
        return export, PdfReader(io.BytesIO(handle.read()))


def _texts(page: PageObject) -> list[tuple[str, float, float]]:
    """Each piece of text on the page with where it starts (x from the left, y from the foot)."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if text.strip():
            found.append((text.strip(), cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]))

    page.extract_text(visitor_text=visit)
    return found


def _where(page: PageObject, text: str) -> tuple[float, float]:
    places = [(x, y) for piece, x, y in _texts(page) if text in piece]
    assert places, f"{text!r} is not on the page: {[piece for piece, _, _ in _texts(page)]}"
    return places[0]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_page_number_and_the_running_title_follow_the_language(
    language: str, focal: User, focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    small_portfolio()
    export, reader = _pdf_asked_in(
        language, focal, focal_client, django_capture_on_commit_callbacks
    )
    assert export.language == language
    with translation.override(language):
        page_word = translation.gettext("Page")
        title = translation.gettext("SSC portfolio: consolidated report")
    if language == "ar":
        assert (page_word, title) != ("Page", "SSC portfolio: consolidated report")
    second = reader.pages[1]
    width, height = float(second.mediabox.width), float(second.mediabox.height)
    number_x, number_y = _where(second, page_word)
    title_x, title_y = _where(second, title)
    assert number_y < height / 4 and title_y > height * 3 / 4  # a footer and a header
    if language == "ar":
        assert number_x < width / 2 < title_x
    else:
        assert title_x < width / 2 < number_x
    assert page_word not in reader.pages[0].extract_text()  # the cover has no number
    text = "\n".join(page.extract_text() for page in reader.pages)
    with translation.override(language):
        for words in ("Money by fiscal year", "Money by lead division", "Total"):
            assert translation.gettext(words) in text


def test_the_charts_words_are_text_and_their_bars_grow_from_the_lines_start() -> None:
    chart = report_pdf.BarChart(
        labels=["شعبة آسيا والمحيط الهادئ", "LAC"],
        series=[report_pdf.Series("الصندوق", "#0a5c73", [500.0, 1000.0])],
        stacked=True,
        truncated=False,
    )
    left_to_right = str(report_pdf.chart_html(chart))
    right_to_left = str(report_pdf.chart_html(chart, rtl=True))
    for html in (left_to_right, right_to_left):
        svgs = re.findall(r"<svg.*?</svg>", html, re.DOTALL)
        assert svgs and not any("شعبة" in svg or "الصندوق" in svg for svg in svgs)
        assert '<th scope="row">شعبة آسيا والمحيط الهادئ</th>' in html
    bars = r'<rect x="([\d.]+)" y="\d+" width="([\d.]+)"'
    ltr = [(float(x), float(w)) for x, w in re.findall(bars, left_to_right)]
    rtl = [(float(x), float(w)) for x, w in re.findall(bars, right_to_left)]
    assert len(ltr) == len(rtl) == 2
    assert all(x == 0 for x, _ in ltr)
    assert all(x > 0 and x + w == pytest.approx(report_pdf.BAR_AREA) for x, w in rtl)
