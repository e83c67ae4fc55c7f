"""Sessions and tokens can be ended (issue "Trust first", §1e): logging out ends the session on the
server, API tokens expire and are revoked from the page, the API and the command line."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sentinelle.accounts.models import ApiToken
from sentinelle.accounts.service import issue_token
from sentinelle.store.base import utcnow
from tests.factories import World
from tests.web.test_pages_and_api import csrf_of, login


def test_a_cookie_kept_from_before_logging_out_no_longer_works(client: TestClient, world: World) -> None:
    token = login(client, "lyon@test.fr")
    kept = client.cookies.get("sentinelle")
    assert client.get("/api/v1/me").status_code == 200
    client.post("/deconnexion", data={"csrf_token": token}, follow_redirects=False)
    # Someone who copied the cookie before the log-out replays it.
    thief = TestClient(client.app)
    thief.cookies.set("sentinelle", kept)
    assert thief.get("/api/v1/me").status_code == 401
    assert thief.get("/declarer", follow_redirects=False).status_code == 303  # to the log-in page


def test_logging_out_everywhere_ends_every_session(client: TestClient, world: World) -> None:
    other = TestClient(client.app)
    login(other, "lyon@test.fr")
    token = login(client, "lyon@test.fr")
    response = client.post("/compte/deconnexion-partout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert other.get("/api/v1/me").status_code == 401 and client.get("/api/v1/me").status_code == 401


def test_tokens_expire(client: TestClient, session: Session, world: World) -> None:
    row, token = issue_token(session, world.users["lyon"], "script", days=1)
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and "expiré" in refused.json()["detail"]


def test_tokens_are_listed_and_revoked_through_the_api(client: TestClient, session: Session, world: World) -> None:
    _, token = issue_token(session, world.users["lyon"], "pharmacie", days=30)
    _, other = issue_token(session, world.users["paris"], "aphp", days=30)
    session.commit()
    me = {"Authorization": f"Bearer {token}"}
    created = client.post("/api/v1/me/tokens", json={"name": "robot", "days": 7}, headers=me)
    assert created.status_code == 201 and created.json()["token"].startswith("stl_")
    listed = client.get("/api/v1/me/tokens", headers=me).json()
    assert {t["name"] for t in listed} == {"pharmacie", "robot"} and "token" not in listed[0]
    assert next(t for t in listed if t["name"] == "pharmacie")["last_used_at"] is not None
    # Another account's token: not found, not revoked.
    paris_id = session.scalar(select(ApiToken.id).where(ApiToken.name == "aphp"))
    assert client.delete(f"/api/v1/me/tokens/{paris_id}", headers=me).status_code == 404
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {other}"}).status_code == 200
    robot = created.json()["id"]
    assert client.delete(f"/api/v1/me/tokens/{robot}", headers=me).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {created.json()['token']}"}).status_code == 401
    assert client.post("/api/v1/me/tokens", json={"name": "x", "days": 400}, headers=me).status_code == 422


def test_the_account_page_shows_a_new_token_once_and_revokes(client: TestClient, session: Session,
                                                             world: World) -> None:
    token = login(client, "grenoble@test.fr")
    made = client.post("/compte/jetons", data={"csrf_token": token, "name": "logiciel PUI", "days": "30"},
                       follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/compte"  # a reload makes no second one
    page = client.get("/compte")
    shown = re.search(r'id="new-token" value="(stl_[^"]+)"', page.text)
    assert shown
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {shown.group(1)}"}).status_code == 200
    again = client.get("/compte").text
    assert shown.group(1) not in again and "logiciel PUI" in again
    row_id = session.scalar(select(ApiToken.id).where(ApiToken.name == "logiciel PUI"))
    done = client.post(f"/compte/jetons/{row_id}/revoquer", data={"csrf_token": csrf_of(again)})
    assert done.status_code == 200 and "révoqué" in done.text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {shown.group(1)}"}).status_code == 401
    bad = client.post("/compte/jetons", data={"csrf_token": token, "name": "x", "days": "0"})
    assert bad.status_code == 422 and "entre 1 et 365" in bad.text


def test_tokens_from_the_command_line(engine, session: Session, world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sentinelle import cli
    from sentinelle.store import db

    monkeypatch.setattr(db, "default_engine", lambda: engine)
    runner = CliRunner()
    made = runner.invoke(cli.app, ["tokens", "create", "lyon@test.fr", "--name", "cron", "--days", "10"])
    assert made.exit_code == 0, made.output
    assert "cron" in runner.invoke(cli.app, ["tokens", "list", "lyon@test.fr"]).output
    row_id = session.scalar(select(ApiToken.id).where(ApiToken.name == "cron"))
    assert runner.invoke(cli.app, ["tokens", "revoke", str(row_id)]).exit_code == 0
    session.expire_all()
    assert session.get(ApiToken, row_id).revoked  # type: ignore[union-attr]
    assert runner.invoke(cli.app, ["tokens", "list", "personne@test.fr"]).exit_code == 2
