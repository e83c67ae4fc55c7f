"""The P.I.E.U mapping in Chromium: a hospital starts from another's shared reference, adapts a
score, imports a file after its preview and reads its heat map; the region reads its hospitals'
map put together and opens one."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinelle.risk import pieu
from sentinelle.risk.schemas import ScoreIn
from sentinelle.store.db import session_factory
from tests.browser.conftest import Site, axe_violations
from tests.browser.test_flow import log_in, log_out

pytestmark = pytest.mark.browser


def test_a_hospital_maps_from_a_reference_and_the_region_reads_it(page, site: Site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with session_factory(site.engine)() as s:
        lyon = s.merge(site.world.users["lyon"])
        reference = pieu.start(s, lyon).mapping
        for code, values in (("A02", (4, 4, 3, 4)), ("R01", (2, 4, 1, 3)), ("A0101", (1, 2, 2, 2))):
            pieu.set_score(s, lyon, reference.id, ScoreIn(emdn_code=code, p=values[0], i=values[1], e=values[2],
                                                          u=values[3]))
        pieu.share(s, lyon, reference.id, True)
        s.commit()
    # Grenoble has no mapping yet: it starts from Lyon's reference.
    log_in(page, site, "grenoble@test.fr")
    page.get_by_role("link", name="Anticiper").click()
    page.get_by_role("link", name="Cartographie des risques (P.I.E.U)").click()
    page.get_by_role("heading", name="Commencer votre cartographie").wait_for()
    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("button", name="Partir de cette référence (CHU de Lyon)").click()
    page.get_by_role("status").get_by_text("3 catégorie(s) reprise(s) de la cartographie de référence").wait_for()
    heat = page.locator("table.pieu")
    assert heat.locator("tbody tr").count() == 3
    assert heat.locator("tbody tr").first.locator("th").inner_text().startswith("A02")  # the riskiest first
    # It adapts R01 to its own practice: I from 4 to 1.
    page.get_by_label("Code EMDN de la catégorie").fill("R01")
    for criterion, value in (("P — Pannes", "2"), ("I — Importance pour les soins", "1"), ("E — État", "1"),
                             ("U — Utilisation", "3")):
        page.get_by_label(criterion).select_option(value)
    page.get_by_role("button", name="Enregistrer la cotation").click()
    page.get_by_role("status").get_by_text("R01 coté : criticité 6, risque faible.").wait_for()
    # A bad value is refused on the form, naming the field, and the focus goes there.
    page.get_by_label("Code EMDN de la catégorie").fill("Q99")
    for criterion in ("P — Pannes", "I — Importance pour les soins", "E — État", "U — Utilisation"):
        page.get_by_label(criterion).select_option("1")
    page.get_by_role("button", name="Enregistrer la cotation").click()
    page.get_by_role("alert").get_by_text("inconnu de la nomenclature EMDN : Q99").wait_for()
    # An import: what it would change first, then applied.
    csv = tmp_path / "cotations.csv"
    csv.write_text("emdn_code;p;i;e;u;note\nA03;3;3;2;2;perfusion\nA02;4;4;3;4;\n", encoding="utf-8")
    page.get_by_label("Fichier CSV").set_input_files(str(csv))
    page.get_by_role("button", name="Voir ce que le fichier change").click()
    page.get_by_text("Rien n'est encore enregistré.").wait_for()
    assert "1 catégorie(s) ajoutée(s)" in page.locator("main").inner_text()
    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("button", name="Appliquer l'import").click()
    page.get_by_role("status").get_by_text("Import appliqué : 1 catégorie(s) ajoutée(s)").wait_for()
    assert heat.locator("tbody tr").count() == 4
    assert not axe_violations(page), axe_violations(page)
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.set_viewport_size({"width": 1280, "height": 800})
    log_out(page)
    # The region's agency: its hospitals put together, then one of them.
    log_in(page, site, "region84@test.fr")
    page.get_by_role("link", name="Anticiper").click()
    page.get_by_role("link", name="Cartographie des risques (P.I.E.U)").click()
    page.get_by_role("heading", level=1, name="Cartographie des risques — Auvergne-Rhône-Alpes").wait_for()
    assert not axe_violations(page), axe_violations(page)
    assert "2 établissement(s) sur 2 ont une cartographie." in page.locator("main").inner_text()
    a02 = page.locator("tr", has=page.locator("th strong", has_text="A02")).first
    assert a02.locator("td").first.inner_text() == "2"  # two hospitals scored it
    page.get_by_role("link", name="CHU de Grenoble").click()
    page.locator("table.pieu").wait_for()
    assert page.get_by_role("button", name="Enregistrer la cotation").count() == 0  # read, never written
