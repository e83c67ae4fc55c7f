"""The command-line contract: simulate, detect, evaluate (others build on it)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from sentinelle.cli import app
from sentinelle.detection.contract import ALERTS

runner = CliRunner()


def test_simulate_detect_evaluate(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    r = runner.invoke(app, ["simulate", "--establishments", "20", "--products", "30", "--days", "400", "--seed", "2",
                            "--out", str(out)])
    assert r.exit_code == 0, r.output
    alerts = tmp_path / "alerts.csv"
    evidence = tmp_path / "evidence.csv"
    r = runner.invoke(app, ["detect", "--orders", str(out / "orders.csv"), "--deliveries", str(out / "deliveries.csv"),
                            "--out", str(alerts), "--evidence", str(evidence)])
    assert r.exit_code == 0, r.output
    with alerts.open() as f:
        assert tuple(csv.DictReader(f).fieldnames or ()) == ALERTS
        first = {tuple(a.values())[:5] for a in csv.DictReader(alerts.open())}
    assert first
    with evidence.open() as f:
        assert {tuple(e.values())[:5] for e in csv.DictReader(f)} == first
    r = runner.invoke(app, ["evaluate", "--alerts", str(alerts), "--truth", str(out / "disruptions.csv"), "--json"])
    assert r.exit_code == 0, r.output
    result = json.loads(r.stdout)
    assert set(result) == {"product_months", "alerts", "baseline_72h", "baseline_fill_rate_80"}
    assert {"precision", "recall", "median_lead_days", "false_alerts_per_1000_product_months"} <= set(result["alerts"])


def test_bad_parameters_are_named(tmp_path: Path) -> None:
    f = tmp_path / "o.csv"
    f.write_text("x\n")
    r = runner.invoke(app, ["detect", "--orders", str(f), "--deliveries", str(f), "--as-of", "25/12/2025"])
    assert r.exit_code == 2 and "--as-of" in r.output
    r = runner.invoke(app, ["detect", "--orders", str(f), "--deliveries", str(f)])
    assert r.exit_code == 2 and "colonne(s) manquante(s)" in r.output


def test_detect_reads_a_fhir_bundle(tmp_path: Path) -> None:
    from tests.detection.test_fhir import delivery, request

    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        request("r1", "L1", "03760123450010", "2025-03-03", "2025-03-06", 10),
        delivery("d1", "SupplyRequest/r1", "2025-03-06", 10)]}
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    r = runner.invoke(app, ["detect", "--fhir", str(tmp_path / "b.json"), "--out", str(tmp_path / "a.csv")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "a.csv").read_text().splitlines()[0] == ",".join(ALERTS)
    r = runner.invoke(app, ["detect", "--fhir", str(tmp_path / "b.json"), "--orders", str(tmp_path / "b.json")])
    assert r.exit_code == 2 and "--fhir" in r.output


def test_detect_with_a_store_computes_only_the_new_days(small_sim: Path, tmp_path: Path) -> None:
    import duckdb

    # The history to the end of January, then what came after, as two deliveries of files.
    parts = {"before": "<= DATE '2025-01-31'", "after": "> DATE '2025-01-31'"}
    for name, cond in parts.items():
        (tmp_path / name).mkdir()
        for table, column in (("orders", "ordered_at"), ("deliveries", "delivered_at")):
            duckdb.sql(f"COPY (SELECT * FROM read_csv('{small_sim / table}.csv', all_varchar = true) "
                       f"WHERE CAST({column} AS DATE) {cond}) TO '{tmp_path / name / table}.csv' (HEADER)")
    store = tmp_path / "national.duckdb"
    outputs = []
    for name, extra in (("before", ["--as-of", "2025-01-31"]), ("after", [])):
        outputs.append(tmp_path / f"alerts-{name}.csv")
        r = runner.invoke(app, ["detect", "--store", str(store), "--orders", str(tmp_path / name / "orders.csv"),
                                "--deliveries", str(tmp_path / name / "deliveries.csv"), "--out", str(outputs[-1]),
                                *extra])
        assert r.exit_code == 0, r.output
    assert "Jours du 2025-01-31 (exclu)" in " ".join(r.output.split())
    whole = tmp_path / "alerts-whole.csv"
    r = runner.invoke(app, ["detect", "--orders", str(small_sim / "orders.csv"),
                            "--deliveries", str(small_sim / "deliveries.csv"), "--out", str(whole)])
    assert r.exit_code == 0, r.output
    assert outputs[-1].read_text() == whole.read_text()
    assert len(outputs[0].read_text().splitlines()) < len(whole.read_text().splitlines())


def _mostly_wrong(source: Path, folder: Path, share: float) -> tuple[Path, Path]:
    """The simulated files with `share` of the order lines given a FINESS number whose key fails (their
    deliveries rejected with them, as lines of no known order)."""
    folder.mkdir()
    lines = (source / "orders.csv").read_text(encoding="utf-8").splitlines()
    # Line n is spoilt when n × share crosses a whole number: `share` of them, spread evenly.
    kept = [lines[0]] + ["123456789" + line[9:] if int((n + 1) * share) > int(n * share) else line
                         for n, line in enumerate(lines[1:])]
    (folder / "orders.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    (folder / "deliveries.csv").write_text((source / "deliveries.csv").read_text(encoding="utf-8"), encoding="utf-8")
    return folder / "orders.csv", folder / "deliveries.csv"


def test_files_mostly_rejected_stop_the_detection(small_sim: Path, tmp_path: Path) -> None:
    orders, deliveries = _mostly_wrong(small_sim, tmp_path / "bad", 0.8)
    out = tmp_path / "alerts.csv"
    r = runner.invoke(app, ["detect", "--orders", str(orders), "--deliveries", str(deliveries), "--out", str(out)])
    assert r.exit_code == 3, r.output
    assert "des lignes lues sont rejetées (seuil 5 %)" in r.output and "--max-rejected 1" in r.output
    assert "rejetée(s) sur" in r.output and not out.exists()
    for command in (["features", "--out", str(tmp_path / "f.csv")], ["detect", "--store", str(tmp_path / "s.duckdb")]):
        r = runner.invoke(app, [*command, "--orders", str(orders), "--deliveries", str(deliveries)])
        assert r.exit_code == 3, r.output
    # Asked to go on, it does, and the summary says the share.
    r = runner.invoke(app, ["detect", "--orders", str(orders), "--deliveries", str(deliveries), "--out", str(out),
                            "--max-rejected", "1"])
    assert r.exit_code == 0, r.output
    assert out.exists() and " %" in r.output and "rejetée(s) sur" in r.output
    # A few wrong lines stay under the threshold: the detection runs and says how many.
    orders, deliveries = _mostly_wrong(small_sim, tmp_path / "few", 0.02)
    r = runner.invoke(app, ["detect", "--orders", str(orders), "--deliveries", str(deliveries), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "rejetée(s) sur" in r.output and "Arrêt" not in r.output
