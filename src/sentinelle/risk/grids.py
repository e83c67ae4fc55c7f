"""What a P.I.E.U grid makes of four criteria: a score, its class, its level on 0–100; and the
default grid, with its source. Pure functions: no session, no user."""

from __future__ import annotations

import itertools
import math
from typing import Protocol

from sentinelle.risk.models import RISK_CLASSES
from sentinelle.risk.schemas import GridIn


class Grid(Protocol):
    combination: str
    scale_min: int
    scale_max: int
    thresholds: list[int]


def combine(combination: str, values: tuple[int, int, int, int]) -> int:
    """One score of P, I, E, U: their product or their sum."""
    return math.prod(values) if combination == "product" else sum(values)


def score_range(combination: str, scale_min: int, scale_max: int) -> tuple[int, int]:
    return combine(combination, (scale_min,) * 4), combine(combination, (scale_max,) * 4)


def classify(thresholds: list[int], score: int) -> str:
    """The risk class of a score: the first class whose highest score it does not pass."""
    for risk_class, highest in zip(RISK_CLASSES, thresholds, strict=False):
        if score <= highest:
            return risk_class
    return RISK_CLASSES[-1]


def level(grid: Grid, score: int) -> int:
    """The score placed on 0–100 across the grid's range: comparable between grids (a hospital's
    judgement stays its own)."""
    low, high = score_range(grid.combination, grid.scale_min, grid.scale_max)
    return round(100 * (score - low) / (high - low))


def thresholds_error(combination: str, scale_min: int, scale_max: int, thresholds: list[int]) -> str | None:
    """Why these thresholds cannot cut such a grid's scores into the four classes, or None."""
    if len(thresholds) != len(RISK_CLASSES) - 1:
        return f"il faut {len(RISK_CLASSES) - 1} seuils (faible, modéré, élevé)"
    if any(b <= a for a, b in itertools.pairwise(thresholds)):
        return "les seuils doivent être strictement croissants"
    low, high = score_range(combination, scale_min, scale_max)
    if thresholds[0] < low or thresholds[-1] >= high:
        return f"les seuils doivent être entre {low} et {high - 1} (scores possibles : {low} à {high})"
    return None


# The grid a hospital starts with when the agency has published none. Its criteria and combination
# are the P.I.E.U method's; the wording of the levels, read for supply (not for maintenance, where the
# method comes from), and the class thresholds are Sentinelle's, to be revised by the agency in a new
# version (docs/risk.md).
DEFAULT = GridIn(
    code="pieu",
    name="P.I.E.U — cotation 1 à 4, criticité C = P × I × E × U",
    combination="product", scale_min=1, scale_max=4, thresholds=[12, 36, 96],
    source=("Méthode P.I.E.U (pannes, importance, état, utilisation), citée par la feuille de route "
            "2025-2027 sur les pénuries de dispositifs médicaux, axe I.1 « cartographier les situations à "
            "risque » ; cotation de 1 à 4 par critère et criticité C = P × I × E × U, telle que la décrivent "
            "les travaux d'ingénierie biomédicale (J. Humbert et J. Lhomme, « La criticité des dispositifs "
            "médicaux : état de l'art et calcul », UTC, 2013, doi:10.34746/q1wm-2917). Lecture des niveaux "
            "pour l'approvisionnement et seuils des classes (faible ≤ 12, modéré ≤ 36, élevé ≤ 96, "
            "critique au-delà) : choix de Sentinelle, version 1."),
    guide={
        "p": {"1": "aucune tension connue depuis trois ans", "2": "une tension passée, vite résolue",
              "3": "des tensions répétées, ou une rupture", "4": "des ruptures répétées, ou un fournisseur "
              "unique déjà défaillant"},
        "i": {"1": "soins de confort ou différables", "2": "soins courants, alternative simple",
              "3": "soins vitaux ou patients fragiles, alternative contraignante (formation, adaptation)",
              "4": "soins vitaux sans alternative, ou nouveau-nés et enfants sans alternative adaptée"},
        "e": {"1": "référence récente, plusieurs fournisseurs", "2": "référence stable",
              "3": "référence ancienne ou fin de vie annoncée", "4": "arrêt de commercialisation annoncé, "
              "ou équipement dépendant obsolète"},
        "u": {"1": "usage rare", "2": "usage régulier dans un service", "3": "usage quotidien dans plusieurs "
              "services", "4": "usage quotidien massif ; l'activité en dépend (bloc, réanimation)"},
    },
)
