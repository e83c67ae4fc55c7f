"""The detection pipeline on Apache Spark, for national or European volumes.

The pipeline is written once, in SQL (detection/detect.py). Here its statements are translated from
DuckDB's dialect to Spark's by sqlglot and run by a SparkSession. `SparkConnection` offers the few
calls of a DuckDB connection that the pipeline makes (execute, fetchone, fetchall) and the two of
detection/tables.py (create_table, insert_rows, from the tables' declared columns): a table the
pipeline creates by a query becomes a temporary view over a checkpointed frame (materialised at
once, its plan cut, so that each later statement reads it rather than recomputing its lineage), a
view stays a view, and the replay's days (variables as_of and since) become date literals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sentinelle.detection import detect as engine
from sentinelle.detection import tables
from sentinelle.detection.sql import copy_to

_CREATE_AS = re.compile(r"^\s*CREATE OR REPLACE TEMP (TABLE|VIEW) (\w+) AS\s", re.S)
_SET_VARIABLE = re.compile(r"^\s*SET VARIABLE (\w+) = \?\s*$", re.S)
_TYPES = {"VARCHAR": "string", "DATE": "date", "BOOLEAN": "boolean", "INTEGER": "int", "BIGINT": "bigint",
          "DOUBLE": "double"}


def available() -> str | None:
    """None when Spark can run here, else why not (PySpark or Java missing)."""
    import shutil

    try:
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError as exc:
        return f"PySpark is not installed ({exc.name}): pip install -e '.[spark]'"
    if shutil.which("java") is None:
        return "Spark needs Java (Debian: apt-get install default-jre-headless)"
    return None


@dataclass
class _Rows:
    rows: list[tuple]

    def fetchone(self) -> tuple | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple]:
        return self.rows


@dataclass
class SparkConnection:
    """The DuckDB connection calls the pipeline makes, answered by a SparkSession."""

    spark: Any
    variables: dict[str, date] = field(default_factory=dict)  # the replay's days (as_of, since)

    def _spark_sql(self, sql: str) -> str:
        import sqlglot

        for name, value in self.variables.items():
            sql = sql.replace(f"getvariable('{name}')", f"DATE '{value.isoformat()}'")
        return sqlglot.transpile(sql, read="duckdb", write="spark")[0]

    def execute(self, sql: str, params: list | None = None) -> _Rows:
        if m := _SET_VARIABLE.match(sql):
            self.variables[m.group(1)] = params[0]  # type: ignore[index]
            return _Rows([])
        if m := _CREATE_AS.match(sql):
            kind, name = m.group(1), m.group(2)
            frame = self.spark.sql(self._spark_sql(sql[m.end():]))
            if kind == "TABLE":
                frame = frame.localCheckpoint(eager=True)
            frame.createOrReplaceTempView(name)
            return _Rows([])
        return _Rows([tuple(r) for r in self.spark.sql(self._spark_sql(sql)).collect()])

    def create_table(self, table: tables.Table) -> None:
        self.spark.createDataFrame([], _schema(table)).createOrReplaceTempView(table.name)

    def insert_rows(self, table: tables.Table, rows: list[tuple[Any, ...]]) -> None:
        """The table's rows (it is filled once: a view over them replaces the empty one)."""
        self.spark.createDataFrame(rows, _schema(table)).createOrReplaceTempView(table.name)


def _schema(table: tables.Table) -> str:
    return ", ".join(f"{name} {_TYPES[kind]}" for name, kind in table.columns)


def hand_over(con: Any, folder: Path) -> tuple[Path, Path]:
    """The checked lines of a DuckDB store (`orders`, `deliveries`) written as Parquet for Spark."""
    paths = folder / "orders.parquet", folder / "deliveries.parquet"
    for table, path in zip(("orders", "deliveries"), paths):
        copy_to(con, table, path)
    return paths


def session(master: str = "local[2]", driver_memory: str = "4g", app: str = "sentinelle-detection") -> Any:
    """A Spark session: local on both cores by default, or a cluster's master URL."""
    from pyspark.sql import SparkSession

    spark = (SparkSession.builder.master(master).appName(app)
            .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
            # A few partitions per core: the default 200 would make thousands of tiny tasks here.
            .config("spark.sql.shuffle.partitions", "8").config("spark.driver.memory", driver_memory)
            .config("spark.ui.showConsoleProgress", "false")
            # The constraints a checkpointed table carries broke the union of two of them (« key not
            # found » in Union.rewriteConstraints, Spark 4); the pipeline needs no inferred filter.
            .config("spark.sql.constraintPropagation.enabled", "false").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def detect(spark: Any, orders: Path, deliveries: Path, params: engine.Params = engine.Params(),
           as_of: date | None = None, progress: Any = None, sentinels: Iterable[str] = (),
           outside: engine.Outside = engine.Outside()) -> list[tuple]:
    """The alerts of detect.detect, computed by Spark from checked lines: Parquet files (or folders) with
    the orders and deliveries tables as `sentinelle ingest` stores them."""
    spark.read.parquet(str(orders)).createOrReplaceTempView("orders")
    spark.read.parquet(str(deliveries)).createOrReplaceTempView("deliveries")
    alerts = engine.detect(SparkConnection(spark), params, as_of=as_of, progress=progress,  # type: ignore[arg-type]
                           sentinels=sentinels, outside=outside)
    # Spark gives decimals and numpy-free floats where DuckDB gives floats: one form for both.
    return [(*a[:6], float(a[6]), *a[7:]) for a in alerts]
