"""Every role against every endpoint: the expected status, in one table."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sentinelle.alternatives import schemas as alternative_schemas
from sentinelle.alternatives import service as alternatives
from sentinelle.catalogue.service import add_member
from sentinelle.concertation import assembly, ideas, synthesis
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation.default_questionnaire import QUESTIONS
from sentinelle.risk import pieu
from sentinelle.risk.schemas import ScoreIn
from sentinelle.signals import schemas, service
from tests.factories import World, act, declaration, published_signal
from tests.web.conftest import bearer

ROLES = [None, "lyon", "grenoble", "paris", "region84", "region11", "national", "maker_a", "maker_b",
         "purchaser", "citizen", "guarantor"]


def _setup(session: Session, world: World) -> dict[str, int]:
    declared = service.declare(session, world.users["lyon"], declaration(world.products[1])).signal
    # Grenoble declares the same product: its declaration waits for the region, and opens nothing.
    waiting = service.declare(session, world.users["grenoble"], declaration(world.products[1])).declarer
    assert waiting is not None and not waiting.admitted
    notice = service.file_notice(session, world.users["maker_a"], schemas.NoticeIn(
        product_id=world.products[0].id, interruption_at=date.today() + timedelta(days=200)))
    regional = service.declare(session, world.users["grenoble"], declaration(world.products[3])).signal
    act(session, world.users["region84"], regional, "qualify")
    # UniHA buys for Lyon, a customer of the product under notice.
    add_member(session, world.users["national"], world.orgs["uniha"].id, world.orgs["lyon"].id)
    session.commit()
    # A questionnaire open to answers, and a draft.
    qs.create(session, world.users["national"], "avis", "Avis", QUESTIONS[:3])
    qs.set_status(session, world.users["national"], "avis", "open")
    qs.create(session, world.users["national"], "brouillon", "Brouillon", QUESTIONS[:3])
    idea = ideas.post(session, world.users["citizen"], "access", "Prévenir avant la rupture")
    # An assembly where the citizen sits, a sitting with a motion open to the vote.
    assembly.create(session, world.users["national"], "parlement", "Parlement Santé", seats=1)
    assembly.draw(session, world.users["national"], "parlement", 2026, "graine-publiee-2026",
                  [(world.users["citizen"].id, "citizen", "84")])
    sitting = assembly.open_sitting(session, world.users["national"], "parlement", "Séance")
    motion = assembly.propose(session, world.users["national"], sitting.id, "Stocks régionaux")
    synthesis.create(session, world.users["national"], "bilan", "Bilan")
    # Lyon's risk mapping, shared as a reference; Grenoble's, kept to itself.
    lyon_map = pieu.start(session, world.users["lyon"]).mapping
    pieu.set_score(session, world.users["lyon"], lyon_map.id, ScoreIn(emdn_code="A02", p=4, i=4, e=3, u=4))
    pieu.share(session, world.users["lyon"], lyon_map.id, True)
    grenoble_map = pieu.start(session, world.users["grenoble"]).mapping
    session.commit()
    published = published_signal(session, world, product_index=2)
    alt = alternatives.add(session, world.users["national"], published.id,
                                  alternative_schemas.AlternativeIn(description="Sonde d'un autre calibre"))
    session.commit()
    return {"declared": declared.id, "waiting": waiting.id, "notice": notice.id, "published": published.id,
            "published_version": published.version, "regional": regional.id, "regional_version": regional.version,
            "alternative": alt.id, "uniha": world.orgs["uniha"].id, "grenoble": world.orgs["grenoble"].id,
            "product": world.products[0].id, "idea": idea.id, "sitting": sitting.id, "motion": motion.id,
            "lyon_map": lyon_map.id, "grenoble_map": grenoble_map.id}


# endpoint -> (method, path template, body maker, {role: expected status}); roles not named expect `default`.
def _cases(ids: dict[str, int]) -> list[tuple[str, str, str, Any, dict[str | None, int], int]]:
    today = date.today()
    return [
        ("read declared", "GET", f"/api/v1/signals/{ids['declared']}", None,
         {"lyon": 200, "region84": 200, "national": 200}, 404),
        ("read notice", "GET", f"/api/v1/signals/{ids['notice']}", None,
         {"lyon": 200, "maker_a": 200, "national": 200, "purchaser": 200}, 404),
        ("read published", "GET", f"/api/v1/signals/{ids['published']}", None, {}, 200),
        ("list", "GET", "/api/v1/signals", None, {}, 200),
        ("declare", "POST", "/api/v1/signals",
         {"product_id": 4, "kind": "tension", "started_at": today.isoformat()},
         # A manufacturer declares only on what it makes or distributes (product 4 is maker_b's).
         # Lyon finds Grenoble's signal on it open in its region, which it may not read: its declaration
         # waits for the region (202), and opens nothing.
         {None: 401, "lyon": 202, "grenoble": 201, "paris": 201, "region84": 201, "region11": 201, "national": 201,
          "maker_b": 201}, 403),
        ("my declarations", "GET", "/api/v1/signals/declarations/mine", None, {None: 401}, 200),
        # Admitting a waiting declaration: the signal's region or the nation; its author does not
        # read the signal (404), nor does the first declarer decide (403).
        ("admit a declaration", "POST", f"/api/v1/signals/{ids['declared']}/declarers/{ids['waiting']}/admit", None,
         {None: 401, "lyon": 403, "region84": 200, "national": 200}, 404),
        ("my tokens", "GET", "/api/v1/me/tokens", None, {None: 401}, 200),

        ("notice", "POST", "/api/v1/signals/notices",
         {"product_id": 3, "interruption_at": (today + timedelta(days=300)).isoformat()},
         {None: 401, "maker_b": 201}, 403),
        ("qualify", "POST", f"/api/v1/signals/{ids['declared']}/transitions", {"action": "qualify", "version": 1},
         {None: 401, "lyon": 403, "region84": 200, "national": 200}, 404),
        ("publish too early", "POST", f"/api/v1/signals/{ids['declared']}/transitions",
         # The region and the nation qualified it just above: version 1 is stale, and the version is
         # checked first (who loses a race is told 409, not 403).
         {"action": "publish", "version": 1, "public_message": "x"},
         {None: 401, "lyon": 403, "region84": 409, "national": 409}, 404),
        ("measure", "POST", f"/api/v1/signals/{ids['published']}/measures",
         {"kind": "quota", "description": "contingentement", "version": ids["published_version"]},
         {None: 401, "national": 201}, 403),
        # Comments are internal: the signal's declarers (Lyon), its region's agency and the nation.
        ("comment", "POST", f"/api/v1/signals/{ids['published']}/comments", {"message": "vu"},
         {None: 401, "lyon": 201, "region84": 201, "national": 201}, 403),
        ("events", "GET", f"/api/v1/signals/{ids['published']}/events", None, {}, 200),
        ("audit", "GET", "/api/v1/audit", None, {None: 401, "national": 200}, 403),
        ("me", "GET", "/api/v1/me", None, {None: 401}, 200),
        ("opendata", "GET", "/api/v1/opendata/shortages.json", None, {}, 200),
        ("search", "GET", "/api/v1/products?q=seringue", None, {}, 200),
        ("product", "GET", f"/api/v1/products/{ids['product']}", None, {}, 200),
        ("publish regional", "POST", f"/api/v1/signals/{ids['regional']}/transitions",
         {"action": "publish_regional", "version": ids["regional_version"], "public_message": "Tension locale"},
         # Lyon's declaration of the same product above waits to be admitted: it still does not see it.
         {None: 401, "grenoble": 403, "region84": 200, "national": 200}, 404),
        ("members' catalogue", "GET", "/api/v1/members/products", None, {None: 401, "purchaser": 200}, 403),
        ("enrol a member", "POST", "/api/v1/members", {"purchaser_id": ids["uniha"], "establishment_id": ids["grenoble"]},
         {None: 401, "national": 201}, 403),
        ("alternatives", "GET", f"/api/v1/signals/{ids['published']}/alternatives", None, {}, 200),
        ("ratings", "GET", f"/api/v1/alternatives/{ids['alternative']}/ratings", None, {}, 200),
        ("rate", "PUT", f"/api/v1/alternatives/{ids['alternative']}/ratings/mine", {"score": 4},
         {None: 401, "lyon": 200, "grenoble": 200, "paris": 200}, 403),
        ("questionnaires", "GET", "/api/v1/questionnaires", None, {}, 200),
        ("questionnaire", "GET", "/api/v1/questionnaires/avis", None, {}, 200),
        ("draft questionnaire", "GET", "/api/v1/questionnaires/brouillon", None, {"national": 200}, 404),
        ("write a questionnaire", "POST", "/api/v1/questionnaires",
         {"slug": "nouveau", "title": "Nouveau", "questions": QUESTIONS[:1]}, {None: 401, "national": 201}, 403),
        ("open a draft", "POST", "/api/v1/questionnaires/brouillon/status", {"status": "open"},
         {None: 401, "national": 200}, 403),
        # Anyone with an account answers, once.
        ("answer", "POST", "/api/v1/questionnaires/avis/responses",
         {"profile": "citizen", "answers": {"representation": "soin", "penurie_vecue": "non"}}, {None: 401}, 201),
        ("results", "GET", "/api/v1/questionnaires/avis/results", None, {}, 200),
        ("export answers", "GET", "/api/v1/questionnaires/avis/export.csv", None,
         {None: 401, "national": 200, "guarantor": 200}, 403),
        ("free-text answers", "GET", "/api/v1/questionnaires/avis/free-texts", None,
         {None: 401, "national": 200, "guarantor": 200}, 403),
        ("ideas", "GET", "/api/v1/ideas", None, {}, 200),
        ("votes open data", "GET", "/api/v1/ideas-votes.csv", None, {}, 200),
        ("idea", "GET", f"/api/v1/ideas/{ids['idea']}", None, {}, 200),
        ("post an idea", "POST", "/api/v1/ideas", {"theme": "efficiency", "title": "Mutualiser les stocks"},
         {None: 401}, 201),
        ("vote", "PUT", f"/api/v1/ideas/{ids['idea']}/votes/mine", {"value": 1}, {None: 401}, 200),
        ("comment an idea", "POST", f"/api/v1/ideas/{ids['idea']}/comments", {"body": "D'accord"}, {None: 401}, 201),
        ("report", "POST", "/api/v1/idea-reports", {"target": "idea", "target_id": ids["idea"], "reason": "doublon"},
         {None: 401}, 201),
        ("moderate", "POST", "/api/v1/idea-moderation",
         {"target": "idea", "target_id": ids["idea"], "action": "hide", "reason": "doublon"},
         {None: 401, "national": 201}, 403),
        ("assemblies", "GET", "/api/v1/assemblies", None, {}, 200),
        ("create an assembly", "POST", "/api/v1/assemblies", {"slug": "parlement-2", "name": "Parlement 2", "seats": 10},
         {None: 401, "national": 201}, 403),
        ("assembly", "GET", "/api/v1/assemblies/parlement", None, {}, 200),
        ("volunteer", "PUT", "/api/v1/assemblies/parlement/volunteers/mine", {"profile": "patient", "region": "84"},
         {None: 401}, 200),
        ("the offers", "GET", "/api/v1/assemblies/parlement/volunteers", None, {None: 401, "national": 200}, 403),
        ("withdraw", "DELETE", "/api/v1/assemblies/parlement/volunteers/mine", None, {None: 401}, 204),
        ("amend", "POST", f"/api/v1/sittings/{ids['sitting']}/motions", {"title": "Sauf DM", "amends": ids["motion"]},
         {None: 401, "citizen": 201}, 403),
        ("be present", "POST", f"/api/v1/sittings/{ids['sitting']}/presence", None, {None: 401, "citizen": 204}, 403),
        ("vote a motion", "PUT", f"/api/v1/motions/{ids['motion']}/votes/mine", {"choice": "pour"},
         {None: 401, "citizen": 204}, 403),
        ("propose", "POST", f"/api/v1/sittings/{ids['sitting']}/motions", {"title": "Une motion"},
         {None: 401, "national": 201}, 403),
        ("close a vote", "POST", f"/api/v1/motions/{ids['motion']}/close", None, {None: 401, "national": 200}, 403),
        ("open a sitting", "POST", "/api/v1/assemblies/parlement/sittings", {"title": "Séance 2"},
         {None: 401, "national": 201}, 403),
        ("draw", "POST", "/api/v1/assemblies/parlement/draws", {"year": 2027, "seed": "graine-publiee-2027"},
         {None: 401, "national": 201}, 403),
        ("syntheses", "GET", "/api/v1/syntheses", None, {}, 200),
        ("synthesis", "GET", "/api/v1/syntheses/bilan", None, {}, 200),
        ("write a synthesis", "POST", "/api/v1/syntheses", {"slug": "bilan-2", "title": "Bilan 2"},
         {None: 401, "national": 201}, 403),
        ("write a sentence", "POST", "/api/v1/syntheses/bilan/sentences",
         {"text": "On veut être prévenu.", "citations": [f"idea:{ids['idea']}"]}, {None: 401, "national": 201}, 403),
        ("coverage", "GET", "/api/v1/syntheses/bilan/coverage", None,
         {None: 401, "national": 200, "guarantor": 200}, 403),
        # Risk mapping: the grids are public; a hospital keeps its own mapping and reads the shared ones,
        # a region its hospitals', the national agency all; manufacturers, buyers and the public none.
        ("risk grids", "GET", "/api/v1/risk/grids", None, {}, 200),
        ("publish a grid", "POST", "/api/v1/risk/grids",
         {"code": "pieu", "name": "v2", "thresholds": [8, 24, 64], "source": "révision"},
         {None: 401, "national": 201}, 403),
        ("my mapping", "GET", "/api/v1/risk/mappings/mine", None, {None: 401, "lyon": 200, "grenoble": 200}, 404),
        ("start a mapping", "POST", "/api/v1/risk/mappings/mine", {},
         {None: 401, "lyon": 201, "grenoble": 201, "paris": 201}, 403),
        ("a shared mapping", "GET", f"/api/v1/risk/mappings/{ids['lyon_map']}", None,
         {None: 401, "lyon": 200, "grenoble": 200, "paris": 200, "region84": 200, "region11": 200, "national": 200},
         404),
        ("an unshared mapping", "GET", f"/api/v1/risk/mappings/{ids['grenoble_map']}", None,
         {None: 401, "grenoble": 200, "region84": 200, "national": 200}, 404),
        ("score", "PUT", f"/api/v1/risk/mappings/{ids['grenoble_map']}/scores",
         {"emdn_code": "R01", "p": 1, "i": 2, "e": 3, "u": 4},
         # The region reads it and is told it may not write (403); the others do not see it (404).
         {None: 401, "grenoble": 200, "region84": 403, "national": 403}, 404),
        ("share", "PUT", f"/api/v1/risk/mappings/{ids['grenoble_map']}/shared", {"shared": False},
         {None: 401, "grenoble": 200, "region84": 403, "national": 403}, 404),
        ("import", "POST", f"/api/v1/risk/mappings/{ids['lyon_map']}/import", None,
         {None: 401, "lyon": 422, "grenoble": 403, "paris": 403, "region84": 403, "region11": 403, "national": 403},
         404),
        ("references", "GET", "/api/v1/risk/references", None,
         {None: 401, "lyon": 200, "grenoble": 200, "paris": 200, "region84": 200, "region11": 200, "national": 200},
         403),
        ("a region's map", "GET", "/api/v1/risk/regions/84", None, {None: 401, "region84": 200, "national": 200},
         403),
        # Impacts on care: a hospital that reads the signal records its own; the agencies read them.
        ("record an impact", "PUT", f"/api/v1/signals/{ids['published']}/impacts/mine", {"deprogrammed": 2},
         {None: 401, "lyon": 200, "grenoble": 200, "paris": 200}, 403),
        ("impacts on a declared signal", "PUT", f"/api/v1/signals/{ids['declared']}/impacts/mine", {},
         {None: 401, "lyon": 200, "grenoble": 404, "paris": 404}, 403),
        ("impacts of a signal", "GET", f"/api/v1/signals/{ids['published']}/impacts", None, {None: 401}, 200),
        ("impact statistics", "GET", "/api/v1/impacts/statistics?by=region", None,
         {None: 401, "region84": 200, "region11": 200, "national": 200}, 403),
        ("impact export", "GET", "/api/v1/impacts/export.csv", None,
         {None: 401, "region84": 200, "region11": 200, "national": 200}, 403),
        # The national priority list: the agencies (a region, its own region's).
        ("priority list", "GET", "/api/v1/priority?category=A", None,
         {None: 401, "region84": 200, "region11": 200, "national": 200}, 403),
        ("a product's priority", "GET", f"/api/v1/priority/{ids['product']}", None,
         {None: 401, "region84": 404, "region11": 404, "national": 404}, 403),
        ("the watch list", "GET", "/api/v1/watch-list", None,
         {None: 401, "maker_a": 403, "maker_b": 403, "citizen": 403, "guarantor": 403}, 200),
        ("vulnerability ranking, unpublished", "GET", "/api/v1/vulnerability", None,
         {None: 401, "region84": 200, "region11": 200, "national": 200}, 403),
        ("publish the ranking", "PUT", "/api/v1/vulnerability/publication", {"published": False},
         {None: 401, "national": 200}, 403),
        # What a manufacturer declares of its supply chains: its own, nobody else's.
        ("my supply", "GET", "/api/v1/supply", None, {None: 401, "maker_a": 200, "maker_b": 200}, 403),
        ("add a site", "POST", "/api/v1/supply/sites", {"name": "Usine", "country": "DE"},
         {None: 401, "maker_a": 201, "maker_b": 201}, 403),
        ("declare an input of maker_a's product", "POST", f"/api/v1/supply/products/{ids['product']}/inputs",
         {"name": "Résine", "kind": "raw_material", "sources": 1}, {None: 401, "maker_a": 201, "maker_b": 404}, 403),
        ("set the sites of maker_a's product", "PUT", f"/api/v1/supply/products/{ids['product']}/sites",
         {"site_ids": []}, {None: 401, "maker_a": 200, "maker_b": 404}, 403),
        ("remove an input nobody has", "DELETE", "/api/v1/supply/inputs/999999", None,
         {None: 401, "maker_a": 404, "maker_b": 404}, 403),
        # Last: token 1 is the national agent's own (it revokes itself); nobody else's to revoke.
        ("revoke token 1", "DELETE", "/api/v1/me/tokens/1", None, {None: 401, "national": 204}, 404),
    ]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_every_role_against_every_endpoint(client: TestClient, session: Session, world: World,
                                           tokens: dict[str, str], role: str | None) -> None:
    ids = _setup(session, world)
    failures = []
    for name, method, path, body, expected, default in _cases(ids):
        want = expected.get(role, default)
        response = client.request(method, path, json=body, headers=bearer(tokens, role))
        if response.status_code != want:
            failures.append(f"{name}: {method} {path} -> {response.status_code}, expected {want}: "
                            f"{response.text[:160]}")
    assert not failures, "\n".join(failures)
