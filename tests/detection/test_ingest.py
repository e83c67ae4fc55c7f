"""Ingestion: every bad row named with its record number and reason; never half-written; idempotent."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from sentinelle.detection.ingest import IngestError, _parts, connect, ingest

HEADER_O = "establishment_id,order_id,line_id,product_id,supplier_id,ordered_at,promised_at,quantity_ordered,extra\n"
HEADER_D = "establishment_id,line_id,delivered_at,quantity_delivered\n"
GOOD_O = [
    "690781810,O1,L1,P1,S1,2025-03-03,2025-03-06,10,ignored",
    "690781810,O1,L2,P2,S1,2025-03-03,,5,ignored",
]
GOOD_D = ["690781810,L1,2025-03-06,10", "690781810,L2,2025-03-07,3", "690781810,L2,2025-03-10,2"]


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    return (con.execute("SELECT count(*) FROM orders").fetchone()[0],
            con.execute("SELECT count(*) FROM deliveries").fetchone()[0])


def test_good_files_load_and_loading_again_changes_nothing(tmp_path: Path, file_reading: str) -> None:
    o, d = write(tmp_path / "o.csv", HEADER_O, GOOD_O), write(tmp_path / "d.csv", HEADER_D, GOOD_D)
    con = connect(tmp_path / "store.duckdb")
    report = ingest(con, o, d)
    assert (report.orders_loaded, report.deliveries_loaded, report.rejected) == (2, 3, 0)
    again = ingest(con, o, d)
    assert (again.orders_loaded, again.deliveries_loaded, again.rejected) == (0, 0, 0)
    assert counts(con) == (2, 3)


@pytest.fixture(params=["copied once", "read by each statement"])
def file_reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways a file is read: a day's file copied into memory once, a national one read again by each
    statement (every file, when the size limit is 0)."""
    if request.param != "copied once":
        monkeypatch.setattr("sentinelle.detection.ingest.SMALL_FILE_BYTES", 0)
    return request.param


def test_each_bad_row_is_named(tmp_path: Path, file_reading: str) -> None:
    orders = GOOD_O + [
        "12345,O2,L3,P1,S1,2025-03-03,,4,",  # record 3: FINESS
        "690781810,O2,L4,P1,S1,03/31/2025,,4,",  # record 4: date
        "690781810,O2,L5,P1,S1,2025-03-03,,-2,",  # record 5: negative quantity
        "690781810,O2,L6,P1,S1,2025-03-03,2025-03-01,4,",  # record 6: promised before ordered
        "690781810,O2,L7,P1,S1,2025-03-03,,4,",  # record 7 and 8: same line, different content
        "690781810,O2,L7,P1,S1,2025-03-03,,9,",
        "690781810,O2,L8,P1\x00,S1,2025-03-03,,4,",  # record 9: a NUL in a key (PostgreSQL stores none)
        '690781810,O2,"L9\x1b[2J",P1,S1,2025-03-03,,4,',  # record 10: a terminal's escape in another
    ]
    deliveries = GOOD_D + [
        "690781810,L99,2025-03-06,1",  # record 4: unknown line
        "690781810,L1,2025-03-01,1",  # record 5: before the order
        "690781810,L2,2025-03-12,-1",  # record 6: negative
        "690781810,L2,someday,1",  # record 7: date
    ]
    o, d = write(tmp_path / "o.csv", HEADER_O, orders), write(tmp_path / "d.csv", HEADER_D, deliveries)
    con = connect()
    report = ingest(con, o, d)
    got = {(Path(r.file).name, r.record): r.reason for r in report.rejections}
    assert "FINESS" in got[("o.csv", 3)]
    assert "ordered_at" in got[("o.csv", 4)]
    assert "quantity_ordered" in got[("o.csv", 5)]
    assert "promised_at avant ordered_at" in got[("o.csv", 6)]
    assert "en double" in got[("o.csv", 7)] and "en double" in got[("o.csv", 8)]
    assert "ligne inconnue" in got[("d.csv", 4)]
    assert "avant la commande" in got[("d.csv", 5)]
    assert "quantity_delivered" in got[("d.csv", 6)]
    assert "delivered_at" in got[("d.csv", 7)]
    assert got[("o.csv", 9)] == "product_id : caractère de contrôle"
    assert got[("o.csv", 10)] == "line_id : caractère de contrôle"
    assert len(got) == 12
    # Load-the-rest: the good rows are in, nothing of the bad ones.
    assert counts(con) == (2, 3)


