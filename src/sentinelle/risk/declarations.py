"""What a manufacturer declares of its supply chains (issue 17, point 2): its production sites, the
sites each of its products is made at, and the inputs a product depends on with how many qualified
sources each has (one: a single source). Each use case checks, writes, and leaves one audit row.

Sites are public (a product page names them, as the catalogue always did); inputs are confidential:
the manufacturer and the national agency read them (risk/policy.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue import countries
from sentinelle.catalogue.models import Product, ProductionSite, ProductSite
from sentinelle.errors import Invalid, NotFound, Problem, require
from sentinelle.risk import policy
from sentinelle.risk.models import ProductVulnerability, SupplyInput
from sentinelle.risk.schemas import InputIn, ProductSitesIn, SiteIn
from sentinelle.store.db import by_id

REFUSAL = "seul le fabricant du produit déclare ses sites et ses intrants"


def _country(code: str | None, field: str, problems: list[Problem]) -> str | None:
    if code is None or code == "":
        return None
    if not countries.is_country(code):
        problems.append((field, f"pays inconnu : « {code} » (code ISO à deux lettres, ex. FR, DE, IN)"))
    return code.upper()


def _own_product(session: Session, user: User | None, product_id: int) -> tuple[User, Product]:
    user = require(user, policy.can_declare_supply(user), REFUSAL)
    product = by_id(session, Product, product_id)
    # Another maker's product is not found rather than forbidden: its existence is no secret, but
    # this form has nothing to say of it.
    if product is None or product.manufacturer_id != user.organisation_id:
        raise NotFound(f"produit {product_id} : aucun de vos produits ne porte ce numéro", "product_id")
    return user, product


def add_site(session: Session, user: User | None, data: SiteIn) -> ProductionSite:
    """A new production site of the user's manufacturer."""
    user = require(user, policy.can_declare_supply(user), REFUSAL)
    problems: list[Problem] = []
    country = _country(data.country, "country", problems)
    name = data.name.strip()
    if not name:
        problems.append(("name", "nom du site : obligatoire"))
    if problems:
        raise Invalid.all_of(problems)
    site = ProductionSite(manufacturer_id=user.organisation_id, name=name, country=country)
    session.add(site)
    session.flush()
    audit.record(session, user, audit.Action.SUPPLY_SITE, "production_site", site.id,
                 after={"name": site.name, "country": site.country})
    return site


def set_product_sites(session: Session, user: User | None, product_id: int, data: ProductSitesIn) -> list[int]:
    """Where one of the user's products is made: the whole set of its sites (all the maker's own)."""
    user, product = _own_product(session, user, product_id)
    wanted = sorted(set(data.site_ids))
    own = set(session.scalars(select(ProductionSite.id).where(ProductionSite.manufacturer_id == user.organisation_id,
                                                               ProductionSite.id.in_(wanted))))
    unknown = [i for i in wanted if i not in own]
    if unknown:
        raise Invalid(f"site {unknown[0]} : aucun de vos sites ne porte ce numéro", "site_ids")
    before = sorted(session.scalars(select(ProductSite.site_id).where(ProductSite.product_id == product.id)))
    session.execute(delete(ProductSite).where(ProductSite.product_id == product.id))
    session.add_all([ProductSite(product_id=product.id, site_id=i) for i in wanted])
    session.flush()
    audit.record(session, user, audit.Action.SUPPLY_SITE, "product", product.id,
                 before={"sites": before}, after={"sites": wanted})
    return wanted


def declare_input(session: Session, user: User | None, product_id: int, data: InputIn) -> SupplyInput:
    """Declare an input of one of the user's products; the same name again replaces its declaration
    (the unique key decides between two at once)."""
    user, product = _own_product(session, user, product_id)
    problems: list[Problem] = []
    origin = _country(data.origin_country, "origin_country", problems)
    name = " ".join(data.name.split())
    if not name:
        problems.append(("name", "nom de l'intrant : obligatoire"))
    if problems:
        raise Invalid.all_of(problems)
    values = {"kind": data.kind, "sources": data.sources, "origin_country": origin, "declared_by_id": user.id}
    # The same input spelled with other capitals is the same input (compared here: SQLite's lower()
    # knows only ASCII).
    def same() -> SupplyInput | None:
        return next((i for i in session.scalars(select(SupplyInput).where(SupplyInput.product_id == product.id))
                     if i.name.casefold() == name.casefold()), None)

    found = same()
    before = None
    if found is None:
        try:
            with session.begin_nested():
                found = SupplyInput(product_id=product.id, manufacturer_id=user.organisation_id, name=name, **values)
                session.add(found)
        except IntegrityError:
            found = same()
            if found is None:
                raise

    if found.id is not None and (found.kind, found.sources, found.origin_country) != (
            data.kind, data.sources, origin):
        before = {"kind": found.kind, "sources": found.sources, "origin_country": found.origin_country}
        for key, value in values.items():
            setattr(found, key, value)
    session.flush()
    audit.record(session, user, audit.Action.SUPPLY_INPUT, "product", product.id, before=before,
                 after={"name": found.name, "kind": found.kind, "sources": found.sources,
                        "origin_country": found.origin_country})
    return found


