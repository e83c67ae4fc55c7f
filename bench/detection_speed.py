"""Speed and memory of `sentinelle detect` at national volume.

A simulated history (base size) is replicated `--copies` times under other establishments (new,
valid FINESS numbers) into Parquet files, then `sentinelle detect` runs on them under /usr/bin/time:
wall time and peak resident memory of the whole command (reading, checks, replay, alerts). In the
same run, the baseline issue 18 names: a plain DuckDB query of the weekly fill rate and mean delay per
product × supplier × region × week over the same files (no look-ahead, no judgement), timed the same
way, and the ratio of the two.

    .venv/bin/python bench/detection_speed.py --establishments 1000 --products 600 --days 730 --copies 10
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

import duckdb
from national import add_options, history

# The files hold the contract's text, as a hospital sends it: the query casts, as detect's checks do.
PLAIN = """
    CREATE TABLE weekly AS
    WITH d AS (SELECT establishment_id, line_id, max(CAST(delivered_at AS DATE)) AS last_at,
                      sum(CAST(quantity_delivered AS BIGINT)) AS q
               FROM read_parquet('{deliveries}') GROUP BY ALL),
    o AS (SELECT establishment_id, line_id, product_id, supplier_id, region, CAST(ordered_at AS DATE) AS ordered_at,
                 CAST(nullif(promised_at, '') AS DATE) AS promised_at, CAST(quantity_ordered AS BIGINT) AS qty
          FROM read_parquet('{orders}'))
    SELECT o.product_id, o.supplier_id, o.region, date_trunc('week', o.ordered_at) AS week,
           sum(least(coalesce(d.q, 0), o.qty)) / sum(o.qty) AS fill_rate,
           avg(date_diff('day', coalesce(o.promised_at, o.ordered_at + 7), d.last_at)) AS mean_delay
    FROM o LEFT JOIN d USING (establishment_id, line_id)
    GROUP BY ALL"""


def plain_query(orders: Path, deliveries: Path, memory_limit: str) -> tuple[str, int]:
    """Wall time and peak memory of the plain weekly query, in a process of its own."""
    script = (f"import duckdb; con = duckdb.connect(); con.execute(\"SET memory_limit = '{memory_limit}'\"); "
              f"con.execute({PLAIN.format(orders=orders, deliveries=deliveries)!r}); "
              "print(con.execute('SELECT count(*) FROM weekly').fetchone()[0])")
    run = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-c", script], capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(run.stdout + run.stderr)
    return _wall_rss(run.stderr)


def _wall_rss(stderr: str) -> tuple[str, int]:
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", stderr).group(1)  # type: ignore[union-attr]
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr).group(1))  # type: ignore[union-attr]
    return wall, rss


def _seconds(wall: str) -> float:
    parts = [float(x) for x in wall.split(":")]
    return sum(x * 60 ** i for i, x in enumerate(reversed(parts)))


def main() -> None:
    ap = argparse.ArgumentParser()
    add_options(ap, copies=10)
    ap.add_argument("--memory-limit", default="6GB")
    args = ap.parse_args()
    big, lines = history(args)
    command = ["/usr/bin/time", "-v", str(Path(sys.executable).parent / "sentinelle"), "detect",
               "--orders", str(big / "orders.parquet"), "--deliveries", str(big / "deliveries.parquet"),
               "--out", str(big / "alerts.csv"), "--memory-limit", args.memory_limit]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(run.stdout + run.stderr)
    wall, rss = _wall_rss(run.stderr)
    plain_wall, plain_rss = plain_query(big / "orders.parquet", big / "deliveries.parquet", args.memory_limit)
    print(run.stdout.strip().splitlines()[-1])
    print("\n".join(line for line in run.stderr.splitlines() if " : " in line and line.strip().endswith(" s")))
    print(f"\n| order lines | wall (m:ss) | peak memory (GiB) | memory limit |\n|---|---|---|---|\n"
          f"| {lines} | {wall} | {rss / 2**20:.2f} | {args.memory_limit} |")
    print(f"\nplain weekly fill-rate query on the same files: {plain_wall} ({plain_rss / 2**20:.2f} GiB); "
          f"detect ÷ plain = {_seconds(wall) / _seconds(plain_wall):.1f}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}")


if __name__ == "__main__":
    main()
