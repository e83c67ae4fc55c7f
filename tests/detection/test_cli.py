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
    r = runner.invoke(app, ["detect", "--orders", str(out / "orders.csv"), "--deliveries", str(out / "deliveries.csv"),
                            "--out", str(alerts)])
    assert r.exit_code == 0, r.output
    with alerts.open() as f:
        assert tuple(csv.DictReader(f).fieldnames or ()) == ALERTS
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
