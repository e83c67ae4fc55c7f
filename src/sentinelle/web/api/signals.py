"""JSON API for signals: list, read, declare, notice, transitions, comments, measures, alternatives."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from sentinelle.accounts.models import User
from sentinelle.alternatives import schemas as alternative_schemas
from sentinelle.alternatives import service as alternatives
from sentinelle.errors import NotAuthenticated
from sentinelle.schemas_common import ERRORS
from sentinelle.signals import schemas, service
from sentinelle.signals.models import KINDS, STATUSES, Declarer, Signal
from sentinelle.store.base import MAX_ID
from sentinelle.web.deps import ApiUserDep, DbDep, UserDep

router = APIRouter(prefix="/signals", tags=["signals"], responses=ERRORS)

StatusQ = Annotated[str | None, Query(pattern="^(" + "|".join(STATUSES) + ")$")]
KindQ = Annotated[str | None, Query(pattern="^(" + "|".join(KINDS) + ")$")]


def _out(signal: Signal) -> schemas.SignalOut:
    return schemas.SignalOut.model_validate(signal)


def _need(user: User | None) -> User:
    if user is None:
        raise NotAuthenticated("authentification requise (jeton d'API ou session)")
    return user


@router.get("", response_model=schemas.SignalPage)
def list_signals(
    *, status: StatusQ = None,
    kind: KindQ = None,
    region: Annotated[str | None, Query(pattern="^[0-9]{2}$")] = None,
    product_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    user: UserDep,
    db: DbDep,
) -> schemas.SignalPage:
    filters = service.Filters(status=status, kind=kind, region=region, product_id=product_id, q=q)
    rows, total = service.list_visible(db, user, filters, page=page, per_page=per_page)
    return schemas.SignalPage(items=[_out(s) for s in rows], total=total, page=page, per_page=per_page)


@router.get("/{signal_id}", response_model=schemas.SignalOut)
def get_signal(signal_id: int, user: UserDep,
               db: DbDep) -> schemas.SignalOut:
    return _out(service.get(db, user, signal_id))


@router.get("/{signal_id}/events", response_model=list[schemas.EventOut])
def get_events(signal_id: int, user: UserDep,
               db: DbDep) -> list[schemas.EventOut]:
    signal = service.get(db, user, signal_id)
    events = service.timeline(db, user, signal)
    labels = service.actor_labels(db, user, signal, events)
    return [schemas.EventOut.model_validate(e).model_copy(update={"actor_label": labels[e.id]}) for e in events]


WAITING = ("ce produit fait déjà l'objet d'un signal suivi par l'agence : votre déclaration lui est transmise ; "
           "ce signal vous sera ouvert quand l'agence l'y aura rattachée")


def _declaration_out(declarer: Declarer, product_id: int, signal: Signal | None) -> schemas.DeclarationOut:
    return schemas.DeclarationOut(
        id=declarer.id, product_id=product_id, declared_at=declarer.declared_at, admitted=declarer.admitted,
        share_measures=declarer.share_measures, facts=declarer.facts, signal_id=signal.id if signal else None,
        detail="déclaration rattachée au signal" if signal else WAITING)


@router.post("", response_model=schemas.SignalOut, status_code=201,
             responses={202: {"model": schemas.DeclarationOut,
                              "description": "Produit déjà suivi par un signal que vous ne lisez pas : "
                                             "déclaration transmise, en attente de rattachement"}})
def declare(data: schemas.DeclareIn, user: ApiUserDep,
            db: DbDep) -> schemas.SignalOut:
    result = service.declare(db, _need(user), data)
    if result.waiting and result.declarer is not None:
        # Neither the signal nor its id: a declaration grants nothing its author could not already read.
        out = _declaration_out(result.declarer, data.product_id, None)
        return JSONResponse(jsonable_encoder(out), status_code=202)  # type: ignore[return-value]
    return _out(result.signal)


@router.get("/declarations/mine", response_model=list[schemas.DeclarationOut])
def my_declarations(user: UserDep,
                    db: DbDep) -> list[schemas.DeclarationOut]:
    return [_declaration_out(d, product.id, signal)
            for d, product, signal in service.my_declarations(db, _need(user))]


@router.post("/{signal_id}/declarers/{declarer_id}/admit", response_model=schemas.SignalOut)
def admit(signal_id: int, declarer_id: Annotated[int, Path(ge=1, le=MAX_ID)], user: ApiUserDep,
          db: DbDep) -> schemas.SignalOut:
    service.admit(db, _need(user), signal_id, declarer_id)
    return _out(service.get(db, user, signal_id))


@router.post("/notices", response_model=schemas.SignalOut, status_code=201)
def file_notice(data: schemas.NoticeIn, user: ApiUserDep,
                db: DbDep) -> schemas.SignalOut:
    signal = service.file_notice(db, _need(user), data)
    return _out(signal)


@router.post("/{signal_id}/transitions", response_model=schemas.SignalOut)
def transition(signal_id: int, data: schemas.TransitionIn, user: ApiUserDep,
               db: DbDep) -> schemas.SignalOut:
    signal = service.transition(db, _need(user), signal_id, data)
    return _out(signal)


@router.post("/{signal_id}/comments", response_model=schemas.EventOut, status_code=201)
def comment(signal_id: int, data: schemas.CommentIn, user: ApiUserDep,
            db: DbDep) -> schemas.EventOut:
    event = service.comment(db, _need(user), signal_id, data.message)
    return schemas.EventOut.model_validate(event)


@router.post("/{signal_id}/measures", response_model=schemas.SignalOut, status_code=201)
def add_measure(signal_id: int, data: schemas.MeasureIn, user: ApiUserDep,
                db: DbDep) -> schemas.SignalOut:
    service.add_measure(db, _need(user), signal_id, data)
    return _out(service.get(db, user, signal_id))


@router.post("/{signal_id}/alternatives", status_code=201)
def add_alternative(signal_id: int, data: alternative_schemas.AlternativeIn, user: ApiUserDep,
                    db: DbDep) -> dict[str, int]:
    alt = alternatives.add(db, _need(user), signal_id, data)
    return {"id": alt.id}


@router.post("/{signal_id}/lessons", status_code=201)
def record_lesson(signal_id: int, data: alternative_schemas.LessonIn, user: ApiUserDep,
                  db: DbDep) -> dict[str, int]:
    lesson = alternatives.record_lesson(db, _need(user), signal_id, data)
    return {"id": lesson.id}

