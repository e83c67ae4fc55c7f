"""JSON API of the concertation: questionnaires (answers, results, the pseudonymised export) and the idea box."""

from __future__ import annotations

import json

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from sentinelle.concertation import ideas, schemas
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation.models import Idea, Questionnaire
from sentinelle.errors import Invalid
from sentinelle.schemas_common import ERRORS
from sentinelle.store.base import MAX_ID
from sentinelle.web.deps import ApiUserDep, DbDep, UserDep, limit_votes

router = APIRouter(tags=["concertation"], responses=ERRORS)


def _out(db: Session, q: Questionnaire) -> schemas.QuestionnaireOut:
    version = qs.current(db, q)
    return schemas.QuestionnaireOut(slug=q.slug, title=q.title, description=q.description, status=q.status,
                                    anonymous=q.anonymous, version=version.number,
                                    questions=[schemas.Question.model_validate(x) for x in version.questions])


@router.get("/questionnaires", response_model=list[schemas.QuestionnaireOut])
def list_questionnaires(user: UserDep,
                        db: DbDep) -> list[schemas.QuestionnaireOut]:
    return [_out(db, q) for q in qs.listing(db, user)]


@router.post("/questionnaires", response_model=schemas.QuestionnaireOut, status_code=201)
def create_questionnaire(data: schemas.QuestionnaireIn, user: ApiUserDep,
                         db: DbDep) -> schemas.QuestionnaireOut:
    q = qs.create(db, user, data.slug, data.title, [x.model_dump() for x in data.questions],
                  description=data.description, anonymous=data.anonymous)
    return _out(db, q)


@router.get("/questionnaires/{slug}", response_model=schemas.QuestionnaireOut)
def read_questionnaire(slug: str, user: UserDep,
                       db: DbDep) -> schemas.QuestionnaireOut:
    return _out(db, qs.visible(db, user, slug))


@router.post("/questionnaires/{slug}/versions", response_model=schemas.QuestionnaireOut, status_code=201)
def revise_questionnaire(slug: str, data: schemas.VersionIn, user: ApiUserDep,
                         db: DbDep) -> schemas.QuestionnaireOut:
    qs.revise(db, user, slug, [x.model_dump() for x in data.questions])
    return _out(db, qs.get(db, slug))


@router.post("/questionnaires/{slug}/status", response_model=schemas.QuestionnaireOut)
def set_status(slug: str, data: schemas.StatusIn, user: ApiUserDep,
               db: DbDep) -> schemas.QuestionnaireOut:
    q = qs.set_status(db, user, slug, data.status)
    return _out(db, q)


@router.post("/questionnaires/{slug}/responses", response_model=schemas.AnswerOut, status_code=201)
def answer(slug: str, data: schemas.AnswerIn, user: ApiUserDep,
           db: DbDep) -> schemas.AnswerOut:
    """One answer per person; a second is refused with 409."""
    qs.visible(db, user, slug)
    response = qs.answer(db, user, slug, data.answers, profile=data.profile, region=data.region)
    number = {v.id: v.number for v in qs.versions(db, qs.get(db, slug))}[response.version_id]
    return schemas.AnswerOut(id=response.id, version=number)


@router.get("/questionnaires/{slug}/results", response_model=qs.Results)
def results(slug: str, *, by: str | None = Query(None, pattern="^(profile|region)$"),
            version: int | None = Query(None, ge=1, le=100_000),
            margins: str | None = Query(None, max_length=5000, description='JSON: {"profile": {"patient": 0.2, …}, '
                                                                           '"region": {"84": 0.12, …}}'),
            user: UserDep, db: DbDep) -> qs.Results:
    """Counts, shares and 95 % intervals (public: counts only, never an answer)."""
    qs.visible(db, user, slug)
    parsed = None
    if margins:
        try:
            parsed = json.loads(margins)
            assert isinstance(parsed, dict) and all(
                isinstance(v, dict) and all(isinstance(x, int | float) and x >= 0 for x in v.values())
                for v in parsed.values())
        except (ValueError, AssertionError) as exc:
            raise Invalid("margins : un objet JSON de parts par profil et/ou région", "margins") from exc
    return qs.results(db, slug, version=version, by=by, margins=parsed)


