"""P.I.E.U risk mapping: scores computed by hand, grid versions never rescoring silently, the shared
references, the CSV import's bad rows, who reads what, and a concurrent save kept once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import AuditEntry
from sentinelle.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from sentinelle.risk import grids, pieu
from sentinelle.risk.models import RiskScore
from sentinelle.risk.schemas import GridIn, ScoreIn
from sentinelle.store.db import session_factory
from tests.factories import World


def _score(code: str, p: int, i: int, e: int, u: int, note: str = "") -> ScoreIn:
    return ScoreIn(emdn_code=code, p=p, i=i, e=e, u=u, note=note)


def test_the_default_grid_scores_as_computed_by_hand() -> None:
    d = grids.DEFAULT
    # C = P × I × E × U on 1..4: 1 to 256; classes low ≤ 12 < moderate ≤ 36 < high ≤ 96 < critical.
    assert grids.combine(d.combination, (2, 3, 2, 1)) == 12
    assert grids.score_range(d.combination, d.scale_min, d.scale_max) == (1, 256)
    assert [grids.classify(d.thresholds, s) for s in (1, 12, 13, 36, 37, 96, 97, 256)] == [
        "low", "low", "moderate", "moderate", "high", "high", "critical", "critical"]
    assert grids.level(d, 1) == 0 and grids.level(d, 256) == 100 and grids.level(d, 128) == 50  # 127/255
    assert grids.combine("sum", (2, 3, 2, 1)) == 8
    assert grids.thresholds_error("product", 1, 4, [12, 36, 96]) is None
    assert "croissants" in (grids.thresholds_error("product", 1, 4, [12, 12, 96]) or "")
    assert "entre 1 et 255" in (grids.thresholds_error("product", 1, 4, [12, 36, 256]) or "")


def test_a_hospital_scores_its_categories_and_reads_its_heat_map(session: Session, world: World) -> None:
    lyon = world.users["lyon"]
    mapping = pieu.start(session, lyon).mapping
    assert mapping.grid.code == "pieu" and mapping.grid.version == 1
    pieu.set_score(session, lyon, mapping.id, _score("A02", 4, 4, 3, 4, "néonatologie"))  # 192: critical
    pieu.set_score(session, lyon, mapping.id, _score("r01", 2, 4, 1, 3))  # 24: moderate; the code upper-cased
    pieu.set_score(session, lyon, mapping.id, _score("A0101", 1, 2, 2, 2))  # 8: low
    rows = pieu.rows(session, mapping)
    assert [(r.score.emdn_code, r.score.score, r.score.risk_class, r.score.level) for r in rows] == [
        ("A02", 192, "critical", 75), ("R01", 24, "moderate", 9), ("A0101", 8, "low", 3)]
    assert rows[0].term == "SYRINGES"
    assert pieu.class_counts(rows) == {"low": 1, "moderate": 1, "high": 0, "critical": 1}
    # Scoring it again replaces the row, and the audit keeps before and after.
    pieu.set_score(session, lyon, mapping.id, _score("A02", 1, 1, 1, 1))
    assert session.scalar(select(func.count()).select_from(RiskScore)) == 3
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert last is not None and last.before["score"] == 192 and last.after["score"] == 1
    # What Lyon buys and has not scored: the EMDN group of its syringe is scored now, so nothing.
    assert [u.code for u in pieu.unmapped(session, mapping)] == []
    pieu.remove_score(session, lyon, mapping.id, "A02")
    assert [u.code for u in pieu.unmapped(session, mapping)] == ["A02"]


@pytest.mark.parametrize(("data", "field", "words"), [
    (_score("Q99", 1, 1, 1, 1), "emdn_code", "inconnu"),
    (_score("A", 1, 1, 1, 1), "emdn_code", "trop large"),
    (_score("A01", 5, 1, 1, 1), "p", "1 à 4"),
    (_score("A01", 1, 1, 0, 1), "e", "1 à 4"),
])
def test_scores_outside_the_grid_or_unknown_codes_are_refused_naming_the_field(
        session: Session, world: World, data: ScoreIn, field: str, words: str) -> None:
    mapping = pieu.start(session, world.users["lyon"]).mapping
    with pytest.raises(Invalid) as err:
        pieu.set_score(session, world.users["lyon"], mapping.id, data)
    assert err.value.field == field and words in err.value.message


def test_a_new_grid_version_leaves_existing_scores_as_they_were(session: Session, world: World) -> None:
    lyon, national = world.users["lyon"], world.users["national"]
    old = pieu.start(session, lyon).mapping
    pieu.set_score(session, lyon, old.id, _score("A02", 3, 3, 3, 2))  # 54: high on version 1
    with pytest.raises(Forbidden):
        pieu.publish_grid(session, lyon, GridIn(code="pieu", name="x", thresholds=[8, 24, 64], source="s"))
    with pytest.raises(Invalid) as err:
        pieu.publish_grid(session, national, GridIn(code="pieu", name="x", thresholds=[8, 64, 24], source="s"))
    assert err.value.field == "thresholds"
    v2 = pieu.publish_grid(session, national, GridIn(code="pieu", name="P.I.E.U v2", thresholds=[8, 24, 48],
                                                      source="révision"))
    assert v2.version == 2 and pieu.current_grid(session).id == v2.id
    session.expire_all()
    kept = pieu.rows(session, old)[0].score
    assert (kept.score, kept.risk_class) == (54, "high") and old.grid.version == 1
    # Moving to version 2 is the hospital's act: its criteria are copied and scored by the new grid.
    moved = pieu.start(session, lyon, reference_id=old.id)
    assert moved.mapping.id != old.id and moved.copied == 1 and moved.mapping.grid.version == 2
    new = pieu.rows(session, moved.mapping)[0].score
    assert (new.p, new.i, new.e, new.u, new.score, new.risk_class) == (3, 3, 3, 2, 54, "critical")
    assert pieu.mine(session, lyon).id == moved.mapping.id  # type: ignore[union-attr]


def test_a_shared_mapping_is_a_reference_others_start_from(session: Session, world: World) -> None:
    lyon, grenoble, paris = world.users["lyon"], world.users["grenoble"], world.users["paris"]
    source = pieu.start(session, lyon).mapping
    pieu.set_score(session, lyon, source.id, _score("A02", 4, 4, 3, 4))
    pieu.set_score(session, lyon, source.id, _score("R01", 2, 4, 1, 3))
    # Not shared: Paris (another region) neither lists nor reads it.
    assert pieu.references(session, paris) == []
    with pytest.raises(NotFound):
        pieu.get(session, paris, source.id)
    pieu.share(session, lyon, source.id, True)
    [ref] = pieu.references(session, paris)
    assert ref.mapping.organisation.name == "CHU de Lyon" and ref.categories == 2 and ref.mapping.shared_at
    # Paris scored R01 itself first: starting from Lyon's copies A02 and keeps its own R01.
    own = pieu.start(session, paris).mapping
    pieu.set_score(session, paris, own.id, _score("R01", 1, 1, 1, 1))
    started = pieu.start(session, paris, reference_id=source.id)
    assert (started.mapping.id, started.copied, started.kept) == (own.id, 1, 1)
    assert {r.score.emdn_code: r.score.score for r in pieu.rows(session, own)} == {"A02": 192, "R01": 1}
    assert own.based_on_id == source.id
    # A note copied from a reference says whose it is.
    pieu.set_score(session, lyon, source.id, _score("A01", 1, 1, 1, 1, "bloc"))
    pieu.start(session, paris, reference_id=source.id)
    assert pieu.score_of(session, own, "A01").note == "Note de la référence (CHU de Lyon) : bloc"  # type: ignore[union-attr]
    # A reader of a reference does not write it.
    with pytest.raises(Forbidden):
        pieu.set_score(session, grenoble, source.id, _score("A01", 1, 1, 1, 1))
    # Withdrawn, it is no longer a reference; what Paris copied stays Paris's.
    pieu.share(session, lyon, source.id, False)
    assert pieu.references(session, paris) == []
    assert len(pieu.rows(session, own)) == 3


def test_who_reads_a_mapping(session: Session, world: World) -> None:
    u = world.users
    lyon_map = pieu.start(session, u["lyon"]).mapping
    paris_map = pieu.start(session, u["paris"]).mapping
    assert pieu.get(session, u["region84"], lyon_map.id) is lyon_map  # its region
    assert pieu.get(session, u["national"], paris_map.id) is paris_map
    for who in ("region84", "grenoble", "maker_a", "purchaser", "citizen"):
        with pytest.raises(NotFound):
            pieu.get(session, u[who], paris_map.id)
    for who in ("region84", "maker_a", "national", "citizen"):
        with pytest.raises((Forbidden, NotAuthenticated)):
            pieu.start(session, u[who])
    with pytest.raises(NotAuthenticated):
        pieu.start(session, None)


def test_the_region_reads_its_hospitals_put_together(session: Session, world: World) -> None:
    u = world.users
    for who, values in (("lyon", (4, 4, 3, 4)), ("grenoble", (1, 2, 2, 2))):
        mapping = pieu.start(session, u[who]).mapping
        pieu.set_score(session, u[who], mapping.id, _score("A02", *values))
    paris = pieu.start(session, u["paris"]).mapping
    pieu.set_score(session, u["paris"], paris.id, _score("A02", 4, 4, 4, 4))
    view = pieu.region_map(session, u["region84"], "84")
    [a02] = view.categories
    # Lyon 192 (critical, level 75), Grenoble 8 (low, level 3); Paris is in another region.
    assert (a02.hospitals, a02.classes["critical"], a02.classes["low"], a02.max_level, a02.mean_level) == (
        2, 1, 1, 75, 39.0)
    assert {h.organisation.name: h.categories for h in view.hospitals} == {"CHU de Grenoble": 1, "CHU de Lyon": 1}
    with pytest.raises(Forbidden):
        pieu.region_map(session, u["region84"], "11")
    with pytest.raises(Forbidden):
        pieu.region_map(session, u["lyon"], "84")
    assert pieu.region_map(session, u["national"], "11").categories[0].max_level == 100


CSV_OK = "emdn_code;p;i;e;u;note\nA02;4;4;3;4;néonatologie\nR01;2;4;1;3;\n"


def test_the_import_previews_then_applies_all_or_nothing(session: Session, world: World) -> None:
    lyon = world.users["lyon"]
    mapping = pieu.start(session, lyon).mapping
    pieu.set_score(session, lyon, mapping.id, _score("R01", 2, 4, 1, 3))
    preview = pieu.import_scores(session, lyon, mapping.id, CSV_OK, apply=False)
    assert (preview.created, preview.updated, preview.unchanged, preview.rejected) == (1, 0, 1, [])
    assert len(pieu.rows(session, mapping)) == 1  # a preview writes nothing
    done = pieu.import_scores(session, lyon, mapping.id, CSV_OK, apply=True)
    assert done.created == 1 and {r.score.emdn_code for r in pieu.rows(session, mapping)} == {"A02", "R01"}
    bad = ("emdn_code,p,i,e,u,finess\n"
           "A01,1,1,1,1,690781810\n"  # fine
           "Q99,1,1,1,1,\n"  # unknown EMDN code
           "A01,1,1,1,1,\n"  # the same category twice
           "A03,1,9,1,1,\n"  # I outside 1..4
           "A0301,1,1,x,1,\n"  # E not a number
           "A0201,1,1,1,1,750712184\n"  # a row for another hospital (Paris's FINESS)
           "A,1,1,1,1,\n")  # a whole category
    report = pieu.import_scores(session, lyon, mapping.id, bad, apply=False)
    assert [(r.line, r.field) for r in report.rejected] == [
        (3, "emdn_code"), (4, "emdn_code"), (5, "i"), (6, "e"), (7, "finess"), (8, "emdn_code")]
    assert "ligne 2" in report.rejected[1].reason and "750712184" in report.rejected[4].reason
    # Every bad criterion of a line is named, not only the first.
    both = pieu.import_scores(session, lyon, mapping.id, "emdn_code,p,i,e,u\nA01,9,x,1,1\n", apply=False)
    assert [(r.line, r.field) for r in both.rejected] == [(2, "p"), (2, "i")]
    with pytest.raises(Invalid) as err:
        pieu.import_scores(session, lyon, mapping.id, bad, apply=True)
    assert "rien n'a été importé" in err.value.message and "ligne 3" in err.value.message
    assert {r.score.emdn_code for r in pieu.rows(session, mapping)} == {"A02", "R01"}
    with pytest.raises(Invalid) as err:
        pieu.import_scores(session, lyon, mapping.id, "code;x\nA01;1\n", apply=False)
    assert "p, i, e, u" in err.value.message
    # Another hospital's mapping: not even readable, so not importable.
    with pytest.raises(NotFound):
        pieu.import_scores(session, world.users["paris"], mapping.id, CSV_OK, apply=False)


def test_two_saves_of_one_category_at_once_leave_one_row(engine: Engine, world: World) -> None:
    make = session_factory(engine)
    with make() as s:
        mapping_id = pieu.start(s, s.merge(world.users["lyon"])).mapping.id
        s.commit()
    barrier, errors = threading.Barrier(2), []

    def save(value: int) -> None:
        with make() as s:
            try:
                user = s.merge(world.users["lyon"])
                barrier.wait()
                pieu.set_score(s, user, mapping_id, _score("A02", value, 1, 1, 1))
                s.commit()
            except Exception as exc:  # reported below
                errors.append(exc)

    threads = [threading.Thread(target=save, args=(v,)) for v in (2, 3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with make() as s:
        rows = list(s.scalars(select(RiskScore).where(RiskScore.mapping_id == mapping_id)))
    # SQLite serialises writers (one may be told the base is busy); PostgreSQL's unique key decides.
    assert len(rows) == 1 and rows[0].p in (2, 3)
    assert len(errors) <= (1 if engine.dialect.name == "sqlite" else 0), errors
