"""Supply concentration from the hospitals' own order lines, and the industrial vulnerability of
medical devices (issue 17, point 2).

Where order lines exist, who actually delivers a product says more than the catalogue: per product,
the suppliers it was ordered from in the year before a date and the Herfindahl–Hirschman index of
their shares of the quantity ordered; per category (the product's EMDN code in the catalogue), the
same across all its products. The SQL is written once in DuckDB's dialect over a table `orders`
(detection/contract.py's order lines) and run as it is on Spark through detection/spark.py's
SparkConnection, which translates it, as for the detection (bench/vulnerability_scale.py runs both).

Devices have no public shortage history to fit weights on (the ANSM list is of medicines), so their
score is a sum of points set a priori, each criterion a share of 100 (docs/risk.md says why each
weighs what it does): it is an absolute scale, where the medicines' fitted score is a rank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.catalogue.models import Product
from sentinelle.risk import abroad, criticality, declarations, vulnerability
from sentinelle.risk.models import ForeignShortage, ProductVulnerability
from sentinelle.risk.vulnerability import A_PRIORI, CRITERIA, Criterion
from sentinelle.signals.models import Signal

# Per product: suppliers and concentration over the year before $as_of; per category (a product's
# EMDN code in the catalogue, given as `category_of`: the store keeps no code of its own), the same
# over all its products. Cancelled lines are not demand a supplier met.
SUPPLY_SQL = """
WITH recent AS (
  SELECT o.product_id, o.supplier_id, c.category,
         CAST(o.quantity_ordered AS DOUBLE) AS q
  FROM orders o LEFT JOIN category_of c ON c.product_id = o.product_id
  WHERE o.cancelled_at IS NULL AND o.ordered_at < $as_of AND o.ordered_at >= $as_of - INTERVAL 365 DAY),
by_supplier AS (SELECT product_id, supplier_id, sum(q) AS q FROM recent GROUP BY product_id, supplier_id),
product_share AS (
  SELECT product_id, count(*) AS suppliers, sum(q * q) / (sum(q) * sum(q)) AS hhi, sum(q) AS volume
  FROM by_supplier GROUP BY product_id),
product_category AS (
  SELECT product_id, coalesce(max(category), '') AS category FROM recent GROUP BY product_id),
category_supplier AS (
  SELECT pc.category, b.supplier_id, sum(b.q) AS q
  FROM by_supplier b JOIN product_category pc ON pc.product_id = b.product_id
  WHERE pc.category <> '' GROUP BY pc.category, b.supplier_id),
category_share AS (
  SELECT category, count(*) AS suppliers, sum(q * q) / (sum(q) * sum(q)) AS hhi
  FROM category_supplier GROUP BY category)
SELECT p.product_id, p.suppliers, p.hhi, p.volume, pc.category,
       coalesce(cs.suppliers, p.suppliers) AS category_suppliers, coalesce(cs.hhi, p.hhi) AS category_hhi
FROM product_share p JOIN product_category pc ON pc.product_id = p.product_id
  LEFT JOIN category_share cs ON cs.category = pc.category
"""


@dataclass(frozen=True)
class Supply:
    """One product's supply over the year before the date, from order lines."""

    product_id: str
    suppliers: int
    hhi: float
    volume: float
    category: str
    category_suppliers: int
    category_hhi: float


def _literal(as_of: date) -> str:
    return f"DATE '{as_of.isoformat()}'"


def duckdb_sql(as_of: date) -> str:
    """The statement for one date (a literal: Spark's SQL takes no DuckDB parameter)."""
    return SUPPLY_SQL.replace("$as_of", _literal(as_of))


def concentration(con: duckdb.DuckDBPyConnection, as_of: date,
                  categories: Mapping[str, str] | None = None) -> dict[str, Supply]:
    """Each product's supply from the `orders` table of `con` (the detection store, or a benchmark's
    files), keyed by the lines' product_id. `categories`: a line's product_id → its EMDN category."""
    con.execute("CREATE OR REPLACE TEMP TABLE category_of (product_id VARCHAR, category VARCHAR)")
    if categories:  # two lists unnested side by side: a row-by-row executemany is slow in DuckDB
        con.execute("INSERT INTO category_of SELECT unnest($keys), unnest($codes)",
                    {"keys": list(categories), "codes": list(categories.values())})
    rows = con.execute(duckdb_sql(as_of)).fetchall()
    return {r[0]: Supply(r[0], int(r[1]), float(r[2]), float(r[3]), r[4] or "", int(r[5]), float(r[6]))
            for r in rows}


