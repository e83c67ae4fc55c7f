"""Domain errors. The web layer maps each to an HTTP status; messages are in French for users."""

from __future__ import annotations

from typing import TypeVar

U = TypeVar("U")


Problem = tuple[str | None, str]  # (the field it concerns, or None; the French message)


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, field: str | None = None, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Every problem found, so that a form shows them all at once (the first is `field`, `message`).
        self.problems: list[Problem] = problems or [(field, message)]


class Invalid(DomainError):
    status = 422

    @classmethod
    def all_of(cls, problems: list[Problem]) -> Invalid:
        """One refusal carrying every problem found (at least one)."""
        field, message = problems[0]
        return cls(message, field, problems)


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """Illegal transition, or a stale version (someone else acted first)."""

    status = 409


class NotAuthenticated(DomainError):
    status = 401


class RateLimited(DomainError):
    """Too many actions in a short time (flooding)."""

    status = 429


def require(user: U | None, allowed: bool, refusal: str, *, field: str | None = None,
            anonymous: str = "connectez-vous") -> U:
    """The one way a use case refuses: 401 with `anonymous` when nobody is logged in, 403 with
    `refusal` when the policy's predicate (a `can_*` of a domain's policy.py) said no."""
    if user is None:
        raise NotAuthenticated(anonymous, field)
    if not allowed:
        raise Forbidden(refusal, field)
    return user
