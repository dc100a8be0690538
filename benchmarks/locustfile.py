"""The load scenario of benchmarks/load.py: 50 people using the portal at once.

    locust -f benchmarks/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8321

Run it through benchmarks/load.py (`make bench-load`): that script prepares the accounts, their
sessions and API tokens and writes them to the JSON file LOAD_PLAN names, starts gunicorn, and
reads locust's CSV files. This file imports no Django: locust patches the standard library with
gevent, and the users only speak HTTP, as browsers and partner scripts do.

Who does what (fixed counts, in that order, so that `-u 50` is always the same mix):

- 30 CPMs browse the activity list (filters, search, sorts, deep pages), open activity and
  finance pages, edit activities and record ledger entries through the real forms: GET the form,
  post back every field the browser would (csrf token and `version` included), one changed.
  CPMs of a division share a few activities, so two of them sometimes save the same activity
  between each other's GET and POST: the portal answers 409 with the conflict page, and the
  CPM saves again from that page (what the page asks for: read what changed, save again).
  That 409 is the right answer and is counted as a success under its own name; a 409 whose
  page does not carry a newer version than the one loaded is counted as an error.
- 5 sessions of the focal point open the home page, the dashboard with and without filters, the
  dashboard's tables as CSV, and the activity list.
- 15 partner organizations' scripts pull /api/v1/activities/ with their API tokens, with
  filters, following `next` for a few pages, and now and then the reference lists.

The people are already logged in (the sessions are made by load.py): a login costs 1.5 million
PBKDF2 iterations, slow on purpose, and people log in once a day, not once a minute.

Requests carry `X-Forwarded-Proto: https`, as they do from the TLS proxy in production: the
portal then treats them as secure (secure cookies, the CSRF Referer check), exactly as it will.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import lxml.etree
import lxml.html
from locust import HttpUser, between, events, task
from locust.clients import ResponseContextManager
from urllib3.util.retry import Retry

PLAN: dict[str, Any] = {}
# Each simulated person takes the next account of its kind.
_counters: dict[str, itertools.count[int]] = {}
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')
# gunicorn closes a keep-alive connection idle for 5 s (gunicorn.conf.py); a request sent on it
# at that moment is reset. Browsers then resend a GET on a new connection; so do these users
# (GET only, once). A POST is never resent.
STALE_CONNECTION_RETRY = Retry(total=1, connect=1, read=1, status=0, allowed_methods={"GET"})


@events.init.add_listener
def _load_plan(environment: Any, **_kwargs: Any) -> None:
    path = os.environ.get("LOAD_PLAN")
    if not path:
        raise SystemExit("Set LOAD_PLAN to the JSON file benchmarks/load.py writes.")
    with open(path, encoding="utf-8") as plan_file:
        PLAN.update(json.load(plan_file))


def _retry_stale_connections(user: HttpUser) -> None:
    for adapter in user.client.adapters.values():
        adapter.max_retries = STALE_CONNECTION_RETRY  # type: ignore[attr-defined]


def _next_account(kind: str) -> dict[str, Any]:
    accounts = PLAN[kind]
    number = next(_counters.setdefault(kind, itertools.count()))
    return accounts[number % len(accounts)]


class Browser(HttpUser):
    """A logged-in person: session cookie set, requests marked as coming through the proxy."""

    abstract = True
    kind = ""

    def on_start(self) -> None:
        self.account = _next_account(self.kind)
        _retry_stale_connections(self)
        self.client.cookies.set("sessionid", self.account["session"])
        self.client.headers["X-Forwarded-Proto"] = "https"

    def page(
        self, path: str, name: str, params: dict[str, Any] | None = None, must_have: str = ""
    ) -> str | None:
        """GET a page, expect 200 (and the text `must_have`); returns the HTML, or None."""
        with self.client.get(
            path, params=params, name=name, catch_response=True, allow_redirects=False
        ) as response:
            self.keep_secure_cookies()
            if response.status_code != 200:
                response.failure(f"{response.status_code or response.error} on {path}")
                return None
            if must_have not in response.text:
                response.failure(f"{must_have} missing on {path}")
                return None
            return response.text

    def post_form(
        self, path: str, fields: list[tuple[str, str]], name: str
    ) -> ResponseContextManager:
        """POST a form as the browser does after showing `path` (the Referer is checked)."""
        referer = f"https://{urlsplit(self.host).netloc}{path}"
        response = self.client.post(
            path,
            data=fields,
            name=name,
            headers={"Referer": referer},
            catch_response=True,
            allow_redirects=False,
        )
        self.keep_secure_cookies()
        return response

    def keep_secure_cookies(self) -> None:
        """Send the portal's Secure cookies (csrftoken, a renewed sessionid) over loopback http,
        as the browser does over the TLS proxy's https: requests would otherwise keep them back."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def think(self, low: float = 1.0, high: float = 3.0) -> None:
        time.sleep(random.uniform(low, high))  # gevent-patched: other users run meanwhile


