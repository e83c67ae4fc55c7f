"""Other evidence (issue 18): a manufacturer's interruption notice, a shortage abroad on the product's
substance and a high vulnerability score let the detector alarm on less evidence, each from when it is
known and not before; `detect --notices / --abroad / --vulnerability` read them, naming a bad row."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from sentinelle.catalogue.codes import finess_with_key
from sentinelle.cli import app
from sentinelle.detection import daily
from sentinelle.detection import detect as engine
from sentinelle.detection.ingest import IngestError, connect, ingest, read_abroad, read_notices, read_vulnerability
from tests.detection.handmade import after, working, write_lines

START = date(2024, 1, 1)
FAIL = date(2024, 9, 2)


@pytest.fixture(scope="module")
def thin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three hospitals each ordering product P1 from supplier A twice a week, delivered five working days
    later; from FAIL, nothing more comes. Few lines: the evidence grows slowly."""
    folder = tmp_path_factory.mktemp("thin")
    rng = random.Random(2)
    hospitals = [finess_with_key(f"750{n:05d}") for n in range(3)]
    orders, deliveries, n, day = [], [], 0, START
    while day < FAIL + timedelta(days=45):
        for h, finess in enumerate(hospitals):
            if working(day) and day.weekday() in ((h % 5), (h + 2) % 5):
                n += 1
                qty = rng.randint(5, 30)
                orders.append((finess, f"C{n}", f"L{n}", "P1", "A", day, qty))
                delivered = after(day, 5)
                if delivered < FAIL:
                    deliveries.append((finess, f"L{n}", delivered, qty))
        day += timedelta(days=1)
    return write_lines(folder, orders, deliveries)


def _first(folder: Path, notices: list[tuple[str, str, date]], outside: engine.Outside | None = None
           ) -> tuple[date, str]:
    con = connect()
    ingest(con, folder / "orders.csv", folder / "deliveries.csv")
    alerts = [a for a in engine.detect(con, outside=outside or engine.Outside(notices=tuple(notices)))
              if a[2] == "national" and a[1] == "A"]
    first = min(alerts, key=lambda a: a[4])
    return first[4], first[7]


def test_a_notice_lets_the_alarm_come_earlier_from_its_publication_only(thin: Path) -> None:
    alone, reason = _first(thin, [])
    assert engine.EASED_BY["notice"] not in reason
    noticed, reason = _first(thin, [("P1", "", FAIL - timedelta(days=20))])
    assert FAIL <= noticed < alone and reason.endswith(engine.EASED_BY["notice"])
    # Published after that day, the notice was not known then: nothing changes before it.
    assert _first(thin, [("P1", "A", alone)])[0] == alone
    # Another product's notice, or one older than `notice_days`, changes nothing.
    assert _first(thin, [("P2", "", FAIL - timedelta(days=20))])[0] == alone
    assert _first(thin, [("P1", "", FAIL - timedelta(days=200))])[0] == alone


def test_a_shortage_abroad_lets_the_alarm_come_earlier_while_it_goes_on(thin: Path) -> None:
    alone, _ = _first(thin, [])
    abroad, reason = _first(thin, [], engine.Outside(abroad=(("P1", FAIL - timedelta(days=30), None),)))
    assert FAIL <= abroad < alone and reason.endswith(engine.EASED_BY["abroad"])
    # Over before the failure, or started after the day: not known as going on then.
    ended = engine.Outside(abroad=(("P1", FAIL - timedelta(days=60), FAIL - timedelta(days=30)),))
    assert _first(thin, [], ended)[0] == alone
    assert _first(thin, [], engine.Outside(abroad=(("P1", alone, None),)))[0] == alone


def test_a_vulnerable_product_alarms_on_less_evidence(thin: Path) -> None:
    alone, _ = _first(thin, [])
    vulnerable, reason = _first(thin, [], engine.Outside(vulnerability=(("P1", 95.0),)))
    assert FAIL <= vulnerable < alone and reason.endswith(engine.EASED_BY["vulnerable"])
    assert _first(thin, [], engine.Outside(vulnerability=(("P1", 50.0), ("P2", 99.0))))[0] == alone


