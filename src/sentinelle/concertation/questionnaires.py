"""Questionnaires: written and versioned by the agency, answered once per person, counted as answers
come in (tallies kept in the answer's transaction), results with 95 % intervals by profile or region,
optionally raked to known population margins, and a pseudonymised export of the answers."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sentinelle import csvsafe
from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue.regions import BY_CODE
from sentinelle.concertation import policy, stats
from sentinelle.concertation.models import (
    PROFILE_LABELS,
    PROFILES,
    Questionnaire,
    QuestionnaireResponse,
    QuestionnaireTally,
    QuestionnaireVersion,
)
from sentinelle.concertation.schemas import (
    Question,
    Wording,
    check_answers,
    check_slug,
    choices,
)
from sentinelle.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound, require
from sentinelle.store.base import utcnow
from sentinelle.store.db import by_id, by_slug, upsert

ANSWERED = "__answered"  # tally choice: respondents who answered the question
RESPONDENTS = "__respondents"  # tally question: respondents, per profile and region


def _wording(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    try:
        return [q.model_dump() for q in Wording(questions=questions).questions]
    except ValueError as exc:
        raise Invalid(f"questionnaire invalide : {exc}", "questions") from exc


def get(session: Session, slug: str) -> Questionnaire:
    return by_slug(session, Questionnaire, slug, "questionnaire")


def versions(session: Session, questionnaire: Questionnaire) -> list[QuestionnaireVersion]:
    return list(session.scalars(select(QuestionnaireVersion).where(
        QuestionnaireVersion.questionnaire_id == questionnaire.id).order_by(QuestionnaireVersion.number)))


def current(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    return versions(session, questionnaire)[-1]


def create(session: Session, user: User | None, slug: str, title: str, questions: list[dict[str, Any]], *,
           description: str = "", anonymous: bool = True) -> Questionnaire:
    """A new questionnaire (a draft) and its version 1."""
    require(user, policy.can_manage(user), "seule l'agence nationale rédige les questionnaires")
    wording = _wording(questions)
    check_slug(slug)
    if session.scalar(select(Questionnaire.id).where(Questionnaire.slug == slug)) is not None:
        raise Conflict(f"un questionnaire « {slug} » existe déjà", "slug")
    q = Questionnaire(slug=slug, title=title.strip(), description=description.strip(), anonymous=anonymous,
                      salt=secrets.token_hex(16), created_by_id=user.id if user else None)
    session.add(q)
    session.flush()
    session.add(QuestionnaireVersion(questionnaire_id=q.id, number=1, questions=wording))
    audit.record(session, user, audit.Action.QUESTIONNAIRE_CREATE, "questionnaire", q.id, after={"slug": slug})
    session.flush()
    return q


def revise(session: Session, user: User | None, slug: str, questions: list[dict[str, Any]]) -> QuestionnaireVersion:
    """A new version of the wording. Earlier answers keep pointing to the version they answered."""
    require(user, policy.can_manage(user), "seule l'agence nationale rédige les questionnaires")
    q = get(session, slug)
    if q.status == "closed":
        raise Conflict("questionnaire clos : il ne change plus")
    version = QuestionnaireVersion(questionnaire_id=q.id, number=current(session, q).number + 1,
                                   questions=_wording(questions))
    session.add(version)
    audit.record(session, user, audit.Action.QUESTIONNAIRE_REVISE, "questionnaire", q.id, after={"version": version.number})
    session.flush()
    return version


def set_status(session: Session, user: User | None, slug: str, status: str) -> Questionnaire:
    """draft → open → closed, never back."""
    require(user, policy.can_manage(user), "seule l'agence nationale ouvre et clôt les questionnaires")
    q = get(session, slug)
    allowed = {"draft": ("open",), "open": ("closed",), "closed": ()}
    if status not in allowed[q.status]:
        raise Conflict(f"passage de « {q.status} » à « {status} » impossible", "status")
    before = q.status
    q.status = status
    if status == "closed":
        q.closed_at = utcnow()
    audit.record(session, user, audit.Action.QUESTIONNAIRE_STATUS, "questionnaire", q.id, before={"status": before},
                 after={"status": status})
    session.flush()
    return q


def respondent_key(questionnaire: Questionnaire, user: User) -> str:
    """One answer per person, without keeping who answered: a keyed hash of the account with the
    questionnaire's own random salt (the same person gives the same key; the key names nobody)."""
    return hmac.new(questionnaire.salt.encode(), f"user:{user.id}".encode(), hashlib.sha256).hexdigest()


