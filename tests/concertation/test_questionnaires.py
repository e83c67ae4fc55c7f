"""Questionnaires: versioned wording, one answer per person, counts with intervals, raking, export."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sentinelle.accounts.service import create_user
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation import stats
from sentinelle.concertation.default_questionnaire import QUESTIONS, SLUG, TITLE
from sentinelle.concertation.models import QuestionnaireResponse, QuestionnaireTally
from sentinelle.errors import Conflict, Forbidden, Invalid, NotAuthenticated
from sentinelle.store.db import session_factory
from tests.factories import PASSWORD, World

SMALL = [
    {"key": "source", "kind": "single", "text": "Source la plus fiable ?", "required": True,
     "options": [{"key": "medecin", "label": "Médecin"}, {"key": "pharmacien", "label": "Pharmacien"}]},
    {"key": "note", "kind": "scale", "text": "Accès facile ?", "scale_min": 1, "scale_max": 5},
    {"key": "soucis", "kind": "multiple", "text": "Soucis ?", "max_choices": 2,
     "options": [{"key": "penurie", "label": "Pénuries"}, {"key": "prix", "label": "Prix"},
                 {"key": "effets", "label": "Effets"}]},
    {"key": "ordre", "kind": "ranking", "text": "Classez", "options": [{"key": "a", "label": "A"},
                                                                       {"key": "b", "label": "B"}]},
    {"key": "idee", "kind": "text", "text": "Une idée ?"},
]


def people(session: Session, n: int, role: str = "citizen") -> list:
    users = [create_user(session, None, email=f"p{i}-{role}@test.fr", name=f"P{i}", password=PASSWORD, role=role)
             for i in range(n)]
    session.flush()
    return users


def opened(session: Session, world: World, questions: list[dict] = SMALL, **kwargs: object) -> str:
    qs.create(session, world.users["national"], "q", "Questionnaire", questions, **kwargs)  # type: ignore[arg-type]
    qs.set_status(session, world.users["national"], "q", "open")
    session.commit()
    return "q"


def test_the_default_questionnaire_has_fourteen_questions_in_french(session: Session, world: World) -> None:
    q = qs.create(session, world.users["national"], SLUG, TITLE, QUESTIONS)
    version = qs.current(session, q)
    assert len(version.questions) == 14
    assert all(x["text"].endswith(("?", ".", ")")) for x in version.questions)
    kinds = {x["kind"] for x in version.questions}
    assert kinds == {"single", "multiple", "scale", "ranking", "text"}
    assert any("fiable" in x["text"] for x in version.questions)


@pytest.mark.parametrize("who", ["region84", "lyon", "maker_a", "purchaser", "citizen", "guarantor"])
def test_only_the_agency_writes_questionnaires(session: Session, world: World, who: str) -> None:
    with pytest.raises(Forbidden):
        qs.create(session, world.users[who], "q", "Q", SMALL)


def test_answers_point_to_the_wording_they_answered(session: Session, world: World) -> None:
    slug = opened(session, world)
    a, b = people(session, 2)
    first = qs.answer(session, a, slug, {"source": "medecin"}, profile="patient", region="84")
    reworded = [dict(SMALL[0], text="Quelle source jugez-vous la plus fiable ?")] + SMALL[1:]
    qs.revise(session, world.users["national"], slug, reworded)
    second = qs.answer(session, b, slug, {"source": "pharmacien"}, profile="citizen", region="11")
    session.commit()
    numbers = {v.id: v.number for v in qs.versions(session, qs.get(session, slug))}
    assert (numbers[first.version_id], numbers[second.version_id]) == (1, 2)
    assert [s.count for s in qs.results(session, slug, version=1).questions[0].breakdowns[0].shares] == [1, 0]
    assert [s.count for s in qs.results(session, slug).questions[0].breakdowns[0].shares] == [0, 1]
    assert qs.results(session, slug).questions[0].text == "Quelle source jugez-vous la plus fiable ?"


def test_one_answer_per_person_and_only_while_open(session: Session, world: World) -> None:
    slug = opened(session, world)
    (a,) = people(session, 1)
    qs.answer(session, a, slug, {"source": "medecin"}, profile="patient")
    with pytest.raises(Conflict, match="déjà répondu"):
        qs.answer(session, a, slug, {"source": "pharmacien"}, profile="patient")
    with pytest.raises(NotAuthenticated):
        qs.answer(session, None, slug, {"source": "medecin"}, profile="patient")
    qs.set_status(session, world.users["national"], slug, "closed")
    (b,) = people(session, 1, role="guarantor")
    with pytest.raises(Conflict, match="clos"):
        qs.answer(session, b, slug, {"source": "medecin"}, profile="citizen")
    with pytest.raises(Conflict):
        qs.set_status(session, world.users["national"], slug, "open")
    session.commit()
    assert session.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 1


def test_a_draft_takes_no_answers(session: Session, world: World) -> None:
    qs.create(session, world.users["national"], "d", "Brouillon", SMALL)
    with pytest.raises(Conflict, match="pas encore ouvert"):
        qs.answer(session, world.users["citizen"], "d", {"source": "medecin"}, profile="citizen")


@pytest.mark.parametrize(("answers", "field"), [
    ({}, "source"),  # required
    ({"source": "internet"}, "source"),
    ({"source": "medecin", "note": 6}, "note"),
    ({"source": "medecin", "note": True}, "note"),
    ({"source": "medecin", "soucis": ["penurie", "prix", "effets"]}, "soucis"),
    ({"source": "medecin", "soucis": ["prix", "prix"]}, "soucis"),
    ({"source": "medecin", "ordre": ["a", "z"]}, "ordre"),
    ({"source": "medecin", "idee": "x" * 5001}, "idee"),
    ({"source": "medecin", "age": 40}, "age"),
])
def test_a_bad_answer_names_its_question(session: Session, world: World, answers: dict, field: str) -> None:
    slug = opened(session, world)
    with pytest.raises(Invalid) as err:
        qs.answer(session, world.users["citizen"], slug, answers, profile="citizen")
    assert err.value.field == field


def test_bad_profile_or_region_is_named(session: Session, world: World) -> None:
    slug = opened(session, world)
    for kwargs, field in (({"profile": "robot"}, "profile"), ({"profile": "patient", "region": "99"}, "region")):
        with pytest.raises(Invalid) as err:
            qs.answer(session, world.users["citizen"], slug, {"source": "medecin"}, **kwargs)  # type: ignore[arg-type]
        assert err.value.field == field


def test_anonymous_answers_keep_no_account(session: Session, world: World) -> None:
    slug = opened(session, world)
    response = qs.answer(session, world.users["citizen"], slug, {"source": "medecin"}, profile="citizen")
    assert response.user_id is None
    # The key is a keyed hash: without the questionnaire's salt, the account cannot be found from it.
    assert response.respondent == qs.respondent_key(qs.get(session, slug), world.users["citizen"])
    assert len(response.respondent) == 64 and qs.get(session, slug).salt not in response.respondent
    qs.create(session, world.users["national"], "signed", "Signé", SMALL, anonymous=False)
    qs.set_status(session, world.users["national"], "signed", "open")
    other = qs.answer(session, world.users["citizen"], "signed", {"source": "medecin"}, profile="citizen")
    assert other.user_id == world.users["citizen"].id
    assert other.respondent != response.respondent  # each questionnaire its own key


def test_results_by_hand(session: Session, world: World) -> None:
    """3 patients choose the doctor, 1 professional the pharmacist; scale 4, 5, 5 and none."""
    slug = opened(session, world)
    users = people(session, 4)
    for user, (source, note, profile) in zip(users, [("medecin", 4, "patient"), ("medecin", 5, "patient"),
                                                     ("medecin", 5, "patient"), ("pharmacien", None, "professional")]):
        answers = {"source": source, "soucis": ["penurie"], "ordre": ["b", "a"], "idee": "  "}
        if note is not None:
            answers["note"] = note
        qs.answer(session, user, slug, answers, profile=profile, region="84")
    session.commit()
    result = qs.results(session, slug)
    assert result.respondents == 4
    source = result.questions[0].breakdowns[0]
    assert source.answered == 4
    medecin = source.shares[0]
    assert (medecin.count, medecin.share) == (3, 0.75)
    assert (medecin.low, medecin.high) == pytest.approx(stats.wilson(0.75, 4))
    note = result.questions[1].breakdowns[0]
    assert note.answered == 3 and note.mean == pytest.approx(14 / 3)
    assert result.questions[3].ranks == {"a": 2.0, "b": 1.0}
    assert result.questions[4].breakdowns == []  # blank text is no answer
    by_profile = {b.group: b for b in qs.results(session, slug, by="profile").questions[0].breakdowns}
    assert by_profile["patient"].shares[0].share == 1.0 and by_profile["professional"].shares[1].share == 1.0
    # Raked to half patients, half professionals: patients weigh 2/3, the professional 2.
    raked = qs.results(session, slug, margins={"profile": {"patient": 0.5, "professional": 0.5}})
    weighted = raked.questions[0].breakdowns[0]
    assert weighted.shares[0].share == pytest.approx(0.5)
    assert weighted.effective == pytest.approx(3)
    assert (weighted.shares[0].low, weighted.shares[0].high) == pytest.approx(stats.wilson(0.5, 3))


def test_export_is_pseudonymised_and_reserved(session: Session, world: World) -> None:
    slug = opened(session, world, anonymous=False)
    users = people(session, 2)
    for user in users:
        qs.answer(session, user, slug, {"source": "medecin", "soucis": ["penurie", "prix"], "ordre": ["b", "a"]},
                  profile="patient", region="84")
    with pytest.raises(Forbidden):
        qs.export_csv(session, world.users["citizen"], slug)
    first = qs.export_csv(session, world.users["guarantor"], slug)
    second = qs.export_csv(session, world.users["national"], slug)
    rows = list(csv.DictReader(io.StringIO(first)))
    assert len(rows) == 2 and rows[0]["soucis"] == "penurie | prix" and rows[0]["ordre"] == "b > a"
    for user in users:
        assert str(user.id) not in {r["pseudonym"] for r in rows} and user.email not in first
    again = {r["pseudonym"] for r in csv.DictReader(io.StringIO(second))}
    assert again.isdisjoint({r["pseudonym"] for r in rows})  # two exports cannot be joined


def test_simultaneous_answers_are_each_counted_once(engine: Engine, session: Session, world: World) -> None:
    """Eight people answer at once, one of them three times: 8 answers, every tally exact."""
    slug = opened(session, world)
    users = people(session, 8)
    session.commit()
    make = session_factory(engine)
    barrier = threading.Barrier(10)
    outcomes: list[str] = []

    def submit(user_id: int) -> None:
        with make() as s:
            try:
                barrier.wait()
                user = s.get(type(users[0]), user_id)
                qs.answer(s, user, slug, {"source": "medecin", "soucis": ["penurie"]}, profile="citizen")
                s.commit()
                outcomes.append("ok")
            except Conflict:
                outcomes.append("conflict")
            except BaseException as exc:  # reported below
                outcomes.append(repr(exc))

    ids = [u.id for u in users] + [users[0].id, users[0].id]
    threads = [threading.Thread(target=submit, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 2 + ["ok"] * 8
    with make() as s:
        assert s.scalar(select(func.count()).select_from(QuestionnaireResponse)) == 8
        tallies = {(t.question, t.choice): t.count for t in s.scalars(select(QuestionnaireTally))}
        assert tallies[("source", "medecin")] == tallies[("__respondents", "")] == tallies[("soucis", "penurie")] == 8
