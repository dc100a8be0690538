"""scripts/audit_dependencies.py: fails on a known vulnerability only, and never reports "no
vulnerabilities" when pip-audit could not ask about any package."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


summarize = _load().summarize


def test_a_known_vulnerability_fails_and_names_the_package_and_the_fix() -> None:
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "3.2.0",
                "vulns": [{"id": "PYSEC-1", "fix_versions": ["3.2.1"]}],
            },
            {"name": "redis", "version": "5.2.0", "vulns": []},
        ]
    }
    status, lines = summarize(report)
    assert status == 1
    assert "django 3.2.0: PYSEC-1 (fixed in 3.2.1)" in "\n".join(lines)


def test_an_unreachable_service_does_not_fail_but_says_nothing_was_audited() -> None:
    status, lines = summarize(None, "ConnectionError: Failed to resolve 'pypi.org'\n")
    assert status == 0
    assert "NOT audited" in lines[0]
    assert "Failed to resolve" in lines[0]


def test_a_service_that_knows_no_package_is_not_reported_as_clean() -> None:
    skipped = {"name": "amqp", "skip_reason": "Dependency not found on PyPI"}
    status, lines = summarize({"dependencies": [skipped, {**skipped, "name": "celery"}]})
    assert status == 0
    assert "none of the 2 packages" in lines[0]
    assert "NOT audited" in lines[0]


def test_a_clean_audit_counts_what_was_checked() -> None:
    report = {
        "dependencies": [
            {"name": "django", "version": "6.1.3", "vulns": []},
            {"name": "private-lib", "skip_reason": "not on PyPI"},
        ]
    }
    status, [line] = summarize(report)
    assert status == 0
    assert line.startswith("pip-audit: 1 packages audited, no known vulnerability")
