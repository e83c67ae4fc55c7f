"""A national-size history for the detection benchmarks: a simulated base replicated under other
establishments (same département, new valid FINESS numbers), written as Parquet."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from sentinelle.catalogue.codes import finess_with_key
from sentinelle.detection.simulate import Config, simulate


def simulated_base(work: Path, establishments: int, products: int, days: int) -> Path:
    base = work / f"base-{establishments}-{products}-{days}"
    if not (base / "orders.csv").exists():
        start = time.perf_counter()
        simulate(Config(establishments=establishments, products=products, days=days, seed=1), base)
        print(f"simulated the base in {time.perf_counter() - start:.0f} s", flush=True)
    return base


def replicate(base: Path, copies: int, out: Path) -> int:
    """orders.parquet and deliveries.parquet in `out`: the base `copies` times over; the order lines."""
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    if (out / "orders.parquet").exists():
        return con.execute(f"SELECT count(*) FROM '{out}/orders.parquet'").fetchone()[0]
    ids = [r[0] for r in con.execute(f"SELECT DISTINCT establishment_id FROM read_csv('{base}/orders.csv', "
                                     "all_varchar=true)").fetchall()]
    mapping = [(k, e, finess_with_key(e[:2] + f"{n:06d}"))
               for n, (k, e) in enumerate((k, e) for k in range(copies) for e in ids)]
    assert len({new for _, _, new in mapping}) == len(mapping)
    con.execute("CREATE TABLE copies (k INTEGER, old VARCHAR, new VARCHAR)")
    con.executemany("INSERT INTO copies VALUES (?, ?, ?)", mapping)
    start = time.perf_counter()
    for name in ("orders", "deliveries"):
        con.execute(f"""COPY (SELECT c.new AS establishment_id, t.* EXCLUDE (establishment_id)
                              FROM read_csv('{base}/{name}.csv', all_varchar=true) t
                              JOIN copies c ON c.old = t.establishment_id)
                        TO '{out}/{name}.parquet' (FORMAT parquet)""")
    lines = con.execute(f"SELECT count(*) FROM '{out}/orders.parquet'").fetchone()[0]
    print(f"{lines} order lines written to {out} in {time.perf_counter() - start:.0f} s", flush=True)
    return lines


def add_options(ap: argparse.ArgumentParser, copies: int) -> None:
    """The options that describe a national-size history: the simulated base, its copies, the folder."""
    ap.add_argument("--establishments", type=int, default=1000)
    ap.add_argument("--products", type=int, default=600)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--copies", type=int, default=copies, help="the base this many times over")
    ap.add_argument("--work", type=Path, default=Path("/tmp/sentinelle-speed"))


def history(args: argparse.Namespace) -> tuple[Path, int]:
    """The folder of the history the options describe (built when missing), and its order lines."""
    base = simulated_base(args.work, args.establishments, args.products, args.days)
    folder = args.work / f"x{args.copies}"
    return folder, replicate(base, args.copies, folder)
