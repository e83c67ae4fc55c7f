"""Catalogue in and out of the API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from sentinelle.schemas_common import DbId


class ProductRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    name: str
    emdn_code: str | None
    gtin: str | None
    cis: str | None
    cip13: str | None
    atc_code: str | None


class OrganisationRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    name: str
    country: str | None


class SiteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    country: str


class ProductDetailOut(ProductRef):
    emdn_term: str | None
    holder: str | None
    seasonal: bool
    manufacturer: OrganisationRef | None
    sites: list[SiteOut]
    suppliers: list[OrganisationRef]


class ProductPage(BaseModel):
    items: list[ProductRef]
    total: int
    page: int
    per_page: int


class SignalBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str
    confidential: bool


class MemberProductOut(BaseModel):
    product: ProductRef
    buyers: int
    open_signals: list[SignalBrief]


class MemberCatalogue(BaseModel):
    items: list[MemberProductOut]
    total: int
    page: int
    per_page: int


class MembershipIn(BaseModel):
    purchaser_id: DbId
    establishment_id: DbId
