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
from pathlib import Path

import duckdb
from national import add_options, history


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
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", run.stderr).group(1)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    print(run.stdout.strip().splitlines()[-1])
    print("\n".join(line for line in run.stderr.splitlines() if " : " in line and line.strip().endswith(" s")))
    print(f"\n| order lines | wall (m:ss) | peak memory (GiB) | memory limit |\n|---|---|---|---|\n"
          f"| {lines} | {wall} | {rss / 2**20:.2f} | {args.memory_limit} |")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}")


if __name__ == "__main__":
    main()
