"""The roles an account holds: one enum, its labels beside it."""

from __future__ import annotations

from enum import StrEnum

from sentinelle.i18n import _


class Role(StrEnum):
    ESTABLISHMENT = "establishment"  # a hospital (its pharmacy, its buyers)
    REGION = "region"  # an ARS / OMEDIT agent: the region's signals
    NATIONAL = "national"  # the national agency (ANSM)
    MANUFACTURER = "manufacturer"  # an industrial: its products, its notices
    PURCHASER = "purchaser"  # a purchasing group: what its member hospitals buy
    CITIZEN = "citizen"  # a patient or anyone: the public record and the consultation
    GUARANTOR = "guarantor"  # the consultation's college of guarantors


ROLE_LABELS: dict[Role, str] = {
    Role.ESTABLISHMENT: _("Établissement de santé"),
    Role.REGION: _("ARS / OMEDIT"),
    Role.NATIONAL: _("ANSM"),
    Role.MANUFACTURER: _("Fabricant"),
    Role.PURCHASER: _("Acheteur"),
    Role.CITIZEN: _("Citoyen"),
    Role.GUARANTOR: _("Garant"),
}
# The agencies: they read a signal's whole internal side in their scope.
AGENCIES = frozenset({Role.REGION, Role.NATIONAL})
# Roles that read only the public record of signals.
PUBLIC_ROLES = frozenset({Role.CITIZEN, Role.GUARANTOR})
