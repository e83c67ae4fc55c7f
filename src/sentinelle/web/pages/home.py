"""The home page: the reader's worklist (what waits for them), then counts by status and kind and a map
of France by region; the accessibility statement."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sentinelle.signals import service, worklist
from sentinelle.web.deps import DbDep, UserDep
from sentinelle.web.templating import render

router = APIRouter()


@router.get("/")
def dashboard(request: Request, user: UserDep, db: DbDep) -> Response:
    counts = service.counts(db, user)
    recent, _ = service.list_visible(db, user, service.Filters(), per_page=10)
    top = max((n for code, n in counts["by_region"].items() if code is not None), default=0)
    return render(request, "dashboard.html", {"counts": counts, "recent": recent, "top": top,
                                              "worklist": worklist.for_user(db, user), "today": date.today()})


@router.get("/accessibilite")
def accessibility(request: Request) -> Response:
    """The accessibility statement the RGAA asks every public service to publish."""
    return render(request, "accessibility.html", {"contact": request.app.state.settings.contact_email})
