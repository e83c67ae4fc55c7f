"""The tables detection writes with declared columns, named once for DuckDB, Spark and the daily store.

The pipeline's other intermediate tables are made by `CREATE … AS SELECT` in detect.py and take their
columns from their query. These are the ones filled from Python (the calendar, the sentinel list,
the alerts an evidence query starts from) and the history a run carries over from the days before
it (`prior_*`), which detection/daily.py keeps in the store as `det_*`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column, DuckDB type)

    @property
    def ddl(self) -> str:
        return ", ".join(f"{column} {kind}" for column, kind in self.columns)

    def renamed(self, name: str) -> Table:
        return Table(name, self.columns)


def _table(name: str, columns: str) -> Table:
    return Table(name, tuple((c.split()[0], c.split()[1]) for c in columns.split(",")))


DEPARTMENT_REGION = _table("department_region", "department VARCHAR, region VARCHAR")
SENTINEL = _table("sentinel", "est VARCHAR")
# What lowers the score a series needs to alarm, and when (detect.easings; supplier empty: every supplier).
EASING = _table("easing", "product_id VARCHAR, supplier_id VARCHAR, valid_from DATE, valid_to DATE, threshold DOUBLE, "
                          "source VARCHAR")
# A calendar zone's days (calendar.py): whether each works, its working-day number, its key.
WORKDAY = _table("workday", "cal INTEGER, d DATE, working BOOLEAN, wd INTEGER, k INTEGER")
ALERT_FIRST = _table("alert_first", "product_id VARCHAR, supplier_id VARCHAR, scope VARCHAR, scope_id VARCHAR, "
                                    "first_alert_at DATE, fast BOOLEAN")

# The history a run carries over from the days before `since`: empty for a run over the whole history.
PRIOR = (
    _table("prior_lead_hist", "product_id VARCHAR, supplier_id VARCHAR, fm DATE, v INTEGER, c BIGINT"),
    _table("prior_late_hist", "product_id VARCHAR, supplier_id VARCHAR, dm DATE, fm DATE, v INTEGER, c BIGINT"),
    _table("prior_shift_daily", "t DATE, shift DOUBLE"),
    _table("prior_judged_day", "product_id VARCHAR, supplier_id VARCHAR, scope VARCHAR, scope_id VARCHAR, t DATE, "
                               "n BIGINT, k BIGINT"),
    _table("prior_abnormal", "product_id VARCHAR, supplier_id VARCHAR, region VARCHAR, est VARCHAR, sentinel BOOLEAN, "
                             "judged_at DATE"),
    _table("prior_est_day", "est VARCHAR, late_supplier VARCHAR, t DATE, n BIGINT, k BIGINT"),
    _table("prior_est_line", "est VARCHAR, product_id VARCHAR, supplier_id VARCHAR, region VARCHAR, t DATE, n BIGINT, "
                             "k BIGINT"),
    _table("prior_fast_day", "product_id VARCHAR, supplier_id VARCHAR, t DATE, ordered_at DATE, n BIGINT, k BIGINT"),
    _table("prior_fast_silent", "product_id VARCHAR, supplier_id VARCHAR, est VARCHAR, sentinel BOOLEAN, t DATE"),
    _table("prior_shipped_day", "product_id VARCHAR, supplier_id VARCHAR, t DATE, c BIGINT"),
    _table("prior_alarm", "product_id VARCHAR, supplier_id VARCHAR, scope VARCHAR, scope_id VARCHAR, t DATE, "
                          "score DOUBLE, reason VARCHAR, path VARCHAR"),
)
# The same history as the daily store keeps it (detection/daily.py): det_lead_hist, det_late_hist, …
STATE = tuple(t.renamed("det_" + t.name.removeprefix("prior_")) for t in PRIOR)

BY_NAME: dict[str, Table] = {t.name: t for t in (DEPARTMENT_REGION, SENTINEL, EASING, WORKDAY, ALERT_FIRST, *PRIOR)}


def create(con: Any, table: Table) -> None:
    """An empty temporary `table` (on Spark, an empty view of its schema)."""
    if hasattr(con, "create_table"):
        con.create_table(table)
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table.name} ({table.ddl})")


def insert(con: duckdb.DuckDBPyConnection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """The rows into `table`. On DuckDB one statement of columns (row by row, a thousand days of the
    calendar took 0.13 s of a new day's 4); the Spark connection takes them all at once."""
    if not rows:
        return
    if hasattr(con, "insert_rows"):
        con.insert_rows(table, rows)
        return
    columns = [list(c) for c in zip(*rows)]
    con.execute(f"INSERT INTO {table.name} SELECT {', '.join(f'unnest(${i + 1})' for i in range(len(columns)))}",
                columns)
