"""Concertation pages: the synthesis, sentence by sentence with its sources, and its coverage."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.concertation import ideas, policy, synthesis
from sentinelle.concertation.models import PROFILE_LABELS
from sentinelle.errors import DomainError
from sentinelle.web.deps import DbDep, FormDep, UserDep
from sentinelle.web.forms import redisplay, text
from sentinelle.web.pages.questionnaires import concertation_home
from sentinelle.web.templating import render

router = APIRouter(prefix="/concertation")


@router.post("/syntheses")
def new_synthesis(request: Request, form: FormDep, user: UserDep,
                  db: DbDep) -> Response:
    slug = text(form, "slug").strip()
    try:
        synthesis.create(db, user, slug, text(form, "title", 300))
    except DomainError as exc:
        redisplay(db, exc, (422, 409))
        return concertation_home(request, db, user, exc, dict(form), "synthesis")
    request.session["flash"] = "Synthèse créée : écrivez-la phrase par phrase, chacune avec ses sources."
    return RedirectResponse(f"/concertation/syntheses/{slug}", status_code=303)

@router.get("/syntheses/{slug}")
def synthesis_page(request: Request, slug: str, user: UserDep,
                   db: DbDep) -> Response:
    return _page(request, db, user, slug)


def _page(request: Request, db: Session, user: User | None, slug: str, refusal: DomainError | None = None,
          form: dict[str, Any] | None = None) -> Response:
    """The synthesis; with a refusal, shown over its form, what was typed kept."""
    context: dict[str, Any] = {"s": synthesis.get(db, slug), "sentences": synthesis.sentences(db, slug),
                               "can_write": policy.can_manage(user), "can_check": policy.can_export(user),
                               "form": form or {}, "refusal": refusal}
    return render(request, "synthesis.html", context, refusal.status if refusal else 200)


@router.post("/syntheses/{slug}/phrases")
def synthesis_sentence(request: Request, slug: str, form: FormDep,
                       user: UserDep, db: DbDep) -> Response:
    synthesis.get(db, slug)  # no such synthesis: its 404, before anything is written or rolled back
    try:
        synthesis.add_sentence(db, user, slug, text(form, "text"),
                               synthesis.parse_citations(text(form, "citations", 2000)))
    except DomainError as exc:
        redisplay(db, exc, (422, 409))
        return _page(request, db, user, slug, exc, dict(form))
    request.session["flash"] = "Phrase ajoutée à la synthèse, avec ses sources : chacun peut les suivre."
    return RedirectResponse(f"/concertation/syntheses/{slug}", status_code=303)


@router.get("/syntheses/{slug}/couverture")
def synthesis_coverage(request: Request, slug: str, user: UserDep,
                       db: DbDep) -> Response:
    cov = synthesis.coverage(db, user, slug)
    return render(request, "synthesis_coverage.html", {"s": synthesis.get(db, slug), "themes": cov.themes,
                                                       "groups": cov.groups, "answers": cov.answers,
                                                       "THEME_LABELS": ideas.THEME_LABELS,
                                                       "PROFILE_LABELS": PROFILE_LABELS})
