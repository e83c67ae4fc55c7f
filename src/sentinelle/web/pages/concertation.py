"""Concertation pages: the questionnaires (answering one, its results), the idea box, the assembly."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sentinelle.accounts.models import User
from sentinelle.concertation import assembly, ideas, policy, synthesis
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation.models import MOTION_STATUS_LABELS, PROFILE_LABELS, PROFILES
from sentinelle.concertation.schemas import KIND_LABELS as QUESTION_KIND_LABELS
from sentinelle.concertation.schemas import Question
from sentinelle.errors import DomainError, Invalid, require
from sentinelle.web import question_form
from sentinelle.web.deps import DbDep, FormDep, UserDep, check_csrf, limit_votes
from sentinelle.web.forms import form_int
from sentinelle.web.templating import render

router = APIRouter(prefix="/concertation")




@router.get("")
def home(request: Request, user: UserDep,
         db: DbDep) -> Response:
    return render(request, "concertation.html", {"questionnaires": qs.listing(db, user),
                                                 "assemblies": assembly.listing(db),
                                                 "syntheses": synthesis.listing(db)})


def _questions(version: Any) -> list[Question]:
    return [Question.model_validate(x) for x in version.questions]


def _form_page(request: Request, db: Session, user: User | None, slug: str, values: dict[str, Any] | None = None,
               error: DomainError | None = None) -> Any:
    q = qs.visible(db, user, slug)
    version = qs.current(db, q)
    context = {"q": q, "questions": _questions(version), "values": values or {},
               "answered": qs.has_answered(db, user, q), "PROFILE_LABELS": PROFILE_LABELS, "PROFILES": PROFILES,
               "can_manage": policy.can_manage(user), "version": version.number}
    if error is not None:
        context.update(error=error.message, field=error.field)
    return render(request, "questionnaire.html", context, 422 if error is not None else 200)


def _builder(request: Request, blocks: list[dict[str, str]], form: dict[str, Any], *, slug: str | None = None,
             error: DomainError | None = None) -> Any:
    """The builder page: for a new questionnaire (slug None) or the next version of `slug`."""
    context = {"blocks": blocks, "form": form, "slug": slug, "KINDS": QUESTION_KIND_LABELS}
    if error is not None:
        context.update(error=error.message, field=error.field)
    return render(request, "questionnaire_builder.html", context, error.status if error is not None else 200)




@router.post("/assemblees")
def new_assembly(request: Request, form: FormDep, user: UserDep,
                 db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    slug = str(form.get("slug", "")).strip()
    quorum = form_int(str(form.get("quorum", "") or ""), "quorum")
    assembly.create(db, user, slug, str(form.get("name", ""))[:300], form_int(str(form.get("seats", "")), "seats") or 0,
                    (quorum if quorum is not None else 50) / 100)
    request.session["flash"] = "Assemblée créée : recevez les candidatures, puis tirez au sort."
    return RedirectResponse(f"/concertation/assemblee/{slug}", status_code=303)


@router.post("/syntheses")
def new_synthesis(request: Request, form: FormDep, user: UserDep,
                  db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    slug = str(form.get("slug", "")).strip()
    synthesis.create(db, user, slug, str(form.get("title", ""))[:300])
    request.session["flash"] = "Synthèse créée : écrivez-la phrase par phrase, chacune avec ses sources."
    return RedirectResponse(f"/concertation/syntheses/{slug}", status_code=303)


@router.get("/questionnaires/nouveau")
def builder(request: Request, user: UserDep) -> Response:
    """The agency writes a questionnaire, one question after another."""
    require(user, policy.can_manage(user), "seule l'agence nationale rédige les questionnaires")
    return _builder(request, [question_form.blank_block()], {"anonymous": "on"})


@router.post("/questionnaires/nouveau")
def build(request: Request, form: FormDep, user: UserDep,
          db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    require(user, policy.can_manage(user), "seule l'agence nationale rédige les questionnaires")
    blocks = question_form.blocks_from_form(form)
    slug = str(form.get("slug", "")).strip()
    try:
        edited = question_form.apply_action(blocks, str(form.get("action", "save")))
        if edited is not None:
            return _builder(request, edited, dict(form))
        qs.create(db, user, slug, str(form.get("title", ""))[:300] or slug, question_form.wording_from_blocks(blocks),
                  description=str(form.get("description", ""))[:5000], anonymous=form.get("anonymous") == "on")
    except DomainError as exc:
        if exc.status not in (409, 422):
            raise
        db.rollback()
        return _builder(request, blocks, dict(form), error=exc)
    request.session["flash"] = "Questionnaire enregistré (brouillon) : ouvrez-le aux réponses quand il est prêt."
    return RedirectResponse(f"/concertation/questionnaires/{slug}", status_code=303)


@router.post("/questionnaires/{slug}/etat")
def set_status(request: Request, slug: str, form: FormDep,
               user: UserDep, db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    qs.set_status(db, user, slug, str(form.get("status", "")))
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
    check_csrf(request, str(form.get("csrf_token", "")))
    require(user, policy.can_manage(user), "seule l'agence nationale modifie les questionnaires")
    blocks = question_form.blocks_from_form(form)
    try:
        edited = question_form.apply_action(blocks, str(form.get("action", "save")))
        if edited is not None:
            return _builder(request, edited, dict(form), slug=slug)
        qs.revise(db, user, slug, question_form.wording_from_blocks(blocks))
    except DomainError as exc:
        if exc.status not in (409, 422):
            raise
        db.rollback()
        return _builder(request, blocks, dict(form), slug=slug, error=exc)
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
            raw = str(form.get(name, "")).strip()
            if raw:
                try:
                    answers[q.key] = int(raw)
                except ValueError:
                    raise Invalid(f"{q.key} : un entier de {q.scale_min} à {q.scale_max}", q.key) from None
        elif q.kind == "ranking":
            ranks = {}
            for option in q.options:
                raw = str(form.get(f"r_{q.key}_{option.key}", "")).strip()
                if raw:
                    if not raw.isdigit() or not 1 <= int(raw) <= len(q.options):
                        raise Invalid(f"{q.key} : rang de 1 à {len(q.options)}", q.key)
                    ranks[option.key] = int(raw)
            if len(set(ranks.values())) != len(ranks):
                raise Invalid(f"{q.key} : deux options au même rang", q.key)
            answers[q.key] = sorted(ranks, key=ranks.__getitem__)
        else:
            answers[q.key] = str(form.get(name, ""))
    return answers


@router.post("/questionnaires/{slug}")
def submit(request: Request, slug: str, form: FormDep, user: UserDep,
           db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    q = qs.visible(db, user, slug)
    values = {k: form.getlist(k) if len(form.getlist(k)) > 1 else form.get(k) for k in form}
    try:
        answers = _answers(_questions(qs.current(db, q)), form)
        qs.answer(db, user, slug, answers, profile=str(form.get("profile", "")), region=str(form.get("region", "")))
    except DomainError as exc:
        if exc.status != 422:
            raise
        db.rollback()
        return _form_page(request, db, user, slug, values, exc)
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


# --- Idea box ------------------------------------------------------------------------------------

def _form_int(value: object, field: str) -> int | None:
    """forms.form_int, with no more digits than a database id has."""
    raw = str(value or "").strip()
    if len(raw) > 11:
        raise Invalid(f"nombre entier attendu pour « {field} »", field)
    return form_int(raw, field)


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
    check_csrf(request, str(form.get("csrf_token", "")))
    try:
        idea = ideas.post(db, user, str(form.get("theme", "")), str(form.get("title", "")), str(form.get("body", "")))
    except DomainError as exc:
        if exc.status not in (422, 429):
            raise
        db.rollback()
        rows = ideas.listing(db)
        return render(request, "ideas.html", {
            "THEME_LABELS": ideas.THEME_LABELS, "ideas": rows, "theme": None, "tallies": ideas.tallies(db, [i.id for i in rows]),
            "mine": ideas.my_votes(db, user, [i.id for i in rows]), "reasons": {}, "form": dict(form),
            "error": exc.message, "field": exc.field}, exc.status)
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
    check_csrf(request, str(form.get("csrf_token", "")))
    limit_votes(request, user)
    ideas.vote(db, user, idea_id, _form_int(form.get("value"), "value"))  # type: ignore[arg-type]
    back = str(form.get("back", ""))
    return RedirectResponse(back if back.startswith("/concertation/") else f"/concertation/idees/{idea_id}",
                            status_code=303)


@router.post("/idees/{idea_id}/commentaires")
def idea_comment(request: Request, idea_id: int, form: FormDep,
                 user: UserDep, db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    ideas.comment(db, user, idea_id, str(form.get("body", "")), _form_int(form.get("parent_id"), "parent_id"))
    request.session["flash"] = "Commentaire publié."
    return RedirectResponse(f"/concertation/idees/{idea_id}#commentaires", status_code=303)


@router.post("/idees/{idea_id}/signalement")
def idea_report(request: Request, idea_id: int, form: FormDep,
                user: UserDep, db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    target = str(form.get("target", "idea"))
    ideas.report(db, user, target, _form_int(form.get("target_id"), "target_id") or idea_id,
                 str(form.get("reason", "")))
    request.session["flash"] = "Signalement transmis à la modération."
    return RedirectResponse(f"/concertation/idees/{idea_id}", status_code=303)


@router.post("/idees/{idea_id}/moderation")
def idea_moderate(request: Request, idea_id: int, form: FormDep,
                  user: UserDep, db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    ideas.moderate(db, user, str(form.get("target", "idea")), _form_int(form.get("target_id"), "target_id") or idea_id,
                   str(form.get("action", "")), str(form.get("reason", "")))
    request.session["flash"] = "Action de modération enregistrée (visible de tous)."
    return RedirectResponse(f"/concertation/idees/{idea_id}", status_code=303)


# --- Assembly ------------------------------------------------------------------------------------



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
    check_csrf(request, str(form.get("csrf_token", "")))
    if form.get("action") == "withdraw":
        assembly.withdraw(db, user, slug)
        request.session["flash"] = "Candidature retirée."
    else:
        assembly.volunteer(db, user, slug, str(form.get("profile", "")), str(form.get("region", "")))
        request.session["flash"] = "Candidature enregistrée : vous serez parmi les volontaires du prochain tirage."
    return _back(slug)


@router.post("/assemblee/{slug}/tirages")
def assembly_draw(request: Request, slug: str, form: FormDep,
                  user: UserDep, db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    record = assembly.draw(db, user, slug, _form_int(form.get("year"), "year") or 0, str(form.get("seed", "")))
    request.session["flash"] = f"Tirage {record.year} : {record.drawn} membre(s) tiré(s), {record.leaving} sortant(s)."
    return _back(slug)


def _back(slug: str) -> RedirectResponse:
    return RedirectResponse(f"/concertation/assemblee/{slug}", status_code=303)


@router.post("/assemblee/{slug}/seances")
def assembly_sitting(request: Request, slug: str, form: FormDep,
                     user: UserDep, db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    assembly.open_sitting(db, user, slug, str(form.get("title", ""))[:300])
    return _back(slug)


@router.post("/assemblee/{slug}/motions")
def assembly_motion(request: Request, slug: str, form: FormDep,
                    user: UserDep, db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    assembly.propose(db, user, _form_int(form.get("sitting_id"), "sitting_id") or 0, str(form.get("title", "")),
                     str(form.get("text", ""))[:20_000], _form_int(form.get("amends"), "amends"))
    return _back(slug)


@router.post("/assemblee/{slug}/motions/{motion_id}/vote")
def assembly_vote(request: Request, slug: str, motion_id: int, form: FormDep,
                  user: UserDep, db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    assembly.vote(db, user, motion_id, str(form.get("choice", "")))
    request.session["flash"] = "Vote enregistré (vous pouvez le changer jusqu'à la clôture)."
    return _back(slug)


@router.post("/assemblee/{slug}/motions/{motion_id}/cloture")
def assembly_close(request: Request, slug: str, motion_id: int, form: FormDep,
                   user: UserDep, db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    assembly.close(db, user, motion_id)
    request.session["flash"] = "Vote clos : le décompte est publié."
    return _back(slug)


# --- Synthesis -----------------------------------------------------------------------------------

@router.get("/syntheses/{slug}")
def synthesis_page(request: Request, slug: str, user: UserDep,
                   db: DbDep) -> Response:
    return render(request, "synthesis.html", {
        "s": synthesis.get(db, slug), "sentences": synthesis.sentences(db, slug),
        "can_write": policy.can_manage(user), "can_check": policy.can_export(user)})


@router.post("/syntheses/{slug}/phrases")
def synthesis_sentence(request: Request, slug: str, form: FormDep,
                       user: UserDep, db: DbDep) -> Response:
    check_csrf(request, str(form.get("csrf_token", "")))
    synthesis.add_sentence(db, user, slug, str(form.get("text", "")),
                           synthesis.parse_citations(str(form.get("citations", ""))[:2000]))
    return RedirectResponse(f"/concertation/syntheses/{slug}", status_code=303)


@router.get("/syntheses/{slug}/couverture")
def synthesis_coverage(request: Request, slug: str, user: UserDep,
                       db: DbDep) -> Response:
    cov = synthesis.coverage(db, user, slug)
    return render(request, "synthesis_coverage.html", {"s": synthesis.get(db, slug), "themes": cov.themes,
                                                       "groups": cov.groups, "answers": cov.answers,
                                                       "THEME_LABELS": ideas.THEME_LABELS,
                                                       "PROFILE_LABELS": PROFILE_LABELS})
