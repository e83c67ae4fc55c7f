"""Catalogue use cases: organisations, products, search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, column, func, or_, select, table, union
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue import codes, policy
from sentinelle.catalogue.models import (
    ORG_KINDS,
    EmdnCode,
    Membership,
    Organisation,
    Product,
    ProductionSite,
    ProductSite,
    ProductSupplier,
    Purchase,
)
from sentinelle.catalogue.regions import BY_CODE
from sentinelle.errors import Invalid, NotFound, require
from sentinelle.store.db import by_id
from sentinelle.text import fold


def product(session: Session, product_id: int) -> Product | None:
    return by_id(session, Product, product_id)


def made_by(session: Session, organisation_id: int, *, limit: int = 500) -> list[Product]:
    """The products an organisation makes, by name."""
    return list(session.scalars(select(Product).where(Product.manufacturer_id == organisation_id)
                                .order_by(Product.name).limit(limit)))


def create_organisation(
    session: Session, actor: User | None, *, kind: str, name: str, finess: str | None = None,
    region_code: str | None = None, sentinel: bool = False, country: str | None = None,
) -> Organisation:
    if actor is not None:
        require(actor, policy.can_create_organisation(actor), "seule l'agence nationale crée des organisations")
    if kind not in ORG_KINDS:
        raise Invalid(f"type d'organisation inconnu : {kind}", "kind")
    if not name.strip():
        raise Invalid("le nom est obligatoire", "name")
    if kind == "establishment":
        if not finess:
            raise Invalid("un établissement a un numéro FINESS", "finess")
        error = codes.finess_error(finess)
        if error:
            raise Invalid(f"FINESS {finess} : {error}", "finess")
        if session.scalar(select(Organisation.id).where(Organisation.finess == finess)):
            raise Invalid(f"FINESS {finess} déjà enregistré", "finess")
    if kind in ("establishment", "region") and region_code not in BY_CODE:
        raise Invalid(f"code région INSEE inconnu : {region_code}", "region_code")
    org = Organisation(kind=kind, name=name.strip(), finess=finess, region_code=region_code,
                       sentinel=sentinel, country=country)
    session.add(org)
    session.flush()
    audit.record(session, actor, audit.Action.ORGANISATION_CREATE, "organisation", org.id,
                 after={"kind": kind, "name": name, "finess": finess})
    return org


def create_product(
    session: Session, actor: User | None, *, kind: str, name: str, emdn_code: str | None = None,
    gtin: str | None = None, cis: str | None = None, cip13: str | None = None, atc_code: str | None = None,
    manufacturer_id: int | None = None, holder: str | None = None, seasonal: bool = False, audit_it: bool = True,
) -> Product:
    if actor is not None:
        require(actor, policy.can_create_product(actor), "seuls l'agence nationale et les fabricants enregistrent des produits")
    if kind not in ("device", "medicine"):
        raise Invalid(f"type de produit inconnu : {kind}", "kind")
    if not name.strip():
        raise Invalid("le nom est obligatoire", "name")
    if emdn_code and not codes.emdn_ok(emdn_code):
        raise Invalid(f"code EMDN invalide : {emdn_code}", "emdn_code")
    if gtin and not codes.gtin_ok(gtin):
        raise Invalid(f"GTIN/UDI-DI invalide (clé GS1) : {gtin}", "gtin")
    if cis and not codes.cis_ok(cis):
        raise Invalid(f"code CIS invalide (8 chiffres) : {cis}", "cis")
    if cip13 and not codes.cip13_ok(cip13):
        raise Invalid(f"code CIP13 invalide : {cip13}", "cip13")
    if atc_code and not codes.atc_ok(atc_code):
        raise Invalid(f"code ATC invalide : {atc_code}", "atc_code")
    product = Product(kind=kind, name=name.strip(), name_lower=fold(name), emdn_code=emdn_code, gtin=gtin, cis=cis,
                      cip13=cip13, atc_code=atc_code, manufacturer_id=manufacturer_id, holder=holder,
                      seasonal=seasonal)
    session.add(product)
    session.flush()
    if audit_it:
        audit.record(session, actor, audit.Action.PRODUCT_CREATE, "product", product.id, after={"name": name, "kind": kind})
    return product


# SQLite's FTS5 trigram index over product names (migration 0002); PostgreSQL uses pg_trgm on the column.
_name_fts = table("product_name_fts", column("rowid"), column("name_lower"))


def name_match_ids(session: Session, text: str) -> Select[int]:
    """Ids of the products whose name holds `text` (accent- and case-blind), through the trigram index."""
    term = fold(text)
    # The trigram index needs three characters; LIKE's wildcards in the term go the plain way.
    if session.get_bind().dialect.name == "sqlite" and len(term) >= 3 and not any(c in term for c in "%_"):
        return select(_name_fts.c.rowid).where(_name_fts.c.name_lower.like(f"%{term}%"))
    return select(Product.id).where(Product.name_lower.contains(term, autoescape=True))


def _by_code(term: str) -> list[Any]:
    """Exact matches on a product's codes (GTIN, CIS, CIP13, ATC), an EMDN code by its prefix."""
    code = term.upper()
    # EMDN codes are [A-Z0-9]: a range is the prefix match that an index can serve ("~" sorts after them).
    emdn = (Product.emdn_code.between(code, code + "~") if codes.emdn_ok(code) else Product.emdn_code == code)
    return [Product.gtin == term, Product.cis == term, Product.cip13 == term, Product.atc_code == code, emdn]


