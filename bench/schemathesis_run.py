"""Schemathesis against the OpenAPI schema, on SQLite and PostgreSQL: requests sent and responses by
status class, valid and invalid cases, NUL characters allowed. The same run as the test
(tests/web/test_openapi_schemathesis.py), with more examples per operation.

    PYTHONPATH=. .venv/bin/python bench/schemathesis_run.py --examples 60
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SENTINELLE_TEST_CHEAP_HASH", "1")

from sqlalchemy import create_engine, text

from sentinelle.accounts.service import issue_token
from sentinelle.config import Settings
from sentinelle.store.db import make_engine, session_factory, upgrade
from tests.factories import build_world, published_signal
from tests.web.test_openapi_schemathesis import run_schemathesis

PG = os.environ.get("SENTINELLE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def one(label: str, url: str, var: Path, examples: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as s:
        world = build_world(s)
        s.commit()
        published_signal(s, world)
        token = issue_token(s, world.users["national"], "bench")[1]
        s.commit()
    started = time.perf_counter()
    seen = run_schemathesis(engine, Settings(var_dir=var, secret_key="bench-secret-0123456789"), token, examples)
    print(f"| {label} | {sum(seen.values()):,} | {seen['2xx']:,} | {seen['4xx']:,} | {seen['5xx']} | "
          f"{time.perf_counter() - started:.0f} |", flush=True)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=60, help="examples per operation and mode")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{args.examples} examples per operation, valid and invalid")
    print("| database | requests | 2xx | 4xx | 5xx | seconds |\n|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        one("SQLite", f"sqlite:///{tmp}/api.db", Path(tmp), args.examples)
        admin = create_engine(PG, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS bench_schemathesis WITH (FORCE)"))
            conn.execute(text("CREATE DATABASE bench_schemathesis"))
        admin.dispose()
        one("PostgreSQL", PG.rsplit("/", 1)[0] + "/bench_schemathesis", Path(tmp), args.examples)


if __name__ == "__main__":
    main()
