"""pip-audit on the installed environment, saying plainly how much it could check.

pip-audit asks a vulnerability service (PyPI's JSON API) about each installed package. Where that
service cannot be reached, or answers "not found" for every package (a registry mirror without
the per-version pages), pip-audit itself still says "No known vulnerabilities found". This
wrapper tells those cases apart:

- a known vulnerability in an installed package: listed, exit status 1;
- the service unreachable or unable to answer for any package: a warning that nothing was
  audited, exit status 0 (CI cannot vouch for what it could not ask; it does not fail for it);
- otherwise: how many packages were audited, exit status 0.

Some registry mirrors answer PyPI's project page (/pypi/<name>/json) but not its per-version
pages, which pip-audit asks. The project page describes the project's latest release, with that
release's known vulnerabilities: for every package pip-audit could not ask about and whose
installed version is that latest release, the project page answers instead
(`complete_from_project_pages`). The others stay "not audited", by name.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

PROJECT_PAGE = "https://pypi.org/pypi/{name}/json"


def summarize(report: dict[str, Any] | None, error: str = "") -> tuple[int, list[str]]:
    """The exit status and the lines to print for pip-audit's JSON report (None: no report)."""
    if report is None:
        reason = error.strip().splitlines()[-1] if error.strip() else "no answer"
        return 0, [
            "pip-audit: the vulnerability service could not be reached "
            f"({reason[:200]}); dependencies NOT audited."
        ]
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = len(dependencies) - len(skipped)
    if vulnerable:
        lines = [f"pip-audit: {len(vulnerable)} installed package(s) with known vulnerabilities:"]
        for dependency in vulnerable:
            for vuln in dependency["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
                name = f"{dependency['name']} {dependency['version']}"
                lines.append(f"  {name}: {vuln['id']} (fixed in {fixes})")
        return 1, lines
    if audited == 0:
        example = skipped[0]["skip_reason"] if skipped else "no packages"
        return 0, [
            f"pip-audit: the vulnerability service answered for none of the {len(skipped)} "
            f'packages (e.g. "{example}"); dependencies NOT audited.'
        ]
    lines = [f"pip-audit: {audited} packages audited, no known vulnerability."]
    if skipped:
        names = ", ".join(f"{d['name']} ({d.get('skip_reason', '')})" for d in skipped)
        lines.append(f"  not audited ({len(skipped)}): {names[:2000]}")
    return 0, lines


Fetch = Callable[[str], dict[str, Any] | None]


def project_page(name: str) -> dict[str, Any] | None:
    """PyPI's project page as JSON; None when it cannot be had."""
    # A fixed https address with a package name from this environment's own metadata.
    request = urllib.request.Request(PROJECT_PAGE.format(name=name))  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            page: dict[str, Any] = json.load(response)
            return page
    except (OSError, ValueError):
        return None


def complete_from_project_pages(
    report: dict[str, Any], installed: dict[str, str], fetch: Fetch = project_page
) -> dict[str, Any]:
    """The report with each package pip-audit skipped audited from its project page when the
    installed version is the project's latest release (see the module's docstring)."""
    skipped = [d for d in report.get("dependencies", []) if "skip_reason" in d]
    with ThreadPoolExecutor(max_workers=8) as pool:
        names = [d["name"] for d in skipped]
        pages = dict(zip(names, pool.map(fetch, names), strict=True))
    completed = []
    for dependency in report.get("dependencies", []):
        name = dependency["name"]
        version = installed.get(normalized(name))
        page = pages.get(name) if "skip_reason" in dependency else None
        if page is None or version is None:
            completed.append(dependency)
            continue
        latest = str(page.get("info", {}).get("version", ""))
        if latest != version:
            reason = f"installed {version}; the project page describes {latest or 'nothing'}"
            completed.append({"name": name, "version": version, "skip_reason": reason})
            continue
        vulns = [
            {"id": v.get("id", "?"), "fix_versions": v.get("fixed_in", [])}
            for v in page.get("vulnerabilities") or []
        ]
        completed.append({"name": name, "version": version, "vulns": vulns})
    return {**report, "dependencies": completed}


def normalized(name: str) -> str:
    """A distribution's name as PyPI compares them (PEP 503): pip-audit says typing-extensions
    for the installed typing_extensions."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_versions() -> dict[str, str]:
    return {
        normalized(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
    }


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "report.json"
        # Our own fixed command line, no user input. --skip-editable: the portal itself.
        completed = subprocess.run(  # noqa: S603
            [
                str(pip_audit),
                "--skip-editable",
                "--progress-spinner=off",
                "--format=json",
                f"--output={output}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            report = json.loads(output.read_text())
        except (OSError, ValueError):
            report = None
    if report is not None:
        report = complete_from_project_pages(report, installed_versions())
    status, lines = summarize(report, completed.stderr)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
