"""JSON API for the catalogue: product search, a product, a purchasing group's members and their catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from sentinelle.catalogue import schemas, service
from sentinelle.catalogue.schemas import ProductRef
from sentinelle.errors import NotAuthenticated
from sentinelle.schemas_common import ERRORS
from sentinelle.signals import service as signals
from sentinelle.web.deps import ApiUserDep, DbDep, UserDep

router = APIRouter(tags=["catalogue"], responses=ERRORS)


@router.get("/products", response_model=schemas.ProductPage)
def search(
    *, q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str | None, Query(pattern="^(device|medicine)$")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    db: DbDep,
) -> schemas.ProductPage:
    rows, total = service.search_products(db, q, kind=kind, offset=(page - 1) * per_page, limit=per_page)
    return schemas.ProductPage(items=[ProductRef.model_validate(p) for p in rows], total=total, page=page,
                               per_page=per_page)


@router.get("/products/{product_id}", response_model=schemas.ProductDetailOut)
def get_product(product_id: int, db: DbDep) -> schemas.ProductDetailOut:
    d = service.product_detail(db, product_id)
    return schemas.ProductDetailOut.model_validate({
        **ProductRef.model_validate(d.product).model_dump(), "emdn_term": d.emdn_term, "holder": d.product.holder,
        "seasonal": d.product.seasonal, "manufacturer": d.product.manufacturer, "sites": d.sites,
        "suppliers": d.suppliers}, from_attributes=True)


@router.get("/members/products", response_model=schemas.MemberCatalogue)
def members_catalogue(
    *, q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    user: UserDep,
    db: DbDep,
) -> schemas.MemberCatalogue:
    """A purchasing group's view: what its members buy, with the open signals it may see on each."""
    if user is None:
        raise NotAuthenticated("authentification requise (jeton d'API ou session)")
    rows, total = service.members_catalogue(db, user, q, offset=(page - 1) * per_page, limit=per_page)
    open_signals = signals.open_by_product(db, user, [r.product.id for r in rows])
    return schemas.MemberCatalogue(items=[
        schemas.MemberProductOut(product=ProductRef.model_validate(r.product), buyers=r.buyers,
                                 open_signals=[schemas.SignalBrief.model_validate(s) for s in open_signals[r.product.id]])
        for r in rows], total=total, page=page, per_page=per_page)


@router.post("/members", response_model=schemas.MembershipIn, status_code=201)
def add_member(data: schemas.MembershipIn, user: ApiUserDep,
               db: DbDep) -> schemas.MembershipIn:
    """Enrol an establishment in a purchasing group (national agency only)."""
    if user is None:
        raise NotAuthenticated("authentification requise (jeton d'API ou session)")
    service.add_member(db, user, data.purchaser_id, data.establishment_id)
    return data
