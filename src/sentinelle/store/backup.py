"""A way back after a disaster: one archive with the database, the detection store and the secret key,
a manifest with every table's row count and checksum, and a check of what was restored.

The snapshot is consistent while the service writes: SQLite's online backup API copies a database
page by page under its own read transaction; PostgreSQL's `pg_dump` reads an exported snapshot, the
same one the manifest's counts and checksums are taken in. The DuckDB detection store is copied by
DuckDB itself (`COPY FROM DATABASE`), read-only. Restoring checks every file's SHA-256 first, then
every table's count and checksum against the manifest."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from sentinelle.config import Settings
from sentinelle.errors import Invalid
from sentinelle.store.db import make_engine
from sentinelle.store.metadata import metadata

FORMAT = 1
Progress = Callable[[str], None]


@dataclass
class TableCheck:
    rows: int
    sha256: str


@dataclass
class Manifest:
    format: int
    created_at: str
    database: str  # "sqlite" | "postgresql"
    revision: str | None
    tables: dict[str, TableCheck]
    files: dict[str, str]  # archive member -> SHA-256
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({**self.__dict__, "tables": {k: v.__dict__ for k, v in self.tables.items()}},
                          ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, data: str) -> Manifest:
        raw = json.loads(data)
        raw["tables"] = {k: TableCheck(**v) for k, v in raw["tables"].items()}
        return cls(**raw)


def table_checks(conn: Connection) -> dict[str, TableCheck]:
    """Each table's row count and a SHA-256 of its rows in primary-key order (values as text)."""
    checks: dict[str, TableCheck] = {}
    for table in metadata.sorted_tables:
        digest, rows = hashlib.sha256(), 0
        order = list(table.primary_key.columns) or list(table.columns)
        result = conn.execution_options(stream_results=True, yield_per=10_000).execute(
            select(*table.columns).order_by(*order))
        for row in result:
            digest.update(repr(tuple(_canonical(v) for v in row)).encode())
            rows += 1
        checks[table.name] = TableCheck(rows, digest.hexdigest())
    return checks


