"""The Alembic migrations build exactly the tables the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from sentinelle.store.metadata import metadata

# Built by migration 0002 for search, outside the models: SQLite's FTS5 table and its shadow tables,
# PostgreSQL's trigram index.
SEARCH_INDEX_OBJECTS = ("product_name_fts", "ix_product_name_trgm")


def _ours(diff: object) -> bool:
    text = repr(diff)
    return not any(name in text for name in SEARCH_INDEX_OBJECTS)


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, metadata) if _ours(d)]
    assert diffs == []


def test_a_value_its_column_cannot_hold_is_refused_naming_the_field(engine: Engine) -> None:
    import pytest

    from sentinelle.catalogue.models import Organisation
    from sentinelle.errors import Invalid
    from sentinelle.store.db import session_factory

    for values, field in (({"name": "x" * 301}, "name"), ({"name": "a\x00b"}, "name"),
                          ({"name": "CH", "region_code": "123"}, "region_code")):
        with session_factory(engine)() as session:
            session.add(Organisation(kind="establishment", **values))
            with pytest.raises(Invalid) as err:
                session.flush()
            assert err.value.field == field


def test_a_populated_database_of_the_previous_release_upgrades(engine: Engine) -> None:
    """Rows in every table the new migrations touch (signals referenced by others, declarers, tokens,
    webhooks and deliveries), then the upgrade: on SQLite no referenced table may be rebuilt."""
    from datetime import date, datetime

    from sqlalchemy import MetaData, insert, select, text

    from sentinelle.store.db import upgrade

    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        with engine.begin() as conn:
            for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%'")).all():
                conn.execute(text("PRAGMA foreign_keys=OFF"))
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
    upgrade(engine, "0010")
    old = MetaData()
    old.reflect(engine)
    now, t = datetime(2026, 1, 5), old.tables
    with engine.begin() as conn:
        conn.execute(insert(t["organisation"]).values(id=1, kind="establishment", name="CHU", region_code="84",
                                                      sentinel=False, created_at=now))
        conn.execute(insert(t["user_account"]).values(id=1, email="a@b.fr", name="A", password_hash="x",
                                                      role="establishment", organisation_id=1, active=True,
                                                      created_at=now))
        conn.execute(insert(t["product"]).values(id=1, kind="device", name="Seringue", name_lower="seringue", seasonal=False,
                                                 created_at=now))
        for sid, product_region in ((1, "84"), (2, "84")):  # a duplicate, as the race made them
            conn.execute(insert(t["signal"]).values(
                id=sid, kind="tension", status="declared", source="establishment", product_id=1,
                region_code=product_region, organisation_id=1, confidential=False, cause="unknown", cause_detail="",
                started_at=date(2026, 1, 5), measures_taken="", public_message="", reject_reason="", scope="national",
                notice_late=False, created_at=now, updated_at=now, version=1))
            conn.execute(insert(t["signal_declarer"]).values(signal_id=sid, organisation_id=1, user_id=1,
                                                             declared_at=now))
            conn.execute(insert(t["signal_event"]).values(signal_id=sid, at=now, actor_label="A", kind="comment",
                                                          message="vu", public=False))
        conn.execute(insert(t["api_token"]).values(user_id=1, name="t", token_hash="h" * 64, created_at=now,
                                                   revoked=False))
        conn.execute(insert(t["subscription"]).values(id=1, user_id=1, product_id=1, email=True,
                                                      webhook_url="https://93.184.215.1/x"))
        conn.execute(insert(t["delivery"]).values(channel="webhook", target="https://93.184.215.1/x", subject="",
                                                  payload={}, status="pending", attempts=0, last_error="",
                                                  created_at=now))
    upgrade(engine)
    new = MetaData()
    new.reflect(engine)
    with engine.connect() as conn:
        keys = conn.execute(select(new.tables["signal"].c.id, new.tables["signal"].c.open_key)
                            .order_by(new.tables["signal"].c.id)).all()
        assert keys == [(1, "1:84"), (2, None)]  # the oldest takes the key; the other waits for a merge
        assert conn.execute(select(new.tables["signal_declarer"].c.admitted)).scalars().all() == [True, True]
        assert conn.execute(select(new.tables["api_token"].c.expires_at)).scalar() is not None
        assert conn.execute(select(new.tables["subscription"].c.organisation_id)).scalar() == 1
        assert len(conn.execute(select(new.tables["signal_event"].c.id)).all()) == 2
