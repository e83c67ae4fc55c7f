"""Detection quality in two worlds (issue 18): the first (detection/simulate.py), which the detector's
parameters were chosen on, and the second (detection/second_world.py), built to disagree with it and
never tuned on. Per world and seed: precision, recall, median lead, false alerts per 1,000
product-months, beside the 72-hour rule and the fill-rate rule on the same data; per kind of
disruption, recall and median lead; the fast path's own precision and the abrupt stops it catches
within three days and within two working days; the false alarms the second world's traps raise; and
what evidence from outside the lines adds: manufacturers' interruption notices, shortages abroad and
vulnerability scores, each drawn from the truth by an assumption of ours (`_notices`, `_abroad`,
`_vulnerability`), alone and together.

    .venv/bin/python bench/detection_worlds.py [--seeds 1 2 3] [--worlds first second]
"""

from __future__ import annotations

import argparse
import csv
import math
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
    if name in ("first", "distributors"):
        # "distributors": the first world with four regional distributor failures and a third of its buyers
        # ordering monthly (issue 18's thin regional evidence, to tune the pooled alarm on without tuning on
        # the second world).
        thin = name == "distributors"
        simulate(Config(establishments=60, products=150, days=730, seed=seed, distributors=4 if thin else 0,
                        monthly_share=0.3 if thin else 0.0), folder)
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


