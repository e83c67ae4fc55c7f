"""The Union list's criticality: the grid by hand, the import (every bad row named, all or nothing,
a substance rated again updated), who imports, and where it weighs (the priority list)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.catalogue.service import create_product
from sentinelle.errors import Forbidden, Invalid
from sentinelle.risk import criticality, priority
from sentinelle.risk.models import PriorityEntry, UnionCriticality
from tests.factories import World


@pytest.mark.parametrize(("seriousness", "alternatives", "expected"), [
    ("high", 0, "high"), ("high", 2, "high"), ("high", 3, "medium"), ("medium", 0, "high"), ("medium", 1, "medium"),
    ("medium", 5, "low"), ("low", 0, "medium"), ("low", 1, "low"), ("low", 9, "low")])
def test_the_grid_by_hand(seriousness: str, alternatives: int, expected: str) -> None:
    assert criticality.criticality(seriousness, alternatives) == expected


def test_the_import_names_each_bad_row_and_writes_nothing(session: Session, world: World) -> None:
    bad = ("substance;seriousness;alternatives;union_list\n"
           "Amoxicilline;élevée;1;oui\n"
           ";élevée;1;oui\n"
           "Étomidate;grave;0;non\n"
           "Ceftriaxone;moyenne;-1;non\n"
           "Héparine;faible;2;peut-être\n"
           "amoxicillin;faible;2;non\n")
    with pytest.raises(Invalid) as refused:
        criticality.import_csv(session, None, bad)
    message = refused.value.message
    for piece in ("ligne 3, substance", "ligne 4, seriousness", "ligne 5, alternatives", "ligne 6, union_list",
                  "ligne 7, substance"):  # the English name is the same substance as line 2
        assert piece in message, message
    assert session.scalar(select(UnionCriticality)) is None
    with pytest.raises(Invalid, match="seriousness"):
        criticality.import_csv(session, None, "substance,alternatives\nX,1\n")
    with pytest.raises(Forbidden):
        criticality.import_csv(session, world.users["region84"], "substance,seriousness,alternatives\nX,low,1\n")


def test_ratings_update_and_weigh_in_the_priority_list(session: Session, world: World) -> None:
    medicine = create_product(session, None, kind="medicine", name="ÉTOMIDATE 2 mg/ml", cis="60000011")
    medicine.substance_key = "etomidat"
    session.commit()
    report = criticality.import_csv(session, world.users["national"],
                                    "substance,seriousness,alternatives,union_list,source\n"
                                    "Étomidate,high,3,yes,liste de l'Union 2023\n")
    assert (report.created, report.updated) == (1, 0)
    rating = session.get(UnionCriticality, "etomidat")
    assert rating is not None and (rating.criticality, rating.on_union_list) == ("medium", True)
    priority.refresh(session)
    entry = session.get(PriorityEntry, medicine.id)
    assert entry is not None and entry.criticality == round(2 / 3, 4)
    # Rated again: updated in place, now without alternatives → high.
    again = criticality.import_csv(session, None, "substance;seriousness;alternatives\netomidate;élevée;0\n")
    assert (again.created, again.updated) == (0, 1)
    session.expire_all()
    assert session.get(UnionCriticality, "etomidat").criticality == "high"  # type: ignore[union-attr]
    priority.refresh(session)
    assert session.get(PriorityEntry, medicine.id).criticality == 1.0  # type: ignore[union-attr]
