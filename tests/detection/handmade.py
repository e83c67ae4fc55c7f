"""Small worlds written by hand for one behaviour of the detector each (the fast path, pooling,
notices): the working-day arithmetic they share and the two files they write."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

from sentinelle.catalogue.codes import finess_with_key
from sentinelle.detection.calendar import is_working, working_days_after

# Whether a day works on the mainland.
working = is_working


# The working day n working days after a day (0: that day, or the next working day), mainland.
after = working_days_after


def hospitals(count: int) -> list[str]:
    """`count` Paris hospitals' FINESS numbers (valid keys)."""
    return [finess_with_key(f"750{n:05d}") for n in range(count)]


def working_days(start: date, end: date) -> Iterator[date]:
    """The mainland working days from `start` to the day before `end`: the days a world's hospitals order."""
    day = start
    while day < end:
        if working(day):
            yield day
        day += timedelta(days=1)


def write_lines(folder: Path, orders: list[tuple], deliveries: list[tuple]) -> Path:
    """orders.csv (establishment, order, line, product, supplier, ordered_at, quantity) and deliveries.csv
    (establishment, line, delivered_at, quantity) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "orders.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["establishment_id", "order_id", "line_id", "product_id", "supplier_id", "ordered_at",
                    "quantity_ordered"])
        w.writerows(orders)
    with (folder / "deliveries.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["establishment_id", "line_id", "delivered_at", "quantity_delivered"])
        w.writerows(deliveries)
    return folder
