"""Every role, signed in on the demo data, follows every link of its menu and every kind of link
on the pages the menu opens: no answer is a 4xx or 5xx and no page logs an error to the console.

Links are followed two steps from the menu, and a third step to the record pages of FURTHER;
past the menu, one link per kind of page (the view and the names of its query parameters:
/activities/12/ and /activities/40/ are one kind) is enough. Each role must have reached the
pages REACHED names for it. The Django admin is opened from the menu but not crawled (it is
Django's, for administrators). Downloads are fetched and their status checked; pages are opened
in the browser, and each is left once no request of it is in flight (its fetches answered, their
errors logged).
The `browser` fixture watches every page opened for Content Security Policy violations and
uncaught errors (tests/browser/conftest.py), so the crawl is also each role's CSP walk.
The roles share one copy of the demo (`demo_site`): the crawl only reads.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from demo.loader import DEMO_ACCOUNTS
from tests.browser.pages import Settled, sign_in_as_demo_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MENU = "header a[href], nav a[href]"
# Leaving (sign-out is a form; these would end the session or leave the site's pages).
NOT_FOLLOWED = ("/accounts/logout/", "/static/", "/media/", "mailto:", "javascript:")
# The record pages followed a third step, from the pages two steps from the menu: some roles
# reach an activity's finance or history page only from the activity's own page.
FURTHER = [
    re.compile(r"/activities/\d+/"),
    re.compile(r"/activities/\d+/finance/"),
    re.compile(r"/activities/\d+/history/"),
    re.compile(r"/partners/\d+/"),
    re.compile(r"/knowledge/assets/\d+/"),
    re.compile(r"/people/\d+/"),
]
# The pages each demo account must have reached, as far as its role may see them.
EVERYONE = [r"/accounts/login/", r"/activities/", r"/activities/\d+/", r"/activities/\d+/finance/"]
EVERYONE += [r"/knowledge/", r"/knowledge/assets/\d+/", r"/accounts/tokens/", r"/api/docs/"]
STAFF = [*EVERYONE, r"/dashboard/", r"/dashboard/reports/", r"/activities/\d+/history/"]
# The focal point manages people in the portal; the Django admin is in no menu but a superuser's.
MANAGERS = [*STAFF, r"/finance/rates/", r"/finance/imports/", r"/people/", r"/people/\d+/"]
REACHED = {
    "admin": MANAGERS,
    "focal": MANAGERS,
    "cpm": STAFF,
    "viewer": STAFF,
    "partner": EVERYONE,
    "counterpart": EVERYONE,
}


def _kind(href: str) -> str | None:
    """What page a link opens: its view and its query's parameter names; None for no view."""
    parts = urlsplit(href)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return f"unknown {parts.path}"
    keys = sorted({key for key, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{match.view_name}?{'&'.join(keys)}"


HREFS = """(selector) => Array.from(
  document.querySelectorAll(selector), (link) => link.getAttribute("href")
)"""


def _links(settled: Settled, selector: str) -> list[str]:
    """The links to follow under `selector`, read once the page has settled."""
    hrefs: list[str | None] = settled.evaluate(HREFS, selector)
    found = []
    for href in hrefs:
        if not href or href.startswith("#") or href.startswith(NOT_FOLLOWED):
            continue
        parts = urlsplit(href)
        if parts.netloc:  # another site (IATI, OECD...): not ours to check here
            continue
        found.append(parts._replace(fragment="").geturl())
    return found


def _crawl(browser: Browser, base_url: str, username: str) -> tuple[list[str], list[str]]:
    context = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    settled = Settled(page)
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{username} {page.url}: console {message.type}: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    sign_in_as_demo_user(page, username)
    opened: list[str] = ["/accounts/login/"]
    menu = list(dict.fromkeys(_links(settled, MENU)))
    queue = [(href, 1) for href in menu]
    seen_urls: set[str] = set()
    seen_kinds: set[str | None] = set()
    while queue:
        href, depth = queue.pop(0)
        kind = _kind(href)
        if href in seen_urls or (depth > 1 and kind in seen_kinds):
            continue
        seen_urls.add(href)
        seen_kinds.add(kind)
        opened.append(urlsplit(href).path)
        try:
            response = page.goto(href)
            status = response.status if response else 0
        except PlaywrightError as error:  # a file: the browser downloads it instead of a page
            if "Download is starting" not in str(error):
                raise
            status = context.request.get(href).status
        if not 200 <= status < 400:
            problems.append(f"{username}: {href} answered {status}")
            continue
        if urlsplit(href).path.startswith("/admin/") or depth > 2:
            settled.evaluate()
            continue
        links = _links(settled, "main a[href]")
        if depth == 2:
            links = [
                link for link in links if any(p.fullmatch(urlsplit(link).path) for p in FURTHER)
            ]
        queue += [(link, depth + 1) for link in links]
    context.close()
    return opened, problems


ONE_ACCOUNT_PER_ROLE = {account.role: account.username for account in reversed(DEMO_ACCOUNTS)}


@pytest.mark.parametrize("username", sorted(ONE_ACCOUNT_PER_ROLE.values()))
def test_every_role_follows_its_menu_and_the_pages_behind_it_without_an_error(
    demo_site: str, browser: Browser, username: str
) -> None:
    opened, problems = _crawl(browser, demo_site, username)
    assert not problems, "\n".join(problems)
    # More than the menu: the crawl really went through the pages (20 to 56 in the demo).
    assert len(opened) > 15, opened
    for expected in REACHED[username]:
        assert any(re.fullmatch(expected, path) for path in opened), (expected, opened)
