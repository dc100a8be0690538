"""Inserting many rows at once, with their audit history, for the importers.

bulk_create and simple-history's bulk_create_with_history prepare every value of every row through
the field's Python conversions, then build a historical model instance per row: for an import that
costs several times what the database spends storing the rows. On PostgreSQL these functions stream
the rows with COPY instead, after taking their ids from the table's sequence, so that callers get
the ids as bulk_create gives them and history rows need no instances. Values go in as the instances
hold them (the callers build them from checked, typed data); the database still converts and checks
each one against its column and constraints.

Elsewhere (SQLite in development) they fall back to bulk_create, which gives the same rows.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.db.backends.utils import CursorDebugWrapper
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

if TYPE_CHECKING:
    from accounts.models import User

BATCH_SIZE = 2000


def _fast() -> bool:
    return connection.vendor == "postgresql"


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh ids from the sequence behind the model's primary key."""
    if not count:
        return []
    opts = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, count],  # type: ignore[union-attr]
        )
        return [row[0] for row in cursor.fetchall()]


def _insert_columns(
    model: type[models.Model], fields: Sequence[models.Field[Any, Any]], rows: list[list[Any]]
) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN WITH (FORMAT csv)"
    buffer = io.StringIO()
    # Quoted values are text (an empty one is ''); an unquoted empty value is NULL.
    csv.writer(buffer, quoting=csv.QUOTE_NOTNULL).writerows(rows)
    buffer.seek(0)
    with connection.cursor() as cursor:

        def copy(sql: str, *_args: Any) -> None:
            with connection.wrap_database_errors:
                cursor.cursor.copy_expert(sql, buffer)

        # COPY is not sent through execute(): pass it through the same wrappers and, when
        # queries are logged (tests, DEBUG), into the log, so that query counts include it.
        logged = cursor.debug_sql(sql) if isinstance(cursor, CursorDebugWrapper) else nullcontext()
        with logged:
            cursor._execute_with_wrappers(sql, None, False, copy)


def _complete(model: type[models.Model], rows: list[dict[str, Any]], *, ids: bool) -> list[Any]:
    """Give each row (values by attribute name) every column but, without `ids`, the primary
    key: a field left out takes its default, created/updated stamps take this moment, and with
    `ids` the primary key comes from the table's sequence. Returns the fields, in column order."""
    pk_name = model._meta.pk.attname  # type: ignore[union-attr]
    fields = [f for f in model._meta.concrete_fields if not f.generated and f.attname != pk_name]
    now = timezone.now()
    missing = {
        f.attname: now
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        # The default a model instance would get; a callable default is called once.
        else f.get_default()
        for f in fields
    }
    for row in rows:
        for name, value in missing.items():
            row.setdefault(name, value)
    if ids:
        for row, pk in zip(rows, _next_ids(model, len(rows)), strict=True):
            row[pk_name] = pk
        fields.insert(0, model._meta.pk)
    return fields


def insert_rows(
    model: type[models.Model], rows: list[dict[str, Any]], *, ids: bool = False
) -> list[int]:
    """Insert rows given as {attribute name: value}, completed in place (see _complete);
    returns their ids when asked for (ids cost one more query)."""
    if not rows:
        return []
    if not _fast():
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
        for row, obj in zip(rows, objs, strict=True):
            row.update((f.attname, getattr(obj, f.attname)) for f in model._meta.concrete_fields)
        return [obj.pk for obj in objs] if ids else []
    fields = _complete(model, rows, ids=ids)
    names = [field.attname for field in fields]
    _insert_columns(model, fields, [[row[name] for name in names] for row in rows])
    pk_name = model._meta.pk.attname  # type: ignore[union-attr]
    return [row[pk_name] for row in rows] if ids else []


def insert(objs: Sequence[models.Model]) -> None:
    """Insert unsaved instances of one model; they get their ids and stamps, as with bulk_create."""
    if not objs:
        return
    model = type(objs[0])
    if not _fast():
        model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
        return
    stamped = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj in objs:
        for field in stamped:
            field.pre_save(obj, add=True)  # sets the attribute, as a save would
    names = [f.attname for f in model._meta.concrete_fields if not f.generated]
    rows = [{name: getattr(obj, name) for name in names} for obj in objs]
    pk_name = model._meta.pk.attname  # type: ignore[union-attr]
    for obj, pk in zip(objs, insert_rows(model, rows, ids=True), strict=True):
        setattr(obj, pk_name, pk)
        obj._state.adding = False
        obj._state.db = connection.alias


