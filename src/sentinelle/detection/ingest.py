"""Order and delivery lines into a columnar store (DuckDB), each rejected row reported with its
record number and reason.

Validation runs in SQL over the whole file (never row by row in Python): every value is read as
text first, so that a bad date or a negative quantity is a reported rejection, not a crash.
Re-ingesting lines already stored changes nothing; a stored line sent again with different
content is rejected (the first version stands).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from sentinelle.catalogue.codes import finess_error
from sentinelle.detection.contract import DELIVERIES, ORDERS
from sentinelle.detection.sql import one, path_literal


class IngestError(Exception):
    """The file as a whole cannot be read (missing column, unknown format)."""


@dataclass
class Rejection:
    file: str
    record: int  # 1-based record number in the file, header excluded
    reason: str


@dataclass
class Report:
    orders_loaded: int = 0
    deliveries_loaded: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    read: int = 0  # the records the files held (orders and deliveries; a Bundle's unreadable entries too)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def rejected_share(self) -> float:
        return self.rejected / self.read if self.read else 0.0


# No primary keys: at national volume their indexes would not fit in memory (a keyed store of 100
# million lines failed at 18.8 GiB). A line is unique by construction instead: the checks refuse a
# line stored with other content and skip one stored with the same, each delivery is loaded once.
# `lid`, an integer key per line given at loading, joins a delivery to its line without the text keys;
# a delivery keeps only that key (its establishment and line id are its line's). `kh`, a 32-bit hash
# of the line's (establishment, line_id), finds the few stored lines a day's file can name without
# hashing the text keys of them all; the match itself is always made on the text keys (a collision
# costs a comparison, never a wrong match; 32 bits rather than 64 halve what it adds to a load).
KEY_HASH = "CAST(hash(establishment_id, line_id) >> 32 AS UINTEGER)"
SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    establishment_id VARCHAR NOT NULL, order_id VARCHAR NOT NULL, line_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL, supplier_id VARCHAR NOT NULL, ordered_at DATE NOT NULL, promised_at DATE,
    quantity_ordered BIGINT NOT NULL, region VARCHAR, cancelled_at DATE, lid BIGINT NOT NULL, kh UINTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    lid BIGINT NOT NULL, delivered_at DATE NOT NULL, quantity_delivered BIGINT NOT NULL);
"""


def connect(path: Path | str = ":memory:", *, memory_limit: str | None = None,
            temp_directory: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A store (in memory by default). `memory_limit` caps DuckDB's memory; beyond it, it spills to
    `temp_directory`."""
    config: dict[str, str] = {}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    try:
        con = duckdb.connect(str(path), config=config)  # type: ignore[arg-type]  # duckdb's stub: dict is invariant
    except duckdb.Error as exc:
        raise IngestError(f"réglage DuckDB refusé : {exc}") from exc
    con.execute("SET preserve_insertion_order = false")
    con.execute(SCHEMA)
    columns = {(t, c): kind for t, c, kind in con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE table_name IN ('orders', 'deliveries')").fetchall()}
    if columns.get(("orders", "kh")) != "UINTEGER" or ("deliveries", "line_id") in columns:
        raise IngestError(f"{path} : magasin d'une version antérieure (sans clés de ligne) ; recréez-le avec ingest")
    return con


def _reader(path: Path) -> tuple[str, str]:
    """The table function that reads `path`, and the expression of a row's 1-based record number."""
    name = path.name.lower()
    quoted = path_literal(path)
    if name.endswith(".parquet"):
        # Parquet numbers its rows itself: a row_number() window would make every statement that
        # reads the file write its result on one thread (twice the time of a national file's load).
        return f"read_parquet({quoted}, file_row_number=true)", "file_row_number + 1"
    if name.endswith((".csv", ".csv.gz", ".txt")):
        # null_padding: a line cut short (a file truncated in its last line) is read with its missing
        # cells empty, and then rejected naming its record, instead of the sniffer misreading the header.
        return (f"read_csv({quoted}, header=true, all_varchar=true, parallel=false, null_padding=true)",
                "row_number() OVER ()")
    raise IngestError(f"{path}: format inconnu (CSV ou Parquet attendu)")


def _source(con: duckdb.DuckDBPyConnection, path: Path, contract: dict[str, tuple[str, bool]], name: str) -> str:
    """A SELECT of the file's contract columns as text, with the record number (or, for a small file,
    the temporary table `file_{name}` holding them); refuses the file when a required column is missing."""
    source, record = _reader(path)
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except duckdb.Error as exc:
        raise IngestError(f"{path}: illisible ({exc})") from exc
    missing = [c for c, (_, required) in contract.items() if required and c not in columns]
    if missing:
        raise IngestError(f"{path}: colonne(s) manquante(s) : {', '.join(missing)}")
    select = ", ".join(f"TRIM(CAST(\"{c}\" AS VARCHAR)) AS {c}" if c in columns else f"NULL::VARCHAR AS {c}"
                       for c in contract)
    rows = f"(SELECT {record} AS record, {select} FROM {source})"
    if path.stat().st_size > SMALL_FILE_BYTES:
        return rows
    # A day's file is read by several statements (checks, keys, rejections, loading): read once, on one
    # thread as its record numbers need, rather than four times (0.3 s of a national day's 4).
    table = f"file_{name}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {rows}")
    return table


