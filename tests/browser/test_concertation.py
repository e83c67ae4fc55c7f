"""The concertation in a real browser: a citizen answers the questionnaire and sees the results, posts
an idea, votes and comments; a member votes a motion and the published tally shows it; a guarantor
follows a sentence of the synthesis to its sources; the agency builds a questionnaire question by
question; a citizen volunteers for the assembly."""

from __future__ import annotations

import re

import pytest

from sentinelle.concertation import assembly, ideas, synthesis
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation.default_questionnaire import DESCRIPTION, QUESTIONS, SLUG, TITLE
from sentinelle.store.db import session_factory
from tests.browser.conftest import Site, axe_violations
from tests.browser.test_flow import log_in, log_out

pytestmark = pytest.mark.browser


def test_a_citizen_answers_the_questionnaire(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    with session_factory(site.engine)() as s:
        qs.create(s, s.merge(site.world.users["national"]), SLUG, TITLE, QUESTIONS, description=DESCRIPTION)
        qs.set_status(s, s.merge(site.world.users["national"]), SLUG, "open")
        s.commit()
    log_in(page, site, "citizen@test.fr")
    page.get_by_role("link", name="Concertation", exact=True).click()
    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("link", name=TITLE, exact=True).click()
    assert not axe_violations(page), axe_violations(page)
    page.get_by_label("Vous répondez en tant que").select_option("patient")
    page.get_by_label("Votre région (facultatif)").select_option("84")
    form = page.locator("#questionnaire-form")
    form.locator("#question-representation").get_by_label("Un soin qui guérit ou soulage").check()
    form.locator("#question-penurie_vecue").get_by_label("Oui, plusieurs fois").check()
    form.locator("#question-penurie_consequences").get_by_label("Chercher dans d'autres pharmacies").check()
    form.locator("#question-penurie_consequences").get_by_label("Attendre").check()
    form.locator("#question-attentes").get_by_label("Que les médicaments soient toujours disponibles").select_option("1")
    form.locator("#question-attentes").get_by_label("Qu'ils restent remboursés et abordables").select_option("2")
    # The required source left out and four worries ticked where three are allowed: one summary at the
    # top names both questions by their wording, each line leads to its question; the rest is kept.
    form.locator("#q_proposition").fill("Prévenir les patients avant la rupture.")
    worries = form.locator("#question-preoccupations")
    for label in ("Les pénuries et ruptures", "Les effets indésirables", "Le coût pour la collectivité",
                  "La dépendance à l'étranger"):
        worries.get_by_label(label).check()
    page.evaluate("document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    summary = page.locator("#erreurs")
    summary.get_by_role("heading", name="2 erreurs empêchent d'enregistrer").wait_for()
    lines = summary.locator("li").all_inner_texts()
    assert any("source d'information la plus fiable" in line and "réponse obligatoire" in line for line in lines), lines
    assert any("vous préoccupe le plus" in line and "au plus 3 choix (4 cochés)" in line for line in lines), lines
    assert "source_fiable" not in summary.inner_text() and "preoccupations" not in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "erreurs"  # read first, by a screen reader too
    summary.get_by_role("link", name=re.compile("plus fiable")).click()
    assert page.evaluate("document.activeElement.closest('fieldset').id") == "question-source_fiable"
    assert page.locator("#question-source_fiable").get_attribute("aria-invalid") == "true"
    # The message is also written under the question, and read with it.
    note = page.locator("#question-source_fiable .fr-error-text")
    assert "réponse obligatoire" in note.inner_text()
    assert note.get_attribute("id") in (page.locator("#question-source_fiable").get_attribute("aria-describedby") or "")
    assert page.locator("#q_proposition").input_value() == "Prévenir les patients avant la rupture."
    form = page.locator("#questionnaire-form")
    form.locator("#question-source_fiable").get_by_label("Mon pharmacien").check()
    form.locator("#question-preoccupations").get_by_label("Le coût pour la collectivité").uncheck()
    page.get_by_role("button", name="Envoyer mes réponses").click()
    page.get_by_text("votre réponse est enregistrée").wait_for()
    assert "1 répondant(s)" in page.content()
    source = page.locator("#result-source_fiable")
    assert "100 %" in source.locator("tr", has_text="Mon pharmacien").inner_text()
    assert not axe_violations(page), axe_violations(page)
    page.goto(f"{site.url}/concertation/questionnaires/{SLUG}")
    page.get_by_text("Vous avez déjà répondu").wait_for()


def test_a_citizen_posts_an_idea_votes_and_comments(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    log_in(page, site, "citizen@test.fr")
    page.goto(f"{site.url}/concertation")
    page.get_by_role("link", name="Boîte à idées : proposer, commenter, voter").click()
    page.get_by_label("Thème").select_option("access")
    page.get_by_label("Votre idée (une phrase)").fill("Prévenir les patients avant une rupture")
    page.get_by_label("Précisions (facultatif)").fill("Par SMS, dès que la pharmacie le sait.")
    page.get_by_role("button", name="Publier l'idée").click()
    page.get_by_text("Idée publiée.").wait_for()
    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("button", name="D'accord — Prévenir les patients avant une rupture", exact=True).click()
    page.locator("#tally").get_by_text("1 d'accord, 0 pas d'accord, 0 sans avis").wait_for()
    page.get_by_role("button", name="Pas d'accord — Prévenir les patients avant une rupture", exact=True).click()
    page.locator("#tally").get_by_text("0 d'accord, 1 pas d'accord, 0 sans avis").wait_for()  # replaced, not added
    page.get_by_label("Votre commentaire").fill("Et par courrier pour ceux qui n'ont pas de portable.")
    page.get_by_role("button", name="Commenter").click()
    page.get_by_text("Commentaire publié.").wait_for()
    page.get_by_text("Répondre").first.click()
    page.get_by_label("Votre réponse").fill("Bonne idée.")
    page.get_by_role("button", name="Répondre", exact=True).click()
    page.locator("ul.threads ul").get_by_text("Bonne idée.").wait_for()  # threaded under the first
    assert not axe_violations(page), axe_violations(page)
    page.goto(f"{site.url}/concertation/idees")
    assert not axe_violations(page), axe_violations(page)


def test_a_member_votes_a_motion_and_the_tally_is_published(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    users = site.world.users
    with session_factory(site.engine)() as s:
        national = s.merge(users["national"])
        assembly.create(s, national, "parlement", "Parlement Santé", seats=3)
        assembly.draw(s, national, "parlement", 2026, "graine-publiee-2026", [
            (users["citizen"].id, "citizen", "84"), (users["guarantor"].id, "patient", "11"),
            (users["lyon"].id, "professional", "84")])
        sitting = assembly.open_sitting(s, national, "parlement", "Séance inaugurale")
        motion = assembly.propose(s, national, sitting.id, "Des stocks de sécurité régionaux")
        assembly.vote(s, s.merge(users["lyon"]), motion.id, "contre")  # a second member, for the quorum
        s.commit()
    log_in(page, site, "citizen@test.fr")
    page.goto(f"{site.url}/concertation/assemblee/parlement")
    page.get_by_text("Vous siégez dans cette assemblée depuis 2026.").wait_for()
    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("button", name="Pour — Des stocks de sécurité régionaux", exact=True).click()
    page.get_by_text("Vote enregistré").wait_for()
    log_out(page)
    log_in(page, site, "national@test.fr")
    page.goto(f"{site.url}/concertation/assemblee/parlement")
    page.get_by_role("button", name="Clore le vote — Des stocks de sécurité régionaux").click()
    page.get_by_text("Vote clos : le décompte est publié.").wait_for()
    log_out(page)
    # Published: anyone reads it, logged in or not.
    page.goto(f"{site.url}/concertation/assemblee/parlement")
    motion_text = page.locator(".motion").first.inner_text()
    assert "rejetée" in motion_text  # 1 pour, 1 contre: not adopted
    assert "présents : 2, exprimés : 2, pour : 1, contre : 1, abstentions : 0" in motion_text


def test_a_guarantor_follows_a_sentence_to_its_sources(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    users = site.world.users
    with session_factory(site.engine)() as s:
        idea = ideas.post(s, s.merge(users["citizen"]), "access", "Prévenir les patients avant la rupture")
        other = ideas.post(s, s.merge(users["lyon"]), "efficiency", "Mutualiser les stocks entre hôpitaux")
        synthesis.create(s, s.merge(users["national"]), "bilan", "Bilan de la concertation")
        synthesis.add_sentence(s, s.merge(users["national"]), "bilan",
                               "Les patients demandent à être prévenus avant une rupture.", [("idea", idea.id)])
        s.commit()
        idea_id, other_title = idea.id, other.title
    log_in(page, site, "guarantor@test.fr")
    page.goto(f"{site.url}/concertation")
    page.get_by_role("link", name="Bilan de la concertation").click()
    assert not axe_violations(page), axe_violations(page)
    page.locator("li", has_text="Les patients demandent à être prévenus").get_by_role("link").click()
    page.wait_for_url(f"{site.url}/concertation/idees/{idea_id}")
    page.get_by_role("heading", name="Prévenir les patients avant la rupture").wait_for()
    page.go_back()
    page.get_by_role("link", name="Vue des garants : couverture des contributions").click()
    assert other_title in page.locator("table").inner_text()  # no sentence represents it
    assert not axe_violations(page), axe_violations(page)


def test_the_agency_builds_a_questionnaire_question_by_question(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    log_in(page, site, "national@test.fr")
    page.goto(f"{site.url}/concertation")
    page.get_by_text("Agence : créer une assemblée ou une synthèse").click()
    assert not axe_violations(page), axe_violations(page)
    page.goto(f"{site.url}/concertation/questionnaires/nouveau")
    page.get_by_label("Identifiant (dans l'adresse)").fill("ruptures-hiver")
    page.get_by_label("Titre").fill("Les ruptures de l'hiver")
    first = page.locator("#q-0")
    first.get_by_label("Texte").fill("Avez-vous manqué d'un médicament cet hiver ?")
    first.get_by_label("Options (choix unique, multiple ou classement)").fill("Oui\nNon")
    first.get_by_label("Réponse obligatoire").check()
    page.get_by_role("button", name="Ajouter une question").click()
    second = page.locator("#q-1")
    second.get_by_label("Texte").fill("Votre confiance dans l'approvisionnement ?")
    second.get_by_label("Type").select_option("scale")
    second.get_by_label("Échelle : de").fill("1")
    second.get_by_label("à", exact=True).fill("cinq")  # not a number: named, nothing lost
    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.locator("#erreurs").get_by_text("Question 2, fin de l'échelle : nombre entier attendu").wait_for()
    assert page.locator("#q-1-scale_max").get_attribute("aria-invalid") == "true"  # the field itself, marked
    assert page.locator("#q-0").get_by_label("Texte").input_value() == "Avez-vous manqué d'un médicament cet hiver ?"
    page.locator("#q-1").get_by_label("à", exact=True).fill("5")
    page.get_by_role("button", name="Monter la question 2").click()
    assert page.locator("#q-0").get_by_label("Texte").input_value() == "Votre confiance dans l'approvisionnement ?"
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Questionnaire enregistré (brouillon)").wait_for()
    page.get_by_text("Brouillon : ce questionnaire n'est pas encore ouvert aux réponses.").wait_for()
    with session_factory(site.engine)() as s:
        wording = qs.current(s, qs.get(s, "ruptures-hiver")).questions
    assert [q["kind"] for q in wording] == ["scale", "single"]
    assert [o["key"] for o in wording[1]["options"]] == ["oui", "non"] and wording[1]["required"]


def test_a_citizen_volunteers_for_the_assembly(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    with session_factory(site.engine)() as s:
        assembly.create(s, s.merge(site.world.users["national"]), "parlement", "Parlement Santé", seats=10)
        s.commit()
    log_in(page, site, "citizen@test.fr")
    page.goto(f"{site.url}/concertation/assemblee/parlement")
    page.get_by_label("À quel titre").select_option("carer")
    page.get_by_label("Votre région").select_option("84")
    page.get_by_role("button", name="Me porter volontaire").click()
    page.get_by_text("Candidature enregistrée").wait_for()
    page.get_by_text("Vous êtes volontaire (Aidant, Auvergne-Rhône-Alpes)").wait_for()
    assert not axe_violations(page), axe_violations(page)
    page.get_by_role("button", name="Retirer ma candidature").click()
    page.get_by_text("Candidature retirée.").wait_for()


def test_anyone_sees_the_opinion_map(page, site: Site) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import insert, select

    from sentinelle.accounts.models import User

    with session_factory(site.engine)() as s:
        author = s.merge(site.world.users["citizen"])
        posted = [ideas.post(s, author, "access", f"Idée numéro {n}") for n in range(4)]
        s.execute(insert(User), [{"email": f"camp{i}@test.fr", "name": f"C{i}", "password_hash": "x",
                                  "role": "citizen"} for i in range(20)])
        for n, voter in enumerate(s.scalars(select(User).where(User.email.like("camp%@test.fr"))).all()):
            for k, idea in enumerate(posted):
                ideas.vote(s, voter, idea.id, 1 if k == 3 else (1 if (k < 2) == (n % 2 == 0) else -1))
        s.commit()
    page.goto(f"{site.url}/concertation/idees")
    page.get_by_role("link", name="Groupes d'opinion : qui pense quoi, ce qui rassemble").click()
    page.get_by_role("heading", name="Ce qui rassemble").wait_for()
    assert page.locator("figure.opinion-map circle").count() >= 20
    assert not axe_violations(page), axe_violations(page)
