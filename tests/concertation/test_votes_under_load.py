"""200 people voting at once for 60 s against a real server on PostgreSQL: no vote lost, none counted
twice (issue 4). Each person's requests are sequential, so the last vote the server acknowledged is the
one that must stand."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, insert, select, text

from sentinelle.accounts.models import User
from sentinelle.accounts.security import hash_password
from sentinelle.accounts.service import issue_token
from sentinelle.concertation.models import Idea, IdeaVote
from sentinelle.store.db import session_factory
from sentinelle.store.metadata import metadata
from tests.conftest import need

VOTERS = int(os.environ.get("SENTINELLE_LOAD_VOTERS", "200"))
SECONDS = float(os.environ.get("SENTINELLE_LOAD_SECONDS", "60"))
IDEAS = 20


@pytest.fixture
def pg(request: pytest.FixtureRequest) -> Engine:
    engine = request.getfixturevalue("pg_engine")
    need(not isinstance(engine, str), str(engine))
    return engine


def test_two_hundred_voters_for_a_minute(pg: Engine, tmp_path: Path) -> None:
    with pg.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
                          + " RESTART IDENTITY CASCADE"))
    make = session_factory(pg)
    with make() as s:
        author = User(email="auteur@test.fr", name="Auteur", password_hash=hash_password("x" * 12), role="citizen")
        s.add(author)
        s.flush()
        rows = [Idea(theme="access", title=f"Idée {n}", author_id=author.id, author_name="Auteur") for n in range(IDEAS)]
        s.add_all(rows)
        s.flush()
        idea_ids = [i.id for i in rows]
        shared = hash_password("load-test-password")
        s.execute(insert(User), [{"email": f"v{i}@test.fr", "name": f"V{i}", "password_hash": shared,
                                  "role": "citizen"} for i in range(VOTERS)])
        voters = s.scalars(select(User).where(User.email.like("v%@test.fr")).order_by(User.id)).all()
        tokens = [issue_token(s, v, "load")[1] for v in voters]
        s.commit()
        voter_ids = [v.id for v in voters]

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "SENTINELLE_DATABASE_URL": pg.url.render_as_string(hide_password=False),
           "SENTINELLE_SECRET_KEY": "load-test-secret-0123456789", "SENTINELLE_VAR_DIR": str(tmp_path)}
    server = subprocess.Popen([str(Path(sys.executable).parent / "sentinelle"), "serve", "--port", str(port),
                               "--workers", "2"], env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/api/v1/ideas?limit=1", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
                time.sleep(0.2)
        last: list[dict[int, int]] = [{} for _ in range(VOTERS)]
        statuses: list[dict[int, int]] = [{} for _ in range(VOTERS)]
        start = threading.Barrier(VOTERS)
        stop_at = [0.0]

        def voter(n: int) -> None:
            rng = random.Random(n)
            with httpx.Client(base_url=base, timeout=30,
                              headers={"Authorization": f"Bearer {tokens[n]}"}) as client:
                start.wait()
                while time.monotonic() < stop_at[0]:
                    idea, value = rng.choice(idea_ids), rng.choice((-1, 0, 1))
                    r = client.put(f"/api/v1/ideas/{idea}/votes/mine", json={"value": value})
                    statuses[n][r.status_code] = statuses[n].get(r.status_code, 0) + 1
                    if r.status_code == 200:
                        last[n][idea] = value

        stop_at[0] = time.monotonic() + SECONDS + 5  # the barrier releases everyone within a few seconds
        threads = [threading.Thread(target=voter, args=(n,)) for n in range(VOTERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        server.terminate()
        server.wait(15)

    total: dict[int, int] = {}
    for s_ in statuses:
        for code, count in s_.items():
            total[code] = total.get(code, 0) + count
    assert set(total) <= {200, 429}, total  # nothing else: no error, no conflict
    assert total.get(200, 0) > VOTERS  # everyone voted, most several times
    expected = {(f"user:{voter_ids[n]}", idea): value for n in range(VOTERS) for idea, value in last[n].items()}
    with make() as s:
        stored = {(v.voter, v.idea_id): v.value for v in s.scalars(select(IdeaVote))}
    assert stored == expected  # every acknowledged last vote, once; nothing else
    print(f"\n{VOTERS} voters, {SECONDS:.0f} s: {total} — {len(stored)} votes standing")