def test_reject_all_on_error_writes_nothing(tmp_path: Path) -> None:
    o = write(tmp_path / "o.csv", HEADER_O, GOOD_O + ["690781810,O2,L3,P1,S1,2025-13-45,,4,"])
    d = write(tmp_path / "d.csv", HEADER_D, GOOD_D)
    con = connect()
    report = ingest(con, o, d, reject_all_on_error=True)
    assert report.rejected == 1 and counts(con) == (0, 0)


def test_a_line_stored_with_other_content_is_refused(tmp_path: Path) -> None:
    con = connect()
    ingest(con, write(tmp_path / "o.csv", HEADER_O, GOOD_O), None)
    report = ingest(con, write(tmp_path / "o2.csv", HEADER_O, ["690781810,O1,L1,P1,S1,2025-03-03,2025-03-06,99,"]),
                    None)
    assert [r.reason for r in report.rejections] == ["line_id déjà enregistré avec un autre contenu"]
    assert con.execute("SELECT quantity_ordered FROM orders WHERE line_id = 'L1'").fetchone()[0] == 10


def test_missing_column_refuses_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "o.csv"
    bad.write_text("establishment_id,order_id,line_id,product_id,ordered_at,quantity_ordered\n"
                   "690781810,O1,L1,P1,2025-03-03,1\n")
    with pytest.raises(IngestError, match="supplier_id"):
        ingest(connect(), bad, None)


def test_parquet_is_read_too(tmp_path: Path) -> None:
    o = write(tmp_path / "o.csv", HEADER_O, GOOD_O)
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{o}', all_varchar=true)) TO '{tmp_path / 'o.parquet'}' (FORMAT parquet)")
    report = ingest(connect(), tmp_path / "o.parquet", None)
    assert (report.orders_loaded, report.rejected) == (2, 0)


def test_a_bad_parquet_row_is_named_by_its_record_number(tmp_path: Path) -> None:
    o = write(tmp_path / "o.csv", HEADER_O, GOOD_O + ["690781810,O2,L3,P1,S1,2025-03-03,,-4,", "690781810,O2,L4,P1,S1,2025-03-03,,4,"])
    con = duckdb.connect()
    con.execute(f"COPY (SELECT * FROM read_csv('{o}', all_varchar=true)) TO '{tmp_path / 'o.parquet'}' (FORMAT parquet)")
    store = connect()
    report = ingest(store, tmp_path / "o.parquet", None)
    assert [(r.record, r.reason.split(" :")[0]) for r in report.rejections] == [(3, "quantity_ordered")]
    # The line key is the record number too (the fourth record is line L4).
    assert store.execute("SELECT lid FROM orders WHERE line_id = 'L4'").fetchone()[0] == 4


