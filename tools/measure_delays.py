"""Delivery delays in the real USAID SCMS shipments (../shared/data/usaid-scms-shipments): the
figures the simulator's delay model is grounded on (docs/detection.md).

    .venv/bin/python tools/measure_delays.py [path/to/Supply_Chain_Shipment_Pricing_Data.csv]
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/usaid-scms-shipments/Supply_Chain_Shipment_Pricing_Data.csv"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    con = duckdb.connect()
    date = "coalesce(try_strptime({c}, '%d-%b-%y'), try_strptime({c}, '%m/%d/%Y'))::DATE"
    con.execute(f"""
        CREATE TABLE s AS SELECT vendor,
            {date.format(c='"scheduled delivery date"')} AS sched,
            {date.format(c='"delivered to client date"')} AS deliv,
            {date.format(c='"po sent to vendor date"')} AS po
        FROM read_csv('{path}', all_varchar=true)""")
    q = con.execute
    n = q("SELECT count(*) FROM s WHERE sched IS NOT NULL AND deliv IS NOT NULL").fetchone()[0]
    print(f"lines with a scheduled and an actual delivery date: {n}")
    early, on_time, late = q("SELECT avg((deliv < sched)::INT), avg((deliv = sched)::INT), avg((deliv > sched)::INT) "
                             "FROM s").fetchone()
    print(f"early {early:.3f}, on the scheduled day {on_time:.3f}, late {late:.3f}")
    print("late share per vendor (vendors with 50 lines or more), 10th/50th/90th percentiles:",
          [round(x, 4) for x in q("SELECT quantile_cont(r, [0.1, 0.5, 0.9]) FROM (SELECT avg((deliv > sched)::INT) r "
                                  "FROM s GROUP BY vendor HAVING count(*) >= 50)").fetchone()[0]])
    print("delay of late lines as a share of their lead time (PO to scheduled), 25th/50th/75th/90th:",
          [round(x, 3) for x in q("SELECT quantile_cont((deliv - sched) / (sched - po), [0.25, 0.5, 0.75, 0.9]) "
                                  "FROM s WHERE deliv > sched AND po IS NOT NULL AND sched > po").fetchone()[0]])
    print("advance of early lines as a share of their lead time, 25th/50th/75th:",
          [round(x, 3) for x in q("SELECT quantile_cont((sched - deliv) / (sched - po), [0.25, 0.5, 0.75]) "
                                  "FROM s WHERE deliv < sched AND po IS NOT NULL AND sched > po").fetchone()[0]])


if __name__ == "__main__":
    main()
