"""The written synthesis: every sentence cites existing contributions; the guarantors see what no
sentence represents, per theme and per opinion group."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.concertation import ideas, synthesis
from sentinelle.concertation import questionnaires as qs
from sentinelle.errors import Forbidden, Invalid
from tests.factories import World


def test_sentences_cite_their_sources(session: Session, world: World) -> None:
    a = ideas.post(session, world.users["citizen"], "access", "Prévenir les patients avant la rupture")
    b = ideas.post(session, world.users["lyon"], "efficiency", "Mutualiser les stocks entre hôpitaux")
    c = ideas.comment(session, world.users["paris"], b.id, "Par GHT, avec un stock tampon.")
    synthesis.create(session, world.users["national"], "bilan", "Bilan de la concertation")
    with pytest.raises(Forbidden):
        synthesis.add_sentence(session, world.users["guarantor"], "bilan", "Une phrase.", [("idea", a.id)])
    with pytest.raises(Invalid, match="au moins une"):
        synthesis.add_sentence(session, world.users["national"], "bilan", "Sans source.", [])
    with pytest.raises(Invalid, match="introuvable : idée:999"):
        synthesis.add_sentence(session, world.users["national"], "bilan", "Source absente.", [("idea", 999)])
    with pytest.raises(Invalid, match="illisible"):
        synthesis.parse_citations("idea:1, idée 2")
    synthesis.add_sentence(session, world.users["national"], "bilan", "Les patients veulent être prévenus.",
                           synthesis.parse_citations(f"idea:{a.id}"))
    synthesis.add_sentence(session, world.users["national"], "bilan", "Les hôpitaux proposent de mutualiser.",
                           synthesis.parse_citations(f"comment:{c.id}"))
    session.commit()
    cited = synthesis.sentences(session, "bilan")
    assert [s.sources for s in cited] == [
        [("idea", a.id, a.title, f"/concertation/idees/{a.id}")],
        [("comment", c.id, c.body, f"/concertation/idees/{b.id}#commentaire-{c.id}")]]


def test_the_coverage_view_shows_what_no_sentence_represents(session: Session, world: World) -> None:
    author = world.users["citizen"]
    theme_ideas = [ideas.post(session, author, "access", f"Idée d'accès {n}") for n in range(3)]
    other = ideas.post(session, world.users["lyon"], "territories", "Produire en région")
    # Two camps of voters: the first agrees with ideas 0 and 1, the second with idea 2.
    session.execute(insert(User), [{"email": f"camp{i}@test.fr", "name": f"C{i}", "password_hash": "x",
                                    "role": "citizen"} for i in range(20)])
    voters = session.scalars(select(User).where(User.email.like("camp%@test.fr")).order_by(User.id)).all()
    for n, voter in enumerate(voters):
        camp = n % 2
        for k, idea in enumerate(theme_ideas):
            ideas._upsert_votes(session, [{"idea_id": idea.id, "voter": ideas.voter_of(voter),
                                           "value": 1 if (k < 2) == (camp == 0) else -1, "at": idea.created_at}])
    synthesis.create(session, world.users["national"], "bilan", "Bilan")
    synthesis.add_sentence(session, world.users["national"], "bilan", "Un camp veut ceci.",
                           [("idea", theme_ideas[0].id)])
    session.commit()
    with pytest.raises(Forbidden):
        synthesis.coverage(session, world.users["citizen"], "bilan")
    cov = synthesis.coverage(session, world.users["guarantor"], "bilan")
    themes, groups = cov.themes, cov.groups
    access = next(t for t in themes if t.theme == "access")
    assert (access.ideas, access.cited) == (3, 1)
    assert [i.id for i in access.uncited] == [theme_ideas[1].id, theme_ideas[2].id]
    assert [i.id for i in next(t for t in themes if t.theme == "territories").uncited] == [other.id]
    assert len(groups) == 2
    represented = {idea.id: cited for g in groups for idea, _, cited in g.representative}
    assert represented.get(theme_ideas[0].id) is True and represented.get(theme_ideas[2].id) is False


def test_a_sentence_may_quote_a_free_text_answer(session: Session, world: World) -> None:
    questions = [{"key": "note", "kind": "scale", "text": "Votre note ?"},
                 {"key": "libre", "kind": "text", "text": "Une proposition ?"}]
    qs.create(session, world.users["national"], "avis", "Avis", questions)
    qs.set_status(session, world.users["national"], "avis", "open")
    session.execute(insert(User), [{"email": f"rep{i}@test.fr", "name": f"R{i}", "password_hash": "x",
                                    "role": "citizen"} for i in range(24)])
    people = session.scalars(select(User).where(User.email.like("rep%@test.fr")).order_by(User.id)).all()
    texts = ["Prévenir les patients avant la rupture de stock", "Stocks de sécurité régionaux pour les hôpitaux",
             "Informer le pharmacien des ruptures de stock"]
    for n, person in enumerate(people):
        answers = {"note": 3} if n == 0 else {"note": 3, "libre": f"{texts[n % 3]} ({n})"}
        qs.answer(session, person, "avis", answers, profile="patient")
    session.commit()
    responses = [f.response_id for f in qs.texts_of(session, qs.get(session, "avis"))]
    assert len(responses) == 23  # the first answered no free text
    with pytest.raises(Forbidden):
        qs.free_texts(session, world.users["citizen"], "avis")
    # Page by page: the first ten responses hold nine free texts (the first answered none).
    first, after = qs.free_texts(session, world.users["guarantor"], "avis", limit=10)
    rest, end = qs.free_texts(session, world.users["guarantor"], "avis", after=after, limit=100)
    assert (len(first), end) == (9, None) and [f.response_id for f in first + rest] == responses
    synthesis.create(session, world.users["national"], "bilan", "Bilan")
    scale_only = responses[0] - 1
    with pytest.raises(Invalid, match="réponse sans texte libre"):
        synthesis.add_sentence(session, world.users["national"], "bilan", "Rien.", [("answer", scale_only)])
    with pytest.raises(Invalid, match="introuvable : réponse:99999999999"):
        synthesis.add_sentence(session, world.users["national"], "bilan", "Rien.", [("answer", 99999999999)])
    synthesis.add_sentence(session, world.users["national"], "bilan", "On veut être prévenu.",
                           synthesis.parse_citations(f"answer:{responses[0]}, answer:{responses[3]}"))
    session.commit()
    [sentence] = synthesis.sentences(session, "bilan")
    assert [(t, i) for t, i, _, _ in sentence.sources] == [("answer", responses[0]), ("answer", responses[3])]
    assert sentence.sources[0][2].startswith(texts[1])  # response 1 of the loop, quoted
    [cov] = synthesis.coverage(session, world.users["guarantor"], "bilan").answers
    assert (cov.answers, cov.cited) == (23, 2)
    assert sum(t.answers for t in cov.themes) == 23 and sum(t.cited for t in cov.themes) == 2
    uncited = {f.response_id for t in cov.themes for f in t.uncited}
    assert uncited == set(responses) - {responses[0], responses[3]}
    # Themes of the texts: the three kinds of proposal fall apart, each with quotes of its own answers.
    assert len(cov.themes) >= 2
    for theme in cov.themes:
        if theme.terms:
            assert theme.quotes and all(q.response_id in responses for q in theme.quotes)
    # The answers and their themes are kept between loads, and renewed by a new answer or new wording.
    qs.answer(session, world.users["lyon"], "avis", {"note": 1, "libre": "Prévenir les patients"}, profile="patient")
    session.commit()
    [cov] = synthesis.coverage(session, world.users["guarantor"], "bilan").answers
    assert cov.answers == 24
    qs.revise(session, world.users["national"], "avis",
              [questions[0], {**questions[1], "text": "Votre proposition ?"}])
    session.commit()
    [cov] = synthesis.coverage(session, world.users["guarantor"], "bilan").answers
    assert {q for t in cov.themes for f in t.uncited for q, _ in f.texts} == {"Votre proposition ?"}


def test_sources_are_cited_in_french_and_the_api_forms_still_read() -> None:
    assert synthesis.parse_citations("idée:3, commentaire : 4 ; réponse:5, Idee:6, answer:7") == [
        ("idea", 3), ("comment", 4), ("answer", 5), ("idea", 6), ("answer", 7)]
    with pytest.raises(Invalid, match="idée:N, commentaire:N ou réponse:N"):
        synthesis.parse_citations("source 3")
