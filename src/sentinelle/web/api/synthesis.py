"""JSON API of the synthesis: its sentences with their sources (public), writing it (the agency), and
the guarantors' coverage view."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from sentinelle.concertation import schemas, synthesis
from sentinelle.schemas_common import ERRORS
from sentinelle.web.deps import ApiUserDep, DbDep, UserDep

router = APIRouter(tags=["synthesis"], responses=ERRORS)


def _out(db: Session, slug: str) -> schemas.SynthesisOut:
    s = synthesis.get(db, slug)
    return schemas.SynthesisOut(slug=s.slug, title=s.title, sentences=[
        schemas.SentenceOut(id=c.sentence.id, text=c.sentence.text, sources=[
            schemas.SourceOut(target=t, id=i, text=text, href=href) for t, i, text, href in c.sources])
        for c in synthesis.sentences(db, slug)])


@router.get("/syntheses", response_model=list[schemas.SynthesisOut])
def list_syntheses(db: DbDep) -> list[schemas.SynthesisOut]:
    return [_out(db, s.slug) for s in synthesis.listing(db)]


@router.post("/syntheses", response_model=schemas.SynthesisOut, status_code=201)
def create_synthesis(data: schemas.SynthesisIn, user: ApiUserDep,
                     db: DbDep) -> schemas.SynthesisOut:
    synthesis.create(db, user, data.slug, data.title)
    return _out(db, data.slug)


@router.get("/syntheses/{slug}", response_model=schemas.SynthesisOut)
def read_synthesis(slug: str, db: DbDep) -> schemas.SynthesisOut:
    """Public: every sentence with the contributions it cites."""
    return _out(db, slug)


@router.post("/syntheses/{slug}/sentences", response_model=schemas.SentenceOut, status_code=201)
def add_sentence(slug: str, data: schemas.SentenceIn, user: ApiUserDep,
                 db: DbDep) -> schemas.SentenceOut:
    """A sentence and its sources ("idea:N", "comment:N", "answer:N"), each existing (the agency)."""
    sentence = synthesis.add_sentence(db, user, slug, data.text, synthesis.parse_citations(", ".join(data.citations)))
    cited = next(c for c in synthesis.sentences(db, slug) if c.sentence.id == sentence.id)
    return schemas.SentenceOut(id=sentence.id, text=sentence.text, sources=[
        schemas.SourceOut(target=t, id=i, text=text, href=href) for t, i, text, href in cited.sources])


@router.get("/syntheses/{slug}/coverage", response_model=schemas.CoverageOut)
def coverage(slug: str, user: UserDep,
             db: DbDep) -> schemas.CoverageOut:
    """The guarantors' view (and the agency's): what no sentence represents, per theme and per group."""
    cov = synthesis.coverage(db, user, slug)
    return schemas.CoverageOut(
        themes=[schemas.ThemeCoverageOut(theme=t.theme, ideas=t.ideas, cited=t.cited, uncited=[i.id for i in t.uncited])
                for t in cov.themes],
        groups=[schemas.GroupCoverageOut(group=g.group, participants=g.participants, representative=[
            {"idea": idea.id, "stance": stance, "cited": cited} for idea, stance, cited in g.representative])
            for g in cov.groups],
        answers=[schemas.AnswerCoverageOut(
            questionnaire=a.questionnaire.slug, answers=a.answers, cited=a.cited, themes=[
            schemas.AnswerThemeOut(terms=t.terms, answers=t.answers, cited=t.cited,
                                   uncited=[f.response_id for f in t.uncited],
                                   quotes=[f.response_id for f in t.quotes]) for t in a.themes])
            for a in cov.answers])
