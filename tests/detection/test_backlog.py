"""A hospital late on everything (issue 18's trap): its receiving backlog makes its lines of every supplier
late at once. That says nothing of the suppliers, and must raise no alert, while a supplier failing at a
hospital is still a supplier failing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from sentinelle.catalogue.codes import finess_with_key
from sentinelle.detection import daily
from sentinelle.detection import detect as engine
from sentinelle.detection.ingest import connect, ingest
from tests.detection.handmade import after, write_lines

START = date(2024, 1, 1)
TROUBLE = date(2024, 9, 2)
END = TROUBLE + timedelta(days=70)
SUPPLIERS = ["S1", "S2", "S3", "S4"]
HOSPITALS = [finess_with_key(f"750{n:05d}") for n in range(3)]


def _world(folder: Path, *, backlog: bool, failing: tuple[str, ...] | None = None) -> Path:
    """Three Paris hospitals order three products of each of four suppliers every week, on their own
    weekday; lines come five working days later. From TROUBLE for six weeks either the first hospital
    records every delivery ten working days late (`backlog`), or supplier S1 delivers nothing on time
    to any of them (or only to the `failing` hospitals, beside the backlog). The second hospital also
    has, during those weeks, one line of each of S1's products late: the ordinary noise that gives a
    second establishment."""
    rng = random.Random(7)
    s1_late_at = failing if failing is not None else () if backlog else tuple(HOSPITALS)
    orders, deliveries, n = [], [], 0
    day = START
    while day < END:
        trouble = TROUBLE <= day < TROUBLE + timedelta(days=42)
        for supplier in SUPPLIERS:
            for product in (f"{supplier}-P{i}" for i in range(3)):
                for i, finess in enumerate(HOSPITALS):
                    if day.weekday() != i:
                        continue
                    n += 1
                    late = trouble and ((backlog and finess == HOSPITALS[0])
                                        or (supplier == "S1" and finess in s1_late_at))
                    noise = trouble and finess == HOSPITALS[1] and supplier == "S1" and day.day <= 7
                    delivered = after(day, 15 if late or noise else 5)
                    qty = rng.randint(5, 50)
                    orders.append((finess, f"C{n}", f"L{n}", product, supplier, day, qty))
                    if delivered < END:
                        deliveries.append((finess, f"L{n}", delivered, qty))
        day += timedelta(days=1)
    return write_lines(folder, orders, deliveries)


def _run(folder: Path, params: engine.Params = engine.Params()) -> tuple[list[tuple], set[str]]:
    con = connect()
    assert ingest(con, folder / "orders.csv", folder / "deliveries.csv").rejected == 0
    alerts = engine.detect(con, params)
    flagged = {r[0] for r in con.execute("SELECT DISTINCT est FROM backlogged").fetchall()}
    return alerts, flagged


def test_a_hospital_late_on_every_supplier_raises_no_alert(tmp_path: Path) -> None:
    alerts, flagged = _run(_world(tmp_path, backlog=True))
    assert flagged == {HOSPITALS[0]}
    assert [a for a in alerts if a[4] >= TROUBLE] == []
    # Without the rule (no hospital can be late on that many suppliers), its lines and the other
    # hospital's noise alarm on S1's products.
    alone, none = _run(tmp_path, engine.Params(backlog_suppliers=len(SUPPLIERS) + 1))
    assert none == set()
    assert {a[1] for a in alone if a[4] >= TROUBLE} >= {"S1"}


def test_a_supplier_failing_at_every_hospital_is_no_backlog(tmp_path: Path) -> None:
    alerts, flagged = _run(_world(tmp_path, backlog=False))
    assert flagged == set()
    assert {a[0] for a in alerts if a[1] == "S1" and TROUBLE <= a[4] <= TROUBLE + timedelta(days=30)} == {
        f"S1-P{i}" for i in range(3)}


def test_beside_a_failure_the_backlogged_hospital_is_neither_counted_nor_shown(tmp_path: Path) -> None:
    folder = _world(tmp_path, backlog=True, failing=tuple(HOSPITALS[1:]))
    con = connect()
    ingest(con, folder / "orders.csv", folder / "deliveries.csv")
    alerts = [a for a in engine.detect(con) if a[1] == "S1" and a[4] >= TROUBLE]
    assert alerts and all(a[7].endswith("2 établissement(s)") for a in alerts if a[2] == "national")
    shown = {row[5] for row in engine.evidence(con, alerts)}
    assert shown == set(HOSPITALS[1:])


def test_day_by_day_with_a_backlog_beside_a_failure_gives_the_full_replay(tmp_path: Path) -> None:
    """The backlog's flags and counts kept in the daily store (across the 1st of a month, when the old
    ones are pruned) give, day by day, the alerts of a full replay."""
    folder = _world(tmp_path / "lines", backlog=True, failing=tuple(HOSPITALS[1:]))
    store = connect(tmp_path / "store.duckdb")
    ingest(store, folder / "orders.csv", folder / "deliveries.csv")
    start = TROUBLE + timedelta(days=12)
    assert daily.update(store, as_of=start).since is None
    flagged = 0
    for n in range(1, 22):  # to the end of October, past the 1st
        day = start + timedelta(days=n)
        run = daily.update(store, as_of=day)
        assert run.since == day - timedelta(days=1)
        replay = store.cursor()
        assert sorted(run.alerts) == sorted(engine.detect(replay, as_of=day)), day
        flagged += replay.execute("SELECT count(*) FROM backlogged WHERE t = ?", [day]).fetchone()[0]
    # The backlog was flagged on those days, and S1's failure at the two others alarmed.
    assert flagged > 0
    assert {a[0] for a in run.alerts if a[1] == "S1"} == {f"S1-P{i}" for i in range(3)}
