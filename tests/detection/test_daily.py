"""One new day at a time: the store keeps what the next day needs, and the alerts are those of a
replay of the whole history to that day."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from sentinelle.detection import daily
from sentinelle.detection import detect as engine
from sentinelle.detection.ingest import connect, ingest


@pytest.fixture()
def store(small_sim: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = connect(tmp_path / "store.duckdb")
    assert ingest(con, small_sim / "orders.csv", small_sim / "deliveries.csv").rejected == 0
    return con


def _replay(con: duckdb.DuckDBPyConnection, day: date, **kwargs: object) -> list[tuple]:
    """The alerts of a full replay to `day`, on a connection of its own (its work tables apart)."""
    return engine.detect(con.cursor(), as_of=day, **kwargs)


def test_day_by_day_gives_the_alerts_of_a_full_replay(store: duckdb.DuckDBPyConnection, small_sim: Path,
                                                       tmp_path: Path) -> None:
    start = date(2025, 1, 20)
    first = daily.update(store, as_of=start)
    assert first.since is None and first.why_full == "premier calcul"
    assert sorted(first.alerts) == sorted(_replay(store, start))
    for n in range(1, 16):  # across a month's end (the histograms are summed up on the 1st)
        day = start + timedelta(days=n)
        run = daily.update(store, as_of=day)
        assert run.since == day - timedelta(days=1) and run.why_full is None
        assert sorted(run.alerts) == sorted(_replay(store, day)), day
    # Something happened in those days, or the comparison proves little.
    assert len(run.alerts) > len(first.alerts)
    # The open lines kept day by day (taken out and added to, rewritten on the 1st) are those a full
    # run to the last day keeps.
    full = connect(tmp_path / "full.duckdb")
    ingest(full, small_sim / "orders.csv", small_sim / "deliveries.csv")
    assert daily.update(full, as_of=day).since is None
    for table in ("det_open_orders", "det_open_deliveries"):
        kept = store.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        assert kept == full.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall(), table
        assert kept, table


def test_a_jump_of_several_days_and_the_same_day_again(store: duckdb.DuckDBPyConnection) -> None:
    daily.update(store, as_of=date(2025, 2, 1))
    run = daily.update(store, as_of=date(2025, 2, 20))
    assert run.since == date(2025, 2, 1)
    assert sorted(run.alerts) == sorted(_replay(store, date(2025, 2, 20)))
    again = daily.update(store, as_of=date(2025, 2, 20))
    assert sorted(again.alerts) == sorted(run.alerts)


def test_the_past_changing_or_new_settings_mean_a_full_run(store: duckdb.DuckDBPyConnection) -> None:
    day = date(2025, 2, 1)
    daily.update(store, as_of=day)
    # A line dated before the last run, loaded after it.
    store.execute("INSERT INTO orders SELECT establishment_id, order_id, line_id || '-late', product_id, supplier_id, "
                  "ordered_at, promised_at, quantity_ordered, region, cancelled_at, lid + 1000000000, "
                  "0 AS kh FROM orders WHERE ordered_at = DATE '2025-01-30' LIMIT 3")  # (kh: read by loads only)
    run = daily.update(store, as_of=day + timedelta(days=1))
    assert run.since is None and "chargées depuis" in (run.why_full or "")
    assert sorted(run.alerts) == sorted(_replay(store, day + timedelta(days=1)))
    changed = daily.update(store, as_of=day + timedelta(days=2), params=engine.Params(threshold=8))
    assert changed.since is None and "paramètres" in (changed.why_full or "")
    assert daily.update(store, as_of=day + timedelta(days=3), params=engine.Params(threshold=8)).since is not None
