"""Concertation pages: the idea box (ideas, votes, comments, reports, moderation, the opinion map)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sentinelle.concertation import ideas, policy
from sentinelle.errors import DomainError
from sentinelle.web.deps import DbDep, FormDep, UserDep, limit_votes
from sentinelle.web.forms import integer, redisplay, text
from sentinelle.web.templating import render

router = APIRouter(prefix="/concertation")




@router.get("/idees")
def idea_list(request: Request, *, theme: str = "", user: UserDep,
              db: DbDep) -> Response:
    chosen = theme if theme in ideas.THEME_LABELS else None
    rows = ideas.listing(db, chosen)
    ids = [i.id for i in rows]
    return render(request, "ideas.html", {
        "THEME_LABELS": ideas.THEME_LABELS, "ideas": rows, "theme": chosen, "tallies": ideas.tallies(db, ids),
        "mine": ideas.my_votes(db, user, ids),
        "reasons": {i.id: ideas.last_reason(db, "idea", i.id) for i in rows if i.hidden}, "form": {}})


@router.get("/idees/groupes")
def idea_groups(request: Request, db: DbDep) -> Response:
    """The opinion map of the idea box: the voters' groups, what sets each apart, what brings them
    together (public: no voter is named)."""
    found = ideas.opinion_map(db)
    named = [r.statement for reps in found.representative.values() for r in reps] + [i for i, _ in found.consensus] \
        if found else []
    titles = ideas.titles(db, named)
    return render(request, "idea_groups.html", {"map": found, "titles": titles})


@router.post("/idees")
def idea_post(request: Request, form: FormDep, user: UserDep,
              db: DbDep) -> Response:
    try:
        idea = ideas.post(db, user, text(form, "theme"), text(form, "title"), text(form, "body"))
    except DomainError as exc:
        redisplay(db, exc, (422, 429))
        rows = ideas.listing(db)
        return render(request, "ideas.html", {
            "THEME_LABELS": ideas.THEME_LABELS, "ideas": rows, "theme": None, "tallies": ideas.tallies(db, [i.id for i in rows]),
            "mine": ideas.my_votes(db, user, [i.id for i in rows]), "reasons": {}, "form": dict(form),
            "refusal": exc}, exc.status)
    request.session["flash"] = "Idée publiée."
    return RedirectResponse(f"/concertation/idees/{idea.id}", status_code=303)


@router.get("/idees/{idea_id}")
def idea_page(request: Request, idea_id: int, user: UserDep,
              db: DbDep) -> Response:
    idea = ideas.get(db, idea_id)
    return render(request, "idea.html", {
        "idea": idea, "tally": ideas.tallies(db, [idea.id]).get(idea.id, ideas.Tally()),
        "mine": ideas.my_votes(db, user, [idea.id]).get(idea.id), "threads": ideas.threads(db, idea),
        "log": ideas.moderation_log(db, idea), "reason": ideas.last_reason(db, "idea", idea.id) if idea.hidden else None,
        "can_moderate": policy.can_moderate(user), "THEME_LABELS": ideas.THEME_LABELS, "VOTE_LABELS": ideas.VOTE_LABELS})


@router.post("/idees/{idea_id}/vote")
def idea_vote(request: Request, idea_id: int, form: FormDep,
              user: UserDep, db: DbDep) -> Response:
    limit_votes(request, user)
    ideas.vote(db, user, idea_id, integer(form, "value"))  # type: ignore[arg-type]
    back = text(form, "back")
    return RedirectResponse(back if back.startswith("/concertation/") else f"/concertation/idees/{idea_id}",
                            status_code=303)


@router.post("/idees/{idea_id}/commentaires")
def idea_comment(request: Request, idea_id: int, form: FormDep,
                 user: UserDep, db: DbDep) -> Response:
    ideas.comment(db, user, idea_id, text(form, "body"), integer(form, "parent_id"))
    request.session["flash"] = "Commentaire publié."
    return RedirectResponse(f"/concertation/idees/{idea_id}#commentaires", status_code=303)


@router.post("/idees/{idea_id}/signalement")
def idea_report(request: Request, idea_id: int, form: FormDep,
                user: UserDep, db: DbDep) -> Response:
    target = text(form, "target") or "idea"
    ideas.report(db, user, target, integer(form, "target_id") or idea_id,
                 text(form, "reason"))
    request.session["flash"] = "Signalement transmis à la modération."
    return RedirectResponse(f"/concertation/idees/{idea_id}", status_code=303)


@router.post("/idees/{idea_id}/moderation")
def idea_moderate(request: Request, idea_id: int, form: FormDep,
                  user: UserDep, db: DbDep) -> Response:
    ideas.moderate(db, user, text(form, "target") or "idea", integer(form, "target_id") or idea_id,
                   text(form, "action"), text(form, "reason"))
    request.session["flash"] = "Action de modération enregistrée (visible de tous)."
    return RedirectResponse(f"/concertation/idees/{idea_id}", status_code=303)
