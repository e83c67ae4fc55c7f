"""Validation messages in French, naming the field by its label, never by its code.

pydantic and FastAPI say "Input should be a valid integer" about `stock_coverage_days`; a pharmacist
reads « Couverture de stock (jours) : nombre entier attendu ». `french` translates one pydantic error
by its type (the machine-readable part, stable across pydantic versions), `label` names a field, and
`invalid_from` turns a whole ValidationError into one refusal listing every problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from sentinelle.errors import Invalid, Problem

# The label of each field a person can get wrong, as the forms show it (lower case: it is also used
# inside sentences). A field missing here is shown by its name with underscores as spaces.
FIELD_LABELS: dict[str, str] = {
    "action": "action", "alternative_id": "alternative", "amends": "motion amendée", "answers": "réponses",
    "author_name": "nom affiché", "body": "texte", "cause": "cause", "cause_detail": "précision sur la cause",
    "choice": "choix", "comment": "commentaire", "conditions": "conditions d'emploi",
    "confidential": "confidentiel", "days": "durée (jours)", "description": "description",
    "email": "adresse e-mail", "establishment_id": "établissement", "expected_end_at": "fin prévue",
    "expires_at": "date d'expiration", "external_url": "lien externe", "held_on": "date de la séance",
    "interruption_at": "date d'interruption", "kind": "nature", "label": "libellé", "limit": "nombre de résultats",
    "measures_taken": "mesures prises", "merge_into": "signal à rejoindre", "message": "message",
    "name": "nom", "page": "page", "parent_id": "message auquel vous répondez", "password": "mot de passe",
    "per_page": "résultats par page", "preoccupations": "préoccupations", "product_id": "produit",
    "profile": "profil", "public_message": "message public", "q": "recherche", "question": "question",
    "questions": "questions", "quorum_share": "quorum", "rating": "note", "reason": "motif",
    "recommendation": "recommandation", "region": "région", "region_code": "région",
    "replacement_product_id": "produit de remplacement", "scope": "portée", "seats": "nombre de sièges",
    "share_measures": "partager les mesures", "signal_id": "signal", "slug": "adresse courte",
    "started_at": "date de début", "status": "état", "stock_coverage_days": "couverture de stock (jours)",
    "stock_days": "couverture de stock (jours)", "text": "texte", "theme": "thème", "title": "titre",
    "token": "jeton", "type": "type", "url": "adresse web", "value": "valeur", "version": "version",
    "vote": "vote", "webhook_url": "adresse du webhook", "what_failed": "ce qui n'a pas fonctionné",
    "what_worked": "ce qui a fonctionné", "after": "à partir de", "from": "depuis le", "to": "jusqu'au",
    "person": "personne", "object": "objet", "seed": "graine du tirage", "year": "année", "margins": "marges",
    "late": "préavis tardif", "notice_late": "préavis tardif", "published_at": "publié le", "resolved_at": "clos le",
    "source": "origine", "mail_frequency": "fréquence des e-mails",
    # What manufacturers declare of their supply chains.
    "site_ids": "sites", "input_id": "intrant", "sources": "sources qualifiées", "origin_country": "pays d'origine",
    "country": "pays", "site_name": "nom du site", "site_country": "pays du site", "fait": "produit enregistré",
    # What audit entries hold besides the forms' fields.
    "tally": "décompte", "sitting_id": "séance", "drawn": "tirés au sort", "leaving": "sortants", "role": "rôle",
    "file": "fichier", "created": "créés", "updated": "mis à jour", "rejected": "rejetés",
    "absent": "absents de la liste", "unchanged": "inchangés", "citations": "sources", "sentence": "phrase",
    "declarer_id": "déclarant", "organisation_id": "organisation", "product": "produit", "motion": "motion",
    "idea": "idée", "comment_id": "commentaire", "hidden": "masqué", "sitting": "séance", "votes_for": "pour",
    "votes_against": "contre", "abstentions": "abstentions", "present": "présents", "quorum": "quorum",
    "folder": "dossier", "path": "fichier",
    # The risk mapping.
    "emdn_code": "code EMDN", "p": "critère P (pannes)", "i": "critère I (importance pour les soins)",
    "e": "critère E (état)",
    "u": "critère U (utilisation)", "note": "note", "reference_id": "cartographie de référence", "shared": "partagée",
    "mapping_id": "cartographie", "grid_id": "grille", "grid": "grille", "code": "code",
    "combination": "combinaison", "scale_min": "bas de l'échelle", "scale_max": "haut de l'échelle",
    "thresholds": "seuils des classes", "guide": "guide de cotation",
    "risk_class": "classe de risque", "copied": "reprises", "kept": "gardées", "skipped": "non reprises",
    "reference": "référence", "finess": "numéro FINESS",
    # Impacts on care, the watch list, the priority list.
    "delayed_care": "soins retardés", "delayed_patients": "patients concernés",
    "deprogrammed": "interventions déprogrammées", "switched": "passage à une alternative",
    "switch_training": "formation des équipes", "switch_adaptation": "adaptation des pratiques",
    "adverse_events": "événements indésirables", "vigilance_refs": "références de vigilance",
    "lines": "catégories", "categories": "catégories", "retex": "retour d'expérience", "waves": "vagues",
    "demand_ratio": "seuil de demande", "coverage_days": "jours de stock", "category": "catégorie",
    "by": "regroupement", "t1": "seuil faible", "t2": "seuil modéré", "t3": "seuil élevé",
}

# Each pydantic error type, in French; {name} takes the error's context (ge, max_length…).
MESSAGES: dict[str, str] = {
    "missing": "à renseigner",
    "int_parsing": "nombre entier attendu", "int_type": "nombre entier attendu",
    "int_from_float": "nombre entier attendu", "float_parsing": "nombre attendu", "float_type": "nombre attendu",
    "finite_number": "nombre attendu", "decimal_parsing": "nombre attendu",
    "greater_than_equal": "au moins {ge}", "greater_than": "plus de {gt}",
    "less_than_equal": "au plus {le}", "less_than": "moins de {lt}",
    "string_too_long": "au plus {max_length} caractères", "string_too_short": "au moins {min_length} caractère(s)",
    "string_type": "texte attendu", "string_pattern_mismatch": "format non reconnu",
    "too_long": "au plus {max_length} élément(s)", "too_short": "au moins {min_length} élément(s)",
    "list_type": "liste attendue", "dict_type": "objet attendu", "model_type": "objet attendu",
    "model_attributes_type": "objet attendu",
    "date_parsing": "date attendue (AAAA-MM-JJ)", "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "date_type": "date attendue (AAAA-MM-JJ)", "date_from_datetime_inexact": "date sans heure attendue",
    "datetime_parsing": "date et heure attendues", "datetime_from_date_parsing": "date et heure attendues",
    "datetime_type": "date et heure attendues", "timezone_aware": "fuseau horaire attendu",
    "bool_parsing": "oui ou non attendu", "bool_type": "oui ou non attendu",
    "literal_error": "valeur non reconnue (attendu : {expected})", "enum": "valeur non reconnue (attendu : {expected})",
    "url_parsing": "adresse web invalide", "url_scheme": "adresse web en http:// ou https:// attendue",
    "url_type": "adresse web attendue", "json_invalid": "JSON invalide", "json_type": "JSON attendu",
    "extra_forbidden": "champ inconnu", "uuid_parsing": "identifiant invalide",
    "value_error": "{error}", "assertion_error": "{error}",
}
GENERIC = "valeur refusée"


def label(field: str | None) -> str:
    """A field's label with a capital, for the start of a line (« Fin prévue »)."""
    if not field:
        return "Formulaire"
    name = FIELD_LABELS.get(field, field.replace("_", " "))
    return name[:1].upper() + name[1:]


