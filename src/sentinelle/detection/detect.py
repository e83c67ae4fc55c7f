"""Weak-signal detection over order and delivery lines, replayed day by day with no look-ahead.

Each order line is judged once, on its judgement day: its due date (promised, else ordered plus
the usual lead time of its product and supplier as known at the start of that month) plus the
lateness that product × supplier usually shows (its 95th percentile, from lines completed before
that month) plus a margin. The line is abnormal if it is still not fully delivered that day, which
is known that day: partial deliveries, unusual delays and missing deliveries all count, while a
supplier that is always three days late is judged against its own habit.

Per product × supplier, nationally and per region, each day counts the abnormal lines among those
judged in the last `window` days, and compares the count with the series' own usual rate (its past
from t-180 to t-28 days) raised by the day's common mode (when every supplier is slower, as at the
year's end, no single one is suspect). The day alarms when the count's z-score passes `threshold`,
with enough abnormal lines, seen by enough establishments. Alarm days make episodes; an episode ends
after 14 quiet days. Every choice is a parameter (`Params`), documented in docs/detection.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb

from sentinelle.catalogue.regions import DEPARTMENT_REGION
from sentinelle.detection import tables
from sentinelle.detection.calendar import DAY_STEP, EPOCH, ZONES, day_key, working_days, zone_sql
from sentinelle.detection.contract import EPISODE_GAP_DAYS
from sentinelle.detection.sql import one


@dataclass(frozen=True)
class Params:
    window: int = 14  # days of judged lines a daily count looks at
    history: int = 180  # days of the series' own past for its usual rate of abnormal lines
    recent: int = 28  # the most recent days kept out of that past (a slow drift must not hide itself)
    min_history_lines: int = 20  # judged lines a series needs in its past before it may alarm
    quantile: float = 0.95  # a line is abnormal past this quantile of its product × supplier's lateness
    margin_days: int = 1  # ... plus this many days
    # ... or on the day of its first delivery, when that one leaves the line short (a back-order): the
    # earliest sign a supplier gives of a capacity drop. Chosen on the first world (docs/detection.md).
    judge_partial: bool = True
    threshold: float = 6.0  # -log10 of the chance of so many abnormal lines at the usual rate
    min_abnormal: int = 3  # abnormal lines in the window
    # ... and a share of abnormal lines this far above the usual rate: at national volume a tiny excess
    # is "significant" (the score grows with the number of lines) without being a shortage.
    min_excess: float = 0.10
    min_breadth: int = 2  # establishments with an abnormal line in the window (weighted, below)
    sentinel_weight: int = 2  # a sentinel hospital counts as this many establishments in that breadth
    # ... and this many abnormal lines from the establishments other than the one with most of them: one
    # hospital's run of late lines, with a stray one elsewhere, is not its supplier failing. Chosen on the
    # first world (docs/detection.md).
    min_others: int = 2
    base_floor: float = 0.03  # lower bound of the usual rate of abnormal lines
    default_lead: int = 7  # lead time assumed before any history
    default_tolerance: int = 3  # days of lateness tolerated before any history
    lead_months: int = 6  # months of past deliveries whose median makes a product × supplier's usual lead time
    min_week_lines: int = 3  # judged lines a past week needs to count in the usual rate
    max_base: float = 0.95  # upper bound of the usual rate of abnormal lines (the score needs p0 < 1)
    min_suppliers: int = 2  # suppliers with abnormal lines for an alert on a product across all its suppliers
    # A manufacturer's interruption notice on the product (and supplier) lowers the alarm score to
    # `notice_threshold` for `notice_days` from its publication: the detector then confirms what is
    # announced, where alone it would wait for more lines.
    notice_threshold: float = 3.0
    notice_days: int = 90
    # A shortage abroad on the product's substance (public: the FDA's, the EMA's records), from its start
    # to its end and for `abroad_days` at most, lowers it to `abroad_threshold`; a product whose
    # vulnerability score (risk/vulnerability.py, 0–100) is `vulnerable_min` or more, to `vulnerable_threshold`.
    abroad_threshold: float = 4.5
    abroad_days: int = 180
    vulnerable_min: float = 90.0
    vulnerable_threshold: float = 5.0
    pool_min_products: int = 2  # products that weigh in an alert on a supplier in a region ...
    pool_min_share: float = 0.5  # ... each with at least this share of its lines there abnormal
    pool_product_lines: int = 2  # ... and at least this many of them
    pool_others_threshold: float = 3.0  # the score the supplier's lines there reach without its worst product
    pool_min_others: int = 3  # ... and abnormal lines there of those products but the one with most of them
    # A hospital late on everything (its own receiving backlog, its system down) says nothing of its
    # suppliers: on a day when, over the last `window` days, it has abnormal lines from at least
    # `backlog_suppliers` suppliers and, leaving out the supplier with most of them, still abnormal lines
    # on `backlog_share` of all its lines (and `min_abnormal` of them), its lines of those days are taken
    # out of every count and breadth. Chosen on the first world (docs/detection.md).
    backlog_suppliers: int = 3
    backlog_share: float = 0.3
    # The fast path (abrupt stops): a line is silent when nothing at all of it has come by the end of the
    # day its due date plus its product × supplier's usual (median) lateness plus `fast_margin` working
    # days makes; a day alarms when most lines so looked at over the last `fast_days` working days are
    # silent, across establishments. Chosen on the first world only (docs/detection.md).
    fast_margin: int = 0
    fast_days: int = 1  # working days (mainland calendar) of silent lines a fast count looks at
    fast_threshold: float = 8.0  # the same score as the slow path's, on the fast count
    fast_min_lines: int = 5  # silent lines in those days
    fast_min_share: float = 0.8  # share of the lines of those days that are silent
    fast_min_breadth: int = 3  # establishments with a silent line in those days
    # ... while the supplier began to deliver that product, to anyone, at most this many lines per silent
    # line: a stop starts (almost) nothing, a slowdown still delivers the older lines.
    fast_max_shipped: float = 0.25
    fast_quiet_days: int = 1  # the last working days of the window in which that holds
    # The common mode of a series' silent lines is also read among the other suppliers' lines ordered the
    # same day and looked at the same day, when there are this many of them.
    fast_cohort_min: int = 10
    # ... and among the series' supplier's lines of its other products ordered and looked at the same days,
    # when there are this many of them: a supplier late on everything that day (a day's hiccup in its
    # warehouse) is one event, not each product stopping.
    fast_supplier_min: int = 10
    # A series whose past (t-history to t-recent) holds more days that the count would have taken for a
    # stop than this delivers in batches that go silent together: its silent day is no stop (its lines
    # are not independent; docs/detection.md step 11).
    fast_max_past_stops: int = 2


@dataclass(frozen=True)
class Outside:
    """What is known outside the order lines that lowers the score a series needs to alarm (docs/detection.md,
    step 12): manufacturers' interruption notices (product_id, supplier_id or '', published_at), shortages
    abroad on the product's substance (product_id, started_at, ended_at or None), vulnerability scores
    (product_id, 0–100)."""

    notices: tuple[tuple[str, str, date], ...] = ()
    abroad: tuple[tuple[str, date, date | None], ...] = ()
    vulnerability: tuple[tuple[str, float], ...] = ()


# Said after the reason of an alarm that evidence from outside the lines let through (below the usual threshold).
EASED_BY = {"notice": ", sur avis d'interruption du fabricant", "abroad": ", sur pénurie à l'étranger",
            "vulnerable": ", produit vulnérable"}
_NEVER = date(9999, 12, 31)


def easings(outside: Outside, p: Params, as_of: date) -> list[tuple[str, str, date, date, float, str]]:
    """The rows of the `easing` table: (product_id, supplier_id or '', from, until (excluded), threshold,
    source), as known on `as_of` (a notice or a shortage abroad that starts later is not known yet)."""
    rows = [(product, supplier, published, published + timedelta(days=p.notice_days), p.notice_threshold, "notice")
            for product, supplier, published in outside.notices if published <= as_of]
    rows += [(product, "", started, min(ended + timedelta(days=1) if ended else _NEVER,
                                        started + timedelta(days=p.abroad_days)), p.abroad_threshold, "abroad")
             for product, started, ended in outside.abroad if started <= as_of]
    rows += [(product, "", BEFORE_ALL, _NEVER, p.vulnerable_threshold, "vulnerable")
             for product, score in outside.vulnerability if score >= p.vulnerable_min]
    return sorted(set(rows))


def _week(day: str) -> str:
    """SQL: the number of the week (Monday to Sunday) of the date expression `day`."""
    return f"date_diff('day', DATE '2000-01-03', {day}) // 7"


def _not_backlogged(est: str, day: str, window: int) -> str:
    """SQL: establishment `est` was not backlogged (table `backlogged`) in the `window` days up to `day` —
    the lines an alarm counts and those its evidence shows, alike."""
    return f"NOT EXISTS (SELECT 1 FROM backlogged b WHERE b.est = {est} AND b.t > {day} - {window} AND b.t <= {day})"


def _others_rate(k_all: str, n_all: str, k_own: str, n_own: str) -> str:
    """SQL: the share of abnormal (or silent) lines among all but a series' own — the common mode each path
    reads, so that a big supplier failing is no common mode and does not hide itself."""
    return f"({k_all} - {k_own}) / nullif({n_all} - {n_own}, 0)"


def _rolling_quantiles(hist: str, window: str, quantiles: dict[str, float]) -> str:
    """SQL (after a `months` CTE of product_id, supplier_id, m) giving, per month, the quantiles of the
    values of histogram table `hist` (product_id, supplier_id, ..., v, c) whose rows meet `window`."""
    picks = ", ".join(f"min(v) FILTER (WHERE cum >= {q} * tot) AS {name}" for name, q in quantiles.items())
    return f"""
        , agg AS (
            SELECT m.product_id, m.supplier_id, m.m, h.v, sum(h.c) AS c
            FROM months m JOIN {hist} h ON h.product_id = m.product_id AND h.supplier_id = m.supplier_id AND {window}
            GROUP BY ALL),
        cum AS (
            SELECT *, sum(c) OVER (PARTITION BY product_id, supplier_id, m ORDER BY v ROWS UNBOUNDED PRECEDING) AS cum,
                   sum(c) OVER (PARTITION BY product_id, supplier_id, m) AS tot
            FROM agg)
        SELECT product_id, supplier_id, m, {picks} FROM cum GROUP BY ALL"""


# The score of k_win abnormal (or silent) lines of n_win at the usual rate p0, both paths: -log10 of the
# Chernoff bound on P(at least k of n | p0), n·KL(k/n ‖ p0)/ln 10. The bound is never below the binomial
# tail: the score errs on the side of silence.
def _score(k: str, n: str, p0: str) -> str:
    """The score of k abnormal lines out of n at the usual rate p0, in SQL (docs/detection.md step 8)."""
    return f"""CASE WHEN {k} <= {n} * {p0} THEN 0.0
                   WHEN {k} = {n} THEN {n} * -ln({p0}) / ln(10)
                   ELSE {n} * (({k} / {n}) * ln(({k} / {n}) / {p0})
                                 + (1 - {k} / {n}) * ln((1 - {k} / {n}) / (1 - {p0}))) / ln(10)
              END"""


SCORE = _score("k_win", "n_win", "p0")

# The day before any history: `since` of a run over the whole history.
BEFORE_ALL = date(1900, 1, 1)


def last_day(con: duckdb.DuckDBPyConnection, orders: str = "orders", deliveries: str = "deliveries") -> date:
    """The last date in the lines: the default day of a replay."""
    day = one(con, f"SELECT greatest((SELECT max(ordered_at) FROM {orders}), "
                      f"(SELECT max(delivered_at) FROM {deliveries}))")[0]
    if day is None:
        raise ValueError("aucune ligne de commande")
    return day


def prepare(con: duckdb.DuckDBPyConnection, as_of: date | None = None, sentinels: Iterable[str] = (), *,
            since: date | None = None, orders: str = "orders", deliveries: str = "deliveries",
            params: Params = Params(), outside: Outside = Outside()) -> date:
    """Lines, their due dates and deliveries as known on `as_of` (default: the last date in the data).
    `sentinels`: the FINESS of the sentinel hospitals, whose abnormal lines weigh more in the breadth.
    `since`: the run adds the days after it to the prior_* relations, which the caller has made (and
    `orders`/`deliveries` hold the lines still open on that day and those that came after); by default
    the whole history is computed, with empty prior_* tables."""
    if as_of is None:
        as_of = last_day(con, orders, deliveries)
    if isinstance(con, duckdb.DuckDBPyConnection):
        # Build each hash join on the side written on the right (the narrow one: full dates, tolerances,
        # calendars). Left to itself, DuckDB built on the hundred million wide lines when their
        # estimate came out smaller, and the join spilled: half the time of the due dates at 100M lines.
        con.execute("SET disabled_optimizers = 'build_side_probe_side'")
    con.execute("SET VARIABLE as_of = ?", [as_of])
    con.execute("SET VARIABLE since = ?", [since or BEFORE_ALL])
    if since is None:
        for table in tables.PRIOR:
            tables.create(con, table)
    tables.create(con, tables.DEPARTMENT_REGION)
    tables.insert(con, tables.DEPARTMENT_REGION, list(DEPARTMENT_REGION.items()))
    tables.create(con, tables.SENTINEL)
    tables.insert(con, tables.SENTINEL, [(i,) for i in sorted(set(sentinels))])
    tables.create(con, tables.EASING)
    tables.insert(con, tables.EASING, easings(outside, params, as_of))
    first = one(con, f"SELECT min(ordered_at) FROM {orders}")[0]
    # The calendar of each zone (calendar.py): a line's dates are read in its establishment's.
    tables.create(con, tables.WORKDAY)
    tables.insert(con, tables.WORKDAY, [
        (number, d, working, wd, number * DAY_STEP + (d - EPOCH).days) for number, zone in enumerate(ZONES)
        for d, working, wd in working_days(first - timedelta(days=7), as_of + timedelta(days=400), zone)])
    # A working-day number back to its date (the working day itself).
    con.execute("CREATE OR REPLACE TEMP TABLE wd_date AS SELECT wd, min(d) FILTER (WHERE working) AS d "
                "FROM workday GROUP BY wd")
    # Lines ordered by as_of; a cancelled line no longer counts from its cancellation.
    # `lid`: the integer key given to each line at loading (deliveries carry it too).
    # A view: the stored lines with two small lookups are cheaper to read again than to copy.
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW line AS
        SELECT o.lid, o.establishment_id AS est, o.line_id, o.product_id, o.supplier_id,
               o.ordered_at, o.promised_at, o.quantity_ordered AS qty,
               coalesce(o.region, CASE WHEN o.establishment_id LIKE '970%' THEN '0' || substr(o.establishment_id, 4, 1)
                                       ELSE r.region END) AS region,
               o.cancelled_at, s.est IS NOT NULL AS sentinel, {zone_sql("o.establishment_id")} AS cal
        FROM {orders} o LEFT JOIN department_region r ON r.department = substr(o.establishment_id, 1, 2)
        LEFT JOIN sentinel s ON s.est = o.establishment_id
        WHERE o.ordered_at <= getvariable('as_of')""")
    # Deliveries known on as_of, each with its quantity and the quantity delivered so far (a view: the
    # full dates below read it once; the evidence and the charts for a few lines).
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW delivery AS
        SELECT d.lid, d.delivered_at, d.quantity_delivered AS q,
               sum(d.quantity_delivered) OVER (PARTITION BY d.lid ORDER BY d.delivered_at ROWS UNBOUNDED PRECEDING)
               AS cum
        FROM {deliveries} d WHERE d.delivered_at <= getvariable('as_of')""")
    # Full and first delivery dates of each line (as known on as_of): the delivery that brings it to its
    # quantity, and the one that brings its first units. Picked as the rows where the running sum crosses
    # the quantity or leaves zero, in one pass, rather than grouped per line (a hundred million groups).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE line_mark AS
        SELECT c.lid, c.delivered_at, c.cum >= o.qty AND c.cum - c.q < o.qty AS is_full, c.cum - c.q = 0 AS is_first
        FROM delivery c
        JOIN (SELECT lid, quantity_ordered AS qty FROM {orders} WHERE ordered_at <= getvariable('as_of')) o
          ON o.lid = c.lid
        WHERE (c.cum >= o.qty AND c.cum - c.q < o.qty) OR (c.cum > 0 AND c.cum - c.q = 0)""")
    con.execute("CREATE OR REPLACE TEMP VIEW line_full AS SELECT lid, delivered_at AS full_at FROM line_mark WHERE is_full")
    con.execute("CREATE OR REPLACE TEMP VIEW line_first AS SELECT lid, delivered_at AS first_at FROM line_mark "
                "WHERE is_first")
    # Usual lead time (working days) of a product × supplier at the start of each month: the median
    # over the lines fully delivered in the six months before it. Counted as histograms of whole
    # working days per month, so that the rolling median reads a few rows, not the lines again.
    # (Lines completed by `since` are in prior_lead_hist.)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE lead_hist_new AS
        SELECT l.product_id, l.supplier_id, date_trunc('month', f.full_at)::DATE AS fm, wf.wd - wo.wd AS v,
               count(*) AS c
        FROM line l JOIN line_full f USING (lid)
        JOIN workday wo ON wo.k = {day_key("l.cal", "l.ordered_at")}
        JOIN workday wf ON wf.k = {day_key("l.cal", "f.full_at")}
        WHERE f.full_at > getvariable('since')
        GROUP BY ALL""")
    con.execute("CREATE OR REPLACE TEMP VIEW lead_hist AS SELECT * FROM lead_hist_new UNION ALL "
                "SELECT * FROM prior_lead_hist")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE usual_lead AS
        WITH months AS (SELECT DISTINCT product_id, supplier_id, date_trunc('month', ordered_at)::DATE AS m FROM line)
        {_rolling_quantiles("lead_hist", f"h.fm < m.m AND h.fm >= m.m - INTERVAL {params.lead_months} MONTH",
                            {"lead": 0.5})}""")
    return as_of