# Files up to this size are copied into memory once (a day's national orders: 30 MB); larger ones (a
# national history) are read again by each statement rather than held in memory.
SMALL_FILE_BYTES = 256 * 2**20


def _date(col: str) -> str:
    return f"TRY_CAST(NULLIF({col}, '') AS DATE)"


def _int(col: str) -> str:
    return f"TRY_CAST(NULLIF({col}, '') AS BIGINT)"


def _check_finess(con: duckdb.DuckDBPyConnection, source: str) -> int:
    """The distinct establishment numbers of a file checked once each (format and Luhn key), the bad ones
    added to bad_finess (made by `ingest`); the file's rows."""
    counts = con.execute(f"SELECT coalesce(establishment_id, ''), count(*) FROM {source} GROUP BY 1").fetchall()
    known = {i for (i,) in con.execute("SELECT id FROM bad_finess").fetchall()}  # from the other file
    bad = [(i, why) for i, _ in counts if i not in known and (why := finess_error(i))]
    if bad:
        con.executemany("INSERT INTO bad_finess VALUES (?, ?)", bad)
    return sum(n for _, n in counts)


def _reasons(checks: list[tuple[str, str]]) -> str:
    return "CASE " + " ".join(f"WHEN NOT coalesce({ok}, false) THEN {why}" for ok, why in checks) + " END"


# A control character (NUL, escape, line feed…) in a key is refused: PostgreSQL stores no NUL, and a
# terminal or a page would show the others as something else. One pattern over the keys together (a
# second each 10 million lines); the field is named only for the rows refused.
CONTROL = "'[[:cntrl:]]'"
KEYS = ("order_id", "line_id", "product_id", "supplier_id")
ORDER_CHECKS = [
    ("bf.id IS NULL", "'establishment_id : ' || bf.why"),
    (f"NOT regexp_matches(concat({', '.join(KEYS)}), {CONTROL})",
     "CASE " + " ".join(f"WHEN regexp_matches(coalesce({k}, ''), {CONTROL}) THEN '{k}'" for k in KEYS)
     + " END || ' : caractère de contrôle'"),
    ("NULLIF(line_id, '') IS NOT NULL", "'line_id vide'"),
    ("NULLIF(product_id, '') IS NOT NULL", "'product_id vide'"),
    ("NULLIF(supplier_id, '') IS NOT NULL", "'supplier_id vide'"),
    ("ordered_d IS NOT NULL", "'ordered_at : date illisible ' || coalesce(ordered_at, '(vide)')"),
    ("NULLIF(promised_at, '') IS NULL OR promised_d IS NOT NULL", "'promised_at : date illisible ' || promised_at"),
    ("NULLIF(cancelled_at, '') IS NULL OR cancelled_d IS NOT NULL", "'cancelled_at : date illisible ' || cancelled_at"),
    ("qty > 0", "'quantity_ordered : entier > 0 attendu, lu ' || coalesce(quantity_ordered, '(vide)')"),
    ("promised_d IS NULL OR promised_d >= ordered_d", "'promised_at avant ordered_at'"),
]
DELIVERY_CHECKS = [
    ("bf.id IS NULL", "'establishment_id : ' || bf.why"),
    ("delivered_d IS NOT NULL", "'delivered_at : date illisible ' || coalesce(delivered_at, '(vide)')"),
    ("qty >= 0", "'quantity_delivered : entier >= 0 attendu, lu ' || coalesce(quantity_delivered, '(vide)')"),
]