def remove_input(session: Session, user: User | None, input_id: int) -> None:
    user = require(user, policy.can_declare_supply(user), REFUSAL)
    found = by_id(session, SupplyInput, input_id)
    if found is None or found.manufacturer_id != user.organisation_id:
        raise NotFound(f"intrant {input_id} : aucune de vos déclarations ne porte ce numéro", "input_id")
    audit.record(session, user, audit.Action.SUPPLY_INPUT, "product", found.product_id,
                 before={"name": found.name, "kind": found.kind, "sources": found.sources}, after=None)
    session.delete(found)
    session.flush()


@dataclass
class OwnProduct:
    """One of the manufacturer's products with what it declared and the score it has."""

    product: Product
    site_ids: list[int]
    inputs: list[SupplyInput]
    vulnerability: ProductVulnerability | None


@dataclass
class Declarations:
    sites: list[ProductionSite]
    products: list[OwnProduct]
    total: int


def mine(session: Session, user: User | None, *, offset: int = 0, limit: int = 50) -> Declarations:
    """The manufacturer's sites and its products (a page of them), each with its sites, its inputs and
    its vulnerability score: the most vulnerable first, then by name."""
    user = require(user, policy.can_declare_supply(user), REFUSAL)
    org = user.organisation_id
    sites = list(session.scalars(select(ProductionSite).where(ProductionSite.manufacturer_id == org)
                                 .order_by(ProductionSite.name, ProductionSite.id)))
    query = (select(Product, ProductVulnerability).outerjoin(ProductVulnerability,
                                                             ProductVulnerability.product_id == Product.id)
             .where(Product.manufacturer_id == org))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(ProductVulnerability.score.desc().nulls_last(), Product.name, Product.id)
                           .offset(offset).limit(limit)).all()
    ids = [p.id for p, _ in rows]
    linked: dict[int, list[int]] = {i: [] for i in ids}
    for pid, sid in session.execute(select(ProductSite.product_id, ProductSite.site_id)
                                    .where(ProductSite.product_id.in_(ids))):
        linked[pid].append(sid)
    inputs: dict[int, list[SupplyInput]] = {i: [] for i in ids}
    for item in session.scalars(select(SupplyInput).where(SupplyInput.product_id.in_(ids))
                                .order_by(SupplyInput.name)):
        inputs[item.product_id].append(item)
    return Declarations(sites, [OwnProduct(p, sorted(linked[p.id]), inputs[p.id], v) for p, v in rows], total)


def inputs_of(session: Session, user: User | None, product: Product) -> list[SupplyInput]:
    """A product's declared inputs, for who may read them (else none)."""
    if not policy.reads_inputs(user, product):
        return []
    return list(session.scalars(select(SupplyInput).where(SupplyInput.product_id == product.id)
                                .order_by(SupplyInput.name)))


@dataclass(frozen=True)
class Declared:
    """What the declarations say of one product, for its vulnerability."""

    sites: int = 0
    sites_outside_eu: int = 0
    single_source: int = 0

    @property
    def outside_eu_share(self) -> float:
        """The `sites_outside_eu` criterion: the share of its declared sites outside the EU."""
        return self.sites_outside_eu / self.sites if self.sites else 0.0

    @property
    def single_source_value(self) -> float:
        """The `single_source` criterion on 0–1: two single-source inputs or more count fully."""
        return min(self.single_source, 2) / 2


def facts(session: Session) -> dict[int, Declared]:
    """Per product: its declared sites (how many outside the EU) and its single-source inputs."""
    sites: dict[int, list[str]] = {}
    for pid, country in session.execute(select(ProductSite.product_id, ProductionSite.country)
                                        .join(ProductionSite, ProductionSite.id == ProductSite.site_id)):
        sites.setdefault(pid, []).append(country)
    single = dict(session.execute(select(SupplyInput.product_id, func.count()).where(SupplyInput.sources == 1)
                                  .group_by(SupplyInput.product_id)).all())
    return {pid: Declared(len(sites.get(pid, [])), sum(c not in countries.EU for c in sites.get(pid, [])),
                          int(single.get(pid, 0)))
            for pid in set(sites) | set(single)}
