"""The second world (issue 18): its files keep the data contract, its truth and traps are written,
each kind of disruption happens, and a seed gives the same world again."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from sentinelle.detection.ingest import connect, ingest
from sentinelle.detection.second_world import KINDS, WorldConfig, generate


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_second_world_keeps_the_contract_and_says_its_truth(tmp_path: Path) -> None:
    world = generate(WorldConfig(hospitals=40, products=60, days=500, seed=3, disruptions=30), tmp_path)
    con = connect()
    report = ingest(con, tmp_path / "orders.csv", tmp_path / "deliveries.csv")
    assert report.rejected == 0, report.rejections[:3]
    assert report.orders_loaded == world.orders > 10_000
    truth = _rows(tmp_path / "disruptions.csv")
    assert truth == world.truth and {"slow_onset", "abrupt_stop", "regional_distributor"} <= {r["kind"] for r in truth}
    assert set(r["kind"] for r in truth) <= set(KINDS)
    # Regional failures name their region; an abrupt stop ruptures the day it starts.
    assert all(r["region"] for r in truth if r["kind"] == "regional_distributor")
    assert all(r["rupture_at"] == r["started_at"] for r in truth if r["kind"] == "abrupt_stop")
    traps = Counter(r["kind"] for r in _rows(tmp_path / "traps.csv"))
    assert traps["receiving_backlog"] == 1 and traps["system_down"] >= 1
    # Few buyers: in each region, a product is bought by at most five hospitals.
    per_region = con.execute("SELECT max(n) FROM (SELECT product_id, region, count(DISTINCT establishment_id) AS n "
                             "FROM orders GROUP BY ALL)").fetchone()
    assert per_region is not None and per_region[0] <= 5
    # Weekly, fortnightly and monthly buyers.
    gaps = {g for (g,) in con.execute("SELECT DISTINCT ordered_at - lag(ordered_at) OVER (PARTITION BY establishment_id, "
                                      "product_id ORDER BY ordered_at) FROM orders").fetchall() if g}
    assert {7, 14, 28} <= gaps


def test_a_seed_gives_the_same_world(tmp_path: Path) -> None:
    config = WorldConfig(hospitals=20, products=20, days=200, seed=5, disruptions=5)
    generate(config, tmp_path / "a")
    generate(config, tmp_path / "b")
    for name in ("orders.csv", "deliveries.csv", "disruptions.csv", "traps.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_the_command_draws_the_second_world(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sentinelle.cli import app

    done = CliRunner().invoke(app, ["simulate", "--world", "second", "--establishments", "20", "--products", "20",
                                    "--days", "300", "--out", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "piège(s)" in done.output and (tmp_path / "traps.csv").exists()
    wrong = CliRunner().invoke(app, ["simulate", "--world", "third", "--out", str(tmp_path)])
    assert wrong.exit_code != 0 and "--world" in wrong.output
