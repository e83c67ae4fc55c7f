"""A way back after a disaster (issue "Trust first", §8): a backup taken while the service writes,
restored into a fresh instance, where every row is found (counts and checksums) — on both databases."""

from __future__ import annotations

import tarfile
import threading
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from sentinelle.config import Settings
from sentinelle.errors import Invalid
from sentinelle.signals import service
from sentinelle.signals.models import Event
from sentinelle.store import backup
from sentinelle.store.db import make_engine, session_factory
from tests.conftest import pg_database
from tests.factories import World, build_world, declaration, published_signal


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _fresh_pg(name: str) -> str:
    url = pg_database(name)
    assert url is not None and not url.startswith("error:"), url
    return url


def test_a_backup_under_write_load_restores_every_row(engine: Engine, session: Session, world: World,
                                                      tmp_path: Path) -> None:
    signal = published_signal(session, world)
    var = tmp_path / "var"
    var.mkdir()
    (var / "secret_key").write_text("la-cle-de-cette-instance")
    with duckdb.connect(str(var / "detection.duckdb")) as con:
        con.execute("CREATE TABLE det_lines AS SELECT range AS id FROM range(1000)")
    settings = Settings(var_dir=var, database_url=_url(engine))
    before = set(session.scalars(select(Event.id)))

    # Someone keeps commenting while the backup runs.
    stop, written = threading.Event(), [0]

    def write() -> None:
        make = session_factory(engine)
        while not stop.is_set():
            with make() as s:
                service.comment(s, s.merge(world.users["national"]), signal.id, f"commentaire {written[0]}")
                s.commit()
            written[0] += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        archive = tmp_path / "sauvegarde.tar.gz"
        manifest = backup.backup(settings, archive)
    finally:
        stop.set()
        writer.join()
    assert written[0] > 0, "no write happened during the backup"
    assert archive.stat().st_mode & 0o777 == 0o600  # personal data and the secret key
    assert manifest.tables["signal"].rows >= 1 and manifest.tables["user_account"].rows == len(world.users)

    # A fresh instance: an empty folder, and for PostgreSQL an empty database.
    fresh = tmp_path / "neuve"
    url = "" if engine.dialect.name == "sqlite" else _fresh_pg("sentinelle_restore")
    restored = backup.restore(archive, Settings(var_dir=fresh, database_url=url))
    target = make_engine(Settings(var_dir=fresh, database_url=url).resolved_database_url())
    try:
        assert backup.check(target, restored) == []
        with target.connect() as conn:
            ids = set(conn.scalars(select(Event.id)))
            assert before <= ids  # every row committed before the backup began
            assert conn.scalar(select(func.count(Event.id))) == manifest.tables["signal_event"].rows
    finally:
        target.dispose()
    assert (fresh / "secret_key").read_text() == "la-cle-de-cette-instance"
    with duckdb.connect(str(fresh / "detection.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM det_lines").fetchone() == (1000,)


def test_a_corrupted_archive_is_refused_before_anything_is_written(engine: Engine, world: World,
                                                                   tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var", database_url=_url(engine))
    archive = tmp_path / "a.tar.gz"
    backup.backup(settings, archive)
    tampered = tmp_path / "b.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member)
            if member.name.startswith("db/"):
                raw = bytearray(data.read())  # type: ignore[union-attr]
                raw[len(raw) // 2] ^= 0xFF
                import io

                member.size = len(raw)
                dst.addfile(member, io.BytesIO(bytes(raw)))
            else:
                dst.addfile(member, data)
    fresh = tmp_path / "neuve"
    with pytest.raises(Invalid) as err:
        backup.restore(tampered, Settings(var_dir=fresh))
    assert "corrompue" in err.value.message and not (fresh / "sentinelle.db").exists()
    # And a restore never overwrites a database that holds data.
    if engine.dialect.name == "sqlite":
        with pytest.raises(Invalid) as err:
            backup.restore(archive, settings)
        assert "existe déjà" in err.value.message


def test_db_check_finds_a_row_changed_after_the_backup(engine: Engine, session: Session, world: World,
                                                       tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var", database_url=_url(engine))
    archive = tmp_path / "a.tar.gz"
    manifest = backup.backup(settings, archive)
    assert backup.check(engine, manifest) == []
    service.declare(session, world.users["lyon"], declaration(world.products[0]))
    session.commit()
    problems = backup.check(engine, manifest)
    assert any(p.startswith("table signal :") for p in problems), problems


def test_backup_restore_and_check_from_the_command_line(sqlite_template: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from sentinelle import cli, config

    var = tmp_path / "var"
    var.mkdir()
    shutil.copy(sqlite_template, var / "sentinelle.db")
    with session_factory(make_engine(f"sqlite:///{var / 'sentinelle.db'}"))() as s:
        build_world(s)
        s.commit()
    monkeypatch.setenv("SENTINELLE_VAR_DIR", str(var))
    monkeypatch.delenv("SENTINELLE_DATABASE_URL", raising=False)
    config.get_settings.cache_clear()
    from sentinelle.store import db

    db.default_engine.cache_clear()
    runner = CliRunner()
    try:
        made = runner.invoke(cli.app, ["backup", "--out", str(tmp_path / "s.tar.gz")])
        assert made.exit_code == 0 and "Sauvegarde écrite" in made.output, made.output
        checked = runner.invoke(cli.app, ["db", "check", "--against", str(tmp_path / "s.tar.gz")])
        assert checked.exit_code == 0 and "conformes" in checked.output, checked.output
        back = runner.invoke(cli.app, ["restore", str(tmp_path / "s.tar.gz"), "--var-dir", str(tmp_path / "new")])
        assert back.exit_code == 0 and "Restauré et vérifié" in back.output, back.output
        again = runner.invoke(cli.app, ["restore", str(tmp_path / "s.tar.gz"), "--var-dir", str(tmp_path / "new")])
        assert again.exit_code == 2 and "existe déjà" in again.output
    finally:
        config.get_settings.cache_clear()
        db.default_engine.cache_clear()


def test_a_truncated_archive_is_refused_clearly(engine: Engine, world: World, tmp_path: Path) -> None:
    archive = tmp_path / "a.tar.gz"
    backup.backup(Settings(var_dir=tmp_path / "var", database_url=_url(engine)), archive)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(Invalid) as err:
        backup.restore(cut, Settings(var_dir=tmp_path / "neuve"))
    assert "tronquée" in err.value.message
