"""Detection quality on simulated data over several seeds, beside the two baselines, and the time taken.

    .venv/bin/python bench/detection_quality.py --seeds 1 2 3 4 5 --establishments 60 --products 150 --days 730
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from sentinelle.detection import detect as engine
from sentinelle.detection import evaluate as ev
from sentinelle.detection.ingest import connect, ingest
from sentinelle.detection.simulate import Config, simulate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--establishments", type=int, default=60)
    ap.add_argument("--products", type=int, default=150)
    ap.add_argument("--days", type=int, default=730)
    args = ap.parse_args()
    rows = []
    for seed in args.seeds:
        folder = Path(tempfile.mkdtemp(prefix=f"sentinelle-sim-{seed}-"))
        summary = simulate(Config(establishments=args.establishments, products=args.products, days=args.days,
                                  seed=seed), folder)
        con = connect()
        report = ingest(con, folder / "orders.csv", folder / "deliveries.csv")
        assert report.rejected == 0, report.rejections[:3]
        truth = ev.read_truth(folder / "disruptions.csv")
        months = ev.product_months(con)
        for name, run in (("Sentinelle", engine.detect), ("72-hour rule", engine.baseline_72h),
                          ("fill rate < 80 % / 7 d", engine.baseline_fill_rate)):
            start = time.perf_counter()
            alerts = run(con)
            seconds = time.perf_counter() - start
            s = ev.score([(a[0], a[1], a[4], a[5]) for a in alerts], truth, product_months=months)
            rows.append((seed, name, summary.orders, s, seconds))
            print(f"seed {seed} {name}: {s.as_dict()} ({seconds:.1f} s)", flush=True)
    print("\n| seed | method | order lines | disruptions | episodes | precision | recall | median lead (d) "
          "| false / 1000 product-months | seconds |\n|---|---|---|---|---|---|---|---|---|---|")
    for seed, name, lines, s, seconds in rows:
        print(f"| {seed} | {name} | {lines} | {s.disruptions} | {s.alarms} | {s.precision} | {s.recall} "
              f"| {s.median_lead_days} | {s.false_alerts_per_1000_product_months} | {seconds:.1f} |")
    ours = [s for _, name, _, s, _ in rows if name == "Sentinelle"]
    print(f"\nSentinelle over {len(ours)} seeds: precision min {min(s.precision or 0 for s in ours)}, "
          f"recall min {min(s.recall or 0 for s in ours)}, median lead time (median of seeds) "
          f"{statistics.median(s.median_lead_days or 0 for s in ours)} d, min "
          f"{min(s.median_lead_days or 0 for s in ours)} d")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.establishments} establishments, {args.products} products, {args.days} days per seed")


if __name__ == "__main__":
    main()
