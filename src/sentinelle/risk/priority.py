"""The national priority list (issue 17, point 6): every product's place, explained by its parts —
its open signals (declared or detected), the patient criticality of what it is (the hospitals' P.I.E.U
mappings; the MITM list for medicines), its industrial vulnerability, shortages abroad on its
substances, and its seasonal exposure. Refreshed as a whole (`refresh`), read page by page (`page`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role
from sentinelle.catalogue.models import Organisation, Product, Purchase
from sentinelle.catalogue.regions import REGIONS
from sentinelle.errors import Invalid, NotFound, require
from sentinelle.i18n import _
from sentinelle.risk import abroad, criticality, policy
from sentinelle.risk.models import (
    ForeignShortage,
    PriorityEntry,
    PriorityRegion,
    ProductVulnerability,
    RiskMapping,
    RiskScore,
)
from sentinelle.signals import policy as signal_policy
from sentinelle.signals.models import Signal
from sentinelle.signals.states import TERMINAL
from sentinelle.store.base import id_in_range, utcnow


@dataclass(frozen=True)
class Weights:
    """How much each part weighs in the score (they sum to 1). Set a priori: no list of « the products
    that should have come first » exists to fit them on; docs/risk.md says why each is where it is."""

    signal: float = 0.35
    criticality: float = 0.20
    vulnerability: float = 0.20
    abroad: float = 0.15
    seasonal: float = 0.10


WEIGHTS = Weights()
PARTS = ("signal", "criticality", "vulnerability", "abroad", "seasonal")
PART_LABELS = {"signal": _("signaux ouverts"), "criticality": _("criticité pour les patients"),
               "vulnerability": _("vulnérabilité industrielle"), "abroad": _("pénuries à l'étranger"),
               "seasonal": _("exposition saisonnière")}
# An open signal's weight: its kind, times how far the agencies have confirmed it.
KIND_WEIGHT = {"rupture": 1.0, "discontinuation": 0.8, "tension": 0.6}
STATUS_WEIGHT = {"published": 1.0, "validated": 1.0, "qualified": 0.9, "declared": 0.7}


def _signal_part(session: Session) -> dict[int, float]:
    found: dict[int, float] = defaultdict(float)
    # A manufacturer's confidential notice is left out: the list is read by regions that may not read it.
    rows = session.execute(select(Signal.product_id, Signal.kind, Signal.status)
                           .where(Signal.status.not_in(TERMINAL), Signal.confidential.is_(False)))
    for product_id, kind, status in rows:
        found[product_id] = max(found[product_id], KIND_WEIGHT.get(kind, 0.6) * STATUS_WEIGHT.get(status, 0.7))
    return found


def _criticality_part(session: Session) -> dict[int, float]:
    """Devices: the highest level (0–100) any hospital's latest mapping gives the EMDN category the
    device falls in (its code or a parent's); medicines: 1 on the MITM list (the BDPM import takes
    their ATC code from it), else the Union list's criticality of their substances."""
    latest = select(func.max(RiskMapping.id)).group_by(RiskMapping.organisation_id)
    levels: dict[str, int] = {}
    for code, level in session.execute(select(RiskScore.emdn_code, func.max(RiskScore.level))
                                       .where(RiskScore.mapping_id.in_(latest)).group_by(RiskScore.emdn_code)):
        levels[code] = level
    found: dict[int, float] = {}
    if levels:
        for product_id, emdn in session.execute(select(Product.id, Product.emdn_code)
                                                .where(Product.emdn_code.is_not(None))):
            best = max((lvl for code, lvl in levels.items() if (emdn or "").startswith(code)), default=None)
            if best is not None:
                found[product_id] = best / 100
    for (product_id,) in session.execute(select(Product.id).where(Product.kind == "medicine",
                                                                  Product.atc_code.is_not(None))):
        found[product_id] = 1.0
    # The Union list's criticality of its substances (high 1, medium 2/3, low 1/3), where it is higher.
    for product_id, rating in criticality.by_product(session).items():
        found[product_id] = max(found.get(product_id, 0.0), criticality.WEIGHT[rating.criticality])
    return found


def _abroad_part(session: Session) -> dict[int, float]:
    ongoing = select(ForeignShortage.substance_key).where(ForeignShortage.status != "resolved",
                                                          ForeignShortage.substance_key != "")
    found = {pid: 1.0 for (pid,) in session.execute(select(Product.id).where(Product.substance_key.in_(ongoing)))}
    return found | {pid: 1.0 for pid in abroad.ongoing_devices(session)}


