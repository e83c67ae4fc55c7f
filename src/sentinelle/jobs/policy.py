"""Who may follow a background job."""

from __future__ import annotations

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role
from sentinelle.jobs.models import Job


def can_read(user: User, job: Job) -> bool:
    """The person who submitted it, and the national agency."""
    return job.created_by_id == user.id or user.role == Role.NATIONAL
