"""E-mails through a real local SMTP server (aiosmtpd) and webhooks to a real local HTTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.config import Settings
from sentinelle.notifications.models import Delivery
from sentinelle.notifications.service import dispatch, sign, subscribe
from tests.factories import World, published_signal


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Collect, int]]:
    handler = _Collect()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def hook_server() -> Iterator[tuple[list[tuple[dict[str, str], bytes]], int]]:
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield received, server.server_address[1]
    server.shutdown()


def test_publication_sends_mail_and_signed_webhooks(session: Session, world: World, settings: Settings,
                                                    smtp, hook_server) -> None:  # type: ignore[no-untyped-def]
    collector, port = smtp
    mails = collector.messages
    hooks, hook_port = hook_server
    subscribe(session, world.users["paris"], emdn_prefix="A02", webhook_url=f"http://127.0.0.1:{hook_port}/in",
              webhook_secret="s3cret")
    signal = published_signal(session, world)
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    counts = dispatch(session, settings)
    session.commit()
    assert counts["failed"] == 0 and counts["sent"] >= 2
    recipients = {r for rcpts, _ in mails for r in rcpts}
    assert {"lyon@test.fr", "paris@test.fr"} <= recipients
    assert any("Seringue 10 mL" in body for _, body in mails)
    published_hooks = [(h, b) for h, b in hooks if json.loads(b)["status"] == "published"]
    assert published_hooks, hooks
    headers, body = published_hooks[0]
    assert json.loads(body)["signal_id"] == signal.id
    assert headers["X-Sentinelle-Signature"] == "sha256=" + sign("s3cret", body)
    # Nothing left to send, nothing sent twice.
    assert dispatch(session, settings)["sent"] == 0


def test_an_unreachable_webhook_is_retried_then_marked_failed(session: Session, world: World,
                                                              settings: Settings) -> None:
    subscribe(session, world.users["paris"], product_id=world.products[0].id,
              webhook_url=f"http://127.0.0.1:{_free_port()}/closed")
    published_signal(session, world)
    settings.webhook_timeout_s = 1
    for _ in range(5):
        dispatch(session, settings)
    row = session.scalar(select(Delivery).where(Delivery.channel == "webhook"))
    assert row.status == "failed" and row.attempts == 5 and "ConnectError" in row.last_error
