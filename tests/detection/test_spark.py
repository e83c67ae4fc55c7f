"""The same pipeline on Apache Spark (local mode) gives the same alerts as on DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sentinelle.cli import app
from sentinelle.detection import detect as engine
from sentinelle.detection import spark as spark_engine
from sentinelle.detection.ingest import connect, ingest
from tests.conftest import need


def test_detect_command_on_spark_replays_to_a_day_like_duckdb(small_sim: Path, tmp_path: Path) -> None:
    need(spark_engine.available() is None, f"Spark cannot run here: {spark_engine.available()}")
    outputs = {}
    for name in ("duckdb", "spark"):
        outputs[name] = tmp_path / f"{name}.csv"
        result = CliRunner().invoke(app, ["detect", "--orders", str(small_sim / "orders.csv"),
                                          "--deliveries", str(small_sim / "deliveries.csv"), "--as-of", "2025-01-15",
                                          "--engine", name, "--out", str(outputs[name])])
        assert result.exit_code == 0, result.output
    rows = outputs["duckdb"].read_text().splitlines()
    assert len(rows) > 5 and all(r.split(",")[4] <= "2025-01-15" for r in rows[1:])
    assert sorted(outputs["spark"].read_text().splitlines()) == sorted(rows)


def test_unknown_engine_is_named(small_sim: Path) -> None:
    result = CliRunner().invoke(app, ["detect", "--orders", str(small_sim / "orders.csv"),
                                      "--deliveries", str(small_sim / "deliveries.csv"), "--engine", "polars"])
    assert result.exit_code == 2 and "--engine" in result.output


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    need(spark_engine.available() is None, f"Spark cannot run here: {spark_engine.available()}")
    session = spark_engine.session()
    yield session
    session.stop()


def test_same_alerts_on_duckdb_and_spark(every_path_sim: Path, spark: Any, tmp_path: Path) -> None:
    con = connect()
    assert ingest(con, every_path_sim / "orders.csv", every_path_sim / "deliveries.csv").rejected == 0
    for table in ("orders", "deliveries"):
        con.execute(f"COPY {table} TO '{tmp_path / table}.parquet' (FORMAT parquet)")
    on_duckdb = engine.detect(con)
    on_spark = spark_engine.detect(spark, tmp_path / "orders.parquet", tmp_path / "deliveries.parquet")
    # A data set where there is something to find, in every scope the detector knows.
    assert len(on_duckdb) >= 20
    assert {a[2] for a in on_duckdb} == {"national", "region"} and any(a[1] == "" for a in on_duckdb)
    assert {a[8] for a in on_duckdb} == set(engine.PATHS)
    assert sorted(on_spark) == sorted(on_duckdb)


def test_the_fast_path_on_spark_like_duckdb(spark: Any, tmp_path: Path) -> None:
    from tests.detection.test_fast_path import _world

    folder = _world(tmp_path / "world", stop=True)
    con = connect()
    assert ingest(con, folder / "orders.csv", folder / "deliveries.csv").rejected == 0
    for table in ("orders", "deliveries"):
        con.execute(f"COPY {table} TO '{tmp_path / table}.parquet' (FORMAT parquet)")
    on_duckdb = engine.detect(con)
    assert any(a[8] == "fast" for a in on_duckdb)
    assert sorted(spark_engine.detect(spark, tmp_path / "orders.parquet", tmp_path / "deliveries.parquet")) \
        == sorted(on_duckdb)


def test_a_backlog_beside_a_failure_and_a_shortage_abroad_on_spark_like_duckdb(spark: Any, tmp_path: Path) -> None:
    from tests.detection.test_backlog import HOSPITALS, TROUBLE, _world

    folder = _world(tmp_path / "world", backlog=True, failing=tuple(HOSPITALS[1:]))
    con = connect()
    assert ingest(con, folder / "orders.csv", folder / "deliveries.csv").rejected == 0
    for table in ("orders", "deliveries"):
        con.execute(f"COPY {table} TO '{tmp_path / table}.parquet' (FORMAT parquet)")
    outside = engine.Outside(abroad=(("S2-P0", TROUBLE, None),))
    on_duckdb = engine.detect(con, outside=outside)
    # The hospital was flagged, and the failure alarmed without it.
    assert con.execute("SELECT count(*) FROM backlogged").fetchone()[0] > 0
    assert any(a[1] == "S1" for a in on_duckdb)
    assert sorted(spark_engine.detect(spark, tmp_path / "orders.parquet", tmp_path / "deliveries.parquet",
                                      outside=outside)) == sorted(on_duckdb)