def _context(ctx: Mapping[str, Any] | None) -> dict[str, str]:
    values = {}
    for key, value in (ctx or {}).items():
        text = str(value)
        if key == "expected":  # pydantic writes "'a', 'b' or 'c'"
            text = text.replace("'", "").replace(" or ", " ou ")
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        elif isinstance(value, float):
            text = str(value).replace(".", ",")
        values[key] = text
    return values


def message(error: Mapping[str, Any]) -> str:
    """One pydantic error in French, without its field."""
    template = MESSAGES.get(str(error.get("type", "")), GENERIC)
    ctx = _context(error.get("ctx"))
    if template == "{error}":
        # Our own validators already speak French ("au moins deux options"); pydantic prefixes them.
        text = str(error.get("msg", "")).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return text or GENERIC
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("{")[0].strip() or GENERIC


def field_of(loc: Iterable[Any]) -> str | None:
    """The field an error's location names: its last name (`body.answers.0` → answers), skipping where
    the value came from (body, query, path, form) and list positions."""
    names = [str(p) for p in loc if not isinstance(p, int) and p not in ("body", "query", "path", "form", "header")]
    return names[-1] if names else None


def problems(errors: Iterable[Mapping[str, Any]]) -> list[Problem]:
    """Each error as (field, « Label : message »), one per field (the first said of it)."""
    seen: dict[str | None, str] = {}
    for error in errors:
        field = field_of(error.get("loc", ()))
        if field not in seen:
            seen[field] = f"{label(field)} : {message(error)}"
    return list(seen.items())


def invalid_from(exc: ValidationError) -> Invalid:
    """A pydantic refusal as one Invalid naming every field in French."""
    return Invalid.all_of(problems(exc.errors()) or [(None, GENERIC)])


def problem_text(field: str | None, text: str) -> str:
    """A refusal's line as a form shows it: « Label : message », the field's code never shown (an
    older message may start with it, "title : texte vide")."""
    if not field:
        return text
    name = label(field)
    if text.startswith(name):
        return text
    for prefix in (f"{field} : ", f"« {field} » : ", f"{field}: "):
        if text.startswith(prefix):
            return f"{name} : {text[len(prefix):]}"
    if text[:1].isupper():  # already names what it is about (« Quelle est… ? : réponse obligatoire »)
        return text
    return f"{name} : {text}"