def _judged(con: duckdb.DuckDBPyConnection, p: Params) -> None:
    """Each line judged once: abnormal if not fully delivered by due + usual lateness + margin (working days)."""
    due_lines(con, p)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE late_hist_new AS
        SELECT product_id, supplier_id, date_trunc('month', due)::DATE AS dm, date_trunc('month', full_at)::DATE AS fm,
               full_wd - due_wd AS v, count(*) AS c
        FROM due_line WHERE full_at > getvariable('since') GROUP BY ALL""")
    con.execute("CREATE OR REPLACE TEMP VIEW late_hist AS SELECT * FROM late_hist_new UNION ALL "
                "SELECT * FROM prior_late_hist")
    months = max(1, p.history // 30)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE tolerance AS
        WITH months AS (SELECT DISTINCT product_id, supplier_id, date_trunc('month', due)::DATE AS m FROM due_line)
        {_rolling_quantiles("late_hist", f"h.fm < m.m AND h.dm < m.m AND h.dm >= m.m - INTERVAL {months} MONTH",
                            {"tol": p.quantile, "med": 0.5})}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW judged0 AS
        WITH j AS (
            SELECT d.*, t.med,
                   d.due_wd + CAST(ceil(greatest(coalesce(t.tol, {p.default_tolerance}), 0)) AS INTEGER)
                   + {p.margin_days} AS judged0_wd
            FROM due_line d LEFT JOIN tolerance t ON t.product_id = d.product_id AND t.supplier_id = d.supplier_id
             AND t.m = date_trunc('month', d.due)::DATE)
        SELECT j.*, w.d AS judged0 FROM j JOIN wd_date w ON w.wd = j.judged0_wd""")
    # The common delay shift of the day: how much later than their own habit all lines run (the
    # year-end and August slowdowns move every supplier at once).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE shift_daily_new AS
        WITH hist AS (
            SELECT judged0 AS t, least(coalesce(full_wd, judged0_wd), judged0_wd) - due_wd - med AS v, count(*) AS c
            FROM judged0 WHERE med IS NOT NULL AND judged0 > getvariable('since') AND judged0 <= getvariable('as_of')
            GROUP BY ALL),
        cum AS (SELECT *, sum(c) OVER (PARTITION BY t ORDER BY v ROWS UNBOUNDED PRECEDING) AS cum,
                       sum(c) OVER (PARTITION BY t) AS tot FROM hist)
        SELECT t, CAST(min(v) FILTER (WHERE cum >= 0.5 * tot) AS DOUBLE) AS shift FROM cum GROUP BY t""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE common_shift AS
        WITH daily AS (SELECT * FROM shift_daily_new UNION ALL SELECT * FROM prior_shift_daily)
        -- A median over a sliding window, as a self-join: Spark allows no window frame on a median.
        SELECT a.t, median(b.shift) AS shift
        FROM daily a JOIN daily b ON b.t BETWEEN a.t - 6 AND a.t
        -- From a fortnight before `since`: a line first due for judgement by then may be moved past it.
        WHERE a.t > getvariable('since') - 14
        GROUP BY a.t""")
    # Views: due_line with three small lookups (tolerance, shift, calendar) is cheaper to read again
    # than another copy of every line.
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW judged_all AS
        WITH j AS (
            SELECT j0.*, j0.judged0_wd + CAST(greatest(0, round(coalesce(c.shift, 0))) AS INTEGER) AS deadline_wd
            FROM judged0 j0 LEFT JOIN common_shift c ON c.t = j0.judged0)
        -- Judged at the deadline, or at a back-order's first delivery (its working day: `known_lateness`).
        SELECT j.*, CASE WHEN {p.judge_partial} AND j.first_at < w.d AND (j.full_at IS NULL OR j.full_at > j.first_at)
                         THEN greatest(j.first_at, j.due) ELSE w.d END AS judged_at
        FROM j JOIN wd_date w ON w.wd = j.deadline_wd""")
    con.execute("""
        CREATE OR REPLACE TEMP VIEW judged AS
        SELECT *, (full_at IS NULL OR full_at > judged_at) AS abnormal
        FROM judged_all WHERE judged_at > getvariable('since') AND judged_at <= getvariable('as_of')
         AND (cancelled_at IS NULL OR cancelled_at > judged_at)""")
    _backlogged(con, p)


