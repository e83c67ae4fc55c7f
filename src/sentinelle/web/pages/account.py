"""Log in and out, the inbox and subscriptions, the audit log, the ANSM import."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from sentinelle.accounts import audit, policy
from sentinelle.accounts.models import User
from sentinelle.accounts.service import authenticate
from sentinelle.errors import DomainError, Forbidden
from sentinelle.interop import ansm
from sentinelle.notifications import service as notifications
from sentinelle.web.deps import check_csrf, get_db, require_user
from sentinelle.web.templating import render

router = APIRouter()


def _safe_next(target: str) -> str:
    # Only local paths: never bounce a user to another site after logging in.
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/connexion")
def login_form(request: Request, next: str = "/"):  # type: ignore[no-untyped-def]
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/connexion")
def login(request: Request, email: str = Form(max_length=320), password: str = Form(max_length=1000),
          next: str = Form("/", max_length=500), csrf_token: str = Form(""),
          db: Session = Depends(get_db)):  # type: ignore[no-untyped-def]
    check_csrf(request, csrf_token)
    host = request.client.host if request.client else "?"
    if not request.app.state.login_limiter.allow(f"{host}:{email.lower()}"):
        return render(request, "login.html", {"next": _safe_next(next), "email": email,
                                              "error": "Trop de tentatives : réessayez dans une minute."}, 429)
    user = authenticate(db, email, password)
    if user is None:
        return render(request, "login.html", {"next": _safe_next(next), "email": email,
                                              "error": "Adresse ou mot de passe incorrect."}, 401)
    request.session.clear()  # a fresh session on log-in (no fixation)
    request.session["user_id"] = user.id
    audit.record(db, user, "user.login", "user", user.id)
    db.commit()
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/deconnexion")
def logout(request: Request, csrf_token: str = Form("")):  # type: ignore[no-untyped-def]
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/", status_code=303)


@router.get("/notifications")
def inbox(request: Request, user: User = Depends(require_user), db: Session = Depends(get_db)):  # type: ignore[no-untyped-def]
    return render(request, "inbox.html", {"items": notifications.inbox(db, user, limit=100)})


@router.post("/notifications/lues")
def mark_all_read(request: Request, csrf_token: str = Form(""), user: User = Depends(require_user),
                  db: Session = Depends(get_db)):  # type: ignore[no-untyped-def]
    check_csrf(request, csrf_token)
    notifications.mark_read(db, user)
    db.commit()
    return RedirectResponse("/notifications", status_code=303)


@router.post("/abonnements")
def subscribe(request: Request, csrf_token: str = Form(""), product_id: str = Form(""),
              emdn_prefix: str = Form("", max_length=16), region_code: str = Form("", max_length=2),
              webhook_url: str = Form("", max_length=500), user: User = Depends(require_user),
              db: Session = Depends(get_db)):  # type: ignore[no-untyped-def]
    check_csrf(request, csrf_token)
    try:
        pid = int(product_id) if product_id.strip() else None
        notifications.subscribe(db, user, product_id=pid, emdn_prefix=emdn_prefix.strip().upper() or None,
                                region_code=region_code or None, webhook_url=webhook_url.strip() or None)
    except ValueError:
        return render(request, "inbox.html", {"items": notifications.inbox(db, user),
                                              "error": "identifiant de produit invalide", "field": "product_id"}, 422)
    except DomainError as exc:
        return render(request, "inbox.html", {"items": notifications.inbox(db, user), "error": exc.message,
                                              "field": exc.field}, exc.status)
    db.commit()
    return RedirectResponse("/notifications", status_code=303)


@router.get("/audit")
def audit_log(request: Request, page: int = 1, action: str | None = None, user: User = Depends(require_user),
              db: Session = Depends(get_db)):  # type: ignore[no-untyped-def]
    policy.require(policy.can_browse_audit(user), "le journal d'audit est réservé à l'agence nationale")
    page = max(1, min(page, 100000))
    rows, total = audit.browse(db, action=action or None, offset=(page - 1) * 50, limit=50)
    return render(request, "audit.html", {"rows": rows, "total": total, "page": page, "action": action or ""})


@router.get("/import")
def import_form(request: Request, user: User = Depends(require_user)):  # type: ignore[no-untyped-def]
    if user.role != "national":
        raise Forbidden("l'import de la liste ANSM est réservé à l'agence nationale")
    return render(request, "import.html")


@router.post("/import")
async def import_upload(request: Request, file: UploadFile = File(...), csrf_token: str = Form(""),
                        reject_all: bool = Form(False), user: User = Depends(require_user),
                        db: Session = Depends(get_db)):  # type: ignore[no-untyped-def]
    check_csrf(request, csrf_token)
    if user.role != "national":
        raise Forbidden("l'import de la liste ANSM est réservé à l'agence nationale")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(file.filename or "ansm.txt").name
        path.write_bytes(await file.read())
        try:
            report = ansm.import_file(db, user, path, reject_all_on_error=reject_all)
        except DomainError as exc:
            db.rollback()
            return render(request, "import.html", {"error": exc.message}, exc.status)
    db.commit()
    return render(request, "import.html", {"report": report})