def has_answered(session: Session, user: User | None, questionnaire: Questionnaire) -> bool:
    if user is None:
        return False
    key = respondent_key(questionnaire, user)
    return session.scalar(select(QuestionnaireResponse.id).where(
        QuestionnaireResponse.questionnaire_id == questionnaire.id, QuestionnaireResponse.respondent == key)) is not None


def listing(session: Session, user: User | None) -> list[Questionnaire]:
    """The questionnaires one may see: open and closed ones for all, drafts for the agency too."""
    query = select(Questionnaire).order_by(Questionnaire.created_at.desc(), Questionnaire.id.desc())
    if not policy.can_manage(user):
        query = query.where(Questionnaire.status != "draft")
    return list(session.scalars(query))


def visible(session: Session, user: User | None, slug: str) -> Questionnaire:
    """A questionnaire by its slug; a draft is not found but by the agency."""
    q = get(session, slug)
    if q.status == "draft" and not policy.can_manage(user):
        raise NotFound(f"questionnaire introuvable : {slug}", "slug")
    return q


def _bump(session: Session, rows: list[dict[str, Any]]) -> None:
    """Add 1 to each tally row, creating it if needed: one upsert statement, executed for all the rows
    (atomic per row under concurrent answers on both databases)."""
    table = QuestionnaireTally.__table__
    stmt = upsert(session, table).values(count=1).on_conflict_do_update(
        index_elements=["version_id", "question", "choice", "profile", "region"],
        set_={"count": table.c.count + 1})
    session.connection().execute(stmt, rows)


def answer(session: Session, user: User | None, slug: str, answers: dict[str, Any], *, profile: str,
           region: str = "") -> QuestionnaireResponse:
    """Record one person's answers to the current version; refused when the questionnaire is not open,
    when this person already answered (even concurrently), or when an answer does not fit its question
    (the error names it). An anonymous questionnaire keeps no link to the account; one that is not
    anonymous keeps it (signed answers)."""
    if user is None:
        raise NotAuthenticated("connectez-vous pour répondre (une réponse par personne)")
    if not policy.can_answer(user):
        raise Forbidden("réponse refusée")
    q = get(session, slug)
    if q.status != "open":
        raise Conflict("questionnaire clos : les réponses ne sont plus reçues" if q.status == "closed"
                       else "questionnaire pas encore ouvert")
    # Every problem of the form at once: who answers, then each question.
    problems: list[tuple[str | None, str]] = []
    if profile not in PROFILES:
        problems.append(("profile", "Vous répondez en tant que : choisissez "
                         + ", ".join(str(PROFILE_LABELS[p]).lower() for p in PROFILES)))
    if region and region not in BY_CODE:
        problems.append(("region", "Votre région : région inconnue"))
    version = current(session, q)
    questions = [Question.model_validate(x) for x in version.questions]
    try:
        clean = check_answers(questions, answers)
    except Invalid as exc:
        problems += exc.problems
    if problems:
        raise Invalid.all_of(problems)
    key = respondent_key(q, user)
    response = QuestionnaireResponse(questionnaire_id=q.id, version_id=version.id, respondent=key,
                                     user_id=None if q.anonymous else user.id, profile=profile,
                                     region=region, answers=clean)
    try:
        with session.begin_nested():
            session.add(response)
            session.flush()
            cell = {"version_id": version.id, "profile": profile, "region": region}
            rows = [{**cell, "question": RESPONDENTS, "choice": ""}]
            for question in questions:
                if question.key in clean:
                    rows.append({**cell, "question": question.key, "choice": ANSWERED})
                    rows += [{**cell, "question": question.key, "choice": c}
                             for c in choices(question, clean[question.key])]
            _bump(session, rows)
    except IntegrityError as exc:
        raise Conflict("vous avez déjà répondu à ce questionnaire") from exc
    return response


# --- Results --------------------------------------------------------------------------------------

@dataclass
class Share:
    choice: str
    label: str
    count: float  # weighted when raked
    share: float
    low: float  # 95 % interval
    high: float


@dataclass
class Breakdown:
    group: str  # "" for everyone, else the profile or region
    answered: float
    effective: float  # Kish's effective size (= answered when not weighted)
    shares: list[Share]
    mean: float | None = None  # scale: mean value; ranking: not used


@dataclass
class QuestionResult:
    key: str
    kind: str
    text: str
    breakdowns: list[Breakdown] = field(default_factory=list)
    # ranking: per option, its mean rank among those who ranked it
    ranks: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # option key -> label


