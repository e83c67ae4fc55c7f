"""One new day added to a national history: `sentinelle detect --store` against a full replay.

A simulated history (1,000 establishments × 600 products × 730 days by default, about 10 million
order lines) is loaded into a store up to `--days-back` days before its end, and a first
`detect --store` computes the history (the baseline: a full replay on the same store). Then each
following day's lines (orders dated that day, deliveries dated that day) come as two small CSV files
and `sentinelle detect --store S --orders day.csv --deliveries day.csv` runs under /usr/bin/time:
wall time and peak memory of the whole command (checks against the store, loading, the new day's
detection, the alerts file). The last day's alerts are checked against a full replay to that day.
Each command starts after the disk has caught up with the one before (a full run leaves gigabytes
of writes to flush, which slowed the first new day by a second and a half).

`--baseline-src DIR` (the `src` folder of another checkout, e.g. a git worktree of the landed
commit): the same days are first run with that code on a copy of the store after its first run, so
that both codes are measured in the same run, on the same machine and data.

    .venv/bin/python bench/detection_daily.py --establishments 1000 --products 600 --days 730 --new-days 5 --copies N
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb
from national import add_options, history

SENTINELLE = str(Path(sys.executable).parent / "sentinelle")


def timed(command: list[str], src: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak resident GiB and output of a command (`sentinelle` from `src` if given)."""
    os.sync()
    env = None
    if src is not None and command[0] == SENTINELLE:
        env = {**os.environ, "PYTHONPATH": str(src)}
        command = [sys.executable, "-c", "import sys; from sentinelle.cli import app; sys.exit(app())", *command[1:]]
    start = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if run.returncode:
        raise SystemExit(run.stdout + run.stderr)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    return wall, rss / 2**20, run.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    add_options(ap, copies=1)
    ap.add_argument("--new-days", type=int, default=5)
    ap.add_argument("--baseline-src", type=Path, help="the src folder of the code to compare with")
    args = ap.parse_args()
    source, _lines = history(args)
    work = args.work / f"daily-x{args.copies}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    con = duckdb.connect()
    end = con.execute(f"SELECT max(CAST(ordered_at AS DATE)) FROM '{source}/orders.parquet'").fetchone()[0]
    first_new = end - timedelta(days=args.new_days - 1)
    history_end = first_new - timedelta(days=1)

    def part(folder: Path, cond: str, kind: str) -> None:
        folder.mkdir()
        for table, column in (("orders", "ordered_at"), ("deliveries", "delivered_at")):
            con.execute(f"COPY (SELECT * FROM '{source}/{table}.parquet' WHERE CAST({column} AS DATE) {cond}) "
                        f"TO '{folder}/{table}.{kind}' {'(FORMAT parquet)' if kind == 'parquet' else '(HEADER)'}")

    part(work / "history", f"<= DATE '{history_end}'", "parquet")
    days = [first_new + timedelta(days=n) for n in range(args.new_days)]
    for day in days:
        part(work / str(day), f"= DATE '{day}'", "csv")
    lines = con.execute(f"SELECT count(*) FROM '{work}/history/orders.parquet'").fetchone()[0]
    store = work / "national.duckdb"
    wall, rss, _ = timed([SENTINELLE, "ingest", "--store", str(store), "--orders", str(work / "history/orders.parquet"),
                          "--deliveries", str(work / "history/deliveries.parquet")])
    print(f"history of {lines} order lines to {history_end} loaded in {wall:.0f} s", flush=True)
    copy = work / "baseline.duckdb"
    if args.baseline_src:
        # The baseline makes its own first run on its own copy: a store keeps the fingerprint of the
        # parameters it was computed with, and another code's parameters make it start afresh.
        shutil.copyfile(store, copy)
        os.sync()
        base_wall, base_rss, _out = timed([SENTINELLE, "detect", "--store", str(copy), "--as-of", str(history_end),
                                          "--out", str(work / "baseline full.csv")], args.baseline_src)
        print(f"baseline first run (full replay on its copy): {base_wall:.1f} s, {base_rss:.2f} GiB", flush=True)
    full_wall, full_rss, _out = timed([SENTINELLE, "detect", "--store", str(store), "--as-of", str(history_end),
                                      "--out", str(work / "full.csv")])
    print(f"first run (full replay on the store): {full_wall:.1f} s, {full_rss:.2f} GiB", flush=True)

    def run_days(path: Path, src: Path | None, label: str) -> list[tuple]:
        rows = []
        for day in days:
            folder = work / str(day)
            new = con.execute(f"SELECT count(*) FROM read_csv('{folder}/orders.csv')").fetchone()[0]
            wall, rss, out = timed([SENTINELLE, "detect", "--store", str(path), "--orders", str(folder / "orders.csv"),
                                    "--deliveries", str(folder / "deliveries.csv"), "--as-of", str(day),
                                    "--out", str(work / f"{label}{day}.csv")], src)
            assert "Jours du" in out, out
            rows.append((day, new, wall, rss))
            print(f"{label or 'this code '}{day}: {new} new order lines, {wall:.2f} s, {rss:.2f} GiB", flush=True)
        return rows

    baseline = []
    if args.baseline_src:
        baseline = run_days(copy, args.baseline_src, "baseline ")
        copy.unlink()
        shutil.rmtree(work / ".baseline.duckdb.spill", ignore_errors=True)
    rows = run_days(store, None, "")
    # The last day's alerts against a full replay to that day over all the files.
    wall, rss, _ = timed([SENTINELLE, "detect", "--orders", str(source / "orders.parquet"), "--deliveries",
                          str(source / "deliveries.parquet"), "--as-of", str(days[-1]), "--out", str(work / "replay.csv")])
    print(f"full replay from the files to {days[-1]}: {wall:.1f} s, {rss:.2f} GiB", flush=True)
    same = (work / f"{days[-1]}.csv").read_text() == (work / "replay.csv").read_text()
    print(f"\nlast day's alerts identical to a full replay: {same}")
    if baseline:
        theirs = {tuple(r[:6]) for r in csv.reader((work / f"baseline {days[-1]}.csv").open())}
        ours = {tuple(r[:6]) for r in csv.reader((work / f"{days[-1]}.csv").open())}
        print(f"the last day's alert episodes (product, supplier, scope, first and last day): {len(ours) - 1} here, "
              f"{len(theirs) - 1} with the baseline, {len(ours & theirs) - 1} the same")
    walls = [r[2] for r in rows]
    print(f"\n| history (order lines) | first run, full (s) | new day: median (s) | max (s) | peak memory (GiB) | "
          f"ratio full / day |\n|---|---|---|---|---|---|\n"
          f"| {lines} | {full_wall:.1f} | {statistics.median(walls):.2f} | {max(walls):.2f} | "
          f"{max(r[3] for r in rows):.2f} | {full_wall / statistics.median(walls):.1f} |")
    for name, measured in (("baseline", baseline), ("this code", rows)):
        if measured:
            working = [r[2] for r in measured if r[1]]
            print(f"{name}: days {', '.join(f'{r[2]:.2f}' for r in measured)}; "
                  f"median {statistics.median(r[2] for r in measured):.2f} s, days with new lines "
                  f"{statistics.median(working):.2f} s, peak {max(r[3] for r in measured):.2f} GiB")
    if baseline:
        print(f"ratio of the median day to the baseline's: "
              f"{statistics.median(walls) / statistics.median(r[2] for r in baseline):.2f}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}")
    if not same:
        raise SystemExit("the daily alerts differ from the full replay")


if __name__ == "__main__":
    main()