def _backlogged(con: duckdb.DuckDBPyConnection, p: Params) -> None:
    """The establishments late on most of their suppliers at once, per day (`backlogged`): a receiving
    backlog or a system down, not a supplier's trouble (a supplier failing makes a hospital late on one
    supplier; the national slowdowns are already taken out by the common shift). And the judged lines
    of those establishments per product × supplier × region and day (`est_line`), to take out of the
    counts they weigh in."""
    # One pass over the judged lines for two counts: per product × supplier × region and day (the series,
    # _scored's judged_region_day) and per establishment and day, its abnormal lines per supplier apart
    # (`late_supplier`, empty for its other lines: an establishment × supplier × day count would be
    # nearly one row per line).
    con.execute("""
        CREATE OR REPLACE TEMP TABLE judged_counts AS
        SELECT product_id, supplier_id, region, est, late_supplier, judged_at AS t, GROUPING(est) AS per_series,
               count(*) AS n, count(*) FILTER (WHERE abnormal) AS k
        FROM (SELECT *, CASE WHEN abnormal THEN supplier_id END AS late_supplier FROM judged) j
        GROUP BY GROUPING SETS ((product_id, supplier_id, region, judged_at), (est, late_supplier, judged_at))""")
    con.execute("""
        CREATE OR REPLACE TEMP VIEW est_day_new AS
        SELECT est, late_supplier, t, n, k FROM judged_counts WHERE per_series = 0""")
    # From a window before `since`: a day of the run looks at the flags of the `window` days up to it.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE backlogged AS
        WITH est_day AS (SELECT * FROM est_day_new UNION ALL SELECT * FROM prior_est_day),
        totals AS (SELECT est, t, sum(n) AS n, sum(k) AS k FROM est_day GROUP BY est, t),
        rolled AS (
            SELECT est, t, sum(n) OVER w AS n_win, sum(k) OVER w AS k_win FROM totals
            WINDOW w AS (PARTITION BY est ORDER BY t RANGE BETWEEN INTERVAL {p.window - 1} DAY PRECEDING
                                                            AND CURRENT ROW)),
        -- (What the rule below needs at least, whatever the suppliers: few days pass it.)
        days AS (SELECT * FROM rolled WHERE t > getvariable('since') - {p.window} AND k_win > {p.min_abnormal}
                   AND k_win >= {p.backlog_share} * n_win),
        late AS (
            SELECT d.est, d.t, e.late_supplier, sum(e.k) AS k
            FROM days d JOIN est_day e ON e.est = d.est AND e.t > d.t - {p.window} AND e.t <= d.t
             AND e.late_supplier IS NOT NULL
            GROUP BY d.est, d.t, e.late_supplier)
        -- The supplier with most abnormal lines is left out (one supplier failing is not a backlog).
        SELECT d.est, d.t
        FROM days d JOIN (SELECT est, t, count(*) AS suppliers, max(k) AS k_top FROM late GROUP BY est, t) l
          USING (est, t)
        WHERE l.suppliers >= {p.backlog_suppliers} AND d.k_win - l.k_top >= {p.min_abnormal}
          AND d.k_win - l.k_top >= {p.backlog_share} * d.n_win""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE est_line_new AS
        SELECT est, product_id, supplier_id, region, judged_at AS t, count(*) AS n,
               count(*) FILTER (WHERE abnormal) AS k
        FROM judged WHERE est IN (SELECT est FROM backlogged) GROUP BY ALL""")
    con.execute("CREATE OR REPLACE TEMP VIEW est_line AS SELECT * FROM est_line_new UNION ALL SELECT * FROM prior_est_line")


def _scored(con: duckdb.DuckDBPyConnection, p: Params) -> None:
    # Per series and day: lines judged and abnormal. The lines are counted once per product × supplier
    # × region and day; the scopes are sums of those counts.
    con.execute("""
        CREATE OR REPLACE TEMP VIEW judged_region_day AS
        SELECT product_id, supplier_id, region, t, n, k FROM judged_counts WHERE per_series = 1""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE judged_day_new AS
        SELECT product_id, supplier_id, 'national' AS scope, 'FR' AS scope_id, t, CAST(sum(n) AS BIGINT) AS n,
               CAST(sum(k) AS BIGINT) AS k
        FROM judged_region_day GROUP BY product_id, supplier_id, t
        UNION ALL
        SELECT product_id, supplier_id, 'region', region, t, n, k FROM judged_region_day WHERE region IS NOT NULL
        UNION ALL
        -- Product-wide (supplier left empty): trouble shared by several suppliers of one product,
        -- as when demand outruns them all.
        SELECT product_id, '', 'national', 'FR', t, CAST(sum(n) AS BIGINT), CAST(sum(k) AS BIGINT)
        FROM judged_region_day GROUP BY product_id, t
        UNION ALL
        -- Supplier-wide in a region (product left empty): where three or four hospitals buy each product,
        -- a regional distributor failing shows on all of one supplier's products at once, each too thin.
        SELECT '', supplier_id, 'region', region, t, CAST(sum(n) AS BIGINT), CAST(sum(k) AS BIGINT)
        FROM judged_region_day WHERE region IS NOT NULL GROUP BY supplier_id, region, t""")
    con.execute("CREATE OR REPLACE TEMP VIEW judged_day AS SELECT * FROM judged_day_new UNION ALL "
                "SELECT * FROM prior_judged_day")
    # The common mode: the lines judged over everything, recent (the series' own are taken out below)
    # and the usual rate of abnormal ones (all lines of a day are its product-wide counts).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE common AS
        WITH day AS (SELECT t, sum(n) AS n, sum(k) AS k FROM judged_day WHERE supplier_id = '' AND scope = 'national'
                     GROUP BY t)
        SELECT t, sum(n) OVER recent AS n_now, sum(k) OVER recent AS k_now,
          sum(k) OVER past / nullif(sum(n) OVER past, 0) AS rate_usual
        FROM day
        WINDOW recent AS (ORDER BY t RANGE BETWEEN INTERVAL {p.window - 1} DAY PRECEDING AND CURRENT ROW),
               past AS (ORDER BY t RANGE BETWEEN INTERVAL {p.history} DAY PRECEDING
                                           AND INTERVAL {p.recent} DAY PRECEDING)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE scored_all AS
        WITH rolled AS (
            SELECT *, {_week('t')} AS week, sum(n) OVER w AS n_win, sum(k) OVER w AS k_win
            FROM judged_day WHERE t > getvariable('since') - {p.window}
            WINDOW w AS (PARTITION BY product_id, supplier_id, scope, scope_id ORDER BY t
                         RANGE BETWEEN INTERVAL {p.window - 1} DAY PRECEDING AND CURRENT ROW)),
        weekly AS (
            SELECT product_id, supplier_id, scope, scope_id, {_week('t')} AS week,
                   sum(n) AS n, sum(k) AS k
            FROM judged_day GROUP BY ALL),
        -- The usual rate: the median of the weekly rates over the past (weeks ending 4 to 26 weeks
        -- before), so that a disruption that lasts less than half of that past does not pass for usual.
        usual AS (
            SELECT w.product_id, w.supplier_id, w.scope, w.scope_id, w.week,
                   median(past.k / past.n) FILTER (WHERE past.n >= {p.min_week_lines}) AS usual, sum(past.n) AS n_past
            FROM (SELECT * FROM weekly WHERE week >= {_week("getvariable('since')")}) w
            JOIN weekly past
              ON past.product_id = w.product_id AND past.supplier_id = w.supplier_id AND past.scope = w.scope
             AND past.scope_id = w.scope_id
             AND past.week BETWEEN w.week - {p.history // 7} AND w.week - ({p.recent // 7 + 1})
            GROUP BY w.product_id, w.supplier_id, w.scope, w.scope_id, w.week),
        based AS (
            SELECT r.*, u.usual, u.n_past,
                   least({p.max_base}, greatest(coalesce(u.usual, 0), {p.base_floor})
                               * greatest(1, coalesce({_others_rate("c.k_now", "c.n_now", "r.k_win", "r.n_win")}
                                                      / nullif(c.rate_usual, 0), 1))) AS p0
            FROM rolled r
            JOIN usual u USING (product_id, supplier_id, scope, scope_id, week)
            JOIN common c USING (t)
            WHERE r.t > getvariable('since') AND u.n_past >= {p.min_history_lines} AND r.k_win >= {p.min_abnormal})
        SELECT *, {SCORE} AS score FROM based""")
    # The days that may alarm, with the lines of backlogged establishments taken out of their counts.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE scored AS
        WITH hot AS (SELECT * FROM scored_all WHERE score >= {min(p.threshold, p.notice_threshold, p.abroad_threshold,
                                                                p.vulnerable_threshold)}),
        flagged AS (
            SELECT DISTINCT h.product_id, h.supplier_id, h.scope, h.scope_id, h.t, b.est
            FROM hot h JOIN backlogged b ON b.t > h.t - {p.window} AND b.t <= h.t),
        taken AS (
            SELECT f.product_id, f.supplier_id, f.scope, f.scope_id, f.t, sum(e.n) AS n, sum(e.k) AS k
            FROM flagged f JOIN est_line e ON e.est = f.est AND e.t > f.t - {p.window} AND e.t <= f.t
             AND (f.product_id = '' OR e.product_id = f.product_id)
             AND (f.supplier_id = '' OR e.supplier_id = f.supplier_id) AND (f.scope = 'national' OR e.region = f.scope_id)
            GROUP BY f.product_id, f.supplier_id, f.scope, f.scope_id, f.t),
        based AS (
            SELECT h.product_id, h.supplier_id, h.scope, h.scope_id, h.t, h.usual, h.p0,
                   h.n_win - coalesce(x.n, 0) AS n_win, h.k_win - coalesce(x.k, 0) AS k_win
            FROM hot h LEFT JOIN taken x USING (product_id, supplier_id, scope, scope_id, t))
        SELECT *, {SCORE} AS score FROM based WHERE k_win >= {p.min_abnormal}""")
    # Breadth, for the days that pass the score only: the establishments (and suppliers) behind the
    # abnormal lines of the window.
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW abnormal_all AS
        SELECT *, {_week('judged_at')} AS wk
        FROM (SELECT product_id, supplier_id, region, est, sentinel, judged_at FROM judged WHERE abnormal
              UNION ALL SELECT * FROM prior_abnormal) a""")
    weeks = ", ".join(f"({i})" for i in range((p.window - 1) // 7 + 2))
    # The candidate days: past the threshold (or the lower one evidence from outside the lines sets) and
    # the excess; each says which outside evidence eased it (by_notice, by_abroad, …: one per EASED_BY).
    by_source = ", ".join(f"max(CASE WHEN e.source = '{source}' THEN 1 ELSE 0 END) AS by_{source}" for source in EASED_BY)
    by_default = ", ".join(f"coalesce(ed.by_{source}, 0) AS by_{source}" for source in EASED_BY)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE candidate AS
        WITH eased AS (
            SELECT s.product_id, s.supplier_id, s.scope, s.scope_id, s.t, {by_source}
            FROM scored s JOIN easing e ON e.product_id = s.product_id
             AND (e.supplier_id = '' OR s.supplier_id = '' OR e.supplier_id = s.supplier_id)
             AND s.t >= e.valid_from AND s.t < e.valid_to AND s.score >= e.threshold
            GROUP BY s.product_id, s.supplier_id, s.scope, s.scope_id, s.t)
        SELECT s.*, {by_default}
        FROM scored s LEFT JOIN eased ed ON ed.product_id = s.product_id AND ed.supplier_id = s.supplier_id
         AND ed.scope = s.scope AND ed.scope_id = s.scope_id AND ed.t = s.t
        WHERE (s.score >= {p.threshold} OR ed.t IS NOT NULL) AND s.k_win / s.n_win - s.p0 >= {p.min_excess}""")
    # For a supplier's candidate day in a region, the products that weigh in it: each with abnormal lines
    # in the window, at least `pool_min_share` of its lines there (thin, but not the usual noise).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE pooled_product AS
        WITH cand AS (SELECT supplier_id, scope_id, t FROM candidate WHERE product_id = ''),
        counts AS (
            SELECT c.supplier_id, c.scope_id, c.t, d.product_id, d.n, d.k
            FROM cand c JOIN judged_day d ON d.supplier_id = c.supplier_id AND d.scope = 'region'
             AND d.scope_id = c.scope_id AND d.product_id <> '' AND d.t > c.t - {p.window} AND d.t <= c.t
            UNION ALL
            -- less the lines of the establishments backlogged in the window
            SELECT f.supplier_id, f.scope_id, f.t, e.product_id, -e.n, -e.k
            FROM (SELECT DISTINCT c.supplier_id, c.scope_id, c.t, b.est FROM cand c
                  JOIN backlogged b ON b.t > c.t - {p.window} AND b.t <= c.t) f
            JOIN est_line e ON e.est = f.est AND e.supplier_id = f.supplier_id AND e.region = f.scope_id
             AND e.t > f.t - {p.window} AND e.t <= f.t)
        SELECT supplier_id, scope_id, t, product_id, sum(n) AS n, sum(k) AS k FROM counts
        GROUP BY supplier_id, scope_id, t, product_id
        HAVING sum(k) >= {p.pool_product_lines} AND sum(k) >= {p.pool_min_share} * sum(n)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE alarm AS
        WITH cand AS (SELECT * FROM candidate),
        -- Each candidate day with the weeks its window touches: joined on the product and the week, a day
        -- meets the abnormal lines of a few weeks, not of the product's whole history.
        cand_week AS (
            SELECT c.*, {_week(f'c.t - {p.window - 1}')} + r.i AS wk
            FROM cand c CROSS JOIN (VALUES {weeks}) AS r(i)
            WHERE {_week(f'c.t - {p.window - 1}')} + r.i <= {_week('c.t')}),
        -- The abnormal lines behind each candidate day: its product's, or, for a supplier in a region, those
        -- of the products that weigh in it; none of an establishment backlogged then.
        lines AS (
            SELECT c.product_id, c.supplier_id, c.scope, c.scope_id, c.t, a.est, a.sentinel,
                   a.supplier_id AS line_supplier, a.product_id AS line_product, count(*) AS k
            FROM cand_week c
            LEFT JOIN pooled_product pp ON c.product_id = '' AND pp.supplier_id = c.supplier_id
             AND pp.scope_id = c.scope_id AND pp.t = c.t
            JOIN abnormal_all a ON a.product_id = coalesce(pp.product_id, c.product_id) AND a.wk = c.wk
             AND (c.supplier_id = '' OR a.supplier_id = c.supplier_id)
             AND (c.scope = 'national' OR a.region = c.scope_id)
             AND a.judged_at > c.t - {p.window} AND a.judged_at <= c.t
            WHERE {_not_backlogged("a.est", "c.t", p.window)}
            GROUP BY ALL),
        ev AS (
            SELECT product_id, supplier_id, scope, scope_id, t, count(DISTINCT est) AS establishments,
                   count(DISTINCT CASE WHEN sentinel THEN est END) AS sentinels,
                   count(DISTINCT line_supplier) AS suppliers, count(DISTINCT line_product) AS products
            FROM lines GROUP BY product_id, supplier_id, scope, scope_id, t),
        -- The lines of all the establishments but the one with most of them.
        others AS (
            SELECT product_id, supplier_id, scope, scope_id, t, sum(k) - max(k) AS others
            FROM (SELECT product_id, supplier_id, scope, scope_id, t, est, sum(k) AS k FROM lines
                  GROUP BY product_id, supplier_id, scope, scope_id, t, est) e
            GROUP BY product_id, supplier_id, scope, scope_id, t),
        -- For a supplier in a region, the abnormal lines of the products that weigh in it but the one with most.
        other_products AS (
            SELECT supplier_id, scope_id, t, sum(k) - max(k) AS others, max(k) AS k_top, arg_max(n, k) AS n_top
            FROM pooled_product GROUP BY supplier_id, scope_id, t)
        SELECT c.*, ev.establishments, ev.sentinels, ev.suppliers, ev.products, ev.breadth
        FROM cand c
        JOIN (SELECT *, establishments + ({p.sentinel_weight} - 1) * sentinels AS breadth FROM ev) ev
          USING (product_id, supplier_id, scope, scope_id, t)
        JOIN others o USING (product_id, supplier_id, scope, scope_id, t)
        LEFT JOIN other_products op ON c.product_id = '' AND op.supplier_id = c.supplier_id
         AND op.scope_id = c.scope_id AND op.t = c.t
        WHERE ev.breadth >= {p.min_breadth} AND o.others >= {p.min_others}
          AND (c.supplier_id <> '' OR ev.suppliers >= {p.min_suppliers})
          AND (c.product_id <> '' OR (ev.products >= {p.pool_min_products} AND op.others >= {p.pool_min_others}
                                      AND {_score("(c.k_win - op.k_top)", "(c.n_win - op.n_top)", "c.p0")}
                                          >= {p.pool_others_threshold}))""")


# Which path raised an alarm: the series' statistics ("slow"), its supplier's alarm in a region ("pooled"),
# the abrupt stops' ("fast"); in this order, the one an episode names when several alarm on its first day.
PATHS = ("slow", "pooled", "fast")
# The reason of an alarm on a supplier in a region (lines abnormal, lines, products, usual share, establishments).
POOLED_REASON = ("fournisseur en difficulté dans la région : %d lignes anormales sur %d en {window} j, %d produits "
                 "(habituel %.0f %%), %d établissement(s)%s")
# The reason of a fast-path alarm (printf's arguments: silent lines, lines, usual share, establishments).
FAST_REASON = ("arrêt brutal ? %d lignes sur %d sans aucune livraison en {days} jour(s) ouvré(s) (habituel %.0f %%), "
               "%d établissement(s)%s")


def fast_window_days(p: Params) -> int:
    """Calendar days a fast window can span at most (`fast_days` working days, with week-ends and
    holidays between): what the daily store keeps of the fast path's days."""
    return 7 * p.fast_days + 1


def _fast(con: duckdb.DuckDBPyConnection, p: Params) -> None:
    """The fast path, for abrupt stops (a recall, a plant shut overnight): the slow path judges a line
    only once its usual 95th-percentile lateness has passed and needs a fortnight of such lines, which
    is a week or more after the stop. Here each line is looked at once its *median* lateness has passed
    (plus `fast_margin`): silent if nothing at all of it has come. Per product × supplier, nationally, a
    mainland working day counts the silent lines among those looked at over the last `fast_days` working
    days, scored like the slow path against the series' usual share of silent lines (from t-history to
    t-recent), raised by the day's common mode; it alarms when most of those lines are silent, at
    enough establishments. Needs `_judged` (judged0, the deliveries)."""
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW fast_line AS
        WITH j0 AS (
            SELECT lid, est, product_id, supplier_id, cancelled_at, sentinel, ordered_at, due, due_wd, qty, first_at,
                   due_wd + CAST(ceil(greatest(med, 0)) AS INTEGER) + {p.fast_margin} AS fast0_wd
            FROM judged0 WHERE med IS NOT NULL),
        -- Moved by the day's common shift, as the slow path's judgement (every supplier slower at the
        -- year's end is no stop).
        j AS (
            SELECT j0.*, j0.fast0_wd + CAST(greatest(0, round(coalesce(c.shift, 0))) AS INTEGER) AS fast_wd
            FROM j0 JOIN wd_date w0 ON w0.wd = j0.fast0_wd LEFT JOIN common_shift c ON c.t = w0.d)
        SELECT j.*, w.d AS t, (j.first_at IS NULL OR j.first_at > w.d) AS silent
        FROM j JOIN wd_date w ON w.wd = j.fast_wd
        WHERE w.d > getvariable('since') AND w.d <= getvariable('as_of')
          AND (j.cancelled_at IS NULL OR j.cancelled_at > w.d)""")
    # One pass over the lines: per product × supplier and day, a row for the lines that are not silent
    # and one per establishment with silent lines (what the breadth needs; several of its lines one row).
    # (Per order day too: the common mode compares a series' lines with the others ordered the same day.)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE fast_counts AS
        SELECT product_id, supplier_id, t, ordered_at, CASE WHEN silent THEN est END AS silent_est,
               CASE WHEN silent THEN sentinel END AS sentinel, count(*) AS n
        FROM fast_line GROUP BY ALL""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE fast_day_new AS
        SELECT product_id, supplier_id, t, ordered_at, CAST(sum(n) AS BIGINT) AS n,
               CAST(sum(CASE WHEN silent_est IS NOT NULL THEN n ELSE 0 END) AS BIGINT) AS k
        FROM fast_counts GROUP BY product_id, supplier_id, t, ordered_at""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE fast_silent_new AS
        SELECT DISTINCT product_id, supplier_id, silent_est AS est, sentinel, t FROM fast_counts
        WHERE silent_est IS NOT NULL""")
    # The lines each product × supplier began to deliver each day, to anyone: a stop starts none, where a
    # slowdown (the year's end) still delivers the older lines. (Read from the lines' first deliveries:
    # the rest of a split line, sent on after a stop from stock in transit, is not the supplier shipping.)
    con.execute("""
        CREATE OR REPLACE TEMP TABLE shipped_day_new AS
        SELECT product_id, supplier_id, first_at AS t, count(*) AS c
        FROM due_line WHERE first_at > getvariable('since') AND first_at <= getvariable('as_of')
        GROUP BY ALL""")
    # Each mainland working day t with the days d of its fast window (from `fast_days` working days back),
    # and whether d is among its last `fast_quiet_days`: one row per day, so that every join on it is on
    # equal dates.
    offsets = ", ".join(f"({i})" for i in range(fast_window_days(p)))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE fast_window AS
        WITH bounds AS (
            SELECT w.d AS t, b.d AS first_day, q.d AS quiet_day
            FROM workday w JOIN wd_date b ON b.wd = w.wd - {p.fast_days - 1}
            JOIN wd_date q ON q.wd = w.wd - {p.fast_quiet_days - 1}
            WHERE w.cal = 0 AND w.working AND w.d > getvariable('since') AND w.d <= getvariable('as_of'))
        SELECT b.t, CAST(b.t - r.i AS DATE) AS d, b.t - r.i >= b.quiet_day AS quiet
        FROM bounds b CROSS JOIN (VALUES {offsets}) AS r(i)
        WHERE b.t - r.i >= b.first_day""")
    # The kept days and the new ones, as tables: small (per series and day) and each read several times.
    for name in ("fast_day", "fast_silent", "shipped_day"):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_new UNION ALL SELECT * FROM prior_{name}")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE fast_scored AS
        WITH series_day AS (SELECT product_id, supplier_id, t, sum(n) AS n, sum(k) AS k FROM fast_day GROUP BY ALL),
        win AS (
            SELECT a.product_id, a.supplier_id, fw.t, sum(a.n) AS n_win, sum(a.k) AS k_win
            FROM fast_window fw JOIN series_day a ON a.t = fw.d
            GROUP BY a.product_id, a.supplier_id, fw.t),
        past AS (
            SELECT product_id, supplier_id, t, sum(n) OVER back AS n_past, sum(k) OVER back AS k_past,
                   -- the days of its past that a count would have taken for a stop (a habit of batches)
                   sum(CASE WHEN k >= {p.fast_min_lines} AND k >= {p.fast_min_share} * n THEN 1 ELSE 0 END)
                       OVER back AS stops_past
            FROM series_day
            WINDOW back AS (PARTITION BY product_id, supplier_id ORDER BY t
                         RANGE BETWEEN INTERVAL {p.history} DAY PRECEDING AND INTERVAL {p.recent} DAY PRECEDING)),
        nation AS (SELECT t, sum(n) AS n, sum(k) AS k FROM series_day GROUP BY t),
        nation_past AS (
            SELECT t, sum(k) OVER back / nullif(sum(n) OVER back, 0) AS rate_usual FROM nation
            WINDOW back AS (ORDER BY t RANGE BETWEEN INTERVAL {p.history} DAY PRECEDING
                                            AND INTERVAL {p.recent} DAY PRECEDING)),
        -- The common mode: the silent lines over every series in the window, against the usual share.
        common AS (
            SELECT fw.t, sum(a.k) AS k_all, sum(a.n) AS n_all, any_value(np.rate_usual) AS rate_usual
            FROM fast_window fw JOIN nation a ON a.t = fw.d
            JOIN nation_past np ON np.t = fw.t
            GROUP BY fw.t),
        others AS (
            SELECT x.product_id, x.supplier_id, x.t, x.n_win, x.k_win, pa.k_past, pa.n_past, pa.stops_past, c.rate_usual,
                   -- The others' share now: the series itself left out (a big supplier's stop is no
                   -- common mode).
                   {_others_rate("c.k_all", "c.n_all", "x.k_win", "x.n_win")} AS rate_now
            FROM win x
            JOIN past pa ON pa.product_id = x.product_id AND pa.supplier_id = x.supplier_id AND pa.t = x.t
            LEFT JOIN common c ON c.t = x.t),
        cand AS (
            SELECT * FROM others o
            WHERE o.n_past >= {p.min_history_lines} AND o.k_win >= {p.fast_min_lines}
              AND o.k_win >= {p.fast_min_share} * o.n_win AND o.stops_past <= {p.fast_max_past_stops}),
        -- The cohort: the lines of the other suppliers ordered the same day as the series' lines and looked
        -- at the same day. Every line ordered just before a closure comes late (the year's end, August),
        -- but only the suppliers quick enough to be due then show it: against the others of the day
        -- overall, their lines look stopped; against the others ordered with them, they do not.
        day_cohort AS (SELECT t, ordered_at, sum(n) AS n, sum(k) AS k FROM fast_day GROUP BY ALL),
        supplier_cohort AS (SELECT supplier_id, t, ordered_at, sum(n) AS n, sum(k) AS k FROM fast_day GROUP BY ALL),
        -- And the supplier's own: its lines of its other products ordered and looked at the same days. A
        -- supplier whose lines of a Monday all come a day late (August) silences every product of it at
        -- once: one event, which counted line by line passed for a dozen products each stopping.
        cohort AS (
            SELECT c.product_id, c.supplier_id, c.t,
                   sum(CASE WHEN dc.n - sc.n >= {p.fast_cohort_min} THEN a.n * (dc.k - sc.k) / (dc.n - sc.n) END)
                   / sum(CASE WHEN dc.n - sc.n >= {p.fast_cohort_min} THEN a.n END) AS rate_cohort,
                   sum(CASE WHEN sc.n - a.n >= {p.fast_supplier_min} THEN a.n * (sc.k - a.k) / (sc.n - a.n) END)
                   / sum(CASE WHEN sc.n - a.n >= {p.fast_supplier_min} THEN a.n END) AS rate_supplier
            FROM cand c JOIN fast_window fw ON fw.t = c.t
            JOIN fast_day a ON a.product_id = c.product_id AND a.supplier_id = c.supplier_id AND a.t = fw.d
            JOIN day_cohort dc ON dc.t = a.t AND dc.ordered_at = a.ordered_at
            JOIN supplier_cohort sc ON sc.supplier_id = a.supplier_id AND sc.t = a.t AND sc.ordered_at = a.ordered_at
            GROUP BY c.product_id, c.supplier_id, c.t),
        based AS (
            SELECT o.product_id, o.supplier_id, o.t, o.n_win, o.k_win, o.k_past / o.n_past AS usual,
                   -- When lines go silent everywhere (a holiday closure), a series is judged against the
                   -- nation's share of the day, and against its cohort's, not only its own usual share
                   -- scaled up.
                   least({p.max_base}, greatest(greatest(o.k_past / o.n_past, {p.base_floor})
                                                * greatest(1, coalesce(o.rate_now / nullif(o.rate_usual, 0), 1)),
                                                coalesce(o.rate_now, 0), coalesce(h.rate_cohort, 0),
                                                coalesce(h.rate_supplier, 0))) AS p0
            FROM cand o LEFT JOIN cohort h ON h.product_id = o.product_id AND h.supplier_id = o.supplier_id
             AND h.t = o.t)
        SELECT *, {SCORE} AS score FROM based""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE fast_alarm AS
        WITH cand AS (SELECT * FROM fast_scored WHERE score >= {p.fast_threshold}),
        ev AS (
            SELECT c.product_id, c.supplier_id, c.t, count(DISTINCT s.est) AS establishments,
                   count(DISTINCT CASE WHEN s.sentinel THEN s.est END) AS sentinels
            FROM cand c JOIN fast_window fw ON fw.t = c.t
            JOIN fast_silent s ON s.product_id = c.product_id AND s.supplier_id = c.supplier_id AND s.t = fw.d
            GROUP BY c.product_id, c.supplier_id, c.t),
        quiet AS (
            SELECT c.product_id, c.supplier_id, c.t, coalesce(sum(s.c), 0) AS shipped
            FROM cand c JOIN fast_window fw ON fw.t = c.t AND fw.quiet
            LEFT JOIN shipped_day s ON s.product_id = c.product_id AND s.supplier_id = c.supplier_id AND s.t = fw.d
            GROUP BY c.product_id, c.supplier_id, c.t)
        SELECT c.product_id, c.supplier_id, 'national' AS scope, 'FR' AS scope_id, c.t, c.score,
               printf('{FAST_REASON.format(days=p.fast_days)}', c.k_win, c.n_win, 100 * c.usual,
                      ev.establishments,
                      CASE WHEN ev.sentinels > 0 THEN printf(' dont %d sentinelle(s)', ev.sentinels) ELSE '' END)
               AS reason, 'fast' AS path
        FROM cand c JOIN ev USING (product_id, supplier_id, t) JOIN quiet q USING (product_id, supplier_id, t)
        WHERE ev.establishments + ({p.sentinel_weight} - 1) * ev.sentinels >= {p.fast_min_breadth}
          AND q.shipped <= {p.fast_max_shipped} * c.k_win""")


