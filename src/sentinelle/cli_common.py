"""What every command that writes shares: its one transaction, started as the web application starts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sentinelle.notifications import subscribers
from sentinelle.store.db import session_scope


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """The command's unit of work (committed on success, rolled back on error), with the notifications
    subscribed to the signals' events as in the web application."""
    subscribers.connect()
    with session_scope(engine) as session:
        yield session
