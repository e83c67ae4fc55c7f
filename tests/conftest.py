"""Fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL is at SENTINELLE_TEST_DATABASE_URL (default: the local server). When it cannot be
reached the PostgreSQL half is skipped with the reason, except under CI=true, where it fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("SENTINELLE_TEST_CHEAP_HASH", "1")

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from sentinelle.config import Settings
from sentinelle.notifications import subscribers
from sentinelle.store.db import make_engine, session_factory, upgrade
from sentinelle.store.metadata import metadata
from tests.factories import World, build_world

PG_URL = os.environ.get("SENTINELLE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
SHARED_DATA = Path(os.environ.get("SENTINELLE_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data"))


def need(condition: bool, reason: str) -> None:
    """Skip on a bare laptop, fail under CI: a missing part never passes silently there."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def _subscribers() -> None:
    """As at the application's start: the notifications subscribe to the signals' events."""
    subscribers.connect()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


# Each run's own databases on the server (two runs at once, a developer's and CI's, never share one).
RUN = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"


def pg_database(name: str) -> str | None:
    """A fresh database `name`_<this run> next to the given one; its URL, or an "error:" text."""
    database = f"{name}_{RUN}"
    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {database}"))
        admin.dispose()
    except Exception as exc:  # any failure means "no server here"
        return f"error:{exc}"
    CREATED.append(database)
    return PG_URL.rsplit("/", 1)[0] + f"/{database}"


CREATED: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _drop_this_runs_databases() -> Iterator[None]:
    yield
    if not CREATED:
        return
    try:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for database in CREATED:
                conn.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        admin.dispose()
    except Exception:  # a database left behind is harmless; the run's result stands
        pass


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine | str]:
    url = pg_database("sentinelle_test")
    if url is None or url.startswith("error:"):
        yield f"PostgreSQL unreachable at {PG_URL}: {url}"
        return
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        eng = make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
        return
    pg = request.getfixturevalue("pg_engine")
    need(not isinstance(pg, str), str(pg))
    tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with pg.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield pg


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    s = session_factory(engine)()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def world(session: Session) -> World:
    w = build_world(session)
    session.commit()
    return w


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(var_dir=tmp_path / "var", secret_key="test-secret-key-0123456789", smtp_host="")


@pytest.fixture
def shared_data() -> Path:
    need(SHARED_DATA.is_dir(), f"shared data sets not found at {SHARED_DATA} (set SENTINELLE_DATA_DIR)")
    return SHARED_DATA
