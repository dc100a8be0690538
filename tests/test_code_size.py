"""The size limits of CONVENTIONS.md, checked on every run rather than by eye.

A module past its limit should become a package of modules named after what they hold, and a
function past its limit should hand parts of its work to well-named helpers. The failure names each
offender and its length so the fix starts from the message.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

MAX_APP_MODULE_LINES = 800
MAX_ROLLUPS_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80

# Folders that hold no code of ours: tools, installed packages, caches. Migrations are generated.
SKIPPED_DIRS = {"node_modules", "migrations", "__pycache__", "static", "templates"}


def _python_files(top: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".py"):
                yield Path(folder) / name


def _app_dirs() -> list[Path]:
    apps = sorted(path.parent for path in ROOT.glob("*/apps.py"))
    return [ROOT / "ssc_portal", *apps]


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _long_modules(paths: list[Path], limit: int) -> list[str]:
    counted = ((path, _line_count(path)) for path in paths)
    return [f"{_relative(path)}: {lines} lines" for path, lines in counted if lines > limit]


def _long_functions(path: Path, limit: int) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            lines = node.end_lineno - node.lineno + 1
            if lines > limit:
                yield f"{_relative(path)}:{node.lineno} {node.name}(): {lines} lines"


def test_no_app_module_is_over_800_lines() -> None:
    modules = [path for app in _app_dirs() for path in _python_files(app)]
    assert modules, "no app module found: the walk is looking in the wrong place"

    too_long = _long_modules(modules, MAX_APP_MODULE_LINES)

    assert not too_long, (
        f"app modules over {MAX_APP_MODULE_LINES} lines (split each into a package):\n"
        + "\n".join(too_long)
    )


def test_no_rollups_module_is_over_500_lines() -> None:
    package = ROOT / "finance" / "rollups"
    if not package.is_dir():
        pytest.skip("finance/rollups/ is not a package yet")

    too_long = _long_modules(list(_python_files(package)), MAX_ROLLUPS_MODULE_LINES)

    assert not too_long, (
        f"finance/rollups/ modules over {MAX_ROLLUPS_MODULE_LINES} lines:\n" + "\n".join(too_long)
    )


def test_no_function_is_over_80_lines() -> None:
    files = sorted(ROOT.glob("*.py"))
    for top in sorted(ROOT.iterdir()):
        if top.is_dir() and top.name not in SKIPPED_DIRS and not top.name.startswith("."):
            files += _python_files(top)
    assert any(path.parts[-2] == "tests" for path in files), "the walk misses the tests"

    too_long = [line for path in files for line in _long_functions(path, MAX_FUNCTION_LINES)]

    assert not too_long, (
        f"functions over {MAX_FUNCTION_LINES} lines (hand parts to named helpers):\n"
        + "\n".join(too_long)
    )
