"""A manufacturer's supply chains: its production sites, where each product is made, the inputs each
depends on, and the vulnerability score each product has (risk/declarations.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.catalogue import countries
from sentinelle.catalogue.models import Product
from sentinelle.errors import DomainError, Invalid
from sentinelle.risk import declarations, supply
from sentinelle.risk.schemas import InputIn, ProductSitesIn, SiteIn
from sentinelle.web.deps import DbDep, FormDep, LoggedInDep
from sentinelle.web.forms import form_int, integer, redisplay, text, validated
from sentinelle.web.templating import render

router = APIRouter()
PAGE = 20


def _page(request: Request, db: Session, user: User, page: int = 1, *, refusal: DomainError | None = None,
          form: dict[str, Any] | None = None, status_code: int = 200, done: int | None = None) -> Response:
    found = declarations.mine(db, user, offset=(page - 1) * PAGE, limit=PAGE)
    return render(request, "supply.html", {
        "d": found, "page": page, "pages": max(1, -(-found.total // PAGE)), "countries": countries.names(),
        "criteria": {m: supply.criteria(m) for m in ("medicine", "device")}, "points": supply.DEVICE_POINTS,
        "computed": max((o.vulnerability.computed_at for o in found.products if o.vulnerability), default=None),
        "form": form or {}, "refusal": refusal, "done": done}, status_code=status_code)


def _name(db: Session, product_id: int) -> str:
    product = db.get(Product, product_id)
    return product.name if product else str(product_id)


@router.get("/approvisionnement")
def supply_page(request: Request, user: LoggedInDep, db: DbDep, page: str = "1", fait: str = "") -> Response:
    """`fait`: the product just saved, whose card repeats the word said at the top of the page."""
    return _page(request, db, user, max(1, form_int(page, "page") or 1), done=form_int(fait, "fait"))


@router.post("/approvisionnement/sites")
def add_site(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    typed = {"site_name": text(form, "site_name", 300), "site_country": text(form, "site_country", 2)}
    try:
        site = declarations.add_site(db, user, validated(SiteIn, name=typed["site_name"], country=typed["site_country"]))
    except DomainError as exc:
        redisplay(db, exc)
        return _page(request, db, user, refusal=exc, form=typed, status_code=exc.status)
    request.session["flash"] = (f"Site « {site.name} » ({countries.name(site.country)}) ajouté : rattachez-y vos "
                                "produits ci-dessous.")
    return RedirectResponse("/approvisionnement", status_code=303)


@router.post("/approvisionnement/produits/{product_id}/sites")
def product_sites(request: Request, product_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    page = integer(form, "page") or 1
    try:
        ids = [form_int(str(v), "site_ids") for v in form.getlist("site_ids")]
        kept = declarations.set_product_sites(db, user, product_id,
                                              validated(ProductSitesIn, site_ids=[i for i in ids if i is not None]))
    except DomainError as exc:
        redisplay(db, exc)
        return _page(request, db, user, page, refusal=exc, status_code=exc.status)
    request.session["flash"] = (f"Sites de production de « {_name(db, product_id)} » enregistrés ({len(kept)}) : "
                                "ils comptent dans la vulnérabilité au prochain calcul national.")
    return RedirectResponse(f"/approvisionnement?page={page}&fait={product_id}#produit-{product_id}", status_code=303)


@router.post("/approvisionnement/produits/{product_id}/intrants")
def declare_input(request: Request, product_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    page = integer(form, "page") or 1
    typed = {name: text(form, name, 200) for name in ("name", "kind", "sources", "origin_country")}
    try:
        sources = integer(form, "sources")
        origin = countries.code_of(typed["origin_country"]) if typed["origin_country"] else None
        if typed["origin_country"] and origin is None:
            raise Invalid(f"pays d'origine inconnu : « {typed['origin_country']} » (son nom ou son code à deux "
                          "lettres, ex. Chine ou CN)", "origin_country")
        data = validated(InputIn, name=typed["name"], kind=typed["kind"], sources=sources, origin_country=origin)
        made = declarations.declare_input(db, user, product_id, data)
    except DomainError as exc:
        redisplay(db, exc)
        return _page(request, db, user, page, refusal=exc, form={**typed, "product_id": product_id},
                     status_code=exc.status)
    single = " (source unique)" if made.sources == 1 else ""
    request.session["flash"] = (f"Intrant « {made.name} » déclaré{single} pour « {_name(db, made.product_id)} » : seuls vous "
                                "et l'ANSM le lisez ; il compte au prochain calcul national.")
    return RedirectResponse(f"/approvisionnement?page={page}&fait={product_id}#produit-{product_id}", status_code=303)


@router.post("/approvisionnement/intrants/{input_id}/retirer")
def remove_input(request: Request, input_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    page = integer(form, "page") or 1
    declarations.remove_input(db, user, input_id)
    request.session["flash"] = "Intrant retiré."
    return RedirectResponse(f"/approvisionnement?page={page}", status_code=303)
