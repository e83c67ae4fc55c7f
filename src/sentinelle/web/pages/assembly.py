"""Concertation pages: the deliberating assembly (volunteers, draws, sittings, motions, votes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sentinelle.accounts.models import User
from sentinelle.concertation import assembly, policy
from sentinelle.concertation.models import MOTION_STATUS_LABELS, PROFILE_LABELS, PROFILES
from sentinelle.errors import DomainError
from sentinelle.web.deps import DbDep, FormDep, UserDep
from sentinelle.web.forms import integer, redisplay, text
from sentinelle.web.pages.questionnaires import concertation_home
from sentinelle.web.templating import render

router = APIRouter(prefix="/concertation")


@router.post("/assemblees")
def new_assembly(request: Request, form: FormDep, user: UserDep,
                 db: DbDep) -> Response:
    slug = text(form, "slug").strip()
    try:
        quorum = integer(form, "quorum")
        assembly.create(db, user, slug, text(form, "name", 300), integer(form, "seats") or 0,
                        (quorum if quorum is not None else 50) / 100)
    except DomainError as exc:
        redisplay(db, exc, (422, 409))
        return concertation_home(request, db, user, exc, dict(form), "assembly")
    request.session["flash"] = "Assemblée créée : recevez les candidatures, puis tirez au sort."
    return RedirectResponse(f"/concertation/assemblee/{slug}", status_code=303)

@router.get("/assemblee/{slug}")
def assembly_page(request: Request, slug: str, user: UserDep,
                  db: DbDep) -> Response:
    return _page(request, db, user, slug)


def _page(request: Request, db: Session, user: User | None, slug: str, refusal: DomainError | None = None,
          form: dict[str, Any] | None = None) -> Response:
    """The assembly's page; with a refusal, shown over its forms, what was typed kept."""
    a, draws, sittings, seated = assembly.overview(db, slug)
    member = assembly.membership(db, user, slug)
    extra: dict[str, Any] = {"form": form or {}, "refusal": refusal}
    return render(request, "assembly.html", extra | {
        "a": a, "draws": draws, "sittings": sittings, "seated": seated, "member": member,
        "mine": assembly.my_votes(db, member), "can_manage": policy.can_manage(user),
        "offer": assembly.my_offer(db, user, slug), "offers": assembly.volunteer_counts(db, slug),
        "now_year": date.today().year,
        "PROFILES": PROFILES, "PROFILE_LABELS": PROFILE_LABELS,
        "tally": assembly.published_tally, "MOTION_STATUS_LABELS": MOTION_STATUS_LABELS},
        refusal.status if refusal else 200)


def _act(request: Request, db: Session, user: User | None, slug: str, form: FormData, run: Callable[[], str]) -> Response:
    """Run one action of the assembly's page: its word on success, the page again with the refusal."""
    assembly.get(db, slug)  # no such assembly: its 404, before anything is written or rolled back
    try:
        request.session["flash"] = run()
    except DomainError as exc:
        redisplay(db, exc, (422, 409, 429))
        return _page(request, db, user, slug, exc, dict(form))
    return _back(slug)


@router.post("/assemblee/{slug}/volontaires")
def assembly_volunteer(request: Request, slug: str, form: FormDep,
                       user: UserDep, db: DbDep) -> Response:
    def run() -> str:
        if form.get("action") == "withdraw":
            assembly.withdraw(db, user, slug)
            return "Candidature retirée."
        assembly.volunteer(db, user, slug, text(form, "profile"), text(form, "region"))
        return "Candidature enregistrée : vous serez parmi les volontaires du prochain tirage."

    return _act(request, db, user, slug, form, run)


@router.post("/assemblee/{slug}/tirages")
def assembly_draw(request: Request, slug: str, form: FormDep,
                  user: UserDep, db: DbDep) -> Response:
    def run() -> str:
        record = assembly.draw(db, user, slug, integer(form, "year") or 0, text(form, "seed"))
        return f"Tirage {record.year} : {record.drawn} membre(s) tiré(s), {record.leaving} sortant(s)."

    return _act(request, db, user, slug, form, run)


def _back(slug: str) -> RedirectResponse:
    return RedirectResponse(f"/concertation/assemblee/{slug}", status_code=303)


@router.post("/assemblee/{slug}/seances")
def assembly_sitting(request: Request, slug: str, form: FormDep,
                     user: UserDep, db: DbDep) -> Response:
    def run() -> str:
        assembly.open_sitting(db, user, slug, text(form, "title", 300))
        return "Séance ouverte : les membres peuvent y proposer des motions."

    return _act(request, db, user, slug, form, run)


@router.post("/assemblee/{slug}/motions")
def assembly_motion(request: Request, slug: str, form: FormDep,
                    user: UserDep, db: DbDep) -> Response:
    def run() -> str:
        amends = integer(form, "amends")
        assembly.propose(db, user, integer(form, "sitting_id") or 0, text(form, "title"), text(form, "text", 20_000),
                         amends)
        return ("Amendement proposé : il est soumis au vote avec la motion qu'il modifie." if amends
                else "Motion proposée : les membres peuvent voter jusqu'à la clôture.")

    return _act(request, db, user, slug, form, run)


@router.post("/assemblee/{slug}/motions/{motion_id}/vote")
def assembly_vote(request: Request, slug: str, motion_id: int, form: FormDep,
                  user: UserDep, db: DbDep) -> Response:
    assembly.vote(db, user, motion_id, text(form, "choice"))
    request.session["flash"] = "Vote enregistré (vous pouvez le changer jusqu'à la clôture)."
    return _back(slug)


@router.post("/assemblee/{slug}/motions/{motion_id}/cloture")
def assembly_close(request: Request, slug: str, motion_id: int, form: FormDep,
                   user: UserDep, db: DbDep) -> Response:
    assembly.close(db, user, motion_id)
    request.session["flash"] = "Vote clos : le décompte est publié."
    return _back(slug)
