"""The fast path (issue 18): an abrupt stop alarms within two working days, with the silent lines
behind it; a slowdown of every supplier, or one hospital recording nothing, does not."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from sentinelle.detection import daily
from sentinelle.detection import detect as engine
from sentinelle.detection.ingest import connect, ingest
from tests.detection.handmade import after, hospitals, working_days, write_lines

START = date(2024, 1, 1)
STOP = date(2024, 9, 10)  # a Tuesday


def _world(folder: Path, *, stop: bool = False, slowdown: bool = False, everyone: bool = False,
           system_down: bool = False) -> Path:
    """Twelve hospitals ordering one product every working day from three suppliers, delivered on the due
    day (three working days after the order). `stop`: supplier A ships nothing from STOP. `slowdown`:
    A's lines due from STOP for three weeks come later and later (one more working day every three),
    A still shipping the older ones. `everyone`: every supplier's lines due in those weeks come three
    working days late. `system_down`: the first hospital records no delivery for a week from STOP, then
    all of them at once."""
    rng = random.Random(3)
    paris = hospitals(12)
    orders, deliveries, n = [], [], 0
    for day in working_days(START, STOP + timedelta(days=40)):
        for h, finess in enumerate(paris):
            for supplier in ("A", "B", "C"):
                if rng.random() < 0.5:
                    continue
                n += 1
                due = after(day, 3)
                delivered = due
                if slowdown and supplier == "A" and STOP <= due < STOP + timedelta(days=21):
                    delivered = after(due, min(3, 1 + (due - STOP).days // 4))
                if everyone and STOP <= due < STOP + timedelta(days=21):
                    delivered = after(due, 3)
                if stop and supplier == "A" and delivered >= STOP:
                    delivered = None
                if system_down and h == 0 and delivered and STOP <= delivered < STOP + timedelta(days=7):
                    delivered = STOP + timedelta(days=7)
                qty = rng.randint(1, 20)
                orders.append((finess, f"C{n}", f"L{n}", "P1", supplier, day, qty))
                if delivered:
                    deliveries.append((finess, f"L{n}", delivered, qty))
    return write_lines(folder, orders, deliveries)


def _fast_alerts(folder: Path) -> tuple[list[tuple], list[tuple]]:
    con = connect()
    assert ingest(con, folder / "orders.csv", folder / "deliveries.csv").rejected == 0
    alerts = engine.detect(con)
    fast = [a for a in alerts if a[8] == "fast"]
    return fast, engine.evidence(con, fast)


def test_an_abrupt_stop_alarms_within_two_working_days(tmp_path: Path) -> None:
    fast, evidence = _fast_alerts(_world(tmp_path, stop=True))
    assert [a[:4] for a in fast] == [("P1", "A", "national", "FR")]
    first = fast[0][4]
    assert STOP <= first <= after(STOP, 2), first
    assert fast[0][6] >= engine.Params().fast_threshold and "arrêt brutal" in fast[0][7]
    # The silent lines behind it: as many as the reason says, none delivered, from several hospitals.
    stated = int(fast[0][7].split(" ? ")[1].split(" lignes")[0])
    assert len(evidence) == stated >= engine.Params().fast_min_lines
    assert all(r[11] == 0 and r[9] <= first for r in evidence)
    assert len({r[5] for r in evidence}) >= engine.Params().fast_min_breadth


def test_a_slowdown_or_a_hospital_recording_nothing_is_no_stop(tmp_path: Path) -> None:
    assert _fast_alerts(_world(tmp_path / "slow", slowdown=True))[0] == []
    assert _fast_alerts(_world(tmp_path / "everyone", everyone=True))[0] == []
    assert _fast_alerts(_world(tmp_path / "down", system_down=True))[0] == []
    # Without its quiet-supplier condition, the fast path would take the slowdown for a stop: the
    # condition is what holds, not a world too small to alarm.
    loose = connect()
    folder = tmp_path / "slow"
    ingest(loose, folder / "orders.csv", folder / "deliveries.csv")
    alerts = engine.detect(loose, engine.Params(fast_max_shipped=1e9))
    assert any(a[8] == "fast" for a in alerts)


def _closure(folder: Path) -> Path:
    """Forty hospitals ordering one product every working day from two quick suppliers (A, B: due and
    delivered the next working day) and four slow ones (C to F: five working days). The lines ordered in
    the week from STOP all come two working days late, as before a closure: on the days A's and B's come
    due, the slow suppliers' lines looked at were ordered the week before, on time."""
    rng = random.Random(5)
    paris = hospitals(40)
    orders, deliveries, n = [], [], 0
    for day in working_days(START, STOP + timedelta(days=40)):
        for finess in paris:
            for supplier in "ABCDEF":
                if supplier in "AB" and rng.random() < 0.4:
                    continue
                n += 1
                due = after(day, 1 if supplier in "AB" else 5)
                delivered = after(due, 2) if STOP <= day < STOP + timedelta(days=7) else due
                qty = rng.randint(1, 20)
                orders.append((finess, f"C{n}", f"L{n}", "P1", supplier, day, qty))
                deliveries.append((finess, f"L{n}", delivered, qty))
    return write_lines(folder, orders, deliveries)


def test_lines_ordered_before_a_closure_are_no_stop(tmp_path: Path) -> None:
    """The quick suppliers' late lines are the only late ones of the days they come due (the day's other
    lines were ordered before): only their cohort — the other suppliers' lines ordered the same day and
    looked at the same day, all late too — tells a closure from a stop."""
    folder = _closure(tmp_path)
    con = connect()
    assert ingest(con, folder / "orders.csv", folder / "deliveries.csv").rejected == 0
    assert [a for a in engine.detect(con) if a[8] == "fast"] == []
    # Without the cohort, both quick suppliers would be taken for stopped: the cohort is what holds.
    alone = {a[1] for a in engine.detect(con, engine.Params(fast_cohort_min=10**9)) if a[8] == "fast"}
    assert alone == {"A", "B"}


