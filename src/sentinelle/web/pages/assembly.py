"""Concertation pages: the deliberating assembly (volunteers, draws, sittings, motions, votes)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sentinelle.concertation import assembly, policy
from sentinelle.concertation.models import MOTION_STATUS_LABELS, PROFILE_LABELS, PROFILES
from sentinelle.web.deps import DbDep, FormDep, UserDep
from sentinelle.web.forms import integer, text
from sentinelle.web.templating import render

router = APIRouter(prefix="/concertation")


@router.post("/assemblees")
def new_assembly(request: Request, form: FormDep, user: UserDep,
                 db: DbDep) -> Response:
    slug = text(form, "slug").strip()
    quorum = integer(form, "quorum")
    assembly.create(db, user, slug, text(form, "name", 300), integer(form, "seats") or 0,
                    (quorum if quorum is not None else 50) / 100)
    request.session["flash"] = "Assemblée créée : recevez les candidatures, puis tirez au sort."
    return RedirectResponse(f"/concertation/assemblee/{slug}", status_code=303)

@router.get("/assemblee/{slug}")
def assembly_page(request: Request, slug: str, user: UserDep,
                  db: DbDep) -> Response:
    a, draws, sittings, seated = assembly.overview(db, slug)
    member = assembly.membership(db, user, slug)
    return render(request, "assembly.html", {
        "a": a, "draws": draws, "sittings": sittings, "seated": seated, "member": member,
        "mine": assembly.my_votes(db, member), "can_manage": policy.can_manage(user),
        "offer": assembly.my_offer(db, user, slug), "offers": assembly.volunteer_counts(db, slug),
        "now_year": date.today().year,
        "PROFILES": PROFILES, "PROFILE_LABELS": PROFILE_LABELS,
        "tally": assembly.published_tally, "MOTION_STATUS_LABELS": MOTION_STATUS_LABELS})


@router.post("/assemblee/{slug}/volontaires")
def assembly_volunteer(request: Request, slug: str, form: FormDep,
                       user: UserDep, db: DbDep) -> Response:
    if form.get("action") == "withdraw":
        assembly.withdraw(db, user, slug)
        request.session["flash"] = "Candidature retirée."
    else:
        assembly.volunteer(db, user, slug, text(form, "profile"), text(form, "region"))
        request.session["flash"] = "Candidature enregistrée : vous serez parmi les volontaires du prochain tirage."
    return _back(slug)


@router.post("/assemblee/{slug}/tirages")
def assembly_draw(request: Request, slug: str, form: FormDep,
                  user: UserDep, db: DbDep) -> Response:
    record = assembly.draw(db, user, slug, integer(form, "year") or 0, text(form, "seed"))
    request.session["flash"] = f"Tirage {record.year} : {record.drawn} membre(s) tiré(s), {record.leaving} sortant(s)."
    return _back(slug)


def _back(slug: str) -> RedirectResponse:
    return RedirectResponse(f"/concertation/assemblee/{slug}", status_code=303)


@router.post("/assemblee/{slug}/seances")
def assembly_sitting(request: Request, slug: str, form: FormDep,
                     user: UserDep, db: DbDep) -> Response:
    assembly.open_sitting(db, user, slug, text(form, "title", 300))
    request.session["flash"] = "Séance ouverte : les membres peuvent y proposer des motions."
    return _back(slug)


@router.post("/assemblee/{slug}/motions")
def assembly_motion(request: Request, slug: str, form: FormDep,
                    user: UserDep, db: DbDep) -> Response:
    amends = integer(form, "amends")
    assembly.propose(db, user, integer(form, "sitting_id") or 0, text(form, "title"), text(form, "text", 20_000), amends)
    request.session["flash"] = ("Amendement proposé : il est soumis au vote avec la motion qu'il modifie." if amends
                                else "Motion proposée : les membres peuvent voter jusqu'à la clôture.")
    return _back(slug)


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
