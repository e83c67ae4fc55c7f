"""Alternatives, lessons learned and ratings in and out of the API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sentinelle.catalogue.schemas import ProductRef
from sentinelle.schemas_common import DbId, UtcDatetime


class AlternativeIn(BaseModel):
    description: str = Field(min_length=1, max_length=5000)
    product_id: DbId | None = None
    conditions: str = Field("", max_length=5000)


class LessonIn(BaseModel):
    what_worked: str = Field("", max_length=5000)
    what_failed: str = Field("", max_length=5000)
    recommendation: str = Field("", max_length=5000)


class RatingIn(BaseModel):
    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=2000)


class RatingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    alternative_id: int
    score: int
    comment: str
    organisation_name: str | None
    at: UtcDatetime


class AlternativeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    signal_id: int
    description: str
    conditions: str
    product: ProductRef | None
    rating_average: float | None
    rating_count: int
