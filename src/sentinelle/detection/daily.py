"""Detection kept up to date in the store, one new day at a time, without recomputing the history.

Whatever the detector computes for a day uses only what was known that day (no look-ahead), so it
never changes afterwards. A run therefore leaves in the store what the following days need from the
past — the monthly histograms of lead times and lateness, the daily common shift, the daily counts
per series, the abnormal lines of the last weeks, the alarm days — and the lines still open (not yet
judged, or not yet fully delivered), which are the only lines a later day can still move. The next
run reads those, adds the lines and deliveries dated after the last run, and computes the new days
only (`detect.detect` with `since`). The alerts are the same as a replay of the whole history to
that day: tests/detection/test_daily.py checks it day by day.

A full run (over the store's whole history) happens the first time, when the parameters, the
sentinel hospitals or the evidence from outside the lines about the days computed change, and when
lines dated on or before the last run's day have been loaded since (they change the past).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta

import duckdb

from sentinelle.detection import detect as engine
from sentinelle.detection import tables
from sentinelle.detection.sql import one

_META = "det_meta"
OPEN_ORDERS = "det_open_orders"  # the stored lines not yet done for good, as of the last run


@dataclass(frozen=True)
class Run:
    as_of: date
    since: date | None  # None: a full run over the whole history
    why_full: str | None  # why the history was computed again, if it was
    alerts: list[tuple]


# The store's tables as this code writes them: a store written otherwise is computed again in full.
# 2: the alarm days say which path raised them; 3: the fast path's days are counted per order day too.
LAYOUT = 3


def _fingerprint(params: engine.Params, sentinels: Iterable[str], outside: engine.Outside, day: date) -> str:
    """What the days up to `day` were computed with. Of the evidence from outside the lines, only what it
    says of those days: a notice or a shortage abroad that starts after `day`, or the end of one after
    it, leaves them as they were (a national store is not computed again for each new posting)."""
    past = sorted((*e[:3], min(e[3], day + timedelta(days=1)), *e[4:]) for e in engine.easings(outside, params, day))
    text = (f"{LAYOUT}|" + repr(sorted(asdict(params).items())) + "|" + ",".join(sorted(set(sentinels))) + "|"
            + repr(past))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _known(con: duckdb.DuckDBPyConnection, day: date) -> tuple[int, int]:
    """Lines and deliveries dated on or before `day`: if they grow, the past has changed. Counted as all
    of them but those dated after (a count of all is kept by the store, and the few recent blocks are
    found by their date ranges: counting those before read the whole date column, 0.1 s)."""
    known, deliveries = one(con, """SELECT (SELECT count(*) FROM orders) - (SELECT count(*) FROM orders WHERE ordered_at > $d),
        (SELECT count(*) FROM deliveries) - (SELECT count(*) FROM deliveries WHERE delivered_at > $d)""",
                       {"d": day})
    return known, deliveries


def last_run(con: duckdb.DuckDBPyConnection) -> tuple[date, str, int, int] | None:
    """(day, fingerprint, lines known, deliveries known) of the last run kept in the store, if any."""
    exists = one(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary",
                         [_META])[0]
    if not exists:
        return None
    row = con.execute(f"SELECT as_of, fingerprint, orders, deliveries FROM {_META}").fetchone()
    return None if row is None else (row[0], row[1], row[2], row[3])


def _why_full(con: duckdb.DuckDBPyConnection, previous: tuple | None, as_of: date, fingerprint: str) -> str | None:
    if previous is None:
        return "premier calcul"
    day, kept, orders, deliveries = previous
    if kept != fingerprint:
        return "paramètres, hôpitaux sentinelles ou indices extérieurs (avis, pénuries à l'étranger, vulnérabilité) changés"
    if as_of < day:
        return f"jour demandé ({as_of}) antérieur au dernier calcul ({day})"
    if _known(con, day) != (orders, deliveries):
        return f"lignes datées du {day} ou avant chargées depuis le dernier calcul"
    return None


def _drop_prior(con: duckdb.DuckDBPyConnection) -> None:
    """The prior_* relations of an earlier run on this connection: tables after a full run, views after
    a daily one (DuckDB will not replace one kind by the other)."""
    for name, kind in con.execute("SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE temporary "
                                  "UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE temporary").fetchall():
        if name.startswith("prior_"):
            con.execute(f"DROP {kind} temp.{name}")


def _inputs(con: duckdb.DuckDBPyConnection, since: date, params: engine.Params) -> None:
    """The open lines and what came after `since`, and the kept past as the pipeline's prior_* relations."""
    con.execute(f"""CREATE OR REPLACE TEMP VIEW in_orders AS
        SELECT * FROM {OPEN_ORDERS} UNION ALL SELECT * FROM orders WHERE ordered_at > DATE '{since}'""")
    con.execute(f"""CREATE OR REPLACE TEMP VIEW in_deliveries AS
        SELECT * FROM det_open_deliveries UNION ALL SELECT * FROM deliveries WHERE delivered_at > DATE '{since}'""")
    # Only as far back as the pipeline looks: the weekly usual rates and the common rate reach
    # `history` days back, the breadth `window` days, the common shift a week before a fortnight back,
    # the fast path's window (silent lines, shipments) as many calendar days as detect.py's fast_window.
    fast_reach = engine.fast_window_days(params)
    reach = {"det_shift_daily": ("t", 21), "det_judged_day": ("t", params.history + params.window + 14),
             "det_abnormal": ("judged_at", params.window),
             # the backlog flags a window back, on a window of counts before that
             "det_est_day": ("t", 2 * params.window), "det_est_line": ("t", params.window),
             "det_fast_day": ("t", params.history + 14),
             "det_fast_silent": ("t", fast_reach), "det_shipped_day": ("t", fast_reach)}
    for table in (t.name for t in tables.STATE):
        prior = "prior_" + table.removeprefix("det_")
        where = ""
        if table in reach:
            column, days = reach[table]
            where = f" WHERE {column} > DATE '{since}' - {days}"
        con.execute(f"CREATE OR REPLACE TEMP VIEW {prior} AS SELECT * FROM {table}{where}")


