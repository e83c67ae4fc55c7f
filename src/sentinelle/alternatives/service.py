"""Alternatives to a product in shortage (the national agency publishes them), lessons learned once a
signal is closed, and the peer rating of alternatives: a hospital that tried one says how well it
served (1 to 5)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.alternatives import policy, schemas
from sentinelle.alternatives.models import Alternative, Lesson, Rating
from sentinelle.catalogue.models import Product
from sentinelle.errors import Forbidden, Invalid, NotFound
from sentinelle.signals import policy as signal_policy
from sentinelle.signals import service as signals
from sentinelle.signals.models import Signal
from sentinelle.store.base import utcnow
from sentinelle.store.db import by_id


def add(session: Session, user: User | None, signal_id: int, data: schemas.AlternativeIn) -> Alternative:
    signal = signals.get(session, user, signal_id)
    if not policy.can_add(user, signal):
        raise Forbidden("seule l'agence nationale publie les alternatives")
    if data.product_id is not None:
        if by_id(session, Product, data.product_id) is None:
            raise Invalid(f"produit inconnu : {data.product_id}", "product_id")
        if data.product_id == signal.product_id:
            raise Invalid("un produit n'est pas sa propre alternative", "product_id")
    alt = Alternative(signal_id=signal.id, product_id=data.product_id, description=data.description.strip(),
                      conditions=data.conditions.strip(), created_by_id=user.id if user else None)
    session.add(alt)
    session.flush()
    signals.record_event(session, signal, user, "alternative", f"Alternative : {alt.description}", public=True)
    audit.record(session, user, audit.Action.SIGNAL_ALTERNATIVE, "signal", signal.id, after={"alternative_id": alt.id})
    return alt


def record_lesson(session: Session, user: User | None, signal_id: int, data: schemas.LessonIn) -> Lesson:
    signal = signals.get(session, user, signal_id)
    if not policy.can_record_lesson(user, signal):
        raise Forbidden("le retour d'expérience s'écrit une fois le signal clos, par un établissement ou une agence")
    assert user is not None
    if not (data.what_worked.strip() or data.what_failed.strip() or data.recommendation.strip()):
        raise Invalid("le retour d'expérience est vide", "what_worked")
    lesson = Lesson(signal_id=signal.id, organisation_id=user.organisation_id, author_id=user.id,
                    what_worked=data.what_worked.strip(), what_failed=data.what_failed.strip(),
                    recommendation=data.recommendation.strip())
    session.add(lesson)
    session.flush()
    signals.record_event(session, signal, user, "lesson", "Retour d'expérience (RETEX) enregistré")
    audit.record(session, user, audit.Action.SIGNAL_LESSON, "signal", signal.id, after={"lesson_id": lesson.id})
    return lesson


def of_signal(session: Session, signal: Signal) -> list[Alternative]:
    return list(session.scalars(select(Alternative).where(Alternative.signal_id == signal.id).order_by(Alternative.id)))


def of_product(session: Session, user: User | None, product_id: int) -> list[Alternative]:
    """The alternatives published on the signals of a product that `user` may read."""
    return list(session.scalars(select(Alternative).join(Signal, Signal.id == Alternative.signal_id)
                                .where(Signal.product_id == product_id, signal_policy.visible_to(user))
                                .order_by(Alternative.id)).unique())


def lessons(session: Session, signal: Signal) -> list[Lesson]:
    return list(session.scalars(select(Lesson).where(Lesson.signal_id == signal.id).order_by(Lesson.id)))


def _visible_alternative(session: Session, user: User | None, alternative_id: int) -> Alternative:
    alt = by_id(session, Alternative, alternative_id)
    if alt is None:
        raise NotFound(f"alternative introuvable : {alternative_id}", "alternative_id")
    signals.get(session, user, alt.signal_id)  # NotFound unless the user may read its signal
    return alt


def rate(session: Session, user: User | None, alternative_id: int, score: int, comment: str = "") -> Rating:
    """Record or replace this user's rating. Two submissions at once leave one row, the last one."""
    if not policy.can_rate(user):
        raise Forbidden("seuls les établissements de santé notent les alternatives")
    assert user is not None
    if not 1 <= score <= 5:
        raise Invalid("la note va de 1 à 5", "score")
    alt = _visible_alternative(session, user, alternative_id)
    comment = comment.strip()
    values = {"score": score, "comment": comment, "organisation_id": user.organisation_id, "at": utcnow()}
    mine = select(Rating).where(Rating.alternative_id == alt.id, Rating.user_id == user.id)
    existing = session.scalar(mine)
    if existing is None:
        try:
            # A savepoint: if another request inserted first, the unique key refuses ours and we update theirs.
            with session.begin_nested():
                session.add(Rating(alternative_id=alt.id, user_id=user.id, **values))
        except IntegrityError:
            existing = session.scalar(mine)
    if existing is not None:
        before = {"score": existing.score, "comment": existing.comment}
        session.execute(update(Rating).where(Rating.id == existing.id).values(**values))
        session.expire(existing)
    else:
        before = None
    rating = session.scalar(mine)
    assert rating is not None
    audit.record(session, user, audit.Action.ALTERNATIVE_RATE, "alternative", alt.id, before=before,
                 after={"score": score, "comment": comment})
    return rating


@dataclass
class Summary:
    average: float
    count: int


def summaries(session: Session, alternative_ids: list[int]) -> dict[int, Summary]:
    if not alternative_ids:
        return {}
    rows = session.execute(select(Rating.alternative_id, func.avg(Rating.score), func.count())
                           .where(Rating.alternative_id.in_(alternative_ids)).group_by(Rating.alternative_id))
    return {aid: Summary(round(float(avg), 2), n) for aid, avg, n in rows}


def ratings(session: Session, user: User | None, alternative_id: int) -> list[Rating]:
    alt = _visible_alternative(session, user, alternative_id)
    return list(session.scalars(select(Rating).where(Rating.alternative_id == alt.id).order_by(Rating.at.desc())))


def mine(session: Session, user: User | None, alternative_ids: list[int]) -> dict[int, Rating]:
    if user is None or not alternative_ids:
        return {}
    rows = session.scalars(select(Rating).where(Rating.user_id == user.id, Rating.alternative_id.in_(alternative_ids)))
    return {r.alternative_id: r for r in rows}
