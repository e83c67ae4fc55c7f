"""JSON API for alternatives: the list on a signal, and peer ratings."""

from __future__ import annotations

from fastapi import APIRouter

from sentinelle.alternatives import schemas, service
from sentinelle.alternatives.models import Rating
from sentinelle.errors import NotAuthenticated
from sentinelle.schemas_common import ERRORS
from sentinelle.signals import service as signals
from sentinelle.web.deps import ApiUserDep, DbDep, UserDep

router = APIRouter(tags=["alternatives"], responses=ERRORS)


def _rating(r: Rating) -> schemas.RatingOut:
    return schemas.RatingOut(alternative_id=r.alternative_id, score=r.score, comment=r.comment,
                             organisation_name=r.organisation.name if r.organisation else None, at=r.at)


@router.get("/signals/{signal_id}/alternatives", response_model=list[schemas.AlternativeOut])
def list_alternatives(signal_id: int, user: UserDep,
                      db: DbDep) -> list[schemas.AlternativeOut]:
    alts = service.of_signal(db, signals.get(db, user, signal_id))
    summary = service.summaries(db, [a.id for a in alts])
    return [schemas.AlternativeOut.model_validate({
        "id": a.id, "signal_id": a.signal_id, "description": a.description, "conditions": a.conditions,
        "product": a.product, "rating_average": summary[a.id].average if a.id in summary else None,
        "rating_count": summary[a.id].count if a.id in summary else 0}, from_attributes=True) for a in alts]


@router.get("/alternatives/{alternative_id}/ratings", response_model=list[schemas.RatingOut])
def list_ratings(alternative_id: int, user: UserDep,
                 db: DbDep) -> list[schemas.RatingOut]:
    return [_rating(r) for r in service.ratings(db, user, alternative_id)]


@router.put("/alternatives/{alternative_id}/ratings/mine", response_model=schemas.RatingOut)
def rate(alternative_id: int, data: schemas.RatingIn, user: ApiUserDep,
         db: DbDep) -> schemas.RatingOut:
    """Rate an alternative, or change one's rating (one per person: PUT is idempotent)."""
    if user is None:
        raise NotAuthenticated("authentification requise (jeton d'API ou session)")
    rating = service.rate(db, user, alternative_id, data.score, data.comment)
    return _rating(rating)