@dataclass
class Results:
    slug: str
    title: str
    version: int
    respondents: int
    by: str | None
    weighted: bool
    questions: list[QuestionResult]


def results(session: Session, slug: str, *, version: int | None = None, by: str | None = None,
            margins: dict[str, dict[str, float]] | None = None) -> Results:
    """Counts, shares and 95 % Wilson intervals per question of one version (default: the current
    one), for everyone or broken down `by` profile or region; with `margins`, each respondent weighs
    so that the respondents match the known shares of the population (raking), and the intervals use
    Kish's effective size. Reads the tallies only."""
    if by not in (None, "profile", "region"):
        raise Invalid("ventilation par « profile » ou « region »", "by")
    q = get(session, slug)
    all_versions = versions(session, q)
    chosen = all_versions[-1] if version is None else next((v for v in all_versions if v.number == version), None)
    if chosen is None:
        raise NotFound(f"version introuvable : {version}", "version")
    table = QuestionnaireTally.__table__
    conn = session.connection()
    cells = {(p, r): n for p, r, n in conn.execute(
        select(table.c.profile, table.c.region, table.c.count)
        .where(table.c.version_id == chosen.id, table.c.question == RESPONDENTS))}
    try:
        weights = stats.rake(cells, margins) if margins else None
    except ValueError as exc:
        raise Invalid(str(exc), "margins") from exc
    # sums[(question, choice, group)] = [Σ n·w, Σ n·w²] over the profile × region cells: the weighted
    # count, and what Kish's effective size needs. Unweighted, the database adds the cells up.
    group_of = {None: None, "profile": table.c.profile, "region": table.c.region}[by]
    if weights is None:
        group_column = (group_of if group_of is not None else literal("")).label("grp")
        rows = conn.execute(select(table.c.question, table.c.choice, group_column, func.sum(table.c.count))
                            .where(table.c.version_id == chosen.id)
                            .group_by(table.c.question, table.c.choice, group_column))
        sums = {(qk, c, g): [float(n), float(n)] for qk, c, g, n in rows}
    else:
        sums = {}
        for qk, c, p, r, n in conn.execute(select(table.c.question, table.c.choice, table.c.profile, table.c.region,
                                                  table.c.count).where(table.c.version_id == chosen.id)):
            w = weights.get((p, r), 0.0)
            acc = sums.setdefault((qk, c, "" if by is None else (p if by == "profile" else r)), [0.0, 0.0])
            acc[0] += n * w
            acc[1] += n * w * w
    groups_of: dict[str, set[str]] = {}
    for qk, c, g in sums:
        if c == ANSWERED:
            groups_of.setdefault(qk, set()).add(g)
    out = []
    for question in (Question.model_validate(x) for x in chosen.questions):
        labels = {o.key: o.label for o in question.options}
        result = QuestionResult(question.key, question.kind, question.text, labels=labels)
        if question.kind in ("single", "multiple"):
            keys = [o.key for o in question.options]
        elif question.kind == "scale":
            keys = [str(v) for v in range(question.scale_min, question.scale_max + 1)]
        elif question.kind == "ranking":
            keys = [f"{o.key}@1" for o in question.options]  # shares: ranked first
        else:
            keys = []
        for group in sorted(groups_of.get(question.key, ())):
            answered, squares = sums[(question.key, ANSWERED, group)]
            effective = answered * answered / squares if squares else 0.0
            shares = []
            for key in keys:
                count = sums.get((question.key, key, group), (0.0, 0.0))[0]
                share = count / answered if answered else 0.0
                low, high = stats.wilson(share, effective)
                shares.append(Share(key, labels.get(key.split("@")[0], key), count, share, low, high))
            mean = None
            if question.kind == "scale" and answered:
                mean = sum(int(x.choice) * x.count for x in shares) / answered
            result.breakdowns.append(Breakdown(group, answered, effective, shares, mean))
        if question.kind == "ranking":
            for option in question.options:
                ranked = [(int(c.split("@")[1]), acc[0]) for (qk, c, _), acc in sums.items()
                          if qk == question.key and c.startswith(option.key + "@")]
                total = sum(c for _, c in ranked)
                if total:
                    result.ranks[option.key] = sum(rank * c for rank, c in ranked) / total
        out.append(result)
    return Results(q.slug, q.title, chosen.number, sum(cells.values()), by, bool(margins), out)


