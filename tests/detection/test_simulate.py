"""The simulator: deterministic, with a ground truth that the lines bear out."""

from __future__ import annotations

import csv
import hashlib
from datetime import date
from pathlib import Path

from sentinelle.catalogue.codes import finess_error
from sentinelle.detection.calendar import french_holidays
from sentinelle.detection.simulate import Config, simulate


def digest(folder: Path) -> str:
    return hashlib.sha256(b"".join((folder / n).read_bytes() for n in
                                   ("orders.csv", "deliveries.csv", "disruptions.csv"))).hexdigest()


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    cfg = Config(establishments=8, products=12, days=300, seed=3)
    simulate(cfg, tmp_path / "a")
    simulate(cfg, tmp_path / "b")
    simulate(Config(establishments=8, products=12, days=300, seed=4), tmp_path / "c")
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")


def test_lines_follow_the_contract_and_the_truth_is_coherent(small_sim: Path) -> None:
    with (small_sim / "orders.csv").open() as f:
        orders = list(csv.DictReader(f))
    assert not any(finess_error(o["establishment_id"]) for o in orders[:2000])
    assert all(int(o["quantity_ordered"]) > 0 for o in orders)
    assert len({(o["establishment_id"], o["line_id"]) for o in orders}) == len(orders)
    holidays = french_holidays(2024) | french_holidays(2025)
    with (small_sim / "deliveries.csv").open() as f:
        days = {date.fromisoformat(d["delivered_at"]) for d in csv.DictReader(f)}
    assert not any(d.weekday() >= 5 or d in holidays for d in days), "no delivery on week-ends or holidays"
    with (small_sim / "disruptions.csv").open() as f:
        truth = list(csv.DictReader(f))
    assert len(truth) >= 5 and {t["kind"] for t in truth} <= {
        "capacity_drop", "quality_recall", "discontinuation", "demand_surge", "regional"}
    for t in truth:
        start, end = date.fromisoformat(t["started_at"]), date.fromisoformat(t["ended_at"])
        assert start < end
        if t["rupture_at"]:
            assert start <= date.fromisoformat(t["rupture_at"]) <= end


def test_a_disruption_shows_in_the_lines(small_sim: Path) -> None:
    """During a capacity drop or a recall, the supplier delivers less of what is ordered than before."""
    with (small_sim / "disruptions.csv").open() as f:
        hit = next(t for t in csv.DictReader(f) if t["kind"] in ("capacity_drop", "quality_recall") and t["rupture_at"])
    with (small_sim / "orders.csv").open() as f:
        lines = {(o["establishment_id"], o["line_id"]): o for o in csv.DictReader(f)
                 if o["product_id"] == hit["product_id"] and o["supplier_id"] == hit["supplier_id"]}
    delivered: dict[tuple[str, str], int] = {}
    with (small_sim / "deliveries.csv").open() as f:
        for d in csv.DictReader(f):
            key = (d["establishment_id"], d["line_id"])
            order = lines.get(key)
            # what was delivered within 10 days of the order
            if order and (date.fromisoformat(d["delivered_at"]) - date.fromisoformat(order["ordered_at"])).days <= 10:
                delivered[key] = delivered.get(key, 0) + int(d["quantity_delivered"])

    def served(first: date, last: date) -> float:
        keys = [k for k, o in lines.items() if first <= date.fromisoformat(o["ordered_at"]) <= last]
        return sum(delivered.get(k, 0) for k in keys) / sum(int(lines[k]["quantity_ordered"]) for k in keys)

    rupture = date.fromisoformat(hit["rupture_at"])
    before = served(date.fromisoformat(hit["started_at"]).replace(day=1).replace(month=1), date.fromisoformat(
        hit["started_at"]))
    assert served(rupture, date.fromisoformat(hit["ended_at"])) < 0.3 < 0.8 < before


def test_a_regional_distributor_fails_on_all_its_products_in_one_region_and_nothing_else_moves(tmp_path: Path) -> None:
    """`distributors`: a supplier failing in one region on every product it delivers there, the same days;
    drawn apart, so that the orders, and the deliveries of every line outside those failures, are the world
    drawn without them."""
    cfg = dict(establishments=30, products=60, days=400, seed=5)
    simulate(Config(**cfg), tmp_path / "plain")  # type: ignore[arg-type]
    simulate(Config(**cfg, distributors=2), tmp_path / "failing")  # type: ignore[arg-type]
    assert (tmp_path / "plain" / "orders.csv").read_bytes() == (tmp_path / "failing" / "orders.csv").read_bytes()
    with (tmp_path / "failing" / "disruptions.csv").open() as f:
        failures = [t for t in csv.DictReader(f) if t["kind"] == "regional_distributor"]
    by_supplier: dict[str, list[dict[str, str]]] = {}
    for t in failures:
        by_supplier.setdefault(t["supplier_id"], []).append(t)
    assert len(by_supplier) == 2
    for rows in by_supplier.values():
        assert len({(t["region"], t["started_at"], t["rupture_at"], t["ended_at"]) for t in rows}) == 1
        assert len({t["product_id"] for t in rows}) == len(rows) >= 2
    with (tmp_path / "failing" / "orders.csv").open() as f:
        orders = {(o["establishment_id"], o["line_id"]): o for o in csv.DictReader(f)}
    hit = {(t["product_id"], t["supplier_id"], t["region"]) for t in failures}

    def deliveries(world: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
        out: dict[tuple[str, str], list[tuple[str, str]]] = {}
        with (tmp_path / world / "deliveries.csv").open() as f:
            for d in csv.DictReader(f):
                out.setdefault((d["establishment_id"], d["line_id"]), []).append((d["delivered_at"], d["quantity_delivered"]))
        return out

    plain, failing = deliveries("plain"), deliveries("failing")
    inside = {k for k, o in orders.items() if (o["product_id"], o["supplier_id"], o["region"]) in hit}
    assert all(plain.get(k) == failing.get(k) for k in orders if k not in inside)
    # Inside, from the failure's start to its end, the failing supplier delivers less, or later, than in the
    # world without it.
    span = {(t["product_id"], t["supplier_id"], t["region"]): (t["started_at"], t["ended_at"]) for t in failures}
    during = []
    for k in inside:
        start, end = span[(orders[k]["product_id"], orders[k]["supplier_id"], orders[k]["region"])]
        if start <= orders[k]["ordered_at"] < end:
            during.append(k)
    assert during and sum(plain.get(k) != failing.get(k) for k in during) > 0.7 * len(during)