def test_the_daily_store_runs_again_when_the_evidence_of_its_past_changes_only(thin: Path, tmp_path: Path) -> None:
    store = connect(tmp_path / "store.duckdb")
    ingest(store, thin / "orders.csv", thin / "deliveries.csv")
    day = FAIL + timedelta(days=20)
    known = engine.Outside(notices=(("P1", "", FAIL - timedelta(days=20)),))
    assert daily.update(store, as_of=day).since is None
    run = daily.update(store, as_of=day + timedelta(days=1), outside=known)
    assert run.since is None and "avis" in (run.why_full or "")
    assert sorted(run.alerts) == sorted(engine.detect(store.cursor(), as_of=day + timedelta(days=1), outside=known))
    # A shortage abroad that begins after the last run: the days already computed do not change, only
    # the new one is computed.
    later = engine.Outside(notices=known.notices, abroad=(("P1", day + timedelta(days=2), None),))
    run = daily.update(store, as_of=day + timedelta(days=2), outside=later)
    assert run.since == day + timedelta(days=1) and run.why_full is None
    assert sorted(run.alerts) == sorted(engine.detect(store.cursor(), as_of=day + timedelta(days=2), outside=later))
    # One that began before it changes them.
    earlier = engine.Outside(notices=known.notices, abroad=(("P1", day, None),))
    assert daily.update(store, as_of=day + timedelta(days=3), outside=earlier).since is None


def _refused(reader: Callable[[Path], object], path: Path, text: str, match: str) -> None:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IngestError, match=match):
        reader(path)


def _detect(thin: Path, out: Path, *options: str) -> Result:
    return CliRunner().invoke(app, ["detect", "--orders", str(thin / "orders.csv"), "--deliveries",
                                    str(thin / "deliveries.csv"), *options, "--out", str(out)])


def test_the_notices_file_names_its_bad_rows(thin: Path, tmp_path: Path) -> None:
    path, out = tmp_path / "avis.csv", tmp_path / "alerts.csv"
    _refused(read_notices, path, "product_id,supplier_id,published_at\nP1,,2024-08-13\nP2,A,13/08/2024\n",
             "ligne 3, published_at")
    _refused(read_notices, path, "product_id,supplier_id,published_at\nP1,,2024-08-13\nP2,A\x00,2024-08-13\n",
             "ligne 3, supplier_id : caractère de contrôle")
    path.write_text("product_id,published_at\nP1,2024-08-13\n", encoding="utf-8")
    assert read_notices(path) == [("P1", "", date(2024, 8, 13))]
    path.write_bytes(b"product_id,published_at\n\xff\xfeP1,2024-08-13\n")  # not UTF-8
    with pytest.raises(IngestError, match=r"avis\.csv : ce n'est pas un fichier CSV en UTF-8"):
        read_notices(path)
    path.write_text("product_id,published_at\nP1,2024-08-13\n", encoding="utf-8")
    done = _detect(thin, out, "--notices", str(path))
    assert done.exit_code == 0, done.output
    assert engine.EASED_BY["notice"].strip(", ") in out.read_text(encoding="utf-8")
    path.write_text("product,published_at\nP1,2024-08-13\n", encoding="utf-8")
    bad = _detect(thin, out, "--notices", str(path))
    assert bad.exit_code == 2 and "product_id" in bad.output


def test_the_abroad_and_vulnerability_files_name_their_bad_rows(thin: Path, tmp_path: Path) -> None:
    path, scores, out = tmp_path / "etranger.csv", tmp_path / "vulnerabilite.csv", tmp_path / "alerts.csv"
    _refused(read_abroad, path, "product_id,started_at,ended_at\nP1,2024-08-01,\nP1,2024-08-01,2024-07-01\n",
             "ligne 3, ended_at")
    _refused(read_abroad, path, "product_id,started_at,ended_at\nP1,2024-08-01,\n,2024-08-01,\n", "ligne 3, product_id")
    path.write_text("product_id,started_at\nP1,2024-08-01\n", encoding="utf-8")
    assert read_abroad(path) == [("P1", date(2024, 8, 1), None)]
    _refused(read_vulnerability, scores, "product_id,score\nP1,95\nP2,élevé\n", "ligne 3, score")
    _refused(read_vulnerability, scores, "product_id,score\nP1,95\nP2,101\n", "ligne 3, score")
    _refused(read_vulnerability, scores, "product_id,score\nP1,95\nP\x002,90\n", "ligne 3, product_id : caractère")
    scores.write_text("product_id,score\nP1,95\n", encoding="utf-8")
    done = _detect(thin, out, "--abroad", str(path), "--vulnerability", str(scores))
    assert done.exit_code == 0, done.output
    assert engine.EASED_BY["abroad"].strip(", ") in out.read_text(encoding="utf-8")
    scores.write_text("product_id,score\nP1,NaN\n", encoding="utf-8")
    bad = _detect(thin, out, "--vulnerability", str(scores))
    assert bad.exit_code == 2 and "score" in bad.output
