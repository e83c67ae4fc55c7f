"""Engine and sessions. SQLite by default, PostgreSQL in production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from sentinelle.config import get_settings
from sentinelle.errors import NotFound
from sentinelle.store import guards  # noqa: F401 - registers the checks every flush runs
from sentinelle.store.base import id_in_range

T = TypeVar("T")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20,
                               max_overflow=20)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # WAL lets readers run beside the one writer. The mode is kept in the file; setting it
            # takes a lock, so only when it is not set yet (several workers connect at once).
            if cur.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            # Foreign keys are off by default in SQLite.
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True)


def upsert(session: Session, table: Any) -> Any:
    """INSERT into `table` in the session's dialect, ready for `.on_conflict_do_update` (both SQLite and
    PostgreSQL have it): one statement, so concurrent writers of one row never make two."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def upsert_rows(session: Session, table: Any, rows: list[dict[str, Any]], keys: list[str], batch: int = 2000) -> None:
    """Insert `rows`, each replacing the row of the same `keys` (its other columns taken from it), in
    batches: an import run again, or revised, writes its rows once each."""
    for start in range(0, len(rows), batch):
        statement = upsert(session, table).values(rows[start:start + batch])
        others = [c for c in rows[start] if c not in keys]
        session.execute(statement.on_conflict_do_update(index_elements=keys,
                                                        set_={c: statement.excluded[c] for c in others}))


def by_id(session: Session, model: type[T], ident: int) -> T | None:
    """The row of `model` with this id, or None (also for a number no INTEGER id can be)."""
    return session.get(model, ident) if id_in_range(ident) else None


def by_slug(session: Session, model: type[T], slug: str, what: str) -> T:
    """The row of `model` whose `slug` column is `slug`, or NotFound naming `what` and the slug."""
    found = session.scalar(select(model).where(model.slug == slug))  # type: ignore[arg-type, attr-defined]
    if found is None:
        raise NotFound(f"{what} introuvable : {slug}", "slug")
    return found


@lru_cache
def default_engine() -> Engine:
    return make_engine(get_settings().resolved_database_url())


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A unit of work: committed on success, rolled back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to `revision` on this engine."""
    here = Path(__file__).parent
    cfg = Config(str(here / "alembic.ini"))
    cfg.set_main_option("script_location", str(here / "migrations"))
    target = _transactional_sqlite(engine) if engine.dialect.name == "sqlite" else engine
    try:
        with target.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        if target is not engine:
            target.dispose()


def _transactional_sqlite(engine: Engine) -> Engine:
    """An engine on the same SQLite file whose transactions hold DDL too: Python's sqlite3 module commits
    before a schema statement, so a migration failing halfway left its first changes behind and the
    next attempt failed on them. Here the driver's own handling is off and BEGIN is ours (the recipe of
    SQLAlchemy's SQLite documentation): a failed upgrade leaves the database as it was."""
    migrating = create_engine(engine.url, connect_args={"timeout": 30}, poolclass=NullPool)

    @event.listens_for(migrating, "connect")
    def _no_driver_transactions(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(migrating, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return migrating
