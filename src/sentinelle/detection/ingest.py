"""Order and delivery lines into a columnar store (DuckDB), each rejected row reported with its
record number and reason.

Validation runs in SQL over the whole file (never row by row in Python): every value is read as
text first, so that a bad date or a negative quantity is a reported rejection, not a crash.
Re-ingesting lines already stored changes nothing; a stored line sent again with different
content is rejected (the first version stands).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from sentinelle.catalogue.codes import finess_error
from sentinelle.detection.contract import DELIVERIES, ORDERS


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

    @property
    def rejected(self) -> int:
        return len(self.rejections)


SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    establishment_id VARCHAR NOT NULL, order_id VARCHAR NOT NULL, line_id VARCHAR NOT NULL,
    product_id VARCHAR NOT NULL, supplier_id VARCHAR NOT NULL, ordered_at DATE NOT NULL, promised_at DATE,
    quantity_ordered BIGINT NOT NULL, region VARCHAR, cancelled_at DATE,
    PRIMARY KEY (establishment_id, line_id));
CREATE TABLE IF NOT EXISTS deliveries (
    establishment_id VARCHAR NOT NULL, line_id VARCHAR NOT NULL, delivered_at DATE NOT NULL,
    quantity_delivered BIGINT NOT NULL,
    PRIMARY KEY (establishment_id, line_id, delivered_at, quantity_delivered));
"""


def connect(path: Path | str = ":memory:", *, keyed: bool = True) -> duckdb.DuckDBPyConnection:
    """A store. `keyed=False` (a one-off run over files, as `detect` does) drops the primary keys: at
    national volume their index costs gigabytes, and one load has nothing to be kept apart from."""
    con = duckdb.connect(str(path))
    con.execute(SCHEMA if keyed else SCHEMA.replace(",\n    PRIMARY KEY (establishment_id, line_id)", "")
                .replace(",\n    PRIMARY KEY (establishment_id, line_id, delivered_at, quantity_delivered)", ""))
    return con


def _reader(path: Path) -> str:
    name = path.name.lower()
    quoted = str(path).replace("'", "''")
    if name.endswith(".parquet"):
        return f"read_parquet('{quoted}')"
    if name.endswith((".csv", ".csv.gz", ".txt")):
        return f"read_csv('{quoted}', header=true, all_varchar=true, parallel=false)"
    raise IngestError(f"{path}: format inconnu (CSV ou Parquet attendu)")


def _stage(con: duckdb.DuckDBPyConnection, path: Path, contract: dict[str, tuple[str, bool]], table: str) -> None:
    """The file as text columns plus its record number, in a temporary table."""
    source = _reader(path)
    try:
        columns = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
    except duckdb.Error as exc:
        raise IngestError(f"{path}: illisible ({exc})") from exc
    missing = [c for c, (_, required) in contract.items() if required and c not in columns]
    if missing:
        raise IngestError(f"{path}: colonne(s) manquante(s) : {', '.join(missing)}")
    select = ", ".join(f"CAST(\"{c}\" AS VARCHAR) AS {c}" if c in columns else f"NULL::VARCHAR AS {c}"
                       for c in contract)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS "
                f"SELECT row_number() OVER () AS record, {select} FROM {source}")


def _date(col: str) -> str:
    return f"TRY_CAST(NULLIF(TRIM({col}), '') AS DATE)"


def _int(col: str) -> str:
    return f"TRY_CAST(NULLIF(TRIM({col}), '') AS BIGINT)"


def _check_finess(con: duckdb.DuckDBPyConnection, staged: str) -> None:
    """The distinct establishment numbers of a file checked once each (format and Luhn key)."""
    ids = [row[0] for row in con.execute(f"SELECT DISTINCT coalesce(TRIM(establishment_id), '') FROM {staged}").fetchall()]
    con.execute("CREATE OR REPLACE TEMP TABLE bad_finess (id VARCHAR, why VARCHAR)")
    bad = [(i, why) for i in ids if (why := finess_error(i))]
    if bad:
        con.executemany("INSERT INTO bad_finess VALUES (?, ?)", bad)


def _order_reasons() -> str:
    checks = [
        ("bf.id IS NULL", "'establishment_id : ' || bf.why"),
        ("NULLIF(TRIM(line_id), '') IS NOT NULL", "'line_id vide'"),
        ("NULLIF(TRIM(product_id), '') IS NOT NULL", "'product_id vide'"),
        ("NULLIF(TRIM(supplier_id), '') IS NOT NULL", "'supplier_id vide'"),
        (f"{_date('ordered_at')} IS NOT NULL", "'ordered_at : date illisible ' || coalesce(ordered_at, '(vide)')"),
        (f"NULLIF(TRIM(promised_at), '') IS NULL OR {_date('promised_at')} IS NOT NULL",
         "'promised_at : date illisible ' || promised_at"),
        (f"NULLIF(TRIM(cancelled_at), '') IS NULL OR {_date('cancelled_at')} IS NOT NULL",
         "'cancelled_at : date illisible ' || cancelled_at"),
        (f"{_int('quantity_ordered')} > 0",
         "'quantity_ordered : entier > 0 attendu, lu ' || coalesce(quantity_ordered, '(vide)')"),
        (f"{_date('promised_at')} IS NULL OR {_date('promised_at')} >= {_date('ordered_at')}",
         "'promised_at avant ordered_at'"),
    ]
    return "CASE " + " ".join(f"WHEN NOT coalesce({ok}, false) THEN {why}" for ok, why in checks) + " END"


