"""scripts/audit_dependencies.py: fails on a known vulnerability only, and never reports "no
vulnerabilities" when pip-audit could not ask about any package."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _load()
summarize = script.summarize


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
    status, [line, unaudited] = summarize(report)
    assert status == 0
    assert line == "pip-audit: 1 packages audited, no known vulnerability."
    assert "not audited (1): private-lib (not on PyPI)" in unaudited


def _pages(**pages: dict[str, Any]) -> Any:
    return lambda name: pages.get(name.replace("-", "_"))


def test_a_mirror_without_version_pages_audits_latest_releases_from_the_project_page() -> None:
    """pip-audit found no version page; the project page describes the installed release."""
    not_found = "Dependency not found on PyPI and could not be audited"
    report = {
        "dependencies": [
            {"name": "typing-extensions", "skip_reason": not_found},
            {"name": "old-lib", "skip_reason": not_found},
            {"name": "unsafe-lib", "skip_reason": not_found},
            {"name": "gone-lib", "skip_reason": not_found},
        ]
    }
    installed = {"typing-extensions": "4.16.0", "old-lib": "1.0", "unsafe-lib": "2.0"}
    fetch = _pages(
        typing_extensions={"info": {"version": "4.16.0"}, "vulnerabilities": []},
        old_lib={"info": {"version": "2.0"}, "vulnerabilities": []},
        unsafe_lib={
            "info": {"version": "2.0"},
            "vulnerabilities": [{"id": "GHSA-x", "fixed_in": ["2.1"]}],
        },
    )

    status, lines = summarize(script.complete_from_project_pages(report, installed, fetch))

    assert status == 1  # the latest release of unsafe-lib has a known vulnerability
    assert "  unsafe-lib 2.0: GHSA-x (fixed in 2.1)" in lines

    del installed["unsafe-lib"]
    status, lines = summarize(script.complete_from_project_pages(report, installed, fetch))
    assert status == 0
    assert lines[0] == "pip-audit: 1 packages audited, no known vulnerability."
    assert "old-lib (installed 1.0; the project page describes 2.0)" in lines[1]
    assert "gone-lib (Dependency not found" in lines[1]  # no project page either
    assert "unsafe-lib (Dependency not found" in lines[1]  # its installed version is unknown


def test_distribution_names_are_compared_as_pypi_compares_them() -> None:
    assert script.normalized("typing_extensions") == "typing-extensions"
    assert script.normalized("Boolean.py") == "boolean-py"
