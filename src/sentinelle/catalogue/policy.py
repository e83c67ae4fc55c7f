"""Who may do what on the catalogue: organisations, products, purchasing groups."""

from __future__ import annotations

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role


def can_create_organisation(user: User) -> bool:
    return user.role == Role.NATIONAL


def can_create_product(user: User) -> bool:
    """The national agency, and manufacturers for their own products."""
    return user.role in (Role.NATIONAL, Role.MANUFACTURER)


def can_enrol_member(user: User) -> bool:
    """Enrolling a hospital in a purchasing group is the national agency's act: a group that could
    enrol hospitals itself could read the confidential notices of any of them."""
    return user.role == Role.NATIONAL


def can_read_members_catalogue(user: User | None) -> bool:
    """What a purchasing group's members buy: that group's own view."""
    return user is not None and user.role == Role.PURCHASER and user.organisation_id is not None
