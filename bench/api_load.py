"""Load benchmark of the JSON API: p50/p95 latency of the signal list and of product search.

Builds a national-size store (default 100,000 products, 20,000 signals, 3,000 establishments),
serves it with uvicorn on loopback, and drives it with N concurrent clients for S seconds per
endpoint (wrk, installed by `apt-get install wrk`). The baseline, measured in the same run, is
GET /api/v1/products/1 (one row by key): results are given as a ratio against it.

    .venv/bin/python bench/api_load.py --db sqlite --seconds 60 --users 50
    .venv/bin/python bench/api_load.py --db postgresql --seconds 60 --users 50
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("SENTINELLE_TEST_CHEAP_HASH", "1")

import httpx
from rich.progress import Progress
from sqlalchemy import insert, text

from sentinelle.accounts.service import create_user, issue_token
from sentinelle.catalogue.codes import finess_with_key
from sentinelle.catalogue.models import Organisation, Product
from sentinelle.catalogue.regions import REGIONS
from sentinelle.catalogue.service import fold
from sentinelle.signals.models import Declarer, Signal
from sentinelle.store.db import make_engine, session_factory, upgrade

WORDS = ("seringue", "aiguille", "sonde", "cathéter", "perfuseur", "compresse", "gant", "masque", "pansement",
         "canule", "drain", "valve", "stent", "prothèse", "électrode", "filtre", "tubulure", "poche", "lame", "clip")
SIZES = ("5 mL", "10 mL", "20 mL", "21G", "23G", "Ch 12", "Ch 16", "petit", "moyen", "grand", "stérile")


def build(url: str, products: int, signals: int, establishments: int) -> str:
    """Fill the store; returns an establishment user's API token."""
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    rng = random.Random(7)
    with session_factory(engine)() as s, Progress() as bar:
        task = bar.add_task("store", total=establishments + products + signals)
        regions = [r.code for r in REGIONS]
        orgs = [{"kind": "establishment", "name": f"CH {i}", "finess": finess_with_key(f"{10 + i % 80:02d}{i:06d}"),
                 "region_code": regions[i % len(regions)], "sentinel": i % 10 == 0, "created_at": datetime.now()}
                for i in range(establishments)]
        s.execute(insert(Organisation), orgs)
        bar.advance(task, establishments)
        org_ids = [row[0] for row in s.execute(text("SELECT id FROM organisation ORDER BY id"))]
        for start in range(0, products, 10000):
            rows = []
            for i in range(start, min(products, start + 10000)):
                name = f"{rng.choice(WORDS).capitalize()} {rng.choice(SIZES)} réf. {i}"
                rows.append({"kind": "device", "name": name, "name_lower": fold(name), "emdn_code": None,
                             "seasonal": False, "created_at": datetime.now()})
            s.execute(insert(Product), rows)
            bar.advance(task, len(rows))
        statuses = ["declared", "qualified", "validated", "published", "published", "resolved", "rejected"]
        today = date.today()
        for start in range(0, signals, 5000):
            rows = []
            for _ in range(start, min(signals, start + 5000)):
                status = rng.choice(statuses)
                org = rng.choice(org_ids)
                rows.append({"kind": rng.choice(["tension", "rupture", "discontinuation"]), "status": status,
                             "source": "establishment", "product_id": rng.randint(1, products),
                             "region_code": regions[org % len(regions)], "organisation_id": org,
                             "confidential": False, "cause": "unknown", "cause_detail": "",
                             "started_at": today - timedelta(days=rng.randint(0, 700)), "measures_taken": "",
                             "public_message": "Message", "reject_reason": "", "notice_late": False,
                             "created_at": datetime.now(), "updated_at": datetime.now() - timedelta(
                                 minutes=rng.randint(0, 10**6)),
                             "published_at": datetime.now() if status in ("published", "resolved") else None,
                             "version": 1})
            s.execute(insert(Signal), rows)
            bar.advance(task, len(rows))
        s.execute(insert(Declarer), [{"signal_id": sid, "organisation_id": org, "declared_at": datetime.now()}
                                     for sid, org in s.execute(text("SELECT id, organisation_id FROM signal"))])
        user = create_user(s, None, email="bench@h.fr", name="bench", password="bench-password",
                           role="establishment", organisation_id=org_ids[0])
        token = issue_token(s, user, "bench")[1]
        s.commit()
        if url.startswith("postgresql"):
            s.execute(text("ANALYZE"))
            s.commit()
    engine.dispose()
    return token