def _daily_fill(con: duckdb.DuckDBPyConnection, days: int) -> None:
    """National fill rate per product × supplier and day: delivered ÷ ordered on the lines due in the
    last `days` days, with the deliveries known that day (for the fill-rate baseline)."""
    due_lines(con, Params())
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE fill_day AS
        WITH expanded AS (
            SELECT d.lid, d.product_id, d.supplier_id, d.qty, (d.due + k.k)::DATE AS t
            FROM due_line d CROSS JOIN (SELECT CAST(range AS INTEGER) AS k FROM range({days})) k
            WHERE d.due + k.k <= getvariable('as_of') AND (d.cancelled_at IS NULL OR d.cancelled_at > d.due + k.k)),
        known AS (
            SELECT e.*, coalesce(dl.cum, 0) AS delivered FROM expanded e
            ASOF LEFT JOIN delivery dl ON dl.lid = e.lid AND dl.delivered_at <= e.t)
        SELECT product_id, supplier_id, t, sum(least(delivered, qty)) / sum(qty) AS fill, count(*) AS lines
        FROM known GROUP BY ALL""")


def episodes_of(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple]:
    """Alarm days of `source` (product_id, supplier_id, scope, scope_id, t, score, reason, path) into episodes."""
    preference = " ".join(f"WHEN '{path}' THEN {i}" for i, path in enumerate(PATHS))
    return con.execute(f"""
        WITH marked AS (
            SELECT *, CASE WHEN date_diff('day', lag(t) OVER s, t) > {EPISODE_GAP_DAYS} OR lag(t) OVER s IS NULL THEN 1 ELSE 0 END
                      AS new_episode
            FROM {source} WINDOW s AS (PARTITION BY product_id, supplier_id, scope, scope_id ORDER BY t)),
        numbered AS (
            SELECT *, sum(new_episode) OVER (PARTITION BY product_id, supplier_id, scope, scope_id ORDER BY t
                                             ROWS UNBOUNDED PRECEDING) AS episode
            FROM marked),
        -- The first day's reason and path from one row: where two paths alarm on a series the same day, the
        -- series' own evidence first, then its supplier's in the region, then the fast path.
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY product_id, supplier_id, scope, scope_id, episode
                                         ORDER BY t, CASE path {preference} ELSE {len(PATHS)} END)
                      AS nth
            FROM numbered)
        SELECT product_id, supplier_id, scope, scope_id, min(t) AS first_alert_at, max(t) AS last_alert_at,
               round(max(score), 2) AS score, max(CASE WHEN nth = 1 THEN reason END) AS reason,
               max(CASE WHEN nth = 1 THEN path END) AS path
        FROM ranked GROUP BY product_id, supplier_id, scope, scope_id, episode
        ORDER BY first_alert_at, product_id, supplier_id, scope, scope_id""").fetchall()


# The phases of `detect`, for a progress bar.
PHASES = ("lignes et livraisons connues", "jugement des lignes", "séries et scores", "épisodes")


def detect(con: duckdb.DuckDBPyConnection, params: Params = Params(), as_of: date | None = None,
           progress: Callable[[str], None] | None = None, sentinels: Iterable[str] = (), *,
           since: date | None = None, orders: str = "orders", deliveries: str = "deliveries",
           outside: Outside = Outside()) -> list[tuple]:
    """Alert episodes: (product_id, supplier_id, scope, scope_id, first_alert_at, last_alert_at, score, reason,
    path), the path that raised the first day: PATHS.
    `progress` is told the name of each phase (PHASES) once it is done; `outside`: what lowers the score
    needed (notices, shortages abroad, vulnerability); the rest as in `prepare`."""
    step = progress or (lambda _name: None)
    prepare(con, as_of, sentinels, since=since, orders=orders, deliveries=deliveries, params=params, outside=outside)
    step(PHASES[0])
    _judged(con, params)
    step(PHASES[1])
    _scored(con, params)
    _fast(con, params)
    step(PHASES[2])
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE alarm_new AS
        SELECT product_id, supplier_id, scope, scope_id, t, score, reason, path FROM fast_alarm
        UNION ALL
        SELECT product_id, supplier_id, scope, scope_id, t, score,
               printf('%d lignes anormales sur %d en {params.window} j (habituel %.0f %%), %d établissement(s)%s%s',
                      k_win, n_win, 100 * coalesce(usual, 0), establishments,
                      CASE WHEN sentinels > 0 THEN printf(' dont %d sentinelle(s)', sentinels) ELSE '' END,
                      CASE WHEN score < {params.threshold} THEN
                      {" || ".join(f"CASE WHEN by_{source} = 1 THEN '{said.replace(chr(39), chr(39) * 2)}' ELSE '' END"
                                   for source, said in EASED_BY.items())} ELSE '' END)
               AS reason, 'slow' AS path
        FROM alarm WHERE product_id <> ''
        UNION ALL
        SELECT pp.product_id, a.supplier_id, a.scope, a.scope_id, a.t, a.score,
               printf('{POOLED_REASON.format(window=params.window)}', a.k_win, a.n_win, a.products,
                      100 * coalesce(a.usual, 0), a.establishments,
                      CASE WHEN a.sentinels > 0 THEN printf(' dont %d sentinelle(s)', a.sentinels) ELSE '' END),
               'pooled'
        FROM alarm a JOIN pooled_product pp ON pp.supplier_id = a.supplier_id AND pp.scope_id = a.scope_id AND pp.t = a.t
        WHERE a.product_id = ''""")
    con.execute("CREATE OR REPLACE TEMP VIEW alarm_days AS SELECT * FROM alarm_new UNION ALL SELECT * FROM prior_alarm")
    episodes = episodes_of(con, "alarm_days")
    step(PHASES[3])
    return episodes


