"""Each role's home is its worklist, and every action says what it did: a hospital's declaration goes
from its own list to the region's, then the nation's, each home page showing what waits and each
action answering with a word on what happens next."""

from __future__ import annotations

import pytest

from sentinelle.signals import service
from sentinelle.store.db import session_factory
from tests.browser.conftest import Site, axe_violations
from tests.browser.test_flow import log_in, log_out
from tests.factories import declaration

pytestmark = pytest.mark.browser


def _task(page, key: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#a-faire-{key}")


def test_a_declaration_walks_through_the_worklists_with_a_word_after_each_action(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    with session_factory(site.engine)() as s:
        signal = service.declare(s, s.merge(site.world.users["lyon"]), declaration(s.merge(site.world.products[0]))).signal
        s.commit()
        signal_id = signal.id
    # The hospital: its open declaration is on its home page.
    log_in(page, site, "lyon@test.fr")
    assert page.get_by_role("heading", level=1).inner_text() == "Ce qui vous attend"
    _task(page, "mine").get_by_role("link", name="Seringue 10 mL Luer lock").wait_for()
    log_out(page)
    # Another region's agency has nothing of it.
    log_in(page, site, "region11@test.fr")
    assert "Rien en attente." in _task(page, "qualify").inner_text()
    log_out(page)
    # The region's agency finds it waiting, qualifies it, is told what happens next; its list empties.
    log_in(page, site, "region84@test.fr")
    assert not axe_violations(page), axe_violations(page)
    _task(page, "qualify").get_by_role("link", name="Seringue 10 mL Luer lock").click()
    page.locator("#form-qualify").get_by_role("button", name="Qualifier").click()
    page.get_by_role("status").get_by_text("Signal qualifié : l'agence nationale est prévenue pour le valider.").wait_for()
    page.get_by_role("link", name="Accueil").click()
    assert "Rien en attente." in _task(page, "qualify").inner_text()
    log_out(page)
    # The national agency: it is in its list to validate (and in its inbox); validate, publish, close,
    # each with its word.
    log_in(page, site, "national@test.fr")
    assert not axe_violations(page), axe_violations(page)
    _task(page, "validate").get_by_role("link", name="Seringue 10 mL Luer lock").click()
    assert page.url.endswith(f"/signaux/{signal_id}")
    page.locator("#form-validate").get_by_role("button", name="Valider").click()
    page.get_by_role("status").get_by_text("Signal validé : rédigez le message public, puis publiez-le.").wait_for()
    page.get_by_label("Message public").fill("Tension sur les seringues 10 mL.")
    page.locator("#form-publish").get_by_role("button", name="Publier").click()
    page.get_by_role("status").get_by_text("Signal publié : il figure sur la page publique").wait_for()
    page.locator("#form-resolve").get_by_role("button", name="Clore (remis à disposition)").click()
    page.get_by_role("status").get_by_text("Signal clos (remis à disposition)").wait_for()
    page.get_by_role("link", name="Accueil").click()
    assert "Rien en attente." in _task(page, "validate").inner_text()
    page.get_by_role("link", name="Notifications").click()
    assert "Seringue 10 mL Luer lock" in page.locator("main").inner_text()
    log_out(page)
    # Back at the hospital: the shortage ended, its RETEX is asked for.
    log_in(page, site, "lyon@test.fr")
    assert "Rien en attente." in _task(page, "mine").inner_text()
    _task(page, "retex").get_by_role("link", name="Seringue 10 mL Luer lock").click()
    page.get_by_label("Ce qui a fonctionné").fill("La répartition régionale")
    page.get_by_role("button", name="Enregistrer le RETEX").click()
    page.get_by_role("status").wait_for()
    page.get_by_role("link", name="Accueil").click()
    assert "Rien en attente." in _task(page, "retex").inner_text()
