"""Pages for signals: the filtered list, a signal with its timeline and actions, the forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sentinelle.accounts.models import User
from sentinelle.alternatives import policy as alt_policy
from sentinelle.alternatives import schemas as alternative_schemas
from sentinelle.alternatives import service as alternatives
from sentinelle.catalogue import service as catalogue
from sentinelle.catalogue.models import Product
from sentinelle.errors import DomainError, Forbidden, Invalid, require
from sentinelle.risk import impacts
from sentinelle.risk import policy as risk_policy
from sentinelle.risk.schemas import ImpactIn
from sentinelle.signals import policy, schemas, service
from sentinelle.signals.models import CAUSES, KINDS, MEASURE_KINDS, SOURCES, STATUSES
from sentinelle.signals.states import ACTION_DONE, CAUSE_LABELS, MEASURE_LABELS, TERMINAL, allowed_actions
from sentinelle.store.base import id_in_range
from sentinelle.web.deps import DbDep, FormDep, LoggedInDep, UserDep
from sentinelle.web.forms import day, flag, integer, optional, redisplay, text, validated
from sentinelle.web.templating import render

router = APIRouter()



@router.get("/signaux")
def signal_list(request: Request, *, status: str = "", kind: str = "", region: str = "", q: str = "", page: int = 1,
                source: str = "", mine: bool = False, user: UserDep, db: DbDep) -> Response:
    filters = service.Filters(status=status if status in STATUSES else None, kind=kind if kind in KINDS else None,
                              region=region[:4] or None, q=q[:200] or None, source=source if source in SOURCES else None,
                              declared_by=user.organisation_id if mine and user and user.organisation_id else None)
    page = max(1, min(page, 100000))
    rows, total = service.list_visible(db, user, filters, page=page, per_page=50)
    return render(request, "signals.html", {"rows": rows, "total": total, "page": page, "filters": filters,
                                            "pages": max(1, (total + 49) // 50)})


def _detail(request: Request, db: Session, user: User | None, signal_id: int, *,
            refusal: DomainError | None = None, status_code: int = 200, impact_form: dict[str, Any] | None = None) -> Response:
    signal = service.get(db, user, signal_id)
    actions = [a for a in allowed_actions(signal.status, has_region=signal.region_code is not None, kind=signal.kind)
               if policy.can_transition(user, signal, a)]
    merge_candidates = []
    if "merge" in actions:
        merge_candidates = [s for s in service.list_visible(db, user, service.Filters(product_id=signal.product_id),
                                                            per_page=50)[0]
                            if s.id != signal.id and s.status not in TERMINAL]
    alts = alternatives.of_signal(db, signal)
    alt_ids = [a.id for a in alts]
    internal = policy.reads_internal(db, user, signal)
    events = service.timeline(db, user, signal)
    return render(request, "signal.html", {
        "s": signal, "events": events, "labels": service.actor_labels(db, user, signal, events), "actions": actions,
        "merge_candidates": merge_candidates, "alternatives": alts,
        "summaries": alternatives.summaries(db, alt_ids), "mine": alternatives.mine(db, user, alt_ids),
        "can_rate": alt_policy.can_rate(user), "series": service.series(db, signal),
        "lessons": alternatives.lessons(db, signal), "emdn_term": catalogue.emdn_term(db, signal.product.emdn_code),
        "can_comment": internal, "can_update": policy.can_update(user, signal),
        "can_admit": internal and policy.can_admit(user, signal),
        "agency": policy.reads_agency_side(user, signal), "author": policy.is_author(user, signal),
        "my_declaration": next((d for d in signal.declarers
                                if user is not None and d.organisation_id == user.organisation_id), None),
        "shared_measures": service.shared_measures(signal, besides=user.organisation_id if user else None)
        if policy.reads_shared_measures(user) else [],
        "can_publish": policy.can_manage_publication(user, signal) and signal.status not in TERMINAL,
        "can_lesson": alt_policy.can_record_lesson(user, signal), "internal": internal,
        "can_impact": risk_policy.can_record_impact(user), "my_impact": impacts.mine(db, user, signal),
        "impacts": impacts.of_signal(db, user, signal) if risk_policy.reads_impact_statistics(user) else [],
        "impact_form": impact_form,
        "refusal": refusal, "MEASURE_LABELS": MEASURE_LABELS, "CAUSE_LABELS": CAUSE_LABELS,
        "MEASURE_KINDS": MEASURE_KINDS,
    }, status_code=status_code)


@router.get("/signaux/{signal_id}")
def signal_detail(request: Request, signal_id: int, user: UserDep,
                  db: DbDep) -> Response:
    if policy.public_view_only(user):
        return RedirectResponse(f"/public/signaux/{signal_id}", status_code=303)
    return _detail(request, db, user, signal_id)


def _act(request: Request, db: Session, user: User | None, signal_id: int, fn: Any, done: str) -> Response:
    """Run one action; on refusal, show the signal again with the reason and a 4xx status; done, say
    so (`done`: what was done and what happens next) on the signal's page."""
    try:
        fn()
    except DomainError as exc:
        redisplay(db, exc, None)
        return _detail(request, db, user, signal_id, refusal=exc, status_code=exc.status)
    request.session["flash"] = done
    return RedirectResponse(f"/signaux/{signal_id}", status_code=303)


