"""The national agency opens the priority list on Monday morning and follows one product's rank to
its parts, in Chromium."""

from __future__ import annotations

from datetime import date

import pytest

from sentinelle.catalogue.service import create_product
from sentinelle.risk import pieu
from sentinelle.risk.models import ForeignShortage, ProductVulnerability
from sentinelle.risk.schemas import ScoreIn
from sentinelle.store.db import session_factory
from tests.browser.conftest import Site, axe_violations
from tests.browser.test_flow import log_in
from tests.factories import published_signal

pytestmark = pytest.mark.browser


def test_the_agency_follows_a_products_rank_to_its_parts(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    with session_factory(site.engine)() as s:
        world = site.world
        for key in ("lyon", "region84", "national", "grenoble"):
            world.users[key] = s.merge(world.users[key])
        world.products = [s.merge(p) for p in world.products]
        published_signal(s, world, product_index=0)
        mapping = pieu.start(s, world.users["grenoble"]).mapping
        pieu.set_score(s, world.users["grenoble"], mapping.id, ScoreIn(emdn_code="A02", p=4, i=4, e=3, u=4))
        medicine = create_product(s, None, kind="medicine", name="ÉTOMIDATE 2 mg/ml", cis="60000011",
                                  atc_code="N01AX07")
        medicine.substance_key = "etomidat"
        s.add(ProductVulnerability(product_id=medicine.id, score=50, parts={"mitm": 1.2}, values={"mitm": 1.0},
                                   as_of=date(2026, 1, 1)))
        s.add(ForeignShortage(source="fda-drugs", record_key="0409-6695-02", name="Etomidate Injection",
                              substance_key="etomidat", status="current", first_snapshot=date(2026, 6, 19),
                              last_snapshot=date(2026, 6, 19), posted_on=date(2022, 10, 5)))
        s.commit()
    log_in(page, site, "national@test.fr")
    page.get_by_role("link", name="Anticiper").click()
    page.get_by_role("link", name="Liste de priorité nationale").click()
    page.get_by_role("heading", level=1, name="Liste de priorité nationale").wait_for()
    # Not computed yet: the agency recomputes it, and is told so.
    page.get_by_role("button", name="Recalculer la liste").click()
    page.get_by_role("status").get_by_text("Liste de priorité recalculée : 2 produits.").wait_for()
    assert not axe_violations(page), axe_violations(page)
    rows = page.locator("table tbody tr")
    assert rows.first.locator("th").inner_text().startswith("ÉTOMIDATE")
    # Filtered by category, then opened.
    page.get_by_label("Catégorie (code EMDN ou ATC, ses premiers caractères)").fill("A02")
    page.get_by_role("button", name="Filtrer").click()
    assert rows.count() == 1
    page.get_by_role("link", name="Seringue 10 mL Luer lock").click()
    page.get_by_role("heading", level=1).filter(has_text="rang 2").wait_for()
    parts = page.locator("table").first.inner_text()
    assert "Signaux ouverts" in parts and "Tension d'approvisionnement n° 1 (Publié)" in parts
    assert "cartographie des risques d'un établissement" in parts and "méthode P.I.E.U" in parts
    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("link", name="Retour à la liste de priorité").click()
    page.get_by_label("Catégorie (code EMDN ou ATC, ses premiers caractères)").fill("")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name="ÉTOMIDATE 2 mg/ml").click()
    text = page.locator("main").inner_text()
    assert "Etomidate Injection" in text and "Vulnérabilité industrielle : 50/100" in text
    assert "médicament d'intérêt thérapeutique majeur" in text
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
