"""Results page of a questionnaire with many answers (issue 4: under 300 ms at 100,000 answers).

    .venv/bin/python bench/questionnaire_results.py [--answers 100000] [--database sqlite|postgresql]

The default questionnaire is opened and answered `--answers` times through the service (one account
each — the accounts are written in bulk with one shared password hash, their creation is not what is
measured), at random. Then `sentinelle serve` (uvicorn on loopback, its own process) serves the results
page and the JSON results; each is requested 30 times after a warm-up, one at a time, and the median
and 95th percentile of the whole request are printed.
Beside it, in the same run, the baseline: the same counts computed the straightforward way, reading
every answer (SELECT of the answers, counted in Python).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from rich.progress import Progress
from sqlalchemy import insert, select

from sentinelle.accounts.models import User
from sentinelle.accounts.security import hash_password
from sentinelle.catalogue.regions import REGIONS
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation.default_questionnaire import QUESTIONS, SLUG, TITLE
from sentinelle.concertation.models import PROFILES, QuestionnaireResponse
from sentinelle.concertation.schemas import Question
from sentinelle.demo import random_answers
from sentinelle.store.db import make_engine, session_factory, upgrade


def timed(client: httpx.Client, url: str, n: int = 30) -> tuple[float, float]:
    client.get(url).raise_for_status()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client.get(url).raise_for_status()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (n - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--answers", type=int, default=100_000)
    ap.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sentinelle-bench-q-"))
    url = (f"sqlite:///{work / 'bench.db'}" if args.database == "sqlite"
           else os.environ.get("SENTINELLE_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(1)
    questions = [Question.model_validate(q) for q in QUESTIONS]
    with session_factory(engine)() as s:
        shared = hash_password("bench-password-0123")
        s.execute(insert(User), [{"email": "ansm@bench.fr", "name": "ANSM", "password_hash": shared,
                                  "role": "national"}] + [
            {"email": f"p{i}@bench.fr", "name": f"P{i}", "password_hash": shared, "role": "citizen"}
            for i in range(args.answers)])
        s.commit()
        ansm = s.scalar(select(User).where(User.email == "ansm@bench.fr"))
        qs.create(s, ansm, SLUG, TITLE, QUESTIONS)
        qs.set_status(s, ansm, SLUG, "open")
        s.commit()
        people = s.scalars(select(User).where(User.role == "citizen")).all()
        regions = [r.code for r in REGIONS]
        start = time.perf_counter()
        with Progress() as bar:
            task = bar.add_task("réponses", total=len(people))
            for n, person in enumerate(people, start=1):
                qs.answer(s, person, SLUG, random_answers(rng, questions), profile=rng.choice(PROFILES),
                          region=rng.choice(regions))
                if n % 1000 == 0:
                    s.commit()
                    s.expunge_all()
                    bar.update(task, completed=n)
            s.commit()
        print(f"{len(people)} answers through the service in {time.perf_counter() - start:.0f} s", flush=True)

        # Baseline: the counts of every choice of every question, from the answers themselves.
        start = time.perf_counter()
        counts: Counter[tuple[str, str]] = Counter()
        for (answers,) in s.execute(select(QuestionnaireResponse.answers)):
            for key, value in answers.items():
                for choice in value if isinstance(value, list) else [value]:
                    counts[(key, str(choice))] += 1
        baseline_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        result = qs.results(s, SLUG)
        service_ms = (time.perf_counter() - start) * 1000
        source = next(q for q in result.questions if q.key == "source_fiable").breakdowns[0]
        assert all(counts[("source_fiable", x.choice)] == x.count for x in source.shares), "tallies differ"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "SENTINELLE_DATABASE_URL": url, "SENTINELLE_SECRET_KEY": "b" * 32,
           "SENTINELLE_VAR_DIR": str(work)}
    server = subprocess.Popen([str(Path(sys.executable).parent / "sentinelle"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get("/api/v1/openapi.json")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)
            rows = [(path, *timed(client, path)) for path in (
                f"/concertation/questionnaires/{SLUG}/resultats",
                f"/concertation/questionnaires/{SLUG}/resultats?par=region",
                f"/api/v1/questionnaires/{SLUG}/results",
                f"/api/v1/questionnaires/{SLUG}/results?margins=" + '{"profile":{"patient":0.1,"carer":0.1,'
                '"professional":0.1,"industry":0.05,"citizen":0.65}}')]
    finally:
        server.terminate()
        server.wait(10)
    print(f"\n{args.answers} answers, {args.database}; results from the tallies in the service: {service_ms:.1f} ms; "
          f"baseline (every answer read and counted): {baseline_ms:.0f} ms (ratio {baseline_ms / service_ms:.0f})")
    print("\n| request | median (ms) | p95 (ms) |\n|---|---|---|")
    for path, median, p95 in rows:
        print(f"| `{path[:90]}` | {median:.1f} | {p95:.1f} |")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
