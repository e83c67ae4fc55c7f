"""Detection: right and early on simulated disruptions, with no look-ahead."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from sentinelle.detection import detect as engine
from sentinelle.detection import evaluate as ev
from sentinelle.detection.ingest import connect, ingest


def _loaded(folder: Path) -> duckdb.DuckDBPyConnection:
    con = connect()
    report = ingest(con, folder / "orders.csv", folder / "deliveries.csv")
    assert report.rejected == 0
    return con


def test_finds_the_disruptions_early_and_beats_both_baselines(small_sim: Path) -> None:
    con = _loaded(small_sim)
    truth = ev.read_truth(small_sim / "disruptions.csv")
    months = ev.product_months(con)
    ours = ev.score([(a[0], a[1], a[4], a[5]) for a in engine.detect(con)], truth, product_months=months)
    assert ours.precision is not None and ours.precision >= 0.9
    assert ours.recall is not None and ours.recall >= 0.9
    assert ours.median_lead_days is not None and ours.median_lead_days >= 14
    for baseline in (engine.baseline_72h(con), engine.baseline_fill_rate(con)):
        theirs = ev.score([(a[0], a[1], a[4], a[5]) for a in baseline], truth, product_months=months)
        assert theirs.precision is not None and theirs.precision < ours.precision
        assert theirs.false_alerts_per_1000_product_months > ours.false_alerts_per_1000_product_months


def test_every_alert_carries_its_evidence(small_sim: Path) -> None:
    alerts = engine.detect(_loaded(small_sim))
    assert alerts
    for _product, _supplier, scope, scope_id, first, last, score, reason, path in alerts:
        assert path in engine.PATHS
        fast = path == "fast"
        threshold = engine.Params().fast_threshold if fast else engine.Params().threshold
        assert scope in ("national", "region") and first <= last and score >= threshold
        assert ("sans aucune livraison" if fast else "lignes anormales") in reason and "établissement" in reason
        assert scope_id == "FR" if scope == "national" else len(scope_id) == 2


def test_no_look_ahead(small_sim: Path, tmp_path: Path) -> None:
    """The replay up to day T over the whole history gives the alerts that the data known on T gives:
    orders placed by T, deliveries made by T."""
    cut = date(2025, 1, 15)
    full = _loaded(small_sim)
    replayed = engine.detect(full, as_of=cut)
    known = connect()
    full.execute(f"COPY (SELECT * FROM orders WHERE ordered_at <= DATE '{cut}') TO '{tmp_path / 'o.csv'}' (HEADER)")
    full.execute(f"COPY (SELECT o.establishment_id, o.line_id, d.delivered_at, d.quantity_delivered FROM deliveries d "
                 f"JOIN orders o USING (lid) WHERE d.delivered_at <= DATE '{cut}') TO '{tmp_path / 'd.csv'}' (HEADER)")
    ingest(known, tmp_path / "o.csv", tmp_path / "d.csv")
    assert replayed == engine.detect(known, as_of=cut)
    assert replayed and all(a[5] <= cut for a in replayed)
    # And what fired by T fired on the same first day in the replay of the whole history.
    later = {(a[0], a[1], a[2], a[3], a[4]) for a in engine.detect(_loaded(small_sim))}
    assert {(a[0], a[1], a[2], a[3], a[4]) for a in replayed} <= later


def test_sentinel_hospitals_weigh_more_in_the_breadth(small_sim: Path) -> None:
    con = _loaded(small_sim)
    everyone = [r[0] for r in con.execute("SELECT DISTINCT establishment_id FROM orders").fetchall()]
    key = lambda alerts: sorted(a[:7] for a in alerts)  # noqa: E731 - the reason names the sentinels
    plain = engine.detect(con, engine.Params(min_breadth=2))
    # With every hospital a sentinel counting double, a breadth of 4 is two hospitals: the same alerts.
    weighted = engine.detect(con, engine.Params(min_breadth=4, sentinel_weight=2), sentinels=everyone)
    assert key(weighted) == key(plain)
    assert all("sentinelle(s)" in a[7] for a in weighted)
    # Without sentinels, asking for four hospitals loses alerts.
    assert len(engine.detect(con, engine.Params(min_breadth=4))) < len(plain)


def test_sentinel_list_names_its_bad_line(tmp_path: Path) -> None:
    import pytest

    from sentinelle.detection.ingest import IngestError, read_sentinels

    path = tmp_path / "sentinelles.csv"
    path.write_text("establishment_id,name\n750712184,AP-HP\n123,Nowhere\n")
    with pytest.raises(IngestError, match="ligne 3"):
        read_sentinels(path)
    path.write_text("750712184\n\n690781810\n")
    assert read_sentinels(path) == ["750712184", "690781810"]


def test_each_alert_comes_with_the_lines_behind_it(small_sim: Path) -> None:
    con = _loaded(small_sim)
    alerts = engine.detect(con)
    rows = engine.evidence(con, alerts)
    assert len(rows[0]) == len(engine.EVIDENCE)
    for alert in alerts:
        lines = [r for r in rows if r[:5] == alert[:5]]
        if alert[8] == "fast":  # the silent lines of its last working days, nothing of them delivered
            assert len(lines) == int(alert[7].split(" ? ")[1].split(" lignes")[0]), alert
            assert all(r[11] == 0 and 0 <= (alert[4] - r[9]).days < 7 for r in lines)
            continue
        # As many abnormal lines as the reason says were behind the first day, each judged in its window,
        # seen by as many establishments as it states (the breadth counted over the whole window). For a
        # supplier's alarm in a region, the reason counts the lines of all its products: this one's are some.
        pooled = alert[8] == "pooled"
        stated = int(alert[7].split(" lignes anormales")[0].split(" : ")[-1])
        establishments = int(alert[7].split("), ")[1].split(" établissement")[0])
        assert (2 <= len(lines) <= stated) if pooled else len(lines) == stated, alert
        seen = len({r[5] for r in lines})
        assert (seen <= establishments) if pooled else seen == establishments, alert
        assert all(0 <= (alert[4] - r[9]).days < engine.Params().window and r[9] >= r[8] for r in lines)
        assert all(r[11] < r[10] or r[12] > r[13] for r in lines)  # short, or later than tolerated
        if alert[2] == "region":
            regions = dict(con.execute("SELECT DISTINCT establishment_id, region FROM orders").fetchall())
            assert {regions[r[5]] for r in lines} == {alert[3]}


def test_two_paths_on_one_day_give_one_reason_and_its_path() -> None:
    """Where a series alarms by its own evidence and by its supplier's in the region on the same day, the
    episode's reason and path both come from its own, whatever order the rows come in."""
    for order in ((0, 1, 2), (2, 1, 0), (1, 2, 0)):
        con = duckdb.connect()
        con.execute("CREATE TABLE days (product_id VARCHAR, supplier_id VARCHAR, scope VARCHAR, scope_id VARCHAR, "
                    "t DATE, score DOUBLE, reason VARCHAR, path VARCHAR)")
        rows = [("P", "S", "region", "11", date(2025, 3, 3), 9.0, "fournisseur…", "pooled"),
                ("P", "S", "region", "11", date(2025, 3, 3), 7.0, "5 lignes…", "slow"),
                ("P", "S", "region", "11", date(2025, 3, 4), 6.5, "arrêt…", "fast")]
        con.executemany("INSERT INTO days VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [rows[i] for i in order])
        assert engine.episodes_of(con, "days") == [
            ("P", "S", "region", "11", date(2025, 3, 3), date(2025, 3, 4), 9.0, "5 lignes…", "slow")]