def refresh(session: Session, user: User | None = None, weights: Weights = WEIGHTS) -> int:
    """Recompute the whole list (the command line, after imports and detection; the national agency's
    page). Returns how many products it holds (those with a part above zero)."""
    if user is not None:
        require(user, policy.can_refresh_priority(user), "seule l'agence nationale recalcule la liste de priorité")
    parts: dict[str, dict[int, float]] = {
        "signal": _signal_part(session), "criticality": _criticality_part(session),
        "vulnerability": {pid: score / 100 for pid, score in session.execute(
            select(ProductVulnerability.product_id, ProductVulnerability.score))},
        "abroad": _abroad_part(session),
        "seasonal": {pid: 1.0 for (pid,) in session.execute(select(Product.id).where(Product.seasonal.is_(True)))},
    }
    ids = set().union(*(p.keys() for p in parts.values()))
    rows = []
    for pid in ids:
        values = {name: round(parts[name].get(pid, 0.0), 4) for name in PARTS}
        score = round(sum(getattr(weights, name) * values[name] for name in PARTS), 4)
        if score > 0:
            rows.append({"product_id": pid, "score": score, **values})
    rows.sort(key=lambda r: (-r["score"], r["product_id"]))
    now = utcnow()
    session.execute(delete(PriorityRegion))
    session.execute(delete(PriorityEntry))
    rank = {r["product_id"]: i + 1 for i, r in enumerate(rows)}
    for start in range(0, len(rows), 5000):
        session.execute(insert(PriorityEntry), [{**r, "rank": rank[r["product_id"]], "computed_at": now}
                                               for r in rows[start:start + 5000]])
    # The regions each listed product concerns: what their hospitals buy, and their open signals.
    bought = select(Purchase.product_id, Organisation.region_code).join(
        Organisation, Organisation.id == Purchase.establishment_id).where(Organisation.region_code.is_not(None))
    signalled = select(Signal.product_id, Signal.region_code).where(
        Signal.region_code.is_not(None), Signal.status.not_in(TERMINAL), Signal.confidential.is_(False))
    pairs = {(pid, code) for pid, code in session.execute(bought.union(signalled)) if pid in rank}
    # A national signal (no region: the nation's, a manufacturer's published one) concerns every region.
    national = session.scalars(select(Signal.product_id).where(
        Signal.region_code.is_(None), Signal.status.not_in(TERMINAL), Signal.confidential.is_(False)))
    regions = [r.code for r in REGIONS]
    pairs |= {(pid, code) for pid in set(national) if pid in rank for code in regions}
    regional = [{"product_id": pid, "region_code": code, "rank": rank[pid]} for pid, code in pairs]
    for start in range(0, len(regional), 10000):
        session.execute(insert(PriorityRegion), regional[start:start + 10000])
    return len(rows)


Q = TypeVar("Q", bound=Select)  # any select: rows or a count


@dataclass
class Line:
    entry: PriorityEntry
    product: Product


def _filtered(query: Q, region: str | None, category: str | None) -> Q:
    if category:
        code = category.strip().upper()
        # A range is the prefix match an index serves ("~" sorts after the codes' characters).
        query = query.where(or_(Product.emdn_code.between(code, code + "~"), Product.atc_code.between(code, code + "~")))
    if region:
        query = query.join(PriorityRegion, (PriorityRegion.product_id == PriorityEntry.product_id)
                           & (PriorityRegion.region_code == region))
    return query


def page(session: Session, user: User | None, *, region: str | None = None, category: str | None = None,
         offset: int = 0, limit: int = 50) -> tuple[list[Line], int]:
    """The list, highest first, filtered by region (what its hospitals buy, or an open signal there) and
    by category (an EMDN or ATC code's prefix). A region's agency reads its own region's."""
    user = require(user, policy.reads_priority(user), "vous n'avez pas accès à la liste de priorité : elle est "
                   "réservée aux agences")
    if user.role == Role.REGION:
        region = user.region_code
    if category and len(category) > 16:
        raise Invalid("catégorie : un code EMDN ou ATC de 16 caractères au plus", "category")
    query = _filtered(select(PriorityEntry, Product).join(Product, Product.id == PriorityEntry.product_id),
                      region, category)
    order = PriorityRegion.rank if region else PriorityEntry.rank  # a region's pages: its index's order
    rows = session.execute(query.order_by(order).offset(offset).limit(limit)).all()
    if region and not category:
        total = session.scalar(select(func.count()).select_from(PriorityRegion)
                               .where(PriorityRegion.region_code == region)) or 0
    elif region or category:
        total = session.scalar(_filtered(select(func.count()).select_from(PriorityEntry)
                                         .join(Product, Product.id == PriorityEntry.product_id), region, category)) or 0
    else:
        total = session.scalar(select(func.count()).select_from(PriorityEntry)) or 0
    return [Line(e, p) for e, p in rows], total


@dataclass
class Explained:
    entry: PriorityEntry
    product: Product
    contributions: list[tuple[str, float, float, float]]  # (part, its value 0–1, its weight, weight × value)
    vulnerability: ProductVulnerability | None
    signals: list[Signal]
    abroad: list[ForeignShortage]


def explain(session: Session, user: User | None, product_id: int) -> Explained:
    """One product's rank, part by part, with what each part comes from."""
    require(user, policy.reads_priority(user), "vous n'avez pas accès à la liste de priorité : elle est "
            "réservée aux agences")
    found = session.execute(select(PriorityEntry, Product).join(Product, Product.id == PriorityEntry.product_id)
                            .where(PriorityEntry.product_id == product_id)).first() if id_in_range(product_id) else None
    if found is None:
        raise NotFound(f"ce produit n'est pas sur la liste de priorité : {product_id}", "product_id")
    entry, product = found
    signals = list(session.scalars(select(Signal).where(Signal.product_id == product.id, Signal.status.not_in(TERMINAL),
                                                        Signal.confidential.is_(False), signal_policy.visible_to(user))
                                   .order_by(Signal.id)).unique())
    abroad = list(session.scalars(select(ForeignShortage).where(
        ForeignShortage.substance_key == product.substance_key, ForeignShortage.status != "resolved")
        .order_by(ForeignShortage.posted_on.desc()).limit(20))) if product.substance_key else []
    return Explained(entry, product, contributions(entry), session.get(ProductVulnerability, product.id), signals,
                     abroad)


def contributions(entry: PriorityEntry, weights: Weights = WEIGHTS) -> list[tuple[str, float, float, float]]:
    """(part, its value 0–1, its weight, weight × value), in the list's order of parts."""
    return [(name, getattr(entry, name), getattr(weights, name), getattr(weights, name) * getattr(entry, name))
            for name in PARTS]