def _typed_orders(source: str) -> str:
    """A SELECT of the file's rows (`source`, its establishments checked) with typed columns and the reason
    of rejection of each row on its own (NULL when it passes)."""
    return f"""(
        SELECT t.record, t.establishment_id, t.order_id, t.line_id, t.product_id, t.supplier_id, t.ordered_d,
               t.promised_d, t.cancelled_d, t.qty, t.region, {_reasons(ORDER_CHECKS)} AS reason
        FROM (SELECT *, {_date('ordered_at')} AS ordered_d, {_date('promised_at')} AS promised_d,
                     {_date('cancelled_at')} AS cancelled_d, {_int('quantity_ordered')} AS qty
              FROM {source}) t
        LEFT JOIN bad_finess bf ON bf.id = coalesce(t.establishment_id, ''))"""


def _load_orders(con: duckdb.DuckDBPyConnection, path: Path, source: str, step: Callable[[str], None],
                 key_hashes: bool, first: int) -> tuple[list[Rejection], int]:
    """The order lines of a file (`source`) checked and stored, against the stored lines it may name
    (named_lines), their keys numbered after `first` (the largest stored); the rejections and the new
    lines.

    The rows that pass their own checks are stored at once, then the repeats are taken back out: a
    national file is written once (a checked copy first, then the store, took twice the time)."""
    typed = _typed_orders(source)
    # Reading the file again is cheaper than keeping a copy of it: its rejected rows are few.
    rejections = _rejections(con, path, typed)
    step(PHASES[0])
    # The line key: the record number after the largest key stored (unique, no window to compute).
    inserted = _insert(con, "orders", f"""
        SELECT establishment_id, order_id, line_id, product_id, supplier_id, ordered_d, promised_d, qty,
               NULLIF(region, ''), cancelled_d, {first} + record AS lid,
               {KEY_HASH if key_hashes else "0"} AS kh
        FROM {typed} WHERE reason IS NULL""")
    new = f"(SELECT * FROM orders WHERE lid > {first})"
    # The same line twice in the file: with different content both are refused; with the same, kept once.
    # Grouped on a 64-bit hash of the key first (a national file holds a hundred million lines; their
    # text keys would not fit a hash table in memory), then checked on the keys themselves.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dup_lines AS
        WITH hashes AS (SELECT hash(establishment_id, line_id) AS h FROM {new} n GROUP BY 1 HAVING count(*) > 1),
        keys AS (SELECT establishment_id, line_id FROM {new} n
                 WHERE hash(establishment_id, line_id) IN (SELECT h FROM hashes) GROUP BY ALL HAVING count(*) > 1)
        SELECT n.establishment_id, n.line_id, min(n.lid) AS first_lid,
               count(DISTINCT (n.order_id, n.product_id, n.supplier_id, n.ordered_at, n.promised_at,
                               n.quantity_ordered)) AS variants
        FROM {new} n JOIN keys USING (establishment_id, line_id) GROUP BY ALL""")
    # The lines stored before that this file names again: among those whose key hash it names (usually
    # none), those whose text keys it names.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE stored_match AS
        SELECT o.establishment_id, o.line_id, o.product_id, o.supplier_id, o.ordered_at, o.promised_at,
               o.quantity_ordered
        FROM named_lines o SEMI JOIN {new} n ON n.establishment_id = o.establishment_id AND n.line_id = o.line_id""")
    # Taken back: both versions of a line sent with two contents, the repeats of one sent twice alike,
    # and the lines stored before (refused when their content differs).
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE taken_back AS
        SELECT n.lid, n.lid - {first} AS record,
               CASE WHEN d.variants > 1
                    THEN 'line_id en double avec un contenu différent (ligne ' || (d.first_lid - {first}) || ')'
                    WHEN o.establishment_id IS NOT NULL AND (o.product_id, o.supplier_id, o.ordered_at,
                         o.promised_at, o.quantity_ordered)
                         IS DISTINCT FROM (n.product_id, n.supplier_id, n.ordered_at, n.promised_at, n.quantity_ordered)
                    THEN 'line_id déjà enregistré avec un autre contenu'
               END AS reason
        FROM {new} n
        LEFT JOIN dup_lines d ON d.establishment_id = n.establishment_id AND d.line_id = n.line_id
        LEFT JOIN stored_match o ON o.establishment_id = n.establishment_id AND o.line_id = n.line_id
        WHERE d.variants > 1 OR n.lid > d.first_lid OR o.establishment_id IS NOT NULL""")
    rejections += _rejections(con, path, "taken_back")
    con.execute("DELETE FROM orders WHERE lid IN (SELECT lid FROM taken_back)")
    taken = one(con, "SELECT count(*) FROM taken_back")[0]
    for table in ("dup_lines", "stored_match", "taken_back"):
        con.execute(f"DROP TABLE {table}")
    rejections.sort(key=lambda r: r.record)
    return rejections, inserted - taken


def _find_named(con: duckdb.DuckDBPyConnection, sources: list[str], likely: str | None = None) -> None:
    """named_lines: the stored lines whose keys the files' rows (`sources`) name, and every line stored
    without a key hash (kh = 0, `key_hashes=False`) as a candidate the caller matches on the text keys.
    `likely`: a table of stored lines (the orders' columns) looked in first — the lines still open,
    which a day's deliveries name.

    A day's files name a few hundred thousand of a hundred million lines. Hashing all their text keys
    took 2 s; reading the stored hashes, and every column of the blocks they hit, 1 s; the open lines
    first, then the hashes and the two text keys, and the whole lines only for the keys found, a third."""
    keys = " UNION ALL ".join(f"SELECT establishment_id, line_id, {KEY_HASH} AS kh FROM {source}"
                              for source in sources)
    none = "SELECT NULL::VARCHAR AS establishment_id, NULL::VARCHAR AS line_id, NULL::UINTEGER AS kh"
    columns = "establishment_id, line_id, product_id, supplier_id, ordered_at, promised_at, quantity_ordered, lid"
    con.execute(f"CREATE OR REPLACE TEMP TABLE file_keys AS {keys or none}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE named_lines AS SELECT {columns} FROM orders LIMIT 0")
    if likely is not None:
        con.execute(f"""INSERT INTO named_lines SELECT {columns} FROM {likely} l
            SEMI JOIN file_keys f ON f.establishment_id = l.establishment_id AND f.line_id = l.line_id""")
        con.execute("""CREATE OR REPLACE TEMP TABLE file_keys AS SELECT * FROM file_keys f
            ANTI JOIN named_lines n ON n.establishment_id = f.establishment_id AND n.line_id = f.line_id""")
    # The lines whose hash the other keys share (the IN alone becomes a filter of the scan: DuckDB hands
    # the keys' Bloom filter to it), with their two text keys only, kept when those match: 2 % of a
    # day's keys share a hash with some line by chance at 100 million lines, and reading every column
    # of the blocks those fall in was most of the time.
    con.execute("""CREATE OR REPLACE TEMP TABLE named_lid AS
        SELECT lid, establishment_id, line_id FROM orders WHERE kh <> 0 AND kh IN (SELECT kh FROM file_keys)""")
    con.execute("""CREATE OR REPLACE TEMP TABLE named_lid AS SELECT n.lid FROM named_lid n
        SEMI JOIN file_keys f ON f.establishment_id = n.establishment_id AND f.line_id = n.line_id""")
    if one(con, "SELECT count(*) FROM named_lid")[0]:
        con.execute(f"INSERT INTO named_lines SELECT {columns} FROM orders WHERE lid IN (SELECT lid FROM named_lid)")
    con.execute(f"""INSERT INTO named_lines SELECT {columns} FROM orders o WHERE o.kh = 0
        AND NOT EXISTS (SELECT 1 FROM named_lines n WHERE n.lid = o.lid)""")
    con.execute("DROP TABLE file_keys")
    con.execute("DROP TABLE named_lid")


def _check_deliveries(con: duckdb.DuckDBPyConnection, source: str, part: str, lines: str) -> None:
    """checked_deliveries, for the file's rows that meet `part`, against the lines of `lines` (a SELECT of
    establishment_id, line_id, lid, ordered_at; the lines accepted in this load are stored already): the
    typed columns, the line's key and the reason of rejection."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE checked_deliveries AS
        SELECT t.record, t.delivered_d, t.qty, k.lid, coalesce({_reasons(DELIVERY_CHECKS)},
            CASE WHEN k.establishment_id IS NULL THEN 'livraison d''une ligne inconnue'
                 WHEN t.delivered_d < k.ordered_at THEN 'delivered_at avant la commande (' || k.ordered_at || ')'
            END) AS reason
        FROM (SELECT *, {_date('delivered_at')} AS delivered_d, {_int('quantity_delivered')} AS qty FROM {source}
              WHERE {part}) t
        LEFT JOIN bad_finess bf ON bf.id = coalesce(t.establishment_id, '')
        LEFT JOIN ({lines}) k
          ON k.establishment_id = t.establishment_id AND k.line_id = t.line_id""")


def _parts(con: duckdb.DuckDBPyConnection, rows: int) -> int:
    """In how many parts (by establishment) deliveries are matched to their lines: the hash table of
    the smaller side must fit in half the memory cap, else DuckDB spills it to disk (at 100 million
    lines, 49 s in one part against 29 s in three)."""
    cap = one(con, "SELECT value FROM duckdb_settings() WHERE name = 'memory_limit'")[0]
    number, _, unit = cap.partition(" ")
    powers = {"bytes": 0, "B": 0, "KiB": 1, "MiB": 2, "GiB": 3, "TiB": 4}
    if unit not in powers or float(number) <= 0:
        return 1
    return max(1, math.ceil(rows * BYTES_PER_KEY / (float(number) * 1024 ** powers[unit] / 2)))


# The size of one line in the hash table matching deliveries to lines (two short keys, the line's
# integer key and date, DuckDB's own pointers and hash), as measured at 100 million lines.
BYTES_PER_KEY = 64


def _load_deliveries(con: duckdb.DuckDBPyConnection, path: Path, source: str, rows: int,
                     named_before: int | None) -> tuple[list[Rejection], int]:
    """The deliveries of a file (`source`, `rows` rows, its establishments checked) checked and stored;
    the rejections and the new deliveries. `named_before`: named_lines holds the lines the file names
    among those whose key is at most this; else they are matched to the whole store part by part."""
    stored = one(con, "SELECT count(*) FROM orders")[0]
    parts = 1 if named_before is not None else _parts(con, min(rows, stored))
    columns = "establishment_id, line_id, lid, ordered_at"
    has_deliveries = one(con, "SELECT count(*) FROM deliveries")[0] > 0
    rejections: list[Rejection] = []
    loaded = 0
    for k in range(parts):
        if named_before is not None:
            # The stored lines it names, found already, and the lines of this load.
            part, lines = "true", (f"SELECT {columns} FROM named_lines UNION ALL "
                                   f"SELECT {columns} FROM orders WHERE lid > {named_before}")
        elif parts > 1:
            part = f"hash(coalesce(establishment_id, '')) % {parts} = {k}"
            lines = f"SELECT {columns} FROM orders WHERE {part}"
        else:
            part, lines = "true", f"SELECT {columns} FROM orders"
        _check_deliveries(con, source, part, lines)
        rejections += _rejections(con, path, "checked_deliveries")
        # A delivery repeated in the file, or loaded before, is kept once (a part holds all the deliveries
        # of its lines, so the repeats are within it).
        fresh = ""
        first, last = one(con, "SELECT min(delivered_d), max(delivered_d) FROM checked_deliveries "
                                  "WHERE reason IS NULL") if has_deliveries else (None, None)
        if first is not None:
            # The stored deliveries of this file's lines and dates only: a repeat has the same date, and a
            # day's file spans a day or two of a hundred million deliveries (in a store filled day by day
            # the other blocks are skipped by their date ranges).
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE stored_deliveries AS
                SELECT s.lid, s.delivered_at, s.quantity_delivered FROM deliveries s
                SEMI JOIN checked_deliveries c ON c.lid = s.lid
                WHERE s.delivered_at BETWEEN DATE '{first}' AND DATE '{last}'""")
            fresh = """AND NOT EXISTS (SELECT 1 FROM stored_deliveries s WHERE s.lid = c.lid
                                       AND s.delivered_at = c.delivered_d AND s.quantity_delivered = c.qty)"""
        loaded += _insert(con, "deliveries", f"""
            SELECT DISTINCT lid, delivered_d, qty FROM checked_deliveries c
            WHERE reason IS NULL {fresh}""")
        con.execute("DROP TABLE checked_deliveries")
    rejections.sort(key=lambda r: r.record)
    return rejections, loaded


