"""Alembic environment: runs on the connection handed over by sentinelle.store.db.upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from sentinelle.store.metadata import metadata

config = context.config


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from sentinelle.store.db import default_engine

        with default_engine().begin() as conn:
            _configure(conn)
    else:
        _configure(connection)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
