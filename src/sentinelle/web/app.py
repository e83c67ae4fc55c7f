"""The FastAPI application: JSON API under /api/v1, server-rendered pages elsewhere."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from sentinelle import __version__, validation
from sentinelle.config import Settings, get_settings
from sentinelle.errors import DomainError, NotAuthenticated
from sentinelle.notifications import subscribers as notification_subscribers
from sentinelle.store.db import default_engine, session_factory
from sentinelle.web.api import router as api_router
from sentinelle.web.headers import SecurityHeaders, docs_policy
from sentinelle.web.inputs import refuse_nul
from sentinelle.web.limits import BodyLimit, InFlightLimit, Throttle
from sentinelle.web.pages import router as pages_router
from sentinelle.web.templating import render

HERE = Path(__file__).parent
log = logging.getLogger(__name__)


API_DOCS = "/api/v1/docs"
API_DOCS_ASSETS = "/static/api-docs"
# The State's design system and Swagger UI, installed from npm by `make install` (web/assets/).
NODE_MODULES = HERE / "assets" / "node_modules"
DSFR_DIST = NODE_MODULES / "@gouvfr" / "dsfr" / "dist"
SWAGGER_UI = NODE_MODULES / "swagger-ui-dist"


def create_app(engine: Engine | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = engine or default_engine()
    app = FastAPI(
        title="Sentinelle API",
        version=__version__,
        description="Signaux de tension et de pénurie de produits de santé.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served below, with Swagger UI's files from the installed package (no CDN)
        redoc_url=None,
        dependencies=[Depends(refuse_nul)],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    # Log-in attempts and votes (a person votes at reading speed; a script floods): counted in Redis when
    # SENTINELLE_REDIS_URL is set, so that N workers do not multiply the limits by N.
    app.state.throttle = Throttle(settings.redis_url, namespace=settings.throttle_namespace)
    https = settings.cookie_secure or settings.base_url.startswith("https://")
    app.add_middleware(SessionMiddleware, secret_key=settings.resolved_secret_key(), session_cookie="sentinelle",
                       same_site="lax", https_only=https, max_age=8 * 3600)
    app.add_middleware(BodyLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes)
    # Fewer requests in flight than connections in the pool (store/db.py: 20 + 20 overflow).
    app.add_middleware(InFlightLimit, limit=settings.max_requests_in_flight)
    docs = get_swagger_ui_html(openapi_url=app.openapi_url or "", title=f"{app.title} - Swagger UI",
                               swagger_js_url=f"{API_DOCS_ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{API_DOCS_ASSETS}/swagger-ui.css",
                               swagger_favicon_url=f"{API_DOCS_ASSETS}/favicon-32x32.png")
    docs_html = bytes(docs.body).decode()
    app.add_api_route(API_DOCS, lambda: HTMLResponse(docs_html), include_in_schema=False)
    app.add_middleware(SecurityHeaders, https=settings.base_url.startswith("https://"),
                       docs_path=API_DOCS, docs_csp=docs_policy(docs_html))
    # Swagger UI's files and the DSFR's (mounted before /static, which would otherwise take the paths).
    for path, folder, name in ((API_DOCS_ASSETS, SWAGGER_UI, "api-docs"), ("/static/dsfr", DSFR_DIST, "dsfr")):
        if folder.is_dir():
            app.mount(path, StaticFiles(directory=str(folder)), name=name)
        else:  # the pages stay usable in their own plain styles; `make install` brings them
            log.warning("%s absent: run `make install`", folder)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    notification_subscribers.connect()
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)
    _install_error_handlers(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if _wants_json(request):
            if exc.status == 422:
                # The same shape as FastAPI's own validation errors, as the OpenAPI schema says.
                detail = [{"loc": ["body", exc.field or "body"], "msg": exc.message, "type": "value_error"}]
                return JSONResponse({"detail": detail}, status_code=422)
            return JSONResponse({"detail": exc.message, "field": exc.field}, status_code=exc.status)
        if isinstance(exc, NotAuthenticated):
            # Back to the same page, its query too, after logging in; the log-in form says why it is asked.
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            request.session["login_reason"] = exc.message
            return RedirectResponse(f"/connexion?{urlencode({'next': target})}", status_code=303)
        return render(request, "error.html", {"message": exc.message, "field": exc.field, "problems": exc.problems},
                      status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        # In French, the field named by its label; the API keeps FastAPI's shape (loc, type) for programs.
        if _wants_json(request):
            detail = [{**e, "msg": f"{validation.label(validation.field_of(e.get('loc', ())))} : {validation.message(e)}"}
                      for e in exc.errors()]
            return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=422)
        problems = validation.problems(exc.errors())
        return render(request, "error.html", {"message": problems[0][1] if problems else validation.GENERIC,
                                              "problems": problems}, status_code=422)

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        # What the schemas did not bound and the database refused: a number past a column's range,
        # a text past its length. The request's fault, said as such (the detail is in the log).
        log.warning("input refused by the database on %s: %s", request.url.path, str(exc.orig)[:300])
        message = "valeur refusée par la base de données : nombre hors limites, texte trop long ou caractère interdit"
        if _wants_json(request):
            return JSONResponse({"detail": message, "field": None}, status_code=422)
        return render(request, "error.html", {"message": message}, status_code=422)

    @app.exception_handler(IntegrityError)
    async def integrity_error(request: Request, exc: IntegrityError) -> Response:
        message = "cette opération contredit des données existantes (doublon ou référence inconnue)"
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=409)
        return render(request, "error.html", {"message": message}, status_code=409)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        message = "page introuvable" if exc.status_code == 404 else str(exc.detail)
        return render(request, "error.html", {"message": message}, status_code=exc.status_code)
