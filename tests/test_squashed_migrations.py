"""A squashed migration and the migrations it replaces give the same state and run the same data.

A new database runs the squashed migration; one that applied some of the migrations replaced runs
the rest of those. The squashed one folds the schema operations into one CreateModel per table
and copies the data operations (RunPython, RunSQL) after them: this keeps the model states equal
and each copy the same as its original, in the same order, should either be edited alone.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from types import CodeType, FunctionType, ModuleType
from typing import Any

import pytest
from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.migration import Migration
from django.db.migrations.operations.base import Operation

# The copies of names that two migrations replaced both define carry their migration's number.
NUMBER_SUFFIX = re.compile(r"_\d{4}\b")


def _squashed() -> list[Migration]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return [migration for migration in loader.replacements.values()]


def _names(code: CodeType) -> Iterator[str]:
    yield from code.co_names
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            yield from _names(constant)


def _function_text(function: Any, seen: set[str] | None = None) -> list[str]:
    """The source of a data function and of the functions and constants of its module it uses."""
    if not isinstance(function, FunctionType):
        return [repr(function)]
    seen = set() if seen is None else seen
    seen.add(function.__name__)
    parts = [NUMBER_SUFFIX.sub("", inspect.getsource(function))]
    for name in dict.fromkeys(_names(function.__code__)):
        value = function.__globals__.get(name)
        if name in seen or value is None or isinstance(value, ModuleType | type):
            continue
        if isinstance(value, FunctionType):
            if value.__module__ == function.__module__:
                parts += _function_text(value, seen)
        else:
            parts.append(f"{NUMBER_SUFFIX.sub('', name)} = {value!r}")
    return parts


def _data_operations(operations: list[Operation]) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for operation in operations:
        if isinstance(operation, migrations.RunSQL):
            found.append(("sql", repr(operation.sql), repr(operation.reverse_sql)))
        elif isinstance(operation, migrations.RunPython):
            code = "\n".join(_function_text(operation.code))
            reverse = "\n".join(_function_text(operation.reverse_code))
            found.append(("python", code, reverse))
    return found


def test_there_are_squashed_migrations_to_check() -> None:
    assert {migration.app_label for migration in _squashed()} >= {"activities", "finance"}


@pytest.mark.parametrize("squashed", _squashed(), ids=lambda migration: migration.app_label)
def test_the_squashed_migration_runs_the_data_operations_of_those_it_replaces(
    squashed: Migration,
) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
    replaced = [loader.disk_migrations[key] for key in squashed.replaces]
    originals = [op for migration in replaced for op in _data_operations(migration.operations)]

    assert _data_operations(squashed.operations) == originals


def test_the_squashed_migrations_end_in_the_state_of_those_they_replace() -> None:
    squashed = MigrationLoader(None, ignore_no_migrations=True).project_state()
    # Without replacing, the graph holds both: the state of the originals leaves the squashed out.
    loader = MigrationLoader(None, ignore_no_migrations=True, replace_migrations=False)
    leaves = [key for key in loader.graph.leaf_nodes() if key not in loader.replacements]
    originals = loader.graph.make_state(leaves, at_end=True, real_apps=loader.unmigrated_apps)

    assert squashed.models.keys() == originals.models.keys()
    for key, model in originals.models.items():
        assert squashed.models[key] == model, key
