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
from sentinelle.errors import Forbidden, Invalid
from sentinelle.notifications.models import Delivery
from sentinelle.notifications.service import (
    MAX_SUBSCRIPTIONS_PER_USER,
    MAX_WEBHOOKS_PER_ORGANISATION,
    dispatch,
    sign,
    subscribe,
    subscriptions,
)
from sentinelle.notifications.service import failures as notifications_failures
from sentinelle.store.base import utcnow
from tests.factories import World, published_signal


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
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
        def do_POST(self) -> None:
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
              webhook_secret="s3cret", allow_private=True)
    signal = published_signal(session, world)
    settings.smtp_host, settings.smtp_port = "127.0.0.1", port
    settings.webhook_allow_private = True  # the test's receiver is on loopback
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


def test_an_unreachable_webhook_is_retried_with_backoff_then_marked_failed(session: Session, world: World,
                                                                           settings: Settings) -> None:
    subscribe(session, world.users["paris"], product_id=world.products[0].id,
              webhook_url=f"http://127.0.0.1:{_free_port()}/closed", allow_private=True)
    published_signal(session, world)
    settings.webhook_timeout_s, settings.webhook_allow_private = 1, True
    waits = []
    for attempt in range(1, 6):
        dispatch(session, settings)
        row = session.scalar(select(Delivery).where(Delivery.channel == "webhook"))
        if attempt < 5:
            assert row.status == "pending"
            waits.append(round((row.next_attempt_at - utcnow()).total_seconds() / 60))
            assert dispatch(session, settings) == {"sent": 0, "failed": 0, "skipped": 0}  # not due yet
            row.next_attempt_at = utcnow()  # the wait has passed
            session.commit()
    assert waits == [1, 2, 4, 8]
    assert row.status == "failed" and row.attempts == 5 and "ConnectError" in row.last_error
    # Its owners see the failures.
    shown = notifications_failures(session, [row.subscription_id])[row.subscription_id]
    assert shown and shown[0].id == row.id


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/x", "http://localhost/x", "http://10.1.2.3/x",
                                 "http://192.168.0.1/x", "http://169.254.169.254/latest/meta-data/",
                                 "http://[::1]/x", "http://[::ffff:127.0.0.1]/x", "http://100.64.0.1/x",
                                 "ftp://example.org/x", "http:///x"])
def test_webhooks_to_internal_addresses_are_refused(session: Session, world: World, url: str) -> None:
    with pytest.raises(Invalid) as err:
        subscribe(session, world.users["paris"], product_id=world.products[0].id, webhook_url=url)
    assert err.value.field == "webhook_url"


def test_a_public_address_is_accepted_and_checked_again_before_sending(
        session: Session, world: World, settings: Settings, hook_server) -> None:  # type: ignore[no-untyped-def]
    # A literal public address: accepted (nothing is sent to it in this test).
    subscribe(session, world.users["paris"], product_id=world.products[1].id, webhook_url="https://93.184.215.9/x")
    # Allowed once by the operator, then the setting is withdrawn: the delivery is refused, not sent.
    hooks, port = hook_server
    subscribe(session, world.users["paris"], product_id=world.products[0].id,
              webhook_url=f"http://127.0.0.1:{port}/in", allow_private=True)
    published_signal(session, world)
    dispatch(session, settings)
    row = session.scalar(select(Delivery).where(Delivery.channel == "webhook"))
    assert row.status == "failed" and "adresse interne" in row.last_error and hooks == []


def test_webhooks_belong_to_organisations_and_are_capped(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        subscribe(session, world.users["citizen"], product_id=world.products[0].id,
                  webhook_url="https://93.184.215.9/x")
    for n in range(MAX_WEBHOOKS_PER_ORGANISATION):
        subscribe(session, world.users["lyon"], product_id=world.products[0].id,
                  webhook_url=f"https://93.184.215.{n + 1}/x")
    with pytest.raises(Invalid):
        subscribe(session, world.users["lyon"], product_id=world.products[0].id, webhook_url="https://93.184.215.99/x")
    # Lyon's organisation is one account here; its webhooks are its organisation's, listed to its members.
    assert len(subscriptions(session, world.users["lyon"])) == MAX_WEBHOOKS_PER_ORGANISATION
    assert subscriptions(session, world.users["grenoble"]) == []
    for _ in range(MAX_SUBSCRIPTIONS_PER_USER):
        subscribe(session, world.users["citizen"], region_code="84")
    with pytest.raises(Invalid):
        subscribe(session, world.users["citizen"], region_code="84")


def test_every_webhook_gets_a_signing_secret(session: Session, world: World) -> None:
    a = subscribe(session, world.users["lyon"], product_id=world.products[0].id, webhook_url="https://93.184.215.1/x")
    b = subscribe(session, world.users["lyon"], product_id=world.products[0].id, webhook_url="https://93.184.215.2/x")
    assert a.webhook_secret and b.webhook_secret and len(a.webhook_secret) >= 32 and a.webhook_secret != b.webhook_secret