def update(objs: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Write `fields` of saved instances, as bulk_update does. On PostgreSQL, in one statement
    per batch that joins the table to the new values: bulk_update's CASE WHEN per row and field
    took most of the time of a re-import that changes thousands of activities."""
    if not objs:
        return
    model = type(objs[0])
    if not _fast():
        model._default_manager.bulk_update(objs, fields, batch_size=BATCH_SIZE)
        return
    opts = model._meta
    columns = [opts.pk, *(opts.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    names = [quote(str(field.column)) for field in columns]  # type: ignore[union-attr]
    arrays = ", ".join(
        f"%s::{str(field.db_type(connection)).split('(')[0]}[]"  # type: ignore[union-attr]
        for field in columns
    )
    assignments = ", ".join(f"{name} = new.{name}" for name in names[1:])
    # Names and types come from the model's metadata; every value is a query parameter.
    sql = (
        f"UPDATE {quote(opts.db_table)} SET {assignments} "  # noqa: S608
        f"FROM UNNEST({arrays}) AS new({', '.join(names)}) "
        f"WHERE {quote(opts.db_table)}.{names[0]} = new.{names[0]}"
    )
    attnames = [field.attname for field in columns]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH_SIZE):
            batch = objs[start : start + BATCH_SIZE]
            cursor.execute(sql, [[getattr(obj, name) for obj in batch] for name in attnames])


def delete(model: type[models.Model], pks: Sequence[int]) -> None:
    """Delete rows by primary key in one statement that sends no signal: for rows nothing
    points at, whose deletion the caller records in the history itself (with its author)."""
    if not pks:
        return
    opts = model._meta
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(pks))
    # Names come from the model's metadata; every id is a query parameter.
    sql = (
        f"DELETE FROM {quote(opts.db_table)} "  # noqa: S608
        f"WHERE {quote(str(opts.pk.column))} IN ({placeholders})"  # type: ignore[union-attr]
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(pks))


def _history_rows(
    model: type[models.Model],
    rows: Iterator[dict[str, Any]],
    *,
    history_type: str,
    user: User | None,
    when: datetime.datetime,
    ids: bool,
    reason: str | None = None,
) -> list[int]:
    historical = get_history_manager_for_model(model).model
    tracked = [field.attname for field in historical.tracked_fields]
    bookkeeping = {
        "history_date": when,
        "history_type": history_type,
        "history_user_id": user.pk if user else None,
        "history_change_reason": reason,
    }
    records = [{**bookkeeping, **{name: row[name] for name in tracked}} for row in rows]
    return insert_rows(historical, records, ids=ids)


def insert_history(
    objs: Sequence[models.Model],
    *,
    history_type: str,
    user: User | None,
    when: datetime.datetime,
    ids: bool = False,
    reason: str | None = None,
) -> list[int]:
    """Record the saved (or, with '-', deleted) state of each instance as simple-history does
    on save and delete: type '+', '~' or '-', author, moment, change reason (what the change
    came through, see activities.history.import_run_reason). With `ids`, returns the history
    rows' ids in the order of `objs`."""
    if not objs:
        return []
    names = [f.attname for f in type(objs[0])._meta.concrete_fields]
    return _history_rows(
        type(objs[0]),
        ({name: getattr(obj, name) for name in names} for obj in objs),
        history_type=history_type,
        user=user,
        when=when,
        ids=ids,
        reason=reason,
    )


def insert_with_history(
    objs: Sequence[models.Model],
    *,
    user: User | None,
    when: datetime.datetime,
    reason: str | None = None,
) -> None:
    """insert() followed by each row's '+' history row."""
    insert(objs)
    insert_history(objs, history_type="+", user=user, when=when, reason=reason)


def insert_rows_with_history(
    model: type[models.Model],
    rows: list[dict[str, Any]],
    *,
    user: User | None,
    when: datetime.datetime,
    reason: str | None = None,
) -> None:
    """insert_rows() followed by each row's '+' history row: for many rows, building model
    instances first would cost more than writing them."""
    insert_rows(model, rows, ids=True)
    _history_rows(
        model, iter(rows), history_type="+", user=user, when=when, ids=False, reason=reason
    )
