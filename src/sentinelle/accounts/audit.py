"""The audit log: one row per write, never changed afterwards."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import AuditEntry, User
from sentinelle.i18n import _
from sentinelle.text import fold
from sentinelle.validation import label


class Action(StrEnum):
    """Every kind of write the audit log records: one constant each (Zulip's RealmAuditLog event types)."""

    USER_CREATE = "user.create"
    USER_LOGIN = "user.login"
    USER_LOGOUT = "user.logout"
    USER_LOGOUT_EVERYWHERE = "user.logout_everywhere"
    TOKEN_CREATE = "token.create"
    TOKEN_REVOKE = "token.revoke"
    ORGANISATION_CREATE = "organisation.create"
    PRODUCT_CREATE = "product.create"
    MEMBERSHIP_ADD = "membership.add"
    SUBSCRIPTION_CREATE = "subscription.create"
    SUBSCRIPTION_DELETE = "subscription.delete"
    MAIL_FREQUENCY = "user.mail_frequency"
    IMPORT_ANSM = "import.ansm"
    IMPORT_EMDN = "import.emdn"
    IMPORT_BDPM = "import.bdpm"
    IMPORT_FOREIGN = "import.foreign"
    SIGNAL_DECLARE = "signal.declare"
    SIGNAL_DECLARE_JOINED = "signal.declare_joined"
    SIGNAL_DECLARE_WAITING = "signal.declare_waiting"
    SIGNAL_ADMIT = "signal.admit"
    SIGNAL_DETECT = "signal.detect"
    SIGNAL_NOTICE = "signal.notice"
    SIGNAL_UPDATE = "signal.update"
    SIGNAL_COMMENT = "signal.comment"
    SIGNAL_MEASURE = "signal.measure"
    # One per lifecycle action (signals/states.ACTION_LABELS): "signal." + the action.
    SIGNAL_QUALIFY = "signal.qualify"
    SIGNAL_REJECT = "signal.reject"
    SIGNAL_MERGE = "signal.merge"
    SIGNAL_VALIDATE = "signal.validate"
    SIGNAL_PUBLISH = "signal.publish"
    SIGNAL_PUBLISH_REGIONAL = "signal.publish_regional"
    SIGNAL_RESOLVE = "signal.resolve"
    SIGNAL_ALTERNATIVE = "signal.alternative"
    SIGNAL_LESSON = "signal.lesson"
    ALTERNATIVE_RATE = "alternative.rate"
    QUESTIONNAIRE_CREATE = "questionnaire.create"
    QUESTIONNAIRE_REVISE = "questionnaire.revise"
    QUESTIONNAIRE_STATUS = "questionnaire.status"
    QUESTIONNAIRE_EXPORT = "questionnaire.export"
    IDEA_POST = "idea.post"
    IDEAS_IMPORT_POLIS = "ideas.import_polis"
    # Moderation: the target ("idea", "comment") + "." + the action ("hide", "restore").
    IDEA_HIDE = "idea.hide"
    IDEA_RESTORE = "idea.restore"
    COMMENT_HIDE = "comment.hide"
    COMMENT_RESTORE = "comment.restore"
    ASSEMBLY_CREATE = "assembly.create"
    ASSEMBLY_DRAW = "assembly.draw"
    SITTING_OPEN = "sitting.open"
    MOTION_PROPOSE = "motion.propose"
    MOTION_CLOSE = "motion.close"
    SYNTHESIS_CREATE = "synthesis.create"
    SYNTHESIS_SENTENCE = "synthesis.sentence"
    RISK_GRID_PUBLISH = "risk.grid_publish"
    RISK_MAPPING_START = "risk.mapping_start"
    RISK_MAPPING_SHARE = "risk.mapping_share"
    RISK_SCORE = "risk.score"
    RISK_SCORE_REMOVE = "risk.score_remove"
    RISK_IMPORT = "risk.import"
    RISK_IMPACT = "risk.impact"
    RISK_VULNERABILITY = "risk.vulnerability"
    RISK_WATCH_LIST = "risk.watch_list"
    RISK_PUBLICATION = "risk.publication"
    SUPPLY_SITE = "supply.site"
    RISK_CRITICALITY = "risk.criticality"
    SUPPLY_INPUT = "supply.input"


# Each action as the journal shows it.
ACTION_LABELS: dict[str, str] = {
    Action.USER_CREATE: _("Compte créé"), Action.USER_LOGIN: _("Connexion"), Action.USER_LOGOUT: _("Déconnexion"),
    Action.USER_LOGOUT_EVERYWHERE: _("Déconnexion de tous les appareils"),
    Action.TOKEN_CREATE: _("Jeton d'API créé"), Action.TOKEN_REVOKE: _("Jeton d'API révoqué"),
    Action.ORGANISATION_CREATE: _("Organisation créée"), Action.PRODUCT_CREATE: _("Produit créé"),
    Action.MEMBERSHIP_ADD: _("Adhérent ajouté"), Action.SUBSCRIPTION_CREATE: _("Abonnement créé"),
    Action.SUBSCRIPTION_DELETE: _("Abonnement retiré"), Action.MAIL_FREQUENCY: _("Fréquence des e-mails choisie"),
    Action.IMPORT_ANSM: _("Import de la liste ANSM"),
    Action.IMPORT_EMDN: _("Import de la nomenclature EMDN"), Action.IMPORT_BDPM: _("Import de la base des médicaments"),
    Action.IMPORT_FOREIGN: _("Import d'une liste de pénuries étrangère (FDA, EMA)"),
    Action.SIGNAL_DECLARE: _("Déclaration"), Action.SIGNAL_DECLARE_JOINED: _("Déclaration rattachée à un signal suivi"),
    Action.SIGNAL_DECLARE_WAITING: _("Déclaration en attente de rattachement"),
    Action.SIGNAL_ADMIT: _("Déclarant rattaché"), Action.SIGNAL_DETECT: _("Signal levé par la détection"),
    Action.SIGNAL_NOTICE: _("Préavis d'interruption"), Action.SIGNAL_UPDATE: _("Signal mis à jour"),
    Action.SIGNAL_COMMENT: _("Commentaire"), Action.SIGNAL_MEASURE: _("Mesure de gestion"),
    Action.SIGNAL_QUALIFY: _("Qualification"), Action.SIGNAL_REJECT: _("Rejet"), Action.SIGNAL_MERGE: _("Fusion"),
    Action.SIGNAL_VALIDATE: _("Validation"), Action.SIGNAL_PUBLISH: _("Publication"),
    Action.SIGNAL_PUBLISH_REGIONAL: _("Publication régionale"), Action.SIGNAL_RESOLVE: _("Clôture"),
    Action.SIGNAL_ALTERNATIVE: _("Alternative ajoutée"), Action.SIGNAL_LESSON: _("Retour d'expérience"),
    Action.ALTERNATIVE_RATE: _("Alternative notée"), Action.QUESTIONNAIRE_CREATE: _("Questionnaire créé"),
    Action.QUESTIONNAIRE_REVISE: _("Questionnaire révisé"), Action.QUESTIONNAIRE_STATUS: _("Questionnaire ouvert ou clos"),
    Action.QUESTIONNAIRE_EXPORT: _("Réponses exportées"), Action.IDEA_POST: _("Idée publiée"),
    Action.IDEAS_IMPORT_POLIS: _("Idées importées (Pol.is)"), Action.IDEA_HIDE: _("Idée masquée"),
    Action.IDEA_RESTORE: _("Idée rétablie"), Action.COMMENT_HIDE: _("Commentaire masqué"),
    Action.COMMENT_RESTORE: _("Commentaire rétabli"), Action.ASSEMBLY_CREATE: _("Assemblée créée"),
    Action.ASSEMBLY_DRAW: _("Tirage au sort de l'assemblée"), Action.SITTING_OPEN: _("Séance ouverte"),
    Action.MOTION_PROPOSE: _("Motion proposée"), Action.MOTION_CLOSE: _("Vote clos"),
    Action.SYNTHESIS_CREATE: _("Synthèse créée"), Action.SYNTHESIS_SENTENCE: _("Phrase de synthèse"),
    Action.RISK_GRID_PUBLISH: _("Grille de cotation publiée"),
    Action.RISK_MAPPING_START: _("Cartographie des risques commencée"),
    Action.RISK_MAPPING_SHARE: _("Cartographie partagée ou retirée"), Action.RISK_SCORE: _("Catégorie cotée"),
    Action.RISK_SCORE_REMOVE: _("Cotation retirée"), Action.RISK_IMPORT: _("Cotations importées"),
    Action.RISK_IMPACT: _("Impact sur les soins décrit"),
    Action.RISK_VULNERABILITY: _("Vulnérabilité industrielle recalculée"),
    Action.RISK_WATCH_LIST: _("Liste de veille saisonnière publiée"),
    Action.RISK_PUBLICATION: _("Classement de vulnérabilité publié ou retiré"),
    Action.SUPPLY_SITE: _("Site de production déclaré ou modifié"),
    Action.RISK_CRITICALITY: _("Criticités de la liste de l'Union importées"),
    Action.SUPPLY_INPUT: _("Intrant déclaré ou retiré"),
}
# What an entry is about, and where to read it when it has a page.
ENTITY_LABELS: dict[str, str] = {
    "signal": _("Signal"), "user": _("Compte"), "api_token": _("Jeton d'API"), "organisation": _("Organisation"),
    "product": _("Produit"), "subscription": _("Abonnement"), "emdn": _("Nomenclature EMDN"),
    "alternative": _("Alternative"), "questionnaire": _("Questionnaire"), "idea": _("Idée"), "comment": _("Commentaire"),
    "assembly": _("Assemblée"), "motion": _("Motion"), "synthesis": _("Synthèse"),
    "risk_grid": _("Grille de cotation"), "foreign_shortage": _("Pénuries à l'étranger"),
    "risk_mapping": _("Cartographie des risques"), "watch_list": _("Liste de veille saisonnière"),
    "risk_publication": _("Publication"),
}
PAGES = {"signal": "/signaux/{}", "product": "/produits/{}", "idea": "/concertation/idees/{}"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def page_of(entity: str, entity_id: str | None) -> str | None:
    """The page of what an entry is about, if it has one."""
    pattern = PAGES.get(entity)
    return pattern.format(entity_id) if pattern and entity_id and entity_id.isdigit() else None


def _shown(value: Any, names: Mapping[str, str] | None = None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v, names) for v in value) or "—"
    if isinstance(value, dict):
        return " ; ".join(f"{label(k)} : {_shown(v)}" for k, v in value.items()) or "—"
    text = str(value)
    if names and text in names:
        return str(names[text])
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):  # a date as French writes it
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.*", text):
        return f"{text[8:10]}/{text[5:7]}/{text[:4]} {text[11:16]}"
    return text


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None,
            value_labels: Mapping[str, Mapping[str, str]] | None = None) -> list[tuple[str, str, str]]:
    """What an entry changed, field by field: (the field's label, before, after) as text a person reads
    (no JSON, no escapes, a code by its label when `value_labels` names it: {"status": {"declared":
    "Déclaré"}}); for a creation, what was set; for a deletion, what was there."""
    before, after = before or {}, after or {}
    labels = value_labels or {}
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        old, new = before.get(key), after.get(key)
        if old != new or not before or not after:
            names = labels.get(key)
            rows.append((label(key), _shown(old, names) if before else "", _shown(new, names) if after else ""))
    return rows