@router.get("/questionnaires/{slug}/export.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export(slug: str, user: UserDep, db: DbDep) -> Response:
    """Every answer, pseudonymised (the agency and the guarantors)."""
    text = qs.export_csv(db, user, slug)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-reponses.csv"'})


@router.get("/questionnaires/{slug}/free-texts", response_model=schemas.FreeTextPageOut)
def free_texts(slug: str, *, after: int = Query(0, ge=0, le=MAX_ID), limit: int = Query(500, ge=1, le=1000),
               user: UserDep, db: DbDep) -> schemas.FreeTextPageOut:
    """The free-text answers, page by page, with what a synthesis sentence writes to cite each (the agency
    and the guarantors; no name, no region)."""
    found, next_after = qs.free_texts(db, user, slug, after=after, limit=limit)
    return schemas.FreeTextPageOut(items=[schemas.FreeTextOut(
        response_id=f.response_id, cite=f"answer:{f.response_id}", profile=f.profile,
        answers=[schemas.FreeTextAnswer(question=q, text=t) for q, t in f.texts]) for f in found],
        next_after=next_after)


# --- Idea box ----------------------------------------------------------------------------------------

def _idea_out(db: Session, idea: Idea, tally: ideas.Tally | None, mine: int | None) -> schemas.IdeaOut:
    t = tally or ideas.Tally()
    return schemas.IdeaOut(id=idea.id, theme=idea.theme, title="" if idea.hidden else idea.title,
                           body="" if idea.hidden else idea.body, author_name=idea.author_name, hidden=idea.hidden,
                           hidden_reason=ideas.last_reason(db, "idea", idea.id) if idea.hidden else None,
                           tally=schemas.TallyOut(agree=t.agree, disagree=t.disagree, passed=t.passed), my_vote=mine,
                           created_at=idea.created_at)


def _thread_out(t: ideas.Thread) -> schemas.CommentOut:
    c = t.comment
    return schemas.CommentOut(id=c.id, parent_id=c.parent_id, body="" if c.hidden else c.body, hidden=c.hidden,
                              created_at=c.created_at, replies=[_thread_out(r) for r in t.replies])


@router.get("/ideas", response_model=list[schemas.IdeaOut])
def list_ideas(*, theme: str | None = Query(None, pattern="^(efficiency|territories|access)$"),
               limit: int = Query(200, ge=1, le=1000), user: UserDep,
               db: DbDep) -> list[schemas.IdeaOut]:
    rows = ideas.listing(db, theme, limit)
    ids = [i.id for i in rows]
    tallies, mine = ideas.tallies(db, ids), ideas.my_votes(db, user, ids)
    return [_idea_out(db, i, tallies.get(i.id), mine.get(i.id)) for i in rows]


@router.post("/ideas", response_model=schemas.CreatedOut, status_code=201)
def post_idea(data: schemas.IdeaIn, user: ApiUserDep,
              db: DbDep) -> schemas.CreatedOut:
    idea = ideas.post(db, user, data.theme, data.title, data.body)
    return schemas.CreatedOut(id=idea.id)


@router.get("/ideas/{idea_id}", response_model=schemas.IdeaPageOut)
def read_idea(idea_id: int, user: UserDep,
              db: DbDep) -> schemas.IdeaPageOut:
    idea = ideas.get(db, idea_id)
    return schemas.IdeaPageOut(
        idea=_idea_out(db, idea, ideas.tallies(db, [idea.id]).get(idea.id), ideas.my_votes(db, user, [idea.id]).get(idea.id)),
        comments=[_thread_out(t) for t in ideas.threads(db, idea)],
        moderation=[schemas.ModerationOut(target=m.target, target_id=m.target_id, action=m.action, reason=m.reason,
                                          at=m.at) for m in ideas.moderation_log(db, idea)])


@router.put("/ideas/{idea_id}/votes/mine", response_model=schemas.TallyOut)
def vote(idea_id: int, data: schemas.VoteIn, request: Request, user: ApiUserDep,
         db: DbDep) -> schemas.TallyOut:
    """Agree (1), disagree (-1) or pass (0): one vote per person and idea, a new one replaces it."""
    limit_votes(request, user)
    ideas.vote(db, user, idea_id, data.value)
    t = ideas.tallies(db, [idea_id]).get(idea_id, ideas.Tally())
    return schemas.TallyOut(agree=t.agree, disagree=t.disagree, passed=t.passed)


@router.post("/ideas/{idea_id}/comments", response_model=schemas.CreatedOut, status_code=201)
def comment(idea_id: int, data: schemas.CommentIn, user: ApiUserDep,
            db: DbDep) -> schemas.CreatedOut:
    c = ideas.comment(db, user, idea_id, data.body, data.parent_id)
    return schemas.CreatedOut(id=c.id)


@router.post("/idea-reports", response_model=schemas.CreatedOut, status_code=201)
def report(data: schemas.ReportIn, user: ApiUserDep,
           db: DbDep) -> schemas.CreatedOut:
    r = ideas.report(db, user, data.target, data.target_id, data.reason)
    return schemas.CreatedOut(id=r.id)


@router.post("/idea-moderation", response_model=schemas.CreatedOut, status_code=201)
def moderate(data: schemas.ModerationIn, user: ApiUserDep,
             db: DbDep) -> schemas.CreatedOut:
    m = ideas.moderate(db, user, data.target, data.target_id, data.action, data.reason)
    return schemas.CreatedOut(id=m.id)


@router.get("/ideas-votes.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def votes_csv(db: DbDep) -> Response:
    """Open data: every vote of the idea box, pseudonymised afresh at each export."""
    return Response(ideas.export_votes_csv(db), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="sentinelle-votes-idees.csv"'})
