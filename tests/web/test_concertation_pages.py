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
    assert "la plus fiable sur les médicaments ? : réponse obligatoire" in response.text
    assert "Prévenir les patients" in response.text
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
    assert 'name="q-0-text"' in page.text and 'name="q-1-text"' not in page.text
    first = {"csrf_token": token, "slug": "avis", "title": "Votre avis", "anonymous": "on", "count": "1",
             "q-0-text": "Votre note ?", "q-0-kind": "scale", "q-0-required": "on", "q-0-scale_min": "1",
             "q-0-scale_max": "5", "q-0-scale_low": "Mauvais", "q-0-scale_high": "Excellent"}
    # "Add a question" shows one more block and keeps what was typed.
    added = client.post("/concertation/questionnaires/nouveau", data={**first, "action": "add"})
    assert added.status_code == 200 and 'name="q-1-text"' in added.text and "Votre note ?" in added.text
    second = {**first, "count": "2", "q-1-text": "Votre source d'information la plus fiable ?", "q-1-kind": "single",
              "q-1-options": "Mon médecin\nMon pharmacien"}
    moved = client.post("/concertation/questionnaires/nouveau", data={**second, "action": "up-1"})
    assert moved.text.index("Votre source") < moved.text.index("Votre note ?")
    removed = client.post("/concertation/questionnaires/nouveau", data={**second, "action": "remove-0"})
    assert "Votre note ?" not in removed.text and 'name="q-1-text"' not in removed.text
    # A question with one option is named by its number; nothing is lost from the form.
    odd = client.post("/concertation/questionnaires/nouveau", data={**second, "q-1-options": "Mon médecin",
                                                                    "action": "save"})
    assert odd.status_code == 422 and "question 2" in odd.text and "au moins deux options" in odd.text
    assert 'id="q-1" class="question-block" aria-invalid="true"' in odd.text and "Votre note ?" in odd.text
    scale = client.post("/concertation/questionnaires/nouveau", data={**second, "q-0-scale_max": "cinq",
                                                                      "action": "save"})
    assert scale.status_code == 422 and "question 1" in scale.text and "scale_max" in scale.text
    created = client.post("/concertation/questionnaires/nouveau", data={**second, "action": "save"},
                          follow_redirects=True)
    assert created.status_code == 200 and "enregistré (brouillon)" in created.text
    wording = qs.current(session, qs.get(session, "avis")).questions
    assert [q["key"] for q in wording] == ["votre_note", "votre_source_d_information_la_plus"]
    assert wording[0]["required"] and wording[0]["scale_labels"] == ["Mauvais", "Excellent"]
    assert [o["key"] for o in wording[1]["options"]] == ["mon_medecin", "mon_pharmacien"]
    opened = client.post("/concertation/questionnaires/avis/etat", data={"csrf_token": token, "status": "open"})
    assert opened.status_code == 200 and "ouvert" in opened.text
    session.expire_all()
    assert qs.get(session, "avis").status == "open"
    # The next version starts from the current one, its option keys kept.
    revision = client.get("/concertation/questionnaires/avis/version")
    assert "mon_medecin | Mon médecin" in revision.text and "Votre note ?" in revision.text
    client.post("/concertation/questionnaires/avis/version", data={
        "csrf_token": token, "count": "1", "q-0-key": "votre_note", "q-0-text": "Votre note sur 5 ?",
        "q-0-kind": "scale", "action": "save"})
    session.expire_all()
    assert [v.number for v in qs.versions(session, qs.get(session, "avis"))] == [1, 2]


def test_the_opinion_map_shows_the_groups_of_the_idea_box(client: TestClient, session: Session, world: World) -> None:
    from sqlalchemy import insert, select

    from sentinelle.accounts.models import User
    from sentinelle.concertation import ideas

    assert "Pas encore assez de votes" in client.get("/concertation/idees/groupes").text
    posted = [ideas.post(session, world.users["citizen"], "access", f"Idée {n}") for n in range(4)]
    session.execute(insert(User), [{"email": f"camp{i}@test.fr", "name": f"C{i}", "password_hash": "x",
                                    "role": "citizen"} for i in range(24)])
    voters = session.scalars(select(User).where(User.email.like("camp%@test.fr")).order_by(User.id)).all()
    for n, voter in enumerate(voters):
        for k, idea in enumerate(posted):
            # Two camps split on ideas 0-1; everyone agrees with idea 3.
            value = 1 if k == 3 else (1 if (k < 2) == (n % 2 == 0) else -1)
            ideas.vote(session, voter, idea.id, value)
    session.commit()
    page = client.get("/concertation/idees/groupes")
    assert page.status_code == 200 and page.text.count("<circle") >= 24
    assert 'id="groupe-1"' in page.text and 'id="groupe-2"' in page.text and 'id="groupe-3"' not in page.text
    consensus = page.text[page.text.index('id="consensus"'):]
    assert consensus.index("Idée 3") < consensus.index("</ol>")
    assert "camp0@test.fr" not in page.text and "user:" not in page.text
    # Kept while nothing changes; a new vote makes a new map.
    first = ideas.opinion_map(session)
    assert ideas.opinion_map(session) is first
    ideas.vote(session, voters[0], posted[2].id, 0)
    session.commit()
    assert ideas.opinion_map(session) is not first


def test_every_problem_of_the_questionnaire_at_once_and_no_code(client: TestClient, session: Session,
                                                               world: World) -> None:
    """No profile, no required answer: one summary lists them all, in words (never « carer »)."""
    import html
    import re

    _open_default(session, world)
    login(client, "citizen@test.fr")
    token = csrf_of(client.get(f"/concertation/questionnaires/{SLUG}").text)
    page = client.post(f"/concertation/questionnaires/{SLUG}", data={"csrf_token": token, "profile": ""})
    assert page.status_code == 422
    summary = html.unescape(re.sub(r"<[^>]*>", " ", page.text.split('class="problems">')[1].split("</ul>")[0]))
    lines = [" ".join(line.split()) for line in summary.split("\n") if line.strip()]
    assert lines[0].startswith("Vous répondez en tant que : choisissez patient, aidant")
    assert len(lines) == 1 + sum(1 for q in QUESTIONS if q.get("required"))
    assert not re.search(r"\b(carer|professional|industry|citizen|representation|source_fiable)\b", summary)
