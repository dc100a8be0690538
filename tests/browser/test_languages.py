"""The main pages in French, Spanish and Arabic (a browser asking for the language): the activity
list, an activity, its finance page, the dashboard, the knowledge search and the results of a
search show no English text from our catalogue, and the Arabic pages run right to left.

"English left" is a piece of text on the page (a text node, or a label read aloud: aria-label,
placeholder, title) that is exactly one of our catalogue's English messages whose translation
differs: a string the page forgot to translate. Text marked as written in another language (a
`lang` attribute: the switcher's "English", an activity's title as first written) is left out.
Text written by people (titles, names) is not in the catalogue, so it never counts.
Screenshots: lang-<code>-<page>.png in $SCREENSHOT_DIR. The demo is shared (`demo_site`).
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser

from activities.models import Activity
from knowledge.models import KnowledgeAsset
from tests.browser.pages import Settled, demo_activity_with_money, sign_in_as_demo_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("fr", "es", "ar")
# Every text node of the body, and the labels people hear or see on hover.
PAGE_TEXTS = """() => {
  const texts = [];
  const page = document.documentElement.lang;
  // Text marked as another language (the switcher names each language in itself) is not the
  // page's to translate.
  const inPageLanguage = (element) =>
    (element.closest("[lang]") || document.documentElement).lang === page;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => node.parentElement.closest("script, style, template")
      || !inPageLanguage(node.parentElement)
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  while (walker.nextNode()) texts.push(walker.currentNode.textContent);
  for (const element of document.querySelectorAll("[aria-label], [placeholder], [title]")) {
    if (!inPageLanguage(element)) continue;
    for (const name of ["aria-label", "placeholder", "title"]) {
      if (element.hasAttribute(name)) texts.push(element.getAttribute(name));
    }
  }
  return texts.map((text) => text.replace(/\\s+/g, " ").trim()).filter((text) => text);
}"""
# The page's language and direction, and its texts: one call to the browser per page.
PAGE = f"""() => [
  document.documentElement.getAttribute("lang"),
  document.documentElement.getAttribute("dir"),
  ({PAGE_TEXTS})(),
]"""


@cache
def translated_messages(language: str) -> frozenset[str]:
    """Our catalogue's English messages that read differently in `language`."""
    mo = Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.mo"
    if not mo.exists():
        pytest.fail(f"{mo} is missing: `make install` compiles the catalogues.")
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    found = set()
    for key, value in catalogue.items():
        message = key[0] if isinstance(key, tuple) else key
        if not message or "\x04" in message:
            continue  # the header; a message with a context is checked under its own text
        if value != message:
            found.add(" ".join(message.split()))
    return frozenset(found)


def english_left(texts: list[str], language: str) -> list[str]:
    """The page's texts (PAGE_TEXTS) that are our catalogue's English, left untranslated."""
    messages = translated_messages(language)
    return sorted({text for text in texts if text in messages})


def _pages() -> dict[str, str]:
    activity = demo_activity_with_money()
    several = Activity.objects.get(ssc_id="SSC-2010-02")
    asset = KnowledgeAsset.objects.order_by("pk").first()
    assert asset is not None
    return {
        "list": "/activities/",
        "activity": f"/activities/{several.pk}/",
        "finance": f"/activities/{activity.pk}/finance/",
        "dashboard": "/dashboard/",
        "knowledge": "/knowledge/",
        "search": f"/knowledge/?q={asset.title.split()[0]}",
    }


def test_the_main_pages_show_no_english_from_our_catalogue_in_french_spanish_and_arabic(
    demo_site: str,
    browser: Browser,
    screenshots: Path,
) -> None:
    pages = _pages()
    left: dict[str, list[str]] = {}
    for language in LANGUAGES:
        assert language in dict(settings.LANGUAGES), f"{language} is not offered"
        page = browser.new_page(
            base_url=demo_site, viewport={"width": 1366, "height": 900}, locale=language
        )
        page.set_default_timeout(20_000)
        settled = Settled(page)
        sign_in_as_demo_user(page, "focal")
        for name, url in pages.items():
            page.goto(url)
            lang, direction, texts = settled.evaluate(PAGE)
            assert lang == language
            assert direction == ("rtl" if language == "ar" else "ltr")
            page.screenshot(path=str(screenshots / f"lang-{language}-{name}.png"), full_page=True)
            if found := english_left(texts, language):
                left[f"{language} {name}"] = found
        page.close()
    assert not left, "\n".join(f"{where}: {texts}" for where, texts in left.items())