def match_ids(session: Session, q: str) -> Any:
    """Ids of the products `q` names: by name (accent- and case-blind substring) or by a code. A union
    of id sets, each from its own index (an OR across columns would scan the table on SQLite)."""
    term = q.strip()
    return union(name_match_ids(session, term), *[select(Product.id).where(c) for c in _by_code(term)])


def search_products(session: Session, q: str, *, kind: str | None = None, offset: int = 0,
                    limit: int = 20) -> tuple[list[Product], int]:
    """By name (accent- and case-blind substring) or exactly by a code (EMDN prefix, GTIN, CIS, CIP13, ATC)."""
    query = select(Product)
    term = q.strip()
    if term:
        by_code = _by_code(term)
        if session.get_bind().dialect.name == "sqlite":
            query = query.where(Product.id.in_(match_ids(session, term)))
        else:
            # PostgreSQL combines the trigram and b-tree indexes itself (BitmapOr).
            query = query.where(or_(Product.name_lower.contains(fold(term), autoescape=True), *by_code))
    if kind:
        query = query.where(Product.kind == kind)
    # The total rides on each row (a window count): the match set is built once, not twice.
    found = session.execute(query.add_columns(func.count().over()).order_by(Product.name, Product.id)
                            .offset(offset).limit(limit)).unique().all()
    if found:
        return [product for product, _ in found], found[0][1]
    total = session.scalar(select(func.count()).select_from(query.with_only_columns(Product.id).subquery())) or 0
    return [], total


def emdn_term(session: Session, code: str | None) -> str | None:
    if not code:
        return None
    row = session.get(EmdnCode, code)
    return row.term if row else None


def establishments(session: Session, region_code: str | None = None) -> list[Organisation]:
    query = select(Organisation).where(Organisation.kind == "establishment")
    if region_code:
        query = query.where(Organisation.region_code == region_code)
    return list(session.scalars(query.order_by(Organisation.name)))


@dataclass
class ProductDetail:
    product: Product
    emdn_term: str | None
    sites: list[ProductionSite]
    suppliers: list[Organisation]


def product_detail(session: Session, product_id: int) -> ProductDetail:
    product = by_id(session, Product, product_id)
    if product is None:
        raise NotFound(f"produit introuvable : {product_id}", "product_id")
    sites = session.scalars(select(ProductionSite).join(ProductSite, ProductSite.site_id == ProductionSite.id)
                            .where(ProductSite.product_id == product.id).order_by(ProductionSite.name))
    suppliers = session.scalars(select(Organisation).join(ProductSupplier, ProductSupplier.supplier_id == Organisation.id)
                                .where(ProductSupplier.product_id == product.id).order_by(Organisation.name))
    return ProductDetail(product, emdn_term(session, product.emdn_code), list(sites), list(suppliers))


def add_member(session: Session, actor: User | None, purchaser_id: int, establishment_id: int) -> Membership:
    """Enrol an establishment in a purchasing group. The national agency's act: a group that could
    enrol hospitals itself could read the confidential notices of any of them."""
    if actor is not None:
        require(actor, policy.can_enrol_member(actor),
                "seule l'agence nationale inscrit un établissement dans un groupement d'achat")
    purchaser = by_id(session, Organisation, purchaser_id)
    if purchaser is None or purchaser.kind != "purchaser":
        raise Invalid(f"groupement d'achat introuvable : {purchaser_id}", "purchaser_id")
    member = by_id(session, Organisation, establishment_id)
    if member is None or member.kind != "establishment":
        raise Invalid(f"établissement introuvable : {establishment_id}", "establishment_id")
    existing = session.scalar(select(Membership).where(Membership.purchaser_id == purchaser_id,
                                                       Membership.establishment_id == establishment_id))
    if existing is not None:
        return existing
    membership = Membership(purchaser_id=purchaser_id, establishment_id=establishment_id)
    session.add(membership)
    session.flush()
    audit.record(session, actor, audit.Action.MEMBERSHIP_ADD, "organisation", purchaser_id,
                 after={"establishment_id": establishment_id})
    return membership


def members(session: Session, purchaser_id: int) -> list[Organisation]:
    return list(session.scalars(select(Organisation).join(Membership, Membership.establishment_id == Organisation.id)
                                .where(Membership.purchaser_id == purchaser_id).order_by(Organisation.name)))


@dataclass
class MemberProduct:
    product: Product
    buyers: int  # how many member establishments buy it


def members_catalogue(session: Session, user: User | None, q: str = "", *, offset: int = 0,
                      limit: int = 50) -> tuple[list[MemberProduct], int]:
    """What a purchasing group's members buy, most bought first (the purchaser's own view)."""
    user = require(user, policy.can_read_members_catalogue(user), "réservé aux groupements d'achat")
    buyers = func.count(func.distinct(Purchase.establishment_id)).label("buyers")
    query = (select(Product, buyers).join(Purchase, Purchase.product_id == Product.id)
             .join(Membership, Membership.establishment_id == Purchase.establishment_id)
             .where(Membership.purchaser_id == user.organisation_id).group_by(Product.id))
    if q.strip():
        query = query.where(Product.id.in_(name_match_ids(session, q)))
    total = session.scalar(select(func.count()).select_from(query.with_only_columns(Product.id).subquery())) or 0
    rows = session.execute(query.order_by(buyers.desc(), Product.name).offset(offset).limit(limit)).unique().all()
    return [MemberProduct(product, n) for product, n in rows], total
