"""The counted tables: PairCount (ActivityPair's rows counted by provider, receiver, division,
visibility and agreement) and ActivityCount (ActivityMoney's rows counted by their dimensions).

Each is recounted key by key, from the rows of the keys an edit's activities leave and join,
or all at once: a recount deletes its keys' rows and counts them again, so a rerun is harmless.
Both are called under the lock of the activity tables (store.lock_activity_tables).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db.backends.utils import CursorWrapper

from .sql import placeholders

PAIR_KEY = "provider_id, receiver_id, division_id, is_public"
PairKey = tuple[int, int, int, bool]
# The pairs counted by agreement, then those counts added up over every agreement (agreement '',
# sql.EVERY_AGREEMENT), from one read of the pairs.
PAIR_COUNTS_SELECT = f"""
WITH counted AS (
    SELECT {PAIR_KEY}, agreement, COUNT(*) AS activities
    FROM {{pair}}
    WHERE {{where}}
    GROUP BY {PAIR_KEY}, agreement
)
SELECT {PAIR_KEY}, agreement, activities FROM counted
UNION ALL
SELECT {PAIR_KEY}, '', SUM(activities) FROM counted GROUP BY {PAIR_KEY}
"""  # noqa: S608 (names and constants)
PAIR_COUNTS = (
    "INSERT INTO {count} (provider_id, receiver_id, division_id, is_public, agreement, "
    "activities)" + PAIR_COUNTS_SELECT
)
COUNT_LINE = "c.provider_id, c.receiver_id, c.division_id, c.is_public, c.agreement, c.activities"

MONEY_KEY = "division_id, modality, funding_nature, status, agreement, is_public"
MoneyKey = tuple[int, str, str, str, str, bool]
ACTIVITY_COUNTS_SELECT = f"""
SELECT {MONEY_KEY}, COUNT(*) AS activities FROM {{money}} WHERE {{where}} GROUP BY {MONEY_KEY}
"""  # noqa: S608 (names and constants)
ACTIVITY_COUNTS = f"INSERT INTO {{activity_count}} ({MONEY_KEY}, activities)" + (
    ACTIVITY_COUNTS_SELECT
)
ACTIVITY_COUNT_LINE = (
    "c.division_id, c.modality, c.funding_nature, c.status, c.agreement, c.is_public, c.activities"
)


def keys_of(cursor: CursorWrapper, table: str, key: str, ids: Sequence[int]) -> set[tuple]:
    """The keys (`key`, its columns) of the rows of these activities in `table`."""
    keys: set[tuple] = set()
    for start in range(0, len(ids), 10_000):
        batch = ids[start : start + 10_000]
        cursor.execute(
            f"SELECT DISTINCT {key} FROM {table} WHERE activity_id IN ({placeholders(batch)})",  # noqa: S608 (model name)
            batch,
        )
        # The visibility, last in both keys, as a boolean on every database.
        keys.update((*row[:-1], bool(row[-1])) for row in cursor.fetchall())
    return keys


def recount_pairs(cursor: CursorWrapper, tables: dict[str, str], keys: set[PairKey] | None) -> None:
    """Count the pairs of `keys` (None: every key) again into PairCount, by agreement and over
    every agreement."""
    count, pair = tables["pair_count"], tables["pair"]
    _recount(
        cursor,
        count,
        PAIR_KEY,
        keys,
        lambda where: PAIR_COUNTS.format(count=count, pair=pair, where=where),
    )


def recount_activities(
    cursor: CursorWrapper, tables: dict[str, str], keys: set[MoneyKey] | None
) -> None:
    """Count the ActivityMoney rows of `keys` (None: every key) again into ActivityCount."""
    count, money = tables["activity_count"], tables["money"]
    _recount(
        cursor,
        count,
        MONEY_KEY,
        keys,
        lambda where: ACTIVITY_COUNTS.format(activity_count=count, money=money, where=where),
    )


def _recount(
    cursor: CursorWrapper,
    table: str,
    key: str,
    keys: set[tuple] | None,
    insert: Callable[[str], str],
) -> None:
    if keys is None:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (model name)
        cursor.execute(insert("1 = 1"))
        return
    ordered = sorted(keys)
    width = len(key.split(", "))
    # SQLite takes at most 32,766 parameters in a statement.
    for start in range(0, len(ordered), 5_000):
        batch = ordered[start : start + 5_000]
        row = "(" + ", ".join(["%s"] * width) + ")"
        where = f"({key}) IN (VALUES {', '.join([row] * len(batch))})"
        params = [value for one in batch for value in one]
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)  # noqa: S608 (model name)
        cursor.execute(insert(where), params)
