"""Who reads and writes risk mappings and grids.

A hospital keeps its own mapping and reads the reference mappings other hospitals chose to share; a
region reads its hospitals' mappings and the shared ones; the national agency reads all and alone
publishes grids. Manufacturers, purchasing groups and the public read none of them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role
from sentinelle.catalogue.models import Organisation, Product
from sentinelle.risk.models import CareImpact, RiskMapping

MAPPING_READERS = (Role.ESTABLISHMENT, Role.REGION, Role.NATIONAL)


def can_map(user: User | None) -> bool:
    """Keeping a mapping: a hospital's own act, for its own establishment."""
    return user is not None and user.role == Role.ESTABLISHMENT and user.organisation_id is not None


def can_edit(user: User | None, mapping: RiskMapping) -> bool:
    return can_map(user) and user is not None and mapping.organisation_id == user.organisation_id


def can_read_mappings(user: User | None) -> bool:
    return user is not None and user.role in MAPPING_READERS


def reads_mapping(user: User | None, mapping: RiskMapping) -> bool:
    if user is None or user.role not in MAPPING_READERS:
        return False
    if user.role == Role.NATIONAL or mapping.shared or mapping.organisation_id == user.organisation_id:
        return True
    return user.role == Role.REGION and user.region_code is not None and \
        mapping.organisation.region_code == user.region_code


def visible_mappings(user: User | None) -> ColumnElement[bool]:
    """The SQL condition of `reads_mapping`, for lists."""
    if user is None or user.role not in MAPPING_READERS:
        return false()
    if user.role == Role.NATIONAL:
        return true()
    conditions: list[ColumnElement[bool]] = [RiskMapping.shared.is_(True)]
    if user.organisation_id is not None:
        conditions.append(RiskMapping.organisation_id == user.organisation_id)
    if user.role == Role.REGION and user.region_code is not None:
        conditions.append(RiskMapping.organisation_id.in_(
            select(Organisation.id).where(Organisation.region_code == user.region_code)))
    return or_(*conditions)


def reads_region(user: User | None, region_code: str) -> bool:
    """A region's aggregated map: its own agency, and the national agency for every region."""
    if user is None:
        return False
    return user.role == Role.NATIONAL or (user.role == Role.REGION and user.region_code == region_code)


def can_publish_grid(user: User | None) -> bool:
    return user is not None and user.role == Role.NATIONAL


# Impacts on care ---------------------------------------------------------------------------------


def can_record_impact(user: User | None) -> bool:
    """A hospital records what a shortage it can read did to its own care."""
    return can_map(user)


def reads_impact(user: User | None, organisation: Organisation) -> bool:
    """One hospital's record: the hospital, its region's agency, the national agency."""
    if user is None:
        return False
    if user.role == Role.NATIONAL:
        return True
    if user.role == Role.REGION:
        return user.region_code is not None and organisation.region_code == user.region_code
    return user.role == Role.ESTABLISHMENT and user.organisation_id == organisation.id


def visible_impacts(user: User | None) -> ColumnElement[bool]:
    """The SQL condition of `reads_impact`, for lists and statistics."""
    if user is None:
        return false()
    if user.role == Role.NATIONAL:
        return true()
    if user.role == Role.REGION and user.region_code:
        return CareImpact.organisation_id.in_(select(Organisation.id).where(Organisation.region_code == user.region_code))
    if user.role == Role.ESTABLISHMENT and user.organisation_id is not None:
        return CareImpact.organisation_id == user.organisation_id
    return false()


def reads_impact_statistics(user: User | None) -> bool:
    """The statistics and the study's export: the agencies (a region, its own hospitals only)."""
    return user is not None and user.role in (Role.REGION, Role.NATIONAL)


# The national priority list ----------------------------------------------------------------------


def reads_priority(user: User | None) -> bool:
    """The national agency; a region's agency, for its own region."""
    return user is not None and user.role in (Role.NATIONAL, Role.REGION)


def can_refresh_priority(user: User | None) -> bool:
    return user is not None and user.role == Role.NATIONAL


# The seasonal watch list ------------------------------------------------------------------------


def reads_watch_list(user: User | None) -> bool:
    """Hospitals, purchasing groups and agencies: the list and the national demand of its categories."""
    return user is not None and user.role in (Role.ESTABLISHMENT, Role.PURCHASER, Role.REGION, Role.NATIONAL)


def can_publish_watch_list(user: User | None) -> bool:
    return user is not None and user.role == Role.NATIONAL


# What manufacturers declare of their supply chains ------------------------------------------------


def can_declare_supply(user: User | None) -> bool:
    """A manufacturer, for its own sites and products (the use cases check the product is its own)."""
    return user is not None and user.role == Role.MANUFACTURER and user.organisation_id is not None


def reads_inputs(user: User | None, product: Product) -> bool:
    """A product's declared inputs and their sources: commercially confidential, read by its maker
    and the national agency only (not the regions, not another manufacturer)."""
    if user is None:
        return False
    if user.role == Role.NATIONAL:
        return True
    return can_declare_supply(user) and product.manufacturer_id == user.organisation_id


def can_rate_criticality(user: User | None) -> bool:
    """The Union list's criticality ratings: the national agency's (or the operator's command line)."""
    return user is not None and user.role == Role.NATIONAL


# The vulnerability ranking -------------------------------------------------------------------------


def can_publish_ranking(user: User | None) -> bool:
    return user is not None and user.role == Role.NATIONAL


def reads_ranking(user: User | None, published: bool) -> bool:
    """The agencies always; everyone, logged in or not, once the national agency published it."""
    return published or (user is not None and user.role in (Role.NATIONAL, Role.REGION))
