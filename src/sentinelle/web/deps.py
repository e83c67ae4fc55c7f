"""Request-scoped dependencies: the database session, the acting user, CSRF."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.accounts.service import user_for_session, user_for_token
from sentinelle.errors import Forbidden, NotAuthenticated

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def get_db(request: Request) -> Iterator[Session]:
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        # Closing rolls back whatever the view did not commit, without expiring the loaded
        # objects that an error page may still render (the user in the header).
        session.close()


def current_user(request: Request, db: Session = Depends(get_db)) -> User | None:
    """The user behind a bearer token, else behind the session cookie, else None (anonymous)."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = user_for_token(db, auth[7:].strip())
        if user is None:
            raise NotAuthenticated("jeton d'API invalide, expiré ou révoqué")
        if db.dirty:
            db.commit()  # the token's last use
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
    from sentinelle.errors import RateLimited

    settings = request.app.state.settings
    if user is not None and not request.app.state.throttle.hit(settings.vote_rate, "vote", str(user.id)):
        raise RateLimited("trop de votes en peu de temps : réessayez dans une minute")


def require_user(user: User | None = Depends(current_user)) -> User:
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


def api_csrf(request: Request, user: User | None = Depends(current_user)) -> User | None:
    if user is not None:
        check_csrf(request, request.headers.get("x-csrf-token"))
    return user
