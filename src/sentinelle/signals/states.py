"""The lifecycle of a signal as a table of transitions."""

from __future__ import annotations

from typing import NamedTuple

from sentinelle.errors import Conflict

STATUS_LABELS = {
    "declared": "Déclaré",
    "qualified": "Qualifié (région)",
    "validated": "Validé (national)",
    "published": "Publié",
    "resolved": "Remis à disposition",
    "rejected": "Rejeté",
    "merged": "Fusionné",
}
KIND_LABELS = {"tension": "Tension d'approvisionnement", "rupture": "Rupture", "discontinuation": "Arrêt de commercialisation"}
ACTION_LABELS = {
    "qualify": "Qualifier",
    "reject": "Rejeter",
    "merge": "Fusionner",
    "validate": "Valider",
    "publish": "Publier",
    "resolve": "Clore (remis à disposition)",
}
TERMINAL = frozenset({"resolved", "rejected", "merged"})


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
    "resolve": Transition(frozenset({"published"}), "resolved"),
}


def next_status(status: str, action: str, *, has_region: bool) -> str:
    """The status after `action`, or Conflict naming why the transition is illegal."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise Conflict(f"action inconnue : {action}", "action")
    if status not in transition.sources or (action == "validate" and status == "declared" and has_region):
        allowed = ", ".join(ACTION_LABELS[a].lower() for a in allowed_actions(status, has_region=has_region))
        raise Conflict(
            f"« {ACTION_LABELS[action]} » est impossible depuis l'état « {STATUS_LABELS[status]} »"
            + (f" (possible : {allowed})" if allowed else " (état final)"),
            "action",
        )
    return transition.target


def allowed_actions(status: str, *, has_region: bool) -> list[str]:
    out = []
    for action, transition in TRANSITIONS.items():
        if status in transition.sources and not (action == "validate" and status == "declared" and has_region):
            out.append(action)
    return out