def test_deliveries_matched_part_by_part_give_the_same_store(small_sim: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A national file is matched to its lines in parts (by establishment) so that the hash table fits the
    memory cap: the same deliveries and rejections as in one go, repeats and bad rows included."""
    deliveries = (small_sim / "deliveries.csv").read_text(encoding="utf-8").splitlines()
    extra = [deliveries[1], deliveries[2], "690781810,L99,2025-03-06,1", ",L1,2025-03-06,1",
             deliveries[3].rsplit(",", 1)[0] + ",-1"]
    d = write(tmp_path / "d.csv", deliveries[0] + "\n", deliveries[1:] + extra)

    def load() -> tuple[list[tuple[int, str]], list[tuple]]:
        con = connect()
        report = ingest(con, small_sim / "orders.csv", d)
        rows = con.execute("SELECT * FROM deliveries ORDER BY ALL").fetchall()
        return [(r.record, r.reason) for r in report.rejections], rows

    whole = load()
    monkeypatch.setattr("sentinelle.detection.ingest._parts", lambda con, rows: 5)
    parted = load()
    assert parted == whole
    assert len(whole[0]) == 3 and whole[0] == sorted(whole[0])


@pytest.mark.parametrize("deliveries", ["lid BIGINT, delivered_at DATE, quantity_delivered BIGINT",
                                        "establishment_id VARCHAR, line_id VARCHAR, delivered_at DATE, "
                                        "quantity_delivered BIGINT, lid BIGINT"])
@pytest.mark.parametrize("orders", ["establishment_id VARCHAR, line_id VARCHAR",
                                    "establishment_id VARCHAR, line_id VARCHAR, lid BIGINT",
                                    "establishment_id VARCHAR, line_id VARCHAR, lid BIGINT, kh UBIGINT",
                                    "establishment_id VARCHAR, line_id VARCHAR, lid BIGINT, kh UINTEGER"])
def test_a_store_of_an_earlier_layout_is_refused_by_name(tmp_path: Path, orders: str, deliveries: str) -> None:
    path = tmp_path / "old.duckdb"
    with duckdb.connect(str(path)) as old:
        old.execute(f"CREATE TABLE orders ({orders})")
        old.execute(f"CREATE TABLE deliveries ({deliveries})")
    current = "kh UINTEGER" in orders and "line_id" not in deliveries
    if current:
        connect(path).close()
    else:
        with pytest.raises(IngestError, match="version antérieure"):
            connect(path)


def test_the_parts_follow_the_memory_cap() -> None:
    small, large = connect(memory_limit="1GB"), connect(memory_limit="8GB")
    assert _parts(small, 1_000) == _parts(large, 1_000) == 1
    # 100 million lines need their keys' hash table in half the cap: 64 bytes × 1e8 / (953.6 MiB / 2).
    assert _parts(small, 100_000_000) == 13
    assert _parts(large, 100_000_000) == 2


@pytest.mark.parametrize("likely", [None, "likely"])
@pytest.mark.parametrize("key_hash", ["real", "stored without hashes", "one hash for all"])
def test_a_small_file_finds_its_lines_among_many(small_sim: Path, tmp_path: Path, key_hash: str,
                                                 likely: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A day's files against a large store read only the lines whose key hash they name; the match is
    still made on the text keys: a line id of another establishment is no match, even when every
    line's hash is the same. With `likely` (a table of some stored lines, looked in first), the same
    verdicts: the lines found there are not found twice through a shared hash."""
    hashes = {"stored without hashes": "CAST(0 AS UINTEGER)", "one hash for all": "CAST(1 AS UINTEGER)"}
    if key_hash in hashes:
        monkeypatch.setattr("sentinelle.detection.ingest.KEY_HASH", hashes[key_hash])
    con = connect()
    ingest(con, small_sim / "orders.csv", None)
    # The establishment with the fewest lines, and a line of another that it does not have.
    other = con.execute("SELECT establishment_id FROM orders GROUP BY 1 ORDER BY count(*), 1 LIMIT 1").fetchone()[0]
    est, line, ordered, lid = con.execute(
        "SELECT establishment_id, line_id, ordered_at, lid FROM orders o WHERE NOT EXISTS "
        "(SELECT 1 FROM orders p WHERE p.establishment_id = ? AND p.line_id = o.line_id) ORDER BY lid LIMIT 1",
        [other]).fetchone()
    if likely:
        # The line delivered below and every line of the other establishment (those of its key).
        con.execute("CREATE TABLE likely AS SELECT * FROM orders WHERE lid = ? OR establishment_id = ?", [lid, other])
    unknown_line = line
    d = write(tmp_path / "d.csv", HEADER_D, [f"{est},{line},{ordered},1", f"{other},{unknown_line},{ordered},1",
                                              f"{est},{line},{ordered},1"])
    report = ingest(con, None, d, likely=likely)
    assert [(r.record, r.reason) for r in report.rejections] == [(2, "livraison d'une ligne inconnue")]
    assert report.deliveries_loaded == 1
    assert con.execute("SELECT lid, quantity_delivered FROM deliveries").fetchall() == [(lid, 1)]
    # A stored line sent again: alike, skipped; changed, refused; a new line of the other establishment
    # with the same line id as a stored one of the first, loaded.
    row = con.execute("SELECT * EXCLUDE (lid, kh) FROM orders WHERE lid = ?", [lid]).fetchone()
    same = ",".join("" if v is None else str(v) for v in row[:8])
    changed = same.rsplit(",", 1)[0] + ",999"
    o = write(tmp_path / "o.csv", HEADER_O.replace(",extra", ""), [same, changed, f"{other},O9,{line},P1,S1,{ordered},,3"])
    report = ingest(con, o, None, likely=likely)
    assert [(r.record, r.reason) for r in report.rejections] == [
        (1, "line_id en double avec un contenu différent (ligne 1)"),
        (2, "line_id en double avec un contenu différent (ligne 1)")]
    assert report.orders_loaded == 1
    o = write(tmp_path / "o3.csv", HEADER_O.replace(",extra", ""), [same])
    assert (ingest(con, o, None, likely=likely).orders_loaded, ingest(con, o, None).rejected) == (0, 0)
    o = write(tmp_path / "o4.csv", HEADER_O.replace(",extra", ""), [changed])
    assert [r.reason for r in ingest(con, o, None, likely=likely).rejections] == [
        "line_id déjà enregistré avec un autre contenu"]
    assert con.execute("SELECT count(*) FROM orders WHERE establishment_id = ? AND line_id = ?",
                       [other, line]).fetchone()[0] == 1


def test_lines_stored_without_key_hashes_are_still_found(small_sim: Path, tmp_path: Path) -> None:
    """`detect` on files stores no key hashes; a deliveries file much smaller than its orders must
    still find every line (a line stored without its hash is always a candidate)."""
    deliveries = (small_sim / "deliveries.csv").read_text(encoding="utf-8").splitlines()
    d = write(tmp_path / "d.csv", deliveries[0] + "\n", deliveries[1:101])
    con = connect()
    report = ingest(con, small_sim / "orders.csv", d, key_hashes=False)
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] > 4 * 100  # the small-file path
    assert (report.rejected, report.deliveries_loaded) == (0, 100)


