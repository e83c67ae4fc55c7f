"""The national priority list: each part and the score computed by hand, the filters, who reads it,
and a manufacturer's confidential notice that does not show through."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from sentinelle.catalogue.service import create_product
from sentinelle.errors import Forbidden, NotFound
from sentinelle.risk import pieu, priority
from sentinelle.risk.models import ForeignShortage, ProductVulnerability
from sentinelle.risk.schemas import ScoreIn
from sentinelle.signals import schemas, service
from tests.factories import World, declaration, published_signal


def _scene(session: Session, world: World) -> dict[str, int]:
    u = world.users
    published_signal(session, world, product_index=0)  # Seringue (A020101): a published tension
    seasonal = world.products[3]  # Perfuseur (A0301)
    seasonal.seasonal = True
    # Grenoble's mapping scores the syringes' group at level 75 (P4 I4 E3 U4 = 192).
    mapping = pieu.start(session, u["grenoble"]).mapping
    pieu.set_score(session, u["grenoble"], mapping.id, ScoreIn(emdn_code="A02", p=4, i=4, e=3, u=4))
    medicine = create_product(session, None, kind="medicine", name="ÉTOMIDATE 2 mg/ml", cis="60000011",
                              atc_code="N01AX07")  # on the MITM list (its ATC comes from it)
    medicine.substance_key = "etomidat"
    session.add(ProductVulnerability(product_id=medicine.id, score=50, parts={}, values={}, as_of=date(2026, 1, 1)))
    session.add(ForeignShortage(source="fda-drugs", record_key="0409-6695-02", name="Etomidate Injection",
                                substance_key="etomidat", status="current", first_snapshot=date(2026, 6, 19),
                                last_snapshot=date(2026, 6, 19)))
    # A manufacturer's confidential notice on the intubation tube: it must not show through.
    service.file_notice(session, u["maker_b"], schemas.NoticeIn(
        product_id=world.products[2].id, interruption_at=date.today() + timedelta(days=200)))
    session.commit()
    return {"syringe": world.products[0].id, "seasonal": seasonal.id, "medicine": medicine.id,
            "tube": world.products[2].id}


def test_each_part_and_the_score_as_computed_by_hand(session: Session, world: World) -> None:
    ids = _scene(session, world)
    assert priority.refresh(session, world.users["national"]) == 3
    lines, total = priority.page(session, world.users["national"])
    got = {line.product.id: line.entry for line in lines}
    assert total == 3 and ids["tube"] not in got  # the confidential notice adds nothing
    w = priority.WEIGHTS
    syringe = got[ids["syringe"]]  # published tension: 0.6; the group's level 75: 0.75
    assert (syringe.signal, syringe.criticality) == (0.6, 0.75)
    assert syringe.score == pytest.approx(w.signal * 0.6 + w.criticality * 0.75)
    medicine = got[ids["medicine"]]  # MITM 1, vulnerability 0.5, short abroad 1
    assert (medicine.criticality, medicine.vulnerability, medicine.abroad) == (1.0, 0.5, 1.0)
    assert medicine.score == pytest.approx(w.criticality + w.vulnerability * 0.5 + w.abroad)
    assert got[ids["seasonal"]].score == pytest.approx(w.seasonal)
    assert [line.entry.rank for line in lines] == [1, 2, 3]
    assert [line.product.id for line in lines] == [ids["medicine"], ids["syringe"], ids["seasonal"]]
    explained = priority.explain(session, world.users["national"], ids["medicine"])
    assert [round(c, 3) for _, _, _, c in explained.contributions] == [0, 0.2, 0.1, 0.15, 0]
    assert explained.abroad[0].name == "Etomidate Injection"
    with pytest.raises(NotFound):
        priority.explain(session, world.users["national"], ids["tube"])


def test_filters_and_who_reads(session: Session, world: World) -> None:
    ids = _scene(session, world)
    priority.refresh(session)
    u = world.users
    by_category, _ = priority.page(session, u["national"], category="a02")
    assert [line.product.id for line in by_category] == [ids["syringe"]]
    by_atc, _ = priority.page(session, u["national"], category="N01")
    assert [line.product.id for line in by_atc] == [ids["medicine"]]
    # Lyon (84) buys the syringe and declared it: region 84 reads it; Île-de-France has nothing of it.
    region84, _ = priority.page(session, u["region84"], region="11")  # a region reads its own, whatever it asks
    assert [line.product.id for line in region84] == [ids["syringe"]]
    assert priority.page(session, u["region11"])[1] == 0
    # A national declaration (no region) concerns every region.
    service.declare(session, u["national"], declaration(world.products[1]))
    priority.refresh(session)
    assert world.products[1].id in [line.product.id for line in priority.page(session, u["region11"])[0]]
    for who in ("lyon", "maker_a", "purchaser", "citizen"):
        with pytest.raises(Forbidden):
            priority.page(session, u[who])
    with pytest.raises(Forbidden):
        priority.refresh(session, u["region84"])
