"""The lifecycle of a signal as a table of transitions, and the labels of its statuses, kinds,
causes, actions and measures."""

from __future__ import annotations

from typing import NamedTuple

from sentinelle.errors import Conflict
from sentinelle.i18n import _

STATUS_LABELS = {
    "declared": _("Déclaré"),
    "qualified": _("Qualifié (région)"),
    "validated": _("Validé (national)"),
    "published": _("Publié"),
    "resolved": _("Remis à disposition"),
    "rejected": _("Rejeté"),
    "merged": _("Fusionné"),
}
KIND_LABELS = {"tension": _("Tension d'approvisionnement"), "rupture": _("Rupture"),
               "discontinuation": _("Arrêt de commercialisation")}
ACTION_LABELS = {
    "qualify": _("Qualifier"),
    "reject": _("Rejeter"),
    "merge": _("Fusionner"),
    "validate": _("Valider"),
    "publish": _("Publier"),
    "publish_regional": _("Publier comme tension régionale"),
    "resolve": _("Clore (remis à disposition)"),
}
# What a person is told once an action is done, and what happens next.
ACTION_DONE = {
    "qualify": _("Signal qualifié : l'agence nationale est prévenue pour le valider."),
    "reject": _("Signal rejeté : ses déclarants en sont informés, avec le motif."),
    "merge": _("Signal fusionné : ses déclarants suivent désormais le signal qui le reçoit."),
    "validate": _("Signal validé : rédigez le message public, puis publiez-le."),
    "publish": _("Signal publié : il figure sur la page publique et dans les données ouvertes ; "
                 "les abonnés sont prévenus."),
    "publish_regional": _("Tension publiée pour la région : elle figure sur la page publique ; "
                          "les abonnés de la région sont prévenus."),
    "resolve": _("Signal clos (remis à disposition) : les établissements peuvent écrire leur retour "
                 "d'expérience."),
}
TERMINAL = frozenset({"resolved", "rejected", "merged"})
SOURCE_LABELS = {"establishment": _("Déclaration d'un établissement"), "manufacturer": _("Préavis d'un fabricant"),
                 "region": _("Agence régionale"), "national": _("Agence nationale"), "detection": _("Détection"),
                 "ansm": _("Liste publique de l'ANSM")}
CAUSE_LABELS = {"production": _("Production"), "quality": _("Qualité"), "demand": _("Hausse de la demande"),
                "logistics": _("Logistique"), "regulatory": _("Réglementaire"),
                "commercial": _("Décision commerciale"), "unknown": _("Inconnue")}
MEASURE_LABELS = {"quota": _("Contingentement"), "allocation": _("Répartition"), "import": _("Importation"),
                  "contingency": _("Plan de continuité"), "other": _("Autre")}


class Transition(NamedTuple):
    sources: frozenset[str]
    target: str


TRANSITIONS: dict[str, Transition] = {
    "qualify": Transition(frozenset({"declared"}), "qualified"),
    "reject": Transition(frozenset({"declared", "qualified", "validated"}), "rejected"),
    "merge": Transition(frozenset({"declared", "qualified"}), "merged"),
    # A signal with no region (manufacturer notice, national) has no regional step to wait for.
    "validate": Transition(frozenset({"qualified", "declared"}), "validated"),
    "publish": Transition(frozenset({"validated"}), "published"),
    # A tension that stays within one region: its agency publishes it without national validation.
    "publish_regional": Transition(frozenset({"qualified"}), "published"),
    "resolve": Transition(frozenset({"published"}), "resolved"),
}


def _applies(action: str, status: str, *, has_region: bool, kind: str) -> bool:
    if status not in TRANSITIONS[action].sources:
        return False
    # A signal with a region waits for its region's qualification before national validation.
    if action == "validate" and status == "declared" and has_region:
        return False
    # Only a tension of one region may stay regional; a rupture or a discontinuation concerns the nation.
    return not (action == "publish_regional" and (not has_region or kind != "tension"))


def next_status(status: str, action: str, *, has_region: bool, kind: str = "tension") -> str:
    """The status after `action`, or Conflict naming why the transition is illegal."""
    if action not in TRANSITIONS:
        raise Conflict(f"action inconnue : {action}", "action")
    if not _applies(action, status, has_region=has_region, kind=kind):
        allowed = ", ".join(ACTION_LABELS[a].lower() for a in allowed_actions(status, has_region=has_region, kind=kind))
        why = " (réservé à une tension d'une région)" if action == "publish_regional" else ""
        raise Conflict(
            f"« {ACTION_LABELS[action]} » est impossible depuis l'état « {STATUS_LABELS[status]} »{why}"
            + (f" (possible : {allowed})" if allowed else " (état final)"),
            "action",
        )
    return TRANSITIONS[action].target


def allowed_actions(status: str, *, has_region: bool, kind: str = "tension") -> list[str]:
    return [a for a in TRANSITIONS if _applies(a, status, has_region=has_region, kind=kind)]
