"""Who may rate alternatives."""

from __future__ import annotations

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role

RATING_ROLES = (Role.ESTABLISHMENT,)


def can_rate(user: User | None) -> bool:
    """Hospitals rate the alternatives they tried (peer rating); one rating per person."""
    return user is not None and user.role in RATING_ROLES and user.organisation_id is not None
