"""The priority list's read time with 100,000 products, on SQLite and on PostgreSQL (issue 17's
target: under 200 ms at the 95th percentile).

A catalogue of 100,000 products (half devices with EMDN codes, half medicines with ATC codes), 300
hospitals in the 18 regions buying 400 products each, 3,000 open signals, a tenth of the medicines with
a vulnerability and a shortage abroad, some seasonal devices; the list is refreshed once (timed), then
each kind of read is run 200 times with random pages and filters, beside a baseline measured in the
same run: the first 50 products by id (the cheapest page a catalogue can serve).

    .venv/bin/python bench/priority_latency.py [--products 100000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.accounts.service import create_user
from sentinelle.catalogue.models import Organisation, Product, Purchase
from sentinelle.catalogue.regions import REGIONS
from sentinelle.risk import priority
from sentinelle.risk.models import ForeignShortage, ProductVulnerability
from sentinelle.signals.models import Signal
from sentinelle.store.db import make_engine, session_factory, upgrade

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def build(session: Session, products: int, rng: random.Random) -> None:
    regions = [r.code for r in REGIONS]
    session.execute(insert(Organisation), [{"kind": "establishment", "name": f"CH {i}", "finess": f"{i:09d}",
                                            "region_code": regions[i % len(regions)], "sentinel": False}
                                           for i in range(1, 301)])
    national = Organisation(kind="national", name="ANSM")
    session.add(national)
    session.flush()
    create_user(session, None, email="ansm@bench.fr", name="ANSM", password="correct horse battery staple",
                role="national", organisation_id=national.id)
    groups = [f"{c}{n:02d}" for c in "ABCDFGHJKLMNPQRSTVWYZ" for n in range(1, 16)]
    atc = [f"{c}{n:02d}" for c in "ABCDGHJLMNPRSV" for n in range(1, 20)]
    rows = []
    for i in range(products):
        device = i % 2 == 0
        code = f"{rng.choice(groups)}{rng.randint(1, 99):02d}{rng.randint(1, 99):02d}"
        rows.append({"kind": "device" if device else "medicine", "name": f"Produit {i}", "name_lower": f"produit {i}",
                     "emdn_code": code if device else None, "atc_code": None if device else f"{rng.choice(atc)}AA01",
                     "substance_key": None if device else f"substance{i % 20000}", "seasonal": device and i % 40 == 0})
    for start in range(0, len(rows), 10000):
        session.execute(insert(Product), rows[start:start + 10000])
    ids = list(session.scalars(select(Product.id)))
    establishments = list(session.scalars(select(Organisation.id).where(Organisation.kind == "establishment")))
    purchases = [{"establishment_id": e, "product_id": p} for e in establishments for p in rng.sample(ids, 400)]
    for start in range(0, len(purchases), 10000):
        session.execute(insert(Purchase), purchases[start:start + 10000])
    signals = [{"kind": rng.choice(("tension", "rupture", "discontinuation")),
                "status": rng.choice(("declared", "qualified", "published")), "source": "establishment",
                "product_id": p, "region_code": rng.choice(regions), "started_at": date(2026, 11, 1),
                "confidential": False, "scope": "national", "version": 1} for p in rng.sample(ids, 3000)]
    session.execute(insert(Signal), signals)
    medicines = [p for p, in session.execute(select(Product.id).where(Product.kind == "medicine"))]
    session.execute(insert(ProductVulnerability), [{"product_id": p, "score": rng.randint(0, 100), "parts": {},
                                                    "values": {}, "as_of": date(2026, 1, 26)}
                                                   for p in medicines[::10]])
    session.execute(insert(ForeignShortage), [{"source": "fda-drugs", "record_key": f"k{i}", "name": f"Drug {i}",
                                               "substance_key": f"substance{i}", "status": "current",
                                               "substances": "", "company": "", "reason": "", "url": "",
                                               "first_snapshot": date(2026, 6, 19), "last_snapshot": date(2026, 6, 19)}
                                              for i in range(0, 20000, 10)])
    session.commit()


def p95(fn: Callable[[], object], runs: int = 200) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * len(times)) - 1]


def run(url: str, label: str, products: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    rng = random.Random(7)
    with session_factory(engine)() as session:
        began = time.perf_counter()
        build(session, products, rng)
        built = time.perf_counter() - began
        began = time.perf_counter()
        listed = priority.refresh(session)
        session.commit()
        refreshed = time.perf_counter() - began
    print(f"\n{label}: {products} products, built in {built:.0f} s; refresh: {listed} on the list in {refreshed:.1f} s")
    print("| read | median (ms) | p95 (ms) | p95 / baseline p95 |\n|---|---|---|---|")
    regions = [r.code for r in REGIONS]
    with session_factory(engine)() as session:
        user = session.scalars(select(User)).one()
        base = p95(lambda: session.execute(select(Product).order_by(Product.id).limit(50)).all())
        reads: dict[str, Callable[[], object]] = {
            "baseline: 50 products by id": lambda: None,
            "page 1": lambda: priority.page(session, user),
            "a random page (1–200)": lambda: priority.page(session, user, offset=50 * rng.randint(0, 199)),
            "a region": lambda: priority.page(session, user, region=rng.choice(regions)),
            "a category (EMDN group or ATC class)": lambda: priority.page(
                session, user, category=rng.choice(("A01", "C05", "N02", "J01", "Z12"))),
            "a region and a category": lambda: priority.page(session, user, region=rng.choice(regions),
                                                              category=rng.choice(("A", "N", "C05"))),
            "one product's rank explained": lambda: priority.explain(
                session, user, session.scalar(select(priority.PriorityEntry.product_id).where(
                    priority.PriorityEntry.rank == rng.randint(1, 1000)))),
        }
        for name, fn in reads.items():
            median, high = base if name.startswith("baseline") else p95(fn)
            print(f"| {name} | {median:.1f} | {high:.1f} | {high / base[1]:.1f} |")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default=PG)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run(f"sqlite:///{Path(folder) / 'bench.db'}", "SQLite", args.products)
    server = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS bench_priority WITH (FORCE)"))
        conn.execute(text("CREATE DATABASE bench_priority"))
    try:
        run(args.database_url.rsplit("/", 1)[0] + "/bench_priority", "PostgreSQL", args.products)
    finally:
        with server.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS bench_priority WITH (FORCE)"))
        server.dispose()


if __name__ == "__main__":
    main()
