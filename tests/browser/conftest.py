"""A real server on loopback with a fresh SQLite database, and a real Chromium (Debian's) driven by Playwright."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine

from sentinelle.config import Settings
from sentinelle.store.db import make_engine, session_factory, upgrade
from sentinelle.web.app import create_app
from tests.conftest import need
from tests.factories import World, build_world

CHROMIUM = os.environ.get("SENTINELLE_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


@dataclass
class Site:
    url: str
    world: World
    engine: Engine  # to set the scene through the services; the flows under test go through the browser


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    engine = make_engine(f"sqlite:///{tmp_path / 'browser.db'}")
    upgrade(engine)
    with session_factory(engine)() as session:
        world = build_world(session)
        session.commit()
    settings = Settings(var_dir=tmp_path, secret_key="browser-tests-secret-0123456789")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine, settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield Site(f"http://127.0.0.1:{port}", world, engine)
    server.should_exit = True
    thread.join(10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    need(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="fr-FR")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    # Every page under its Content-Security-Policy: a script or style it blocks fails the test.
    blocked: list[str] = []
    pg.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield pg
    context.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked[:3]}"


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Serious and critical accessibility violations found by axe-core on the current page."""
    need(AXE.exists(), f"axe-core not installed at {AXE} (cd tests/browser && npm install)")
    # Evaluated through the DevTools protocol: a <script> tag would be (rightly) refused by the pages' CSP.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