def _rejections(con: duckdb.DuckDBPyConnection, path: Path, verdicts: str) -> list[Rejection]:
    return [Rejection(str(path), record, why) for record, why in con.execute(
        f"SELECT record, reason FROM {verdicts} v WHERE reason IS NOT NULL ORDER BY record").fetchall()]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: str) -> int:
    """INSERT INTO `table` the rows of query `rows`; how many were new."""
    before = one(con, f"SELECT count(*) FROM {table}")[0]
    con.execute(f"INSERT INTO {table} {rows}")
    return one(con, f"SELECT count(*) FROM {table}")[0] - before


# The phases of `ingest`, for a progress bar.
PHASES = ("commandes : lecture et contrôles", "commandes : enregistrement", "livraisons : contrôles et enregistrement")


def ingest(con: duckdb.DuckDBPyConnection, orders: Path | None, deliveries: Path | None, *,
           reject_all_on_error: bool = False, earlier: list[Rejection] | None = None,
           progress: Callable[[str], None] | None = None, key_hashes: bool = True,
           likely: str | None = None) -> Report:
    """Load both files in one transaction: all of it, or (by default) all but the rejected rows.
    `earlier`: rejections found before these files were written (a FHIR Bundle's unreadable entries).
    `progress` is told the name of each phase (PHASES) once it is done. `key_hashes=False`: the lines
    are stored without their key hash (kh = 0), for a store no later file is meant to be checked
    against (a later file still finds them, every such line a candidate; at 100 million lines the
    hashes cost 12 s). `likely`: a table of stored lines where the lines the files name are looked
    for first (see `_find_named`)."""
    step = progress or (lambda _name: None)
    report = Report(rejections=list(earlier or []))
    order_source = _source(con, orders, ORDERS, "orders") if orders is not None else None
    delivery_source = _source(con, deliveries, DELIVERIES, "deliveries") if deliveries is not None else None
    con.execute("BEGIN")
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE bad_finess (id VARCHAR, why VARCHAR)")
        order_rows = _check_finess(con, order_source) if order_source is not None else 0
        delivery_rows = _check_finess(con, delivery_source) if delivery_source is not None else 0
        report.read = order_rows + delivery_rows + len(earlier or [])
        stored, last = one(con, "SELECT count(*), coalesce(max(lid), 0) FROM orders")
        # Deliveries a quarter of the store or fewer (a day's file against a national store): the stored
        # lines they name are found with those the orders name, in one read of the stored key hashes.
        # More (a national file), they are matched to the whole store, part by part.
        few = delivery_source is not None and delivery_rows * 4 < stored
        _find_named(con, [s for s in (order_source, delivery_source if few else None) if s is not None and stored],
                    likely)
        if order_source is not None:
            # In now (the transaction holds it back if all must be refused): the deliveries check against it.
            rejected, report.orders_loaded = _load_orders(con, orders, order_source, step, key_hashes, last)  # type: ignore[arg-type]
            report.rejections += rejected
            step(PHASES[1])
        if delivery_source is not None:
            rejected, report.deliveries_loaded = _load_deliveries(con, deliveries, delivery_source, delivery_rows,  # type: ignore[arg-type]
                                                                  last if few else None)
            report.rejections += rejected
            step(PHASES[2])
        con.execute("DROP TABLE named_lines")
        for name in ("orders", "deliveries"):
            con.execute(f"DROP TABLE IF EXISTS temp.file_{name}")
        if report.rejections and reject_all_on_error:
            con.execute("ROLLBACK")
            report.orders_loaded = report.deliveries_loaded = 0
            return report
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report


