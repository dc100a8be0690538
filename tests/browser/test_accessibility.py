"""axe-core (from the npm registry: node_modules/axe-core, a development dependency) checks the main
pages on the demo data: the sign-in page, the activity list, an activity, its finance page, the
dashboard, the knowledge search with results and the API reference. No violation of serious or
critical impact is allowed; the rules are axe's WCAG 2.0/2.1 A and AA ones.

axe is run through the DevTools protocol (page.evaluate), which the pages' Content Security
Policy does not govern, so the pages are checked with their real policy in force.
Screenshots go to $SCREENSHOT_DIR (default: the test's tmp_path) as axe-<page>.png. The demo is
shared (`demo_site`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from knowledge.models import KnowledgeAsset, LearningRoute
from tests.browser.pages import Settled, demo_activity_with_money, sign_in_as_demo_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""
BLOCKING = ("serious", "critical")


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make install` (npm ci) installs axe-core.")
    page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [v for v in violations if v["impact"] in BLOCKING]


def _pages() -> dict[str, str]:
    activity = demo_activity_with_money()
    asset = KnowledgeAsset.objects.order_by("pk").first()
    assert asset is not None
    word = asset.title.split()[0]
    route = LearningRoute.objects.get()
    return {
        "list": "/activities/",
        "activity": f"/activities/{activity.pk}/",
        "finance": f"/activities/{activity.pk}/finance/",
        "dashboard": "/dashboard/",
        "knowledge": f"/knowledge/?q={word}",
        "route-history": f"/knowledge/routes/{route.pk}/history/",
        "api-docs": "/api/docs/",
    }


def test_the_main_pages_have_no_serious_or_critical_accessibility_violation(
    demo_site: str,
    browser: Browser,
    screenshots: Path,
) -> None:
    page = browser.new_page(base_url=demo_site, viewport={"width": 1366, "height": 900})
    page.set_default_timeout(20_000)
    settled = Settled(page)
    found: dict[str, list[dict[str, Any]]] = {}
    page.goto("/accounts/login/")
    found["sign-in"] = serious_violations(page)
    page.screenshot(path=str(screenshots / "axe-sign-in.png"))
    sign_in_as_demo_user(page, "focal")
    for name, url in _pages().items():
        page.goto(url)
        settled.evaluate()
        found[name] = serious_violations(page)
        page.screenshot(path=str(screenshots / f"axe-{name}.png"))
    failing = {name: violations for name, violations in found.items() if violations}
    assert not failing, "\n".join(
        f"{name}: {v['impact']} {v['id']} ({v['help']}): {v['nodes']}"
        for name, violations in failing.items()
        for v in violations
    )
