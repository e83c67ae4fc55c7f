"""Alerts against the ground truth: precision, recall, lead time, false alerts per 1,000 product-months.

Rules (issue 3): alarms are counted as episodes of a product × supplier, whatever their scope
(the alerts of all scopes are merged, an episode ending after 14 quiet days); an episode is right
when its first day falls within a disruption of that product × supplier (a product-wide alert,
without supplier, within any disruption of the product), from 3 days before the disruption's start
to its end. Recall counts the disruptions with at least one right episode; the lead time of a
detected disruption with a rupture is the number of days from its first right alarm to the rupture.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sentinelle.detection.contract import EPISODE_GAP_DAYS

SLACK_DAYS = 3


def product_months(con: Any) -> float:
    """Products ordered × months spanned by the orders on a DuckDB connection: the denominator of the
    false-alert rate."""
    return con.execute("SELECT count(DISTINCT product_id) * (max(ordered_at) - min(ordered_at) + 1) / 30.44 "
                       "FROM orders").fetchone()[0] or 0.0


@dataclass
class Disruption:
    product_id: str
    supplier_id: str
    started_at: date
    rupture_at: date | None
    ended_at: date


@dataclass
class Scores:
    alarms: int
    true_alarms: int
    disruptions: int
    detected: int
    precision: float | None
    recall: float | None
    median_lead_days: float | None
    false_alerts_per_1000_product_months: float | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def read_truth(path: Path) -> list[Disruption]:
    with path.open(newline="", encoding="utf-8") as f:
        return [Disruption(r["product_id"], r["supplier_id"], date.fromisoformat(r["started_at"]),
                           date.fromisoformat(r["rupture_at"]) if r.get("rupture_at") else None,
                           date.fromisoformat(r["ended_at"])) for r in csv.DictReader(f)]


def read_alerts(path: Path) -> list[tuple[str, str, date, date]]:
    with path.open(newline="", encoding="utf-8") as f:
        return [(r["product_id"], r.get("supplier_id") or "", date.fromisoformat(r["first_alert_at"]),
                 date.fromisoformat(r["last_alert_at"])) for r in csv.DictReader(f)]


def merge_episodes(alerts: list[tuple[str, str, date, date]]) -> list[tuple[str, str, date, date]]:
    """Alerts of every scope merged into episodes per product × supplier."""
    by_key: dict[tuple[str, str], list[tuple[date, date]]] = defaultdict(list)
    for product, supplier, first, last in alerts:
        by_key[(product, supplier)].append((first, last))
    merged = []
    for (product, supplier), spans in by_key.items():
        spans.sort()
        start, end = spans[0]
        for first, last in spans[1:]:
            if first - end > timedelta(days=EPISODE_GAP_DAYS):
                merged.append((product, supplier, start, end))
                start, end = first, last
            else:
                end = max(end, last)
        merged.append((product, supplier, start, end))
    return sorted(merged, key=lambda e: (e[2], e[0], e[1]))


def detects(d: Disruption, episode: tuple[str, str, date, date], last: date | None = None) -> bool:
    """Whether an alert episode (product, supplier, first, last day) detects `d`: on its product, for its
    supplier or for all of the product's, first raised from SLACK_DAYS before it starts to `last` (by
    default the day it ends)."""
    product, supplier, first, _ = episode
    return (d.product_id == product and (not supplier or supplier == d.supplier_id)
            and d.started_at - timedelta(days=SLACK_DAYS) <= first <= (d.ended_at if last is None else last))


def score(alerts: list[tuple[str, str, date, date]], truth: list[Disruption], *, product_months: float) -> Scores:
    episodes = merge_episodes(alerts)
    true_alarms = sum(1 for e in episodes if any(detects(d, e) for d in truth))
    leads = []
    detected = 0
    for d in truth:
        firsts = [e[2] for e in episodes if detects(d, e)]
        if firsts:
            detected += 1
            if d.rupture_at is not None:
                leads.append((d.rupture_at - min(firsts)).days)
    false_alarms = len(episodes) - true_alarms
    return Scores(
        alarms=len(episodes), true_alarms=true_alarms, disruptions=len(truth), detected=detected,
        precision=round(true_alarms / len(episodes), 4) if episodes else None,
        recall=round(detected / len(truth), 4) if truth else None,
        median_lead_days=statistics.median(leads) if leads else None,
        false_alerts_per_1000_product_months=round(1000 * false_alarms / product_months, 3) if product_months else None,
    )


def read_traps(path: Path) -> list[dict[str, str]]:
    """What must not alarm in a world (second_world.py's traps.csv): kind, establishment_id, supplier_id,
    from, to."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def explain_false_alarms(alerts: list[tuple], truth: list[Disruption], traps: list[dict[str, str]],
                         behind: dict[tuple, set[str]]) -> dict[str, int]:
    """The false alarm episodes, counted by what explains them and the path that raised them ("kind,
    path"): a trap on their supplier (chronically late), a trap at a hospital behind their first day's
    evidence (receiving backlog, system down: during it or 30 days after), the August and year-end
    slowdowns, or "other"; the path is the fast path, a supplier's alarm in a region (pooled), or the
    slow one. `alerts` as detect gives them; `behind` maps an alert's first five fields to the
    establishments of its evidence (engine.evidence)."""
    episodes = merge_episodes([(a[0], a[1], a[4], a[5]) for a in alerts])
    counts: dict[str, int] = defaultdict(int)
    for episode in episodes:
        if any(detects(d, episode) for d in truth):
            continue
        product, supplier, first, _ = episode
        starting = [a for a in alerts if a[0] == product and a[1] == supplier and a[4] == first]
        hospitals = set().union(*(behind.get(a[:5], set()) for a in starting))
        why = "other"
        for t in traps:
            begin, end = date.fromisoformat(t["from"]), date.fromisoformat(t["to"]) + timedelta(days=30)
            if (t["supplier_id"] and t["supplier_id"] == supplier) or (
                    t["establishment_id"] in hospitals and begin <= first <= end):
                why = t["kind"]
        if why == "other" and (first.month == 8 or (first.month == 12 and first.day >= 20)):
            why = "august_or_year_end"
        paths = {a[8] for a in starting}
        path = "fast" if "fast" in paths else "pooled" if "pooled" in paths else "slow"
        counts[f"{why}, {path}"] += 1
    return dict(counts)
