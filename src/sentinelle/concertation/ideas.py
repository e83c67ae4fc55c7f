"""The idea box: ideas under the consultation's three themes, threaded comments, votes agree /
disagree / pass (one per person and idea, a new vote replaces the last), reports and moderation
(hide or restore with a reason, logged and shown: nothing is ever deleted), limits against flooding."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Select, case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sentinelle import csvsafe
from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.concertation import opinion, policy, polis
from sentinelle.concertation.models import (
    THEMES,
    VOTES,
    Idea,
    IdeaComment,
    IdeaReport,
    IdeaVote,
    Moderation,
)
from sentinelle.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotAuthenticated,
    NotFound,
    RateLimited,
)
from sentinelle.i18n import _
from sentinelle.store.base import id_in_range, utcnow
from sentinelle.store.db import by_id, upsert
from sentinelle.validation import label

THEME_LABELS = {
    "efficiency": _("Efficience du système de santé"),
    "territories": _("Dynamisme économique et santé dans les territoires"),
    "access": _("Accès des patients au progrès thérapeutique"),
}
VOTE_LABELS = {1: _("d'accord"), -1: _("pas d'accord"), 0: _("sans avis")}
# Limits per person against flooding: (how many, in how long).
IDEAS_PER_HOUR = (10, timedelta(hours=1))
COMMENTS_PER_10_MINUTES = (30, timedelta(minutes=10))
VOTES_PER_MINUTE = (120, timedelta(minutes=1))  # ideas voted on (a vote changed again replaces its row;
# the web layer also limits requests per person)


def voter_of(user: User) -> str:
    return f"user:{user.id}"


def _need(user: User | None) -> User:
    if user is None:
        raise NotAuthenticated("connectez-vous pour participer (une voix par personne)")
    if not policy.can_contribute(user):
        raise Forbidden("participation refusée")
    return user


def _limit(session: Session, count_query: Callable[[datetime], Select[int]], limit: tuple[int, timedelta],
           what: str) -> None:
    """RateLimited when `count_query(since)` counts `limit`'s most or more since its window began."""
    most, window = limit
    if (session.scalar(count_query(utcnow() - window)) or 0) >= most:
        minutes = int(window.total_seconds() // 60)
        raise RateLimited(f"trop {what} en peu de temps : au plus {most} en {minutes} min ; réessayez plus tard")


def _text(value: str, field: str, most: int, least: int = 1) -> str:
    value = value.strip()
    if len(value) < least:
        raise Invalid(f"{label(field)} : texte vide", field)
    if len(value) > most:
        raise Invalid(f"{label(field)} : {most} caractères au plus", field)
    return value


def get(session: Session, idea_id: int) -> Idea:
    idea = by_id(session, Idea, idea_id)
    if idea is None:
        raise NotFound(f"idée introuvable : {idea_id}", "idea_id")
    return idea


def post(session: Session, user: User | None, theme: str, title: str, body: str = "") -> Idea:
    author = _need(user)
    if theme not in THEMES:
        raise Invalid(f"thème inconnu : {theme} ({', '.join(THEMES)})", "theme")
    title, body = _text(title, "title", 300, 3), body.strip()
    if len(body) > 10_000:
        raise Invalid("body : 10 000 caractères au plus", "body")
    _limit(session, lambda since: select(func.count()).select_from(Idea).where(
        Idea.author_id == author.id, Idea.created_at >= since), IDEAS_PER_HOUR, "d'idées")
    idea = Idea(theme=theme, title=title, body=body, author_id=author.id, author_name=author.name)
    session.add(idea)
    session.flush()
    audit.record(session, author, audit.Action.IDEA_POST, "idea", idea.id, after={"theme": theme, "title": title})
    return idea


def comment(session: Session, user: User | None, idea_id: int, body: str, parent_id: int | None = None) -> IdeaComment:
    author = _need(user)
    idea = get(session, idea_id)
    if idea.hidden:
        raise Conflict("idée masquée par la modération : plus de commentaires")
    if parent_id is not None:
        parent = by_id(session, IdeaComment, parent_id)
        if parent is None or parent.idea_id != idea.id:
            raise Invalid(f"commentaire parent introuvable sur cette idée : {parent_id}", "parent_id")
    text = _text(body, "body", 5000)
    _limit(session, lambda since: select(func.count()).select_from(IdeaComment).where(
        IdeaComment.author_id == author.id, IdeaComment.created_at >= since), COMMENTS_PER_10_MINUTES, "de commentaires")
    c = IdeaComment(idea_id=idea.id, parent_id=parent_id, author_id=author.id, body=text)
    session.add(c)
    session.flush()
    return c


def vote(session: Session, user: User | None, idea_id: int, value: int) -> IdeaVote:
    """Agree (1), disagree (-1) or pass (0); again, the new vote replaces the last — one statement, so
    two votes of one person at once leave one row, never two."""
    voter = _need(user)
    if value not in VOTES:
        raise Invalid("vote : 1 (d'accord), -1 (pas d'accord) ou 0 (passe)", "value")
    idea = get(session, idea_id)
    if idea.hidden:
        raise Conflict("idée masquée par la modération : plus de votes")
    key = voter_of(voter)
    _limit(session, lambda since: select(func.count()).select_from(IdeaVote).where(
        IdeaVote.voter == key, IdeaVote.at >= since), VOTES_PER_MINUTE, "de votes")
    _upsert_votes(session, [{"idea_id": idea.id, "voter": key, "value": value, "at": utcnow()}])
    found = session.scalar(select(IdeaVote).where(IdeaVote.idea_id == idea.id, IdeaVote.voter == key))
    assert found is not None
    session.refresh(found)
    return found


def _upsert_votes(session: Session, rows: list[dict[str, object]]) -> None:
    stmt = upsert(session, IdeaVote.__table__)
    session.connection().execute(stmt.on_conflict_do_update(
        index_elements=["idea_id", "voter"], set_={"value": stmt.excluded.value, "at": stmt.excluded.at}), rows)


def report(session: Session, user: User | None, target: str, target_id: int, reason: str) -> IdeaReport:
    reporter = _need(user)
    _target(session, target, target_id)
    r = IdeaReport(target=target, target_id=target_id, reporter_id=reporter.id, reason=_text(reason, "reason", 2000))
    try:
        with session.begin_nested():
            session.add(r)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("vous avez déjà signalé ce contenu") from exc
    return r


def _target(session: Session, target: str, target_id: int) -> Idea | IdeaComment:
    model = {"idea": Idea, "comment": IdeaComment}.get(target)
    if model is None:
        raise Invalid("target : idea ou comment", "target")
    item = by_id(session, model, target_id)
    if item is None:
        raise NotFound(f"{'idée' if target == 'idea' else 'commentaire'} introuvable : {target_id}", "target_id")
    return item  # type: ignore[return-value]


def moderate(session: Session, user: User | None, target: str, target_id: int, action: str,
             reason: str) -> Moderation:
    """Hide or restore an idea or a comment. The reason is required, logged, and shown in its place."""
    if user is None:
        raise NotAuthenticated("connectez-vous pour modérer")
    if not policy.can_moderate(user):
        raise Forbidden("la modération est réservée à l'agence nationale")
    if action not in ("hide", "restore"):
        raise Invalid("action : hide ou restore", "action")
    item = _target(session, target, target_id)
    text = _text(reason, "reason", 2000, 3)
    hide = action == "hide"
    # One conditional UPDATE: of simultaneous moderators, the database lets one change the row; the
    # others find it already changed (409), and only one entry reaches the moderation log.
    model = type(item)
    changed = session.execute(update(model).where(model.id == target_id, model.hidden.is_(not hide))  # type: ignore[attr-defined]
                              .values(hidden=hide).execution_options(synchronize_session=False)).rowcount
    session.expire(item, ["hidden"])
    if changed != 1:
        raise Conflict("déjà masqué" if hide else "déjà visible")
    m = Moderation(target=target, target_id=target_id, action=action, reason=text, moderator_id=user.id)
    session.add(m)
    audit.record(session, user, audit.Action(f"{target}.{action}"), target, target_id, after={"reason": m.reason})
    session.flush()
    return m


@dataclass
class Tally:
    agree: int = 0
    disagree: int = 0
    passed: int = 0

    @property
    def votes(self) -> int:
        return self.agree + self.disagree + self.passed


def tallies(session: Session, idea_ids: list[int]) -> dict[int, Tally]:
    if not idea_ids:
        return {}
    rows = session.execute(select(IdeaVote.idea_id, func.sum(case((IdeaVote.value == 1, 1), else_=0)),
                                  func.sum(case((IdeaVote.value == -1, 1), else_=0)),
                                  func.sum(case((IdeaVote.value == 0, 1), else_=0)))
                           .where(IdeaVote.idea_id.in_(idea_ids)).group_by(IdeaVote.idea_id))
    return {i: Tally(int(a), int(d), int(p)) for i, a, d, p in rows}


def my_votes(session: Session, user: User | None, idea_ids: list[int]) -> dict[int, int]:
    if user is None or not idea_ids:
        return {}
    return dict(session.execute(select(IdeaVote.idea_id, IdeaVote.value).where(
        IdeaVote.voter == voter_of(user), IdeaVote.idea_id.in_(idea_ids))).all())


def listing(session: Session, theme: str | None = None, limit: int = 200) -> list[Idea]:
    """Newest first; hidden ideas stay in the list (their place shows the moderation)."""
    query = select(Idea).order_by(Idea.created_at.desc(), Idea.id.desc()).limit(limit)
    if theme:
        if theme not in THEMES:
            raise Invalid(f"thème inconnu : {theme}", "theme")
        query = query.where(Idea.theme == theme)
    return list(session.scalars(query))


@dataclass
class Thread:
    comment: IdeaComment
    replies: list[Thread] = field(default_factory=list)


def threads(session: Session, idea: Idea) -> list[Thread]:
    """The idea's comments as threads, oldest first at each level."""
    rows = list(session.scalars(select(IdeaComment).where(IdeaComment.idea_id == idea.id)
                                .order_by(IdeaComment.created_at, IdeaComment.id)))
    nodes = {c.id: Thread(c) for c in rows}
    roots: list[Any] = []
    for c in rows:
        (nodes[c.parent_id].replies if c.parent_id in nodes else roots).append(nodes[c.id])
    return roots


def moderation_log(session: Session, idea: Idea) -> list[Moderation]:
    """Every moderator's action on the idea and its comments, newest first (shown to everyone)."""
    comment_ids = select(IdeaComment.id).where(IdeaComment.idea_id == idea.id)
    return list(session.scalars(select(Moderation).where(
        ((Moderation.target == "idea") & (Moderation.target_id == idea.id))
        | ((Moderation.target == "comment") & Moderation.target_id.in_(comment_ids)))
        .order_by(Moderation.at.desc(), Moderation.id.desc())))


def last_reason(session: Session, target: str, target_id: int) -> str | None:
    m = session.scalar(select(Moderation).where(Moderation.target == target, Moderation.target_id == target_id,
                                                Moderation.action == "hide")
                       .order_by(Moderation.at.desc(), Moderation.id.desc()).limit(1))
    return m.reason if m else None


def reports(session: Session, user: User | None) -> list[IdeaReport]:
    """What people reported, for the moderators."""
    if not policy.can_moderate(user):
        raise Forbidden("la modération est réservée à l'agence nationale")
    return list(session.scalars(select(IdeaReport).order_by(IdeaReport.at.desc()).limit(500)))


# --- Pol.is conversations and the vote matrix ----------------------------------------------------

@dataclass
class PolisImport:
    ideas_added: int = 0
    ideas_kept: int = 0  # already imported (same external reference)
    hidden: int = 0  # moderated out in Pol.is: imported hidden, with the reason logged
    votes: int = 0


def import_polis(session: Session, actor: User, conversation: polis.Conversation, name: str,
                 theme: str = "efficiency") -> PolisImport:
    """A Pol.is conversation into the idea box: each statement an idea (`polis:<name>:<id>`), each
    participant's votes kept under `polis:<name>:<participant>`. Importing again adds nothing and
    leaves the votes as the file says. Statements moderated out in Pol.is come in hidden, the reason
    logged under the importing account (the agency)."""
    if not policy.can_moderate(actor):
        raise Forbidden("l'import d'une conversation est réservé à l'agence nationale")
    if theme not in THEMES:
        raise Invalid(f"thème inconnu : {theme}", "theme")
    report = PolisImport()
    existing = {ref: i for ref, i in session.execute(select(Idea.external_ref, Idea.id).where(
        Idea.external_ref.like(f"polis:{name}:%")))}
    ids: dict[str, int] = {}
    for statement in conversation.statements:
        ref = f"polis:{name}:{statement.id}"
        if ref in existing:
            ids[statement.id] = existing[ref]
            report.ideas_kept += 1
            continue
        text = statement.text.strip() or f"(énoncé {statement.id} sans texte)"
        idea = Idea(theme=theme, title=text[:300], body=text if len(text) > 300 else "", author_id=None,
                    author_name=f"Pol.is, participant {statement.author}" if statement.author else "Pol.is",
                    external_ref=ref)
        session.add(idea)
        session.flush()
        ids[statement.id] = idea.id
        report.ideas_added += 1
        if statement.moderated == -1:
            idea.hidden = True
            session.add(Moderation(target="idea", target_id=idea.id, action="hide", moderator_id=actor.id,
                                   reason="retiré par la modération de la conversation Pol.is d'origine"))
            report.hidden += 1
    votes = conversation.votes
    now = utcnow()
    rows = [{"idea_id": ids[votes.statements[c]], "voter": f"polis:{name}:{votes.participants[r]}", "value": int(v),
             "at": now} for r, c, v in zip(votes.rows, votes.cols, votes.values) if votes.statements[c] in ids]
    for start in range(0, len(rows), 5000):
        _upsert_votes(session, rows[start:start + 5000])
    report.votes = len(rows)
    audit.record(session, actor, audit.Action.IDEAS_IMPORT_POLIS, "idea", None,
                 after={"conversation": name, "ideas": report.ideas_added, "votes": report.votes})
    session.flush()
    return report


def vote_matrix(session: Session, theme: str | None = None) -> opinion.Votes:
    """The idea box as a participant × idea vote matrix for the opinion groups: the voters in the order
    of their first vote, the hidden ideas marked excluded (as Pol.is treats moderated-out statements)."""
    query = select(Idea.id, Idea.hidden).order_by(Idea.id)
    if theme:
        query = query.where(Idea.theme == theme)
    idea_rows = session.execute(query).all()
    column = {i: n for n, (i, _) in enumerate(idea_rows)}
    first_vote = func.min(IdeaVote.id)
    voters = [v for (v,) in session.execute(select(IdeaVote.voter).where(IdeaVote.idea_id.in_(list(column)))
                                            .group_by(IdeaVote.voter).order_by(first_vote))]
    row = {v: n for n, v in enumerate(voters)}
    cells = session.execute(select(IdeaVote.voter, IdeaVote.idea_id, IdeaVote.value)
                            .where(IdeaVote.idea_id.in_(list(column)))).all()
    return opinion.Votes([str(v) for v in voters], [str(i) for i, _ in idea_rows],
                         np.array([row[v] for v, _, _ in cells], dtype=np.int64),
                         np.array([column[i] for _, i, _ in cells], dtype=np.int64),
                         np.array([value for _, _, value in cells], dtype=np.float64),
                         frozenset(str(i) for i, hidden in idea_rows if hidden))


def export_votes_csv(session: Session) -> str:
    """The idea box's votes as open data, pseudonymised: one row per vote (idea, pseudonym, value), the
    pseudonym drawn afresh at each export from a random key (one voter keeps one pseudonym within an
    export, so the vote matrix can be studied, but nothing links it to an account or to another
    export); votes on hidden ideas are left out."""
    key = secrets.token_bytes(16)
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer)
    writer.writerow(["idea_id", "voter", "value"])
    rows = session.execute(select(IdeaVote.idea_id, IdeaVote.voter, IdeaVote.value).join(Idea, Idea.id == IdeaVote.idea_id)
                           .where(Idea.hidden.is_(False)).order_by(IdeaVote.idea_id, IdeaVote.id))
    for idea_id, voter, value in rows:
        writer.writerow([idea_id, hmac.new(key, voter.encode(), hashlib.sha256).hexdigest()[:16], value])
    return buffer.getvalue()


