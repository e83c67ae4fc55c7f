"""The written synthesis and the guarantors' check of it: every sentence cites the contributions it
rests on (ideas and comments of the idea box, and questionnaires' free-text answers, by id); the
coverage view shows, per theme and per opinion group, which contributions no sentence represents."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.concertation import ideas, policy, themes
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation.models import (
    Idea,
    IdeaComment,
    Questionnaire,
    QuestionnaireResponse,
    QuestionnaireVersion,
    Synthesis,
    SynthesisCitation,
    SynthesisSentence,
)
from sentinelle.concertation.schemas import check_slug
from sentinelle.errors import Conflict, Forbidden, Invalid, NotAuthenticated, require
from sentinelle.store.db import by_id, by_slug

# A source as the editor writes it, in French (« idée:12, commentaire:40, réponse:7 »); the English
# forms of the API (idea, comment, answer) are read too.
CITATION = re.compile(r"^(idée|idee|idea|commentaire|comment|réponse|reponse|answer)\s*:\s*(\d{1,10})$", re.I)
CITATION_TARGETS = {"idée": "idea", "idee": "idea", "idea": "idea", "commentaire": "comment", "comment": "comment",
                    "réponse": "answer", "reponse": "answer", "answer": "answer"}
CITE_AS = {"idea": "idée", "comment": "commentaire", "answer": "réponse"}  # how a page shows a source to cite


def get(session: Session, slug: str) -> Synthesis:
    return by_slug(session, Synthesis, slug, "synthèse")


def listing(session: Session) -> list[Synthesis]:
    return list(session.scalars(select(Synthesis).order_by(Synthesis.id)))


def _writer(user: User | None) -> User:
    return require(user, policy.can_manage(user), "la synthèse est rédigée par l'agence nationale")


def create(session: Session, user: User | None, slug: str, title: str) -> Synthesis:
    actor = _writer(user)
    check_slug(slug)
    if not 3 <= len(title.strip()) <= 300:
        raise Invalid("title : de 3 à 300 caractères", "title")
    if session.scalar(select(Synthesis.id).where(Synthesis.slug == slug)) is not None:
        raise Conflict(f"une synthèse « {slug} » existe déjà", "slug")
    s = Synthesis(slug=slug, title=title.strip())
    session.add(s)
    session.flush()
    audit.record(session, actor, audit.Action.SYNTHESIS_CREATE, "synthesis", s.id, after={"slug": slug})
    return s


def parse_citations(text: str) -> list[tuple[str, int]]:
    """« idée:12, commentaire:40, réponse:7 » → [("idea", 12), ("comment", 40), ("answer", 7)] (réponse: a
    questionnaire response, for its free-text answers); a bad one is named."""
    out = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        m = CITATION.match(part)
        if m is None:
            raise Invalid(f"citation illisible : « {part} » (idée:N, commentaire:N ou réponse:N)", "citations")
        out.append((CITATION_TARGETS[m.group(1).lower()], int(m.group(2))))
    return out


def add_sentence(session: Session, user: User | None, slug: str, text: str,
                 citations: list[tuple[str, int]]) -> SynthesisSentence:
    """A sentence and the contributions it rests on: at least one, each existing (a sentence without a
    source is refused, as is a source that does not exist)."""
    actor = _writer(user)
    s = get(session, slug)
    text = text.strip()
    if not 3 <= len(text) <= 5000:
        raise Invalid("text : de 3 à 5 000 caractères", "text")
    if not citations:
        raise Invalid("chaque phrase cite au moins une contribution", "citations")
    for target, target_id in citations:
        if target == "answer":
            found: object = qs.free_text(session, target_id)
        else:
            found = by_id(session, Idea if target == "idea" else IdeaComment, target_id)
        if found is None:
            raise Invalid(f"contribution introuvable : {CITE_AS.get(target, target)}:{target_id}"
                          + (" (réponse sans texte libre)" if target == "answer" else ""), "citations")
    sentence = SynthesisSentence(synthesis_id=s.id, text=text, author_id=actor.id)
    session.add(sentence)
    session.flush()
    for target, target_id in dict.fromkeys(citations):
        session.add(SynthesisCitation(sentence_id=sentence.id, target=target, target_id=target_id))
    audit.record(session, actor, audit.Action.SYNTHESIS_SENTENCE, "synthesis", s.id,
                 after={"sentence": sentence.id, "citations": [f"{CITE_AS.get(t, t)}:{i}" for t, i in citations]})
    session.flush()
    return sentence


@dataclass
class CitedSentence:
    sentence: SynthesisSentence
    sources: list[tuple[str, int, str, str]]  # target, id, text (empty when hidden), its page ("" if none public)


def sentences(session: Session, slug: str) -> list[CitedSentence]:
    s = get(session, slug)
    rows = list(session.scalars(select(SynthesisSentence).where(SynthesisSentence.synthesis_id == s.id)
                                .order_by(SynthesisSentence.id)))
    cites = session.scalars(select(SynthesisCitation).where(SynthesisCitation.sentence_id.in_([r.id for r in rows]))
                            .order_by(SynthesisCitation.id)).all() if rows else []
    out = {r.id: CitedSentence(r, []) for r in rows}
    for c in cites:
        if c.target == "answer":
            # The quote is published with the sentence; the response itself has no public page.
            found = qs.free_text(session, c.target_id)
            text, href = (found[1].quote(), "") if found else ("", "")
        elif c.target == "idea":
            idea = session.get(Idea, c.target_id)
            text = "" if idea is None or idea.hidden else idea.title
            href = f"/concertation/idees/{c.target_id}"
        else:
            comment = session.get(IdeaComment, c.target_id)
            text = "" if comment is None or comment.hidden else comment.body
            href = f"/concertation/idees/{comment.idea_id if comment else 0}#commentaire-{c.target_id}"
        out[c.sentence_id].sources.append((c.target, c.target_id, text, href))
    return list(out.values())


@dataclass
class ThemeCoverage:
    theme: str
    ideas: int
    cited: int
    uncited: list[Idea] = field(default_factory=list)


@dataclass
class GroupCoverage:
    group: int
    participants: int
    representative: list[tuple[Idea, str, bool]] = field(default_factory=list)  # idea, stance, cited?


@dataclass
class AnswerTheme:
    terms: list[str]  # the words that name the theme (themes.find)
    answers: int
    cited: int
    uncited: list[qs.FreeText] = field(default_factory=list)
    quotes: list[qs.FreeText] = field(default_factory=list)  # the answers that weigh most in the theme


@dataclass
class AnswerCoverage:
    questionnaire: Questionnaire
    answers: int  # responses with some free text
    cited: int
    themes: list[AnswerTheme] = field(default_factory=list)


@dataclass
class Coverage:
    themes: list[ThemeCoverage]
    groups: list[GroupCoverage]
    answers: list[AnswerCoverage]


# A questionnaire's free texts and their themes, kept while its responses and wording are unchanged:
# responses are never edited, so their count and last id, with the last version (the wording quoted),
# tell any change without reading them (at 100,000 answers the reading takes seconds, NMF more, and the
# guarantors reload the view often).
_ANSWERS_CACHE: dict[tuple[object, ...], tuple[list[qs.FreeText], themes.Themes]] = {}


def _answers_and_themes(session: Session, q: Questionnaire) -> tuple[list[qs.FreeText], themes.Themes]:
    key = (str(session.get_bind().url), q.id) + tuple(session.execute(  # type: ignore[union-attr]
        select(func.count(QuestionnaireResponse.id), func.max(QuestionnaireResponse.id))
        .where(QuestionnaireResponse.questionnaire_id == q.id)).one()) + (session.scalar(
            select(func.max(QuestionnaireVersion.id)).where(QuestionnaireVersion.questionnaire_id == q.id)),)
    if key not in _ANSWERS_CACHE:
        if len(_ANSWERS_CACHE) > 32:
            _ANSWERS_CACHE.clear()
        texts = qs.texts_of(session, q)
        # About one theme per ten answers, from 1 to 8: a guarantor reads every uncited one anyway.
        method = themes.Method(themes=max(1, min(8, len(texts) // 10)), quotes=2)
        _ANSWERS_CACHE[key] = texts, themes.find([t.quote() for t in texts], method)
    return _ANSWERS_CACHE[key]


def _answer_coverage(session: Session, cited: set[int]) -> list[AnswerCoverage]:
    out = []
    for q in session.scalars(select(Questionnaire).order_by(Questionnaire.id)):
        texts, found = _answers_and_themes(session, q)
        if not texts:
            continue
        cov = AnswerCoverage(q, len(texts), sum(t.response_id in cited for t in texts))
        named = [(th.number, th.terms[:5], th.quotes) for th in found.themes] + [(-1, [], [])]
        for number, terms, quotes in named:
            mine = [t for t, a in zip(texts, found.assignment) if a == number]
            if mine:
                cov.themes.append(AnswerTheme(terms, len(mine), sum(t.response_id in cited for t in mine),
                                              [t for t in mine if t.response_id not in cited],
                                              [texts[q] for q in quotes]))
        out.append(cov)
    return out


def coverage(session: Session, user: User | None, slug: str) -> Coverage:
    """For the guarantors (and the agency): per theme, the visible ideas no sentence cites (an idea is
    also covered when a comment on it is cited); per opinion group of the idea box's voters, the ideas
    that set the group apart and whether a sentence cites them; per questionnaire, its free-text
    answers by theme (found by themes.find), and those no sentence cites."""
    if user is None:
        raise NotAuthenticated("connectez-vous")
    if not policy.can_export(user):
        raise Forbidden("la vue de couverture est réservée aux garants et à l'agence")
    s = get(session, slug)
    cites = session.execute(select(SynthesisCitation.target, SynthesisCitation.target_id)
                            .join(SynthesisSentence, SynthesisSentence.id == SynthesisCitation.sentence_id)
                            .where(SynthesisSentence.synthesis_id == s.id)).all()
    cited = {i for t, i in cites if t == "idea"}
    comment_ids = [i for t, i in cites if t == "comment"]
    if comment_ids:
        cited |= set(session.scalars(select(IdeaComment.idea_id).where(IdeaComment.id.in_(comment_ids))))
    visible = list(session.scalars(select(Idea).where(Idea.hidden.is_(False)).order_by(Idea.id)))
    by_theme = []
    for theme in ideas.THEME_LABELS:
        mine = [i for i in visible if i.theme == theme]
        by_theme.append(ThemeCoverage(theme, len(mine), sum(i.id in cited for i in mine),
                                    [i for i in mine if i.id not in cited]))
    groups: list[GroupCoverage] = []
    found = ideas.opinion_map(session)
    if found is not None:
        by_id = {str(i.id): i for i in visible}
        for g, reps in found.representative.items():
            cov = GroupCoverage(g, found.sizes[g])
            for r in reps:
                if r.statement in by_id:
                    idea = by_id[r.statement]
                    cov.representative.append((idea, r.stance, idea.id in cited))
            groups.append(cov)
    return Coverage(by_theme, groups, _answer_coverage(session, {i for t, i in cites if t == "answer"}))
