"""Limits on request bodies (pure ASGI, so that an oversized body is refused before it is read whole),
on requests in flight, and rate limits (log-in attempts, votes) through the `limits` library."""

from __future__ import annotations

import asyncio
import hashlib
import json

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int, max_upload: int) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        limit = self.max_upload if content_type.startswith("multipart/") else self.max_body
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _too_large(scope, send, limit)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(scope, send, limit)


class InFlightLimit:
    """At most `limit` requests handled at once by this worker; the others wait at the door. A request
    takes a database connection from its first query to its end, even while it waits for a thread:
    with more requests in flight than connections in the pool, some time out waiting for one (seen
    with 200 simultaneous voters). Waiting here holds nothing."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit
        self._semaphore: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._semaphore is None:  # made in the server's event loop
            self._semaphore = asyncio.Semaphore(self.limit)
        async with self._semaphore:
            await self.app(scope, receive, send)


class _TooLarge(Exception):
    pass


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"requête trop volumineuse (limite {limit} octets)", "field": "body"},
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class Throttle:
    """Rate limits by the `limits` library's moving window: in Redis when a URL is set (one count for
    every worker and every server), else in this process's memory. Either way expired keys go away
    by themselves, and keys are bounded (`key`)."""

    def __init__(self, redis_url: str = "", namespace: str = "sentinelle") -> None:
        self.storage = storage_from_string(redis_url or "memory://")
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.namespace = namespace

    def hit(self, rule: str, *parts: str) -> bool:
        """Count one event; False when it goes past `rule` ("10/minute")."""
        return self.limiter.hit(parse(rule), self.namespace, *parts)

    def test(self, rule: str, *parts: str) -> bool:
        """Whether one more event would still pass, without counting it."""
        return self.limiter.test(parse(rule), self.namespace, *parts)


def key(text: str) -> str:
    """A bounded key for any text a client sends (an e-mail address as typed, an address)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def email_key(email: str) -> str:
    """The address as log-in reads it (stripped, lower-cased): spaces around it name the same bucket."""
    return key(email.strip().lower())
