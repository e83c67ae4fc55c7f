"""Risk tables: the P.I.E.U grids (versioned), each hospital's mapping and its scores per EMDN category;
the shortages posted abroad and what each snapshot said of them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sentinelle.catalogue.models import Organisation
from sentinelle.i18n import _
from sentinelle.store.base import Base, utcnow

# The four criteria of the method, in its order: Pannes, Importance, État, Utilisation.
CRITERIA = ("p", "i", "e", "u")
CRITERION_LABELS = {"p": _("Pannes"), "i": _("Importance pour les soins"), "e": _("État"),
                    "u": _("Utilisation")}
# How a grid makes one score of the four: their product (C = P × I × E × U) or their sum.
COMBINATIONS = ("product", "sum")
COMBINATION_LABELS = {"product": _("produit (C = P × I × E × U)"), "sum": _("somme (C = P + I + E + U)")}
# Risk classes, lowest first; a grid's thresholds are the highest score of each class but the last.
RISK_CLASSES = ("low", "moderate", "high", "critical")
RISK_CLASS_LABELS = {"low": _("faible"), "moderate": _("modéré"), "high": _("élevé"), "critical": _("critique")}


class RiskGrid(Base):
    """A scoring grid, never changed once made: a change is a new version of the same code, and every
    mapping keeps the version its scores were made with (no score is ever silently recomputed)."""

    __tablename__ = "risk_grid"
    __table_args__ = (UniqueConstraint("code", "version"),
                      CheckConstraint("scale_min >= 0 AND scale_max > scale_min AND scale_max <= 10",
                                      name="scale"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    combination: Mapped[str] = mapped_column(String(10))
    scale_min: Mapped[int] = mapped_column(Integer)
    scale_max: Mapped[int] = mapped_column(Integer)
    # The highest score of the classes low, moderate and high, ascending; above the last: critical.
    thresholds: Mapped[list[int]] = mapped_column(JSON)
    # What each level of each criterion means: {"p": {"1": "…", …}, …}.
    guide: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RiskMapping(Base):
    """One hospital's P.I.E.U mapping on one grid version. Shared, it becomes a reference mapping that
    other hospitals read and may start from."""

    __tablename__ = "risk_mapping"
    __table_args__ = (UniqueConstraint("organisation_id", "grid_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("risk_grid.id"), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_at: Mapped[datetime | None]
    # The reference mapping it started from, if any (its scores were copied, then adapted).
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("risk_mapping.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    grid: Mapped[RiskGrid] = relationship(lazy="joined")


class RiskScore(Base):
    """A category's four criteria in a mapping, with the score and class its grid made of them."""

    __tablename__ = "risk_score"
    __table_args__ = (UniqueConstraint("mapping_id", "emdn_code"),
                      CheckConstraint("p >= 0 AND p <= 10 AND i >= 0 AND i <= 10 AND e >= 0 AND e <= 10 "
                                      "AND u >= 0 AND u <= 10", name="criteria_range"))

    id: Mapped[int] = mapped_column(primary_key=True)
    mapping_id: Mapped[int] = mapped_column(ForeignKey("risk_mapping.id"), index=True)
    emdn_code: Mapped[str] = mapped_column(ForeignKey("emdn_code.code"))
    p: Mapped[int] = mapped_column(Integer)
    i: Mapped[int] = mapped_column(Integer)
    e: Mapped[int] = mapped_column(Integer)
    u: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    # The score on 0–100 across the grid's range, to compare mappings made on different grids.
    level: Mapped[int] = mapped_column(Integer)
    risk_class: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    scored_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


# Shortages posted abroad: the FDA's drug and device lists, the EMA's catalogue.
FOREIGN_SOURCES = ("fda-drugs", "fda-devices", "ema")
FOREIGN_SOURCE_LABELS = {"fda-drugs": _("FDA (États-Unis), médicaments"),
                         "fda-devices": _("FDA (États-Unis), dispositifs médicaux"),
                         "ema": _("EMA (Union européenne)")}
