"""Public pages: the published shortages, readable without logging in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sentinelle.alternatives import service as alternatives
from sentinelle.catalogue import service as catalogue
from sentinelle.risk import ranking
from sentinelle.signals import service
from sentinelle.signals.models import KINDS, STATUSES
from sentinelle.web.deps import DbDep
from sentinelle.web.templating import render

router = APIRouter(prefix="/public")


@router.get("")
def public_list(request: Request, *, q: str = "", kind: str = "", region: str = "", status: str = "", page: int = 1,
                db: DbDep) -> Response:
    # The public record holds published and resolved shortages; other states select nothing here.
    filters = service.Filters(q=q[:200] or None, kind=kind if kind in KINDS else None,
                              region=region[:2] or None, status=status if status in STATUSES else None)
    page = max(1, min(page, 100000))
    rows, total = service.list_visible(db, None, filters, page=page, per_page=50)
    return render(request, "public_list.html", {"rows": rows, "total": total, "page": page, "filters": filters,
                                                "pages": max(1, (total + 49) // 50),
                                                "ranking_published": ranking.is_published(db)})


@router.get("/signaux/{signal_id}")
def public_detail(request: Request, signal_id: int, db: DbDep) -> Response:
    signal = service.get(db, None, signal_id)
    return render(request, "public_signal.html", {
        "s": signal, "events": service.timeline(db, None, signal), "alternatives": alternatives.of_signal(db, signal),
        "emdn_term": catalogue.emdn_term(db, signal.product.emdn_code)})
