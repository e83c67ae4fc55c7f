"""The idea box: one vote per person and idea, threads, reports, moderation logged and shown, limits."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sklearn.metrics import adjusted_rand_score
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sentinelle.concertation import ideas, opinion, polis
from sentinelle.concertation.models import IdeaVote
from sentinelle.errors import Conflict, Forbidden, Invalid, NotAuthenticated, RateLimited
from sentinelle.store.db import session_factory
from tests.factories import World


def test_a_second_vote_replaces_the_first(session: Session, world: World) -> None:
    idea = ideas.post(session, world.users["citizen"], "access", "Publier les ruptures plus tôt",
                      "Un préavis public dès la tension.")
    ideas.vote(session, world.users["lyon"], idea.id, 1)
    ideas.vote(session, world.users["paris"], idea.id, -1)
    ideas.vote(session, world.users["lyon"], idea.id, 0)  # changed its mind: pass
    session.commit()
    tally = ideas.tallies(session, [idea.id])[idea.id]
    assert (tally.agree, tally.disagree, tally.passed) == (0, 1, 1)
    assert ideas.my_votes(session, world.users["lyon"], [idea.id]) == {idea.id: 0}


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"theme": "sport", "title": "Une idée"}, "theme"), ({"theme": "access", "title": "  "}, "title"),
    ({"theme": "access", "title": "x" * 301}, "title")])
def test_a_bad_idea_names_its_field(session: Session, world: World, kwargs: dict, field: str) -> None:
    with pytest.raises(Invalid) as err:
        ideas.post(session, world.users["citizen"], **kwargs)
    assert err.value.field == field


def test_votes_need_an_account_and_a_known_value(session: Session, world: World) -> None:
    idea = ideas.post(session, world.users["citizen"], "efficiency", "Mutualiser les stocks")
    with pytest.raises(NotAuthenticated):
        ideas.vote(session, None, idea.id, 1)
    with pytest.raises(Invalid) as err:
        ideas.vote(session, world.users["lyon"], idea.id, 2)
    assert err.value.field == "value"


def test_threaded_comments(session: Session, world: World) -> None:
    idea = ideas.post(session, world.users["citizen"], "territories", "Produire en région")
    first = ideas.comment(session, world.users["lyon"], idea.id, "Oui, pour les solutés.")
    reply = ideas.comment(session, world.users["paris"], idea.id, "À quel coût ?", parent_id=first.id)
    ideas.comment(session, world.users["citizen"], idea.id, "Autre sujet.")
    other = ideas.post(session, world.users["citizen"], "access", "Autre idée")
    with pytest.raises(Invalid) as err:
        ideas.comment(session, world.users["lyon"], other.id, "mauvais fil", parent_id=first.id)
    assert err.value.field == "parent_id"
    roots = ideas.threads(session, idea)
    assert [t.comment.body for t in roots] == ["Oui, pour les solutés.", "Autre sujet."]
    assert [t.comment.id for t in roots[0].replies] == [reply.id]


def test_moderation_hides_with_a_reason_logged_and_never_deletes(session: Session, world: World) -> None:
    idea = ideas.post(session, world.users["citizen"], "access", "Texte injurieux")
    c = ideas.comment(session, world.users["lyon"], idea.id, "Commentaire")
    ideas.report(session, world.users["paris"], "idea", idea.id, "Propos injurieux")
    with pytest.raises(Conflict, match="déjà signalé"):
        ideas.report(session, world.users["paris"], "idea", idea.id, "encore")
    with pytest.raises(Forbidden):
        ideas.moderate(session, world.users["guarantor"], "idea", idea.id, "hide", "injurieux")
    with pytest.raises(Invalid) as err:
        ideas.moderate(session, world.users["national"], "idea", idea.id, "hide", " ")
    assert err.value.field == "reason"
    ideas.moderate(session, world.users["national"], "idea", idea.id, "hide", "Propos injurieux (charte, art. 2)")
    ideas.moderate(session, world.users["national"], "comment", c.id, "hide", "Hors sujet")
    session.commit()
    assert idea in ideas.listing(session)  # still there, shown as hidden
    assert ideas.last_reason(session, "idea", idea.id) == "Propos injurieux (charte, art. 2)"
    log = ideas.moderation_log(session, idea)
    assert [(m.target, m.action) for m in log] == [("comment", "hide"), ("idea", "hide")]
    with pytest.raises(Conflict):
        ideas.vote(session, world.users["lyon"], idea.id, 1)
    ideas.moderate(session, world.users["national"], "idea", idea.id, "restore", "Reformulée par l'auteur")
    ideas.vote(session, world.users["lyon"], idea.id, 1)
    assert [r.reason for r in ideas.reports(session, world.users["national"])] == ["Propos injurieux"]


def test_flooding_is_refused(session: Session, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ideas, "IDEAS_PER_HOUR", (2, timedelta(hours=1)))
    monkeypatch.setattr(ideas, "VOTES_PER_MINUTE", (3, timedelta(minutes=1)))
    first = ideas.post(session, world.users["citizen"], "access", "Une")
    second = ideas.post(session, world.users["citizen"], "access", "Deux")
    with pytest.raises(RateLimited):
        ideas.post(session, world.users["citizen"], "access", "Trois")
    third = ideas.post(session, world.users["lyon"], "access", "Un autre auteur passe")
    fourth = ideas.post(session, world.users["lyon"], "access", "Quatre")
    for idea in (first, second, third):
        ideas.vote(session, world.users["paris"], idea.id, 1)
    with pytest.raises(RateLimited):
        ideas.vote(session, world.users["paris"], fourth.id, 1)


def test_simultaneous_votes_of_one_person_leave_one(engine: Engine, session: Session, world: World) -> None:
    idea = ideas.post(session, world.users["citizen"], "access", "Une idée")
    session.commit()
    make = session_factory(engine)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def submit(value: int) -> None:
        with make() as s:
            try:
                barrier.wait()
                ideas.vote(s, s.merge(world.users["grenoble"]), idea.id, value)
                s.commit()
            except BaseException as exc:  # reported below
                errors.append(exc)

    threads = [threading.Thread(target=submit, args=(v,)) for v in (1, -1, 0, 1, -1, 0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with make() as s:
        assert s.scalar(select(func.count()).select_from(IdeaVote)) == 1


def test_a_polis_conversation_comes_into_the_idea_box(session: Session, world: World, shared_data: Path) -> None:
    """brexit-consensus: every statement an idea, every vote kept; again, nothing added; the groups
    computed from the idea box are those computed from the files."""
    conversation = polis.read(shared_data / "polis" / "brexit-consensus")
    with pytest.raises(Forbidden):
        ideas.import_polis(session, world.users["citizen"], conversation, "brexit")
    report = ideas.import_polis(session, world.users["national"], conversation, "brexit", "access")
    session.commit()
    assert (report.ideas_added, report.votes) == (len(conversation.statements), len(conversation.votes.values))
    again = ideas.import_polis(session, world.users["national"], conversation, "brexit", "access")
    assert (again.ideas_added, again.ideas_kept) == (0, len(conversation.statements))
    session.commit()
    assert session.scalar(select(func.count()).select_from(IdeaVote)) == len(conversation.votes.values)
    from_store = opinion.groups(ideas.vote_matrix(session, "access"))
    from_files = opinion.groups(conversation.votes)
    assert from_store.votes.participants == [f"polis:brexit:{p}" for p in conversation.votes.participants
                                             if p in set(conversation.votes.participants[r] for r in conversation.votes.rows)]
    voted = sorted(set(conversation.votes.rows.tolist()))
    assert adjusted_rand_score(from_files.group[voted], from_store.group) == 1.0


def test_votes_are_exported_pseudonymised(session: Session, world: World) -> None:
    idea = ideas.post(session, world.users["citizen"], "access", "Une idée")
    hidden = ideas.post(session, world.users["citizen"], "access", "Une idée masquée")
    for who, value in (("lyon", 1), ("paris", -1)):
        ideas.vote(session, world.users[who], idea.id, value)
        ideas.vote(session, world.users[who], hidden.id, value)
    ideas.moderate(session, world.users["national"], "idea", hidden.id, "hide", "hors charte")
    session.commit()
    first, second = ideas.export_votes_csv(session), ideas.export_votes_csv(session)
    rows = [line.split(",") for line in first.strip().splitlines()[1:]]
    assert sorted((int(i), v) for i, _, v in rows) == [(idea.id, "-1"), (idea.id, "1")]
    assert "user:" not in first and str(world.users["lyon"].id) not in {p for _, p, _ in rows}
    assert {p for _, p, _ in rows}.isdisjoint({line.split(",")[1] for line in second.strip().splitlines()[1:]})


def test_ten_simultaneous_hides_log_one_moderation(engine: Engine, session: Session, world: World) -> None:
    from sentinelle.concertation.models import Moderation

    idea = ideas.post(session, world.users["citizen"], "access", "Une idée à masquer")
    session.commit()
    make = session_factory(engine)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def hide() -> None:
        with make() as s:
            barrier.wait()
            try:
                ideas.moderate(s, s.merge(world.users["national"]), "idea", idea.id, "hide", "hors sujet")
                s.commit()
                outcomes.append("hidden")
            except Conflict:
                s.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=hide) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 9 + ["hidden"]
    assert session.scalar(select(func.count(Moderation.id)).where(Moderation.target_id == idea.id)) == 1