FOREIGN_STATUSES = ("current", "discontinuation", "resolved")
FOREIGN_STATUS_LABELS = {"current": _("en cours"), "discontinuation": _("arrêt annoncé"), "resolved": _("résolue")}


class ForeignShortage(Base):
    """One record of a foreign list (the FDA lists a shortage per package, the EMA per medicine), as
    its latest snapshot has it; its earlier states are its events."""

    __tablename__ = "foreign_shortage"
    __table_args__ = (UniqueConstraint("source", "record_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(12))
    record_key: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(String(500))
    substances: Mapped[str] = mapped_column(Text, default="")
    substance_key: Mapped[str] = mapped_column(String(300), index=True)
    company: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(16))
    posted_on: Mapped[date | None] = mapped_column(Date)  # when it was first posted (or began)
    updated_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    first_snapshot: Mapped[date] = mapped_column(Date)
    last_snapshot: Mapped[date] = mapped_column(Date)


class ForeignShortageEvent(Base):
    """What one snapshot said of a record: kept for every change, never rewritten."""

    __tablename__ = "foreign_shortage_event"
    __table_args__ = (UniqueConstraint("shortage_id", "snapshot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shortage_id: Mapped[int] = mapped_column(ForeignKey("foreign_shortage.id"), index=True)
    snapshot: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    updated_on: Mapped[date | None] = mapped_column(Date)


class CareImpact(Base):
    """What a shortage did to one hospital's care (roadmap axis I.2): one record per hospital and
    signal, kept up to date by the hospital. Its free text is the hospital's and the agencies'."""

    __tablename__ = "care_impact"
    __table_args__ = (UniqueConstraint("signal_id", "organisation_id"),
                      CheckConstraint("delayed_patients >= 0 AND deprogrammed >= 0 AND adverse_events >= 0",
                                      name="counts"))

    id: Mapped[int] = mapped_column(primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signal.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Care delayed, and for how many patients (when known).
    delayed_care: Mapped[bool] = mapped_column(Boolean, default=False)
    delayed_patients: Mapped[int] = mapped_column(Integer, default=0)
    # Interventions taken off the schedule.
    deprogrammed: Mapped[int] = mapped_column(Integer, default=0)
    # A switch to an alternative, and whether it needed training or an adaptation of practice.
    switched: Mapped[bool] = mapped_column(Boolean, default=False)
    switch_training: Mapped[bool] = mapped_column(Boolean, default=False)
    switch_adaptation: Mapped[bool] = mapped_column(Boolean, default=False)
    adverse_events: Mapped[int] = mapped_column(Integer, default=0)
    # The materiovigilance (or pharmacovigilance) references of those events, one per line.
    vigilance_refs: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ProductVulnerability(Base):
    """A product's industrial vulnerability as of a date: its 0–100 score and each criterion's part in
    it. `model` says how it was made: "medicine" (risk/vulnerability.py: weights fitted on the ANSM
    list, the score a rank) or "device" (risk/supply.py: points set a priori)."""

    __tablename__ = "product_vulnerability"

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    model: Mapped[str] = mapped_column(String(10), default="medicine", server_default="medicine", index=True)
    score: Mapped[int] = mapped_column(Integer)
    parts: Mapped[dict[str, float]] = mapped_column(JSON)
    values: Mapped[dict[str, float]] = mapped_column(JSON)
    as_of: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


INPUT_KINDS = ("substance", "raw_material", "component", "packaging")
INPUT_KIND_LABELS = {"substance": _("substance active"), "raw_material": _("matière première"),
                     "component": _("composant"), "packaging": _("conditionnement")}


class SupplyInput(Base):
    """What a manufacturer declares one of its products depends on: a substance, raw material or
    component, how many qualified sources it has (one: a single source) and where it comes from.
    Confidential: read by the manufacturer and the national agency only (risk/policy.py)."""

    __tablename__ = "supply_input"
    __table_args__ = (UniqueConstraint("product_id", "name"), CheckConstraint("sources >= 1", name="sources_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    manufacturer_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    sources: Mapped[int] = mapped_column(Integer)
    origin_country: Mapped[str | None] = mapped_column(String(2))
    declared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)


LEVELS = ("low", "medium", "high")
LEVEL_LABELS = {"low": _("faible"), "medium": _("moyenne"), "high": _("élevée")}


class UnionCriticality(Base):
    """A substance's criticality as the EU's Union list of critical medicines rates it: the
    seriousness of the disease it treats, its therapeutic alternatives, and what the two make
    (risk/criticality.py). Public: the Union list is."""

    __tablename__ = "union_criticality"

    substance_key: Mapped[str] = mapped_column(String(300), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    seriousness: Mapped[str] = mapped_column(String(8))
    alternatives: Mapped[int] = mapped_column(Integer)
    criticality: Mapped[str] = mapped_column(String(8), index=True)
    on_union_list: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PriorityEntry(Base):
    """A product's place on the national priority list, with its parts (risk/priority.py), as of the
    last refresh."""

    __tablename__ = "priority_entry"

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    score: Mapped[float] = mapped_column(index=True)
    rank: Mapped[int] = mapped_column(Integer, index=True)
    signal: Mapped[float]
    criticality: Mapped[float]
    vulnerability: Mapped[float]
    abroad: Mapped[float]
    seasonal: Mapped[float]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PriorityRegion(Base):
    """Which regions a listed product concerns (its hospitals buy it, or it has an open signal there),
    with its rank: a region's page of the list is one indexed range."""

    __tablename__ = "priority_region"
    __table_args__ = (Index("ix_priority_region_region_rank", "region_code", "rank"),)

    region_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)


# The seasonal watch list (« triple épidémie »): device categories strained by epidemic waves.
WAVES = ("flu", "bronchiolitis", "covid")
WAVE_LABELS = {"flu": _("grippe"), "bronchiolitis": _("bronchiolite"), "covid": _("Covid-19")}


class WatchListVersion(Base):
    """A version of the watch list, never changed once published: the yearly RETEX makes the next."""

    __tablename__ = "watch_list_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    retex: Mapped[str] = mapped_column(Text)  # what the lessons of the past season changed, and why
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)


class WatchCategory(Base):
    """A device category (EMDN code) on a version of the list, with why, for which waves, and when to
    alert."""

    __tablename__ = "watch_category"
    __table_args__ = (UniqueConstraint("version_id", "emdn_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("watch_list_version.id"), index=True)
    emdn_code: Mapped[str] = mapped_column(ForeignKey("emdn_code.code"))
    reason: Mapped[str] = mapped_column(Text, default="")
    waves: Mapped[list[str]] = mapped_column(JSON)
    # Alert when the week's demand (or the forecast's median) passes this times the seasonal baseline…
    demand_ratio: Mapped[float] = mapped_column(default=1.5)
    # …or when an open signal on one of its products declares fewer days of stock than this.
    coverage_days: Mapped[int] = mapped_column(Integer, default=14)


class EpidemicWeek(Base):
    """One week of an epidemic activity series (a wave's: flu, bronchiolitis, Covid), as imported: the
    share of emergency visits, say, that French surveillance publishes; the week is the Sunday ending
    it, as the watch list's demand weeks. A later import replaces a week's value (surveillance revises
    its recent weeks)."""

    __tablename__ = "epidemic_week"

    wave: Mapped[str] = mapped_column(String(16), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    value: Mapped[float]
    source: Mapped[str] = mapped_column(Text, default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Publication(Base):
    """What the national agency chose to make public of the anticipation work (today: the
    vulnerability ranking). One row per thing, switched on and off, each switch audited."""

    __tablename__ = "risk_publication"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
