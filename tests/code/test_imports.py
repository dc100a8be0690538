"""How the apps import each other: at the top of each module, so that a cycle cannot hide.

The apps depend one way (CONVENTIONS.md); import-linter's contracts in pyproject.toml (`make
lint`) check the direction, which an import placed inside a function would let a cycle dodge at
import time. The only imports inside a function are those for type checkers (`if
TYPE_CHECKING:`) and an AppConfig.ready() connecting its app's receivers, where Django's
documentation puts them (the models are loaded by then).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = [*sorted(path.parent.name for path in ROOT.glob("*/apps.py")), "ssc_portal"]


def _app_modules() -> list[Path]:
    return sorted(path for app in APPS for path in (ROOT / app).rglob("*.py"))


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def imports_inside_functions(source: str, *, app_config: bool = False) -> list[int]:
    """Line numbers of the imports made inside a function body of `source`, leaving out those
    under `if TYPE_CHECKING:` and, in an apps.py (`app_config`), those of a ready() method."""
    found: list[int] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking(child):
                continue
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                if app_config and child.name == "ready":
                    continue
                visit(child, True)
            elif isinstance(child, ast.Import | ast.ImportFrom):
                if in_function:
                    found.append(child.lineno)
            else:
                visit(child, in_function)

    visit(ast.parse(source), False)
    return found


def test_the_check_finds_an_import_inside_a_function() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from a import b\n"
        "def f():\n"
        "    if TYPE_CHECKING:\n"
        "        from c import d\n"
        "    from finance import models\n"
        "class Config:\n"
        "    def ready(self):\n"
        "        from . import receivers\n"
    )
    assert imports_inside_functions(source) == [7, 10]
    assert imports_inside_functions(source, app_config=True) == [7]


@pytest.mark.parametrize("path", _app_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_app_module_imports_inside_a_function(path: Path) -> None:
    lines = imports_inside_functions(path.read_text(), app_config=path.name == "apps.py")
    assert lines == [], f"{path.relative_to(ROOT)} imports inside a function at lines {lines}"