# Devices ----------------------------------------------------------------------------------------

DEVICE_CRITERIA: tuple[Criterion, ...] = (
    Criterion("few_suppliers", "peu de fournisseurs du produit (1 / nombre de fournisseurs : 1 s'il n'y en a qu'un)",
              "lignes de commande des hôpitaux, douze mois", True),
    Criterion("concentration", "commandes concentrées sur peu de fournisseurs (0 : beaucoup à parts égales, 1 : un "
              "seul ; indice de Herfindahl-Hirschman)",
              "lignes de commande : parts des quantités commandées", True),
    Criterion("category_concentration", "commandes de sa catégorie EMDN concentrées sur peu de fournisseurs (0 à 1, "
              "comme ci-dessus)",
              "lignes de commande de toute la catégorie", True),
    Criterion("shortages_2y", "tensions ou ruptures signalées dans les deux ans (plafonné à 3)",
              "signaux de Sentinelle (déclarés ou détectés)", True),
    Criterion("abroad", "pénurie en cours à l'étranger dans la même catégorie",
              "liste des pénuries de dispositifs de la FDA", False),
    Criterion("sites_outside_eu", "part des sites de production hors de l'Union européenne",
              "sites déclarés par le fabricant", False),
    Criterion("single_source", "intrants à source unique déclarés (plafonné à 2)",
              "déclarations du fabricant", False),
)
# The criteria that tell what a manufacturer declared in confidence (its inputs): shown to who reads them.
CONFIDENTIAL = ("single_source",)
# Points out of 100 for each criterion at its worst (value 1): set a priori, see docs/risk.md.
DEVICE_POINTS: dict[str, float] = {
    "few_suppliers": 20, "concentration": 15, "category_concentration": 15, "shortages_2y": 20,
    "abroad": 10, "sites_outside_eu": 10, "single_source": 10,
}


@dataclass(frozen=True)
class DeviceFacts:
    """What is known of one device, each criterion's raw value."""

    supply: Supply | None
    shortages_2y: int = 0
    abroad: bool = False
    declared: declarations.Declared = field(default_factory=declarations.Declared)


def device_values(facts: DeviceFacts) -> dict[str, float]:
    """Each criterion on 0–1. Without order lines the supply criteria are unknown: counted 0, said so
    by the `values` the page shows (no supplier count)."""
    s = facts.supply
    return {
        "few_suppliers": 1.0 / s.suppliers if s and s.suppliers else 0.0,
        "concentration": s.hhi if s else 0.0,
        "category_concentration": s.category_hhi if s else 0.0,
        "shortages_2y": min(facts.shortages_2y, 3) / 3,
        "abroad": 1.0 if facts.abroad else 0.0,
        "sites_outside_eu": facts.declared.outside_eu_share,
        "single_source": facts.declared.single_source_value,
    }


def device_score(facts: DeviceFacts) -> tuple[int, dict[str, float], dict[str, float]]:
    """The 0–100 score, each criterion's points in it, and the criteria's raw values."""
    values = device_values(facts)
    parts = {name: round(DEVICE_POINTS[name] * v, 2) for name, v in values.items()}
    raw: dict[str, float] = {name: round(v, 4) for name, v in values.items()}
    if facts.supply:
        raw |= {"suppliers": facts.supply.suppliers, "category_suppliers": facts.supply.category_suppliers}
    return round(sum(parts.values())), parts, raw


def line_keys(session: Session, kind: str | None = None) -> dict[str, int]:
    """How order lines name the catalogue's products (their product_id): a GTIN, a CIP13, or the
    catalogue's own number (detection/contract.py leaves the code to the hospital's system)."""
    query = select(Product.id, Product.gtin, Product.cip13)
    if kind:
        query = query.where(Product.kind == kind)
    found: dict[str, int] = {}
    for pid, gtin, cip13 in session.execute(query):
        found[str(pid)] = pid
        for code in (gtin, cip13):
            if code:
                found[code] = pid
    return found


