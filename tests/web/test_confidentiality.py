"""What a hostile user found (issue "Trust first", §1 and §6): a declaration grants nothing its author
could not already read, internal notes never reach the public, the declarers' remarks and measures
stay with the agencies unless shared, and two declarations at one instant make one signal."""

from __future__ import annotations

import html
import threading
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sentinelle.alternatives import schemas as alternative_schemas
from sentinelle.alternatives import service as alternatives
from sentinelle.errors import NotFound
from sentinelle.signals import schemas, service
from sentinelle.signals.models import Declarer, Signal
from sentinelle.store.db import session_factory
from tests.factories import World, act, declaration
from tests.web.conftest import bearer
from tests.web.test_pages_and_api import login


def _detected(session: Session, world: World, product_index: int = 2) -> Signal:
    """A tension raised by detection on maker_b's probe, in region 84, concerning Grenoble."""
    signal = service.declare_candidate(
        session, product=world.products[product_index], region_code="84", started_at=date.today(),
        evidence="EVIDENCE-Grenoble-12-lignes", external_ref="alert-1", concerned=[world.orgs["grenoble"]],
        series=[])
    assert signal is not None
    session.commit()
    return signal


def test_a_manufacturer_cannot_read_a_detection_signal_by_declaring(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    signal = _detected(session, world, product_index=0)  # maker_a's syringe
    today = date.today().isoformat()
    # maker_b does not make this product: refused, whatever it is.
    refused = client.post("/api/v1/signals", json={"product_id": world.products[0].id, "kind": "tension",
                                                   "started_at": today}, headers=bearer(tokens, "maker_b"))
    assert refused.status_code == 403 and refused.json()["field"] == "product_id"
    # maker_a makes it; its own declaration is its own record and opens nothing.
    own = client.post("/api/v1/signals", json={"product_id": world.products[0].id, "kind": "tension",
                                               "started_at": today}, headers=bearer(tokens, "maker_a"))
    assert own.status_code == 201 and own.json()["id"] != signal.id
    for path in (f"/api/v1/signals/{signal.id}", f"/api/v1/signals/{signal.id}/events"):
        assert client.get(path, headers=bearer(tokens, "maker_a")).status_code == 404
    listed = client.get("/api/v1/signals", headers=bearer(tokens, "maker_a")).json()
    assert signal.id not in [s["id"] for s in listed["items"]]


def test_a_hospital_cannot_read_its_neighbours_declaration_by_declaring(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    lyon = service.declare(session, world.users["lyon"], declaration(
        world.products[1], cause_detail="DETAIL-LYON", measures_taken="MESURES-LYON")).signal
    session.commit()
    body = {"product_id": world.products[1].id, "kind": "rupture", "started_at": date.today().isoformat(),
            "measures_taken": "MESURES-GRENOBLE"}
    waiting = client.post("/api/v1/signals", json=body, headers=bearer(tokens, "grenoble"))
    assert waiting.status_code == 202, waiting.text
    answer = waiting.json()
    assert answer["signal_id"] is None and "déjà" in answer["detail"]
    assert "DETAIL-LYON" not in waiting.text and "MESURES-LYON" not in waiting.text
    for path in (f"/api/v1/signals/{lyon.id}", f"/api/v1/signals/{lyon.id}/events"):
        assert client.get(path, headers=bearer(tokens, "grenoble")).status_code == 404
    # Its own record: what it declared, waiting.
    mine = client.get("/api/v1/signals/declarations/mine", headers=bearer(tokens, "grenoble")).json()
    assert [(d["admitted"], d["signal_id"], d["facts"]["measures_taken"]) for d in mine] == \
        [(False, None, "MESURES-GRENOBLE")]
    # The region sees the waiting declaration on its signal and admits it; then Grenoble reads it.
    page = client.get(f"/signaux/{lyon.id}", headers=bearer(tokens, "region84"))
    assert "MESURES-GRENOBLE" in page.text and "en attente de rattachement" in page.text
    admitted = client.post(f"/api/v1/signals/{lyon.id}/declarers/{answer['id']}/admit",
                           headers=bearer(tokens, "region84"))
    assert admitted.status_code == 200, admitted.text
    assert client.get(f"/api/v1/signals/{lyon.id}", headers=bearer(tokens, "grenoble")).status_code == 200
    again = client.post(f"/api/v1/signals/{lyon.id}/declarers/{answer['id']}/admit", headers=bearer(tokens, "national"))
    assert again.status_code == 409


def test_the_declaration_form_tells_a_waiting_declarer_only_that_the_product_is_followed(
        client: TestClient, session: Session, world: World) -> None:
    lyon = service.declare(session, world.users["lyon"], declaration(world.products[1])).signal
    session.commit()
    token = login(client, "grenoble@test.fr")
    response = client.post("/declarer", data={"csrf_token": token, "product_id": str(world.products[1].id),
                                              "kind": "tension", "started_at": date.today().isoformat()})
    assert response.status_code == 200 and response.url.path == "/declarer"
    text = html.unescape(response.text)
    assert "déjà l'objet d'un signal suivi" in text and "en attente de rattachement" in text
    assert f"/signaux/{lyon.id}" not in response.text


def _marked_walk(session: Session, world: World) -> tuple[Signal, list[str]]:
    """Every action on one signal, each internal field typed with a marker the public must never read."""
    markers: list[str] = []

    def m(name: str) -> str:
        markers.append(f"INTERNE-{name}")
        return markers[-1]

    signal = service.declare(session, world.users["lyon"], declaration(
        world.products[0], cause_detail=m("cause"), measures_taken=m("mesures"))).signal
    service.declare(session, world.users["grenoble"], declaration(world.products[0], measures_taken=m("mesures2")))
    service.comment(session, world.users["region84"], signal.id, m("commentaire-region"))
    act(session, world.users["region84"], signal, "qualify", reason=m("qualifier"))
    service.update(session, world.users["region84"], signal.id, signal.version, measures_taken=m("maj"))
    act(session, world.users["national"], signal, "validate", reason=m("valider"))
    paris = service.declare(session, world.users["paris"], declaration(world.products[0], cause_detail=m("paris"))).signal
    act(session, world.users["national"], paris, "merge", merge_into=signal.id, reason=m("fusion"))
    other = service.declare(session, world.users["paris"], declaration(world.products[3])).signal
    act(session, world.users["region11"], other, "reject", reason=m("rejet"))
    act(session, world.users["national"], signal, "publish", reason=m("publier"),
        public_message="Tension sur les seringues : commandes limitées.")
    service.comment(session, world.users["lyon"], signal.id, m("commentaire-lyon"))
    session.refresh(signal)
    service.add_measure(session, world.users["national"], signal.id,
                        schemas.MeasureIn(kind="quota", description="Contingentement à 80 %", version=signal.version))
    act(session, world.users["national"], signal, "resolve", reason=m("clore"))
    alternatives.record_lesson(session, world.users["lyon"], signal.id, alternative_schemas.LessonIn(what_worked="Prêts"))
    session.commit()
    return signal, markers


def test_no_internal_note_reaches_the_public_pages_open_data_or_api(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    signal, markers = _marked_walk(session, world)
    public = [f"/public/signaux/{signal.id}", "/public", "/api/v1/opendata/shortages.csv",
              "/api/v1/opendata/shortages.json", "/api/v1/opendata/shortages.atom", f"/api/v1/signals/{signal.id}",
              f"/api/v1/signals/{signal.id}/events", "/api/v1/signals"]
    for who in (None, "citizen", "guarantor"):
        for path in public:
            response = client.get(path, headers=bearer(tokens, who))
            assert response.status_code == 200, (who, path, response.status_code)
            leaked = [mk for mk in markers if mk in response.text]
            assert not leaked, f"{who} reads {leaked} at {path}"
    # The public history still says what happened.
    events = client.get(f"/api/v1/signals/{signal.id}/events").json()
    assert [e["to_status"] for e in events if e["to_status"]] == ["published", "resolved"]
    # The agencies and the admitted declarer read the notes.
    internal = client.get(f"/api/v1/signals/{signal.id}/events", headers=bearer(tokens, "national")).text
    assert all(mk in internal for mk in ("INTERNE-publier", "INTERNE-clore", "INTERNE-commentaire-lyon"))


def test_subscribers_are_told_the_public_message_not_the_internal_note(session: Session, world: World) -> None:
    from sentinelle.notifications.models import Delivery, Notification
    from sentinelle.notifications.service import subscribe

    subscribe(session, world.users["citizen"], product_id=world.products[0].id)
    _signal, markers = _marked_walk(session, world)
    citizen = world.users["citizen"].id
    bodies = [n.body for n in session.scalars(select(Notification).where(Notification.user_id == citizen))]
    assert bodies, "the citizen subscribed and was told nothing"
    mails = [str(d.payload) for d in session.scalars(select(Delivery).where(Delivery.target == "citizen@test.fr"))]
    assert not [mk for mk in markers for text in bodies + mails if mk in text]


def test_after_publication_other_hospitals_and_manufacturers_read_the_public_side_only(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    signal, markers = _marked_walk(session, world)
    # Paris became a declarer when the nation merged its signal into this one (the agency's decision);
    # Grenoble's own declaration still waits to be admitted: it reads the public side, as the others.
    for who in ("grenoble", "maker_b", "region11", "purchaser", "maker_a"):
        for path in (f"/signaux/{signal.id}", f"/api/v1/signals/{signal.id}/events"):
            text = client.get(path, headers=bearer(tokens, who)).text
            leaked = [mk for mk in markers if mk in text]
            assert not leaked, f"{who} reads {leaked} at {path}"
        page = client.get(f"/signaux/{signal.id}", headers=bearer(tokens, who)).text
        assert "CHU de Lyon" not in page.split("Retours d")[0]  # the declarers are the agencies' business
        assert "Ajouter un commentaire" not in page
    lyon_page = client.get(f"/signaux/{signal.id}", headers=bearer(tokens, "lyon")).text
    assert "INTERNE-commentaire-region" in lyon_page and "CHU de Lyon" in lyon_page


def test_a_declarer_may_share_its_measures_without_its_name(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    signal = service.declare(session, world.users["lyon"], declaration(
        world.products[0], measures_taken="Bascule vers le 20 mL", share_measures=True)).signal
    act(session, world.users["region84"], signal, "qualify")
    act(session, world.users["national"], signal, "validate")
    act(session, world.users["national"], signal, "publish", public_message="Tension.")
    session.commit()
    paris = client.get(f"/signaux/{signal.id}", headers=bearer(tokens, "paris")).text
    assert "Bascule vers le 20 mL" in paris and "Mesures partagées" in paris
    # Not for the public, not for a manufacturer.
    assert "Bascule" not in client.get(f"/public/signaux/{signal.id}").text
    assert "Bascule" not in client.get(f"/signaux/{signal.id}", headers=bearer(tokens, "maker_b")).text


def test_detection_evidence_is_read_by_the_buyers_concerned_not_by_the_others(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    signal = _detected(session, world)
    assert "EVIDENCE" in client.get(f"/api/v1/signals/{signal.id}/events", headers=bearer(tokens, "grenoble")).text
    for who in ("lyon", "paris", "maker_b"):
        assert client.get(f"/api/v1/signals/{signal.id}/events", headers=bearer(tokens, who)).status_code == 404


def _race(engine: Engine, world: World, users: list[str], product_index: int) -> list[service.Declared | Exception]:
    make = session_factory(engine)
    barrier = threading.Barrier(len(users))
    results: list[service.Declared | Exception] = []
    lock = threading.Lock()

    def declare(key: str) -> None:
        with make() as s:
            user = s.merge(world.users[key])
            barrier.wait()
            try:
                out: service.Declared | Exception = service.declare(
                    s, user, declaration(world.products[product_index]))
                s.commit()
            except Exception as exc:  # reported below
                s.rollback()
                out = exc
        with lock:
            results.append(out)

    threads = [threading.Thread(target=declare, args=(k,)) for k in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_hospitals_declaring_one_product_at_the_same_instant_make_one_signal(
        engine: Engine, session: Session, world: World) -> None:
    # Twelve trials, each a race between two hospitals of one region on a fresh product.
    from sentinelle.catalogue.service import create_product

    for trial in range(12):
        product = create_product(session, None, kind="device", name=f"Produit course {trial}",
                                 manufacturer_id=world.orgs["maker_a"].id)
        session.commit()
        world.products.append(product)
        results = _race(engine, world, ["lyon", "grenoble"], len(world.products) - 1)
        assert not [r for r in results if isinstance(r, Exception)], results
        session.expire_all()
        count = session.scalar(select(func.count(Signal.id)).where(Signal.product_id == product.id))
        assert count == 1, f"trial {trial}: {count} signals"
        declarers = session.scalar(select(func.count(Declarer.id)).join(Signal).where(Signal.product_id == product.id))
        assert declarers == 2


def test_a_closed_signal_frees_its_product_for_a_new_declaration(session: Session, world: World) -> None:
    first = service.declare(session, world.users["lyon"], declaration(world.products[0])).signal
    act(session, world.users["region84"], first, "reject", reason="Doublon")
    second = service.declare(session, world.users["grenoble"], declaration(world.products[0]))
    session.commit()
    assert not second.merged and second.signal.id != first.id
    with pytest.raises(NotFound):
        service.get(session, world.users["grenoble"], first.id)


def test_a_declaration_joins_a_tension_raised_by_detection_admitted_only_for_its_readers(
        session: Session, world: World) -> None:
    signal = _detected(session, world)  # region 84, concerning Grenoble (a buyer)
    grenoble = service.declare(session, world.users["grenoble"], declaration(world.products[2]))
    lyon = service.declare(session, world.users["lyon"], declaration(world.products[2]))
    session.commit()
    assert grenoble.signal.id == lyon.signal.id == signal.id
    assert not grenoble.waiting and lyon.waiting
    with pytest.raises(NotFound):
        service.get(session, world.users["lyon"], signal.id)


def test_agents_names_are_not_published_their_organisation_is(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    signal, _ = _marked_walk(session, world)
    public = client.get(f"/api/v1/signals/{signal.id}/events").json()
    assert {e["actor_label"] for e in public} == {"ANSM"}  # world.users["national"] is "National (ANSM)"
    internal = client.get(f"/api/v1/signals/{signal.id}/events", headers=bearer(tokens, "national")).json()
    assert "National (ANSM)" in {e["actor_label"] for e in internal}
    assert "National (" not in client.get(f"/signaux/{signal.id}", headers=bearer(tokens, "maker_b")).text


def test_a_co_declarer_reads_the_signal_but_not_the_other_declarers_names_or_remarks(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    signal, _ = _marked_walk(session, world)
    # Paris became a declarer by the nation's merge: it reads the agencies' notes and comments…
    paris = client.get(f"/signaux/{signal.id}", headers=bearer(tokens, "paris")).text
    assert "INTERNE-commentaire-region" in paris and "Votre déclaration" in paris
    # …but neither Lyon's nor Grenoble's remarks, measures or names.
    for secret in ("INTERNE-cause", "INTERNE-mesures", "INTERNE-mesures2", "INTERNE-maj", "CHU de Lyon",
                   "CHU de Grenoble", "Lyon (", "Grenoble ("):
        assert secret not in paris.split("Retours d")[0], secret
    events = client.get(f"/api/v1/signals/{signal.id}/events", headers=bearer(tokens, "paris")).json()
    assert "Établissement déclarant" in {e["actor_label"] for e in events}
    assert not any("Lyon" in e["actor_label"] for e in events)
    # The agencies read everything, names included.
    region = client.get(f"/signaux/{signal.id}", headers=bearer(tokens, "region84")).text
    assert "CHU de Lyon" in region and "INTERNE-mesures2" in region


def test_a_co_declarer_may_not_rewrite_the_authors_facts(session: Session, world: World) -> None:
    from sentinelle.errors import Forbidden

    first = service.declare(session, world.users["lyon"], declaration(world.products[1])).signal
    second = service.declare(session, world.users["grenoble"], declaration(world.products[1]))
    assert second.declarer is not None
    service.admit(session, world.users["region84"], first.id, second.declarer.id)
    session.commit()
    with pytest.raises(Forbidden):
        service.update(session, world.users["grenoble"], first.id, first.version, measures_taken="écrasé")
