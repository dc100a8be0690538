"""pip-audit on the installed environment, saying plainly how much it could check.

pip-audit asks a vulnerability service (PyPI's JSON API) about each installed package. Where that
service cannot be reached, or answers "not found" for every package (a registry mirror without
the per-version pages), pip-audit itself still says "No known vulnerabilities found". This
wrapper tells those cases apart:

- a known vulnerability in an installed package: listed, exit status 1;
- the service unreachable or unable to answer for any package: a warning that nothing was
  audited, exit status 0 (CI cannot vouch for what it could not ask; it does not fail for it);
- otherwise: how many packages were audited, exit status 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


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
    return 0, [
        f"pip-audit: {audited} packages audited, no known vulnerability "
        f"({len(skipped)} not on the index, not audited)."
    ]


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
    status, lines = summarize(report, completed.stderr)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
