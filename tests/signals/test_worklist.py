"""Each role's home is a worklist: what waits for it, in its scope, and nothing of anyone else's."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sentinelle.alternatives import schemas as alternative_schemas
from sentinelle.alternatives import service as alternatives
from sentinelle.signals import service, worklist
from tests.factories import World, act, declaration


def _tasks(session: Session, world: World, who: str) -> dict[str, list[int]]:
    return {t.key: [s.id for s in t.signals] for t in worklist.for_user(session, world.users[who])}


def test_each_role_sees_what_waits_for_it_and_only_in_its_scope(session: Session, world: World) -> None:
    lyon = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    paris = service.declare(session, world.users["paris"], declaration(world.products[1])).signal
    notice = service.declare(session, world.users["maker_a"], declaration(world.products[1], kind="discontinuation",
                                                                          interruption_at=None)).signal
    session.commit()
    # The region of Lyon: Lyon's declaration to qualify, not Paris's.
    assert _tasks(session, world, "region84")["qualify"] == [lyon.id]
    assert _tasks(session, world, "region11")["qualify"] == [paris.id]
    # Qualified, it moves to the national agency's list, and leaves the region's.
    act(session, world.users["region84"], lyon, "qualify")
    session.commit()
    assert _tasks(session, world, "region84")["qualify"] == []
    national = _tasks(session, world, "national")
    assert national["validate"] == [lyon.id] and notice.id in national["notices"]
    # A hospital follows its own declarations; never another's.
    assert _tasks(session, world, "lyon")["mine"] == [lyon.id]
    assert _tasks(session, world, "paris")["mine"] == [paris.id]
    assert _tasks(session, world, "grenoble")["mine"] == []
    # A manufacturer, its notices; the other manufacturer sees nothing of them.
    assert _tasks(session, world, "maker_a")["notices"] == [notice.id]
    assert _tasks(session, world, "maker_b")["notices"] == []
    # The public and the buyers have no worklist.
    assert worklist.for_user(session, None) == [] and _tasks(session, world, "citizen") == {}


def test_a_hospital_is_asked_for_its_retex_once_the_shortage_ended(session: Session, world: World) -> None:
    signal = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    for who, action in (("region84", "qualify"), ("national", "validate"), ("national", "publish"),
                        ("national", "resolve")):
        act(session, world.users[who], signal, action, public_message="Tension")
    session.commit()
    tasks = _tasks(session, world, "lyon")
    assert tasks["mine"] == [] and tasks["retex"] == [signal.id]
    alternatives.record_lesson(session, world.users["lyon"], signal.id, alternative_schemas.LessonIn(
        what_worked="La répartition régionale", what_failed="", recommendation="Un stock tampon"))
    session.commit()
    assert _tasks(session, world, "lyon")["retex"] == []
