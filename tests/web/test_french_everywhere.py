"""No English validation message reaches a person: every page route and every API route is sent bad
values (a word where a number goes, a date that is none, fields left out), and what comes back is
French, names the field by its label, and is never a 500."""

from __future__ import annotations

import html
import re

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sentinelle.validation import FIELD_LABELS, invalid_from, label
from tests.factories import World, published_signal
from tests.web.conftest import bearer
from tests.web.test_pages_and_api import login

# What pydantic, FastAPI and Starlette say in English when a value is refused.
ENGLISH = re.compile(r"Input should|Field required|String should|Value error|List should|value is not a valid|"
                     r"Extra inputs|Unprocessable|Internal Server Error|should have at (most|least)|"
                     r"unable to parse|Expected |Invalid (date|integer|JSON)")
BAD_QUERY = {"page": "abc", "limit": "beaucoup", "after": "hier", "version": "v2", "par": "x", "q": "x" * 300}
BAD_FORM = {"product_id": "douze", "stock_coverage_days": "-5", "expected_end_at": "demain", "started_at": "31/02",
            "version": "v", "seats": "trente", "year": "deux-mille", "rating": "99", "days": "jamais",
            "interruption_at": "bientôt", "choice": "peut-être", "parent_id": "abc", "slug": "Avec Espaces"}


def _routes(routes: list, prefix: str = "") -> list[tuple[str, set[str]]]:  # type: ignore[type-arg]
    """(path, methods) of every route, through the included routers."""
    found: list[tuple[str, set[str]]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append((prefix + route.path, set(route.methods)))
        elif hasattr(route, "original_router"):  # FastAPI's included router
            found += _routes(route.original_router.routes, prefix + (route.include_context.prefix or ""))
    return found


def _paths(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_no_english_validation_message_reaches_a_page(client: TestClient, session: Session, world: World) -> None:
    published_signal(session, world)
    token = login(client, "national@test.fr")
    # Every page but the two that end the session (the rest would then be refused for want of one).
    routes = [(p, m) for p, m in _routes(client.app.routes)  # type: ignore[attr-defined]
              if not p.startswith("/api/") and p not in ("/deconnexion", "/compte/deconnexion-partout")]
    assert len(routes) > 40
    seen = 0
    for template, methods in routes:
        for value in ("1", "abc"):
            path = _paths(template, value)
            if "GET" in methods:
                response = client.get(path, params=BAD_QUERY)
            else:
                response = client.post(path, data={"csrf_token": token, **BAD_FORM})
            assert response.status_code < 500, (path, response.status_code)
            text = html.unescape(re.sub(r"<[^>]*>", " ", response.text))  # what the page says, not its markup
            assert not ENGLISH.search(text), (path, ENGLISH.search(text), text[:300])
            seen += response.status_code == 422
    assert seen > 20  # the bad values were refused, not ignored


def test_no_english_validation_message_reaches_an_api_client(client: TestClient, session: Session, world: World,
                                                             tokens: dict[str, str]) -> None:
    published_signal(session, world)
    routes = [(p, m) for p, m in _routes(client.app.routes) if p.startswith("/api/")]  # type: ignore[attr-defined]
    refused = 0
    for template, methods in routes:
        path = _paths(template, "abc")
        if "GET" in methods:
            response = client.get(path, params=BAD_QUERY, headers=bearer(tokens, "national"))
        else:
            method = sorted(methods)[0]
            response = client.request(method, path, json={"product_id": "douze", "kind": 3, "started_at": "hier"},
                                      headers=bearer(tokens, "national"))
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code == 422:
            refused += 1
            for problem in response.json()["detail"]:
                # FastAPI's shape is kept for programs (loc, type); the message is for people.
                assert {"loc", "msg", "type"} <= set(problem) and not ENGLISH.search(problem["msg"]), (path, problem)
    assert refused > 10


def test_every_pydantic_error_has_a_french_message() -> None:
    """The messages of the errors our schemas can raise, checked one by one on a model built for it."""
    from datetime import date
    from typing import Literal

    from pydantic import BaseModel, Field, ValidationError

    class Form(BaseModel):
        stock_coverage_days: int = Field(ge=0)
        expected_end_at: date
        title: str = Field(max_length=3)
        kind: Literal["tension", "rupture"]
        rating: int = Field(le=5)
        slug: str = Field(pattern=r"^[a-z]+$")
        questions: list[int] = Field(min_length=1)

    try:
        Form(stock_coverage_days=-1, expected_end_at="zz", title="abcdef", kind="autre", rating=9, slug="A B",
             questions=[])
    except ValidationError as exc:
        problems = dict(invalid_from(exc).problems)
    assert problems == {
        "stock_coverage_days": "Couverture de stock (jours) : au moins 0",
        "expected_end_at": "Fin prévue : date attendue (AAAA-MM-JJ)",
        "title": "Titre : au plus 3 caractères",
        "kind": "Nature : valeur non reconnue (attendu : tension ou rupture)",
        "rating": "Note : au plus 5",
        "slug": "Adresse courte : format non reconnu",
        "questions": "Questions : au moins 1 élément(s)",
    }
    try:
        Form()  # type: ignore[call-arg]
    except ValidationError as exc:
        assert all(message.endswith(": à renseigner") for _, message in invalid_from(exc).problems)
    assert label("stock_days") == "Couverture de stock (jours)" and label("un_champ_inconnu") == "Un champ inconnu"
    assert all(v == v.lower() or v[0].islower() for v in FIELD_LABELS.values())
