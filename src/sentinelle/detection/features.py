"""Daily supply features per product × supplier × establishment, and per region and nation.

What a pharmacist looks at to judge a supplier, each day as known that day (no look-ahead):
- lines due that day and their fill rate at the due date (delivered by then ÷ ordered);
- lines completed that day and their mean delay against the due date (the promise, else the usual
  lead time), in working days, negative when early;
- open lines, those past due, their share, and the mean age of those backorders (days past due);
- at region and nation, the breadth: establishments with a backorder, a sentinel hospital counting
  `Params.sentinel_weight` times.

Rows exist on the days something changes in a series (a line ordered, due, delivered in full,
cancelled, or falling past due); between two rows the open-line figures hold. Everything is built
from dated events summed cumulatively, so nothing expands lines over the days they stay open.
The detector itself judges lines (detect.py); these features are its evidence in figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

import duckdb

from sentinelle.detection import detect as engine
from sentinelle.detection.sql import copy_to, one

COLUMNS = ("product_id", "supplier_id", "scope", "scope_id", "t", "lines_due", "fill_at_due", "lines_completed",
           "mean_delay_wd", "open_lines", "past_due_lines", "past_due_share", "backorder_age_days", "breadth")
SCOPES = ("establishment", "region", "national")


def checked_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes asked for; an unknown one is a ValueError that names it."""
    scopes = list(scopes)
    if unknown := set(scopes) - set(SCOPES):
        raise ValueError(f"portée inconnue : {', '.join(sorted(unknown))}")
    return scopes


