"""One hospital's run of late lines is not its supplier failing (issue 18's chronically late supplier: a
noise cluster at one hospital, a stray late line elsewhere, passed the breadth of two establishments).
An alarm needs `min_others` abnormal lines from the establishments other than the one with most."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sentinelle.catalogue.codes import finess_with_key
from sentinelle.detection import detect as engine
from sentinelle.detection.ingest import connect, ingest
from tests.detection.handmade import after, working, write_lines

START = date(2024, 1, 1)
TROUBLE = date(2024, 9, 2)
END = TROUBLE + timedelta(days=60)
HOSPITALS = [finess_with_key(f"750{n:05d}") for n in range(4)]


def _world(folder: Path, stray: int) -> Path:
    """Four Paris hospitals order product P of supplier S, the first every working day, the others weekly on
    their own weekday; lines come five working days later. For four weeks from TROUBLE, the first
    hospital's lines come fifteen working days late, and `stray` of the others have one line late."""
    orders, deliveries, n = [], [], 0
    day = START
    while day < END:
        for i, finess in enumerate(HOSPITALS):
            if not working(day) or (i and day.weekday() != i):
                continue
            n += 1
            trouble = TROUBLE <= day < TROUBLE + timedelta(days=28)
            late = trouble and (i == 0 or (i <= stray and day < TROUBLE + timedelta(days=7)))
            orders.append((finess, f"C{n}", f"L{n}", "P", "S", day, 10))
            delivered = after(day, 20 if late else 5)
            if delivered < END:
                deliveries.append((finess, f"L{n}", delivered, 10))
        day += timedelta(days=1)
    return write_lines(folder, orders, deliveries)


def _alarms(folder: Path, params: engine.Params = engine.Params()) -> list[tuple]:
    con = connect()
    assert ingest(con, folder / "orders.csv", folder / "deliveries.csv").rejected == 0
    return [a for a in engine.detect(con, params) if a[4] >= TROUBLE]


def test_one_hospitals_late_lines_and_a_stray_one_raise_no_alarm(tmp_path: Path) -> None:
    folder = _world(tmp_path, stray=1)
    assert _alarms(folder) == []
    # Without the rule, the breadth of two establishments lets it through.
    assert {a[0] for a in _alarms(folder, engine.Params(min_others=0))} == {"P"}


def test_late_lines_at_two_other_hospitals_are_enough(tmp_path: Path) -> None:
    alarms = _alarms(_world(tmp_path, stray=2))
    assert {a[0] for a in alarms} == {"P"} and all(a[8] == "slow" for a in alarms)
