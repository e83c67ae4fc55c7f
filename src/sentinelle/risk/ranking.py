"""The national ranking of medicines by industrial vulnerability, public only once the national agency
publishes it, and where the catalogue's products are made."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue import countries
from sentinelle.catalogue.models import Product, ProductionSite, ProductSite
from sentinelle.errors import Invalid, require
from sentinelle.risk import policy
from sentinelle.risk.models import ProductVulnerability, Publication
from sentinelle.store.base import utcnow

RANKING = "vulnerability_ranking"


def is_published(session: Session) -> bool:
    row = session.get(Publication, RANKING)
    return bool(row and row.published)


def publish(session: Session, user: User | None, published: bool) -> Publication:
    """The national agency makes the ranking public, or withdraws it."""
    user = require(user, policy.can_publish_ranking(user), "seule l'agence nationale publie le classement")
    row = session.get(Publication, RANKING)
    before = {"published": bool(row and row.published)}
    if row is None:
        row = Publication(key=RANKING, published=published, changed_by_id=user.id)
        session.add(row)
    else:
        row.published, row.changed_at, row.changed_by_id = published, utcnow(), user.id
    session.flush()
    audit.record(session, user, audit.Action.RISK_PUBLICATION, "risk_publication", RANKING, before=before,
                 after={"published": published})
    return row


def _readable(session: Session, user: User | None) -> None:
    """The ranking and its countries: the agencies', everyone's once published."""
    if not policy.reads_ranking(user, is_published(session)):
        require(user, False, "le classement n'est pas publié : il est réservé aux agences",
                anonymous="le classement de vulnérabilité n'est pas encore publié par l'ANSM : seules les agences le "
                          "lisent, une fois connectées")


@dataclass
class Ranked:
    rank: int
    product: Product
    vulnerability: ProductVulnerability


MODELS = ("medicine", "device")


def page(session: Session, user: User | None, *, atc: str = "", model: str = "medicine", offset: int = 0,
         limit: int = 50) -> tuple[list[Ranked], int]:
    """Medicines (or devices: `model`) by vulnerability, the most vulnerable first (the agencies;
    everyone once published). The two are ranked apart: a medicine's score is a rank, a device's a sum
    of points."""
    _readable(session, user)
    if model not in MODELS:
        raise Invalid("type de produit : « medicine » ou « device »", "model")
    code = "".join(c for c in atc.upper() if c.isalnum())[:16]
    if atc and not code:
        raise Invalid("classe : lettres et chiffres (ex. N02 pour l'ATC, A02 pour l'EMDN)", "atc")
    query = (select(ProductVulnerability, Product).join(Product, Product.id == ProductVulnerability.product_id)
             .where(ProductVulnerability.model == model))
    if code and model == "device":
        query = query.where(Product.emdn_code.between(code, code + "~"))
    elif code:
        query = query.where(Product.atc_code.between(code, code + "~"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(ProductVulnerability.score.desc(), Product.name, Product.id)
                           .offset(offset).limit(limit)).all()
    return [Ranked(offset + i + 1, p, v) for i, (v, p) in enumerate(rows)], total


@dataclass
class Country:
    code: str
    products: int
    sites: int
    in_eu: bool

    @property
    def name(self) -> str:
        return countries.name(self.code)


def production_countries(session: Session, user: User | None) -> list[Country]:
    """Where the catalogue's products are made, by the countries of their declared production sites."""
    _readable(session, user)
    rows = session.execute(select(ProductionSite.country, func.count(func.distinct(ProductSite.product_id)),
                                  func.count(func.distinct(ProductionSite.id)))
                           .join(ProductSite, ProductSite.site_id == ProductionSite.id)
                           .group_by(ProductionSite.country))
    found = [Country(code or "?", products, sites, (code or "") in countries.EU) for code, products, sites in rows]
    return sorted(found, key=lambda c: (-c.products, c.code))