@pytest.mark.parametrize("likely", [None, "open_lines"])
def test_a_days_two_files_against_a_large_store(small_sim: Path, tmp_path: Path, likely: str | None,
                                               file_reading: str) -> None:
    """A day's orders and deliveries together (the stored lines both name are found in one read): a
    delivery of a line ordered that day, of a stored line, a repeat of a stored delivery (skipped), a
    stored delivery's line delivered again on another day (loaded), a delivery of no line (refused), and
    a bad establishment number in both files, named in each. The same when the lines never delivered
    are looked in first (as `detect --store` does with the lines still open)."""
    con = connect()
    ingest(con, small_sim / "orders.csv", small_sim / "deliveries.csv")
    if likely:
        con.execute("CREATE TABLE open_lines AS SELECT * FROM orders o "
                    "WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.lid = o.lid)")
    lines, delivered = counts(con)
    est, line, day, qty = con.execute(
        "SELECT o.establishment_id, o.line_id, d.delivered_at, d.quantity_delivered FROM deliveries d "
        "JOIN orders o USING (lid) ORDER BY d.lid, d.delivered_at LIMIT 1").fetchone()
    open_est, open_line, ordered = con.execute(
        "SELECT establishment_id, line_id, ordered_at FROM orders o WHERE NOT EXISTS "
        "(SELECT 1 FROM deliveries d WHERE d.lid = o.lid) ORDER BY lid LIMIT 1").fetchone()
    o = write(tmp_path / "o.csv", HEADER_O, [f"{est},NEW,NEWLINE,P1,S1,{day},,4,x", f"123,NEW,BAD,P1,S1,{day},,4,x"])
    d = write(tmp_path / "d.csv", HEADER_D, [
        f"{est},NEWLINE,{day},4",  # the line ordered in this load
        f"{open_est},{open_line},{ordered},1",  # a stored line, never delivered before
        f"{est},{line},{day},{qty}",  # a repeat of a stored delivery
        f"{est},{line},{day + timedelta(days=1)},{qty}",  # the same line again, another day
        f"{est},NOSUCHLINE,{day},1",
        f"123,NEWLINE,{day},1"])
    report = ingest(con, o, d, likely=likely)
    assert [(Path(r.file).name, r.record, r.reason.split(" :")[0]) for r in report.rejections] == [
        ("o.csv", 2, "establishment_id"), ("d.csv", 5, "livraison d'une ligne inconnue"),
        ("d.csv", 6, "establishment_id")]
    assert (report.orders_loaded, report.deliveries_loaded) == (1, 3)
    assert counts(con) == (lines + 1, delivered + 3)


def test_a_file_cut_in_its_last_line_names_that_line(tmp_path: Path) -> None:
    whole = HEADER_O + "".join(r + "\n" for r in GOOD_O) + "690781810,O2,L3,P1,S1,2025-03-04,2025-03-07,8,x\n"
    cut = tmp_path / "o.csv"
    cut.write_text(whole[: whole.rindex("2025-03-04") + 7], encoding="utf-8")  # "...,2025-03"
    con = connect()
    report = ingest(con, cut, None)
    assert [r.record for r in report.rejections] == [3] and counts(con) == (2, 0)
    assert "ordered_at" in report.rejections[0].reason
