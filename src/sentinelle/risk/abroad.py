"""Shortages abroad, read for French products: the FDA's and the EMA's records on the same active
substances (the product's substance key, catalogue/substances.py). Public data: everyone reads them."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from sentinelle.catalogue.models import Product
from sentinelle.risk.models import ForeignShortage


def for_product(session: Session, product: Product, *, limit: int = 50) -> list[ForeignShortage]:
    """The foreign records on exactly the product's substances: ongoing first, then the latest posted.
    A device matches none yet (no justified mapping from the FDA's product codes to EMDN)."""
    if not product.substance_key:
        return []
    ongoing = case((ForeignShortage.status == "resolved", 1), else_=0)
    return list(session.scalars(select(ForeignShortage).where(ForeignShortage.substance_key == product.substance_key)
                                .order_by(ongoing, ForeignShortage.posted_on.desc().nulls_last(),
                                          ForeignShortage.id).limit(limit)))


def ongoing_by_key(session: Session, keys: list[str]) -> dict[str, int]:
    """How many ongoing foreign records each substance key has (the priority list's input)."""
    if not keys:
        return {}
    rows = session.execute(select(ForeignShortage.substance_key, func.count())
                           .where(ForeignShortage.substance_key.in_(keys), ForeignShortage.status != "resolved")
                           .group_by(ForeignShortage.substance_key))
    return {k: n for k, n in rows}
