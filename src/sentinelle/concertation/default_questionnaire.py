"""The default questionnaire: 14 questions on medicines, after the national consultation « Au cœur du
soin – pour l'avenir du médicament » (../shared/seeds/000_*.txt): experience, expectations and worries
about use and access, perceived innovation, the medicine's place in the health system, the most
trusted source of information. The respondent's profile and region are asked beside it."""

from __future__ import annotations

from typing import Any

SLUG = "avenir-du-medicament"
TITLE = "Au cœur du soin – pour l'avenir du médicament"
DESCRIPTION = ("14 questions sur vos expériences, vos attentes et vos préoccupations concernant l'usage des "
               "médicaments et leur accès, l'innovation et la place du médicament dans le système de santé.")

AGREEMENT = ("Pas du tout d'accord", "Tout à fait d'accord")


def _options(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "label": label} for k, label in pairs]


QUESTIONS: list[dict[str, Any]] = [
    {"key": "representation", "kind": "single", "required": True,
     "text": "Que représente d'abord pour vous le médicament ?",
     "options": _options(("soin", "Un soin qui guérit ou soulage"), ("progres", "Un progrès de la science"),
                         ("contrainte", "Une contrainte du quotidien"), ("risque", "Un risque à surveiller"),
                         ("produit", "Un produit de consommation comme un autre"))},
    {"key": "usage", "kind": "single",
     "text": "À quelle fréquence prenez-vous (ou donnez-vous à un proche) des médicaments ?",
     "options": _options(("quotidien", "Tous les jours"), ("hebdo", "Chaque semaine"),
                         ("occasion", "De temps en temps"), ("jamais", "Presque jamais"))},
    {"key": "penurie_vecue", "kind": "single", "required": True,
     "text": "Au cours des 12 derniers mois, un médicament qui vous était prescrit a-t-il été indisponible "
             "en pharmacie ?",
     "options": _options(("plusieurs", "Oui, plusieurs fois"), ("une", "Oui, une fois"), ("non", "Non"),
                         ("nsp", "Je ne sais pas"))},
    {"key": "penurie_consequences", "kind": "multiple",
     "text": "Quand un médicament manquait, qu'avez-vous dû faire ?",
     "options": _options(("autre_pharmacie", "Chercher dans d'autres pharmacies"),
                         ("substitution", "Accepter un autre médicament"),
                         ("retour_medecin", "Retourner voir le médecin"), ("attendre", "Attendre"),
                         ("renoncer", "Renoncer au traitement"), ("sans_objet", "Sans objet"))},
    {"key": "acces_facile", "kind": "scale", "scale_min": 1, "scale_max": 5, "scale_labels": AGREEMENT,
     "text": "Il est facile, là où je vis, d'obtenir les médicaments dont j'ai besoin."},
    {"key": "attentes", "kind": "ranking",
     "text": "Classez ce que vous attendez le plus, du plus au moins important.",
     "options": _options(("disponibilite", "Que les médicaments soient toujours disponibles"),
                         ("prix", "Qu'ils restent remboursés et abordables"),
                         ("innovation", "Un accès plus rapide aux traitements innovants"),
                         ("information", "Une information claire sur leurs effets"),
                         ("production", "Qu'ils soient produits en France ou en Europe"))},
    {"key": "preoccupations", "kind": "multiple", "max_choices": 3,
     "text": "Qu'est-ce qui vous préoccupe le plus ? (3 choix au plus)",
     "options": _options(("penuries", "Les pénuries et ruptures"), ("effets", "Les effets indésirables"),
                         ("cout", "Le coût pour la collectivité"), ("dependance", "La dépendance à l'étranger"),
                         ("mesusage", "Le mauvais usage (automédication, antibiotiques)"),
                         ("environnement", "L'impact sur l'environnement"))},
    {"key": "innovation_percue", "kind": "scale", "scale_min": 1, "scale_max": 5,
     "scale_labels": AGREEMENT,
     "text": "Les médicaments innovants arrivent aussi vite aux patients en France que dans les autres pays "
             "européens."},
    {"key": "innovation_priorite", "kind": "single",
     "text": "Pour l'innovation thérapeutique, quelle devrait être la priorité ?",
     "options": _options(("maladies_graves", "Les maladies graves sans traitement"),
                         ("maladies_rares", "Les maladies rares"), ("chroniques", "Les maladies chroniques"),
                         ("prevention", "La prévention et les vaccins"))},
    {"key": "place_systeme", "kind": "scale", "scale_min": 1, "scale_max": 5, "scale_labels": AGREEMENT,
     "text": "Le médicament a aujourd'hui la juste place dans notre système de santé."},
    {"key": "production_locale", "kind": "single",
     "text": "Seriez-vous prêt à ce que la collectivité paie plus cher des médicaments essentiels produits en "
             "Europe ?",
     "options": _options(("oui", "Oui"), ("plutot_oui", "Plutôt oui"), ("plutot_non", "Plutôt non"),
                         ("non", "Non"), ("nsp", "Je ne sais pas"))},
    {"key": "source_fiable", "kind": "single", "required": True,
     "text": "Quelle est pour vous la source d'information la plus fiable sur les médicaments ?",
     "options": _options(("medecin", "Mon médecin"), ("pharmacien", "Mon pharmacien"),
                         ("agence", "Les autorités de santé (ANSM, HAS)"), ("notice", "La notice"),
                         ("internet", "Internet et les réseaux sociaux"),
                         ("associations", "Les associations de patients"), ("entourage", "Mon entourage"))},
    {"key": "confiance", "kind": "scale", "scale_min": 1, "scale_max": 5,
     "scale_labels": ("Aucune confiance", "Entière confiance"),
     "text": "Quelle confiance accordez-vous aux médicaments que l'on vous prescrit ?"},
    {"key": "proposition", "kind": "text",
     "text": "Une idée, une proposition ou une expérience à partager pour l'avenir du médicament ?"},
]