@router.post("/signaux/{signal_id}/action")
def signal_action(request: Request, signal_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    def run() -> None:
        data = validated(schemas.TransitionIn, action=text(form, "action", 20), version=integer(form, "version"),
                         reason=text(form, "reason", 5000), merge_into=integer(form, "merge_into"),
                         public_message=optional(form, "public_message", 10000))
        service.transition(db, user, signal_id, data)

    return _act(request, db, user, signal_id, run, ACTION_DONE.get(str(form.get("action", "")), "Action faite."))


@router.post("/signaux/{signal_id}/commentaire")
def signal_comment(request: Request, signal_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    return _act(request, db, user, signal_id, lambda: service.comment(db, user, signal_id, text(form, "message", 5000)),
                "Commentaire ajouté : il se lit dans l'historique interne du signal.")


@router.post("/signaux/{signal_id}/mesure")
def signal_measure(request: Request, signal_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    def run() -> None:
        data = validated(schemas.MeasureIn, kind=text(form, "kind", 20), description=text(form, "description", 5000),
                         version=integer(form, "version"))
        service.add_measure(db, user, signal_id, data)

    return _act(request, db, user, signal_id, run, "Mesure de gestion publiée avec le signal.")


@router.post("/signaux/{signal_id}/alternative")
def signal_alternative(request: Request, signal_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    def run() -> None:
        data = validated(alternative_schemas.AlternativeIn, description=text(form, "description", 5000),
                         conditions=text(form, "conditions", 5000), product_id=integer(form, "product_id"))
        alternatives.add(db, user, signal_id, data)

    return _act(request, db, user, signal_id, run,
                "Alternative publiée : les établissements qui l'essaient peuvent la noter.")


@router.post("/signaux/{signal_id}/impact")
def signal_impact(request: Request, signal_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    """The hospital's record of what the shortage did to its care (replaced when sent again)."""
    typed: dict[str, str] = {name: "true" if flag(form, name) else "" for name in impacts.FLAGS}
    try:
        typed |= {name: text(form, name, 10_000) for name in ("delayed_patients", "deprogrammed", "adverse_events",
                                                              "vigilance_refs", "description")}
        data = validated(ImpactIn, **{name: flag(form, name) for name in impacts.FLAGS},
                         **{name: integer(form, name) or 0 for name in impacts.COUNTS},
                         vigilance_refs=typed["vigilance_refs"].splitlines(), description=typed["description"])
        impacts.record(db, user, signal_id, data)
    except DomainError as exc:
        redisplay(db, exc, None)
        return _detail(request, db, user, signal_id, refusal=exc, status_code=exc.status, impact_form=typed)
    request.session["flash"] = ("L'impact sur vos soins est enregistré : votre agence régionale et l'agence nationale "
                                "le lisent, et il compte dans les statistiques (sans le nom de votre établissement "
                                "dans l'export d'étude).")
    return RedirectResponse(f"/signaux/{signal_id}", status_code=303)  # the word of confirmation at the top


@router.post("/signaux/{signal_id}/retex")
def signal_lesson(request: Request, signal_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    def run() -> None:
        data = validated(alternative_schemas.LessonIn, what_worked=text(form, "what_worked", 5000),
                         what_failed=text(form, "what_failed", 5000),
                         recommendation=text(form, "recommendation", 5000))
        alternatives.record_lesson(db, user, signal_id, data)

    return _act(request, db, user, signal_id, run, "Retour d'expérience enregistré : merci.")


@router.post("/signaux/{signal_id}/maj")
def signal_update(request: Request, signal_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    def run() -> None:
        service.update(db, user, signal_id, integer(form, "version") or 0, expected_end_at=day(form, "expected_end_at"),
                       stock_coverage_days=integer(form, "stock_coverage_days"),
                       measures_taken=optional(form, "measures_taken", 5000))

    return _act(request, db, user, signal_id, run, "Informations du signal mises à jour.")


@router.get("/produits/recherche")
def product_search(request: Request, *, q: str = "", pour: str = "", db: DbDep) -> Response:
    """An htmx fragment: products matching `q`, as radio buttons for the declaration form (or, `pour`
    "alternative", for an alternative's replacement product)."""
    rows, total = catalogue.search_products(db, q[:200], limit=15) if len(q.strip()) >= 2 else ([], 0)
    return render(request, "_product_choices.html", {"products": rows, "total": total, "q": q,
                                                     "pour": "alternative" if pour == "alternative" else ""})


def _declare_context(db: Session, q: str, product_id: int | None) -> dict[str, Any]:
    products, total = catalogue.search_products(db, q, limit=15) if len(q.strip()) >= 2 else ([], 0)
    chosen = catalogue.product(db, product_id) if product_id else None
    if chosen and chosen not in products:
        products = [chosen, *products]
    return {"products": products, "total": total, "q": q, "chosen": product_id, "CAUSES": CAUSES,
            "CAUSE_LABELS": CAUSE_LABELS, "KINDS": KINDS, "today": date.today().isoformat(),
            "form": {"cause": "unknown"}}


@router.get("/declarer")
def declare_form(request: Request, *, q: str = "", product_id: int | None = None, user: LoggedInDep,
                 db: DbDep) -> Response:
    require(user, policy.can_declare(user), policy.DECLARE_REFUSAL, anonymous=policy.DECLARE_ANONYMOUS)
    context = _declare_context(db, q[:200], product_id)
    context["mine"] = service.my_declarations(db, user, limit=20)
    return render(request, "declare.html", context)


@router.post("/declarer")
def declare(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    try:
        pid = integer(form, "product_id")
        if pid is None:
            raise Invalid("choisissez le produit concerné", "product_id")
        data = validated(schemas.DeclareIn, product_id=pid, kind=text(form, "kind", 20),
                         cause=text(form, "cause", 20) or "unknown", cause_detail=text(form, "cause_detail", 5000),
                         started_at=day(form, "started_at") or date.today(),
                         expected_end_at=day(form, "expected_end_at"),
                         stock_coverage_days=integer(form, "stock_coverage_days"),
                         measures_taken=text(form, "measures_taken", 5000),
                         share_measures=flag(form, "share_measures"))
        result = service.declare(db, user, data)
    except DomainError as exc:
        redisplay(db, exc, None)
        ctx = _declare_context(db, "", _safe_int(str(form.get("product_id", ""))))
        ctx.update(refusal=exc, form=_typed(form) | {"share_measures": flag(form, "share_measures")})
        return render(request, "declare.html", ctx, exc.status)
    if result.waiting:
        # The signal is one this hospital may not read: it learns only that the product is followed.
        request.session["flash"] = WAITING_MESSAGE
        return RedirectResponse("/declarer", status_code=303)
    request.session["flash"] = (
        f"Votre déclaration a été rattachée au signal n° {result.signal.id} déjà ouvert sur ce produit."
        if result.merged else f"Déclaration enregistrée (signal n° {result.signal.id}).")
    return RedirectResponse(f"/signaux/{result.signal.id}", status_code=303)


def _typed(form: FormData) -> dict[str, str]:
    """What was typed, to show again on the form: text fields only (never a file, whatever its length)."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


WAITING_MESSAGE = ("Ce produit fait déjà l'objet d'un signal suivi par l'agence : votre déclaration lui a été "
                   "transmise. Quand l'agence l'aura rattachée, ce signal vous sera ouvert ; vous retrouvez votre "
                   "déclaration ci-dessous.")


@router.post("/signaux/{signal_id}/declarants/{declarer_id}/rattacher")
def signal_admit(request: Request, signal_id: int, declarer_id: int, form: FormDep, user: LoggedInDep,
                 db: DbDep) -> Response:
    return _act(request, db, user, signal_id, lambda: service.admit(db, user, signal_id, declarer_id),
                "Déclaration rattachée : son auteur voit désormais ce signal.")


def _safe_int(value: str) -> int | None:
    try:
        return int(value) if len(value) <= 20 and id_in_range(int(value)) else None
    except ValueError:
        return None


def _notice_products(db: Session, user: User) -> list[Product]:
    return catalogue.made_by(db, user.organisation_id) if user.organisation_id else []


@router.get("/preavis")
def notice_form(request: Request, user: LoggedInDep, db: DbDep) -> Response:
    if not policy.can_file_notice(user):
        raise Forbidden("seul un fabricant peut déposer un préavis d'interruption")
    return render(request, "notice.html", {"products": _notice_products(db, user), "KINDS": KINDS, "form": {},
                                           "CAUSES": CAUSES, "CAUSE_LABELS": CAUSE_LABELS})


@router.post("/preavis")
def notice(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    try:
        when = day(form, "interruption_at")
        if when is None:
            raise Invalid("indiquez la date d'interruption", "interruption_at")
        data = validated(schemas.NoticeIn, product_id=integer(form, "product_id") or 0,
                         kind=text(form, "kind", 20) or "discontinuation", cause=text(form, "cause", 20) or "commercial",
                         cause_detail=text(form, "cause_detail", 5000), interruption_at=when,
                         expected_end_at=day(form, "expected_end_at"))
        signal = service.file_notice(db, user, data)
    except DomainError as exc:
        redisplay(db, exc, None)
        return render(request, "notice.html", {"products": _notice_products(db, user), "KINDS": KINDS,
                                               "CAUSES": CAUSES, "CAUSE_LABELS": CAUSE_LABELS, "form": _typed(form),
                                               "refusal": exc}, exc.status)
    request.session["flash"] = "Préavis enregistré." + (
        " Attention : il est tardif (moins de 6 mois avant l'interruption)." if signal.notice_late else "")
    return RedirectResponse(f"/signaux/{signal.id}", status_code=303)
