"""Backup and restore: time and size for the demo database and for one of a million rows, on SQLite
and PostgreSQL, each against a baseline measured in the same run (a plain copy of the database file
for SQLite, a plain `pg_dump` for PostgreSQL).

    .venv/bin/python bench/backup.py --rows 1000000
    .venv/bin/python bench/backup.py --rows 1000000 --postgresql postgresql+psycopg://postgres@127.0.0.1:5432/test

The million rows are notifications (one of the larger tables in use), added to the demo data.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("SENTINELLE_TEST_CHEAP_HASH", "1")

from sqlalchemy import create_engine, insert, text

from sentinelle.config import Settings
from sentinelle.notifications.models import Notification
from sentinelle.store import backup
from sentinelle.store.db import make_engine


def demo(var: Path, url: str = "") -> None:
    env = {**os.environ, "SENTINELLE_VAR_DIR": str(var)}
    if url:
        env["SENTINELLE_DATABASE_URL"] = url
    subprocess.run([sys.executable, "-m", "sentinelle.cli", "demo", "--no-serve"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def add_rows(url: str, rows: int) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        user_id = conn.execute(text("SELECT min(id) FROM user_account")).scalar()
        now = datetime.now()
        for start in range(0, rows, 50_000):
            conn.execute(insert(Notification), [
                {"user_id": user_id, "title": f"Notification {i}", "body": "Tension sur un produit suivi.", "at": now}
                for i in range(start, min(rows, start + 50_000))])
    engine.dispose()


def fresh_pg(base: str, name: str) -> str:
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return base.rsplit("/", 1)[0] + f"/{name}"


def measure(label: str, url: str, var: Path, tmp: Path, pg_base: str | None) -> str:
    settings = Settings(var_dir=var, database_url=url)
    archive = tmp / f"{label}.tar.gz"
    t = time.perf_counter()
    manifest = backup.backup(settings, archive)
    backup_s = time.perf_counter() - t
    rows = sum(c.rows for c in manifest.tables.values())
    # Baseline: the database alone, the plain way.
    t = time.perf_counter()
    if url.startswith("sqlite"):
        shutil.copyfile(settings.resolved_database_url().removeprefix("sqlite:///"), tmp / "copy.db")
        base_label = "file copy"
    else:
        subprocess.run(["pg_dump", "--format=custom", "--dbname", url.replace("+psycopg", ""), "--file",
                        str(tmp / "plain.pgdump")], check=True)
        base_label = "pg_dump"
    baseline_s = time.perf_counter() - t
    fresh_url = "" if url.startswith("sqlite") else fresh_pg(pg_base or url, "bench_restore_" + label.replace("-", "_"))
    target = Settings(var_dir=tmp / f"restored-{label}", database_url=fresh_url)
    t = time.perf_counter()
    backup.restore(archive, target)
    restore_s = time.perf_counter() - t
    return (f"| {label} | {rows:,} | {archive.stat().st_size / 1e6:.1f} | {backup_s:.1f} | {restore_s:.1f} "
            f"(checked) | {base_label} {baseline_s:.2f} s | {backup_s / baseline_s:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgresql", help="a PostgreSQL URL whose server may hold two bench databases")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| database | rows (all tables) | archive (MB) | backup (s) | restore (s) | baseline, same run | "
          "backup ÷ baseline |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_sqlite:
            var = tmp / "demo"
            demo(var)
            url = f"sqlite:///{var / 'sentinelle.db'}"
            print(measure("sqlite-demo", url, var, tmp, None), flush=True)
            add_rows(url, args.rows)
            print(measure("sqlite-million", url, var, tmp, None), flush=True)
        if args.postgresql:
            pg = fresh_pg(args.postgresql, "bench_backup")
            pvar = tmp / "pg"
            demo(pvar, pg)
            print(measure("postgresql-demo", pg, pvar, tmp, args.postgresql), flush=True)
            add_rows(pg, args.rows)
            print(measure("postgresql-million", pg, pvar, tmp, args.postgresql), flush=True)


if __name__ == "__main__":
    main()