def by_product(session: Session, con: duckdb.DuckDBPyConnection | None, as_of: date,
               kind: str | None = None) -> dict[int, Supply]:
    """The order lines' supply of the catalogue's products (of one kind), by product id; none without
    an order-line store."""
    if con is None:
        return {}
    keys = line_keys(session, kind)
    emdn = dict(session.execute(select(Product.id, Product.emdn_code).where(Product.emdn_code.is_not(None))).all())
    categories = {key: code for key, pid in keys.items() if (code := emdn.get(pid))}
    found: dict[int, Supply] = {}
    for key, supply in concentration(con, as_of, categories).items():
        if key in keys:
            found[keys[key]] = supply
    return found


def store_devices(session: Session, con: duckdb.DuckDBPyConnection | None, as_of: date,
                  declared: Mapping[int, declarations.Declared]) -> int:
    """Score every device of the catalogue as of `as_of` (order lines of the year before, signals of
    the two years before, what is `declared` (declarations.facts) and posted abroad now) and keep it,
    replacing the devices' previous scores; audited once. Returns how many were scored."""
    supplies = by_product(session, con, as_of, "device")
    since = as_of - timedelta(days=730)
    # A confidential notice is left out: the score is read by agencies that may not read it.
    past = dict(session.execute(select(Signal.product_id, func.count()).where(
        Signal.started_at >= since, Signal.started_at < as_of, Signal.confidential.is_(False))
        .group_by(Signal.product_id)).all())
    overseas = abroad.ongoing_devices(session)
    rows = []
    for (pid,) in session.execute(select(Product.id).where(Product.kind == "device").order_by(Product.id)):
        facts = DeviceFacts(supplies.get(pid), int(past.get(pid, 0)), pid in overseas,
                            declared.get(pid, declarations.Declared()))
        if facts == DeviceFacts(None):
            continue  # nothing known: no score rather than a zero that would read as « not vulnerable »
        score, parts, values = device_score(facts)
        rows.append({"product_id": pid, "model": "device", "score": score, "as_of": as_of, "parts": parts,
                     "values": values})
    session.execute(delete(ProductVulnerability).where(ProductVulnerability.model == "device"))
    for start in range(0, len(rows), 5000):
        session.execute(insert(ProductVulnerability), rows[start:start + 5000])
    audit.record(session, None, audit.Action.RISK_VULNERABILITY, "product", None,
                 after={"as_of": as_of.isoformat(), "scored": len(rows), "model": "device"})
    return len(rows)


def criteria(model: str) -> tuple[Criterion, ...]:
    """The criteria a stored vulnerability of this model is explained by, in the page's order."""
    if model == "device":
        return DEVICE_CRITERIA
    return CRITERIA + A_PRIORI


def newest_line(con: duckdb.DuckDBPyConnection | None) -> date | None:
    """The day after the newest order line: devices are scored as of then by default."""
    if con is None:
        return None
    found = con.execute("SELECT max(ordered_at) FROM orders").fetchone()
    return found[0] + timedelta(days=1) if found and found[0] else None


@dataclass(frozen=True)
class Refreshed:
    devices: int
    devices_as_of: date
    medicines: int = 0
    medicines_as_of: date | None = None


def refresh(session: Session, lines: duckdb.DuckDBPyConnection | None,
            medicines: duckdb.DuckDBPyConnection | None = None, as_of: date | None = None) -> Refreshed:
    """Every vulnerability score: the devices' from the order lines (`lines`, may be None), and the
    medicines' when `medicines` holds the BDPM and the ANSM events (vulnerability.connect), their
    concentration from the order lines where the lines name them. Dates default to the newest order
    line (devices) and the newest ANSM start (medicines)."""
    devices_day = as_of or newest_line(lines) or date.today()
    declared = declarations.facts(session)
    devices = store_devices(session, lines, devices_day, declared)
    if medicines is None:
        return Refreshed(devices, devices_day)
    medicines_day = as_of or vulnerability.latest_event(medicines)
    vulnerability.add_abroad(medicines, session.execute(  # the imported foreign lists (sentinelle import fda-drugs…)
        select(ForeignShortage.substance_key, ForeignShortage.posted_on).where(ForeignShortage.source != "fda-devices")
    ).tuples())
    order_hhi = {pid: s.hhi for pid, s in by_product(session, lines, medicines_day, "medicine").items()}
    critical = {pid: criticality.WEIGHT[r.criticality] for pid, r in criticality.by_product(session).items()}
    kept = vulnerability.store(session, medicines, medicines_day, order_hhi=order_hhi,
                               declared=declared, critical=critical,
                               erosion=vulnerability.price_erosion(session, medicines_day))
    return Refreshed(devices, devices_day, kept, medicines_day)