def _abroad(con: object, truth: list[ev.Disruption], seed: int) -> list[tuple[str, date, date | None]]:
    """Shortages abroad on the product's substance (our assumption, not data): for a third of the
    disruptions, one that starts 0 to 60 days before the French disruption and lasts 30 to 180 days;
    and shortages abroad that never reach France, on a tenth of the other products, at a day drawn over
    the history (the FDA lists more than a hundred at any time)."""
    rng = random.Random(seed + 100)
    rows: list[tuple[str, date, date | None]] = []
    for d in sorted(truth, key=lambda d: (d.started_at, d.product_id, d.supplier_id)):
        if rng.random() < 1 / 3:
            start = d.started_at - timedelta(days=rng.randint(0, 60))
            rows.append((d.product_id, start, start + timedelta(days=rng.randint(30, 180))))
    troubled = {d.product_id for d in truth}
    products = [p for (p,) in con.execute("SELECT DISTINCT product_id FROM orders ORDER BY ALL").fetchall()  # type: ignore[attr-defined]
                if p not in troubled]
    first, last = con.execute("SELECT min(ordered_at), max(ordered_at) FROM orders").fetchone()  # type: ignore[attr-defined]
    for product in rng.sample(products, len(products) // 10):
        start = first + timedelta(days=rng.randint(0, (last - first).days))
        rows.append((product, start, start + timedelta(days=rng.randint(30, 180))))
    return rows


def _vulnerability(con: object, truth: list[ev.Disruption], seed: int) -> list[tuple[str, float]]:
    """Vulnerability scores 0–100 (the rank) that predict the disruptions as well as the model did on the
    ANSM's real shortages (AUC about 0.7, docs/risk.md): a normal draw per product, shifted by 0.74 for
    the products that will be disrupted (AUC = Φ(0.74/√2) ≈ 0.70)."""
    rng = random.Random(seed + 200)
    troubled = {d.product_id for d in truth}
    products = [p for (p,) in con.execute("SELECT DISTINCT product_id FROM orders ORDER BY ALL").fetchall()]  # type: ignore[attr-defined]
    latent = sorted((rng.gauss(0.74 if p in troubled else 0.0, 1.0), p) for p in products)
    return [(p, round(100 * i / max(1, len(latent) - 1))) for i, (_, p) in enumerate(latent)]


def _stops(truth: list[ev.Disruption], kinds: dict[tuple[str, str, str], str]) -> list[ev.Disruption]:
    """The abrupt stops of the truth (first world: recalls)."""
    return [d for d in truth if kinds.get((d.product_id, d.supplier_id, d.started_at.isoformat())) in ABRUPT]


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
        firsts = [e[2] for e in episodes if ev.detects(d, e, last)]
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
    stops, episodes = _stops(truth, kinds), ev.merge_episodes(fast)
    caught = [0, 0]
    for d in stops:
        for i, last in enumerate(_stop_caught_by(d)):
            # (A fast alarm always names its supplier.)
            caught[i] += any(ev.detects(d, e, last) for e in episodes)
    return scores, len(stops), caught[0], caught[1]


def _stop_evidence(con: object, truth: list[ev.Disruption], kinds: dict[tuple[str, str, str], str],
                   p: engine.Params = engine.Params()) -> tuple[int, int, int]:
    """What the lines could tell of each abrupt stop within three days, whatever the detector: the lines
    of its product × supplier looked at by the fast path (their median lateness passed) in the three days
    from the stop, the silent ones among them, and the best score they could make (all silent lines at
    the series' usual silent share, 180 to 28 days before). Returns the stops with `fast_min_lines`
    silent lines or more, those whose best score reaches the slow path's threshold, and the fast path's."""
    enough = at_slow = at_fast = 0
    for d in _stops(truth, kinds):
        if d.rupture_at is None:
            continue
        k, past_n, past_k = con.execute(  # type: ignore[attr-defined]
            """SELECT count(*) FILTER (WHERE silent AND t BETWEEN $r AND $r + 3),
                   count(*) FILTER (WHERE t BETWEEN $r - 180 AND $r - 28),
                   count(*) FILTER (WHERE silent AND t BETWEEN $r - 180 AND $r - 28)
            FROM fast_line WHERE product_id = $p AND supplier_id = $s""",
            {"r": d.rupture_at, "p": d.product_id, "s": d.supplier_id}).fetchone()
        usual = max(past_k / past_n if past_n else 0.0, p.base_floor)
        best = -k * math.log10(usual)
        enough += k >= p.fast_min_lines
        at_slow += best >= p.threshold
        at_fast += best >= p.fast_threshold
    return enough, at_slow, at_fast


def _scopes(folder: Path) -> dict[tuple[str, str, str], tuple[list[str], str | None]]:
    """Where each disruption can show in the lines: its product × supplier nationally, or, for one in a
    region, every product of that supplier disrupted there from the same day (the pooled series)."""
    with (folder / "disruptions.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    together: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for r in rows:
        if r["region"]:
            together[(r["supplier_id"], r["region"], r["started_at"])].append(r["product_id"])
    return {(r["product_id"], r["supplier_id"], r["started_at"]):
            (together[(r["supplier_id"], r["region"], r["started_at"])], r["region"]) if r["region"]
            else ([r["product_id"]], None) for r in rows}


LEAD_BOUNDS = ("third line due", "third abnormal line, on its due day", "first abnormal line, as judged",
               "third abnormal line, as judged")
# The series that may raise an alarm on a disruption: its product × supplier, its product, its supplier.
_SERIES = ("((product_id = $p AND supplier_id IN ($s, '')) OR (product_id = '' AND supplier_id = $s)) "
           f"AND t BETWEEN $start - {ev.SLACK_DAYS} AND $end")


def _lead_evidence(con: object, truth: list[ev.Disruption], folder: Path, alerts: list[tuple[str, str, date, date]],
                   p: engine.Params = engine.Params()) -> tuple[list[float | None], float | None, float | None]:
    """What the lines could tell of each disruption before its rupture, whatever the statistic: the
    median lead (over the disruptions with a rupture and enough lines) had an alarm come on the day of
    its scope's third line due after it starts (nothing can be seen earlier), of the third line that
    turns out abnormal if that were known on its due day, and of the first and third as the detector
    judges them (their usual lateness passed). Then, over the disruptions with three abnormal lines
    judged: the median days from the third to a score of `threshold` on one of its series, and the
    detector's median lead on those it detects (`alerts`, matched as evaluate.score does). Read from the
    tables of the run just made."""
    scopes, leads, to_score, own = _scopes(folder), [[] for _ in LEAD_BOUNDS], [], []
    episodes = ev.merge_episodes(alerts)
    for d in truth:
        if d.rupture_at is None:
            continue
        products, region = scopes[(d.product_id, d.supplier_id, d.started_at.isoformat())]
        lines = con.execute(  # type: ignore[attr-defined]
            """SELECT due, judged_at, abnormal FROM judged WHERE list_contains($products, product_id)
            AND supplier_id = $s AND ($r IS NULL OR region = $r) AND due >= $start""",
            {"products": products, "s": d.supplier_id, "r": region, "start": d.started_at}).fetchall()
        due = sorted(line[0] for line in lines)
        late_due = sorted(line[0] for line in lines if line[2])
        late_judged = sorted(line[1] for line in lines if line[2])
        for i, (days, k) in enumerate(((due, 3), (late_due, 3), (late_judged, 1), (late_judged, 3))):
            if len(days) >= k:
                leads[i].append((d.rupture_at - days[k - 1]).days)
        if len(late_judged) < 3:
            continue
        series = {"p": d.product_id, "s": d.supplier_id, "start": d.started_at, "end": d.ended_at}
        scored = con.execute(  # type: ignore[attr-defined]
            f"SELECT min(t) FROM scored_all WHERE score >= {p.threshold} AND {_SERIES}", series).fetchone()[0]
        if scored is not None:
            to_score.append((scored - late_judged[2]).days)
        firsts = [e[2] for e in episodes if ev.detects(d, e)]
        if firsts:
            own.append((d.rupture_at - min(firsts)).days)
    return ([statistics.median(x) if x else None for x in leads], statistics.median(to_score) if to_score else None,
            statistics.median(own) if own else None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--worlds", nargs="+", default=["first", "second"])
    args = ap.parse_args()
    rows, kinds_rows, trap_rows, fast_rows, outside_rows, bound_rows = [], [], [], [], [], []
    for world in args.worlds:
        for seed in args.seeds:
            folder = Path(tempfile.mkdtemp(prefix=f"sentinelle-{world}-{seed}-"))
            _world(world, seed, folder)
            con = connect()
            report = ingest(con, folder / "orders.csv", folder / "deliveries.csv")
            assert report.rejected == 0, report.rejections[:3]
            truth = ev.read_truth(folder / "disruptions.csv")
            # The best median lead any detector could have without false alarms: each disruption seen on
            # the day it starts (leads are counted to the rupture, so only those that reach one count).
            gaps = [(d.rupture_at - d.started_at).days for d in truth if d.rupture_at is not None]
            bound_rows.append((world, seed, len(gaps), statistics.median(gaps) if gaps else None))
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
                    kinds = _kinds(folder)
                    for kind, (n, hit, leads) in sorted(_by_kind(simple, truth, kinds).items()):
                        kinds_rows.append((world, seed, kind, n, hit, statistics.median(leads) if leads else None))
                    behind: dict[tuple, set[str]] = defaultdict(set)
                    for row in engine.evidence(con, alerts):
                        behind[row[:5]].add(row[5])
                    trap_rows.append((world, seed, ev.explain_false_alarms(
                        alerts, truth, ev.read_traps(folder / "traps.csv"), behind)))
                    fast_rows.append((world, seed, *_fast_path(con, truth, kinds, months),
                                      *_stop_evidence(con, truth, kinds)))
                    bounds, to_score, own = _lead_evidence(con, truth, folder, simple)
                    bound_rows[-1] += (*bounds, own, to_score, s.median_lead_days)
            plain = next(r[4] for r in rows if r[:3] == (world, seed, "Sentinelle"))
            notices, abroad = tuple(_notices(con, truth, seed)), tuple(_abroad(con, truth, seed))
            vulnerability = tuple(_vulnerability(con, truth, seed))
            for name, outside in (("notices", engine.Outside(notices=notices)), ("abroad", engine.Outside(abroad=abroad)),
                                  ("vulnerability", engine.Outside(vulnerability=vulnerability)),
                                  ("all three", engine.Outside(notices, abroad, vulnerability))):
                with_it = ev.score([(a[0], a[1], a[4], a[5]) for a in engine.detect(con, outside=outside)], truth,
                                   product_months=months)
                outside_rows.append((world, seed, name, plain, with_it))
                print(f"{world} seed {seed} with {name}: {with_it.as_dict()}", flush=True)
    print("\n| world | seed | method | order lines | disruptions | episodes | precision | recall | median lead (d) "
          "| false / 1000 product-months | seconds |\n|---|---|---|---|---|---|---|---|---|---|---|")
    for world, seed, name, lines, s, seconds in rows:
        print(f"| {world} | {seed} | {name} | {lines:,} | {s.disruptions} | {s.alarms} | {s.precision} | {s.recall} "
              f"| {s.median_lead_days} | {s.false_alerts_per_1000_product_months} | {seconds:.0f} |")
    print("\nSentinelle by kind of disruption:\n\n| world | seed | kind | disruptions | detected | median lead (d) |"
          "\n|---|---|---|---|---|---|")
    for world, seed, kind, n, hit, lead in kinds_rows:
        print(f"| {world} | {seed} | {kind} | {n} | {hit} | {lead} |")
    print("\nThe fast path alone (its episodes; abrupt stops caught within 3 days, within 2 working days), and what"
          " the lines could tell within 3 days of each stop (`_stop_evidence`: stops with 5 silent lines or more "
          "in those days, stops whose silent lines could score 6, could score 8):\n\n"
          "| world | seed | fast episodes | precision | abrupt stops | within 3 days | within 2 working days "
          "| ≥ 5 silent lines | best score ≥ 6 | best score ≥ 8 |\n|---|---|---|---|---|---|---|---|---|---|")
    for world, seed, s, stops, in3, in2, enough, at_slow, at_fast in fast_rows:
        print(f"| {world} | {seed} | {s.alarms} | {s.precision} | {stops} | {in3} | {in2} | {enough} | {at_slow} "
              f"| {at_fast} |")
    print("\nWhat evidence from outside the lines adds (drawn from the truth: `_notices`, `_abroad`, `_vulnerability`):"
          "\n\n| world | seed | evidence | precision without / with | recall without / with "
          "| median lead without / with | false / 1000 product-months without / with |\n|---|---|---|---|---|---|---|")
    for world, seed, name, plain, with_it in outside_rows:
        print(f"| {world} | {seed} | {name} | {plain.precision} / {with_it.precision} | {plain.recall} / {with_it.recall} "
              f"| {plain.median_lead_days} / {with_it.median_lead_days} | {plain.false_alerts_per_1000_product_months} / "
              f"{with_it.false_alerts_per_1000_product_months} |")
    print("\nThe best median lead possible: every disruption that reaches a rupture seen on the day it starts, and"
          " what the lines could tell (`_lead_evidence`: an alarm on the day of ...):\n\n"
          "| world | seed | disruptions with a rupture | the day it starts | "
          + " | ".join(LEAD_BOUNDS) + " | Sentinelle, on those | days from the third judged line to a score of 6 "
          "| Sentinelle, all disruptions |"
          "\n|" + "---|" * (7 + len(LEAD_BOUNDS)))
    for world, seed, n, *gaps in bound_rows:
        print(f"| {world} | {seed} | {n} | " + " | ".join(str(g) for g in gaps) + " |")
    print("\nSentinelle's false alarms by what explains them:\n")
    for world, seed, counts in trap_rows:
        print(f"- {world}, seed {seed}: {counts or 'none'}")


if __name__ == "__main__":
    main()
