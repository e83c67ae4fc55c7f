"""Regional-only tensions: a region's agency publishes a tension of its own region, without the nation."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from sentinelle.errors import Conflict, Forbidden, Invalid, NotFound
from sentinelle.interop import opendata
from sentinelle.signals import service
from sentinelle.signals.states import allowed_actions
from tests.factories import World, act, declaration


def _qualified(session: Session, world: World, kind: str = "tension"):  # type: ignore[no-untyped-def]
    signal = service.declare(session, world.users["grenoble"], declaration(world.products[1], kind=kind)).signal
    act(session, world.users["region84"], signal, "qualify")
    return signal


def test_a_region_publishes_and_closes_its_own_tension(session: Session, world: World) -> None:
    signal = _qualified(session, world)
    act(session, world.users["region84"], signal, "publish_regional",
        public_message="Retards du distributeur régional ; dépannage entre établissements.")
    session.commit()
    assert (signal.status, signal.scope) == ("published", "regional")
    # Public at once: anyone reads it, and the open-data export says it is regional.
    seen = service.get(session, None, signal.id)
    assert opendata.row(seen)["scope"] == "regional"
    public_events = service.timeline(session, None, signal)
    assert any(e.to_status == "published" for e in public_events)
    act(session, world.users["region84"], signal, "resolve")
    assert signal.status == "resolved"


def test_another_region_or_a_hospital_may_not_publish_it(session: Session, world: World) -> None:
    signal = _qualified(session, world)
    session.commit()
    # The other region does not even see it; the declaring hospital sees it but may not publish.
    with pytest.raises(NotFound):
        act(session, world.users["region11"], signal, "publish_regional", public_message="x")
    with pytest.raises(Forbidden):
        act(session, world.users["grenoble"], signal, "publish_regional", public_message="x")


def test_only_a_tension_stays_regional(session: Session, world: World) -> None:
    signal = _qualified(session, world, kind="rupture")
    for who in ("region84", "national"):
        with pytest.raises(Conflict) as err:
            act(session, world.users[who], signal, "publish_regional", public_message="x")
        assert "tension d'une région" in err.value.message
    assert "publish_regional" not in allowed_actions("qualified", has_region=True, kind="rupture")
    assert "publish_regional" not in allowed_actions("qualified", has_region=False, kind="tension")
    assert "publish_regional" in allowed_actions("qualified", has_region=True, kind="tension")


def test_a_region_may_not_close_a_national_publication(session: Session, world: World) -> None:
    signal = _qualified(session, world)
    act(session, world.users["national"], signal, "validate")
    act(session, world.users["national"], signal, "publish", public_message="Tension nationale")
    assert signal.scope == "national"
    with pytest.raises(Forbidden):
        act(session, world.users["region84"], signal, "resolve")


def test_a_regional_publication_needs_a_public_message(session: Session, world: World) -> None:
    signal = _qualified(session, world)
    with pytest.raises(Invalid) as err:
        act(session, world.users["region84"], signal, "publish_regional")
    assert err.value.field == "public_message"
