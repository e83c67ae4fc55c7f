"""What signals look like on the way in and out of the API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from sentinelle.catalogue.schemas import ProductRef
from sentinelle.schemas_common import DbId, HttpUrlOrNone, UtcDatetime


class DeclareIn(BaseModel):
    product_id: DbId
    kind: str = Field(pattern="^(tension|rupture|discontinuation)$")
    cause: str = Field("unknown", pattern="^(production|quality|demand|logistics|regulatory|commercial|unknown)$")
    cause_detail: str = Field("", max_length=5000)
    started_at: date
    expected_end_at: date | None = None
    stock_coverage_days: int | None = Field(None, ge=0, le=3650)
    measures_taken: str = Field("", max_length=5000)
    # Show these measures to the other hospitals and buyers once the signal is published (never who took them).
    share_measures: bool = False


class NoticeIn(BaseModel):
    product_id: DbId
    kind: str = Field("discontinuation", pattern="^(tension|rupture|discontinuation)$")
    cause: str = Field("commercial", pattern="^(production|quality|demand|logistics|regulatory|commercial|unknown)$")
    cause_detail: str = Field("", max_length=5000)
    interruption_at: date
    expected_end_at: date | None = None


class TransitionIn(BaseModel):
    action: str = Field(pattern="^(qualify|reject|merge|validate|publish|publish_regional|resolve)$")
    version: int = Field(ge=1)
    reason: str = Field("", max_length=5000)
    merge_into: DbId | None = None
    public_message: str | None = Field(None, max_length=10000)


class CommentIn(BaseModel):
    message: str = Field(min_length=1, max_length=5000)


class MeasureIn(BaseModel):
    kind: str = Field(pattern="^(quota|allocation|import|contingency|other)$")
    description: str = Field(min_length=1, max_length=5000)
    version: int = Field(ge=1)


class MeasureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    description: str


class SignalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str
    source: str
    product: ProductRef
    region_code: str | None
    cause: str
    started_at: date
    expected_end_at: date | None
    stock_coverage_days: int | None
    public_message: str
    interruption_at: date | None
    notice_late: bool
    scope: str
    confidential: bool
    external_url: HttpUrlOrNone
    published_at: UtcDatetime | None
    resolved_at: UtcDatetime | None
    updated_at: UtcDatetime
    version: int
    measures: list[MeasureOut]


class SignalPage(BaseModel):
    items: list[SignalOut]
    total: int
    page: int
    per_page: int


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: UtcDatetime
    kind: str
    from_status: str | None
    to_status: str | None
    actor_label: str
    message: str


class DeclarationOut(BaseModel):
    """A declaration as its author sees it; `signal_id` is given only when its author may read that signal."""

    id: int
    product_id: int
    declared_at: UtcDatetime
    admitted: bool
    share_measures: bool
    facts: dict[str, object] | None
    signal_id: int | None
    detail: str
