"""Impacts of shortages on care: a hospital's record kept once and replaced, its refusals named, who
reads it, the statistics computed by hand, and the study's export pseudonymised."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentinelle.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from sentinelle.risk import impacts
from sentinelle.risk.models import CareImpact
from sentinelle.risk.schemas import ImpactIn
from sentinelle.signals import service
from tests.factories import World, declaration, published_signal

KEY = b"instance-key"


def test_a_hospital_records_and_replaces_its_impact(session: Session, world: World) -> None:
    signal = published_signal(session, world)
    lyon = world.users["lyon"]
    impacts.record(session, lyon, signal.id, ImpactIn(deprogrammed=4, delayed_care=True, delayed_patients=12))
    again = impacts.record(session, lyon, signal.id, ImpactIn(
        deprogrammed=6, switched=True, switch_training=True, adverse_events=1, vigilance_refs=["R2601234"],
        description="Bloc de chirurgie infantile"))
    assert session.scalar(select(func.count()).select_from(CareImpact)) == 1
    assert (again.deprogrammed, again.delayed_care, again.switch_training, again.vigilance_refs) == (
        6, False, True, "R2601234")
    assert impacts.mine(session, lyon, signal) is not None and impacts.mine(session, world.users["paris"], signal) is None


@pytest.mark.parametrize(("data", "field"), [
    (ImpactIn(vigilance_refs=["R1"]), "adverse_events"),
    (ImpactIn(switch_training=True), "switched"),
    (ImpactIn(delayed_patients=3), "delayed_care"),
    (ImpactIn(adverse_events=1, vigilance_refs=["<script>"]), "vigilance_refs"),
])
def test_what_does_not_hold_together_is_refused_naming_the_field(session: Session, world: World, data: ImpactIn,
                                                                 field: str) -> None:
    signal = published_signal(session, world)
    with pytest.raises(Invalid) as err:
        impacts.record(session, world.users["lyon"], signal.id, data)
    assert err.value.field == field


def test_who_records_and_who_reads(session: Session, world: World) -> None:
    u = world.users
    published = published_signal(session, world)
    private = service.declare(session, u["grenoble"], declaration(world.products[3])).signal
    for who in ("maker_a", "region84", "national", "citizen", "purchaser"):
        with pytest.raises(Forbidden):
            impacts.record(session, u[who], published.id, ImpactIn())
    with pytest.raises(NotAuthenticated):
        impacts.record(session, None, published.id, ImpactIn())
    with pytest.raises(NotFound):  # Paris does not read Grenoble's declaration
        impacts.record(session, u["paris"], private.id, ImpactIn(deprogrammed=1))
    impacts.record(session, u["lyon"], published.id, ImpactIn(deprogrammed=2))
    impacts.record(session, u["paris"], published.id, ImpactIn(deprogrammed=5))
    names = lambda who: sorted(i.organisation.name for i in impacts.of_signal(session, u[who], published))  # noqa: E731
    assert names("national") == ["AP-HP", "CHU de Lyon"]
    assert names("region84") == ["CHU de Lyon"] and names("region11") == ["AP-HP"]
    assert names("lyon") == ["CHU de Lyon"] and names("grenoble") == [] and names("maker_a") == []
    with pytest.raises(Forbidden):
        impacts.statistics(session, u["lyon"])


def test_statistics_and_the_export_as_computed_by_hand(session: Session, world: World) -> None:
    u = world.users
    first = published_signal(session, world, product_index=0)  # Seringue, EMDN A020101
    second = published_signal(session, world, product_index=2)  # Sonde d'intubation, EMDN R0101
    impacts.record(session, u["lyon"], first.id, ImpactIn(delayed_care=True, delayed_patients=10, deprogrammed=3,
                                                          description="Nom d'un service"))
    impacts.record(session, u["grenoble"], first.id, ImpactIn(deprogrammed=2, switched=True, switch_adaptation=True))
    impacts.record(session, u["paris"], second.id, ImpactIn(adverse_events=2, vigilance_refs=["R1", "R2"]))
    national = {s.group: s for s in impacts.statistics(session, u["national"], "signal")}
    s1 = national[str(first.id)]
    assert (s1.hospitals, s1.delayed_care, s1.delayed_patients, s1.deprogrammed, s1.switched, s1.switch_adaptation) == (
        2, 1, 10, 5, 1, 1)
    assert national[str(second.id)].adverse_events == 2
    by_category = {s.group: s.deprogrammed for s in impacts.statistics(session, u["national"], "category")}
    assert by_category == {"A02": 5, "R01": 0}
    by_region = {s.group: (s.label, s.hospitals) for s in impacts.statistics(session, u["national"], "region")}
    assert by_region == {"84": ("Auvergne-Rhône-Alpes", 2), "11": ("Île-de-France", 1)}
    # The region reads its own hospitals only.
    assert [s.hospitals for s in impacts.statistics(session, u["region11"], "region")] == [1]
    rows = list(impacts.export(session, u["national"], KEY))
    assert len(rows) == 3 and set(rows[0]) == set(impacts.EXPORT_COLUMNS)
    text = repr(rows)
    assert "CHU de Lyon" not in text and "Nom d'un service" not in text and "R1" not in text
    lyon = impacts.pseudonym(KEY, world.orgs["lyon"].id)
    assert [r["establishment"] for r in rows].count(lyon) == 1 and lyon.startswith("ES-")
    assert impacts.pseudonym(b"another-instance", world.orgs["lyon"].id) != lyon
    assert next(r for r in rows if r["region"] == "11")["vigilance_refs_count"] == 2
    with pytest.raises(Forbidden):
        list(impacts.export(session, u["paris"], KEY))
