"""The split: each activity-year total divided over the activity's countries and themes, summed
into the full grain's cells (and, for a whole slice at once, every grain's cells).

Each total is split into parts (country x theme). A country's weight is its share in hundredths
of a percent, or 1 each when shares are left empty; a theme's is 1. Integer arithmetic: each part
gets floor(|cents| * weight / weight_sum), and the cents left over go one each to the parts with
the largest remainders, so the parts add up exactly. The parts, summed, are the full grain.
Each amount of a total (each kind and stage, `amount` numbering its column) is split on its own:
the totals are spread into one row per amount they hold first (MATERIALIZED: inlined, the
split's sorts carried every amount column of the total, and spilled to disk).
With |cents| = q * weight_sum + r, that floor is q * weight + floor(r * weight / weight_sum):
computed so, no intermediate exceeds |cents| (|cents| * weight overflowed bigint for totals of a
few hundred billion US$ split by shares).

The parts do not carry their total's seven dimensions (four of them text) through the split's
sort and the full grain's grouping: each combination of them is numbered (`dim`) and the parts
are ranked and grouped by that number, the country and the theme, all integers; the dimensions
are joined back to the grouped cells, a third as many rows as parts.
"""

from __future__ import annotations

from ..models import AMOUNT_COLUMNS, Grain
from .sql import CELL_COLUMNS, pivoted, summed

# The dimensions a total shares with the cells it is split into, but for country and theme.
_TOTAL_DIMENSIONS = "year, division_id, modality, funding_nature, status, agreement, is_public"
_NUMBERS = " UNION ALL ".join(f"SELECT {n} AS amount" for n in range(1, len(AMOUNT_COLUMNS) + 1))
_AMOUNT_OF = " ".join(f"WHEN {n} THEN t.{c}" for n, c in enumerate(AMOUNT_COLUMNS, start=1))

# The full grain's cells of the totals `where` selects (alias t), as the CTE `full_cells`. An
# activity with no country (no theme) is split over one part with none: the LEFT JOINs give it.
FULL_CELLS = f"""
WITH totals AS (
    SELECT t.*, DENSE_RANK() OVER (ORDER BY {_TOTAL_DIMENSIONS}) AS dim
    FROM {{total}} t WHERE {{where}}
),
dims AS (SELECT DISTINCT dim, {_TOTAL_DIMENSIONS} FROM totals),
t AS MATERIALIZED (
    SELECT * FROM (
        SELECT t.id, t.activity_id, t.dim, n.amount, CASE n.amount {_AMOUNT_OF} END AS amount_cents
        FROM totals t CROSS JOIN ({_NUMBERS}) AS n
    ) AS amounts WHERE amount_cents IS NOT NULL
),
acts AS (SELECT DISTINCT activity_id FROM totals),
countries AS (
    SELECT acts.activity_id, cl.country_id,
           COALESCE(CAST(ROUND(cl.share * 100) AS BIGINT), 1) AS weight
    FROM acts LEFT JOIN {{country_link}} cl ON cl.activity_id = acts.activity_id
),
themes AS (
    SELECT acts.activity_id, at.theme_id
    FROM acts LEFT JOIN {{activity_theme}} at ON at.activity_id = acts.activity_id
),
parts AS (
    SELECT c.activity_id, c.country_id, th.theme_id, c.weight,
           CAST(SUM(c.weight) OVER (PARTITION BY c.activity_id) AS BIGINT) AS weight_sum
    FROM countries c JOIN themes th ON th.activity_id = c.activity_id
),
split AS (
    SELECT t.id AS total_id, t.dim, t.amount, t.amount_cents, p.country_id, p.theme_id,
           (ABS(t.amount_cents) / p.weight_sum) * p.weight
           + (ABS(t.amount_cents) %% p.weight_sum) * p.weight / p.weight_sum AS base,
           ((ABS(t.amount_cents) %% p.weight_sum) * p.weight) %% p.weight_sum AS remainder
    FROM t JOIN parts p ON p.activity_id = t.activity_id
),
ranked AS (
    SELECT split.*,
           ABS(amount_cents) - SUM(base) OVER (PARTITION BY total_id, amount) AS left_over,
           ROW_NUMBER() OVER (
               PARTITION BY total_id, amount ORDER BY remainder DESC, country_id, theme_id
           ) AS place
    FROM split
),
parts_cents AS (
    SELECT dim, country_id, theme_id, amount,
           (CASE WHEN amount_cents < 0 THEN -1 ELSE 1 END)
           * (base + CASE WHEN place <= left_over THEN 1 ELSE 0 END) AS cents
    FROM ranked
),
by_dim AS (
    SELECT dim, country_id, theme_id, {pivoted("cents")}
    FROM parts_cents
    GROUP BY dim, country_id, theme_id
),
full_cells AS (
    SELECT d.year, d.division_id, c.country_id, c.theme_id, d.modality, d.funding_nature,
           d.status, d.agreement, d.is_public, {", ".join(f"c.{c}" for c in AMOUNT_COLUMNS)}
    FROM by_dim c JOIN dims d ON d.dim = c.dim
)
"""  # noqa: S608 (names and constants; the values are parameters)

# The full grain's cells of the totals `where` selects, into `cell`; parameters: the grain, then
# the `where` parameters.
INSERT_FULL = (
    f"INSERT INTO {{cell}} ({CELL_COLUMNS})\nSELECT %s, f.* FROM ("  # noqa: S608 (names)
    + FULL_CELLS
    + "SELECT * FROM full_cells) AS f\n"
)

# Every grain's cells of the work totals in one statement: the core and modality grains from the
# totals, the full grain from the split, the country and theme grains from the full grain. The
# rebuild's checksum reads it (nothing written); a first build inserts it straight into the
# stored cells, with no work table between. The full grain is grouped once and kept (a CTE read
# three times is materialized) for the two coarser groupings, which then read its cells instead
# of the parts (GROUPING SETS over the parts sorted them again for each grain: twice the time).
NEW_CELLS = (
    FULL_CELLS
    + f"""
SELECT %s AS grain, f.* FROM full_cells AS f
UNION ALL
SELECT %s, f.year, f.division_id, f.country_id, NULL, '', '', '', f.agreement, f.is_public,
       {summed("f")}
FROM full_cells f
GROUP BY f.year, f.division_id, f.country_id, f.agreement, f.is_public
UNION ALL
SELECT %s, f.year, f.division_id, NULL, f.theme_id, '', '', '', f.agreement, f.is_public,
       {summed("f")}
FROM full_cells f
GROUP BY f.year, f.division_id, f.theme_id, f.agreement, f.is_public
UNION ALL
SELECT %s, t.year, t.division_id, NULL, NULL, t.modality, t.funding_nature, t.status,
       t.agreement, t.is_public, {summed("t")}
FROM {{total}} t
GROUP BY t.year, t.division_id, t.modality, t.funding_nature, t.status, t.agreement, t.is_public
UNION ALL
SELECT %s, t.year, t.division_id, NULL, NULL, t.modality, '', '', t.agreement, t.is_public,
       {summed("t")}
FROM {{total}} t
GROUP BY t.year, t.division_id, t.modality, t.agreement, t.is_public
"""  # noqa: S608 (names and constants; the values are parameters)
)
# NEW_CELLS' parameters: the grain of each of its five parts, in their order.
NEW_CELLS_GRAINS = [
    grain.value for grain in (Grain.FULL, Grain.COUNTRY, Grain.THEME, Grain.CORE, Grain.MODALITY)
]
