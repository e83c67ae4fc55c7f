"""JSON API for the catalogue: product search and a product."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from sentinelle.catalogue import service
from sentinelle.catalogue.models import Product
from sentinelle.errors import NotFound
from sentinelle.schemas_common import ERRORS
from sentinelle.signals.schemas import ProductRef
from sentinelle.store.base import id_in_range
from sentinelle.web.deps import get_db

router = APIRouter(prefix="/products", tags=["catalogue"], responses=ERRORS)


class ProductPage(BaseModel):
    items: list[ProductRef]
    total: int
    page: int
    per_page: int


@router.get("", response_model=ProductPage)
def search(
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str | None, Query(pattern="^(device|medicine)$")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
    db: Session = Depends(get_db),
) -> ProductPage:
    rows, total = service.search_products(db, q, kind=kind, offset=(page - 1) * per_page, limit=per_page)
    return ProductPage(items=[ProductRef.model_validate(p) for p in rows], total=total, page=page, per_page=per_page)


@router.get("/{product_id}", response_model=ProductRef)
def get_product(product_id: int, db: Session = Depends(get_db)) -> ProductRef:
    product = db.get(Product, product_id) if id_in_range(product_id) else None
    if product is None:
        raise NotFound(f"produit introuvable : {product_id}")
    return ProductRef.model_validate(product)
