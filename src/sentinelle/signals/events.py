"""What happens to a signal, as its use cases tell it to whoever subscribed (sentinelle.events)."""

from __future__ import annotations

from dataclasses import dataclass

from sentinelle.accounts.models import User
from sentinelle.signals.models import Signal


@dataclass(frozen=True)
class Declared:
    """A declaration opened a new signal."""

    signal: Signal
    actor: User
    kind: str


@dataclass(frozen=True)
class DeclarationWaiting:
    """A declaration on a signal its author may not read: it waits for the agency to admit it."""

    signal: Signal
    actor: User


@dataclass(frozen=True)
class DeclarationAdmitted:
    signal: Signal
    actor: User | None
    organisation_id: int


@dataclass(frozen=True)
class Detected:
    """Detection raised a tension; `concerned` are the establishments buying the product in its scope."""

    signal: Signal
    concerned: tuple[int, ...]
    evidence: str


@dataclass(frozen=True)
class NoticeFiled:
    """A manufacturer's advance notice of interruption (confidential)."""

    signal: Signal
    actor: User
    message: str


@dataclass(frozen=True)
class Transitioned:
    """A step of the lifecycle; `public` when it changed the public record (publication, closing)."""

    signal: Signal
    actor: User | None
    action: str
    message: str
    public: bool
