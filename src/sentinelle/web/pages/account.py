"""Log in and out, the inbox and subscriptions, the audit log, the ANSM import."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from sentinelle.accounts import audit, policy
from sentinelle.accounts import service as accounts
from sentinelle.accounts.models import User
from sentinelle.accounts.service import authenticate
from sentinelle.errors import Conflict, DomainError, Invalid, require
from sentinelle.interop import ansm
from sentinelle.interop import policy as interop_policy
from sentinelle.jobs import service as jobs
from sentinelle.notifications import service as notifications
from sentinelle.store.base import utcnow
from sentinelle.web.deps import DbDep, FormDep, LoggedInDep
from sentinelle.web.forms import flag, integer, parse_day, redisplay, text
from sentinelle.web.limits import email_key, key
from sentinelle.web.templating import render

router = APIRouter()
log = logging.getLogger(__name__)


def _safe_next(target: str) -> str:
    # Only local paths: never bounce a user to another site after logging in.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/connexion")
def login_form(request: Request, next: str = "/") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "reason": request.session.pop("login_reason", None)})


@router.post("/connexion")
def login(request: Request, form: FormDep, db: DbDep) -> Response:
    email, password = text(form, "email", 320), text(form, "password", 1000)
    next = text(form, "next", 500) or "/"
    host = request.client.host if request.client else "?"
    throttle, settings = request.app.state.throttle, request.app.state.settings
    address = email_key(email)
    # Per client and address, every attempt; per address from anywhere, the failures (a guesser
    # spread over many clients is stopped, and a right password still counts for nothing).
    if not throttle.hit(settings.login_rate, "login", key(host), address) or not throttle.test(
            settings.login_failures_per_address, "login-failures", address):
        log.warning("log-in throttled: client %s, address key %s", host, address)
        return render(request, "login.html", {"next": _safe_next(next), "email": email,
                                              "error": "Trop de tentatives : réessayez plus tard."}, 429)
    user = authenticate(db, email, password)
    if user is None:
        throttle.hit(settings.login_failures_per_address, "login-failures", address)
        return render(request, "login.html", {"next": _safe_next(next), "email": email,
                                              "error": "Adresse ou mot de passe incorrect."}, 401)
    request.session.clear()  # a fresh session on log-in (no fixation)
    request.session["sid"] = accounts.open_session(db, user, request.headers.get("user-agent", ""))
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/deconnexion")
def logout(request: Request, form: FormDep, db: DbDep) -> Response:
    sid = request.session.get("sid")
    if isinstance(sid, str):
        accounts.close_session(db, sid)  # ended on the server: a kept copy of the cookie is worth nothing
    request.session.clear()
    request.session["flash"] = "Vous êtes déconnecté."
    return RedirectResponse("/", status_code=303)


@router.get("/compte")
def account_page(request: Request, user: LoggedInDep, db: DbDep) -> Response:
    shown = request.session.pop("new_token", None)
    return render(request, "account.html", {"tokens": accounts.tokens(db, user), "now": utcnow(),
                                            "max_days": accounts.MAX_TOKEN_DAYS, "new_token": shown})


@router.post("/compte/jetons")
def token_create(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    name, days = form.get("name", ""), form.get("days", "90")
    try:
        row, token = accounts.issue_token(db, user, text(form, "name", 100), days=integer(form, "days") or 0)
    except DomainError as exc:
        redisplay(db, exc, None)
        return render(request, "account.html", {"tokens": accounts.tokens(db, user), "now": utcnow(),
                                                "max_days": accounts.MAX_TOKEN_DAYS, "error": exc.message,
                                                "field": exc.field, "form": {"name": name, "days": days}},
                      exc.status)
    # Shown once, on the page the redirection leads to (a reload then makes no second token); only
    # its hash is kept.
    request.session["new_token"] = {"name": row.name, "token": token}
    return RedirectResponse("/compte", status_code=303)


@router.post("/compte/jetons/{token_id}/revoquer")
def token_revoke(request: Request, token_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    row = accounts.revoke_token(db, user, token_id, owner=user)
    request.session["flash"] = f"Jeton « {row.name} » révoqué : il ne donne plus accès à l'API."
    return RedirectResponse("/compte", status_code=303)


@router.post("/compte/deconnexion-partout")
def logout_everywhere(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    ended = accounts.close_all_sessions(db, user)
    request.session.clear()
    request.session["flash"] = f"{ended} session(s) fermée(s), celle-ci comprise : reconnectez-vous."
    return RedirectResponse("/connexion", status_code=303)


def _inbox(request: Request, db: Session, user: User, status_code: int = 200, **extra: object) -> Response:
    subs = notifications.subscriptions(db, user)
    return render(request, "inbox.html", {"items": notifications.inbox(db, user, limit=100), "subscriptions": subs,
                                          "failures": notifications.failures(db, [s.id for s in subs]),
                                          "MAIL_FREQUENCIES": notifications.MAIL_FREQUENCIES, **extra},
                  status_code)


@router.get("/notifications")
def inbox(request: Request, user: LoggedInDep, db: DbDep) -> Response:
    shown = request.session.pop("new_secret", None) or {}
    return _inbox(request, db, user, new_secret=shown.get("secret"), new_hook=shown.get("url"))


@router.post("/notifications/lues")
def mark_all_read(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    notifications.mark_read(db, user)
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/frequence")
def mail_frequency(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    try:
        notifications.set_mail_frequency(db, user, text(form, "mail_frequency", 10))
    except DomainError as exc:
        redisplay(db, exc, None)
        return _inbox(request, db, user, exc.status, refusal=exc)
    request.session["flash"] = {
        "immediate": "C'est noté : un e-mail à chaque notification.",
        "daily": "C'est noté : un résumé par jour, seulement les jours où quelque chose arrive.",
        "none": "C'est noté : plus d'e-mail ; vos notifications restent ici.",
    }[user.mail_frequency]
    return RedirectResponse("/notifications", status_code=303)


@router.post("/abonnements")
def subscribe(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    try:
        sub = notifications.subscribe(db, user, product_id=integer(form, "product_id"),
                                      emdn_prefix=text(form, "emdn_prefix", 16).strip().upper() or None,
                                      region_code=text(form, "region_code", 2) or None,
                                      webhook_url=text(form, "webhook_url", 500).strip() or None,
                                      allow_private=request.app.state.settings.webhook_allow_private)
    except DomainError as exc:
        redisplay(db, exc, None)
        return _inbox(request, db, user, exc.status, refusal=exc)
    if sub.webhook_url:
        # The signing secret, shown once on the page the redirection leads to (like an API token).
        request.session["new_secret"] = {"url": sub.webhook_url, "secret": sub.webhook_secret}
    request.session["flash"] = "Abonnement enregistré."
    return RedirectResponse("/notifications", status_code=303)


@router.post("/abonnements/{subscription_id}/supprimer")
def unsubscribe(request: Request, subscription_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    notifications.unsubscribe(db, user, subscription_id)
    request.session["flash"] = "Abonnement retiré."
    return RedirectResponse("/notifications", status_code=303)


@router.get("/audit")
def audit_log(request: Request, *, page: int = 1, action: str = "", objet: str = "", numero: str = "",
              personne: str = "", du: str = "", au: str = "", user: LoggedInDep, db: DbDep) -> Response:
    """The journal with people and organisations by name, actions in French, each change as a before /
    after a person reads; filtered by person, object, action and period."""
    require(user, policy.can_browse_audit(user), "le journal d'audit est réservé à l'agence nationale")
    page = max(1, min(page, 100000))
    action = action if action in audit.ACTION_LABELS else ""
    objet = objet if objet in audit.ENTITY_LABELS else ""
    numero, personne = numero.strip()[:40], personne.strip()[:100]
    filters = {"action": action, "objet": objet, "numero": numero, "personne": personne, "du": du[:10], "au": au[:10]}
    try:
        since, until = parse_day(du, "du"), parse_day(au, "au")
    except Invalid as exc:  # shown on the page, the filters kept
        return render(request, "audit.html", {"rows": [], "total": 0, "page": 1, "filters": filters, "query": "",
                                              "people": {}, "audit": audit, "refusal": exc},
                      exc.status)
    rows, total = audit.browse(db, action=action or None, entity=objet or None, entity_id=numero or None,
                               person=personne or None, since=since, until=until, offset=(page - 1) * 50, limit=50)
    query = urlencode({k: v or "" for k, v in filters.items()})
    return render(request, "audit.html", {"rows": rows, "total": total, "page": page, "filters": filters,
                                          "query": query, "people": audit.actors(db, rows), "audit": audit})


@router.get("/import")
def import_form(request: Request, user: LoggedInDep) -> Response:
    require(user, interop_policy.can_import_ansm(user), "l'import de la liste ANSM est réservé à l'agence nationale")
    return render(request, "import.html")


@router.post("/import")
async def import_upload(request: Request, background: BackgroundTasks, form: FormDep, user: LoggedInDep,
                        db: DbDep) -> Response:
    """Keep the file and preview what it would change, as a job: the page answers at once."""
    require(user, interop_policy.can_import_ansm(user), "l'import de la liste ANSM est réservé à l'agence nationale")
    file, reject_all = form.get("file"), flag(form, "reject_all")
    if not isinstance(file, UploadFile):
        raise Invalid("choisissez le fichier de la liste ANSM", "file")
    folder = request.app.state.settings.var_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old_files(folder)
    path = folder / f"{secrets.token_hex(16)}.txt"
    data = await file.read()
    path.write_bytes(data)
    lines = data.count(b"\n") + 1
    job = jobs.submit(db, user, "ansm.preview", {"file": path.name, "name": Path(file.filename or "ansm.txt").name,
                                                 "reject_all": reject_all}, total=lines)
    # Started once the request's unit of work committed the job's row (background tasks run after it).
    background.add_task(jobs.start, request.app.state.engine, job.id,
                        _ansm_work(path, user.id, job.params, preview=True))
    return RedirectResponse(f"/import/taches/{job.id}", status_code=303)


def _forget_old_files(folder: Path) -> None:
    """Uploaded files are kept a day for their preview to be applied; older ones go."""
    limit = time.time() - 86400
    for old in folder.glob("*.txt"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


def _ansm_work(path: Path, user_id: int, params: dict[str, Any], *, preview: bool,
               confirm_removals: bool = False) -> jobs.Work:
    def work(session: Session, advance: Callable[[int], None]) -> dict[str, Any]:
        actor = session.get(User, user_id)
        # A preview goes all the way (confirmation granted) to show everything the import would do.
        report = ansm.import_file(session, actor, path, reject_all_on_error=bool(params.get("reject_all")),
                                  confirm_removals=confirm_removals or preview, progress=advance)
        if preview:
            session.rollback()  # a preview writes nothing
        else:
            path.unlink(missing_ok=True)  # applied (a refused apply keeps it, to be confirmed)
        return asdict(report) | {"preview": preview}
    return work


def _job_context(db: Session, user: User, job_id: int) -> dict[str, Any]:
    job = jobs.get(db, user, job_id)
    done = job.done if job.status in ("done", "failed") else jobs.progress_of(job.id)
    report = job.report or {}
    return {"job": job, "done": done, "report": report, "needs_confirmation": bool(report.get("needs_confirmation"))}


@router.get("/import/taches/{job_id}")
def import_job(request: Request, job_id: int, user: LoggedInDep,
               db: DbDep) -> Response:
    return render(request, "import_job.html", _job_context(db, user, job_id))


@router.get("/import/taches/{job_id}/etat")
def import_job_state(request: Request, job_id: int, user: LoggedInDep,
                     db: DbDep) -> Response:
    """The job's state as a fragment: the page asks again every second until it is finished."""
    return render(request, "_import_job_state.html", _job_context(db, user, job_id))


@router.post("/import/taches/{job_id}/appliquer")
def import_apply(request: Request, job_id: int, background: BackgroundTasks, form: FormDep, user: LoggedInDep,
                 db: DbDep) -> Response:
    confirm_removals = flag(form, "confirm_removals")
    require(user, interop_policy.can_import_ansm(user), "l'import de la liste ANSM est réservé à l'agence nationale")
    preview = jobs.get(db, user, job_id)
    if preview.kind != "ansm.preview" or preview.status not in ("done", "failed"):
        raise Conflict("seul un aperçu terminé s'applique", "job_id")
    path = request.app.state.settings.var_dir / "imports" / preview.params["file"]
    if not path.exists():
        raise Conflict("le fichier de cet aperçu n'est plus là (plus d'un jour, ou déjà appliqué) : "
                       "déposez-le à nouveau", "job_id")
    job = jobs.submit(db, user, "ansm.apply", preview.params | {"preview_job": preview.id,
                                                                "confirm_removals": confirm_removals},
                      total=preview.total)
    background.add_task(jobs.start, request.app.state.engine, job.id,
                        _ansm_work(path, user.id, job.params, preview=False, confirm_removals=confirm_removals))
    return RedirectResponse(f"/import/taches/{job.id}", status_code=303)
