"""Purchasing groups: enrolled by the national agency, they see what their members buy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session

from sentinelle.catalogue.models import Purchase
from sentinelle.catalogue.service import add_member, members, members_catalogue, product_detail
from sentinelle.errors import Forbidden, Invalid, NotFound
from sentinelle.signals import schemas, service
from tests.factories import World


def test_only_the_national_agency_enrols_members(session: Session, world: World) -> None:
    uniha, lyon = world.orgs["uniha"].id, world.orgs["lyon"].id
    with pytest.raises(Forbidden):
        add_member(session, world.users["purchaser"], uniha, lyon)
    with pytest.raises(Invalid) as err:
        add_member(session, world.users["national"], world.orgs["lyon"].id, lyon)
    assert err.value.field == "purchaser_id"
    with pytest.raises(Invalid):
        add_member(session, world.users["national"], uniha, world.orgs["maker_a"].id)
    first = add_member(session, world.users["national"], uniha, lyon)
    assert add_member(session, world.users["national"], uniha, lyon).id == first.id  # enrolling twice is a no-op
    assert [o.name for o in members(session, uniha)] == ["CHU de Lyon"]


def test_a_group_sees_notices_on_what_its_members_buy(session: Session, world: World) -> None:
    notice = service.file_notice(session, world.users["maker_a"], schemas.NoticeIn(
        product_id=world.products[0].id, interruption_at=date.today() + timedelta(days=300)))
    session.commit()
    purchaser = world.users["purchaser"]
    with pytest.raises(NotFound):
        service.get(session, purchaser, notice.id)
    add_member(session, world.users["national"], world.orgs["uniha"].id, world.orgs["lyon"].id)
    session.commit()
    assert service.get(session, purchaser, notice.id).confidential is True
    # Its internal timeline stays with the hospitals, agencies and the manufacturer.
    assert all(e.public for e in service.timeline(session, purchaser, notice))


def test_the_members_catalogue_counts_buyers(session: Session, world: World) -> None:
    national = world.users["national"]
    for key in ("lyon", "grenoble"):
        add_member(session, national, world.orgs["uniha"].id, world.orgs[key].id)
    session.add(Purchase(establishment_id=world.orgs["grenoble"].id, product_id=world.products[0].id))
    session.add(Purchase(establishment_id=world.orgs["grenoble"].id, product_id=world.products[3].id))
    session.add(Purchase(establishment_id=world.orgs["paris"].id, product_id=world.products[2].id))  # not a member
    session.flush()
    rows, total = members_catalogue(session, world.users["purchaser"])
    assert total == 2
    assert [(r.product.name, r.buyers) for r in rows] == [("Seringue 10 mL Luer lock", 2),
                                                         ("Perfuseur par gravité", 1)]
    assert members_catalogue(session, world.users["purchaser"], "perfu")[1] == 1
    with pytest.raises(Forbidden):
        members_catalogue(session, world.users["lyon"])


def test_product_detail_names_sites_and_refuses_unknown_ids(session: Session, world: World) -> None:
    d = product_detail(session, world.products[0].id)
    assert d.product.name == "Seringue 10 mL Luer lock" and d.sites == [] and d.suppliers == []
    for bad in (0, 10**6, 2**40):
        with pytest.raises(NotFound):
            product_detail(session, bad)
