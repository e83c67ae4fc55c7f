"""The seasonal watch list: its versions and their RETEX, the weekly demand from the order lines, the
seasonal baseline, the alerts, who reads and who publishes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from sqlalchemy.orm import Session

from sentinelle.detection.ingest import connect
from sentinelle.errors import Forbidden, Invalid
from sentinelle.risk import epidemic, watch
from sentinelle.risk.schemas import WatchCategoryIn, WatchListIn
from sentinelle.signals import service
from tests.factories import World, declaration

SUNDAY = date(2026, 11, 29)


def _store(path: Path, weekly: dict[date, int], product: str = "03760123450010") -> duckdb.DuckDBPyConnection:
    """Order lines of one product: `weekly[sunday]` units ordered on that Sunday (the week's last day)."""
    con = connect(path)
    for n, (sunday, quantity) in enumerate(sorted(weekly.items())):
        con.execute("INSERT INTO orders VALUES ('690781810', ?, ?, ?, 'S1', ?, NULL, ?, '84', NULL, ?, 0)",
                    [f"o{n}", f"l{n}", product, sunday, quantity, n])
    return con


def test_version_one_and_the_next_keep_what_they_said(session: Session, world: World) -> None:
    first = watch.current(session)
    # The world's nomenclature holds only A02 of version 1's codes: only what exists is listed.
    assert first.version == 1 and [c.emdn_code for c, _ in watch.categories(session, first)] == ["A02"]
    data = WatchListIn(retex="Saison 2026-27 : les sondes d'intubation ont manqué.", categories=[
        WatchCategoryIn(emdn_code="A02", reason="seringues", waves=["flu"]),
        WatchCategoryIn(emdn_code="r01", reason="sondes", waves=["flu", "covid"], demand_ratio=1.3)])
    with pytest.raises(Forbidden):
        watch.publish(session, world.users["region84"], data)
    second = watch.publish(session, world.users["national"], data)
    assert watch.current(session).id == second.id and second.version == 2
    assert [c.emdn_code for c, _ in watch.categories(session, second)] == ["A02", "R01"]
    assert [c.emdn_code for c, _ in watch.categories(session, first)] == ["A02"]  # version 1 untouched
    with pytest.raises(Invalid) as err:
        watch.publish(session, world.users["national"], WatchListIn(retex="Une saison de plus.", categories=[
            WatchCategoryIn(emdn_code="A02", waves=["flu"]), WatchCategoryIn(emdn_code="Q99", waves=["flu"])]))
    assert "catégorie 2" in err.value.message and "Q99" in err.value.message
    with pytest.raises(Invalid) as err:  # a RETEX of blanks says nothing
        watch.publish(session, world.users["national"], WatchListIn(retex="   ", categories=data.categories))
    assert err.value.field == "retex"


def test_weekly_demand_and_its_baseline(tmp_path: Path) -> None:
    weeks = [SUNDAY - timedelta(weeks=k) for k in range(60)]
    con = _store(tmp_path / "d.duckdb", {w: 100 + (50 if w == SUNDAY - timedelta(weeks=52) else 0) for w in weeks})
    # A line of the week still under way (the store's last day is a Tuesday): that week is left out.
    con.execute("INSERT INTO orders VALUES ('690781810', 'x', 'x', '03760123450010', 'S1', ?, NULL, 999, '84', "
                "NULL, 999, 0)", [SUNDAY + timedelta(days=2)])
    got_weeks, values = watch.weekly_demand(con, ["03760123450010"])
    assert got_weeks[-1] == SUNDAY and len(got_weeks) == 60 and values[-1] == 100
    assert watch.weekly_demand(con, ["unknown"]) == ([], [])
    # The same week a year before (± 1 week): 150, 100, 100 → 116.7.
    value, source = watch.baseline(got_weeks, values, SUNDAY)
    assert value == pytest.approx(350 / 3) and source == "même semaine des années précédentes"
    # Less than a year of history: the median of the 12 weeks before.
    value, source = watch.baseline(got_weeks[-20:], values[-20:], SUNDAY)
    assert value == 100 and "12 semaines" in source


def test_the_outlook_alerts_on_demand_and_on_declared_stock(session: Session, world: World, tmp_path: Path) -> None:
    weeks = [SUNDAY - timedelta(weeks=k) for k in range(30)]
    con = _store(tmp_path / "d.duckdb", {w: 300 if w == SUNDAY else 100 for w in weeks})
    [syringes] = watch.outlook(session, world.users["lyon"], con)
    assert syringes.category.emdn_code == "A02" and syringes.products == 1 and syringes.values[-1] == 300
    assert syringes.baseline == 100 and syringes.ratio == 3
    assert any("3.0 fois la référence" in a for a in syringes.alerts)
    assert len(syringes.forecast) == watch.HORIZON and all(lo <= mid <= up for _, lo, mid, up in syringes.forecast)
    # A declaration with 5 days of stock on a syringe: under the category's 14 days.
    service.declare(session, world.users["lyon"], declaration(world.products[0], stock_coverage_days=5))
    [again] = watch.outlook(session, world.users["lyon"], None)
    assert again.values == [] and [s.stock_coverage_days for s in again.low_coverage] == [5]
    assert again.alerts == ["1 signal ouvert déclare moins de 14 jours de stock"]
    # Paris may not read Lyon's declaration: its watch list says nothing of it.
    [paris] = watch.outlook(session, world.users["paris"], None)
    assert paris.low_coverage == [] and paris.alerts == []
    for who in ("citizen", "maker_a", "guarantor"):
        with pytest.raises(Forbidden):
            watch.outlook(session, world.users[who], None)


def test_an_imported_epidemic_series_guides_the_forecast(session: Session, world: World, tmp_path: Path) -> None:
    weeks = [SUNDAY - timedelta(weeks=k) for k in range(80)][::-1]
    activity = [0.01 + 0.05 * max(0.0, 1 - abs(k - 70) / 12) for k in range(80)]  # a wave peaking 10 weeks ago
    con = _store(tmp_path / "d.duckdb", {w: round(100 + 4000 * a) for w, a in zip(weeks, activity, strict=True)})
    # The series is given on Mondays (ISO weeks), with a decimal comma: each row lands on the Sunday
    # that ends its week.
    text = "date;value\n" + "".join(f"{(w - timedelta(days=6)).isoformat()};{str(round(a, 4)).replace('.', ',')}\n"
                                    for w, a in zip(weeks, activity, strict=True))
    with pytest.raises(Forbidden):
        epidemic.import_csv(session, world.users["region84"], text, "flu")
    report = epidemic.import_csv(session, world.users["national"], text, "flu", "SurSaUD grippe")
    assert report.created == 80 and epidemic.latest(session)["flu"] == (SUNDAY, 80)
    [syringes] = watch.outlook(session, world.users["lyon"], con)
    assert syringes.driver == "flu" and len(syringes.forecast) == watch.HORIZON
    assert syringes.forecast[0][0] == SUNDAY + timedelta(weeks=1)
    assert all(lo <= mid <= up for _, lo, mid, up in syringes.forecast)
    # Imported again with a revised last week: replaced, not added.
    again = epidemic.import_csv(session, None, f"date,value\n{SUNDAY.isoformat()},0.5\n", "flu")
    assert (again.created, again.updated) == (0, 1) and epidemic.series(session, "flu")[1][-1] == 0.5


def test_a_late_or_missing_series_leaves_the_forecast_to_ets(session: Session, world: World, tmp_path: Path) -> None:
    weeks = [SUNDAY - timedelta(weeks=k) for k in range(60)]
    con = _store(tmp_path / "d.duckdb", {w: 100 + (k % 5) for k, w in enumerate(weeks)})
    [alone] = watch.outlook(session, world.users["lyon"], con)
    assert alone.driver == "" and len(alone.forecast) == watch.HORIZON
    # A series that stops two weeks before the demand does: not used.
    text = "date,value\n" + "".join(f"{(SUNDAY - timedelta(weeks=k + 2)).isoformat()},0.02\n" for k in range(40))
    epidemic.import_csv(session, None, text, "flu")
    [late] = watch.outlook(session, world.users["lyon"], con)
    assert late.driver == ""


def test_a_bad_series_names_each_row_and_writes_nothing(session: Session) -> None:
    bad = "date,value\n23/11/2026,0.1\nhier,0.2\n2026-11-10,-1\n2026-11-24,0.3\n"
    with pytest.raises(Invalid) as refused:
        epidemic.import_csv(session, None, bad, "flu")
    # A French date is read (line 2); the 24th is in the 23rd's week (line 5).
    for piece in ("ligne 3, date", "ligne 4, value", "ligne 5, date"):
        assert piece in refused.value.message
    assert epidemic.latest(session) == {}
    with pytest.raises(Invalid, match="vague inconnue"):
        epidemic.import_csv(session, None, "date,value\n2026-11-23,1\n", "measles")
    with pytest.raises(Invalid, match="colonne « value »"):
        epidemic.import_csv(session, None, "date,share\n2026-11-23,1\n", "flu")