def _delivery_reasons() -> str:
    checks = [
        ("bf.id IS NULL", "'establishment_id : ' || bf.why"),
        (f"{_date('delivered_at')} IS NOT NULL",
         "'delivered_at : date illisible ' || coalesce(delivered_at, '(vide)')"),
        (f"{_int('quantity_delivered')} >= 0",
         "'quantity_delivered : entier >= 0 attendu, lu ' || coalesce(quantity_delivered, '(vide)')"),
    ]
    return "CASE " + " ".join(f"WHEN NOT coalesce({ok}, false) THEN {why}" for ok, why in checks) + " END"


def ingest(con: duckdb.DuckDBPyConnection, orders: Path | None, deliveries: Path | None, *,
           reject_all_on_error: bool = False) -> Report:
    """Load both files in one transaction: all of it, or (by default) all but the rejected rows."""
    report = Report()
    con.execute("BEGIN")
    try:
        if orders is not None:
            _stage(con, orders, ORDERS, "staged_orders")
            _check_finess(con, "staged_orders")
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE checked_orders AS
                SELECT s.*, {_order_reasons()} AS reason
                FROM staged_orders s LEFT JOIN bad_finess bf ON bf.id = coalesce(TRIM(s.establishment_id), '')""")
            # The same line twice in the file with different content, or already stored differently.
            con.execute("""
                UPDATE checked_orders c SET reason = 'line_id en double avec un contenu différent (ligne '
                    || d.first_record || ')'
                FROM (SELECT TRIM(establishment_id) e, TRIM(line_id) l, min(record) first_record,
                             count(DISTINCT (order_id, product_id, supplier_id, ordered_at, promised_at,
                                             quantity_ordered)) n
                      FROM checked_orders WHERE reason IS NULL GROUP BY 1, 2) d
                WHERE c.reason IS NULL AND d.n > 1 AND TRIM(c.establishment_id) = d.e AND TRIM(c.line_id) = d.l""")
            con.execute(f"""
                UPDATE checked_orders c SET reason = 'line_id déjà enregistré avec un autre contenu'
                FROM orders o
                WHERE c.reason IS NULL AND o.establishment_id = TRIM(c.establishment_id)
                  AND o.line_id = TRIM(c.line_id)
                  AND (o.product_id, o.supplier_id, o.ordered_at, coalesce(o.promised_at, DATE '0001-01-01'),
                       o.quantity_ordered)
                   IS DISTINCT FROM (TRIM(c.product_id), TRIM(c.supplier_id), {_date('c.ordered_at')},
                       coalesce({_date('c.promised_at')}, DATE '0001-01-01'), {_int('c.quantity_ordered')})""")
            report.rejections += [Rejection(str(orders), r, why) for r, why in con.execute(
                "SELECT record, reason FROM checked_orders WHERE reason IS NOT NULL ORDER BY record").fetchall()]
        if deliveries is not None:
            _stage(con, deliveries, DELIVERIES, "staged_deliveries")
            _check_finess(con, "staged_deliveries")
            # A delivery must belong to a known line (stored, or accepted in this load) and not precede its order.
            known = "SELECT establishment_id e, line_id l, ordered_at o FROM orders"
            if orders is not None:
                known += (f" UNION ALL SELECT TRIM(establishment_id), TRIM(line_id), {_date('ordered_at')} "
                          "FROM checked_orders WHERE reason IS NULL")
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE checked_deliveries AS
                SELECT s.*, coalesce({_delivery_reasons()},
                    CASE WHEN k.e IS NULL THEN 'livraison d''une ligne inconnue'
                         WHEN {_date('s.delivered_at')} < k.o THEN 'delivered_at avant la commande (' || k.o || ')'
                    END) AS reason
                FROM staged_deliveries s
                LEFT JOIN bad_finess bf ON bf.id = coalesce(TRIM(s.establishment_id), '')
                LEFT JOIN (SELECT DISTINCT ON (e, l) * FROM ({known})) k
                  ON k.e = TRIM(s.establishment_id) AND k.l = TRIM(s.line_id)""")
            report.rejections += [Rejection(str(deliveries), r, why) for r, why in con.execute(
                "SELECT record, reason FROM checked_deliveries WHERE reason IS NOT NULL ORDER BY record").fetchall()]
        if report.rejections and reject_all_on_error:
            con.execute("ROLLBACK")
            return report
        keyed = con.execute("SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'orders' "
                            "AND constraint_type = 'PRIMARY KEY'").fetchone()[0] > 0
        on_conflict = "ON CONFLICT DO NOTHING" if keyed else ""
        if orders is not None:
            before = con.execute("SELECT count(*) FROM orders").fetchone()[0]
            con.execute(f"""
                INSERT INTO orders SELECT DISTINCT ON (TRIM(establishment_id), TRIM(line_id))
                    TRIM(establishment_id), TRIM(order_id), TRIM(line_id), TRIM(product_id), TRIM(supplier_id),
                    {_date('ordered_at')}, {_date('promised_at')}, {_int('quantity_ordered')},
                    NULLIF(TRIM(region), ''), {_date('cancelled_at')}
                FROM checked_orders WHERE reason IS NULL
                {on_conflict}""")
            report.orders_loaded = con.execute("SELECT count(*) FROM orders").fetchone()[0] - before
        if deliveries is not None:
            before = con.execute("SELECT count(*) FROM deliveries").fetchone()[0]
            con.execute(f"""
                INSERT INTO deliveries SELECT DISTINCT TRIM(establishment_id), TRIM(line_id),
                    {_date('delivered_at')}, {_int('quantity_delivered')}
                FROM checked_deliveries WHERE reason IS NULL
                {on_conflict}""")
            report.deliveries_loaded = con.execute("SELECT count(*) FROM deliveries").fetchone()[0] - before
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return report
