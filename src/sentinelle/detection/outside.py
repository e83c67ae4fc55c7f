"""What Sentinelle knows outside the order lines, handed to the detection run behind `alerts declare` and
the demo (docs/detection.md, step 12): the shortages abroad on each product's substance (public
records: risk/abroad.py) and, once the national agency has published it, the vulnerability ranking.

Each alarm it lets through says so in its reason, and the candidate signals reach the hospitals and
regions concerned: so only what they may read goes in. Not the manufacturers' interruption notices
(confidential to the ANSM and their author), nor the ranking before it is published (the agencies'
own until then)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.catalogue.models import Product
from sentinelle.detection.detect import Outside
from sentinelle.risk import ranking
from sentinelle.risk.abroad import record_keys
from sentinelle.risk.models import ForeignShortage, ProductVulnerability


def _codes(product: Product) -> list[str]:
    """The codes an order line may name the product by (candidates.py reads them back)."""
    return [c for c in (product.gtin, product.cip13, product.cis) if c]


def _abroad(session: Session, products: list[Product]) -> list[tuple[str, date, date | None]]:
    """(code, started, ended or None) for each foreign record on the product's substance (a device: its
    EMDN group). A record starts when first posted (else first seen) and ends, once resolved, when last
    updated (else last seen)."""
    spans: dict[str, list[tuple[date, date | None]]] = defaultdict(list)
    for key, posted, first, status, updated, last in session.execute(select(
            ForeignShortage.substance_key, ForeignShortage.posted_on, ForeignShortage.first_snapshot,
            ForeignShortage.status, ForeignShortage.updated_on, ForeignShortage.last_snapshot)):
        spans[key].append((posted or first, (updated or last) if status == "resolved" else None))
    rows: set[tuple[str, date, date | None]] = set()
    for product in products:
        for key in record_keys(product):
            for started, ended in spans.get(key, []):
                rows.update((code, started, ended if ended is None or ended >= started else started)
                            for code in _codes(product))
    return sorted(rows, key=lambda r: (r[0], r[1], r[2] or date.max))


def _vulnerability(session: Session, products: dict[int, Product]) -> list[tuple[str, float]]:
    """(code, 0–100) once the ranking is published: a product's rank among those of its model (a
    medicine's score is already a rank, a device's a sum of points)."""
    if not ranking.is_published(session):
        return []
    by_model: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pid, model, score in session.execute(select(ProductVulnerability.product_id, ProductVulnerability.model,
                                                    ProductVulnerability.score)):
        by_model[model].append((score, pid))
    rows: list[tuple[str, float]] = []
    for scored in by_model.values():
        scored.sort()
        for rank, (_, pid) in enumerate(scored):
            if (product := products.get(pid)) is not None:
                rows.extend((code, round(100 * rank / max(1, len(scored) - 1), 1)) for code in _codes(product))
    return sorted(rows)


def known(session: Session) -> Outside:
    """The evidence from outside the lines that the receivers of the candidate signals may read."""
    products = list(session.scalars(select(Product)))
    return Outside(abroad=tuple(_abroad(session, products)),
                   vulnerability=tuple(_vulnerability(session, {p.id: p for p in products})))
