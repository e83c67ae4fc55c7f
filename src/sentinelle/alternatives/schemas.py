"""Alternatives and their ratings in and out of the API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sentinelle.schemas_common import UtcDatetime
from sentinelle.signals.schemas import ProductRef


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
