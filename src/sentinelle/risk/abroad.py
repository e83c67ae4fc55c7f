"""Shortages abroad, read for French products: the FDA's and the EMA's records on the same active
substances (the product's substance key, catalogue/substances.py); for devices, the FDA's device
shortages whose product code fda_device_emdn.csv maps to an EMDN group, each line saying why (the
codes without a clear counterpart are left out: docs/risk.md names them). Public data: everyone
reads them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from sentinelle.catalogue.models import Product
from sentinelle.risk.models import ForeignShortage


@dataclass
class Posting:
    """Foreign records alike but for their package (the FDA lists one per NDC): shown once, counted."""

    record: ForeignShortage
    packages: int


@lru_cache(maxsize=1)
def device_groups() -> dict[str, str]:
    """The FDA product code → the EMDN group it is read as."""
    with (Path(__file__).parent / "fda_device_emdn.csv").open(encoding="utf-8") as f:
        return {row["fda_product_code"]: row["emdn_code"] for row in csv.DictReader(f)}


def device_keys(emdn_code: str | None) -> list[str]:
    """The foreign records' keys (« device:CODE ») that concern a device of this EMDN code."""
    if not emdn_code:
        return []
    return [f"device:{code}" for code, group in device_groups().items() if emdn_code.startswith(group)]


def record_keys(product: Product) -> list[str]:
    """The foreign records' keys that concern the product: its substances' key (a device: its EMDN group's)."""
    return [product.substance_key] if product.substance_key else device_keys(product.emdn_code)


def for_product(session: Session, product: Product, *, limit: int = 50) -> list[Posting]:
    """The foreign records on exactly the product's substances (a device: on its EMDN group), those not
    resolved first, then the latest posted."""
    keys = record_keys(product)
    if not keys:
        return []
    matches = ForeignShortage.substance_key.in_(keys)
    resolved = case((ForeignShortage.status == "resolved", 1), else_=0)
    found: dict[tuple[object, ...], Posting] = {}
    for row in session.scalars(select(ForeignShortage).where(matches)
                               .order_by(resolved, ForeignShortage.posted_on.desc().nulls_last(), ForeignShortage.id)
                               .limit(500)):
        alike = (row.source, row.name, row.company, row.status, row.posted_on)
        if alike in found:
            found[alike].packages += 1
        elif len(found) < limit:
            found[alike] = Posting(row, 1)
    return list(found.values())


def ongoing_devices(session: Session) -> dict[int, bool]:
    """Devices whose EMDN group has a shortage under way on the FDA's list: product id → True."""
    groups = device_groups()
    ongoing = [key.removeprefix("device:") for key in session.scalars(
        select(ForeignShortage.substance_key).where(ForeignShortage.source == "fda-devices",
                                                    ForeignShortage.status != "resolved"))]
    prefixes = sorted({groups[c] for c in ongoing if c in groups})
    found: dict[int, bool] = {}
    if prefixes:
        for pid, code in session.execute(select(Product.id, Product.emdn_code).where(Product.kind == "device",
                                                                                        Product.emdn_code.is_not(None))):
            if any((code or "").startswith(p) for p in prefixes):
                found[pid] = True
    return found
