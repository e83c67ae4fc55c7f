"""A simulator of hospital order and delivery lines, with the ground truth of the disruptions in it.

What it models, and why (detection must be right on all of it):
- seasonal demand (winter epidemics for 40 % of products, summer for 10 %), hospital sizes;
- several suppliers per product, each with its own nominal lead time and noise; a quarter of the
  suppliers are chronically late (2 to 5 days past their promise) yet healthy;
- promised dates given on only part of the lines (60 to 100 % by supplier);
- week-ends and French public holidays (no delivery), the year-end and August slowdowns;
- ordinary partial deliveries and the odd line never completed;
- injected disruptions: capacity drop (supply thins out over 3 to 9 weeks, then stops), quality
  recall (stops within days), discontinuation (thins out, then never again), demand surge (all
  buyers order 2 to 4 times more than the suppliers can make) and regional trouble (a capacity
  drop seen only by one region's hospitals, e.g. a distributor); on demand (`distributors`), a
  regional distributor failing: one supplier, in one region, on every product it delivers there;
  and (`monthly_share`) buyers ordering a month's quantity once every four weeks;
- traps that are no disruption, written to traps.csv: the chronically late suppliers, and one
  hospital recording its deliveries two to eight working days late for four to eight weeks (its
  receiving backlog), drawn from a random stream of its own so that the rest of the world is the
  one drawn before that trap existed.

The delay model is grounded on the real USAID SCMS shipments in ../shared/data (measured by
tools/measure_delays.py; docs/detection.md): 61 % of lines arrive on the promised day, 27 % early,
the rest late; each supplier's share of late lines follows the spread seen across vendors (10th,
50th and 90th percentiles 0.2 %, 1.5 %, 13.5 %); a late line's delay and an early line's advance,
as a share of the lead time, follow log-normal laws fitted to the quartiles seen there. Those
shipments cross oceans in months; hospital supplies take days: the shapes are kept, the scale is
the supplier's lead time.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from sentinelle.catalogue.codes import finess_with_key
from sentinelle.detection.calendar import french_holidays
from sentinelle.detection.contract import TRAPS

# Mainland regions (INSEE code, a department of it, weight ~ population).
REGIONS = [("11", "75", 12.3), ("24", "45", 2.6), ("27", "21", 2.8), ("28", "14", 3.3), ("32", "59", 6.0),
           ("44", "67", 5.6), ("52", "44", 3.9), ("53", "35", 3.4), ("75", "33", 6.1), ("76", "31", 6.0),
           ("84", "69", 8.1), ("93", "13", 5.1), ("94", "2A", 0.35)]
# From tools/measure_delays.py on the SCMS shipments.
EARLY_SHARE = 0.273
VENDOR_LATE_SHARE = ((0.1, 0.0017), (0.5, 0.0154), (0.9, 0.1351))  # (quantile, late share)
LATE_RATIO = (0.124, 0.372 / 0.039)  # median and interquartile ratio of delay ÷ lead time, late lines
EARLY_RATIO = (0.212, 0.696 / 0.054)  # the same for the advance of early lines
KINDS = ("capacity_drop", "quality_recall", "discontinuation", "demand_surge", "regional")
KIND_WEIGHTS = (0.35, 0.15, 0.15, 0.15, 0.20)


@dataclass
class Config:
    establishments: int = 60
    products: int = 150
    days: int = 730
    seed: int = 1
    start: date = date(2024, 1, 1)
    disruption_share: float = 0.08  # of products that suffer one disruption
    # Regional distributor failures: a supplier failing in one region on every product it delivers there
    # (none by default: the world the detector was tuned on; bench/detection_worlds.py's "distributors").
    distributors: int = 0
    # Establishment × product pairs ordering once every four weeks (a month's quantity) instead of every
    # 3, 7 or 14 days: few lines from few buyers (none by default).
    monthly_share: float = 0.0
    # Given identities instead of invented ones (the demo uses its own hospitals and catalogue):
    # (FINESS, region code) per establishment, and product codes (GTIN, CIP13...).
    establishment_ids: list[tuple[str, str]] | None = None
    product_ids: list[str] | None = None


@dataclass
class Summary:
    orders: int = 0
    deliveries: int = 0
    disruptions: list[dict[str, str]] = field(default_factory=list)
    traps: list[dict[str, str]] = field(default_factory=list)


class Calendar:
    def __init__(self, start: date, days: int) -> None:
        self.start, self.days = start, days
        span = days + 200  # deliveries may fall after the horizon; they are cut when written
        dates = [start + timedelta(days=t) for t in range(span)]
        holidays = set().union(*(french_holidays(y) for y in range(start.year, dates[-1].year + 1)))
        self.working = np.array([d.weekday() < 5 and d not in holidays for d in dates])
        # next_working[t]: t itself if a working day, else the next one.
        nxt = np.empty(span, dtype=np.int64)
        following = span - 1
        for t in range(span - 1, -1, -1):
            if self.working[t]:
                following = t
            nxt[t] = following
        self.next_working = nxt
        doy = np.array([d.timetuple().tm_yday for d in dates])
        self.doy = doy
        month_day = np.array([d.month * 100 + d.day for d in dates])
        self.slowdown = np.where((month_day >= 1220) | (month_day <= 103), 2.0,
                                 np.where((month_day >= 801) & (month_day <= 825), 1.0, 0.0))

    def iso(self, t: int) -> str:
        return (self.start + timedelta(days=int(t))).isoformat()

    def shift(self, t: np.ndarray) -> np.ndarray:
        return self.next_working[np.clip(t, 0, len(self.next_working) - 1)]


def _disruptions(rng: np.random.Generator, cfg: Config, product_suppliers: list[np.ndarray],
                 buyers_by_pair: dict[tuple[int, int], np.ndarray], est_region: np.ndarray) -> list[dict]:
    n_prod = len(product_suppliers)
    count = max(1, round(cfg.disruption_share * n_prod))
    lo, hi = 150, cfg.days - 110
    if hi <= lo:
        raise ValueError("--days doit valoir au moins 261 : 150 jours d'historique avant une perturbation et 110 après")
    chosen = rng.choice(n_prod, size=min(count, n_prod), replace=False)
    out = []
    for p in chosen:
        main = int(product_suppliers[p][0])
        buyers = buyers_by_pair.get((int(p), main), np.array([], dtype=np.int64))
        if len(buyers) < 4:
            continue
        kind = KINDS[rng.choice(len(KINDS), p=KIND_WEIGHTS)]
        start = int(rng.integers(lo, hi))
        region = None
        if kind == "regional":
            regions, counts = np.unique(est_region[buyers], return_counts=True)
            if counts.max() < 3:
                kind = "capacity_drop"
            else:
                region = str(regions[int(np.argmax(counts))])
        if kind in ("capacity_drop", "regional"):
            rupture = start + int(rng.integers(21, 61))
            end = rupture + int(rng.integers(20, 61))
        elif kind == "quality_recall":
            rupture = start + int(rng.integers(1, 6))
            end = rupture + int(rng.integers(20, 61))
        elif kind == "discontinuation":
            rupture = start + int(rng.integers(30, 91))
            end = cfg.days
        else:  # demand_surge: strained, never stopped
            rupture = None
            end = start + int(rng.integers(30, 61))
        suppliers = [int(s) for s in product_suppliers[p]] if kind == "demand_surge" else [main]
        out.append({"product": int(p), "suppliers": suppliers, "kind": kind, "start": start, "rupture": rupture,
                    "end": min(end, cfg.days), "region": region, "surge": float(rng.uniform(2, 4))})
    return out


def _distributor_failures(rng: np.random.Generator, cfg: Config, n_sup: int, buyers_by_pair: dict[tuple[int, int], list[int]],
                          est_region: np.ndarray, by_pair: dict[tuple[int, int], dict]) -> list[dict]:
    """`cfg.distributors` suppliers each failing in one region on every product it delivers there (a capacity
    drop's shape, the same days for all), the region where it delivers most products; products already
    disrupted are left as they are. Drawn from a stream of their own (`rng`): the rest of the world is the
    one drawn without them. Registered in `by_pair`; one disruption per product."""
    out: list[dict] = []
    for s in rng.choice(n_sup, size=min(cfg.distributors, n_sup), replace=False):
        products_in: dict[str, set[int]] = {}
        for (p, supplier), buyers in buyers_by_pair.items():
            if supplier == s and (p, supplier) not in by_pair:
                for e in buyers:
                    products_in.setdefault(str(est_region[e]), set()).add(p)
        if not products_in:
            continue
        region = max(sorted(products_in), key=lambda r: len(products_in[r]))
        start = int(rng.integers(150, cfg.days - 110))
        rupture = start + int(rng.integers(21, 61))
        end = min(cfg.days, rupture + int(rng.integers(20, 61)))
        for p in sorted(products_in[region]):
            d = {"product": p, "suppliers": [int(s)], "kind": "regional_distributor", "start": start,
                 "rupture": rupture, "end": end, "region": region, "surge": 1.0}
            by_pair[(p, int(s))] = d
            out.append(d)
    return out


def _lognormal(rng: np.random.Generator, median: float, iq_ratio: float, size: int) -> np.ndarray:
    return rng.lognormal(np.log(median), np.log(iq_ratio) / 1.349, size)


def _deviation(rng: np.random.Generator, lead: int, late_share: float, size: int) -> np.ndarray:
    """Days early (negative) or late (positive) against the promise, on the SCMS shapes."""
    u = rng.random(size)
    late = u < late_share
    early = (u >= late_share) & (u < late_share + EARLY_SHARE)
    out = np.zeros(size)
    out[late] = np.maximum(1, np.rint(np.minimum(_lognormal(rng, *LATE_RATIO, late.sum()), 3) * lead))
    out[early] = -np.minimum(lead - 1, np.maximum(1, np.rint(_lognormal(rng, *EARLY_RATIO, early.sum()) * lead)))
    return out


def _effect(d: dict, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For nominal delivery days t: the share served on time, extra delay, and whether the rest is
    delivered once the disruption ends (backorder) or never."""
    served = np.ones(len(t))
    extra = np.zeros(len(t))
    start, rupture, end = d["start"], d["rupture"], d["end"]
    kind = d["kind"]
    if kind in ("capacity_drop", "regional", "regional_distributor", "discontinuation"):
        ramp = (t >= start) & (t < rupture)
        x = (t - start) / max(1, rupture - start)
        floor = 0.0 if kind == "discontinuation" else 0.2
        served = np.where(ramp, 1 - (1 - floor) * x, served)
        extra = np.where(ramp, (5 if kind == "discontinuation" else 8) * x, extra)
        served = np.where((t >= rupture) & (t < end), 0.0, served)
    elif kind == "quality_recall":
        served = np.where((t >= rupture) & (t < end), 0.0, served)
    else:
        strained = (t >= start) & (t < end)
        served = np.where(strained, min(1.0, 1.3 / d["surge"]), served)
        extra = np.where(strained, 4.0, extra)
    return served, extra, np.full(len(t), kind != "discontinuation")


def simulate(cfg: Config, out: Path, progress: Callable[[int, int], None] | None = None) -> Summary:
    rng = np.random.default_rng(cfg.seed)
    cal = Calendar(cfg.start, cfg.days)
    n_est = len(cfg.establishment_ids) if cfg.establishment_ids else cfg.establishments
    n_prod = len(cfg.product_ids) if cfg.product_ids else cfg.products
    weights = np.array([w for _, _, w in REGIONS])
    region_index = rng.choice(len(REGIONS), size=n_est, p=weights / weights.sum())
    if cfg.establishment_ids:
        est_finess = [f for f, _ in cfg.establishment_ids]
        est_region = np.array([r for _, r in cfg.establishment_ids])
    else:
        est_region = np.array([REGIONS[i][0] for i in region_index])
        est_finess = [finess_with_key(REGIONS[i][1] + f"{(7919 * k + 1) % 1000000:06d}") for k, i in
                      enumerate(region_index)]
    product_code = cfg.product_ids or [f"P{p:05d}" for p in range(n_prod)]
    est_size = rng.lognormal(0, 0.5, n_est)

    n_sup = max(4, n_prod // 5)
    sup_lead = rng.integers(2, 8, n_sup)
    # Each supplier's share of late lines, drawn along the vendors' spread (log-linear between quantiles).
    qs, shares = zip(*VENDOR_LATE_SHARE)
    sup_late = np.clip(np.exp(np.interp(rng.random(n_sup), qs, np.log(shares), left=None, right=None)), 0.001, 0.3)
    sup_chronic = np.where(rng.random(n_sup) < 0.25, rng.uniform(2, 5, n_sup), 0.0)
    sup_promise = rng.uniform(0.6, 1.0, n_sup)
    sup_partial = rng.uniform(0.01, 0.05, n_sup)

    product_suppliers = [rng.choice(n_sup, size=int(rng.choice([1, 2, 3], p=[.4, .4, .2])), replace=False)
                         for _ in range(n_prod)]
    season_kind = rng.choice(3, size=n_prod, p=[.5, .4, .1])
    season_amp = rng.uniform(0.2, 0.7, n_prod)
    base = rng.lognormal(2, 0.7, n_prod)

    p_buy = min(0.6, max(0.15, 25 / n_est))
    pairs: list[tuple[int, int, int]] = []  # (establishment, product, supplier)
    for p in range(n_prod):
        sups = product_suppliers[p]
        share = np.array([0.7, 0.2, 0.1][: len(sups)])
        for e in np.nonzero(rng.random(n_est) < p_buy)[0]:
            pairs.append((int(e), p, int(sups[rng.choice(len(sups), p=share / share.sum())])))
    buyers_by_pair: dict[tuple[int, int], list[int]] = {}
    for e, p, s in pairs:  # type: ignore[assignment]
        buyers_by_pair.setdefault((p, s), []).append(e)  # type: ignore[arg-type]
    disruptions = _disruptions(rng, cfg, product_suppliers,
                               {k: np.array(v) for k, v in buyers_by_pair.items()}, est_region)
    by_pair = {(d["product"], s): d for d in disruptions for s in d["suppliers"]}
    disruptions += _distributor_failures(np.random.default_rng([cfg.seed, 2]), cfg, n_sup, buyers_by_pair,
                                         est_region, by_pair)
    surge_of = {d["product"]: d for d in disruptions if d["kind"] == "demand_surge"}

    # The receiving backlog: its own stream (seeded apart), so the rest of the world is unchanged by it.
    trap_rng = np.random.default_rng([cfg.seed, 1])
    backlog_e = int(trap_rng.integers(0, n_est))
    backlog_from = int(trap_rng.integers(cfg.days // 10, max(cfg.days // 10 + 1, cfg.days - 90)))
    backlog_to = backlog_from + 7 * int(trap_rng.integers(4, 9))
    backlog_days = int(trap_rng.integers(2, 9))

    out.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    summary.traps = [{"kind": "chronically_late", "establishment_id": "", "supplier_id": f"S{s:04d}",
                      "from": cal.iso(0), "to": cal.iso(cfg.days - 1)} for s in np.nonzero(sup_chronic > 0)[0]]
    summary.traps.append({"kind": "receiving_backlog", "establishment_id": est_finess[backlog_e], "supplier_id": "",
                          "from": cal.iso(backlog_from), "to": cal.iso(backlog_to)})
    line_no = np.zeros(n_est, dtype=np.int64)
    with (out / "orders.csv").open("w", newline="") as fo, (out / "deliveries.csv").open("w", newline="") as fd:
        wo, wd = csv.writer(fo), csv.writer(fd)
        wo.writerow(["establishment_id", "order_id", "line_id", "product_id", "supplier_id", "ordered_at",
                     "promised_at", "quantity_ordered", "region"])
        wd.writerow(["establishment_id", "line_id", "delivered_at", "quantity_delivered"])
        # The monthly buyers, drawn apart too; their lines are those of their usual cadence thinned out
        # afterwards (the main stream draws the same numbers: the other pairs' lines are unchanged but for their line numbers).
        monthly = np.random.default_rng([cfg.seed, 3]).random(len(pairs)) < cfg.monthly_share
        for n, (e, p, s) in enumerate(pairs):  # type: ignore[assignment]
            cadence = int(rng.choice([3, 7, 14], p=[.2, .5, .3]))
            days = np.unique(cal.shift(np.arange(int(rng.integers(0, cadence)), cfg.days, cadence)))
            days = days[days < cfg.days]
            if season_kind[p] == 1:
                season = 1 + season_amp[p] * np.cos(2 * np.pi * (cal.doy[days] - 15) / 365)
            elif season_kind[p] == 2:
                season = 1 + season_amp[p] * np.cos(2 * np.pi * (cal.doy[days] - 200) / 365)
            else:
                season = np.ones(len(days))
            demand = base[p] * est_size[e] * season * cadence / 7
            surge = surge_of.get(p)
            if surge is not None:
                demand = np.where((days >= surge["start"]) & (days < surge["end"]), demand * surge["surge"], demand)
            qty = rng.poisson(demand) + 1
            lead = np.maximum(1, np.rint(sup_lead[s] + sup_chronic[s] + _deviation(rng, sup_lead[s], sup_late[s],
                                                                                   len(days))
                                         + cal.slowdown[days])).astype(np.int64)
            promised = np.where(rng.random(len(days)) < sup_promise[s], cal.shift(days + sup_lead[s]), -1)
            served = np.ones(len(days))
            extra = np.zeros(len(days))
            backorder = np.ones(len(days), dtype=bool)
            d = by_pair.get((p, s))
            if d is not None and (d["region"] is None or d["region"] == est_region[e]):
                served, extra, backorder = _effect(d, days + lead)
            first_day = cal.shift(days + lead + np.rint(extra).astype(np.int64))
            first_qty = np.floor(qty * served).astype(np.int64)
            # Ordinary partial deliveries, the rest a few days later; and the odd line never completed.
            partial = (rng.random(len(days)) < sup_partial[s]) & (first_qty == qty)
            first_qty = np.where(partial, np.floor(qty * rng.uniform(0.5, 0.9, len(days))).astype(np.int64), first_qty)
            rest_day = np.where(partial, cal.shift(first_day + rng.integers(3, 11, len(days))), -1)
            if d is not None:
                late = (first_qty < qty) & ~partial & backorder
                rest_day = np.where(late, cal.shift(np.maximum(first_day, d["end"]) + sup_lead[s]), rest_day)
            lost = rng.random(len(days)) < 0.003
            rest_day = np.where(lost, -1, rest_day)
            if e == backlog_e:
                first_day, rest_day = (_recorded_late(cal, when, backlog_from, backlog_to, backlog_days)
                                       for when in (first_day, rest_day))
            if monthly[n]:
                days, qty, first_qty, promised, first_day, rest_day = _monthly(
                    cadence, days, qty, first_qty, promised, first_day, rest_day)
            finess = est_finess[e]
            for i in range(len(days)):
                line_no[e] += 1
                line = f"L{line_no[e]}"
                wo.writerow([finess, f"O{days[i]}-{e}", line, product_code[p], f"S{s:04d}", cal.iso(days[i]),
                             cal.iso(promised[i]) if promised[i] >= 0 else "", int(qty[i]), est_region[e]])
                summary.orders += 1
                if first_qty[i] > 0 and first_day[i] < cfg.days:
                    wd.writerow([finess, line, cal.iso(first_day[i]), int(first_qty[i])])
                    summary.deliveries += 1
                if rest_day[i] >= 0 and rest_day[i] < cfg.days and qty[i] > first_qty[i]:
                    wd.writerow([finess, line, cal.iso(rest_day[i]), int(qty[i] - first_qty[i])])
                    summary.deliveries += 1
            if progress:
                progress(n + 1, len(pairs))
    with (out / "disruptions.csv").open("w", newline="") as fdis:
        w = csv.writer(fdis)
        w.writerow(["product_id", "supplier_id", "started_at", "rupture_at", "ended_at", "kind", "region"])
        for d in disruptions:
            for s in d["suppliers"]:
                row = {"product_id": product_code[d["product"]], "supplier_id": f"S{s:04d}",
                       "started_at": cal.iso(d["start"]),
                       "rupture_at": cal.iso(d["rupture"]) if d["rupture"] is not None else "",
                       "ended_at": cal.iso(d["end"]), "kind": d["kind"], "region": d["region"] or ""}
                w.writerow(row.values())
                summary.disruptions.append(row)
    with (out / "traps.csv").open("w", newline="") as ftraps:
        traps = csv.DictWriter(ftraps, TRAPS)
        traps.writeheader()
        traps.writerows(summary.traps)
    return summary


def _monthly(cadence: int, days: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """A pair's lines thinned to the first order of every four weeks, its quantities (the first two arrays
    after `days`: ordered and first delivered) grown to four weeks' worth; the other arrays kept as drawn."""
    keep = np.diff((days - days[0]) // 28, prepend=-1) > 0 if len(days) else np.zeros(0, dtype=bool)
    grow = max(1, round(28 / cadence))
    qty, first_qty, *rest = arrays
    return (days[keep], qty[keep] * grow, first_qty[keep] * grow, *(a[keep] for a in rest))


def _recorded_late(cal: Calendar, day: np.ndarray, start: int, end: int, late: int) -> np.ndarray:
    """The days deliveries are recorded at a hospital whose receiving runs `late` working days behind
    between `start` and `end` (none is lost; -1 stays "never")."""
    hit = (day >= start) & (day < end)
    out = day.copy()
    for _ in range(late):
        out = np.where(hit, cal.shift(out + 1), out)
    return out
