"""Security headers on every response (pure ASGI): a Content-Security-Policy that allows no inline
script nor style and no framing, nosniff, a referrer policy, HSTS when served over https.

The pages load only /static files; the one page with inline script is FastAPI's Swagger UI
(/api/v1/docs, its files served from the swagger-ui-dist npm package), whose script is allowed by its
hash, not by 'unsafe-inline'."""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
               "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def docs_policy(html: str) -> str:
    """The Swagger UI page's policy: its files from here, and each of its inline scripts by hash."""
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
                      for body in re.findall(r"<script>(.*?)</script>", html, flags=re.S))
    return (f"default-src 'self'; script-src 'self' {hashes}; style-src 'self'; "
            "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, https: bool, docs_path: str = "", docs_csp: str = "") -> None:
        self.app, self.docs_path, self.docs_csp = app, docs_path, docs_csp
        self.common = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                       (b"x-frame-options", b"DENY"), (b"cross-origin-opener-policy", b"same-origin"),
                       (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]
        if https:
            self.common.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.docs_csp if self.docs_path and scope["path"] == self.docs_path else PAGE_POLICY

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.common,
                                      (b"content-security-policy", policy.encode())]
            await send(message)

        await self.app(scope, receive, with_headers)
