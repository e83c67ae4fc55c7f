"""Finding things: an alternative's replacement product chosen by searching the catalogue (not by an
id read from a URL), a product found in the signal lists by its codes, the audit log filtered by
person, action, object and period."""

from __future__ import annotations

import pytest

from sentinelle.store.db import session_factory
from tests.browser.conftest import Site, axe_violations
from tests.browser.test_flow import log_in
from tests.browser.test_rgaa import _with_a_signal

pytestmark = pytest.mark.browser


def test_an_alternative_is_chosen_by_searching_products(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    _with_a_signal(site)
    log_in(page, site, "national@test.fr")
    page.goto(f"{site.url}/signaux/1")
    form = page.locator("#form-alternative")
    assert form.locator("input[name='product_id'][inputmode='numeric']").count() == 0  # no id to type
    form.get_by_label("Rechercher le produit de remplacement (nom ou code)").fill("aiguille")  # htmx fills the choices
    form.get_by_label("Aiguille hypodermique 21G").check()
    form.get_by_label("Alternative", exact=False).first.fill("Aiguille 21G d'un autre fabricant")
    form.get_by_role("button", name="Ajouter l'alternative").click()
    page.get_by_role("status").get_by_text("Alternative publiée").wait_for()
    alternatives = page.request.get(f"{site.url}/api/v1/signals/1/alternatives").json()
    with session_factory(site.engine)() as s:
        from sentinelle.catalogue.models import Product

        needle = s.query(Product).filter(Product.name == "Aiguille hypodermique 21G").one()
    assert [(a["product"] or {}).get("id") for a in alternatives] == [needle.id]
    # By a code too (the GTIN), and "none" stays possible.
    page.goto(f"{site.url}/signaux/1")
    page.get_by_label("Rechercher le produit de remplacement (nom ou code)").fill("04012345000016")
    page.locator("#alt-choices").get_by_label("Sonde d'intubation 7.0").wait_for()
    assert page.locator("#alt-none").is_checked()
    assert not axe_violations(page), axe_violations(page)


def test_the_signal_lists_find_a_product_by_its_code(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    _with_a_signal(site)
    page.goto(f"{site.url}/public")
    page.get_by_label("Produit").fill("03760123450010")  # the GTIN of the published syringe
    page.get_by_role("button", name="Rechercher").click()
    page.locator("main table").get_by_role("link", name="Seringue 10 mL Luer lock").wait_for()
    page.get_by_label("Produit").fill("04012345000016")  # another product's: nothing
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_text("Aucun signal.").wait_for()
    log_in(page, site, "national@test.fr")
    page.goto(f"{site.url}/signaux")
    page.get_by_label("Produit").fill("A0201")  # an EMDN prefix
    page.get_by_role("button", name="Filtrer").click()
    page.locator("main table").get_by_role("link", name="Seringue 10 mL Luer lock").wait_for()


def test_the_audit_log_filters_by_person_action_object_and_period(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    _with_a_signal(site)
    log_in(page, site, "national@test.fr")
    page.get_by_role("link", name="Journal d'audit").click()
    rows = page.locator("table.audit tbody tr")
    assert "user.login" not in page.locator("table.audit").inner_text()
    page.get_by_label("Personne").fill("region84")
    page.get_by_label("Action").select_option(label="Qualification")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**personne=region84**")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "Region84" in row and "ARS ARA" in row and "Qualification" in row
    assert "Déclaré" in row and "Qualifié (région)" in row  # the state before and after, by their labels
    page.get_by_label("Personne").fill("")
    page.get_by_label("Action").select_option(label="Toutes")
    page.get_by_label("Objet", exact=True).select_option(label="Signal")
    page.get_by_label("N° de l'objet").fill("1")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**numero=1**")
    assert rows.count() == 4  # declared, qualified, validated, published
    page.get_by_label("Du").fill("2001-01-01")
    page.get_by_label("Au").fill("2001-12-31")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_text("Aucune entrée pour ces critères.").wait_for()
    assert not axe_violations(page), axe_violations(page)


def test_the_api_documentation_renders_offline(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    """Swagger UI from the installed npm package (no CDN), recent enough for OpenAPI 3.1: the operations
    are listed, not an error."""
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{site.url}/api/v1/docs")
    page.locator(".opblock-summary-path", has_text="/api/v1/signals").first.wait_for()
    assert "Unable to render" not in page.locator("body").inner_text()
    assert all(u.startswith(site.url) or u.startswith("data:") for u in requested)
