"""Open data, no login: the published record as CSV, JSON and Atom."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sentinelle.interop import opendata
from sentinelle.signals import service
from sentinelle.web.deps import DbDep

router = APIRouter(prefix="/opendata", tags=["open data"])


@router.get("/shortages.json")
def shortages_json(db: DbDep) -> list[dict[str, Any]]:
    """Every published signal, typed as its Table Schema says (schema.json)."""
    return opendata.to_json(service.published(db, limit=10000))


@router.get("/schema.json")
def shortages_schema() -> dict[str, Any]:
    """The fields of shortages.csv and shortages.json: a Table Schema (name, type, description)."""
    return opendata.table_schema()


@router.get("/shortages.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def shortages_csv(db: DbDep) -> Response:
    return Response(opendata.to_csv(service.published(db, limit=10000)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="sentinelle-penuries.csv"'})


@router.get("/shortages.atom", response_class=Response,
            responses={200: {"content": {"application/atom+xml": {}}}})
def shortages_atom(request: Request, db: DbDep) -> Response:
    # The configured address, else the one this request came to.
    base = request.app.state.settings.base_url.rstrip("/") or str(request.base_url).rstrip("/")
    return Response(opendata.to_atom(service.published(db, limit=200), base),
                    media_type="application/atom+xml; charset=utf-8")