def compute(con: duckdb.DuckDBPyConnection, as_of: date | None = None, sentinels: Iterable[str] = (),
            params: engine.Params = engine.Params(), scopes: Iterable[str] = SCOPES) -> str:
    """Build the `features` table (COLUMNS) from the orders and deliveries on `con`; returns its name."""
    scopes = checked_scopes(scopes)
    engine.prepare(con, as_of, sentinels, params=params)
    engine.due_lines(con, params)
    # One row per event of a line; day numbers (days since 2000-01-01) make the backorder age a sum.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE feature_event AS
        WITH l AS (
            SELECT d.*, CASE WHEN d.cancelled_at IS NOT NULL AND (d.full_at IS NULL OR d.cancelled_at < d.full_at)
                             THEN d.cancelled_at ELSE d.full_at END AS closed_at,
                   date_diff('day', DATE '2000-01-01', d.due) AS due_n
            FROM due_line d),
        at_due AS (
            SELECT l.lid, least(coalesce(max(dl.cum), 0), any_value(l.qty)) AS filled
            FROM l LEFT JOIN delivery dl ON dl.lid = l.lid AND dl.delivered_at <= l.due GROUP BY l.lid)
        SELECT est, product_id, supplier_id, region, sentinel, t, sum(d_open) AS d_open, sum(d_pd) AS d_pd,
               sum(d_age) AS d_age, sum(n_due) AS n_due, sum(q_due) AS q_due, sum(q_filled) AS q_filled,
               sum(n_done) AS n_done, sum(delay) AS delay
        FROM (
            SELECT est, product_id, supplier_id, region, sentinel, ordered_at AS t, 1 AS d_open, 0 AS d_pd,
                   0 AS d_age, 0 AS n_due, 0 AS q_due, 0 AS q_filled, 0 AS n_done, 0 AS delay FROM l
            UNION ALL
            SELECT est, product_id, supplier_id, region, sentinel, closed_at, -1, 0, 0, 0, 0, 0, 0, 0
            FROM l WHERE closed_at IS NOT NULL
            UNION ALL  -- past due from the day after the due date, until closed
            SELECT est, product_id, supplier_id, region, sentinel, (due + 1)::DATE, 0, 1, due_n, 0, 0, 0, 0, 0
            FROM l WHERE closed_at IS NULL OR closed_at > due
            UNION ALL
            SELECT est, product_id, supplier_id, region, sentinel, closed_at, 0, -1, -due_n, 0, 0, 0, 0, 0
            FROM l WHERE closed_at > due
            UNION ALL
            SELECT l.est, l.product_id, l.supplier_id, l.region, l.sentinel, l.due, 0, 0, 0, 1, l.qty, a.filled, 0, 0
            FROM l JOIN at_due a USING (lid)
            UNION ALL
            SELECT est, product_id, supplier_id, region, sentinel, full_at, 0, 0, 0, 0, 0, 0, 1, full_wd - due_wd
            FROM l WHERE full_at IS NOT NULL)
        WHERE t <= getvariable('as_of')
        GROUP BY ALL""")
    # Per establishment: the running figures, and when it starts or stops having a backorder.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE feature_est AS
        WITH run AS (
            SELECT *, sum(d_open) OVER w AS open_lines, sum(d_pd) OVER w AS past_due, sum(d_age) OVER w AS age_sum
            FROM feature_event
            WINDOW w AS (PARTITION BY est, product_id, supplier_id ORDER BY t ROWS UNBOUNDED PRECEDING))
        SELECT *, (past_due > 0)::INTEGER
                  - coalesce(lag((past_due > 0)::INTEGER) OVER (PARTITION BY est, product_id, supplier_id ORDER BY t), 0)
                  AS d_backordered
        FROM run""")
    parts = []
    breadth = f"d_backordered * CASE WHEN sentinel THEN {params.sentinel_weight} ELSE 1 END"
    figures = f"""sum(n_due) AS n_due, sum(q_due) AS q_due, sum(q_filled) AS q_filled, sum(n_done) AS n_done,
                  sum(delay) AS delay, sum(d_open) AS d_open, sum(d_pd) AS d_pd, sum(d_age) AS d_age,
                  sum({breadth}) AS d_breadth"""
    if "establishment" in scopes:
        parts.append(f"""SELECT product_id, supplier_id, 'establishment' AS scope, est AS scope_id, t, n_due, q_due,
                                q_filled, n_done, delay, d_open, d_pd, d_age, {breadth} AS d_breadth
                         FROM feature_est""")
    if "region" in scopes:
        parts.append(f"""SELECT product_id, supplier_id, 'region' AS scope, region AS scope_id, t, {figures}
                         FROM feature_est WHERE region IS NOT NULL GROUP BY product_id, supplier_id, region, t""")
    if "national" in scopes:
        parts.append(f"""SELECT product_id, supplier_id, 'national' AS scope, 'FR' AS scope_id, t, {figures}
                         FROM feature_est GROUP BY product_id, supplier_id, t""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE features AS
        WITH g AS ({' UNION ALL '.join(parts)}),
        run AS (
            SELECT *, sum(d_open) OVER w AS open_lines, sum(d_pd) OVER w AS past_due_lines,
                   sum(d_age) OVER w AS age_sum, sum(d_breadth) OVER w AS breadth
            FROM g WINDOW w AS (PARTITION BY product_id, supplier_id, scope, scope_id ORDER BY t
                                ROWS UNBOUNDED PRECEDING))
        SELECT product_id, supplier_id, scope, scope_id, t, n_due AS lines_due,
               CASE WHEN q_due > 0 THEN round(q_filled / q_due, 4) END AS fill_at_due,
               n_done AS lines_completed, CASE WHEN n_done > 0 THEN round(delay / n_done, 2) END AS mean_delay_wd,
               open_lines, past_due_lines,
               CASE WHEN open_lines > 0 THEN round(past_due_lines / open_lines, 4) END AS past_due_share,
               CASE WHEN past_due_lines > 0
                    THEN round(date_diff('day', DATE '2000-01-01', t) - age_sum / past_due_lines, 2) END
                    AS backorder_age_days,
               CASE WHEN scope = 'establishment' THEN NULL ELSE breadth END AS breadth
        FROM run""")
    return "features"


def write(con: duckdb.DuckDBPyConnection, table: str, out: Path) -> int:
    """The features of `table` written to `out` (Parquet or CSV by its name), in a stable order; their count."""
    copy_to(con, f"(SELECT * FROM {table} ORDER BY scope, scope_id, product_id, supplier_id, t)", out)
    return int(one(con, f"SELECT count(*) FROM {table}")[0])