def known_lateness(con: duckdb.DuckDBPyConnection) -> None:
    """View `judged_known`: the judged lines with their line id and the working days past due as known on
    their judgement day (`late_wd`) — what an alert's evidence and its chart show. A back-order is judged
    on its first delivery's day, whose working day only the line's calendar gives. A view: read for a few
    series, never for every line. Needs the tables of a detect run on `con`."""
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW judged_known AS
        SELECT j.*, l.line_id, least(coalesce(j.full_wd, w.wd), w.wd) - j.due_wd AS late_wd
        FROM judged j JOIN line l ON l.lid = j.lid JOIN workday w ON w.k = {day_key("l.cal", "j.judged_at")}""")


EVIDENCE = ("product_id", "supplier_id", "scope", "scope_id", "first_alert_at", "establishment_id", "line_id",
            "ordered_at", "due_at", "judged_at", "quantity_ordered", "quantity_delivered_then", "working_days_past_due",
            "tolerance_wd", "sentinel")


def evidence(con: duckdb.DuckDBPyConnection, alerts: list[tuple], params: Params = Params()) -> list[tuple]:
    """The abnormal lines behind each alert's first day (the `window` days up to it, in its scope, but those
    of a hospital backlogged then), with what was known when each was judged: delivered quantity, working
    days past due, the tolerance of its product × supplier. For an alert of the fast path, the silent
    lines of its fast window, the tolerance being the median lateness it was looked at after. Needs the
    tables of a detect run on `con`."""
    tables.create(con, tables.ALERT_FIRST)
    tables.insert(con, tables.ALERT_FIRST, [(*a[:5], a[8] == "fast") for a in alerts])
    known_lateness(con)
    return con.execute(f"""
        SELECT a.product_id, a.supplier_id, a.scope, a.scope_id, a.first_alert_at, j.est, j.line_id, j.ordered_at,
               j.due, j.judged_at, j.qty, least(coalesce(d.cum, 0), j.qty), j.late_wd,
               j.judged0_wd - j.due_wd - {params.margin_days}, j.sentinel
        FROM alert_first a
        JOIN judged_known j ON j.product_id = a.product_id AND (a.supplier_id = '' OR j.supplier_id = a.supplier_id)
         AND (a.scope = 'national' OR j.region = a.scope_id)
         AND j.judged_at > a.first_alert_at - {params.window} AND j.judged_at <= a.first_alert_at AND j.abnormal
        ASOF LEFT JOIN delivery d ON d.lid = j.lid AND d.delivered_at <= j.judged_at
        -- Not the lines of a hospital backlogged then: they were left out of the alarm's counts.
        WHERE NOT a.fast AND {_not_backlogged("j.est", "a.first_alert_at", params.window)}
        UNION ALL
        SELECT a.product_id, a.supplier_id, a.scope, a.scope_id, a.first_alert_at, f.est, l.line_id, f.ordered_at,
               f.due, f.t, f.qty, 0, f.fast_wd - f.due_wd, f.fast_wd - f.due_wd - {params.fast_margin}, f.sentinel
        FROM alert_first a JOIN fast_window w ON w.t = a.first_alert_at
        JOIN fast_line f ON f.product_id = a.product_id AND f.supplier_id = a.supplier_id AND f.silent AND f.t = w.d
        JOIN line l ON l.lid = f.lid
        WHERE a.fast
        ORDER BY 5, 1, 2, 3, 4, 10, 6, 7""").fetchall()


def baseline_72h(con: duckdb.DuckDBPyConnection, as_of: date | None = None) -> list[tuple]:
    """DP-Ruptures' rule: a line still not fully delivered 72 hours after it was due alarms, that day."""
    prepare(con, as_of)
    due_lines(con, Params())
    con.execute("""
        CREATE OR REPLACE TEMP VIEW alarm_days AS
        SELECT d.product_id, d.supplier_id, 'establishment' AS scope, d.est AS scope_id, (d.due + 3)::DATE AS t,
               1.0 AS score, 'ligne ' || l.line_id || ' non livrée 72 h après échéance' AS reason, 'baseline' AS path
        FROM due_line d JOIN line l USING (lid)
        WHERE d.due + 3 <= getvariable('as_of') AND (d.full_at IS NULL OR d.full_at > d.due + 3)
          AND (d.cancelled_at IS NULL OR d.cancelled_at > d.due + 3)""")
    return episodes_of(con, "alarm_days")


