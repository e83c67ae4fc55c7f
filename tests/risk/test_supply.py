"""Supply concentration from order lines, the devices' vulnerability, and what manufacturers declare:
each figure computed by hand, each right tried by the wrong role."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import AuditEntry
from sentinelle.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from sentinelle.risk import declarations, supply
from sentinelle.risk.models import ProductVulnerability
from sentinelle.risk.schemas import InputIn, ProductSitesIn, SiteIn
from tests.factories import World

AS_OF = date(2026, 6, 1)


def _orders(rows: list[tuple[str, str, int, date, str | None, date | None]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE orders (product_id VARCHAR, supplier_id VARCHAR, quantity_ordered INTEGER, "
                "ordered_at DATE, emdn_code VARCHAR, cancelled_at DATE)")
    con.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)", rows)
    return con


def test_concentration_by_hand() -> None:
    day = AS_OF - timedelta(days=30)
    con = _orders([
        ("p1", "s1", 60, day, "A0201", None), ("p1", "s2", 30, day, "A0201", None), ("p1", "s3", 10, day, None, None),
        ("p1", "s3", 500, day, "A0201", day),  # cancelled: no demand met
        ("p1", "s4", 900, AS_OF - timedelta(days=400), "A0201", None),  # more than a year before
        ("p1", "s4", 900, AS_OF, "A0201", None),  # on the date itself: not yet known
        ("p2", "s1", 100, day, None, None),
        ("p3", "s9", 100, day, None, None),  # no category known: its own figures stand for it
    ])
    found = supply.concentration(con, AS_OF, {"p1": "A0201", "p2": "A0201"})
    p1, p2 = found["p1"], found["p2"]
    # p1: shares 0.6, 0.3, 0.1 → HHI 0.36 + 0.09 + 0.01 = 0.46.
    assert (p1.suppliers, round(p1.hhi, 6), p1.volume) == (3, 0.46, 100)
    # The category: s1 160, s2 30, s3 10 of 200 → 0.64 + 0.0225 + 0.0025 = 0.665.
    assert p1.category == p2.category == "A0201"
    assert (p2.category_suppliers, round(p2.category_hhi, 6)) == (3, 0.665)
    assert (p2.suppliers, p2.hhi) == (1, 1.0)
    assert (found["p3"].category, found["p3"].category_suppliers, found["p3"].category_hhi) == ("", 1, 1.0)


def test_a_fact_after_the_date_changes_nothing() -> None:
    day = AS_OF - timedelta(days=10)
    rows = [("p1", "s1", 50, day, "A01", None), ("p1", "s2", 50, day, "A01", None)]
    before = supply.concentration(_orders(rows), AS_OF)
    after = supply.concentration(_orders([*rows, ("p1", "s3", 1000, AS_OF + timedelta(days=1), "A01", None)]), AS_OF)
    assert before == after


def test_device_score_by_hand() -> None:
    lines = supply.Supply("p", 2, 0.5, 10.0, "A01", 4, 0.25)
    declared = declarations.Declared(sites=2, sites_outside_eu=1, single_source=1)
    score, parts, values = supply.device_score(supply.DeviceFacts(lines, shortages_2y=1, abroad=True,
                                                                  declared=declared))
    # 20 × 1/2 + 15 × 0.5 + 15 × 0.25 + 20 × 1/3 + 10 + 10 × 1/2 + 10 × 1/2 = 47.92
    assert parts == {"few_suppliers": 10.0, "concentration": 7.5, "category_concentration": 3.75,
                     "shortages_2y": 6.67, "abroad": 10.0, "sites_outside_eu": 5.0, "single_source": 5.0}
    assert score == 48 and values["suppliers"] == 2
    worst = supply.DeviceFacts(supply.Supply("p", 1, 1.0, 1.0, "A01", 1, 1.0), 9, True, declarations.Declared(1, 1, 5))
    assert supply.device_score(worst)[0] == 100
    assert sum(supply.DEVICE_POINTS.values()) == 100


def _declare(session: Session, world: World) -> None:
    u = world.users
    site = declarations.add_site(session, u["maker_a"], SiteIn(name="Usine de Hyderabad", country="in"))
    home = declarations.add_site(session, u["maker_a"], SiteIn(name="Usine de Lyon", country="FR"))
    declarations.set_product_sites(session, u["maker_a"], world.products[0].id,
                                   ProductSitesIn(site_ids=[site.id, home.id]))
    declarations.declare_input(session, u["maker_a"], world.products[0].id,
                               InputIn(name="Polypropylène médical", kind="raw_material", sources=1,
                                       origin_country="CN"))
    session.commit()


def test_a_manufacturer_declares_its_own_and_nobody_else(session: Session, world: World) -> None:
    u = world.users
    _declare(session, world)
    mine = declarations.mine(session, u["maker_a"])
    assert [s.country for s in mine.sites] == ["IN", "FR"] or [s.country for s in mine.sites] == ["FR", "IN"]
    first = next(p for p in mine.products if p.product.id == world.products[0].id)
    assert len(first.site_ids) == 2 and [i.name for i in first.inputs] == ["Polypropylène médical"]
    # The same name again replaces the declaration (one row), whatever its case.
    declarations.declare_input(session, u["maker_a"], world.products[0].id,
                               InputIn(name="polypropylène  médical", kind="raw_material", sources=3))
    [only] = declarations.inputs_of(session, u["maker_a"], world.products[0])
    assert (only.sources, only.origin_country) == (3, None)
    # Someone else's product: not found for the other maker; every other role refused.
    with pytest.raises(NotFound):
        declarations.declare_input(session, u["maker_b"], world.products[0].id,
                                   InputIn(name="x", kind="component", sources=1))
    for who in ("lyon", "region84", "national", "citizen"):
        with pytest.raises(Forbidden):
            declarations.add_site(session, u[who], SiteIn(name="x", country="FR"))
    with pytest.raises(NotAuthenticated):
        declarations.mine(session, None)
    # Another maker's site cannot be linked to one's product.
    other = declarations.add_site(session, u["maker_b"], SiteIn(name="Werk", country="DE"))
    with pytest.raises(Invalid, match=f"site {other.id}"):
        declarations.set_product_sites(session, u["maker_a"], world.products[0].id,
                                       ProductSitesIn(site_ids=[other.id]))
    # A country that is none, named with its field.
    with pytest.raises(Invalid) as refused:
        declarations.add_site(session, u["maker_a"], SiteIn(name="Usine", country="EU"))
    assert refused.value.field == "country" and "EU" in refused.value.message
    # The inputs are confidential: the maker and the national agency read them, nobody else.
    assert declarations.inputs_of(session, u["national"], world.products[0])
    for who in ("maker_b", "region84", "lyon", "citizen"):
        assert declarations.inputs_of(session, u[who], world.products[0]) == []
    assert declarations.inputs_of(session, None, world.products[0]) == []
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "supply.input")) is not None


def test_devices_are_scored_from_lines_and_declarations(session: Session, world: World) -> None:
    _declare(session, world)
    day = AS_OF - timedelta(days=20)
    gtin0, gtin1 = world.products[0].gtin, world.products[1].gtin
    con = _orders([(gtin0 or "", "s1", 10, day, None, None), (gtin1 or "", "s1", 30, day, None, None),
                   (gtin1 or "", "s2", 10, day, None, None)])
    done = supply.refresh(session, con, None, AS_OF)
    scores = {v.product_id: v for v in session.scalars(select(ProductVulnerability))}
    first = scores[world.products[0].id]
    assert first.model == "device" and done.devices == len(scores)
    # products[0] (A020101): one supplier → 20 + 15; its category A020101 has s1 alone → 15; sites one in
    # two outside the EU → 5; one single-source input → 5. Total 60.
    assert first.parts["few_suppliers"] == 20 and first.parts["category_concentration"] == 15
    assert first.score == 60
    # products[1]: s1 30, s2 10 → HHI 0.625, few_suppliers 1/2.
    assert scores[world.products[1].id].parts["concentration"] == round(15 * 0.625, 2)
    assert scores[world.products[1].id].values["suppliers"] == 2



def test_the_command_scores_devices_from_a_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from sentinelle import config
    from sentinelle.catalogue.service import create_product
    from sentinelle.cli import app
    from sentinelle.detection.ingest import connect
    from sentinelle.store import db

    monkeypatch.setenv("SENTINELLE_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SENTINELLE_DATABASE_URL", raising=False)
    config.get_settings.cache_clear()  # the command reads its settings afresh: this test's folder
    db.default_engine.cache_clear()
    try:
        engine = db.default_engine()
        db.upgrade(engine)
        with db.session_factory(engine)() as session:
            create_product(session, None, kind="device", name="Seringue", emdn_code="A0201", gtin="03760123450010")
            session.commit()
        store = tmp_path / "lines.duckdb"
        con = connect(store)
        con.execute("INSERT INTO orders VALUES ('690781810', 'o1', 'l1', '03760123450010', 'S1', ?, NULL, 10, '84', "
                    "NULL, 1, 0)", [AS_OF - timedelta(days=10)])
        con.close()
        runner = CliRunner()
        done = runner.invoke(app, ["risk", "vulnerability", "--orders", str(store), "--as-of", AS_OF.isoformat()])
        assert done.exit_code == 0, done.output
        assert "Vulnérabilité des dispositifs au 01/06/2026 : 1 notés" in done.output
        assert "sans lignes" not in done.output
        missing = runner.invoke(app, ["risk", "vulnerability", "--orders", str(tmp_path / "none.duckdb")])
        assert missing.exit_code != 0 and "--orders" in missing.output
    finally:
        config.get_settings.cache_clear()
        db.default_engine.cache_clear()
