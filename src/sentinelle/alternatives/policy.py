"""Who may publish alternatives, write lessons learned, rate alternatives."""

from __future__ import annotations

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role
from sentinelle.signals.models import Signal
from sentinelle.signals.policy import can_manage_publication

RATING_ROLES = (Role.ESTABLISHMENT,)


def can_rate(user: User | None) -> bool:
    """Hospitals rate the alternatives they tried (peer rating); one rating per person."""
    return user is not None and user.role in RATING_ROLES and user.organisation_id is not None


def can_add(user: User | None, signal: Signal) -> bool:
    """Alternatives are published with the signal: the national agency's part."""
    return can_manage_publication(user, signal)


def can_record_lesson(user: User | None, signal: Signal) -> bool:
    if user is None or signal.status != "resolved":
        return False
    return user.role in (Role.REGION, Role.NATIONAL) or (user.role == Role.ESTABLISHMENT and user.organisation_id is not None)