def export_csv(session: Session, user: User | None, slug: str) -> str:
    """Every answer, pseudonymised for open data: a pseudonym that links no account (a fresh random
    key each export, so two exports cannot be joined), the version, profile, region, the day of the
    answer, then one column per question of the union of versions (several choices joined by « | »,
    a ranking by « > »)."""
    if user is None:
        raise NotAuthenticated("connectez-vous pour exporter les réponses")
    if not policy.can_export(user):
        raise Forbidden("l'export des réponses est réservé à l'agence et aux garants")
    q = get(session, slug)
    all_versions = versions(session, q)
    number = {v.id: v.number for v in all_versions}
    keys: list[str] = []
    for v in all_versions:
        keys += [x["key"] for x in v.questions if x["key"] not in keys]
    secret = secrets.token_bytes(16)
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer)
    writer.writerow(["pseudonym", "version", "profile", "region", "day", *keys])
    rows = session.execute(select(QuestionnaireResponse).where(QuestionnaireResponse.questionnaire_id == q.id)
                           .order_by(QuestionnaireResponse.id)).scalars()
    for r in rows:
        pseudonym = hmac.new(secret, r.respondent.encode(), hashlib.sha256).hexdigest()[:16]
        cells = []
        for key in keys:
            value = r.answers.get(key, "")
            if isinstance(value, list):
                value = (" > " if any(x.get("key") == key and x["kind"] == "ranking"
                                      for v in all_versions for x in v.questions) else " | ").join(value)
            cells.append(value)
        writer.writerow([pseudonym, number[r.version_id], r.profile, r.region, r.submitted_at.date().isoformat(),
                         *cells])
    audit.record(session, user, audit.Action.QUESTIONNAIRE_EXPORT, "questionnaire", q.id)
    return buffer.getvalue()


# --- Free-text answers: what a synthesis quotes ------------------------------------------------------

@dataclass(frozen=True)
class FreeText:
    response_id: int
    profile: str
    texts: list[tuple[str, str]]  # (question, answer) for each free-text question answered

    def quote(self) -> str:
        return " / ".join(text for _, text in self.texts)


def _free_text_questions(session: Session, q: Questionnaire) -> dict[str, str]:
    """Key → wording (the latest) of the free-text questions of every version."""
    out: dict[str, str] = {}
    for v in versions(session, q):
        out.update({x["key"]: x["text"] for x in v.questions if x["kind"] == "text"})
    return out


def _free_text(r: QuestionnaireResponse, questions: dict[str, str]) -> FreeText | None:
    texts = [(wording, r.answers[k]) for k, wording in questions.items() if isinstance(r.answers.get(k), str)]
    return FreeText(r.id, r.profile, texts) if texts else None


def _texts_after(session: Session, q: Questionnaire, after: int = 0,
                 limit: int | None = None) -> tuple[list[FreeText], int | None]:
    """The free texts among the responses after response `after` (the first `limit` of them, or all),
    and the last response read when it made up the limit (None: none left)."""
    rows = session.scalars(select(QuestionnaireResponse)
                           .where(QuestionnaireResponse.questionnaire_id == q.id, QuestionnaireResponse.id > after)
                           .order_by(QuestionnaireResponse.id).limit(limit)).all()
    questions = _free_text_questions(session, q)
    found = [f for r in rows if (f := _free_text(r, questions)) is not None]
    return found, (rows[-1].id if limit is not None and len(rows) == limit else None)


def free_texts(session: Session, user: User | None, slug: str, *, after: int = 0,
               limit: int = 500) -> tuple[list[FreeText], int | None]:
    """A page of the responses that wrote something in a free-text question, for the agency and the
    guarantors (the text is not moderated; a synthesis sentence that cites one makes that one public):
    those among the `limit` responses after response `after`, and where the next page starts (None
    at the end)."""
    if user is None:
        raise NotAuthenticated("connectez-vous")
    if not policy.can_export(user):
        raise Forbidden("les textes libres sont réservés à l'agence et aux garants")
    return _texts_after(session, get(session, slug), after, limit)


def texts_of(session: Session, q: Questionnaire) -> list[FreeText]:
    """Every response's free-text answers (the guarantors' coverage view themes them all)."""
    return _texts_after(session, q)[0]


def free_text(session: Session, response_id: int) -> tuple[Questionnaire, FreeText] | None:
    """One response's free-text answers and its questionnaire (None: no such response, or no text)."""
    r = by_id(session, QuestionnaireResponse, response_id)
    if r is None:
        return None
    q = session.get(Questionnaire, r.questionnaire_id)
    assert q is not None
    found = _free_text(r, _free_text_questions(session, q))
    return (q, found) if found else None