def _canonical(value: Any) -> Any:
    """The same text for a value whichever database returns it (JSON key order, naive datetimes)."""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat()
    return value


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # a database never migrated has no revision
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env(url: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump / pg_restore from a SQLAlchemy URL (password in the environment)."""
    u = make_url(url)
    args = ["--host", u.host or "127.0.0.1", "--port", str(u.port or 5432), "--username", u.username or "postgres",
            "--dbname", u.database or "postgres"]
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    return args, env


def backup(settings: Settings, out: Path, *, progress: Progress | None = None) -> Manifest:
    """Write one archive (`out`, .tar.gz) of the running instance; returns its manifest."""
    say = progress or (lambda _: None)
    url = settings.resolved_database_url()
    with tempfile.TemporaryDirectory(prefix="sentinelle-backup-") as tmp:
        work = Path(tmp)
        files: dict[str, Path] = {}
        notes: list[str] = []
        if url.startswith("sqlite"):
            kind = "sqlite"
            say("base SQLite (sauvegarde en ligne)")
            source = make_url(url).database or ""
            target = work / "sentinelle.sqlite3"
            with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
                src.backup(dst)
            files["db/sentinelle.sqlite3"] = target
            engine = make_engine(f"sqlite:///{target}")
            with engine.connect() as conn:  # counted on the copy: exactly what the archive holds
                revision, tables = _revision(conn), table_checks(conn)
            engine.dispose()
        else:
            kind = "postgresql"
            say("base PostgreSQL (pg_dump dans un instantané exporté)")
            engine = create_engine(url)
            target = work / "sentinelle.pgdump"
            # One REPEATABLE READ transaction: its snapshot is exported to pg_dump and counted here.
            with engine.connect().execution_options(isolation_level="REPEATABLE READ",
                                                    postgresql_readonly=True) as conn:
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
                args, env = _pg_env(url)
                dump = subprocess.run(["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges",
                                       f"--snapshot={snapshot}", "--file", str(target)],
                                      env=env, capture_output=True, text=True)
                if dump.returncode != 0:
                    raise Invalid(f"pg_dump a échoué : {dump.stderr.strip()[:500]}", "database_url")
                revision, tables = _revision(conn), table_checks(conn)  # in the dump's snapshot
            engine.dispose()
            files["db/sentinelle.pgdump"] = target
        store = settings.detection_store()
        if store.exists():
            say("entrepôt de détection (DuckDB)")
            copy = work / "detection.duckdb"
            _copy_duckdb(store, copy)
            files["detection/detection.duckdb"] = copy
        else:
            notes.append("pas d'entrepôt de détection (var/detection.duckdb) à sauvegarder")
        key = settings.var_dir / "secret_key"
        if settings.secret_key:
            notes.append("clé secrète fournie par l'environnement (SENTINELLE_SECRET_KEY) : non sauvegardée, "
                         "à conserver avec la configuration")
        elif key.exists():
            files["secret_key"] = key
        manifest = Manifest(FORMAT, datetime.now(UTC).isoformat(timespec="seconds"), kind, revision, tables,
                            {name: _sha256(path) for name, path in files.items()}, notes)
        (work / "manifest.json").write_text(manifest.to_json(), encoding="utf-8")
        say("archive")
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        # Personal data and the secret key: readable by its owner only, from its first byte.
        partial.touch(mode=0o600)
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", "manifest.json")
            for name, path in files.items():
                archive.add(path, name)
        partial.replace(out)  # a finished archive or none: never a half-written one under its name
    return manifest


def _copy_duckdb(source: Path, target: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS dst")
        con.execute("COPY FROM DATABASE src TO dst")
    finally:
        con.close()


@contextmanager
def opened(archive: Path) -> Iterator[tuple[Manifest, Path]]:
    """The archive unpacked in a temporary folder, every file's checksum verified."""
    if not archive.is_file():
        raise Invalid(f"archive introuvable : {archive}", "archive")
    with tempfile.TemporaryDirectory(prefix="sentinelle-restore-") as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(work, filter="data")
            manifest = Manifest.from_json((work / "manifest.json").read_text(encoding="utf-8"))
        except (tarfile.TarError, OSError, EOFError, zlib.error, KeyError, ValueError, TypeError) as exc:
            raise Invalid(f"archive illisible ou tronquée : {exc or type(exc).__name__}", "archive") from exc
        for name, expected in manifest.files.items():
            if not (work / name).is_file() or _sha256(work / name) != expected:
                raise Invalid(f"archive corrompue : {name} ne correspond pas à son empreinte", "archive")
        yield manifest, work


def restore(archive: Path, settings: Settings, *, progress: Progress | None = None) -> Manifest:
    """Restore into `settings`' database (which must be empty) and var_dir; then check every table."""
    say = progress or (lambda _: None)
    url = settings.resolved_database_url()
    with opened(archive) as (manifest, work):
        if url.startswith("sqlite"):
            if manifest.database != "sqlite":
                raise Invalid("cette archive est une base PostgreSQL : donnez SENTINELLE_DATABASE_URL d'une base "
                              "PostgreSQL vide", "database_url")
            target = Path(make_url(url).database or "")
            if target.exists() and target.stat().st_size > 0:
                raise Invalid(f"la base {target} existe déjà : restaurez dans un dossier neuf", "database_url")
            say("base SQLite")
            shutil.copyfile(work / "db/sentinelle.sqlite3", target)
        else:
            if manifest.database != "postgresql":
                raise Invalid("cette archive est une base SQLite : restaurez-la sans SENTINELLE_DATABASE_URL "
                              "(ou dans une base SQLite)", "database_url")
            engine = create_engine(url)
            with engine.connect() as conn:
                used = conn.execute(text("SELECT count(*) FROM information_schema.tables "
                                         "WHERE table_schema = 'public'")).scalar()
            engine.dispose()
            if used:
                raise Invalid("la base PostgreSQL cible n'est pas vide : restaurez dans une base neuve", "database_url")
            say("base PostgreSQL (pg_restore)")
            args, env = _pg_env(url)
            done = subprocess.run(["pg_restore", *args, "--no-owner", "--no-privileges", "--exit-on-error",
                                   str(work / "db/sentinelle.pgdump")], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise Invalid(f"pg_restore a échoué : {done.stderr.strip()[:500]}", "database_url")
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        if (work / "detection/detection.duckdb").exists():
            say("entrepôt de détection")
            shutil.copyfile(work / "detection/detection.duckdb", settings.var_dir / "detection.duckdb")
        if (work / "secret_key").exists():
            shutil.copyfile(work / "secret_key", settings.var_dir / "secret_key")
            (settings.var_dir / "secret_key").chmod(0o600)
    say("vérification")
    problems = check(make_engine(url), manifest)
    if problems:
        raise Invalid("restauration incomplète : " + "; ".join(problems[:10]), "archive")
    return manifest


def check(engine: Engine, manifest: Manifest | None = None) -> list[str]:
    """What is wrong with this database: integrity (SQLite), revision, and, against a manifest, every
    table whose row count or checksum differs. An empty list: all is well."""
    problems: list[str] = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            if integrity != "ok":
                problems.append(f"intégrité SQLite : {integrity}")
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                problems.append(f"{len(broken)} référence(s) cassée(s), dont {broken[0]}")
        if manifest is not None:
            revision = _revision(conn)
            if revision != manifest.revision:
                problems.append(f"révision du schéma {revision}, attendue {manifest.revision}")
            found = table_checks(conn)
            for name, expected in manifest.tables.items():
                got = found.get(name)
                if got is None:
                    problems.append(f"table {name} absente")
                elif got.rows != expected.rows:
                    problems.append(f"table {name} : {got.rows} lignes, {expected.rows} attendues")
                elif got.sha256 != expected.sha256:
                    problems.append(f"table {name} : contenu différent (même nombre de lignes)")
    return problems
