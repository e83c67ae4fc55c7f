"""Schemathesis against our OpenAPI schema, on SQLite and on PostgreSQL, valid and invalid inputs, NUL
characters allowed: no 5xx, responses match the schema; and NUL characters named, never a 500."""

from __future__ import annotations

import os
from collections import Counter

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import positive_data_acceptance
from schemathesis.generation import GenerationMode
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sentinelle.accounts.service import issue_token
from sentinelle.config import Settings
from sentinelle.web.app import create_app
from tests.factories import World, published_signal
from tests.web.conftest import bearer
from tests.web.test_pages_and_api import login

# Examples per operation and mode; the benchmark (bench/schemathesis_run.py) runs more.
EXAMPLES = int(os.environ.get("SENTINELLE_SCHEMATHESIS_EXAMPLES", "12"))


def run_schemathesis(engine: Engine, settings: Settings, token: str, examples: int) -> Counter[str]:
    """Every operation, positive and negative cases; returns the count of responses by status class."""
    app = create_app(engine, settings)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    schema.config.generation.update(allow_x00=True, codec="utf-8")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12
    seen: Counter[str] = Counter()
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def check(case) -> None:  # type: ignore[no-untyped-def]
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                seen[f"{response.status_code // 100}xx"] += 1
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}")
                    return
                if mode is GenerationMode.POSITIVE:  # noqa: B023 - check() runs within this iteration
                    # Unknown referenced ids are valid by the schema's types yet rightly refused (422).
                    case.validate_response(response, excluded_checks=[positive_data_acceptance])

            try:
                check()
            except Unsatisfiable:
                # An operation without any input has no invalid case to make.
                assert mode is GenerationMode.NEGATIVE, operation.label
    assert not failures, failures[:10]
    return seen


def test_api_never_fails_and_matches_its_schema(engine: Engine, session: Session, world: World,
                                                settings: Settings) -> None:
    published_signal(session, world)
    token = issue_token(session, world.users["national"], "schemathesis")[1]
    session.commit()
    seen = run_schemathesis(engine, settings, token, EXAMPLES)
    assert seen["2xx"] > 0 and seen["4xx"] > 0 and seen["5xx"] == 0


def test_nul_characters_are_refused_naming_the_field(client: TestClient, session: Session, world: World,
                                                     tokens: dict[str, str]) -> None:
    signal = published_signal(session, world)
    national = bearer(tokens, "national")
    for path in ("/api/v1/products?q=ab%00c", "/api/v1/signals?q=ab%00c", "/public?q=a%00b", "/produits?q=a%00"):
        response = client.get(path, headers=national)
        assert response.status_code == 422, (path, response.status_code)
        assert "caractère nul" in response.text and "q" in response.text
    posts = [
        ("/api/v1/ideas", {"theme": "access", "title": "Une\u0000idée"}, "title"),
        ("/api/v1/signals", {"product_id": world.products[1].id, "kind": "tension", "started_at": "2026-01-05",
                             "measures_taken": "a\u0000b"}, "measures_taken"),
        (f"/api/v1/signals/{signal.id}/comments", {"message": "vu\u0000"}, "message"),
    ]
    for path, body, field in posts:
        response = client.post(path, json=body, headers=national)
        assert response.status_code == 422, (path, response.text)
        assert response.json()["detail"][0]["loc"][-1] == field
    token = login(client, "lyon@test.fr")
    form = client.post(f"/signaux/{signal.id}/commentaire", data={"csrf_token": token, "message": "x\x00y"})
    assert form.status_code == 422 and "caractère nul" in form.text


def test_numbers_past_a_column_and_bad_years_are_4xx(client: TestClient, session: Session, world: World,
                                                      tokens: dict[str, str]) -> None:
    national = bearer(tokens, "national")
    from sentinelle.concertation import assembly
    from sentinelle.concertation import questionnaires as qs
    from sentinelle.concertation.default_questionnaire import QUESTIONS

    qs.create(session, world.users["national"], "avis", "Avis", QUESTIONS[:3])
    assembly.create(session, world.users["national"], "parlement", "Parlement", seats=2)
    session.commit()
    assert client.get("/api/v1/questionnaires/avis/free-texts?after=2147483648", headers=national).status_code == 422
    token = login(client, "national@test.fr")
    page = client.post("/concertation/assemblee/parlement/tirages",
                       data={"csrf_token": token, "year": "2147483648", "seed": "graine-publiee-2026"})
    assert page.status_code == 422 and "Année : nombre trop grand" in page.text
