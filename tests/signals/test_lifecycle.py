"""The life of a signal, from declaration to lessons learned, through the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import AuditEntry
from sentinelle.alternatives import schemas as alternative_schemas
from sentinelle.alternatives import service as alternatives
from sentinelle.errors import Conflict, Forbidden, Invalid, NotFound
from sentinelle.notifications.models import Notification
from sentinelle.signals import schemas, service
from sentinelle.signals.models import Signal
from sentinelle.signals.states import TRANSITIONS, allowed_actions, next_status
from tests.factories import World, act, declaration, published_signal


def test_declaration_goes_through_region_and_nation_to_the_public(session: Session, world: World) -> None:
    lyon, region, national = world.users["lyon"], world.users["region84"], world.users["national"]
    signal = service.declare(session, lyon, declaration(world.products[0])).signal
    assert (signal.status, signal.region_code, signal.published_at) == ("declared", "84", None)
    # Before publication nobody outside the declarer and its region sees it.
    with pytest.raises(NotFound):
        service.get(session, None, signal.id)
    with pytest.raises(NotFound):
        service.get(session, world.users["region11"], signal.id)
    with pytest.raises(NotFound):
        service.get(session, world.users["grenoble"], signal.id)
    assert service.get(session, region, signal.id).id == signal.id

    act(session, region, signal, "qualify")
    act(session, national, signal, "validate")
    service.add_measure(session, national, signal.id, schemas.MeasureIn(
        kind="quota", description="Livraisons limitées à 80 % de la consommation", version=signal.version))
    act(session, national, signal, "publish", public_message="Tension : utilisez les alternatives.")
    session.commit()
    assert signal.status == "published"
    public = service.get(session, None, signal.id)
    assert public.public_message == "Tension : utilisez les alternatives."
    assert [m.kind for m in public.measures] == ["quota"]

    act(session, national, signal, "resolve")
    lesson = alternatives.record_lesson(session, lyon, signal.id, alternative_schemas.LessonIn(
        what_worked="Le partage régional des stocks", recommendation="Stock tampon de 30 jours"))
    session.commit()
    assert signal.status == "resolved" and lesson.id
    statuses = [e.to_status for e in service.timeline(session, national, signal) if e.kind == "transition"]
    assert statuses == ["declared", "qualified", "validated", "published", "resolved"]
    # The public timeline hides internal steps.
    public_lines = service.timeline(session, None, signal)
    assert {e.to_status for e in public_lines if e.kind == "transition"} == {"published", "resolved"}


def test_every_write_leaves_an_audit_row_with_before_and_after(session: Session, world: World) -> None:
    signal = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    act(session, world.users["region84"], signal, "qualify")
    session.commit()
    rows = session.scalars(select(AuditEntry).where(AuditEntry.entity == "signal", AuditEntry.entity_id == str(signal.id))
                           .order_by(AuditEntry.id)).all()
    assert [r.action for r in rows] == ["signal.declare", "signal.qualify"]
    assert rows[1].before["status"] == "declared" and rows[1].after["status"] == "qualified"
    assert rows[1].actor_id == world.users["region84"].id


@pytest.mark.parametrize("status", ["declared", "qualified", "validated", "published", "resolved", "rejected", "merged"])
def test_the_transition_table_accepts_exactly_its_sources(status: str) -> None:
    for action, transition in TRANSITIONS.items():
        legal = status in transition.sources and not (action == "validate" and status == "declared")
        if legal:
            assert next_status(status, action, has_region=True) == transition.target
        else:
            with pytest.raises(Conflict) as err:
                next_status(status, action, has_region=True)
            assert "impossible depuis" in err.value.message
        assert (action in allowed_actions(status, has_region=True)) == legal


def test_an_illegal_transition_is_refused_with_a_clear_message(session: Session, world: World) -> None:
    signal = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    with pytest.raises(Conflict) as err:
        act(session, world.users["national"], signal, "publish", public_message="x")
    assert "Publier" in err.value.message and "Déclaré" in err.value.message
    assert signal.status == "declared"


def test_a_region_may_not_qualify_another_regions_signal(session: Session, world: World) -> None:
    signal = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    with pytest.raises(NotFound):  # it does not even see it
        act(session, world.users["region11"], signal, "qualify")
    with pytest.raises(Forbidden):
        act(session, world.users["region84"], signal, "validate")
    with pytest.raises(Forbidden):
        act(session, world.users["lyon"], signal, "qualify")


def test_reject_needs_a_reason(session: Session, world: World) -> None:
    signal = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    with pytest.raises(Invalid) as err:
        act(session, world.users["region84"], signal, "reject")
    assert err.value.field == "reason"
    act(session, world.users["region84"], signal, "reject", reason="Produit non utilisé en France")
    assert signal.status == "rejected" and signal.reject_reason == "Produit non utilisé en France"


def test_expected_end_before_start_is_refused(session: Session, world: World) -> None:
    with pytest.raises(Invalid) as err:
        service.declare(session, world.users["lyon"], declaration(
            world.products[0], started_at=date.today(), expected_end_at=date.today() - timedelta(days=1)))
    assert err.value.field == "expected_end_at"


def test_unknown_product_is_refused(session: Session, world: World) -> None:
    with pytest.raises(Invalid) as err:
        service.declare(session, world.users["lyon"], declaration(world.products[0], product_id=987654))
    assert err.value.field == "product_id"


def test_same_product_in_the_same_region_is_one_signal_the_second_declaration_waiting(
        session: Session, world: World) -> None:
    first = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    second = service.declare(session, world.users["grenoble"], declaration(world.products[0], measures_taken="Prêt"))
    session.commit()
    assert second.merged and second.waiting and second.signal.id == first.id
    assert {d.organisation.name for d in first.declarers} == {"CHU de Lyon", "CHU de Grenoble"}
    assert second.declarer is not None and second.declarer.facts["measures_taken"] == "Prêt"
    # Declaring granted Grenoble nothing: it reads the signal once the region admits its declaration.
    with pytest.raises(NotFound):
        service.get(session, world.users["grenoble"], first.id)
    with pytest.raises(Forbidden):
        service.admit(session, world.users["lyon"], first.id, second.declarer.id)
    service.admit(session, world.users["region84"], first.id, second.declarer.id)
    session.commit()
    assert service.get(session, world.users["grenoble"], first.id).id == first.id


def test_merge_across_regions_keeps_every_declarer(session: Session, world: World) -> None:
    lyon = service.declare(session, world.users["lyon"], declaration(world.products[1])).signal
    paris = service.declare(session, world.users["paris"], declaration(world.products[1])).signal
    assert lyon.id != paris.id
    act(session, world.users["national"], paris, "merge", merge_into=lyon.id, reason="Même rupture")
    session.commit()
    assert paris.status == "merged" and paris.merged_into_id == lyon.id
    assert {d.organisation.name for d in lyon.declarers} == {"CHU de Lyon", "AP-HP"}
    with pytest.raises(Invalid):
        other = service.declare(session, world.users["paris"], declaration(world.products[2])).signal
        act(session, world.users["national"], other, "merge", merge_into=lyon.id)


def test_stale_version_is_a_conflict_not_a_silent_overwrite(session: Session, world: World) -> None:
    signal = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    session.commit()
    stale = signal.version
    act(session, world.users["region84"], signal, "qualify")
    session.commit()
    with pytest.raises(Conflict) as err:
        service.transition(session, world.users["national"], signal.id,
                           schemas.TransitionIn(action="validate", version=stale))
    assert err.value.field == "version"


def test_two_sessions_acting_at_once_one_gets_a_conflict(engine, world: World) -> None:  # type: ignore[no-untyped-def]
    from sentinelle.store.db import session_factory

    make = session_factory(engine)
    with make() as s0:
        signal_id = service.declare(s0, s0.merge(world.users["lyon"]), declaration(world.products[0])).signal.id
        s0.commit()
    a, b = make(), make()
    try:
        sig_a = service.get(a, a.merge(world.users["region84"]), signal_id)
        sig_b = service.get(b, b.merge(world.users["national"]), signal_id)
        assert sig_a.version == sig_b.version == 1
        service.transition(a, a.merge(world.users["region84"]), signal_id,
                           schemas.TransitionIn(action="qualify", version=1))
        a.commit()
        # b read version 1 before a committed; its write must not pass.
        with pytest.raises(Conflict):
            service.transition(b, b.merge(world.users["national"]), signal_id,
                               schemas.TransitionIn(action="reject", version=1, reason="doublon"))
            b.commit()
        b.rollback()
    finally:
        a.close()
        b.close()
    with make() as s:
        assert service.get(s, s.merge(world.users["national"]), signal_id).status == "qualified"


def test_manufacturer_notice_is_confidential_and_flags_a_late_notice(session: Session, world: World) -> None:
    maker = world.users["maker_a"]
    late = service.file_notice(session, maker, schemas.NoticeIn(
        product_id=world.products[0].id, interruption_at=date.today() + timedelta(days=60)))
    on_time = service.file_notice(session, maker, schemas.NoticeIn(
        product_id=world.products[1].id, interruption_at=date.today() + timedelta(days=200)))
    session.commit()
    assert late.notice_late and not on_time.notice_late
    assert late.confidential
    # Seen by the maker, the national agency and Lyon (which buys product 0); nobody else.
    for key in ("maker_a", "national", "lyon"):
        assert service.get(session, world.users[key], late.id).id == late.id
    for key in ("maker_b", "grenoble", "paris", "region84", "citizen"):
        with pytest.raises(NotFound):
            service.get(session, world.users[key], late.id)
    assert session.scalar(select(Notification.id).where(
        Notification.user_id == world.users["lyon"].id, Notification.signal_id == late.id)) is not None
    assert session.scalar(select(Notification.id).where(
        Notification.user_id == world.users["grenoble"].id, Notification.signal_id == late.id)) is None


def test_a_manufacturer_cannot_file_a_notice_on_anothers_product(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        service.file_notice(session, world.users["maker_b"], schemas.NoticeIn(
            product_id=world.products[0].id, interruption_at=date.today() + timedelta(days=200)))
    with pytest.raises(Forbidden):
        service.file_notice(session, world.users["lyon"], schemas.NoticeIn(
            product_id=world.products[0].id, interruption_at=date.today() + timedelta(days=200)))


def test_publication_notifies_subscribers_who_may_see_it(session: Session, world: World) -> None:
    from sentinelle.notifications.service import subscribe

    subscribe(session, world.users["citizen"], emdn_prefix="A02")
    subscribe(session, world.users["paris"], product_id=world.products[3].id)
    signal = published_signal(session, world, product_index=0)  # EMDN A020101
    got = set(session.scalars(select(Notification.user_id).where(Notification.signal_id == signal.id)))
    assert world.users["citizen"].id in got
    assert world.users["paris"].id not in got
    assert world.users["lyon"].id in got  # the declarer hears of each step


def test_lists_respect_visibility_and_filters(session: Session, world: World) -> None:
    published_signal(session, world, product_index=0)
    service.declare(session, world.users["paris"], declaration(world.products[2]))
    session.commit()
    anyone, total = service.list_visible(session, None, service.Filters())
    assert total == 1 and anyone[0].status == "published"
    _, total_paris = service.list_visible(session, world.users["paris"], service.Filters())
    assert total_paris == 2
    _, national = service.list_visible(session, world.users["national"], service.Filters(status="declared"))
    assert national == 1
    found, _ = service.list_visible(session, world.users["national"], service.Filters(q="sonde"))
    assert [s.product.name for s in found] == ["Sonde d'intubation 7.0"]


def test_each_readers_count_matches_the_signals_it_may_open(session: Session, world: World) -> None:
    """The list's total is counted in two parts (public record + private set): it must agree, for
    every role, with the one-signal visibility check that `get` applies."""
    published_signal(session, world, product_index=0)
    service.declare(session, world.users["paris"], declaration(world.products[2]))
    service.declare(session, world.users["grenoble"], declaration(world.products[3], kind="rupture"))
    service.file_notice(session, world.users["maker_a"], schemas.NoticeIn(
        product_id=world.products[0].id, interruption_at=date.today() + timedelta(days=400)))
    session.commit()
    every = session.scalars(select(Signal.id)).all()
    for key, user in world.users.items():
        openable = set()
        for signal_id in every:
            try:
                service.get(session, user, signal_id)
                openable.add(signal_id)
            except NotFound:
                pass
        rows, total = service.list_visible(session, user, service.Filters())
        assert total == len(openable) == len(rows), key
        assert {s.id for s in rows} == openable, key
        _, published = service.list_visible(session, user, service.Filters(status="published"))
        assert published == 1, key


def test_the_loser_of_a_race_to_act_is_told_409_not_403(session: Session, world: World) -> None:
    signal = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    session.commit()
    seen = signal.version
    act(session, world.users["region84"], signal, "qualify")
    session.commit()
    # A second agent of the region qualifies from the page they loaded before: the signal moved on.
    with pytest.raises(Conflict) as err:
        service.transition(session, world.users["region84"], signal.id,
                           schemas.TransitionIn(action="qualify", version=seen))
    assert err.value.field == "version"
