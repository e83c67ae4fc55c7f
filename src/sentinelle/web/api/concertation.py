"""JSON API of the concertation: questionnaires, answers, results, the pseudonymised export."""

from __future__ import annotations

import json
from dataclasses import asdict

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation import schemas
from sentinelle.concertation.models import Questionnaire
from sentinelle.errors import Invalid, NotAuthenticated
from sentinelle.schemas_common import ERRORS
from sentinelle.web.deps import api_csrf, current_user, get_db

router = APIRouter(tags=["concertation"], responses=ERRORS)


def _out(db: Session, q: Questionnaire) -> schemas.QuestionnaireOut:
    version = qs.current(db, q)
    return schemas.QuestionnaireOut(slug=q.slug, title=q.title, description=q.description, status=q.status,
                                    anonymous=q.anonymous, version=version.number,
                                    questions=[schemas.Question.model_validate(x) for x in version.questions])


def _need(user: User | None) -> User:
    if user is None:
        raise NotAuthenticated("authentification requise (jeton d'API ou session)")
    return user


@router.get("/questionnaires", response_model=list[schemas.QuestionnaireOut])
def list_questionnaires(user: User | None = Depends(current_user),
                        db: Session = Depends(get_db)) -> list[schemas.QuestionnaireOut]:
    return [_out(db, q) for q in qs.listing(db, user)]


@router.post("/questionnaires", response_model=schemas.QuestionnaireOut, status_code=201)
def create_questionnaire(data: schemas.QuestionnaireIn, user: User | None = Depends(api_csrf),
                         db: Session = Depends(get_db)) -> schemas.QuestionnaireOut:
    q = qs.create(db, _need(user), data.slug, data.title, [x.model_dump() for x in data.questions],
                  description=data.description, anonymous=data.anonymous)
    db.commit()
    return _out(db, q)


@router.get("/questionnaires/{slug}", response_model=schemas.QuestionnaireOut)
def read_questionnaire(slug: str, user: User | None = Depends(current_user),
                       db: Session = Depends(get_db)) -> schemas.QuestionnaireOut:
    return _out(db, qs.visible(db, user, slug))


@router.post("/questionnaires/{slug}/versions", response_model=schemas.QuestionnaireOut, status_code=201)
def revise_questionnaire(slug: str, data: schemas.VersionIn, user: User | None = Depends(api_csrf),
                         db: Session = Depends(get_db)) -> schemas.QuestionnaireOut:
    qs.revise(db, _need(user), slug, [x.model_dump() for x in data.questions])
    db.commit()
    return _out(db, qs.get(db, slug))


@router.post("/questionnaires/{slug}/status", response_model=schemas.QuestionnaireOut)
def set_status(slug: str, data: schemas.StatusIn, user: User | None = Depends(api_csrf),
               db: Session = Depends(get_db)) -> schemas.QuestionnaireOut:
    q = qs.set_status(db, _need(user), slug, data.status)
    db.commit()
    return _out(db, q)


@router.post("/questionnaires/{slug}/responses", response_model=schemas.AnswerOut, status_code=201)
def answer(slug: str, data: schemas.AnswerIn, user: User | None = Depends(api_csrf),
           db: Session = Depends(get_db)) -> schemas.AnswerOut:
    """One answer per person; a second is refused with 409."""
    qs.visible(db, user, slug)
    response = qs.answer(db, _need(user), slug, data.answers, profile=data.profile, region=data.region)
    db.commit()
    number = {v.id: v.number for v in qs.versions(db, qs.get(db, slug))}[response.version_id]
    return schemas.AnswerOut(id=response.id, version=number)


@router.get("/questionnaires/{slug}/results", response_model=schemas.ResultsOut)
def results(slug: str, by: str | None = Query(None, pattern="^(profile|region)$"),
            version: int | None = Query(None, ge=1, le=100_000),
            margins: str | None = Query(None, max_length=5000, description='JSON: {"profile": {"patient": 0.2, …}, '
                                                                           '"region": {"84": 0.12, …}}'),
            user: User | None = Depends(current_user), db: Session = Depends(get_db)) -> schemas.ResultsOut:
    """Counts, shares and 95 % intervals (public: counts only, never an answer)."""
    qs.visible(db, user, slug)
    parsed = None
    if margins:
        try:
            parsed = json.loads(margins)
            assert isinstance(parsed, dict) and all(
                isinstance(v, dict) and all(isinstance(x, int | float) and x >= 0 for x in v.values())
                for v in parsed.values())
        except (ValueError, AssertionError) as exc:
            raise Invalid("margins : un objet JSON de parts par profil et/ou région", "margins") from exc
    return schemas.ResultsOut.model_validate(asdict(qs.results(db, slug, version=version, by=by, margins=parsed)))


@router.get("/questionnaires/{slug}/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export(slug: str, user: User | None = Depends(current_user), db: Session = Depends(get_db)) -> Response:
    """Every answer, pseudonymised (the agency and the guarantors)."""
    text = qs.export_csv(db, _need(user), slug)
    db.commit()
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-reponses.csv"'})
