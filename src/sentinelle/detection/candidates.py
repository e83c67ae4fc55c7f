"""Alerts into the information system: each alert episode becomes a candidate signal (a tension,
declared by detection) for the establishments and the region concerned, with the weekly fill rate
and delay behind it for the chart of the signal page."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import duckdb
from babel.dates import format_date
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sentinelle.catalogue.models import Organisation, Product
from sentinelle.detection import detect as engine
from sentinelle.signals import service as signals


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0  # episodes added to the product's open signal in their scope
    known: int = 0  # episodes already counted earlier
    covered: int = 0  # regional episodes inside a national one
    unknown_products: set[str] = field(default_factory=set)


def weekly_series(con: duckdb.DuckDBPyConnection, product_id: str, supplier_id: str, scope: str,
                  scope_id: str) -> list[tuple[date, int, float, float]]:
    """(Monday, lines, fill rate, mean delay in working days) per week, each line as known on its
    judgement day. Needs the tables of a detection run on `con`."""
    engine.known_lateness(con)
    where = ["j.product_id = ?"]
    args: list[object] = [product_id]
    if supplier_id:
        where.append("j.supplier_id = ?")
        args.append(supplier_id)
    if scope == "region":
        where.append("j.region = ?")
        args.append(scope_id)
    return [(week, n, float(fill), float(delay)) for week, n, fill, delay in con.execute(f"""
        SELECT date_trunc('week', j.judged_at)::DATE AS week, count(*),
               sum(least(coalesce(d.cum, 0), j.qty)) / sum(j.qty),
               avg(j.late_wd)
        FROM judged_known j
        ASOF LEFT JOIN delivery d ON d.lid = j.lid AND d.delivered_at <= j.judged_at
        WHERE {' AND '.join(where)}
        GROUP BY 1 ORDER BY 1""", args).fetchall()]


def sentinel_finess(session: Session) -> list[str]:
    """The FINESS of the sentinel hospitals, for the detector's weighted breadth."""
    return list(session.scalars(select(Organisation.finess).where(Organisation.sentinel.is_(True),
                                                                  Organisation.finess.is_not(None))))


def _product(session: Session, code: str) -> Product | None:
    return session.scalar(select(Product).where(or_(Product.gtin == code, Product.cip13 == code, Product.cis == code))
                          .limit(1))


def wording(rows: list[tuple], first: date, window: int, path: str = "slow") -> str:
    """What an alert rests on, in plain French: how many establishments (and sentinels) saw late or
    incomplete deliveries, since when, on how many order lines. `rows` are its `engine.evidence` lines,
    `path` the path that raised it (engine.PATHS: a fast-path alert rests on lines with nothing
    delivered, a supplier's alert in a region on all its products there)."""
    establishments = {r[5] for r in rows}
    sentinels = {r[5] for r in rows if r[14]}
    late = sum(1 for r in rows if r[12] is not None and r[13] is not None and r[12] > r[13])
    short = sum(1 for r in rows if r[11] < r[10])
    what = ("livraisons en retard ou incomplètes" if late and short else
            "livraisons incomplètes" if short else "livraisons en retard")
    if path == "fast":
        what = "arrêt brutal possible : plus aucune livraison du fournisseur"
    elif path == "pooled":
        what = f"fournisseur en difficulté dans la région (plusieurs produits), {what}"
    who = (f"chez {len(establishments)} établissement{'s' if len(establishments) > 1 else ''}"
           if establishments else "dans ce périmètre")
    if sentinels:
        who += f", dont {len(sentinels)} sentinelle{'s' if len(sentinels) > 1 else ''}"
    plural = "s" if len(rows) > 1 else ""
    lines = (f"{len(rows)} ligne{plural} de commande sans rien de livré" if path == "fast"
             else f"{len(rows)} ligne{plural} de commande anormale{plural} sur {window} jours")
    return f"{what} {who}, depuis le {format_date(first, 'd MMMM y', locale='fr')} ({lines})"


def declare_alerts(session: Session, con: duckdb.DuckDBPyConnection, alerts: list[tuple], *,
                   window: int = engine.Params().window) -> Outcome:
    """Alerts of a detection run on `con` (order lines' product_id = the catalogue's GTIN, CIP13 or CIS),
    `window` the days of evidence behind each (the run's Params.window)."""
    out = Outcome()
    # The establishments behind each alert's first day: those with its abnormal lines.
    behind: dict[tuple, list[tuple]] = {}
    for row in engine.evidence(con, alerts):
        behind.setdefault(row[:5], []).append(row)
    national = [a for a in alerts if a[2] == "national"]
    for alert in sorted(alerts, key=lambda a: (a[2] != "national", a[4])):
        product_id, supplier_id, scope, scope_id, first, _last, _score, _reason, path = alert
        if scope == "region" and any(n[0] == product_id and n[1] == supplier_id and n[4] <= first <= n[5]
                                     for n in national):
            out.covered += 1
            continue
        product = _product(session, product_id)
        if product is None:
            out.unknown_products.add(product_id)
            continue
        rows = behind.get(alert[:5], [])
        finess = sorted({r[5] for r in rows})
        concerned = list(session.scalars(select(Organisation).where(Organisation.finess.in_(finess)))) if finess else []
        ref = "detection:" + hashlib.sha1(
            f"{product_id}|{supplier_id}|{scope}|{scope_id}|{first.isoformat()}".encode()).hexdigest()[:32]
        signal = signals.declare_candidate(
            session, product=product, region_code=scope_id if scope == "region" else None, started_at=first,
            evidence=wording(rows, first, window, path), external_ref=ref, concerned=concerned,
            series=weekly_series(con, product_id, supplier_id, scope, scope_id))
        if signal is None:
            out.known += 1
        elif signal.external_ref == ref:
            out.created += 1
        else:
            out.updated += 1
    return out