def _form_fields(html: str, marker: str) -> list[tuple[str, str]] | None:
    """What the browser would submit for the first POST form containing the field `marker`."""
    document = lxml.html.fromstring(html)
    for form in document.forms:
        if form.method.upper() == "POST" and marker in form.fields:
            fields = list(form.form_values())
            # lxml leaves out a text input without a value attribute; a browser sends it empty.
            fields.extend(
                (element.name, "")
                for element in form.inputs
                if element.tag == "input"
                and element.name
                and element.get("value") is None
                and element.type not in ("checkbox", "radio", "submit", "image", "reset", "file")
                and "disabled" not in element.attrib
            )
            return fields
    return None


def _form_errors(html: str) -> str:
    """The error messages a refused form shows, so that the report says why it was refused."""
    try:
        document = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return "(no page)"
    items = document.xpath("//ul[contains(concat(' ', @class, ' '), ' errorlist ')]/li")
    messages = [" ".join(item.text_content().split()) for item in items]
    return "; ".join(messages)[:300] or "(no error shown)"


def _replace(fields: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    return [(key, value if key == name else old) for key, old in fields]


def _version(fields: list[tuple[str, str]]) -> int:
    return int(dict(fields).get("version") or 0)


def _list_params() -> dict[str, Any]:
    """One of the ways people look for activities."""
    browse = PLAN["browse"]
    choice = random.randrange(10)
    if choice == 0:
        return {}
    if choice == 1:
        return {"page": random.randint(2, 400)}
    if choice == 2:
        return {"q": random.choice(browse["words"])}
    if choice == 3:
        return {"division": random.choice(browse["divisions"]), "status": "ongoing"}
    if choice == 4:
        return {"country": random.choice(browse["countries"])}
    if choice == 5:
        return {
            "theme": random.choice(browse["themes"]),
            "reporting_year": random.randint(2005, 2025),
        }
    if choice == 6:
        return {"ordering": random.choice(["title", "-year", "status", "-updated"])}
    if choice == 7:
        return {"mine": "1"}
    if choice == 8:
        return {"country": random.choice(browse["countries"]), "role": "provider", "page": 2}
    return {"partner_name": random.choice(browse["partner_words"])}


class CountryProgrammeManager(Browser):
    fixed_count = 30
    kind = "cpms"
    wait_time = between(2, 6)

    def _activity(self) -> int:
        # Mostly their own division's shared activities, sometimes anything in the portfolio.
        if random.random() < 0.6:
            return int(random.choice(self.account["activities"]))
        return random.randint(*PLAN["activity_ids"])

    @task(6)
    def browse_list(self) -> None:
        self.page("/activities/", "activity list", _list_params())

    @task(3)
    def open_activity(self) -> None:
        self.page(f"/activities/{self._activity()}/", "activity page")

    @task(2)
    def open_finance(self) -> None:
        self.page(f"/activities/{self._activity()}/finance/", "finance page")

    @task(1)
    def edit_activity(self) -> None:
        stamp = f"Load test note {time.time():.3f} by {self.account['username']}"
        self._fill_in("edit/", "edit form", "version", {"notes": stamp})

    @task(1)
    def record_entry(self) -> None:
        amount = str(random.randint(1, 500) * 100)
        changes = {"lines-0-amount": amount, "lines-0-stage": "spent"}
        self._fill_in("finance/", "finance entry", "lines-0-amount", changes)

    def _fill_in(self, page: str, name: str, marker: str, changes: dict[str, str]) -> None:
        """Open one of the shared activities' forms, type for a while, save."""
        path = f"/activities/{int(random.choice(self.account['activities']))}/{page}"
        html = self.page(path, f"{name} (GET)", must_have=f'name="{marker}"')
        fields = _form_fields(html, marker) if html is not None else None
        if fields is None:
            return
        self.think()
        for field, value in changes.items():
            fields = _replace(fields, field, value)
        self._save(path, fields, f"{name} (POST)")

    def _save(self, path: str, fields: list[tuple[str, str]], name: str) -> None:
        """POST; on a conflict, read the conflict page and save again from it, once."""
        with self.post_form(path, fields, name) as response:
            if response.status_code == 302:
                return
            if response.status_code != 409:
                response.failure(
                    f"{response.status_code} on POST {path}: {_form_errors(response.text)}"
                )
                return
            # The conflict page must show a newer version than the one this user loaded: the
            # other person's save. Then it is the right answer, not an error.
            newer = [int(v) for v in VERSION_INPUT.findall(response.text)]
            if not newer or max(newer) <= _version(fields):
                response.failure(f"409 without a newer version on POST {path}")
                return
            response.success()
            # Reported under its own name: conflicts are counted apart from plain saves.
            response.request_meta["name"] = f"{name}: 409 conflict (correct)"
            again = _form_fields(response.text, "version")
        if again is None:
            return
        self.think(0.5, 1.5)
        with self.post_form(path, again, f"{name}: saved again after conflict") as response:
            # A third person may have saved meanwhile: another 409 is still a right answer.
            if response.status_code not in (302, 409):
                response.failure(
                    f"{response.status_code} on POST {path} after a conflict: "
                    f"{_form_errors(response.text)}"
                )


class FocalPoint(Browser):
    fixed_count = 5
    kind = "focal"
    wait_time = between(2, 6)

    def _filters(self) -> dict[str, Any]:
        browse = PLAN["browse"]
        choice = random.randrange(5)
        if choice == 0:
            return {}
        if choice == 1:
            first = random.randint(2005, 2020)
            return {"fiscal_year_from": first, "fiscal_year_to": first + random.randint(0, 5)}
        if choice == 2:
            return {"division": random.choice(browse["divisions"])}
        if choice == 3:
            return {"theme": random.choice(browse["themes"])}
        return {"country": random.choice(browse["countries"]), "status": "ongoing"}

    @task(4)
    def dashboard(self) -> None:
        self.page("/dashboard/", "dashboard", self._filters())

    @task(2)
    def dashboard_table(self) -> None:
        table = random.choice(["summary", "years", "divisions", "themes", "countries", "top"])
        self.page(f"/dashboard/tables/{table}.csv", "dashboard table (CSV)", self._filters())

    @task(1)
    def home(self) -> None:
        self.page("/", "home")

    @task(2)
    def browse_list(self) -> None:
        self.page("/activities/", "activity list", _list_params())


class PartnerScript(HttpUser):
    """A partner organization's script syncing activities through the API with its token."""

    fixed_count = 15
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.account = _next_account("partners")
        _retry_stale_connections(self)
        self.client.headers["Authorization"] = f"Bearer {self.account['token']}"
        self.client.headers["X-Forwarded-Proto"] = "https"

    def _get(self, path: str, name: str) -> dict[str, Any] | None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {name}: {response.text[:120]}")
                return None
            try:
                return response.json()
            except ValueError:
                response.failure(f"not JSON on {name}")
                return None

    @task(5)
    def sync_activities(self) -> None:
        browse = PLAN["browse"]
        params: dict[str, Any] = random.choice(
            [
                {"mine": "true"},
                {"country": self.account["country"] or random.choice(browse["countries"])},
                {"updated_since": "2025-01-01T00:00:00Z"},
                {"division": random.choice(browse["divisions"]), "status": "ongoing"},
                {},
            ]
        )
        params["page_size"] = 100
        body = self._get(f"/api/v1/activities/?{urlencode(params)}", "api activities")
        for _page in range(random.randint(1, 3)):
            if not body or not body.get("next"):
                return
            # `next` names https (the proxy's scheme); the path and cursor are what matter.
            link = urlsplit(body["next"])
            time.sleep(random.uniform(0.2, 0.8))
            body = self._get(f"{link.path}?{link.query}", "api activities (next)")

    @task(1)
    def reference_lists(self) -> None:
        self._get("/api/v1/countries/", "api countries")
        self._get("/api/v1/themes/", "api themes")
