"""Who may do what in the concertation."""

from __future__ import annotations

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role

MANAGING_ROLES = (Role.NATIONAL,)  # the national agency runs the consultation
READING_ALL_ROLES = (Role.NATIONAL, Role.GUARANTOR)  # the college of guarantors reads everything


def can_manage(user: User | None) -> bool:
    """Write questionnaires, open and close them; run the assembly; write the synthesis."""
    return user is not None and user.role in MANAGING_ROLES


def can_answer(user: User | None) -> bool:
    """Anyone with an account answers, once: the account is what makes it one answer per person."""
    return user is not None


def can_export(user: User | None) -> bool:
    """The answers themselves (pseudonymised) go to the agency and the guarantors; the results,
    counts only, are public."""
    return user is not None and user.role in READING_ALL_ROLES


MODERATING_ROLES = (Role.NATIONAL,)


def can_contribute(user: User | None) -> bool:
    """Post ideas, comment, vote, report: anyone with an account (one vote per person and idea)."""
    return user is not None


def can_moderate(user: User | None) -> bool:
    """Hide or restore an idea or a comment, with a reason that is logged and shown."""
    return user is not None and user.role in MODERATING_ROLES
