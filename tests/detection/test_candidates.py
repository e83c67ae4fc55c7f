"""Alerts into the information system: candidate signals for the hospitals and region concerned."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.accounts.service import create_user
from sentinelle.catalogue.codes import finess_with_key
from sentinelle.catalogue.service import create_organisation, create_product
from sentinelle.detection import detect as engine
from sentinelle.detection.candidates import declare_alerts
from sentinelle.detection.ingest import connect, ingest
from sentinelle.detection.simulate import Config, simulate
from sentinelle.errors import NotFound
from sentinelle.signals import service
from sentinelle.signals.models import Signal
from tests.factories import World


def test_alerts_become_candidate_signals_once(session: Session, world: World, tmp_path: Path) -> None:
    regions = ["84", "84", "84", "11", "11", "11", "11", "75", "75", "93", "93", "32", "32", "84", "11", "53"]
    deps = {"84": "69", "11": "75", "75": "33", "93": "13", "32": "59", "53": "35"}
    hospitals = [create_organisation(session, None, kind="establishment", name=f"CH {i}", region_code=r,
                                     finess=finess_with_key(f"{deps[r]}{200000 + i:06d}")) for i, r in enumerate(regions)]
    products = [create_product(session, None, kind="device", name=f"Dispositif {i}", gtin=None) for i in range(24)]
    session.flush()
    simulate(Config(days=420, seed=5, disruption_share=0.25,
                    establishment_ids=[(h.finess or "", h.region_code or "") for h in hospitals],
                    product_ids=[str(p.id) for p in products]), tmp_path)
    # The lines name products by a catalogue code (GTIN, CIP13 or CIS): here a CIP13 equal to what they carry.
    for p in products:
        p.cip13 = str(p.id)
    session.flush()
    con = connect()
    ingest(con, tmp_path / "orders.csv", tmp_path / "deliveries.csv")
    alerts = engine.detect(con)
    assert alerts
    first = declare_alerts(session, con, alerts)
    session.commit()
    assert first.created >= 1 and not first.unknown_products
    raised = session.scalars(select(Signal).where(Signal.source == "detection")).all()
    assert len(raised) == first.created
    assert all(s.status == "declared" and s.kind == "tension" and service.series(session, s) for s in raised)
    # One open signal per product and scope, its evidence in plain words (no supplier code, no score).
    assert len({(s.product_id, s.region_code) for s in raised}) == len(raised)
    starts = ("livraisons", "arrêt brutal possible", "fournisseur en difficulté")
    assert all(s.cause_detail.startswith(starts) and "depuis le" in s.cause_detail
               and "score" not in s.cause_detail for s in raised), [s.cause_detail for s in raised][:3]
    # Once only: the same alerts again create nothing and add nothing.
    again = declare_alerts(session, con, alerts)
    assert (again.created, again.updated, again.known) == (0, 0, first.created + first.updated)
    # Seen by a hospital that buys the product in its scope, not by another; by the national agency.
    signal = raised[0]
    buyer = next(h for h in hospitals if any(
        d[0] == h.finess for d in con.execute("SELECT DISTINCT est FROM judged WHERE product_id = ? AND abnormal",
                                              [str(signal.product_id)]).fetchall())
        and (signal.region_code is None or h.region_code == signal.region_code))
    buyer_user = create_user(session, None, email="pui@ch.fr", name="PUI", password="correct horse battery",
                             role="establishment", organisation_id=buyer.id)
    assert service.get(session, buyer_user, signal.id).id == signal.id
    assert service.get(session, world.users["national"], signal.id).id == signal.id
    with pytest.raises(NotFound):
        service.get(session, world.users["paris"], signal.id)


def test_a_second_episode_adds_its_evidence_to_the_open_candidate(session: Session, world: World) -> None:
    """Six episodes on one product made six "Déclaré" signals and four near-identical inbox items: now
    the first opens the candidate, the next ones bring it up to date, and nobody is told twice."""
    from datetime import date, timedelta

    from sentinelle.notifications.models import Notification

    product = world.products[2]
    weeks = [date(2026, 6, 1) + timedelta(weeks=i) for i in range(4)]
    lyon = world.orgs["lyon"]

    def episode(ref: str, evidence: str, fill: float) -> Signal | None:
        return service.declare_candidate(session, product=product, region_code="84", started_at=weeks[2],
                                         evidence=evidence, external_ref=ref, concerned=[lyon],
                                         series=[(w, 5, fill, 1.0) for w in weeks])

    first = episode("detection:a", "livraisons en retard chez 2 établissements", 0.7)
    session.commit()
    told = session.query(Notification).count()
    second = episode("detection:b", "livraisons en retard ou incomplètes chez 5 établissements", 0.4)
    session.commit()
    assert first is not None and second is not None and second.id == first.id and first.external_ref == "detection:a"
    assert first.cause_detail == "livraisons en retard ou incomplètes chez 5 établissements"
    assert [round(p.fill_rate, 1) for p in service.series(session, first)] == [0.4] * 4
    assert "La détection confirme et complète" in service.timeline(session, world.users["national"], first)[-1].message
    assert session.query(Notification).count() == told  # no second inbox item
    assert episode("detection:b", "encore", 0.1) is None  # an episode counts once
    # Elsewhere (another region), or once the signal is closed, a new candidate opens.
    other = service.declare_candidate(session, product=product, region_code="11", started_at=weeks[2], evidence="x",
                                      external_ref="detection:c", concerned=[], series=[])
    assert other is not None and other.id != first.id


def test_the_wording_says_which_path_raised_the_alert() -> None:
    from datetime import date

    from sentinelle.detection.candidates import wording

    day = date(2025, 3, 4)
    rows = [("P1", "S", "national", "FR", day, est, f"L{est}", day, day, day, 10, 0, 1, 0, False)
            for est in ("750000001", "690000001")]
    fast = wording(rows, day, 1, "fast")
    assert fast.startswith("arrêt brutal possible") and "2 établissements" in fast and "sans rien de livré" in fast
    pooled = wording(rows, day, 14, "pooled")
    assert pooled.startswith("fournisseur en difficulté dans la région") and "2 lignes" in pooled
    assert wording(rows, day, 14).startswith("livraisons")