def _csv_rows(path: Path) -> list[list[str]]:
    """The rows of a small CSV file given beside the lines (sentinels, notices); a file that is not
    UTF-8 text is an error that names it, not a traceback."""
    try:
        with path.open(newline="", encoding="utf-8") as f:
            return list(csv.reader(f))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise IngestError(f"{path.name} : ce n'est pas un fichier CSV en UTF-8 ({exc})") from None


def read_sentinels(path: Path) -> list[str]:
    """The FINESS of the sentinel hospitals: a CSV file with an `establishment_id` column (or one
    number per line, no header). A bad number is an error that names its line."""
    rows = _csv_rows(path)
    column = rows[0].index("establishment_id") if rows and "establishment_id" in rows[0] else None
    ids = []
    for number, row in enumerate(rows[1:] if column is not None else rows, start=2 if column is not None else 1):
        value = (row[column if column is not None else 0] if row else "").strip()
        if not value:
            continue
        if why := finess_error(value):
            raise IngestError(f"{path.name}, ligne {number} : {value!r} : {why}")
        ids.append(value)
    return ids


def _table_rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The numbered rows (from 2) of a small CSV file with a header that has the `required` columns."""
    header, *rows = _csv_rows(path) or [[]]
    missing = [c for c in required if c not in header]
    if missing:
        raise IngestError(f"{path.name} : colonne(s) manquante(s) : {', '.join(missing)}")
    return [(number, {k: (v or "").strip() for k, v in zip(header, cells)}) for number, cells in enumerate(rows, start=2)]


def _key(path: Path, number: int, row: dict[str, str], column: str, *, required: bool = True) -> str:
    """A product or supplier id of a small CSV file: present if `required`, no control character (as in
    the order files)."""
    value = row.get(column, "")
    if required and not value:
        raise IngestError(f"{path.name}, ligne {number}, {column} : vide")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise IngestError(f"{path.name}, ligne {number}, {column} : caractère de contrôle")
    return value


def _day(path: Path, number: int, row: dict[str, str], column: str) -> date:
    value = row.get(column, "")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise IngestError(f"{path.name}, ligne {number}, {column} : {value!r} n'est pas une date AAAA-MM-JJ") from None


def read_notices(path: Path) -> list[tuple[str, str, date]]:
    """Manufacturers' interruption notices: a CSV file with `product_id`, `published_at` (AAAA-MM-JJ) and,
    optionally, `supplier_id` (empty: every supplier of the product). A bad row is an error that names
    its line and field."""
    return [(_key(path, n, row, "product_id"), _key(path, n, row, "supplier_id", required=False),
             _day(path, n, row, "published_at"))
            for n, row in _table_rows(path, ("product_id", "published_at"))]


def read_abroad(path: Path) -> list[tuple[str, date, date | None]]:
    """Shortages abroad on each product's substance: a CSV file with `product_id`, `started_at` and,
    optionally, `ended_at` (empty: still going on). A bad row is an error that names its line and field."""
    shortages = []
    for n, row in _table_rows(path, ("product_id", "started_at")):
        product, started = _key(path, n, row, "product_id"), _day(path, n, row, "started_at")
        ended = _day(path, n, row, "ended_at") if row.get("ended_at") else None
        if ended is not None and ended < started:
            raise IngestError(f"{path.name}, ligne {n}, ended_at : {ended} précède started_at {started}")
        shortages.append((product, started, ended))
    return shortages


def read_vulnerability(path: Path) -> list[tuple[str, float]]:
    """Vulnerability scores: a CSV file with `product_id` and `score` (0 to 100, risk/vulnerability.py).
    A bad row is an error that names its line and field."""
    scores = []
    for n, row in _table_rows(path, ("product_id", "score")):
        product = _key(path, n, row, "product_id")
        try:
            score = float(row["score"])
        except ValueError:
            score = -1.0
        if not 0 <= score <= 100:
            raise IngestError(f"{path.name}, ligne {n}, score : {row['score']!r} n'est pas un nombre de 0 à 100")
        scores.append((product, score))
    return scores