# Only the summary and the think time are scripted: a scripted request() made wrk send malformed requests here.
LUA = """
math.randomseed(os.time())
local think = THINK_MS
-- A user reads the page before the next click: think time drawn uniformly in [mean/2, 3 mean/2].
-- (Bounded: wrk counts a connection idle for over 2 s since its last request as a timeout.)
if think > 0 then
  delay = function() return think * (0.5 + math.random()) end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %.3f %.3f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def drive(base: str, path: str, users: int, seconds: float, headers: dict[str, str],
          think_ms: float) -> tuple[int, float, float]:
    """wrk (a C load generator: Python's own clients saturate a core first) with `users` connections,
    each waiting `think_ms` on average between an answer and its next request (0: back to back)."""
    script = Path(tempfile.mkdtemp()) / "summary.lua"
    script.write_text(LUA.replace("THINK_MS", str(think_ms)))
    extra = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    out = subprocess.run(["wrk", "-t2", f"-c{users}", f"-d{int(seconds)}s", "-s", str(script), *extra, base + path],
                         capture_output=True, text=True, check=True).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT"))
    n, status_errors, socket_errors, p50, p95 = line.split()[1:]
    if int(status_errors):
        raise SystemExit(f"{status_errors} non-2xx answers:\n{out}")
    if int(socket_errors):
        # wrk gives up on a request after 2 s: those count as failures, reported beside the figures.
        print(f"  {socket_errors} requests timed out (over 2 s)", flush=True)
    return int(n), float(p50), float(p95)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/sentinelle_bench")
    ap.add_argument("--products", type=int, default=100_000)
    ap.add_argument("--signals", type=int, default=20_000)
    ap.add_argument("--establishments", type=int, default=3_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--think-ms", type=float, default=1000,
                    help="mean think time of a user between two requests; the saturation run uses 0")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="sentinelle-bench-"))
    if args.db == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
    else:
        url = args.pg_url
        admin = make_engine(url.rsplit("/", 1)[0] + "/test").execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS sentinelle_bench WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE sentinelle_bench"))
        admin.dispose()
    token = build(url, args.products, args.signals, args.establishments)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SENTINELLE_DATABASE_URL": url, "SENTINELLE_VAR_DIR": str(tmp),
           "SENTINELLE_SECRET_KEY": "bench-secret-0123456789"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "sentinelle.web.asgi:app", "--host", "127.0.0.1",
                               "--port", str(port), "--workers", str(args.workers), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/api/v1/products/1", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        scenarios = {
            "baseline GET /products/1": ("/api/v1/products/1", {}),
            "signal list, anonymous": ("/api/v1/signals?status=published&page=2", {}),
            "signal list, hospital": ("/api/v1/signals?page=2", {"Authorization": f"Bearer {token}"}),
            "product search": ("/api/v1/products?q=seringue%20Ch", {}),
        }
        results = {}
        # Two loads: users who read between clicks (the aim), and connections firing back to back
        # (saturation: there, latency is users / throughput, a measure of the machine's capacity).
        for mode, think in ((f"users, think {args.think_ms:.0f} ms", args.think_ms), ("saturation", 0.0)):
            for name, (path, headers) in scenarios.items():
                n, p50, p95 = drive(base, path, args.users, args.seconds, headers, think)
                results[(mode, name)] = (n, p50, p95)
                print(f"{mode} | {name}: {n} requests, p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
    finally:
        server.terminate()
        server.wait(10)
    print(f"\n| {args.db} | load | requests/s | p50 ms | p95 ms | p95 / baseline p95 |\n|---|---|---|---|---|---|")
    for (mode, name), (n, p50, p95) in results.items():
        base_p95 = results[(mode, "baseline GET /products/1")][2]
        print(f"| {name} | {mode} | {n / args.seconds:.0f} | {p50:.1f} | {p95:.1f} | {p95 / base_p95:.2f} |")
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.products} products, {args.signals} signals, {args.establishments} establishments, "
          f"{args.users} concurrent clients, {args.seconds:.0f} s per scenario, {args.workers} uvicorn workers")


if __name__ == "__main__":
    main()
