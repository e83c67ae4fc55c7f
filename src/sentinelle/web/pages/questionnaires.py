"""Concertation pages: its home, the questionnaires (writing one, answering it, its results)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sentinelle.accounts.models import User
from sentinelle.concertation import assembly, policy, synthesis
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation.models import PROFILE_LABELS, PROFILES
from sentinelle.concertation.schemas import KIND_LABELS as QUESTION_KIND_LABELS
from sentinelle.concertation.schemas import Question
from sentinelle.errors import DomainError, Invalid, require
from sentinelle.web import question_form
from sentinelle.web.deps import DbDep, FormDep, UserDep
from sentinelle.web.forms import redisplay, text
from sentinelle.web.templating import render

router = APIRouter(prefix="/concertation")


@router.get("")
def home(request: Request, user: UserDep,
         db: DbDep) -> Response:
    return concertation_home(request, db, user)


def concertation_home(request: Request, db: Session, user: User | None, refusal: DomainError | None = None,
                      form: dict[str, Any] | None = None, which: str = "") -> Response:
    """The consultation's home; with a refusal of its creation forms (`which`: "assembly" or
    "synthesis"), shown over them, what was typed kept in the form that was sent."""
    context: dict[str, Any] = {"questionnaires": qs.listing(db, user), "assemblies": assembly.listing(db),
                               "syntheses": synthesis.listing(db), "typed": {which: form or {}}, "refusal": refusal}
    return render(request, "concertation.html", context, refusal.status if refusal else 200)

def _questions(version: Any) -> list[Question]:
    return [Question.model_validate(x) for x in version.questions]


def _form_page(request: Request, db: Session, user: User | None, slug: str, values: dict[str, Any] | None = None,
               error: DomainError | None = None) -> Any:
    q = qs.visible(db, user, slug)
    version = qs.current(db, q)
    context = {"q": q, "questions": _questions(version), "values": values or {},
               "answered": qs.has_answered(db, user, q), "PROFILE_LABELS": PROFILE_LABELS, "PROFILES": PROFILES,
               "can_manage": policy.can_manage(user), "version": version.number, "refusal": error}
    return render(request, "questionnaire.html", context, 422 if error is not None else 200)


def _builder(request: Request, blocks: list[dict[str, str]], form: dict[str, Any], *, slug: str | None = None,
             error: DomainError | None = None) -> Any:
    """The builder page: for a new questionnaire (slug None) or the next version of `slug`."""
    context = {"blocks": blocks, "form": form, "slug": slug, "KINDS": QUESTION_KIND_LABELS, "refusal": error}
    return render(request, "questionnaire_builder.html", context, error.status if error is not None else 200)

@router.get("/questionnaires/nouveau")
def builder(request: Request, user: UserDep) -> Response:
    """The agency writes a questionnaire, one question after another."""
    require(user, policy.can_manage(user), "seule l'agence nationale rédige les questionnaires")
    return _builder(request, [question_form.blank_block()], {"anonymous": "on"})


@router.post("/questionnaires/nouveau")
def build(request: Request, form: FormDep, user: UserDep,
          db: DbDep) -> Response:
    require(user, policy.can_manage(user), "seule l'agence nationale rédige les questionnaires")
    blocks = question_form.blocks_from_form(form)
    slug = text(form, "slug").strip()
    try:
        edited = question_form.apply_action(blocks, text(form, "action") or "save")
        if edited is not None:
            return _builder(request, edited, dict(form))
        qs.create(db, user, slug, text(form, "title", 300) or slug, question_form.wording_from_blocks(blocks),
                  description=text(form, "description", 5000), anonymous=form.get("anonymous") == "on")
    except DomainError as exc:
        return _builder(request, blocks, dict(form), error=redisplay(db, exc))
    request.session["flash"] = "Questionnaire enregistré (brouillon) : ouvrez-le aux réponses quand il est prêt."
    return RedirectResponse(f"/concertation/questionnaires/{slug}", status_code=303)


@router.post("/questionnaires/{slug}/etat")
def set_status(request: Request, slug: str, form: FormDep,
               user: UserDep, db: DbDep) -> Response:
    status = text(form, "status")
    qs.set_status(db, user, slug, status)
    request.session["flash"] = {"open": "Questionnaire ouvert : chacun peut y répondre.",
                                "closed": "Questionnaire clos : les résultats restent publiés."}.get(
                                    status, "État du questionnaire enregistré.")
    return RedirectResponse(f"/concertation/questionnaires/{slug}", status_code=303)


@router.get("/questionnaires/{slug}/version")
def revision(request: Request, slug: str, user: UserDep,
             db: DbDep) -> Response:
    """The current version's questions in the builder, to write the next version."""
    require(user, policy.can_manage(user), "seule l'agence nationale modifie les questionnaires")
    q = qs.get(db, slug)
    return _builder(request, question_form.blocks_from_wording(qs.current(db, q).questions), {}, slug=slug)