def record(
    session: Session,
    actor: User | None,
    action: Action,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            before=before,
            after=after,
        )
    )


def browse(
    session: Session, *, action: str | None = None, entity: str | None = None, entity_id: str | None = None,
    person: str | None = None, since: date | None = None, until: date | None = None, offset: int = 0, limit: int = 50,
) -> tuple[list[AuditEntry], int]:
    """The journal, newest first, filtered by action, object (its kind, its number), person (a part of a
    name or e-mail, or « système » for what nobody typed) and period (days included)."""
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id:
        query = query.where(AuditEntry.entity_id == entity_id)
    if person:
        if fold(person) in ("systeme", "system"):
            query = query.where(AuditEntry.actor_id.is_(None))
        else:  # accents and case aside (« helene » finds Hélène), compared here: accounts are few
            wanted = fold(person)
            ids = [uid for uid, name, email in session.execute(select(User.id, User.name, User.email))
                   if wanted in fold(name) or wanted in fold(email)]
            query = query.where(AuditEntry.actor_id.in_(ids))
    if since:
        query = query.where(AuditEntry.at >= datetime.combine(since, time.min))
    if until:
        query = query.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time.min))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def actors(session: Session, rows: list[AuditEntry]) -> dict[int, User]:
    """The people behind these entries, by id (their name and organisation are what the journal shows)."""
    ids = {r.actor_id for r in rows if r.actor_id is not None}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
