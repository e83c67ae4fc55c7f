"""Shortage signals: the declaration, its lifecycle events, measures and declarers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sentinelle.catalogue.models import Organisation, Product
from sentinelle.store.base import Base, utcnow

KINDS = ("tension", "rupture", "discontinuation")
STATUSES = ("declared", "qualified", "validated", "published", "resolved", "rejected", "merged")
SOURCES = ("establishment", "manufacturer", "region", "national", "detection", "ansm")
CAUSES = ("production", "quality", "demand", "logistics", "regulatory", "commercial", "unknown")
MEASURE_KINDS = ("quota", "allocation", "import", "contingency", "other")


class Signal(Base):
    __tablename__ = "signal"
    # The lists are ordered by last update, newest first, usually filtered by status.
    __table_args__ = (Index("ix_signal_updated", "updated_at", "id", "published_at"),
                      Index("ix_signal_status_updated", "status", "updated_at", "id", "published_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(20))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    # The region whose agency qualifies it; None for national signals and manufacturer notices.
    region_code: Mapped[str | None] = mapped_column(String(2), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    cause: Mapped[str] = mapped_column(String(20), default="unknown")
    cause_detail: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[date] = mapped_column(Date)
    expected_end_at: Mapped[date | None] = mapped_column(Date)
    stock_coverage_days: Mapped[int | None] = mapped_column(Integer)
    measures_taken: Mapped[str] = mapped_column(Text, default="")
    public_message: Mapped[str] = mapped_column(Text, default="")
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("signal.id"))
    # Manufacturer's advance notice (EU MDR art. 10a): the planned interruption date.
    interruption_at: Mapped[date | None] = mapped_column(Date)
    # "regional": a tension published by its region's agency alone, without national validation.
    scope: Mapped[str] = mapped_column(String(10), default="national", server_default="national")
    notice_late: Mapped[bool] = mapped_column(Boolean, default=False)
    external_ref: Mapped[str | None] = mapped_column(String(80), unique=True)
    external_url: Mapped[str | None] = mapped_column(String(500))
    # "product:region" while a declared signal is open, None otherwise: the unique index makes two
    # declarations of one product in one region, even at the same instant, one signal.
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    resolved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}  # type: ignore[misc]

    product: Mapped[Product] = relationship(lazy="joined")
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    # selectin: one query for the measures of a whole page of signals, not one per signal.
    measures: Mapped[list[Measure]] = relationship(
        back_populates="signal", order_by="Measure.id", cascade="all, delete-orphan", lazy="selectin"
    )
    declarers: Mapped[list[Declarer]] = relationship(order_by="Declarer.id", cascade="all, delete-orphan")


class Declarer(Base):
    """Every organisation that declared this shortage (kept through merges), with its own declaration.

    A declaration never grants more than its author could already read: one that finds the product
    already followed by a signal its author may not read is kept here, not admitted, until the
    signal's region or the national agency admits it (then its author reads the signal)."""

    __tablename__ = "signal_declarer"

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    admitted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # What this organisation declared (kind, dates, coverage, measures, detail), as it typed it.
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Its measures shown to the other hospitals and buyers once the signal is published.
    share_measures: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Event(Base):
    """One line of a signal's timeline: a transition, a comment, an update, an import."""

    __tablename__ = "signal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    actor_label: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    # Public lines show on the public page once the signal is published.
    public: Mapped[bool] = mapped_column(Boolean, default=False)


class Measure(Base):
    """A management measure decided by the national agency."""

    __tablename__ = "signal_measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)

    signal: Mapped[Signal] = relationship(back_populates="measures")


class SeriesPoint(Base):
    """One week of the supply behind a signal raised by detection: the fill rate and the delay of the
    lines judged that week (the chart on the signal page)."""

    __tablename__ = "signal_series"
    __table_args__ = (UniqueConstraint("signal_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id"), index=True)
    week: Mapped[date] = mapped_column(Date)  # its Monday
    lines: Mapped[int] = mapped_column(Integer)
    fill_rate: Mapped[float] = mapped_column(Float)  # delivered ÷ ordered, as known on judgement day
    delay_days: Mapped[float] = mapped_column(Float)  # mean working days past due, as known then


class Episode(Base):
    """An alert episode of detection, and the signal it went to: its own candidate the first time, the
    product's open signal in the same scope afterwards (one open candidate per product and scope,
    its evidence growing). The primary key makes each episode count once, however often detection runs."""

    __tablename__ = "detection_episode"

    ref: Mapped[str] = mapped_column(String(80), primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id"), index=True)
    first_alert_at: Mapped[date] = mapped_column(Date)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
