"""Speed and memory of `sentinelle detect` at national volume.

A simulated history (base size) is replicated `--copies` times under other establishments (new,
valid FINESS numbers) into Parquet files, then `sentinelle detect` runs on them under /usr/bin/time:
wall time and peak resident memory of the whole command (reading, checks, replay, alerts).

    .venv/bin/python bench/detection_speed.py --establishments 1000 --products 600 --days 730 --copies 10
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from sentinelle.catalogue.codes import finess_with_key
from sentinelle.detection.simulate import Config, simulate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--establishments", type=int, default=1000)
    ap.add_argument("--products", type=int, default=600)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--memory-limit", default="6GB")
    ap.add_argument("--work", type=Path, default=Path("/tmp/sentinelle-speed"))
    args = ap.parse_args()
    base = args.work / f"base-{args.establishments}-{args.products}-{args.days}"
    if not (base / "orders.csv").exists():
        start = time.perf_counter()
        simulate(Config(establishments=args.establishments, products=args.products, days=args.days, seed=1), base)
        print(f"simulated the base in {time.perf_counter() - start:.0f} s", flush=True)
    big = args.work / f"x{args.copies}"
    big.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    ids = [r[0] for r in con.execute(f"SELECT DISTINCT establishment_id FROM read_csv('{base}/orders.csv', "
                                     "all_varchar=true)").fetchall()]
    # Copy k of an establishment: same département, a number of its own (serial), a valid key.
    mapping = [(k, e, finess_with_key(e[:2] + f"{n:06d}"))
               for n, (k, e) in enumerate((k, e) for k in range(args.copies) for e in ids)]
    assert len({new for _, _, new in mapping}) == len(mapping)
    con.execute("CREATE TABLE copies (k INTEGER, old VARCHAR, new VARCHAR)")
    con.executemany("INSERT INTO copies VALUES (?, ?, ?)", mapping)
    start = time.perf_counter()
    for name in ("orders", "deliveries"):
        con.execute(f"""COPY (SELECT c.new AS establishment_id, t.* EXCLUDE (establishment_id)
                              FROM read_csv('{base}/{name}.csv', all_varchar=true) t
                              JOIN copies c ON c.old = t.establishment_id)
                        TO '{big}/{name}.parquet' (FORMAT parquet)""")
    lines = con.execute(f"SELECT count(*) FROM '{big}/orders.parquet'").fetchone()[0]
    print(f"{lines} order lines written to {big} in {time.perf_counter() - start:.0f} s", flush=True)
    command = ["/usr/bin/time", "-v", str(Path(sys.executable).parent / "sentinelle"), "detect",
               "--orders", str(big / "orders.parquet"), "--deliveries", str(big / "deliveries.parquet"),
               "--out", str(big / "alerts.csv"), "--memory-limit", args.memory_limit]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(run.stdout + run.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", run.stderr).group(1)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    print(run.stdout.strip().splitlines()[-1])
    print(f"\n| order lines | wall (m:ss) | peak memory (GiB) | memory limit |\n|---|---|---|---|\n"
          f"| {lines} | {wall} | {rss / 2**20:.2f} | {args.memory_limit} |")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}")


if __name__ == "__main__":
    main()
