"""Catalogue pages: product search, a product with its signals and rated alternatives, and a
purchasing group's view of its members' catalogue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sentinelle.alternatives import policy as alt_policy
from sentinelle.alternatives import service as ratings
from sentinelle.alternatives.schemas import RatingIn
from sentinelle.catalogue import policy, service
from sentinelle.errors import require
from sentinelle.risk import abroad
from sentinelle.signals import policy as signal_policy
from sentinelle.signals import service as signals
from sentinelle.web.deps import DbDep, FormDep, LoggedInDep, UserDep
from sentinelle.web.forms import integer, text, validated
from sentinelle.web.templating import render

router = APIRouter()
PER_PAGE = 50


@router.get("/produits")
def product_search(request: Request, *, q: str = "", kind: str = "", page: int = 1,
                   db: DbDep) -> Response:
    page = max(1, min(page, 100000))
    rows, total = service.search_products(db, q[:200], kind=kind if kind in ("device", "medicine") else None,
                                          offset=(page - 1) * PER_PAGE, limit=PER_PAGE) if q.strip() else ([], 0)
    return render(request, "products.html", {"rows": rows, "total": total, "q": q[:200], "kind": kind,
                                             "page": page, "pages": max(1, (total + PER_PAGE - 1) // PER_PAGE)})


@router.get("/produits/{product_id}")
def product_page(request: Request, product_id: int, user: UserDep,
                 db: DbDep) -> Response:
    detail = service.product_detail(db, product_id)
    history, _ = signals.list_visible(db, user, signals.Filters(product_id=product_id), per_page=100)
    alts = ratings.of_product(db, user, product_id)
    ids = [a.id for a in alts]
    return render(request, "product.html", {
        "d": detail, "p": detail.product, "history": history, "alternatives": alts,
        "abroad": abroad.for_product(db, detail.product),
        "summaries": ratings.summaries(db, ids), "mine": ratings.mine(db, user, ids),
        "can_rate": alt_policy.can_rate(user),
        "signal_base": "/public/signaux" if signal_policy.public_view_only(user) else "/signaux"})


@router.post("/alternatives/{alternative_id}/note")
def rate_alternative(request: Request, alternative_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    # Back to the page the form was on; only our own paths, never an outside address.
    back = text(form, "back", 200)
    target = back if back.startswith("/") and not back.startswith("//") else "/"
    data = validated(RatingIn, score=integer(form, "score"), comment=text(form, "comment", 2000))
    # A refusal is shown by the error page with its 4xx status and the field it names.
    ratings.rate(db, user, alternative_id, data.score, data.comment)
    request.session["flash"] = "Votre note est enregistrée."
    return RedirectResponse(target, status_code=303)


@router.get("/adherents")
def members_catalogue(request: Request, *, q: str = "", page: int = 1, user: LoggedInDep,
                      db: DbDep) -> Response:
    require(user, policy.can_read_members_catalogue(user), "réservé aux groupements d'achat")
    page = max(1, min(page, 100000))
    rows, total = service.members_catalogue(db, user, q[:200], offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render(request, "members.html", {
        "rows": rows, "total": total, "q": q[:200], "page": page, "pages": max(1, (total + PER_PAGE - 1) // PER_PAGE),
        "members": service.members(db, user.organisation_id) if user.organisation_id else [],
        "open_signals": signals.open_by_product(db, user, [r.product.id for r in rows])})
