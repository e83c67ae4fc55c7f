"""Request-scoped dependencies: the database session and its unit of work, the acting user, CSRF.

Views take them through the typed aliases at the bottom (`db: DbDep`, `user: UserDep`), as the
FastAPI full-stack template's `api/deps.py` does. A view never commits: `unit_of_work`, on every
router, commits once when the view returned, before the response leaves; an error rolls it all back.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from sentinelle.accounts.models import User
from sentinelle.accounts.service import user_for_session, user_for_token
from sentinelle.errors import Forbidden, NotAuthenticated, RateLimited

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_FORM_FIELDS = 2000


def get_db(request: Request) -> Iterator[Session]:
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        # Closing rolls back whatever was not committed, without expiring the loaded objects that
        # an error page may still render (the user in the header).
        session.close()


def unit_of_work(db: Annotated[Session, Depends(get_db)]) -> Iterator[None]:
    """The request's one commit, after the view returned (scope="function": before the response is
    sent, so that a client never reads a state the database has not kept). An exception raised by
    the view skips it, and closing the session rolls back."""
    yield
    db.commit()


def current_user(request: Request, db: Annotated[Session, Depends(get_db)]) -> User | None:
    """The user behind a bearer token, else behind the session cookie, else None (anonymous)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = user_for_token(db, auth[7:].strip())
        if user is None:
            raise NotAuthenticated("jeton d'API invalide, expiré ou révoqué")
        if db.dirty:
            # The token's last use is kept even when the view then fails (its own small transaction).
            db.commit()
        request.state.via_token = True
        request.state.user = user
        return user
    sid = request.session.get("sid")
    if not isinstance(sid, str):
        return None
    user = user_for_session(db, sid)
    if user is None:  # logged out elsewhere, revoked, expired, or the account closed
        request.session.clear()
        return None
    request.state.user = user
    return user


def limit_votes(request: Request, user: User | None) -> None:
    """Vote requests per person (settings.vote_rate): 429 beyond."""
    settings = request.app.state.settings
    if user is not None and not request.app.state.throttle.hit(settings.vote_rate, "vote", str(user.id)):
        raise RateLimited("trop de votes en peu de temps : réessayez dans une minute")


def require_user(user: Annotated[User | None, Depends(current_user)]) -> User:
    if user is None:
        raise NotAuthenticated("connectez-vous pour accéder à cette page")
    return user


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """Forms carry the session's token; API calls made with the cookie send it as X-CSRF-Token."""
    if request.method in SAFE_METHODS or getattr(request.state, "via_token", False):
        return
    expected = request.session.get("csrf")
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise Forbidden("jeton CSRF absent ou invalide : rechargez la page et recommencez", "csrf_token")


def api_csrf(request: Request, user: Annotated[User | None, Depends(current_user)]) -> User | None:
    if user is not None:
        check_csrf(request, request.headers.get("x-csrf-token"))
    return user


async def checked_form(request: Request) -> FormData:
    """A page's posted form, once its CSRF token is checked (every form of the pages carries one)."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    token = form.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)
    return form


DbDep = Annotated[Session, Depends(get_db)]
# The acting user, None when anonymous (pages and reads).
UserDep = Annotated[User | None, Depends(current_user)]
# A logged-in user, else 401 (the pages of an account).
LoggedInDep = Annotated[User, Depends(require_user)]
# The API's writes: the user, with the X-CSRF-Token checked when it came through the cookie.
ApiUserDep = Annotated[User | None, Depends(api_csrf)]
# A page's posted form, its CSRF token checked.
FormDep = Annotated[FormData, Depends(checked_form)]
# Put on every router: the request's one commit.
COMMIT = Depends(unit_of_work, scope="function")