def _save(con: duckdb.DuckDBPyConnection, as_of: date, full: bool, fingerprint: str, orders: str,
          deliveries: str, window: int) -> None:
    """What the next day needs, kept in the store in one transaction."""
    # Lines done for good: judged by as_of and fully delivered. The rest stay open.
    con.execute("""CREATE OR REPLACE TEMP TABLE done_line AS
        SELECT lid FROM judged_all WHERE judged_at <= getvariable('as_of') AND full_at IS NOT NULL""")
    # The open lines are rewritten after a full run and on the first of the month; on other days the
    # lines done are taken out and the new ones added (a national store has two million open lines:
    # rewriting them was a second a day).
    rewrite = full or as_of.day == 1
    if rewrite:
        con.execute(f"""CREATE OR REPLACE TEMP TABLE open_orders AS
            SELECT o.* FROM {orders} o WHERE o.ordered_at <= getvariable('as_of')
            AND NOT EXISTS (SELECT 1 FROM done_line d WHERE d.lid = o.lid)""")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE open_deliveries AS
            SELECT d.* FROM {deliveries} d WHERE d.delivered_at <= getvariable('as_of')
            AND EXISTS (SELECT 1 FROM open_orders o WHERE o.lid = d.lid)""")
    else:
        # What to add: the lines ordered since the last run and not done, and the deliveries since
        # then of the lines still open (new, or kept and not done).
        con.execute("""CREATE OR REPLACE TEMP TABLE open_orders AS
            SELECT o.* FROM orders o WHERE o.ordered_at > getvariable('since') AND o.ordered_at <= getvariable('as_of')
            AND NOT EXISTS (SELECT 1 FROM done_line d WHERE d.lid = o.lid)""")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE open_deliveries AS
            SELECT d.* FROM deliveries d
            WHERE d.delivered_at > getvariable('since') AND d.delivered_at <= getvariable('as_of')
            AND (d.lid IN (SELECT lid FROM open_orders)
                 OR (d.lid IN (SELECT lid FROM {OPEN_ORDERS}) AND d.lid NOT IN (SELECT lid FROM done_line)))""")
    new = {"det_lead_hist": "SELECT * FROM lead_hist_new", "det_late_hist": "SELECT * FROM late_hist_new",
           "det_shift_daily": "SELECT * FROM shift_daily_new", "det_judged_day": "SELECT * FROM judged_day_new",
           "det_abnormal": "SELECT product_id, supplier_id, region, est, sentinel, judged_at FROM judged WHERE abnormal",
           "det_est_day": "SELECT * FROM est_day_new",
           "det_est_line": "SELECT est, product_id, supplier_id, region, judged_at, count(*), count(*) FILTER (WHERE abnormal) "
                           f"FROM judged WHERE judged_at > DATE '{as_of}' - {window} GROUP BY ALL",
           "det_fast_day": "SELECT * FROM fast_day_new", "det_fast_silent": "SELECT * FROM fast_silent_new",
           "det_shipped_day": "SELECT * FROM shipped_day_new",
           "det_alarm": "SELECT * FROM alarm_new"}
    lines, delivered = _known(con, as_of)
    con.execute("BEGIN")
    try:
        for state in tables.STATE:
            if full:
                con.execute(f"CREATE OR REPLACE TABLE {state.name} ({state.ddl})")
            con.execute(f"INSERT INTO {state.name} {new[state.name]}")
        for table, source in ((OPEN_ORDERS, "open_orders"), ("det_open_deliveries", "open_deliveries")):
            if rewrite:
                con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {source}")
            else:
                con.execute(f"DELETE FROM {table} WHERE lid IN (SELECT lid FROM done_line)")
                con.execute(f"INSERT INTO {table} SELECT * FROM {source}")
        # The histograms gain a few rows a day for the same (month, value): summed up once a month.
        if rewrite:
            for table, keys in (("det_lead_hist", "product_id, supplier_id, fm, v"),
                                ("det_late_hist", "product_id, supplier_id, dm, fm, v")):
                con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT {keys}, sum(c)::BIGINT AS c FROM {table} "
                            f"GROUP BY {keys}")
            # The hospitals' daily counts (a line each, nearly) are only read a few weeks back: the rest go.
            con.execute(f"DELETE FROM det_est_line WHERE t <= DATE '{as_of}' - {window}")
            con.execute(f"DELETE FROM det_est_day WHERE t <= DATE '{as_of}' - {2 * window}")
        con.execute(f"CREATE OR REPLACE TABLE {_META} (as_of DATE, fingerprint VARCHAR, orders BIGINT, "
                    "deliveries BIGINT)")
        con.execute(f"INSERT INTO {_META} VALUES (?, ?, ?, ?)", [as_of, fingerprint, lines, delivered])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def update(con: duckdb.DuckDBPyConnection, as_of: date | None = None, params: engine.Params = engine.Params(),
           sentinels: Iterable[str] = (), progress: Callable[[str], None] | None = None,
           outside: engine.Outside = engine.Outside()) -> Run:
    """The alerts as of `as_of` (default: the last date in the store), computing only the days after
    the last run when the store keeps it, and keeping what the next day needs."""
    sentinels = list(sentinels)
    if as_of is None:
        as_of = engine.last_day(con)
    previous = last_run(con)
    why_full = _why_full(con, previous, as_of,
                         _fingerprint(params, sentinels, outside, previous[0]) if previous is not None else "")
    if why_full is None and previous is not None and previous[0] == as_of:
        # Already computed for that day: the episodes from the kept alarm days.
        return Run(as_of, as_of, None, engine.episodes_of(con, "det_alarm"))
    since = None if why_full else previous[0]  # type: ignore[index]
    _drop_prior(con)
    if since is None:
        orders, deliveries = "orders", "deliveries"
    else:
        _inputs(con, since, params)
        orders, deliveries = "in_orders", "in_deliveries"
    alerts = engine.detect(con, params, as_of=as_of, progress=progress, sentinels=sentinels, since=since,
                           orders=orders, deliveries=deliveries, outside=outside)
    _save(con, as_of, since is None, _fingerprint(params, sentinels, outside, as_of), orders, deliveries,
          params.window)
    return Run(as_of, since, why_full, alerts)
