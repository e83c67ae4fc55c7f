"""Questionnaire pages and API: answering through the form, errors naming the question, results."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation.default_questionnaire import DESCRIPTION, QUESTIONS, SLUG, TITLE
from tests.factories import World
from tests.web.conftest import bearer
from tests.web.test_pages_and_api import csrf_of, login


def _open_default(session: Session, world: World) -> None:
    qs.create(session, world.users["national"], SLUG, TITLE, QUESTIONS, description=DESCRIPTION)
    qs.set_status(session, world.users["national"], SLUG, "open")
    session.commit()


def test_a_citizen_answers_through_the_form(client: TestClient, session: Session, world: World) -> None:
    _open_default(session, world)
    assert "Connectez-vous pour répondre" in client.get(f"/concertation/questionnaires/{SLUG}").text
    login(client, "citizen@test.fr")
    page = client.get(f"/concertation/questionnaires/{SLUG}")
    assert page.status_code == 200 and "la plus fiable sur les médicaments" in page.text
    form = {"csrf_token": csrf_of(page.text), "profile": "patient", "region": "84", "q_representation": "soin",
            "q_penurie_vecue": "une", "q_penurie_consequences": ["autre_pharmacie", "attendre"],
            "q_acces_facile": "2", "r_attentes_disponibilite": "1", "r_attentes_prix": "2",
            "q_preoccupations": ["penuries"], "q_source_fiable": "pharmacien",
            "q_proposition": "Prévenir les patients avant la rupture."}
    # A required question left out: the page comes back, naming it, with what was typed kept.
    missing = {k: v for k, v in form.items() if k != "q_source_fiable"}
    response = client.post(f"/concertation/questionnaires/{SLUG}", data=missing)
    assert response.status_code == 422
    assert "source_fiable : réponse obligatoire" in response.text and "Prévenir les patients" in response.text
    response = client.post(f"/concertation/questionnaires/{SLUG}", data=form, follow_redirects=True)
    assert response.status_code == 200 and "votre réponse est enregistrée" in response.text
    assert "1 répondant(s)" in response.text
    assert "Vous avez déjà répondu" in client.get(f"/concertation/questionnaires/{SLUG}").text
    stored = qs.results(session, SLUG)
    by_key = {q.key: q for q in stored.questions}
    assert by_key["attentes"].ranks == {"disponibilite": 1.0, "prix": 2.0}
    assert [s.count for s in by_key["penurie_consequences"].breakdowns[0].shares][:4] == [1, 0, 0, 1]


def test_two_options_at_the_same_rank_are_refused(client: TestClient, session: Session, world: World) -> None:
    _open_default(session, world)
    login(client, "citizen@test.fr")
    token = csrf_of(client.get(f"/concertation/questionnaires/{SLUG}").text)
    response = client.post(f"/concertation/questionnaires/{SLUG}", data={
        "csrf_token": token, "profile": "citizen", "q_representation": "soin", "q_penurie_vecue": "non",
        "q_source_fiable": "medecin", "r_attentes_prix": "1", "r_attentes_innovation": "1"})
    assert response.status_code == 422 and "deux options au même rang" in response.text


def test_the_api_answers_once_and_gives_results(client: TestClient, session: Session, world: World,
                                                 tokens: dict[str, str]) -> None:
    _open_default(session, world)
    body = {"profile": "carer", "region": "11",
            "answers": {"representation": "progres", "penurie_vecue": "non", "source_fiable": "agence"}}
    first = client.post(f"/api/v1/questionnaires/{SLUG}/responses", json=body, headers=bearer(tokens, "lyon"))
    assert first.status_code == 201 and first.json()["version"] == 1
    again = client.post(f"/api/v1/questionnaires/{SLUG}/responses", json=body, headers=bearer(tokens, "lyon"))
    assert again.status_code == 409
    bad = client.post(f"/api/v1/questionnaires/{SLUG}/responses", headers=bearer(tokens, "paris"),
                      json={**body, "answers": {"representation": "magie"}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "representation"]
    results = client.get(f"/api/v1/questionnaires/{SLUG}/results?by=region").json()
    source = next(q for q in results["questions"] if q["key"] == "source_fiable")
    assert [(b["group"], b["answered"]) for b in source["breakdowns"]] == [("11", 1)]
    weighted = client.get(f"/api/v1/questionnaires/{SLUG}/results", params={"margins": '{"profile": {"carer": 1}}'})
    assert weighted.status_code == 200 and weighted.json()["weighted"] is True
    assert client.get(f"/api/v1/questionnaires/{SLUG}/results", params={"margins": "[1]"}).status_code == 422
    export = client.get(f"/api/v1/questionnaires/{SLUG}/export.csv", headers=bearer(tokens, "guarantor"))
    assert export.status_code == 200 and export.text.startswith("pseudonym,version,profile,region,day,")
    assert "lyon@test.fr" not in export.text


def test_a_draft_is_hidden_but_from_the_agency(client: TestClient, session: Session, world: World,
                                               tokens: dict[str, str]) -> None:
    qs.create(session, world.users["national"], "brouillon", "Brouillon", QUESTIONS[:2])
    session.commit()
    assert client.get("/api/v1/questionnaires/brouillon").status_code == 404
    assert client.get("/api/v1/questionnaires/brouillon", headers=bearer(tokens, "citizen")).status_code == 404
    assert client.get("/api/v1/questionnaires/brouillon", headers=bearer(tokens, "national")).status_code == 200
    assert [q["slug"] for q in client.get("/api/v1/questionnaires").json()] == []


def test_the_agency_writes_opens_and_revises_a_questionnaire(client: TestClient, session: Session,
                                                             world: World) -> None:
    login(client, "citizen@test.fr")
    assert client.get("/concertation/questionnaires/nouveau").status_code == 403
    client.cookies.clear()
    login(client, "national@test.fr")
    page = client.get("/concertation/questionnaires/nouveau")
    token = csrf_of(page.text)
    bad = client.post("/concertation/questionnaires/nouveau", data={
        "csrf_token": token, "slug": "avis", "title": "Avis", "questions": "[{\"key\": \"a\""})
    assert bad.status_code == 422 and "questions : JSON illisible" in bad.text
    odd = client.post("/concertation/questionnaires/nouveau", data={
        "csrf_token": token, "slug": "avis", "title": "Avis",
        "questions": '[{"key": "a", "kind": "single", "text": "Oui ?", "options": [{"key": "o", "label": "Oui"}]}]'})
    assert odd.status_code == 422 and "au moins deux options" in odd.text
    created = client.post("/concertation/questionnaires/nouveau", data={
        "csrf_token": token, "slug": "avis", "title": "Votre avis", "anonymous": "on",
        "questions": '[{"key": "note", "kind": "scale", "text": "Votre note ?", "required": true}]'},
        follow_redirects=True)
    assert created.status_code == 200 and "enregistré (brouillon)" in created.text
    client.post("/concertation/questionnaires/avis/etat", data={"csrf_token": token, "status": "open"})
    assert qs.get(session, "avis").status == "open"
    client.post("/concertation/questionnaires/avis/version", data={
        "csrf_token": token, "questions": '[{"key": "note", "kind": "scale", "text": "Votre note sur 5 ?"}]'})
    session.expire_all()
    assert [v.number for v in qs.versions(session, qs.get(session, "avis"))] == [1, 2]
