"""The assembly: a reproducible draw, renewal by half, motions and amendments, quorum, published tallies."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.concertation import assembly, lottery
from sentinelle.errors import Conflict, Forbidden, Invalid
from tests.factories import World

PROFILES = ("patient", "carer", "professional", "industry", "citizen")


def volunteers(session: Session, n: int) -> list[tuple[int, str, str]]:
    session.execute(insert(User), [{"email": f"vol{i}@test.fr", "name": f"Vol {i}", "password_hash": "x",
                                    "role": "citizen"} for i in range(n)])
    users = session.scalars(select(User).where(User.email.like("vol%@test.fr")).order_by(User.id)).all()
    return [(u.id, PROFILES[i % 5], ("11", "84", "93")[i % 3]) for i, u in enumerate(users)]


def test_the_draw_is_the_published_one_and_renews_by_half(session: Session, world: World) -> None:
    pool = volunteers(session, 60)
    assembly.create(session, world.users["national"], "parlement", "Parlement Santé", seats=20)
    first = assembly.draw(session, world.users["national"], "parlement", 2026, "graine-publiee-2026", pool)
    a = assembly.get(session, "parlement")
    members = assembly.sitting_members(session, a)
    assert first.drawn == len(members) == 20
    # Anyone redoes it from what was published.
    again = lottery.draw([lottery.Volunteer(**v) for v in first.volunteers], 20, first.seed)
    assert sorted(int(v.id) for v in again) == sorted(m.user_id for m in members)
    second = assembly.draw(session, world.users["national"], "parlement", 2027, "graine-publiee-2027", pool)
    sitting = assembly.sitting_members(session, a)
    assert (second.leaving, second.drawn, len(sitting)) == (10, 10, 20)
    assert sum(m.term_start == 2026 for m in sitting) == 10
    with pytest.raises(Conflict):
        assembly.draw(session, world.users["national"], "parlement", 2027, "graine-encore-2027", pool)
    with pytest.raises(Forbidden):
        assembly.draw(session, world.users["citizen"], "parlement", 2028, "graine-publiee-2028", pool)


def _seated(session: Session, world: World, seats: int = 4) -> tuple[list[User], int]:
    pool = volunteers(session, seats)
    assembly.create(session, world.users["national"], "p", "Parlement", seats=seats)
    assembly.draw(session, world.users["national"], "p", 2026, "graine-publiee", pool)
    members = [session.get(User, uid) for uid, _, _ in pool]
    sitting = assembly.open_sitting(session, world.users["national"], "p", "Séance du 12 mars")
    return members, sitting.id  # type: ignore[return-value]


def test_a_motion_is_voted_and_its_tally_published(session: Session, world: World) -> None:
    members, sitting = _seated(session, world)
    motion = assembly.propose(session, world.users["national"], sitting, "Stocks de sécurité régionaux")
    amendment = assembly.propose(session, members[0], sitting, "Limiter aux produits essentiels", amends=motion.id)
    assembly.vote(session, members[0], motion.id, "pour")
    assembly.vote(session, members[1], motion.id, "contre")
    assembly.vote(session, members[1], motion.id, "pour")  # changed before the close: replaced
    assembly.vote(session, members[2], motion.id, "abstention")
    assembly.attend(session, members[3], sitting)  # present, did not vote
    with pytest.raises(Forbidden):
        assembly.vote(session, world.users["citizen"], motion.id, "pour")
    with pytest.raises(Invalid):
        assembly.vote(session, members[0], motion.id, "peut-être")
    closed = assembly.close(session, world.users["national"], motion.id)
    assert closed.status == "adopted"
    tally = assembly.count(session, closed)
    assert tally.published() == "présents : 4, exprimés : 2, pour : 2, contre : 0, abstentions : 1"
    with pytest.raises(Conflict):
        assembly.vote(session, members[3], motion.id, "contre")
    # The amendment, voted by one member only: 4 present (the sitting's), quorum 2 met, 0 pour 1 contre.
    assembly.vote(session, members[3], amendment.id, "contre")
    assert assembly.close(session, world.users["national"], amendment.id).status == "rejected"


def test_without_quorum_no_decision(session: Session, world: World) -> None:
    members, sitting = _seated(session, world, seats=4)
    motion = assembly.propose(session, world.users["national"], sitting, "Motion sans quorum")
    assembly.vote(session, members[0], motion.id, "pour")  # 1 present of 4, quorum 2
    assert assembly.close(session, world.users["national"], motion.id).status == "no_quorum"


def test_volunteers_offer_once_withdraw_and_are_drawn_from(session: Session, world: World) -> None:
    assembly.create(session, world.users["national"], "parlement", "Parlement Santé", seats=2)
    pool = volunteers(session, 5)
    people = [session.get(User, uid) for uid, _, _ in pool]
    for person, (_, profile, region) in zip(people, pool):
        assembly.volunteer(session, person, "parlement", profile, region)
    # Offering again replaces the profile and region: still one offer.
    assembly.volunteer(session, people[0], "parlement", "carer", "93")
    offers = assembly.volunteers(session, world.users["national"], "parlement")
    assert len(offers) == 5 and (offers[0].profile, offers[0].region) == ("carer", "93")
    assert assembly.withdraw(session, people[4], "parlement") and not assembly.withdraw(session, people[4], "parlement")
    assert sum(assembly.volunteer_counts(session, "parlement").values()) == 4
    with pytest.raises(Invalid, match="region"):
        assembly.volunteer(session, people[1], "parlement", "patient", "99")
    with pytest.raises(Invalid, match="profile"):
        assembly.volunteer(session, people[1], "parlement", "astronaut", "11")
    with pytest.raises(Forbidden):
        assembly.volunteers(session, world.users["citizen"], "parlement")
    record = assembly.draw(session, world.users["national"], "parlement", 2026, "graine-publiee-2026")
    # The published list is the offers at the time of the draw; the withdrawn one is not in it.
    assert sorted(int(v["id"]) for v in record.volunteers) == sorted(p.id for p in people[:4])
    drawn = {m.user_id for m in assembly.sitting_members(session, assembly.get(session, "parlement"))}
    assert len(drawn) == 2 and drawn <= {p.id for p in people[:4]}