# --- The opinion map: the voters' groups, what sets each apart, what brings them together ------------

@dataclass
class OpinionMap:
    result: opinion.Groups
    representative: dict[int, list[opinion.Representative]]  # per group, its statements (idea ids)
    consensus: list[tuple[str, float]]  # the ideas every group agrees with (opinion.common_ground), best first
    points: list[tuple[float, float, int]]  # up to MAP_POINTS voters: x, y in [0, 1], group

    @property
    def grouped(self) -> int:
        return int((self.result.group >= 0).sum())

    @property
    def sizes(self) -> dict[int, int]:
        return {g: int((self.result.group == g).sum()) for g in range(self.result.k)}


MAP_POINTS = 2000  # voters drawn on the map at most (a fixed sample beyond)
_MAP_CACHE: dict[tuple[object, ...], OpinionMap | None] = {}


def opinion_map(session: Session) -> OpinionMap | None:
    """The idea box's opinion groups (Pol.is's method, `opinion.groups`, computed once over the current
    votes), None below 4 voters or 2 ideas. Kept while no vote or moderation changes (the count and
    latest time of votes and the hidden ideas make the key, with the database's address): computing
    takes seconds at scale."""
    key = (str(session.get_bind().url),) + tuple(session.execute(  # type: ignore[union-attr]
        select(func.count(IdeaVote.id), func.max(IdeaVote.at))).one()) + tuple(
        session.execute(select(func.count(Idea.id), func.sum(case((Idea.hidden, Idea.id), else_=0)))).one())
    if key in _MAP_CACHE:
        return _MAP_CACHE[key]
    votes = vote_matrix(session)
    found = None
    if len(votes.participants) >= 4 and len(votes.statements) - len(votes.excluded) >= 2:
        result = opinion.groups(votes)
        shown = np.flatnonzero(result.group >= 0)
        if len(shown) > MAP_POINTS:
            shown = np.sort(np.random.default_rng(0).choice(shown, MAP_POINTS, replace=False))
        xy = result.projection[shown]
        scaled = (xy - xy.min(axis=0)) / np.maximum(np.ptp(xy, axis=0), 1e-9) if len(xy) else xy
        consensus = opinion.common_ground(result)[:5]
        found = OpinionMap(result, opinion.representative(result), consensus,
                           [(float(x), float(y), int(result.group[i])) for (x, y), i in zip(scaled, shown)])
    _MAP_CACHE.clear()
    _MAP_CACHE[key] = found
    return found


def titles(session: Session, ids: list[str]) -> dict[str, str]:
    """Idea id (as the vote matrix names it) → its title, for the visible ones among `ids`."""
    wanted = [int(i) for i in ids if i.isdigit() and id_in_range(int(i))]
    rows = session.execute(select(Idea.id, Idea.title).where(Idea.id.in_(wanted), Idea.hidden.is_(False))).all()
    return {str(i): title for i, title in rows}