@router.post("/questionnaires/{slug}/version")
def new_version(request: Request, slug: str, form: FormDep,
                user: UserDep, db: DbDep) -> Response:
    require(user, policy.can_manage(user), "seule l'agence nationale modifie les questionnaires")
    blocks = question_form.blocks_from_form(form)
    try:
        edited = question_form.apply_action(blocks, text(form, "action") or "save")
        if edited is not None:
            return _builder(request, edited, dict(form), slug=slug)
        qs.revise(db, user, slug, question_form.wording_from_blocks(blocks))
    except DomainError as exc:
        return _builder(request, blocks, dict(form), slug=slug, error=redisplay(db, exc))
    request.session["flash"] = "Nouvelle version enregistrée : les réponses déjà reçues gardent la leur."
    return RedirectResponse(f"/concertation/questionnaires/{slug}", status_code=303)


@router.get("/questionnaires/{slug}")
def questionnaire(request: Request, slug: str, user: UserDep,
                  db: DbDep) -> Response:
    return _form_page(request, db, user, slug)


def _answers(questions: list[Question], form: FormData) -> dict[str, Any]:
    """The form's fields as the service's answers: q_<key> for choices, scales and text (repeated for
    multiple choices); r_<key>_<option> = rank for a ranking."""
    answers: dict[str, Any] = {}
    for q in questions:
        name = f"q_{q.key}"
        if q.kind == "multiple":
            answers[q.key] = form.getlist(name)
        elif q.kind == "scale":
            raw = text(form, name).strip()
            if raw:
                try:
                    answers[q.key] = int(raw)
                except ValueError:
                    raise Invalid(f"{q.key} : un entier de {q.scale_min} à {q.scale_max}", q.key) from None
        elif q.kind == "ranking":
            ranks = {}
            for option in q.options:
                raw = text(form, f"r_{q.key}_{option.key}").strip()
                if raw:
                    if not raw.isdigit() or not 1 <= int(raw) <= len(q.options):
                        raise Invalid(f"{q.key} : rang de 1 à {len(q.options)}", q.key)
                    ranks[option.key] = int(raw)
            if len(set(ranks.values())) != len(ranks):
                raise Invalid(f"{q.key} : deux options au même rang", q.key)
            answers[q.key] = sorted(ranks, key=ranks.__getitem__)
        else:
            answers[q.key] = text(form, name)
    return answers


@router.post("/questionnaires/{slug}")
def submit(request: Request, slug: str, form: FormDep, user: UserDep,
           db: DbDep) -> Response:
    q = qs.visible(db, user, slug)
    values = {k: form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k) for k in form}
    try:
        answers = _answers(_questions(qs.current(db, q)), form)
        qs.answer(db, user, slug, answers, profile=text(form, "profile"), region=text(form, "region"))
    except DomainError as exc:
        return _form_page(request, db, user, slug, values, redisplay(db, exc, (422,)))
    request.session["flash"] = "Merci : votre réponse est enregistrée."
    return RedirectResponse(f"/concertation/questionnaires/{slug}/resultats", status_code=303)


@router.get("/questionnaires/{slug}/resultats")
def results(request: Request, slug: str, *, par: str = "", user: UserDep,
            db: DbDep) -> Response:
    q = qs.visible(db, user, slug)
    by = par if par in ("profile", "region") else None
    return render(request, "questionnaire_results.html", {
        "q": q, "r": qs.results(db, slug, by=by), "by": by, "can_export": policy.can_export(user),
        "PROFILE_LABELS": PROFILE_LABELS})


@router.get("/questionnaires/{slug}/reponses.csv")
def export(slug: str, user: UserDep, db: DbDep) -> Response:
    text = qs.export_csv(db, user, slug)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{slug}-reponses.csv"'})
