"""The vulnerability ranking: the agencies read it, the public only once the national agency publishes
it; and where products are made, inside or outside the EU."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from sentinelle.catalogue.models import ProductionSite, ProductSite
from sentinelle.catalogue.service import create_product
from sentinelle.errors import Forbidden, Invalid, NotAuthenticated
from sentinelle.risk import ranking
from sentinelle.risk.models import ProductVulnerability
from tests.factories import World


def _scene(session: Session, world: World) -> None:
    for n, (cis, atc, score) in enumerate([("60000011", "N01AX07", 90), ("60000012", "N02BE01", 40),
                                           ("60000013", "J01CA04", 70)]):
        product = create_product(session, None, kind="medicine", name=f"Médicament {n}", cis=cis, atc_code=atc)
        session.add(ProductVulnerability(product_id=product.id, score=score, parts={}, values={},
                                         as_of=date(2026, 1, 26)))
    site = ProductionSite(manufacturer_id=world.orgs["maker_a"].id, name="Usine", country="IN")
    session.add(site)
    session.flush()
    session.add_all([ProductSite(product_id=world.products[0].id, site_id=site.id),
                     ProductSite(product_id=world.products[1].id, site_id=site.id)])
    session.commit()


def test_the_ranking_is_the_agencies_until_published(session: Session, world: World) -> None:
    _scene(session, world)
    u = world.users
    rows, total = ranking.page(session, u["region84"])
    assert total == 3 and [r.vulnerability.score for r in rows] == [90, 70, 40] and rows[0].rank == 1
    assert [r.product.atc_code for r in ranking.page(session, u["national"], atc="n0")[0]] == ["N01AX07", "N02BE01"]
    with pytest.raises(Invalid):
        ranking.page(session, u["national"], atc="--")
    for who in ("lyon", "maker_a", "citizen"):
        with pytest.raises(Forbidden):
            ranking.page(session, u[who])
    with pytest.raises(NotAuthenticated):
        ranking.page(session, None)
    with pytest.raises(Forbidden):
        ranking.publish(session, u["region84"], True)
    ranking.publish(session, u["national"], True)
    assert ranking.page(session, None)[1] == 3 and ranking.page(session, u["citizen"])[1] == 3
    [india] = ranking.production_countries(session, None)
    assert (india.code, india.products, india.sites, india.in_eu) == ("IN", 2, 1, False)
    ranking.publish(session, u["national"], False)
    with pytest.raises(Forbidden):
        ranking.page(session, u["maker_a"])
