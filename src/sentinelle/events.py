"""Domain events: a use case says what happened, other packages subscribe to it.

A domain emits, in the use case's own transaction, an event it defines (`signals/events.py`); a
subscriber connected at start-up (`notifications/subscribers.connect`) reacts in that transaction
too: what it writes (the inbox, the outbox of e-mails and webhooks) is committed, or rolled back,
with the use case. A domain never imports its subscribers: the side effects hang off it, as
Wagtail's actions send signals that other apps receive.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

E = TypeVar("E")
Handler = Callable[[Session, Any], None]

_handlers: dict[type, list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[Session, E], None]) -> None:
    """Call `handler(session, event)` for each event of `event_type` (once, however often connected)."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def emit(session: Session, event: object) -> None:
    for handler in _handlers.get(type(event), ()):
        handler(session, event)


def subscribers(event_type: type) -> list[Handler]:
    return list(_handlers.get(event_type, ()))
