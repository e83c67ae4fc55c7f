"""Detection quality in two worlds (issue 18): the first (detection/simulate.py), which the detector's
parameters were chosen on, and the second (detection/second_world.py), built to disagree with it and
never tuned on. Per world and seed: precision, recall, median lead, false alerts per 1,000
product-months, beside the 72-hour rule and the fill-rate rule on the same data; per kind of
disruption, recall and median lead; the fast path's own precision and the abrupt stops it catches
within three days and within two working days; the false alarms the second world's traps raise; and
what manufacturers' interruption notices add (drawn from the truth, see `_notices`).

    .venv/bin/python bench/detection_worlds.py [--seeds 1 2 3] [--worlds first second]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from sentinelle.detection import detect as engine
from sentinelle.detection import evaluate as ev
from sentinelle.detection.calendar import working_days_after
from sentinelle.detection.ingest import connect, ingest
from sentinelle.detection.second_world import WorldConfig, generate
from sentinelle.detection.simulate import Config, simulate

ABRUPT = ("abrupt_stop", "quality_recall")
METHODS = (("Sentinelle", engine.detect), ("72-hour rule", engine.baseline_72h),
           ("fill rate < 80 % / 7 d", engine.baseline_fill_rate))


def _world(name: str, seed: int, folder: Path) -> None:
    if name == "first":
        simulate(Config(establishments=60, products=150, days=730, seed=seed), folder)
    else:
        generate(WorldConfig(seed=seed), folder)


def _kinds(folder: Path) -> dict[tuple[str, str, str], str]:
    with (folder / "disruptions.csv").open(encoding="utf-8") as f:
        return {(r["product_id"], r["supplier_id"], r["started_at"]): r["kind"] for r in csv.DictReader(f)}


def _notices(con: object, truth: list[ev.Disruption], seed: int) -> list[tuple[str, str, date]]:
    """Interruption notices as a manufacturer might file them (our assumption, not data): for half of the
    disruptions that reach a rupture, a notice on the product × supplier published 0 to 21 days before
    the rupture (never before the disruption starts); and, for one notice in five, a false one on a
    product × supplier with no disruption, on a day drawn over the history."""
    rng = random.Random(seed)
    notices = []
    for d in sorted(truth, key=lambda d: (d.started_at, d.product_id, d.supplier_id)):
        if d.rupture_at is not None and rng.random() < 0.5:
            notices.append((d.product_id, d.supplier_id, max(d.started_at, d.rupture_at - timedelta(days=rng.randint(0, 21)))))
    troubled = {(d.product_id, d.supplier_id) for d in truth}
    pairs = [p for p in con.execute("SELECT DISTINCT product_id, supplier_id FROM orders ORDER BY ALL").fetchall()  # type: ignore[attr-defined]
             if (p[0], p[1]) not in troubled]
    first, last = con.execute("SELECT min(ordered_at), max(ordered_at) FROM orders").fetchone()  # type: ignore[attr-defined]
    for _ in range(len(notices) // 5):
        product, supplier = rng.choice(pairs)
        notices.append((product, supplier, first + timedelta(days=rng.randint(180, (last - first).days))))
    return notices


def _stop_caught_by(d: ev.Disruption) -> tuple[date, date]:
    """The last day an alarm catches an abrupt stop: three days after it (the issue's rule), and two
    working days after it (the fast path's aim). The stop is the rupture (the day nothing is shipped)."""
    stop = d.rupture_at or d.started_at
    return stop + timedelta(days=3), working_days_after(stop, 2)


def _by_kind(alerts: list[tuple[str, str, date, date]], truth: list[ev.Disruption],
             kinds: dict[tuple[str, str, str], str]) -> dict[str, tuple[int, int, list[int]]]:
    """Per kind: disruptions, detected, leads (days before the rupture)."""
    episodes = ev.merge_episodes(alerts)
    found: dict[str, tuple[int, int, list[int]]] = {}
    for d in truth:
        kind = kinds.get((d.product_id, d.supplier_id, d.started_at.isoformat()), "?")
        n, hit, leads = found.get(kind, (0, 0, []))
        # An abrupt stop counts as caught only by an alarm within three days of it (the rule).
        last = _stop_caught_by(d)[0] if kind in ABRUPT else d.ended_at
        firsts = [first for p, s, first, _ in episodes if p == d.product_id and (not s or s == d.supplier_id)
                  and d.started_at - timedelta(days=ev.SLACK_DAYS) <= first <= last]
        if firsts and d.rupture_at is not None:
            leads.append((d.rupture_at - min(firsts)).days)
        found[kind] = (n + 1, hit + bool(firsts), leads)
    return found


def _fast_path(con: object, truth: list[ev.Disruption], kinds: dict[tuple[str, str, str], str],
               months: float) -> tuple[ev.Scores, int, int, int]:
    """The fast path alone (its alarm days of the run just made on `con`): its scores, the abrupt stops,
    those it caught within three days and within two working days."""
    fast = [(a[0], a[1], a[4], a[5]) for a in engine.episodes_of(con, "fast_alarm")]  # type: ignore[arg-type]
    scores = ev.score(fast, truth, product_months=months)
    stops = [d for d in truth if kinds.get((d.product_id, d.supplier_id, d.started_at.isoformat())) in ABRUPT]
    caught = [0, 0]
    for d in stops:
        for i, last in enumerate(_stop_caught_by(d)):
            caught[i] += any(p == d.product_id and s == d.supplier_id
                             and d.started_at - timedelta(days=ev.SLACK_DAYS) <= first <= last
                             for p, s, first, _ in ev.merge_episodes(fast))
    return scores, len(stops), caught[0], caught[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--worlds", nargs="+", default=["first", "second"])
    args = ap.parse_args()
    rows, kinds_rows, trap_rows, fast_rows, notice_rows = [], [], [], [], []
    for world in args.worlds:
        for seed in args.seeds:
            folder = Path(tempfile.mkdtemp(prefix=f"sentinelle-{world}-{seed}-"))
            _world(world, seed, folder)
            con = connect()
            report = ingest(con, folder / "orders.csv", folder / "deliveries.csv")
            assert report.rejected == 0, report.rejections[:3]
            truth = ev.read_truth(folder / "disruptions.csv")
            months = ev.product_months(con)
            lines = con.execute("SELECT count(*) FROM orders").fetchone()[0]
            for name, run in METHODS:
                began = time.perf_counter()
                alerts = run(con)
                seconds = time.perf_counter() - began
                simple = [(a[0], a[1], a[4], a[5]) for a in alerts]
                s = ev.score(simple, truth, product_months=months)
                rows.append((world, seed, name, lines, s, seconds))
                print(f"{world} seed {seed} {name}: {s.as_dict()} ({seconds:.1f} s)", flush=True)
                if name == "Sentinelle":
                    for kind, (n, hit, leads) in sorted(_by_kind(simple, truth, _kinds(folder)).items()):
                        kinds_rows.append((world, seed, kind, n, hit, statistics.median(leads) if leads else None))
                    behind: dict[tuple, set[str]] = defaultdict(set)
                    for row in engine.evidence(con, alerts):
                        behind[row[:5]].add(row[5])
                    trap_rows.append((world, seed, ev.explain_false_alarms(
                        alerts, truth, ev.read_traps(folder / "traps.csv"), behind)))
                    fast_rows.append((world, seed, *_fast_path(con, truth, _kinds(folder), months)))
            notices = _notices(con, truth, seed)
            noticed = ev.score([(a[0], a[1], a[4], a[5]) for a in engine.detect(con, notices=notices)], truth,
                               product_months=months)
            plain = next(r[4] for r in rows if r[:3] == (world, seed, "Sentinelle"))
            notice_rows.append((world, seed, len(notices), plain, noticed))
            print(f"{world} seed {seed} with {len(notices)} notices: {noticed.as_dict()}", flush=True)
    print("\n| world | seed | method | order lines | disruptions | episodes | precision | recall | median lead (d) "
          "| false / 1000 product-months | seconds |\n|---|---|---|---|---|---|---|---|---|---|---|")
    for world, seed, name, lines, s, seconds in rows:
        print(f"| {world} | {seed} | {name} | {lines:,} | {s.disruptions} | {s.alarms} | {s.precision} | {s.recall} "
              f"| {s.median_lead_days} | {s.false_alerts_per_1000_product_months} | {seconds:.0f} |")
    print("\nSentinelle by kind of disruption:\n\n| world | seed | kind | disruptions | detected | median lead (d) |"
          "\n|---|---|---|---|---|---|")
    for world, seed, kind, n, hit, lead in kinds_rows:
        print(f"| {world} | {seed} | {kind} | {n} | {hit} | {lead} |")
    print("\nThe fast path alone (its episodes; abrupt stops caught within 3 days, within 2 working days):\n\n"
          "| world | seed | fast episodes | precision | abrupt stops | within 3 days | within 2 working days |\n"
          "|---|---|---|---|---|---|---|")
    for world, seed, s, stops, in3, in2 in fast_rows:
        print(f"| {world} | {seed} | {s.alarms} | {s.precision} | {stops} | {in3} | {in2} |")
    print("\nWhat manufacturers' notices add (notices drawn from the truth, `_notices`):\n\n"
          "| world | seed | notices | precision without / with | recall without / with | median lead without / with |"
          "\n|---|---|---|---|---|---|")
    for world, seed, n, plain, noticed in notice_rows:
        print(f"| {world} | {seed} | {n} | {plain.precision} / {noticed.precision} | {plain.recall} / {noticed.recall} "
              f"| {plain.median_lead_days} / {noticed.median_lead_days} |")
    print("\nSentinelle's false alarms by what explains them:\n")
    for world, seed, counts in trap_rows:
        print(f"- {world}, seed {seed}: {counts or 'none'}")


if __name__ == "__main__":
    main()
