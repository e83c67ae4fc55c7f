"""Daily features on a case worked by hand, their sums across scopes, and no look-ahead."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from sentinelle.detection import features
from sentinelle.detection.ingest import connect, ingest

A, B = "750712184", "690781810"  # two hospitals (valid FINESS), Île-de-France and Auvergne-Rhône-Alpes


def _con(tmp_path: Path, orders: list[str], deliveries: list[str]) -> duckdb.DuckDBPyConnection:
    (tmp_path / "o.csv").write_text("establishment_id,order_id,line_id,product_id,supplier_id,ordered_at,"
                                    "promised_at,quantity_ordered\n" + "\n".join(orders) + "\n")
    (tmp_path / "d.csv").write_text("establishment_id,line_id,delivered_at,quantity_delivered\n"
                                    + "\n".join(deliveries) + "\n")
    con = connect()
    assert ingest(con, tmp_path / "o.csv", tmp_path / "d.csv").rejected == 0
    return con


def _rows(con: duckdb.DuckDBPyConnection, scope: str, scope_id: str) -> dict[date, dict]:
    rows = con.execute("SELECT * FROM features WHERE scope = ? AND scope_id = ? ORDER BY t", [scope, scope_id])
    names = [d[0] for d in rows.description]
    return {r[4]: dict(zip(names, r, strict=True)) for r in rows.fetchall()}


def test_a_case_worked_by_hand(tmp_path: Path) -> None:
    # Monday 2025-03-03: A orders 10 promised Wed 5th; 6 come on the 5th, 4 on Mon 10th (3 working days late).
    # B orders 5 promised Thu 6th; nothing comes.
    con = _con(tmp_path, [f"{A},O1,L1,P,S,2025-03-03,2025-03-05,10", f"{B},O2,L2,P,S,2025-03-03,2025-03-06,5"],
               [f"{A},L1,2025-03-05,6", f"{A},L1,2025-03-10,4"])
    features.compute(con, as_of=date(2025, 3, 12))
    a = _rows(con, "establishment", A)
    assert list(a) == [date(2025, 3, 3), date(2025, 3, 5), date(2025, 3, 6), date(2025, 3, 10)]
    assert a[date(2025, 3, 3)]["open_lines"] == 1 and a[date(2025, 3, 3)]["past_due_lines"] == 0
    assert a[date(2025, 3, 5)]["lines_due"] == 1 and a[date(2025, 3, 5)]["fill_at_due"] == 0.6
    assert a[date(2025, 3, 6)]["past_due_lines"] == 1 and a[date(2025, 3, 6)]["backorder_age_days"] == 1
    assert a[date(2025, 3, 10)]["open_lines"] == 0 and a[date(2025, 3, 10)]["lines_completed"] == 1
    assert a[date(2025, 3, 10)]["mean_delay_wd"] == 3
    nation = _rows(con, "national", "FR")
    # On the 7th: A's line 2 days past due, B's 1 day: two backorders, mean age 1.5, two hospitals.
    assert nation[date(2025, 3, 7)]["past_due_lines"] == 2 and nation[date(2025, 3, 7)]["backorder_age_days"] == 1.5
    assert nation[date(2025, 3, 7)]["breadth"] == 2 and nation[date(2025, 3, 7)]["past_due_share"] == 1
    assert nation[date(2025, 3, 6)]["fill_at_due"] == 0  # B's line, due the 6th, nothing by then
    assert nation[date(2025, 3, 10)]["past_due_lines"] == 1 and nation[date(2025, 3, 10)]["breadth"] == 1
    # A sentinel hospital counts twice in the breadth.
    features.compute(con, as_of=date(2025, 3, 12), sentinels=[B])
    assert _rows(con, "national", "FR")[date(2025, 3, 7)]["breadth"] == 3
    assert set(_rows(con, "region", "84")) <= set(nation) and _rows(con, "region", "11")


def test_scopes_add_up_and_nothing_is_seen_before_it_happens(small_sim: Path) -> None:
    con = connect()
    ingest(con, small_sim / "orders.csv", small_sim / "deliveries.csv")
    features.compute(con)
    sums = con.execute("""
        SELECT scope, sum(lines_due), sum(lines_completed), count(*) FROM features GROUP BY scope ORDER BY scope""")
    by_scope = {r[0]: r[1:] for r in sums.fetchall()}
    assert by_scope["establishment"][:2] == by_scope["national"][:2]
    assert by_scope["establishment"][0] > 10_000
    day = date(2025, 1, 15)
    whole = con.execute("SELECT * FROM features WHERE t <= ? ORDER BY ALL", [day]).fetchall()
    # The same features computed from the lines as they stood on that day.
    con.execute("DELETE FROM deliveries WHERE delivered_at > ?", [day])
    con.execute("DELETE FROM orders WHERE ordered_at > ?", [day])
    features.compute(con, as_of=day)
    assert con.execute("SELECT * FROM features ORDER BY ALL").fetchall() == whole


def test_features_command(small_sim: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sentinelle.cli import app

    out = tmp_path / "features.csv"
    r = CliRunner().invoke(app, ["features", "--orders", str(small_sim / "orders.csv"), "--deliveries",
                                 str(small_sim / "deliveries.csv"), "--scope", "national", "--out", str(out)])
    assert r.exit_code == 0, r.output
    header, first = out.read_text().splitlines()[:2]
    assert tuple(header.split(",")) == features.COLUMNS and first.split(",")[2] == "national"
    r = CliRunner().invoke(app, ["features", "--orders", str(small_sim / "orders.csv"), "--deliveries",
                                 str(small_sim / "deliveries.csv"), "--scope", "planet", "--out", str(out)])
    assert r.exit_code == 2 and "--scope" in r.output
