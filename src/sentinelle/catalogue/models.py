"""Catalogue tables: organisations (hospitals, agencies, manufacturers), products, EMDN."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sentinelle.i18n import _
from sentinelle.store.base import Base, utcnow

ORG_KINDS = ("establishment", "region", "national", "manufacturer", "supplier", "purchaser", "public")
ORGANISATION_KIND_LABELS = {"establishment": _("Établissement de santé"), "region": _("Agence régionale de santé"),
                            "national": _("Agence nationale"), "manufacturer": _("Fabricant"),
                            "supplier": _("Fournisseur"), "purchaser": _("Groupement d'achat"), "public": _("Public")}


class Organisation(Base):
    """Any body that acts in Sentinelle. An establishment (hospital) carries its FINESS."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(300))
    finess: Mapped[str | None] = mapped_column(String(9), unique=True)
    region_code: Mapped[str | None] = mapped_column(String(2), index=True)
    sentinel: Mapped[bool] = mapped_column(Boolean, default=False)
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmdnCode(Base):
    __tablename__ = "emdn_code"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    term: Mapped[str] = mapped_column(Text)
    level: Mapped[int] = mapped_column(Integer)
    terminal: Mapped[bool] = mapped_column(Boolean)
    category: Mapped[str] = mapped_column(String(1), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(16))


class Product(Base):
    """A device (EMDN, GTIN/UDI-DI) or a medicine (CIS, CIP13, ATC)."""

    __tablename__ = "product"
    __table_args__ = (Index("ix_product_name_lower", "name_lower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # device | medicine
    name: Mapped[str] = mapped_column(String(500))
    # Lower-cased, accent-folded name for search on both SQLite and PostgreSQL.
    name_lower: Mapped[str] = mapped_column(String(500))
    emdn_code: Mapped[str | None] = mapped_column(String(16), index=True)
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    cis: Mapped[str | None] = mapped_column(String(8), unique=True)
    cip13: Mapped[str | None] = mapped_column(String(13), index=True)
    atc_code: Mapped[str | None] = mapped_column(String(7), index=True)
    # A medicine's active substances as the BDPM names them, and their key (catalogue/substances.py):
    # what a shortage abroad on the same substances is matched by.
    substances: Mapped[str | None] = mapped_column(Text)
    substance_key: Mapped[str | None] = mapped_column(String(300), index=True)
    holder: Mapped[str | None] = mapped_column(String(300))
    manufacturer_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    seasonal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    manufacturer: Mapped[Organisation | None] = relationship(lazy="joined")


class ProductionSite(Base):
    __tablename__ = "production_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    country: Mapped[str] = mapped_column(String(2))


class ProductSite(Base):
    __tablename__ = "product_site"

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("production_site.id"), primary_key=True)


class ProductSupplier(Base):
    """Who sells a product (a manufacturer or a distributor)."""

    __tablename__ = "product_supplier"

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)


class PriceObservation(Base):
    """A medicine presentation's public price as one BDPM import saw it: successive imports make its
    history, whose fall is the price erosion of the vulnerability (risk/vulnerability.py)."""

    __tablename__ = "price_observation"

    cip13: Mapped[str] = mapped_column(String(13), primary_key=True)
    observed_on: Mapped[date] = mapped_column(Date, primary_key=True)
    cis: Mapped[str] = mapped_column(String(8), index=True)
    price: Mapped[float] = mapped_column(Float)


class Purchase(Base):
    """An establishment buys this product: it is a customer concerned by notices on it."""

    __tablename__ = "purchase"
    __table_args__ = (UniqueConstraint("establishment_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)


class Membership(Base):
    """An establishment is a member of a purchasing group (GHT, central purchasing): the group sees
    signals on what its members buy. Set by the national agency, never claimed by the group itself."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("purchaser_id", "establishment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    purchaser_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