def baseline_fill_rate(con: duckdb.DuckDBPyConnection, as_of: date | None = None, *, threshold: float = 0.8,
                       days: int = 7) -> list[tuple]:
    """Fill rate (delivered ÷ ordered on lines due in the last 7 days, as known that day) under 80 %."""
    prepare(con, as_of)
    _daily_fill(con, days)
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW alarm_days AS
        SELECT product_id, supplier_id, 'national' AS scope, 'FR' AS scope_id, t, fill AS score,
               printf('taux de service %.0f %% sur {days} jours', 100 * fill) AS reason, 'baseline' AS path
        FROM fill_day WHERE fill < {threshold}""")
    return episodes_of(con, "alarm_days")


def due_lines(con: duckdb.DuckDBPyConnection, p: Params) -> None:
    """Each line with its due date: promised, else ordered plus the usual lead time known that month."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE due_line AS
        WITH d AS (
            SELECT l.lid, l.est, l.product_id, l.supplier_id, l.ordered_at, l.promised_at, l.qty, l.region,
                   l.cancelled_at, l.sentinel, f.full_at, wf.wd AS full_wd, fi.first_at,
                   CASE WHEN l.promised_at IS NOT NULL THEN wp.wd
                        ELSE wo.wd + CAST(round(coalesce(u.lead, {p.default_lead})) AS INTEGER) END AS due_wd
            FROM line l
            JOIN workday wo ON wo.k = {day_key("l.cal", "l.ordered_at")}
            LEFT JOIN workday wp ON wp.k = {day_key("l.cal", "l.promised_at")}
            LEFT JOIN line_full f USING (lid)
            LEFT JOIN line_first fi USING (lid)
            LEFT JOIN workday wf ON wf.k = {day_key("l.cal", "f.full_at")}
            LEFT JOIN usual_lead u ON u.product_id = l.product_id AND u.supplier_id = l.supplier_id
             AND u.m = date_trunc('month', l.ordered_at)::DATE)
        -- The one table that holds every line: line_id and promised_at stay in `line`.
        SELECT d.lid, d.est, d.product_id, d.supplier_id, d.ordered_at, d.qty, d.region, d.cancelled_at, d.sentinel,
               d.full_at, d.full_wd, d.due_wd, coalesce(d.promised_at, w.d) AS due, d.first_at
        FROM d JOIN wd_date w ON w.wd = d.due_wd""")
