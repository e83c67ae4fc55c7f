"""Risk mappings and grids in and out of the API."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sentinelle.schemas_common import DbId, UtcDatetime

Level = Field(ge=0, le=10)


class ScoreIn(BaseModel):
    """A category's four criteria; the grid of the mapping says their range (1 to 4 by default)."""

    emdn_code: str = Field(min_length=1, max_length=16)
    p: int = Level
    i: int = Level
    e: int = Level
    u: int = Level
    note: str = Field("", max_length=2000)


class StartIn(BaseModel):
    """Start one's mapping: on the current grid, or by copying a shared reference mapping."""

    reference_id: DbId | None = None


class ShareIn(BaseModel):
    shared: bool


class GridIn(BaseModel):
    """A new grid, or a new version of one (same code): never a change of the one scores were made on."""

    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1, max_length=200)
    combination: Literal["product", "sum"] = "product"
    scale_min: int = Field(1, ge=0, le=9)
    scale_max: int = Field(4, ge=1, le=10)
    thresholds: list[int] = Field(min_length=3, max_length=3)
    source: str = Field(min_length=1, max_length=5000)
    guide: dict[Literal["p", "i", "e", "u"], dict[str, str]] = Field(default_factory=dict)


class GridOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    version: int
    name: str
    combination: str
    scale_min: int
    scale_max: int
    thresholds: list[int]
    source: str
    guide: dict[str, dict[str, str]]
    created_at: UtcDatetime


class ScoreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    emdn_code: str
    term: str | None
    p: int
    i: int
    e: int
    u: int
    score: int
    level: int
    risk_class: str
    note: str
    scored_at: UtcDatetime


class MappingOut(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    region_code: str | None
    grid: GridOut
    shared: bool
    shared_at: UtcDatetime | None
    based_on_id: int | None
    updated_at: UtcDatetime
    scores: list[ScoreOut]


class ReferenceOut(BaseModel):
    """A mapping some hospital shared: who, when, on which grid, how many categories."""

    id: int
    organisation_name: str
    region_code: str | None
    grid_code: str
    grid_version: int
    shared_at: UtcDatetime | None
    categories: int


class RegionCategoryOut(BaseModel):
    emdn_code: str
    term: str | None
    hospitals: int
    classes: dict[str, int]
    mean_level: float
    max_level: int


class RegionHospitalOut(BaseModel):
    organisation_id: int
    organisation_name: str
    mapping_id: int | None
    categories: int
    classes: dict[str, int]


class RegionMapOut(BaseModel):
    region_code: str
    hospitals: list[RegionHospitalOut]
    categories: list[RegionCategoryOut]


class ImportRejectedOut(BaseModel):
    line: int
    field: str
    reason: str


class ImportOut(BaseModel):
    applied: bool
    created: int
    updated: int
    unchanged: int
    rejected: list[ImportRejectedOut]


class ImpactIn(BaseModel):
    """What a shortage did to the hospital's care; sent again, it replaces the hospital's record."""

    delayed_care: bool = False
    delayed_patients: int = Field(0, ge=0, le=1_000_000)
    deprogrammed: int = Field(0, ge=0, le=1_000_000)
    switched: bool = False
    switch_training: bool = False
    switch_adaptation: bool = False
    adverse_events: int = Field(0, ge=0, le=100_000)
    vigilance_refs: list[str] = Field(default_factory=list, max_length=100)
    description: str = Field("", max_length=5000)


class ImpactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    signal_id: int
    organisation_id: int
    organisation_name: str
    delayed_care: bool
    delayed_patients: int
    deprogrammed: int
    switched: bool
    switch_training: bool
    switch_adaptation: bool
    adverse_events: int
    vigilance_refs: list[str]
    description: str
    updated_at: UtcDatetime


class ImpactStatOut(BaseModel):
    group: str
    label: str
    hospitals: int
    delayed_care: int
    delayed_patients: int
    deprogrammed: int
    switched: int
    switch_training: int
    switch_adaptation: int
    adverse_events: int


class PriorityPartOut(BaseModel):
    part: str
    label: str
    value: float
    weight: float
    contribution: float


class PriorityLineOut(BaseModel):
    rank: int
    score: float
    product_id: int
    product_name: str
    product_kind: str
    category: str | None
    parts: list[PriorityPartOut]


class PriorityPageOut(BaseModel):
    items: list[PriorityLineOut]
    total: int
    page: int
    per_page: int
    computed_at: UtcDatetime | None


class WatchCategoryIn(BaseModel):
    emdn_code: str = Field(min_length=1, max_length=16)
    reason: str = Field("", max_length=500)
    waves: list[Literal["flu", "bronchiolitis", "covid"]] = Field(min_length=1, max_length=3)
    demand_ratio: float = Field(1.5, gt=1.0, le=20.0)
    coverage_days: int = Field(14, ge=1, le=365)


class WatchListIn(BaseModel):
    """The next version of the watch list, whole, with the RETEX that made it."""

    categories: list[WatchCategoryIn] = Field(min_length=1, max_length=200)
    retex: str = Field(min_length=1, max_length=5000)


class WatchForecastOut(BaseModel):
    week_ending: date
    low_95: float
    median: float
    high_95: float


class WatchOutlookOut(BaseModel):
    emdn_code: str
    term: str | None
    reason: str
    waves: list[str]
    demand_ratio: float
    coverage_days: int
    products: int
    last_week: date | None
    last_week_demand: float | None
    baseline: float | None
    baseline_from: str
    forecast: list[WatchForecastOut]
    low_coverage_signal_ids: list[int]
    alerts: list[str]


class WatchListOut(BaseModel):
    version: int
    retex: str
    published_at: UtcDatetime
    categories: list[WatchOutlookOut]


class RankedOut(BaseModel):
    rank: int
    product_id: int
    product_name: str
    atc_code: str | None
    emdn_code: str | None
    model: str
    score: int
    as_of: date


class RankingPageOut(BaseModel):
    items: list[RankedOut]
    total: int
    page: int
    per_page: int
    published: bool


class PublicationIn(BaseModel):
    published: bool


# What manufacturers declare of their supply chains ---------------------------------------------

COUNTRY = r"^[A-Za-z]{2}$"


class SiteIn(BaseModel):
    """A production site of the manufacturer: its name and country (ISO 3166 code, « FR », « IN »)."""

    name: str = Field(min_length=1, max_length=300)
    country: str = Field(min_length=2, max_length=2, pattern=COUNTRY)


class ProductSitesIn(BaseModel):
    """The sites (of the manufacturer's own) where one of its products is made: the whole set."""

    site_ids: list[DbId] = Field(default_factory=list, max_length=200)


class InputIn(BaseModel):
    """An input a product depends on; `sources` 1 is a single source."""

    name: str = Field(min_length=1, max_length=200)
    kind: Literal["substance", "raw_material", "component", "packaging"]
    sources: int = Field(ge=1, le=99)
    origin_country: str | None = Field(None, min_length=2, max_length=2, pattern=COUNTRY)


class InputOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    name: str
    kind: str
    sources: int
    origin_country: str | None
    declared_at: UtcDatetime


class SiteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    country: str


class SupplyProductOut(BaseModel):
    product_id: int
    product_name: str
    site_ids: list[int]
    inputs: list[InputOut]
    score: int | None
    model: str | None
    parts: dict[str, float]


class SupplyOut(BaseModel):
    sites: list[SiteOut]
    products: list[SupplyProductOut]
    total: int
    page: int
    per_page: int
