"""A back-order is judged at once (docs/detection.md, step 5): a supplier that starts rationing — part
of each line on the due day, the rest weeks later — is seen on the days of those first deliveries, not
once its usual lateness has passed; a supplier that always splits some lines, the rest within days, is
not."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from sentinelle.detection import detect as engine
from sentinelle.detection.candidates import weekly_series
from sentinelle.detection.ingest import connect, ingest
from tests.detection.handmade import after, hospitals, working_days, write_lines

START = date(2024, 1, 1)
RATION = date(2024, 9, 10)  # a Tuesday


def _world(folder: Path) -> Path:
    """Twenty hospitals ordering one product every working day from three suppliers, each line due three
    working days after its order and delivered 0 to 3 working days after that. B splits a third of its
    lines, the rest two working days after the first part, always. From RATION, A delivers 60 % of each
    line due on the due day and the rest 25 days later."""
    rng = random.Random(11)
    paris = hospitals(20)
    orders, deliveries, n = [], [], 0
    for day in working_days(START, RATION + timedelta(days=60)):
        for finess in paris:
            for supplier in "ABC":
                if rng.random() < 0.5:
                    continue
                n += 1
                qty = rng.randint(5, 20)
                due = after(day, 3)
                delivered = after(due, rng.choice((0, 0, 0, 0, 1, 1, 2, 3)))
                orders.append((finess, f"C{n}", f"L{n}", "P1", supplier, day, qty))
                if supplier == "A" and due >= RATION:
                    deliveries += [(finess, f"L{n}", due, qty * 6 // 10),
                                   (finess, f"L{n}", due + timedelta(days=25), qty - qty * 6 // 10)]
                elif supplier == "B" and rng.random() < 1 / 3:
                    deliveries += [(finess, f"L{n}", delivered, qty // 2),
                                   (finess, f"L{n}", after(delivered, 2), qty - qty // 2)]
                else:
                    deliveries.append((finess, f"L{n}", delivered, qty))
    return write_lines(folder, orders, deliveries)


def _first_day(con: object, params: engine.Params) -> tuple[date, list[tuple]]:
    # From two months before the rationing: over the first months, before any delivery has taught the
    # usual lead time, the lines are taken as due a week after their order, and B's splits were not
    # back-orders then.
    alerts = [a for a in engine.detect(con, params)  # type: ignore[arg-type]
              if a[1] != "" and a[8] == "slow" and a[4] >= RATION - timedelta(days=60)]
    assert {a[1] for a in alerts} == {"A"}, alerts  # never B, whose splits are its habit
    first = min(a[4] for a in alerts)
    return first, engine.evidence(con, [a for a in alerts if a[4] == first], params)  # type: ignore[arg-type]


def test_a_supplier_rationing_is_seen_on_its_first_short_deliveries(tmp_path: Path) -> None:
    con = connect()
    folder = _world(tmp_path)
    assert ingest(con, folder / "orders.csv", folder / "deliveries.csv").rejected == 0
    early, evidence = _first_day(con, engine.Params())
    waited, _ = _first_day(con, engine.Params(judge_partial=False))
    # Seen within the week the rationing starts, and days before waiting for the usual lateness would.
    assert RATION <= early <= after(RATION, 5), early
    assert early < waited, (early, waited)
    # Waiting, it comes within three weeks all the same: A holds a third of all the lines, and the common
    # mode (all lines late) is read without A's own, or its failure would pass for everyone's slowdown.
    assert waited <= RATION + timedelta(days=21), waited
    # Its evidence: lines judged on their due day, short then, and so no working day past due yet.
    assert evidence and all(r[9] == r[8] and r[11] < r[10] and r[12] == 0 for r in evidence), evidence[:3]
    # And so says its chart, week by week once every line of A judged is a back-order: 60 % delivered, no
    # working day past due when judged (not the days up to the deadline it was no longer waited for).
    engine.detect(con)  # type: ignore[arg-type]
    rationed = [w for w in weekly_series(con, "P1", "A", "national", "FR")  # type: ignore[arg-type]
                if RATION + timedelta(days=7) <= w[0] <= RATION + timedelta(days=28)]
    assert len(rationed) == 3 and all(w[2] < 0.65 and w[3] == 0 for w in rationed), rationed
