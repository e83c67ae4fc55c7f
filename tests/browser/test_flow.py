"""The whole flow in a real browser: declaration to public page, the manufacturer's notice,
and axe-core on every main page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from sentinelle.alternatives import schemas as alternative_schemas
from sentinelle.alternatives import service as alternatives
from sentinelle.catalogue.service import add_member
from sentinelle.risk import declarations, impacts, pieu
from sentinelle.risk.schemas import ImpactIn, InputIn, ProductSitesIn, ScoreIn, SiteIn
from sentinelle.signals import service
from sentinelle.store.db import session_factory
from tests.browser.conftest import Site, axe_violations
from tests.factories import PASSWORD, declaration

pytestmark = pytest.mark.browser


def log_in(page, site: Site, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{site.url}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{site.url}/")


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Se déconnecter").click()


def test_declaration_to_public_page(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    # The pharmacist of a sentinel hospital declares a tension.
    log_in(page, site, "lyon@test.fr")
    page.get_by_role("link", name="Déclarer").click()
    page.get_by_label("Rechercher le produit (nom ou code)").fill("seringue")  # htmx fills the choices
    page.get_by_label(re.compile("Seringue 10 mL")).check()
    page.get_by_label("Nature").select_option("tension")
    page.get_by_label("Cause", exact=True).select_option("production")
    page.get_by_label("Fin prévue").fill((date.today() + timedelta(days=40)).isoformat())
    page.get_by_label("Couverture de stock (jours)").fill("9")
    page.get_by_label("Mesures prises").fill("Report des interventions programmées non urgentes")
    page.get_by_role("button", name="Déclarer").click()
    page.get_by_text("Déclaration enregistrée").wait_for()
    signal_url = page.url
    assert re.search(r"/signaux/\d+$", signal_url)
    log_out(page)

    # The regional agency sees it among its region's signals and qualifies it.
    log_in(page, site, "region84@test.fr")
    page.goto(f"{site.url}/signaux?region=84")
    page.get_by_role("link", name="Seringue 10 mL Luer lock").click()
    page.locator("#form-qualify").get_by_role("button", name="Qualifier").click()
    page.locator(".timeline").get_by_text("Qualifié (région)").wait_for()
    log_out(page)

    # The national agency validates, decides measures and an alternative, writes the message, publishes.
    log_in(page, site, "national@test.fr")
    page.goto(signal_url)
    page.locator("#form-validate").get_by_role("button", name="Valider").click()
    page.get_by_label("Type").select_option("quota")
    page.get_by_label("Description").fill("Livraisons contingentées à 80 % de la consommation")
    page.get_by_role("button", name="Ajouter la mesure").click()
    page.locator("#a-desc").fill("Seringue 10 mL embout Luer simple")
    page.get_by_label("Conditions d'emploi").fill("Vérifier la compatibilité des pousse-seringues")
    page.get_by_role("button", name="Ajouter l'alternative").click()
    page.get_by_label("Message public").fill("Tension sur les seringues 10 mL : commandes limitées aux besoins.")
    page.locator("#form-publish").get_by_role("button", name="Publier").click()
    page.locator("#h-facts").wait_for()
    assert "Publié" in page.locator("dl.facts").first.text_content()  # the badge is shown in capitals
    log_out(page)

    # Anyone, without logging in, finds it on the public pages and in the open data.
    page.goto(f"{site.url}/public")
    page.get_by_role("link", name="Seringue 10 mL Luer lock").click()
    body = page.locator("main").inner_text()
    assert "commandes limitées aux besoins" in body
    assert "Livraisons contingentées" in body and "embout Luer simple" in body
    csv_text = page.request.get(f"{site.url}/api/v1/opendata/shortages.csv").text()
    assert "Seringue 10 mL Luer lock" in csv_text and "quota: Livraisons contingentées" in csv_text
    page.goto(f"{site.url}/public")
    assert page.locator("link[type='application/atom+xml']").count() == 1
    # The shortage closes, and the hospital writes its lessons learned.
    log_in(page, site, "national@test.fr")
    page.goto(signal_url)
    page.locator("#form-resolve").get_by_role("button", name="Clore (remis à disposition)").click()
    page.locator(".timeline").get_by_text("Remis à disposition").first.wait_for()
    log_out(page)
    log_in(page, site, "lyon@test.fr")
    page.goto(signal_url)
    page.get_by_label("Ce qui a fonctionné").fill("La répartition régionale des stocks")
    page.get_by_label("Recommandation").fill("Constituer un stock tampon de 30 jours")
    page.get_by_role("button", name="Enregistrer le RETEX").click()
    page.get_by_text("Constituer un stock tampon de 30 jours").wait_for()


def test_manufacturer_notice_reaches_the_customer(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    log_in(page, site, "maker_a@test.fr")
    page.get_by_role("link", name="Préavis d'interruption").click()
    page.get_by_label("Produit").select_option(label="Seringue 10 mL Luer lock")
    page.get_by_label("Date d'interruption").fill((date.today() + timedelta(days=60)).isoformat())
    page.get_by_label("Précisions").fill("Fermeture d'une ligne de production")
    page.get_by_role("button", name="Déposer le préavis").click()
    page.get_by_text("il est tardif").wait_for()
    assert "Préavis tardif" in page.locator("main").inner_text()
    log_out(page)
    # Lyon buys this product: the notice is in its inbox.
    log_in(page, site, "lyon@test.fr")
    page.get_by_role("link", name="Notifications").click()
    page.get_by_role("link", name=re.compile("Préavis d'interruption : Seringue")).click()
    assert "Confidentiel" in page.locator("main").inner_text()
    log_out(page)
    # Another hospital does not see it.
    log_in(page, site, "paris@test.fr")
    response = page.goto(f"{site.url}/signaux/1")
    assert response.status == 404


def test_keyboard_reaches_the_content_first(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    page.goto(site.url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"


def test_regional_tension_then_a_rated_alternative(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    w = site.world
    with session_factory(site.engine)() as s:
        signal = service.declare(s, s.merge(w.users["grenoble"]), declaration(w.products[1])).signal
        s.commit()
        signal_id = signal.id
    # The regional agency qualifies it and publishes it as a regional tension, without the nation.
    log_in(page, site, "region84@test.fr")
    page.goto(f"{site.url}/signaux/{signal_id}")
    page.locator("#form-qualify").get_by_role("button", name="Qualifier").click()
    form = page.locator("#form-publish_regional")
    form.get_by_label("Message public").fill("Retards chez le distributeur régional : dépannage entre CHU.")
    form.get_by_role("button", name="Publier comme tension régionale").click()
    page.get_by_text("Tension régionale : publiée par l'agence régionale").wait_for()
    log_out(page)
    page.goto(f"{site.url}/public?region=84")
    row = page.locator("tr", has_text="Aiguille hypodermique 21G")
    assert "régionale" in row.text_content()  # the badge is shown in capitals
    # The nation adds an alternative; a hospital that tried it rates it from the product page.
    with session_factory(site.engine)() as s:
        alternatives.add(s, s.merge(w.users["national"]), signal_id, alternative_schemas.AlternativeIn(
            description="Aiguille 22G", conditions="Débit plus faible"))
        s.commit()
    log_in(page, site, "lyon@test.fr")
    page.goto(f"{site.url}/produits?q=aiguille")
    page.get_by_role("link", name="Aiguille hypodermique 21G").click()
    page.get_by_label("Note (1 : inutilisable, 5 : équivalent)").select_option("4")
    page.get_by_label("Commentaire (facultatif)").fill("Convient hors pédiatrie")
    page.get_by_role("button", name="Noter").click()
    page.get_by_text("Votre note est enregistrée.").wait_for()
    assert "4,0 / 5 (1 avis)" in page.locator(".rating").first.inner_text()


def test_dashboard_map_and_purchaser_catalogue(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    w = site.world
    with session_factory(site.engine)() as s:
        service.declare(s, s.merge(w.users["paris"]), declaration(w.products[2]))
        add_member(s, s.merge(w.users["national"]), w.orgs["uniha"].id, w.orgs["lyon"].id)
        s.commit()
    log_in(page, site, "national@test.fr")
    regions = page.locator("figure.map svg a")
    assert regions.count() == 18 and page.locator("figure.map path.region").count() == 18
    idf = page.get_by_role("link", name="Île-de-France : 1 signaux ouverts")
    idf.focus()  # reachable by keyboard, like any link
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/signaux\?region=11$"))
    assert "Sonde d'intubation 7.0" in page.locator("main").inner_text()
    log_out(page)
    # The purchasing group sees what its member (Lyon) buys.
    log_in(page, site, "purchaser@test.fr")
    page.get_by_role("link", name="Catalogue des adhérents").click()
    row = page.locator("tr", has_text="Seringue 10 mL Luer lock")
    assert row.locator("td").nth(1).inner_text() == "1"


PAGES = {
    None: ["/", "/public", "/connexion", "/produits?q=seringue", "/produits/1", "/concertation", "/concertation/idees",
           "/concertation/idees/groupes"],
    "national@test.fr": ["/", "/signaux", "/signaux/1", "/audit", "/import", "/notifications", "/public/signaux/1",
                         "/concertation", "/concertation/questionnaires/nouveau", "/anticiper", "/risques", "/risques/grilles",
                         "/impacts", "/impacts?by=region", "/priorites", "/veille-saisonniere/versions", "/vulnerabilite",
                         "/vulnerabilite?produits=dispositifs"],
    "lyon@test.fr": ["/declarer?q=seringue", "/produits/1", "/compte", "/notifications", "/risques", "/veille-saisonniere",
                     "/risques/references"],
    "region84@test.fr": ["/risques/regions/84"],
    "maker_a@test.fr": ["/preavis", "/approvisionnement"],
    "purchaser@test.fr": ["/adherents"],
}


def test_main_pages_have_no_serious_accessibility_violation(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    # One published signal, so that the detail pages exist.
    log_in(page, site, "national@test.fr")
    token = page.evaluate("document.body.getAttribute('hx-headers')")
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', token).group(1)
    api = page.request
    created = api.post(f"{site.url}/api/v1/signals", headers={"X-CSRF-Token": csrf}, data={
        "product_id": site.world.products[0].id, "kind": "rupture", "started_at": date.today().isoformat()}).json()
    for action in ("validate", "publish"):
        current = api.get(f"{site.url}/api/v1/signals/{created['id']}").json()
        r = api.post(f"{site.url}/api/v1/signals/{created['id']}/transitions", headers={"X-CSRF-Token": csrf},
                     data={"action": action, "version": current["version"], "public_message": "Rupture"})
        assert r.ok, r.text()
    r = api.post(f"{site.url}/api/v1/signals/{created['id']}/alternatives", headers={"X-CSRF-Token": csrf},
                 data={"description": "Seringue 10 mL Luer simple"})
    assert r.ok, r.text()  # so that the rating form is on the product page
    log_out(page)
    # And a signal raised by detection, for its supply chart.
    with session_factory(site.engine)() as s:
        weeks = [date(2025, 1, 6) + timedelta(weeks=i) for i in range(10)]
        raised = service.declare_candidate(
            s, product=s.merge(site.world.products[2]), region_code=None, started_at=weeks[6],
            evidence="8 lignes anormales sur 10", external_ref="detection:axe", concerned=[],
            series=[(w, 10, 1.0 - 0.08 * i, 0.5 * i) for i, w in enumerate(weeks)])
        # A P.I.E.U mapping and an impact on care, for the risk pages.
        lyon = s.merge(site.world.users["lyon"])
        mapping = pieu.start(s, lyon).mapping
        pieu.set_score(s, lyon, mapping.id, ScoreIn(emdn_code="A02", p=4, i=4, e=3, u=4, note="néonatologie"))
        impacts.record(s, lyon, created["id"], ImpactIn(deprogrammed=2, switched=True, switch_training=True))
        # A declared site outside the EU and an input, for the supply page and the world map.
        maker = s.merge(site.world.users["maker_a"])
        plant = declarations.add_site(s, maker, SiteIn(name="Usine de Pune", country="IN"))
        declarations.set_product_sites(s, maker, site.world.products[0].id, ProductSitesIn(site_ids=[plant.id]))
        declarations.declare_input(s, maker, site.world.products[0].id,
                                   InputIn(name="Polycarbonate", kind="raw_material", sources=1, origin_country="CN"))
        s.commit()
        assert raised is not None
        raised_path = f"/signaux/{raised.id}"
    problems = []
    for who, paths in {**PAGES, "national@test.fr": PAGES["national@test.fr"] + [raised_path]}.items():
        if who:
            log_in(page, site, who)
        for path in paths:
            response = page.goto(site.url + path)
            assert response.status == 200, path
            for v in axe_violations(page):
                problems.append(f"{path}: {v['id']} ({v['impact']}): {v['help']} — "
                                f"{[n['target'] for n in v['nodes'][:3]]}")
        if who:
            log_out(page)
    assert not problems, "\n".join(problems)


def test_the_ansm_import_previews_then_applies_with_its_progress_on_the_page(page, site: Site,  # type: ignore[no-untyped-def]
                                                                             tmp_path) -> None:
    listing = tmp_path / "CIS_CIP_Dispo_Spec.txt"
    listing.write_text("".join(f"{62110000 + i}\t\t2\tTension d'approvisionnement\t07/01/2026\t19/01/2026\t\t"
                               f"https://ansm.sante.fr/p/{i}\n" for i in range(50)), encoding="utf-8")
    log_in(page, site, "national@test.fr")
    page.goto(f"{site.url}/import")
    page.get_by_label(re.compile("Fichier CIS_CIP_Dispo_Spec")).set_input_files(str(listing))
    page.get_by_role("button", name="Voir l'aperçu").click()
    page.get_by_text("Terminé").wait_for()  # the page asked again until the job was over (htmx)
    assert "50 créés" in page.locator("#job-state").inner_text()
    page.get_by_role("button", name="Appliquer cet import").click()
    page.get_by_text("Importé").wait_for()
    assert not axe_violations(page)
