"""The assembly on the web: offering to sit, the agency's draw, and the JSON API publishing tallies."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sentinelle.concertation import assembly, lottery
from tests.factories import World
from tests.web.conftest import bearer
from tests.web.test_pages_and_api import csrf_of, login


def test_a_citizen_volunteers_and_the_agency_draws(client: TestClient, session: Session, world: World) -> None:
    assembly.create(session, world.users["national"], "parlement", "Parlement Santé", seats=1)
    session.commit()
    page = client.get("/concertation/assemblee/parlement")
    assert "Connectez-vous pour vous porter volontaire" in page.text
    login(client, "citizen@test.fr")
    page = client.get("/concertation/assemblee/parlement")
    token = csrf_of(page.text)
    assert "Me porter volontaire" in page.text and 'id="draw-form"' not in page.text
    bad = client.post("/concertation/assemblee/parlement/volontaires",
                      data={"csrf_token": token, "profile": "patient", "region": "99"})
    assert bad.status_code == 422 and "région inconnue" in bad.text
    client.post("/concertation/assemblee/parlement/volontaires",
                data={"csrf_token": token, "profile": "patient", "region": "84"})
    page = client.get("/concertation/assemblee/parlement")
    assert "Vous êtes volontaire (Patient, Auvergne-Rhône-Alpes)" in page.text and "Patient 1" in page.text
    client.post("/concertation/assemblee/parlement/volontaires", data={"csrf_token": token, "action": "withdraw"})
    assert "Patient 0" in client.get("/concertation/assemblee/parlement").text
    client.post("/concertation/assemblee/parlement/volontaires",
                data={"csrf_token": token, "profile": "carer", "region": "11"})
    # A citizen cannot draw.
    assert client.post("/concertation/assemblee/parlement/tirages",
                       data={"csrf_token": token, "year": "2026", "seed": "graine-publiee"}).status_code == 403
    client.cookies.clear()
    login(client, "national@test.fr")
    page = client.get("/concertation/assemblee/parlement")
    short = client.post("/concertation/assemblee/parlement/tirages",
                        data={"csrf_token": csrf_of(page.text), "year": "2026", "seed": "court"})
    assert short.status_code == 422 and "Graine du tirage : au moins 8 caractères" in short.text
    # On the assembly's page again, not a dead end, what was typed kept.
    assert 'id="draw-seed"' in short.text and 'value="court"' in short.text
    drawn = client.post("/concertation/assemblee/parlement/tirages",
                        data={"csrf_token": csrf_of(page.text), "year": "2026", "seed": "graine-publiee-2026"},
                        follow_redirects=True)
    assert "Tirage 2026 : 1 membre(s) tiré(s)" in drawn.text
    # What is published lets anyone redo the draw.
    published = client.get("/api/v1/assemblies/parlement").json()
    draw = published["draws"][0]
    assert draw["volunteers"] == [{"id": str(world.users["citizen"].id), "profile": "carer", "region": "11"}]
    again = lottery.draw([lottery.Volunteer(**v) for v in draw["volunteers"]], 1, draw["seed"])
    assert [v.id for v in again] == [str(world.users["citizen"].id)] and published["seated"] == 1


def test_the_api_runs_a_sitting_and_publishes_the_tally(client: TestClient, session: Session, world: World,
                                                        tokens: dict[str, str]) -> None:
    assembly.create(session, world.users["national"], "parlement", "Parlement Santé", seats=2)
    session.commit()
    for role, profile in (("citizen", "citizen"), ("guarantor", "patient")):
        assert client.put("/api/v1/assemblies/parlement/volunteers/mine", json={"profile": profile, "region": "84"},
                          headers=bearer(tokens, role)).status_code == 200
    assert client.put("/api/v1/assemblies/parlement/volunteers/mine", json={"profile": "martian", "region": "84"},
                      headers=bearer(tokens, "lyon")).status_code == 422
    agency = bearer(tokens, "national")
    offers = client.get("/api/v1/assemblies/parlement/volunteers", headers=agency).json()
    assert sorted(o["profile"] for o in offers) == ["citizen", "patient"]
    assert client.post("/api/v1/assemblies/parlement/draws", json={"year": 2026, "seed": "graine-2026-publiee"},
                       headers=agency).json()["drawn"] == 2
    sitting = client.post("/api/v1/assemblies/parlement/sittings", json={"title": "Séance d'hiver"},
                          headers=agency).json()["id"]
    motion = client.post(f"/api/v1/sittings/{sitting}/motions", json={"title": "Stocks de sécurité régionaux"},
                         headers=agency).json()
    assert motion["status"] == "open" and motion["tally"] is None
    amendment = client.post(f"/api/v1/sittings/{sitting}/motions", json={"title": "Sauf les DM", "amends": motion["id"]},
                            headers=bearer(tokens, "citizen"))
    assert amendment.status_code == 201 and amendment.json()["parent_id"] == motion["id"]
    client.put(f"/api/v1/motions/{motion['id']}/votes/mine", json={"choice": "contre"}, headers=bearer(tokens, "citizen"))
    client.put(f"/api/v1/motions/{motion['id']}/votes/mine", json={"choice": "pour"}, headers=bearer(tokens, "citizen"))
    client.put(f"/api/v1/motions/{motion['id']}/votes/mine", json={"choice": "abstention"},
               headers=bearer(tokens, "guarantor"))
    assert client.put(f"/api/v1/motions/{motion['id']}/votes/mine", json={"choice": "peut-être"},
                      headers=bearer(tokens, "citizen")).status_code == 422
    closed = client.post(f"/api/v1/motions/{motion['id']}/close", headers=agency).json()
    assert closed["status"] == "adopted"
    assert closed["tally"] == "présents : 2, exprimés : 1, pour : 1, contre : 0, abstentions : 1"
    assert client.put(f"/api/v1/motions/{motion['id']}/votes/mine", json={"choice": "contre"},
                      headers=bearer(tokens, "citizen")).status_code == 409
    public = client.get("/api/v1/assemblies/parlement").json()
    published = public["sittings"][0]["motions"][0]
    assert (published["present"], published["votes_for"], published["abstentions"]) == (2, 1, 1)


def test_the_synthesis_api_cites_and_shows_coverage(client: TestClient, session: Session, world: World,
                                                    tokens: dict[str, str]) -> None:
    from sentinelle.concertation import ideas

    idea = ideas.post(session, world.users["citizen"], "access", "Prévenir avant la rupture")
    other = ideas.post(session, world.users["citizen"], "efficiency", "Mutualiser les stocks")
    session.commit()
    agency = bearer(tokens, "national")
    assert client.post("/api/v1/syntheses", json={"slug": "bilan", "title": "Bilan"}, headers=agency).status_code == 201
    bad = client.post("/api/v1/syntheses/bilan/sentences", json={"text": "Sans source.", "citations": ["idée 1"]},
                      headers=agency)
    assert bad.status_code == 422 and "citation illisible" in bad.text
    missing = client.post("/api/v1/syntheses/bilan/sentences", json={"text": "Absente.", "citations": ["idea:999"]},
                          headers=agency)
    assert missing.status_code == 422 and "introuvable : idée:999" in missing.text
    written = client.post("/api/v1/syntheses/bilan/sentences",
                          json={"text": "On veut être prévenu.", "citations": [f"idea:{idea.id}"]}, headers=agency)
    assert written.status_code == 201
    assert written.json()["sources"] == [{"target": "idea", "id": idea.id, "text": "Prévenir avant la rupture",
                                          "href": f"/concertation/idees/{idea.id}"}]
    public = client.get("/api/v1/syntheses/bilan").json()
    assert [s["text"] for s in public["sentences"]] == ["On veut être prévenu."]
    cov = client.get("/api/v1/syntheses/bilan/coverage", headers=bearer(tokens, "guarantor")).json()
    by_theme = {t["theme"]: t for t in cov["themes"]}
    assert (by_theme["access"]["cited"], by_theme["efficiency"]["uncited"]) == (1, [other.id])


def test_the_agency_creates_an_assembly_and_a_synthesis_from_the_page(client: TestClient, session: Session,
                                                                       world: World) -> None:
    login(client, "citizen@test.fr")
    page = client.get("/concertation")
    assert 'id="agency-tools"' not in page.text
    refused = client.post("/concertation/syntheses", data={"csrf_token": csrf_of(page.text), "slug": "bilan",
                                                           "title": "Bilan"})
    assert refused.status_code == 403
    client.cookies.clear()
    login(client, "national@test.fr")
    token = csrf_of(client.get("/concertation").text)
    bad = client.post("/concertation/assemblees", data={"csrf_token": token, "slug": "Parlement Santé",
                                                        "name": "Parlement", "seats": "30"})
    assert bad.status_code == 422 and "Adresse courte : minuscules, chiffres et tirets" in bad.text
    assert 'value="Parlement Santé"' in bad.text and 'id="assembly-slug"' in bad.text  # the form, as typed
    seats = client.post("/concertation/assemblees", data={"csrf_token": token, "slug": "parlement",
                                                          "name": "Parlement", "seats": "trente"})
    assert seats.status_code == 422 and "Nombre de sièges : nombre entier attendu" in seats.text
    made = client.post("/concertation/assemblees", data={"csrf_token": token, "slug": "parlement",
                                                         "name": "Parlement Santé", "seats": "30", "quorum": "40"},
                       follow_redirects=True)
    assert made.status_code == 200 and "Assemblée créée" in made.text
    a = assembly.get(session, "parlement")
    assert (a.seats, a.quorum_share) == (30, 0.4)
    again = client.post("/concertation/assemblees", data={"csrf_token": token, "slug": "parlement",
                                                          "name": "Parlement Santé", "seats": "30"})
    assert again.status_code == 409
    written = client.post("/concertation/syntheses", data={"csrf_token": token, "slug": "bilan",
                                                           "title": "Bilan de la concertation"}, follow_redirects=True)
    assert written.status_code == 200 and "Synthèse créée" in written.text
    assert "Bilan de la concertation" in client.get("/concertation").text


def test_free_text_answers_page_by_page_and_cited_as_given(client: TestClient, session: Session, world: World,
                                                           tokens: dict[str, str]) -> None:
    """The agency and the guarantors read the free-text answers page by page, each with the citation a
    synthesis sentence writes; the synthesis API takes that citation as given and quotes the words."""
    from sentinelle.concertation import questionnaires as qs

    questions = [{"key": "note", "kind": "scale", "text": "Votre note ?"},
                 {"key": "libre", "kind": "text", "text": "Une proposition ?"}]
    qs.create(session, world.users["national"], "avis", "Avis", questions)
    qs.set_status(session, world.users["national"], "avis", "open")
    qs.answer(session, world.users["citizen"], "avis", {"note": 4, "libre": "Prévenir les patients plus tôt"},
              profile="patient")
    qs.answer(session, world.users["lyon"], "avis", {"note": 2}, profile="professional")
    qs.answer(session, world.users["paris"], "avis", {"note": 3, "libre": "Des stocks régionaux"},
              profile="professional")
    session.commit()
    url = "/api/v1/questionnaires/avis/free-texts"
    assert client.get(url, headers=bearer(tokens, "citizen")).status_code == 403
    first = client.get(url, params={"limit": 2}, headers=bearer(tokens, "guarantor")).json()
    # Two responses read, one with free text; the next page starts after the second.
    assert [(i["profile"], i["answers"]) for i in first["items"]] == [
        ("patient", [{"question": "Une proposition ?", "text": "Prévenir les patients plus tôt"}])]
    rest = client.get(url, params={"limit": 2, "after": first["next_after"]},
                      headers=bearer(tokens, "guarantor")).json()
    assert [i["answers"][0]["text"] for i in rest["items"]] == ["Des stocks régionaux"]
    assert rest["next_after"] is None
    assert client.get(url, params={"limit": 5000}, headers=bearer(tokens, "guarantor")).status_code == 422
    agency = bearer(tokens, "national")
    assert client.post("/api/v1/syntheses", json={"slug": "bilan", "title": "Bilan"}, headers=agency).status_code == 201
    cite = first["items"][0]["cite"]
    written = client.post("/api/v1/syntheses/bilan/sentences",
                          json={"text": "Être prévenu.", "citations": [cite]}, headers=agency)
    assert written.status_code == 201, written.text
    assert written.json()["sources"][0]["text"].startswith("Prévenir les patients plus tôt")
