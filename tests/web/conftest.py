from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sentinelle.accounts.service import issue_token
from sentinelle.config import Settings
from sentinelle.web.app import create_app
from tests.factories import World


@pytest.fixture
def client(engine: Engine, settings: Settings, world: World) -> Iterator[TestClient]:
    with TestClient(create_app(engine, settings)) as c:
        yield c


@pytest.fixture
def tokens(session: Session, world: World) -> dict[str, str]:
    out = {key: issue_token(session, user, "tests")[1] for key, user in world.users.items()}
    session.commit()
    return out


def bearer(tokens: dict[str, str], who: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"} if who else {}
