"""Shortages abroad, read for French products: the FDA's and the EMA's records on the same active
substances (the product's substance key, catalogue/substances.py). Public data: everyone reads them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from sentinelle.catalogue.models import Product
from sentinelle.risk.models import ForeignShortage


@dataclass
class Posting:
    """Foreign records alike but for their package (the FDA lists one per NDC): shown once, counted."""

    record: ForeignShortage
    packages: int


def for_product(session: Session, product: Product, *, limit: int = 50) -> list[Posting]:
    """The foreign records on exactly the product's substances, those not resolved first, then the
    latest posted; a device matches none yet (no justified mapping from the FDA's product codes to EMDN)."""
    if not product.substance_key:
        return []
    resolved = case((ForeignShortage.status == "resolved", 1), else_=0)
    found: dict[tuple[object, ...], Posting] = {}
    for row in session.scalars(select(ForeignShortage).where(ForeignShortage.substance_key == product.substance_key)
                               .order_by(resolved, ForeignShortage.posted_on.desc().nulls_last(), ForeignShortage.id)
                               .limit(500)):
        alike = (row.source, row.name, row.company, row.status, row.posted_on)
        if alike in found:
            found[alike].packages += 1
        elif len(found) < limit:
            found[alike] = Posting(row, 1)
    return list(found.values())
