"""Peer rating of alternatives: one rating per person, never lost or counted twice."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sentinelle.alternatives import schemas as alternative_schemas
from sentinelle.alternatives import service as alternatives
from sentinelle.alternatives.models import Rating
from sentinelle.errors import Forbidden, Invalid, NotFound
from sentinelle.signals import service
from sentinelle.store.db import session_factory
from tests.factories import World, declaration, published_signal


def _alternative(session: Session, world: World) -> int:
    signal = published_signal(session, world, product_index=0)
    alt = alternatives.add(session, world.users["national"], signal.id, alternative_schemas.AlternativeIn(
        description="Seringue 10 mL d'un autre fabricant", product_id=world.products[1].id))
    session.commit()
    return alt.id


def test_a_hospital_rates_and_changes_its_mind(session: Session, world: World) -> None:
    alt = _alternative(session, world)
    alternatives.rate(session, world.users["lyon"], alt, 2, "fuites au raccord")
    alternatives.rate(session, world.users["lyon"], alt, 4, "après changement de prolongateur, correct")
    alternatives.rate(session, world.users["paris"], alt, 5)
    session.commit()
    summary = alternatives.summaries(session, [alt])[alt]
    assert (summary.count, summary.average) == (2, 4.5)
    mine = alternatives.mine(session, world.users["lyon"], [alt])[alt]
    assert (mine.score, mine.comment) == (4, "après changement de prolongateur, correct")
    assert [r.organisation.name for r in alternatives.ratings(session, world.users["national"], alt)] != []


@pytest.mark.parametrize("who", ["region84", "national", "maker_a", "purchaser", "citizen"])
def test_only_hospitals_rate(session: Session, world: World, who: str) -> None:
    alt = _alternative(session, world)
    with pytest.raises(Forbidden):
        alternatives.rate(session, world.users[who], alt, 3)


def test_score_out_of_range_and_unknown_alternative_are_refused(session: Session, world: World) -> None:
    alt = _alternative(session, world)
    with pytest.raises(Invalid) as err:
        alternatives.rate(session, world.users["lyon"], alt, 6)
    assert err.value.field == "score"
    with pytest.raises(NotFound):
        alternatives.rate(session, world.users["lyon"], 10**6, 3)


def test_an_alternative_on_a_signal_one_may_not_read_is_hidden(session: Session, world: World) -> None:
    signal = service.declare(session, world.users["paris"], declaration(world.products[2])).signal
    alt = alternatives.add(session, world.users["national"], signal.id,
                                  alternative_schemas.AlternativeIn(description="autre sonde"))
    session.commit()
    with pytest.raises(NotFound):
        alternatives.rate(session, world.users["lyon"], alt.id, 3)


def test_simultaneous_ratings_by_one_person_leave_one_row(engine: Engine, session: Session, world: World) -> None:
    alt = _alternative(session, world)
    make = session_factory(engine)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def submit(score: int) -> None:
        with make() as s:
            try:
                barrier.wait()
                alternatives.rate(s, s.merge(world.users["grenoble"]), alt, score)
                s.commit()
            except BaseException as exc:  # reported below
                errors.append(exc)

    threads = [threading.Thread(target=submit, args=(score,)) for score in (1, 2, 3, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with make() as s:
        rows = s.scalars(select(Rating).where(Rating.alternative_id == alt)).all()
        assert len(rows) == 1 and rows[0].score in (1, 2, 3, 4)
        assert s.scalar(select(func.count()).select_from(Rating)) == 1
