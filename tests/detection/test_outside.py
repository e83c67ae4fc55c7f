"""What the application hands to detection from outside the order lines (detection/outside.py): the
shortages abroad on each product's substance, always (public records); the vulnerability ranking only
once published; never a manufacturer's confidential notice."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from sentinelle.catalogue.service import create_product
from sentinelle.detection.outside import known
from sentinelle.risk import ranking
from sentinelle.risk.models import ForeignShortage, ProductVulnerability
from sentinelle.signals import schemas, service
from tests.factories import World


def test_shortages_abroad_always_the_ranking_once_published_notices_never(session: Session, world: World) -> None:
    u = world.users
    short = create_product(session, None, kind="medicine", name="Étomidate", cis="60000021", atc_code="N01AX07")
    short.substance_key = "etomidat"
    other = create_product(session, None, kind="medicine", name="Paracétamol", cis="60000022", atc_code="N02BE01")
    other.substance_key = "paracetamol"
    for n, product in enumerate((short, other)):
        session.add(ProductVulnerability(product_id=product.id, score=90 - 50 * n, parts={}, values={},
                                         as_of=date(2026, 1, 1)))
    session.add_all([
        ForeignShortage(source="fda-drugs", record_key="a", name="Etomidate", substance_key="etomidat",
                        status="current", posted_on=date(2026, 5, 2), first_snapshot=date(2026, 6, 19),
                        last_snapshot=date(2026, 6, 19)),
        ForeignShortage(source="ema", record_key="b", name="Etomidate", substance_key="etomidat", status="resolved",
                        posted_on=None, first_snapshot=date(2025, 1, 10), updated_on=date(2025, 3, 1),
                        last_snapshot=date(2025, 4, 1)),
        ForeignShortage(source="fda-drugs", record_key="c", name="Other", substance_key="morphin",
                        status="current", first_snapshot=date(2026, 6, 19), last_snapshot=date(2026, 6, 19))])
    service.file_notice(session, u["maker_b"], schemas.NoticeIn(
        product_id=short.id, interruption_at=date.today() + timedelta(days=200)))
    session.commit()

    outside = known(session)
    assert outside.abroad == (("60000021", date(2025, 1, 10), date(2025, 3, 1)),
                              ("60000021", date(2026, 5, 2), None))
    assert outside.vulnerability == () and outside.notices == ()
    ranking.publish(session, u["national"], True)
    scores = dict(known(session).vulnerability)
    # Ranks among the scored medicines: the most vulnerable at 100.
    assert scores["60000021"] == 100 and scores["60000022"] == 0
