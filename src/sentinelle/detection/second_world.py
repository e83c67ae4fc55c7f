"""A second world of hospital order and delivery lines, built to disagree with the first
(detection/simulate.py) and never tuned on (issue 18): the detector's parameters are chosen on the
first world and reported on this one (bench/detection_worlds.py, bench/RESULTS.md).

It knows only the data contract (detection/contract.py) and assumes otherwise where it can:
- few buyers: each product is bought in a region by none or three to five hospitals, of very unequal
  sizes (Pareto), each ordering weekly, fortnightly or monthly on its own weekday;
- suppliers: one to four per product; a buyer keeps a main supplier and sends a sixth of its orders
  to another; lead times drawn from gamma laws; promised dates on 40 to 90 % of lines; partial
  deliveries in two or three shipments over up to two weeks; a fifth of suppliers always three to
  seven days late, and healthy;
- disruptions, as a supplier's capacity over time (the share of what is due that it can deliver):
  slow onsets over two to five months; abrupt stops (recalls) with nothing delivered from one day;
  dominoes (one supplier fails, its buyers move to the next, which strains and may fail in turn);
  a regional distributor failing for all the products of one supplier in one region; demand surges
  above what suppliers can make; discontinuations;
- traps that are no disruption: August and the year-end (fewer orders, slower deliveries), one
  hospital recording every delivery late for six weeks (its receiving backlog), and hospitals whose
  system is down for days (no delivery recorded, then all of them in one batch, dated that day).

Writes orders.csv, deliveries.csv, disruptions.csv (the contract's truth, with `kind` and `region`)
and traps.csv (what must not alarm: kind, establishment or supplier, from, to).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import holidays
import numpy as np

from sentinelle.catalogue.codes import finess_with_key
from sentinelle.detection.contract import TRAPS

# Regions (INSEE code, a department, weight): geography, not an assumption of the first world's.
REGIONS = [("11", "92", 12.3), ("24", "37", 2.6), ("27", "25", 2.8), ("28", "76", 3.3), ("32", "62", 6.0),
           ("44", "57", 5.6), ("52", "49", 3.9), ("53", "29", 3.4), ("75", "87", 6.1), ("76", "34", 6.0),
           ("84", "38", 8.1), ("93", "06", 5.1)]
KINDS = ("slow_onset", "abrupt_stop", "domino", "regional_distributor", "demand_surge", "discontinuation")


@dataclass
class WorldConfig:
    hospitals: int = 80
    products: int = 120
    days: int = 730
    seed: int = 1
    start: date = date(2024, 1, 1)
    disruptions: int = 24  # how many disruption events (a domino or a regional failure makes several rows)


@dataclass
class World:
    orders: int = 0
    deliveries: int = 0
    truth: list[dict[str, str]] = field(default_factory=list)
    traps: list[dict[str, str]] = field(default_factory=list)


@dataclass
class _Event:
    kind: str
    product: int
    supplier: int
    start: int
    rupture: int | None
    end: int
    region: str | None = None
    capacity: np.ndarray | None = None  # per day, 0 to 1: the share of what is due the supplier can ship


def _open_days(start: date, days: int) -> np.ndarray:
    """True on days deliveries happen (not Saturday, Sunday or a public holiday)."""
    closed = holidays.France(years=range(start.year, (start + timedelta(days=days + 120)).year + 1))
    return np.array([(start + timedelta(days=d)).weekday() < 5 and (start + timedelta(days=d)) not in closed
                     for d in range(days + 120)])


def _next_open(open_days: np.ndarray, day: int) -> int:
    while day < len(open_days) - 1 and not open_days[day]:
        day += 1
    return day


def generate(cfg: WorldConfig, out: Path) -> World:
    rng = np.random.default_rng(10_000 + cfg.seed)
    horizon = cfg.days
    open_days = _open_days(cfg.start, horizon)
    iso = [(cfg.start + timedelta(days=d)).isoformat() for d in range(horizon + 120)]
    doy = np.array([(cfg.start + timedelta(days=d)).timetuple().tm_yday for d in range(horizon + 120)])
    month = np.array([(cfg.start + timedelta(days=d)).month for d in range(horizon + 120)])
    august = month == 8
    year_end = (doy >= 356) | (doy <= 3)

    weights = np.array([w for _, _, w in REGIONS])
    h_region = rng.choice(len(REGIONS), size=cfg.hospitals, p=weights / weights.sum())
    h_finess = [finess_with_key(REGIONS[r][1] + f"{(104_729 * k + 17) % 1_000_000:06d}") for k, r in enumerate(h_region)]
    h_size = np.minimum(rng.pareto(1.5, cfg.hospitals) + 0.3, 12.0)

    n_sup = max(6, cfg.products // 4)
    s_lead = 2 + rng.gamma(2.0, 1.5, n_sup)  # working days
    s_chronic = np.where(rng.random(n_sup) < 0.2, rng.uniform(3, 7, n_sup), 0.0)
    s_promise = rng.uniform(0.4, 0.9, n_sup)
    s_split = rng.uniform(0.03, 0.08, n_sup)
    p_suppliers = [rng.choice(n_sup, size=int(rng.choice([1, 2, 3, 4], p=[.3, .35, .25, .1])), replace=False)
                   for _ in range(cfg.products)]
    p_base = rng.lognormal(2.3, 0.8, cfg.products)

    # Buyers: per product and region, none or three to five hospitals of that region.
    buyers: list[tuple[int, int, int, int, int]] = []  # (hospital, product, main supplier, cadence, weekday)
    for p in range(cfg.products):
        for r in range(len(REGIONS)):
            local = np.nonzero(h_region == r)[0]
            if len(local) < 3 or rng.random() < 0.35:
                continue
            for h in rng.choice(local, size=min(len(local), int(rng.integers(3, 6))), replace=False):
                cadence = int(rng.choice([7, 14, 28], p=[.55, .2, .25]))
                buyers.append((int(h), p, int(rng.choice(p_suppliers[p])), cadence, int(rng.integers(0, 7))))

    events = _events(rng, cfg, p_suppliers, buyers, h_region)
    # Capacity per (supplier, product): a (region × day) array where an event touches it, 1 elsewhere.
    length = horizon + 120
    capacity: dict[tuple[int, int], np.ndarray] = {}
    surge = np.ones((cfg.products, length))
    moved: dict[tuple[int, int], tuple[int, int]] = {}  # (product, failed supplier) → (to supplier, from day)

    def touched(sup: int, prod: int) -> np.ndarray:
        return capacity.setdefault((sup, prod), np.ones((len(REGIONS), length)))

    for e in events:
        regions = [r for r in range(len(REGIONS)) if e.region is None or REGIONS[r][0] == e.region]
        if e.kind == "demand_surge":
            surge[e.product, e.start:e.end] = rng.uniform(2.5, 4.0)
            grid = touched(e.supplier, e.product)
            grid[:, e.start:e.end] = np.minimum(grid[:, e.start:e.end], 1.3 / surge[e.product, e.start])
        elif e.capacity is not None:
            grid = touched(e.supplier, e.product)
            for r in regions:
                grid[r] = np.minimum(grid[r], e.capacity)
        if e.kind == "domino" and e.rupture is not None:
            others = [s for s in p_suppliers[e.product] if s != e.supplier]
            if others:
                moved[(e.product, e.supplier)] = (int(others[0]), e.rupture)

    # Traps: one hospital's receiving backlog; systems down.
    backlog_h = int(rng.integers(0, cfg.hospitals))
    backlog_from = int(rng.integers(horizon // 10, max(horizon // 10 + 1, horizon - 100)))
    world = World()
    world.traps.append({"kind": "receiving_backlog", "establishment_id": h_finess[backlog_h], "supplier_id": "",
                        "from": iso[backlog_from], "to": iso[backlog_from + 42]})
    down: list[tuple[int, int, int]] = []
    for h in rng.choice(cfg.hospitals, size=max(1, cfg.hospitals // 20), replace=False):
        first = int(rng.integers(30, horizon - 30))
        down.append((int(h), first, first + int(rng.integers(3, 8))))
        world.traps.append({"kind": "system_down", "establishment_id": h_finess[int(h)], "supplier_id": "",
                            "from": iso[first], "to": iso[down[-1][2]]})
    for late in np.nonzero(s_chronic > 0)[0]:
        world.traps.append({"kind": "chronically_late", "establishment_id": "", "supplier_id": f"V{int(late):03d}",
                            "from": iso[0], "to": iso[horizon - 1]})

    out.mkdir(parents=True, exist_ok=True)
    line_no = 0
    with (out / "orders.csv").open("w", newline="") as fo, (out / "deliveries.csv").open("w", newline="") as fd:
        wo, wd = csv.writer(fo), csv.writer(fd)
        wo.writerow(["establishment_id", "order_id", "line_id", "product_id", "supplier_id", "ordered_at",
                     "promised_at", "quantity_ordered", "region"])
        wd.writerow(["establishment_id", "line_id", "delivered_at", "quantity_delivered"])
        for h, p, main, cadence, weekday in buyers:
            r = int(h_region[h])
            finess, region = h_finess[h], REGIONS[r][0]
            mean = p_base[p] * h_size[h] * cadence / 7
            for day in range((weekday - cfg.start.weekday()) % 7, horizon, cadence):
                volume = mean * surge[p, day] * (0.7 if august[day] else 1.0)
                qty = int(rng.negative_binomial(4, 4 / (4 + volume))) + 1
                s = main if rng.random() > 1 / 6 or len(p_suppliers[p]) == 1 else int(rng.choice(p_suppliers[p]))
                target = moved.get((p, s))
                if target is not None and day >= target[1]:
                    s = target[0]  # the buyers of a failed supplier move to the next (domino)
                line_no += 1
                line = f"B{line_no}"
                lead = s_lead[s] + rng.gamma(1.5, 0.6) + s_chronic[s] + (1.5 if august[day] else 0) \
                    + (3 if year_end[day] else 0)
                due = _next_open(open_days, day + max(1, round(lead * 7 / 5)))
                promised = _next_open(open_days, day + round(s_lead[s] * 7 / 5)) if rng.random() < s_promise[s] else None
                wo.writerow([finess, f"C{h}-{day}", line, f"Q{p:04d}", f"V{s:03d}", iso[day],
                             iso[promised] if promised is not None else "", qty, region])
                world.orders += 1
                cap = capacity.get((s, p))
                c = float(cap[r, min(due, length - 1)]) if cap is not None else 1.0
                shipped = qty if c >= 1 else int(qty * c * rng.uniform(0.7, 1.0)) if rng.random() < 0.9 else 0
                extra = 0 if c >= 1 else round((1 - c) * rng.uniform(5, 15))
                shipments: list[tuple[int, int]] = []
                first_day = _next_open(open_days, due + extra)
                if shipped > 0:
                    if shipped == qty and rng.random() < s_split[s]:  # an ordinary split in two or three
                        parts = int(rng.integers(2, 4))
                        cuts = np.sort(rng.choice(np.arange(1, qty), size=min(parts - 1, qty - 1), replace=False)) \
                            if qty > 1 else np.array([], dtype=int)
                        sizes = np.diff(np.concatenate([[0], cuts, [qty]]))
                        for k, size in enumerate(sizes):
                            shipments.append((_next_open(open_days, first_day + k * int(rng.integers(2, 8))), int(size)))
                    else:
                        shipments.append((first_day, shipped))
                rest = qty - shipped
                if rest > 0:  # the backorder, once the supplier can ship again (never after a discontinuation)
                    recovered = np.nonzero(cap[r, first_day:] >= 0.95)[0] if cap is not None else np.array([0])
                    if len(recovered):
                        shipments.append((_next_open(open_days, first_day + int(recovered[0]) + 3), rest))
                for when, size in shipments:
                    when = _recorded(when, h, backlog_h, backlog_from, down, open_days, rng)
                    if when < horizon and size > 0:
                        wd.writerow([finess, line, iso[when], size])
                        world.deliveries += 1
    with (out / "disruptions.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["product_id", "supplier_id", "started_at", "rupture_at", "ended_at", "kind", "region"])
        for e in events:
            row = {"product_id": f"Q{e.product:04d}", "supplier_id": f"V{e.supplier:03d}", "started_at": iso[e.start],
                   "rupture_at": iso[e.rupture] if e.rupture is not None else "", "ended_at": iso[min(e.end, horizon - 1)],
                   "kind": e.kind, "region": e.region or ""}
            w.writerow(row.values())
            world.truth.append(row)
    with (out / "traps.csv").open("w", newline="") as f:
        traps = csv.DictWriter(f, TRAPS)
        traps.writeheader()
        traps.writerows(world.traps)
    return world


def _recorded(when: int, h: int, backlog_h: int, backlog_from: int, down: list[tuple[int, int, int]],
              open_days: np.ndarray, rng: np.random.Generator) -> int:
    """The day a delivery is recorded: late during the backlog hospital's six weeks; on the day the
    system comes back when it was down."""
    if h == backlog_h and backlog_from <= when < backlog_from + 42:
        when = _next_open(open_days, when + int(rng.integers(5, 13)))
    for dh, first, last in down:
        if dh == h and first <= when < last:
            when = _next_open(open_days, last)
    return when


def _ramp(length: int, start: int, down_days: int, floor: float, hold: int, up_days: int) -> np.ndarray:
    """Capacity 1 until `start`, down to `floor` over `down_days`, held `hold` days, back up over `up_days`."""
    c = np.ones(length)
    for d in range(start, min(length, start + down_days + hold + up_days)):
        k = d - start
        if k < down_days:
            c[d] = 1 - (1 - floor) * (k + 1) / down_days
        elif k < down_days + hold:
            c[d] = floor
        else:
            c[d] = floor + (1 - floor) * (k - down_days - hold + 1) / max(1, up_days)
    return c


def _rupture(c: np.ndarray, start: int) -> int | None:
    """The first day from `start` the supplier ships under half of what is due."""
    under = np.nonzero(c[start:] < 0.5)[0]
    return start + int(under[0]) if len(under) else None


def _events(rng: np.random.Generator, cfg: WorldConfig, p_suppliers: list[np.ndarray],
            buyers: list[tuple[int, int, int, int, int]], h_region: np.ndarray) -> list[_Event]:
    length = cfg.days + 120
    bought = sorted({p for _, p, _, _, _ in buyers})
    mains = {(p, s) for _, p, s, _, _ in buyers}
    regions_of: dict[tuple[int, int], set[str]] = {}
    for h, p, s, _, _ in buyers:
        regions_of.setdefault((p, s), set()).add(REGIONS[int(h_region[h])][0])
    events: list[_Event] = []
    used: set[int] = set()
    kinds = rng.choice(len(KINDS), size=cfg.disruptions, p=[.25, .2, .15, .15, .1, .15])
    for k in kinds:
        kind = KINDS[int(k)]
        candidates = [p for p in bought if p not in used and (kind != "domino" or len(p_suppliers[p]) > 1)]
        if not candidates:
            break
        p = int(rng.choice(candidates))
        used.add(p)
        main = [s for s in p_suppliers[p] if (p, s) in mains]
        s = int(rng.choice(main)) if main else int(p_suppliers[p][0])
        start = int(rng.integers(min(90, cfg.days // 4), max(min(90, cfg.days // 4) + 1, cfg.days - 150)))
        if kind == "slow_onset":
            c = _ramp(length, start, int(rng.integers(60, 150)), 0.05, int(rng.integers(20, 60)), 30)
            events.append(_Event(kind, p, s, start, _rupture(c, start), start + len(np.nonzero(c[start:] < 1)[0]), None, c))
        elif kind == "abrupt_stop":
            stop = int(rng.integers(20, 60))
            c = np.ones(length)
            c[start:start + stop] = 0.0
            events.append(_Event(kind, p, s, start, start, start + stop, None, c))
        elif kind == "discontinuation":
            c = _ramp(length, start, int(rng.integers(30, 90)), 0.0, length, 0)
            events.append(_Event(kind, p, s, start, _rupture(c, start), cfg.days - 1, None, c))
        elif kind == "demand_surge":
            end = start + int(rng.integers(30, 60))
            for sup in p_suppliers[p]:
                events.append(_Event(kind, p, int(sup), start, None, end))
        elif kind == "domino":
            c = _ramp(length, start, int(rng.integers(30, 60)), 0.0, int(rng.integers(40, 80)), 20)
            rupture = _rupture(c, start)
            end = start + len(np.nonzero(c[start:] < 1)[0])
            events.append(_Event(kind, p, s, start, rupture, end, None, c))
            nxt = [int(x) for x in p_suppliers[p] if int(x) != s]
            if rupture is not None and nxt:
                # The next supplier takes the others' buyers and strains: it ships 55 % for a while.
                c2 = _ramp(length, rupture, 14, 0.55, max(10, end - rupture - 14), 14)
                events.append(_Event(kind, p, nxt[0], rupture, None, end, None, c2))
        else:  # regional_distributor: one supplier's products, in one region it serves
            where = sorted(regions_of.get((p, s), set()))
            if not where:
                continue
            region = str(rng.choice(where))
            c = _ramp(length, start, int(rng.integers(20, 40)), 0.15, int(rng.integers(20, 40)), 14)
            rupture = _rupture(c, start)
            end = start + len(np.nonzero(c[start:] < 1)[0])
            for q in bought:
                if (q, s) in mains and region in regions_of.get((q, s), set()) and (q == p or q not in used):
                    used.add(q)
                    events.append(_Event(kind, q, s, start, rupture, end, region, c))
    return [e for e in events if e.start < cfg.days]