def _two_suppliers(folder: Path, delivered: Callable[[date, str, str, date], date | None]) -> Path:
    """Twenty hospitals ordering, every working day (some days skipped), four products from supplier A and
    from supplier B, and sixteen more from B alone, due two working days after the order; each line delivered
    whole on `delivered(order day, product, supplier, due day)` (None: never)."""
    rng = random.Random(7)
    paris = hospitals(20)
    pairs = [(f"P{i}", supplier) for i in range(1, 5) for supplier in "AB"] + [(f"Q{i}", "B") for i in range(16)]
    orders, deliveries, n = [], [], 0
    for day in working_days(START, STOP + timedelta(days=40)):
        for finess in paris:
            for product, supplier in pairs:
                if rng.random() < 0.3:
                    continue
                n += 1
                qty = rng.randint(1, 20)
                orders.append((finess, f"C{n}", f"L{n}", product, supplier, day, qty))
                when = delivered(day, product, supplier, after(day, 2))
                if when is not None:
                    deliveries.append((finess, f"L{n}", when, qty))
    return write_lines(folder, orders, deliveries)


def _hiccup(folder: Path, *, recall: bool) -> Path:
    """Every line of A ordered on STOP, whatever its product, comes one working day late: a day's hiccup in
    A's warehouse, a small part of the nation's lines. `recall`: from STOP, A ships nothing more of P1 (its
    other products as usual)."""
    def delivered(day: date, product: str, supplier: str, due: date) -> date | None:
        if recall:
            return None if supplier == "A" and product == "P1" and day >= STOP else due
        return after(due, 1) if supplier == "A" and day == STOP else due

    return _two_suppliers(folder, delivered)


def test_a_suppliers_day_late_on_all_its_products_is_no_stop(tmp_path: Path) -> None:
    """A supplier whose lines of one order day all come a day late, on every product, silences each of
    them at once: one event, read in the supplier's other products (its own common mode), not four
    products stopping. One product of it stopping while the others come is still a stop."""
    con = connect()
    folder = _hiccup(tmp_path / "hiccup", recall=False)
    assert ingest(con, folder / "orders.csv", folder / "deliveries.csv").rejected == 0
    assert [a for a in engine.detect(con) if a[8] == "fast"] == []
    # Without the supplier's own common mode, each of its products would be taken for stopped.
    alone = {(a[0], a[1]) for a in engine.detect(con, engine.Params(fast_supplier_min=10**9)) if a[8] == "fast"}
    assert alone == {("P1", "A"), ("P2", "A"), ("P3", "A"), ("P4", "A")}
    recall = connect()
    folder = _hiccup(tmp_path / "recall", recall=True)
    ingest(recall, folder / "orders.csv", folder / "deliveries.csv")
    fast = [a for a in engine.detect(recall) if a[8] == "fast"]
    assert [a[:2] for a in fast] == [("P1", "A")] and STOP <= fast[0][4] <= after(STOP, 2)


@pytest.mark.parametrize("params", [engine.Params(), engine.Params(fast_days=3, fast_quiet_days=2)],
                         ids=["default", "three-day window"])
def test_day_by_day_the_fast_path_gives_the_alerts_of_a_replay(tmp_path: Path, params: engine.Params) -> None:
    """The fast path's kept days (silent lines, shipments, daily counts) carry from one daily run to the
    next, as far back as its window reaches: each day's alerts are those of a replay of the whole history
    to that day."""
    folder = _world(tmp_path / "world", stop=True)
    store = connect(tmp_path / "store.duckdb")
    ingest(store, folder / "orders.csv", folder / "deliveries.csv")
    day = STOP - timedelta(days=5)
    assert daily.update(store, as_of=day, params=params).since is None
    while day < after(STOP, 5):
        day += timedelta(days=1)
        run = daily.update(store, as_of=day, params=params)
        assert run.since == day - timedelta(days=1)
        assert sorted(run.alerts) == sorted(engine.detect(store.cursor(), params, as_of=day)), day
    assert any(a[8] == "fast" for a in run.alerts)


def test_a_series_whose_batches_go_silent_together_now_and_then_is_no_stop(tmp_path: Path) -> None:
    """A's P1 lines of one order day all come a day late every four weeks (its batches), its other products
    on time: each such day counted line by line looks like a stop. A series whose past (t−180 to t−28 days)
    holds more than `fast_max_past_stops` days the fast count would have taken for a stop is not stopped
    on another such day: only its first such days alarm, nothing in the past telling them yet. A series
    with a clean past still is stopped (the recall above)."""
    def delivered(day: date, product: str, supplier: str, due: date) -> date | None:
        habit = supplier == "A" and product == "P1" and (day - START).days % 28 == 0
        return after(due, 1) if habit else due

    con = connect()
    folder = _two_suppliers(tmp_path, delivered)
    assert ingest(con, folder / "orders.csv", folder / "deliveries.csv").rejected == 0
    fast = [a for a in engine.detect(con) if a[8] == "fast"]
    # Without the look at its past, each of its late batches would be taken for a stop.
    loose = [a for a in engine.detect(con, engine.Params(fast_max_past_stops=10**6)) if a[8] == "fast"]
    assert {a[:2] for a in loose} == {("P1", "A")} and len(loose) >= 3
    assert fast == loose[:len(fast)] and len(fast) <= engine.Params().fast_max_past_stops + 1 < len(loose)
