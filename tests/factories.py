"""A small world built through the services: two regions, three hospitals, two manufacturers,
one user per role, a few products."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.accounts.service import create_user
from sentinelle.catalogue.models import EmdnCode, Organisation, Product, Purchase
from sentinelle.catalogue.service import create_organisation, create_product
from sentinelle.signals import schemas, service
from sentinelle.signals.models import Signal

PASSWORD = "correct horse battery"
# Valid FINESS numbers (Luhn key): Lyon, Grenoble (region 84), Paris (region 11).
FINESS = {"lyon": "690781810", "grenoble": "380780080", "paris": "750712184"}

# A few EMDN codes of the real nomenclature (its terms are English), from categories down to types.
EMDN = {"A": "DEVICES FOR ADMINISTRATION, WITHDRAWAL AND COLLECTION", "A01": "NEEDLES",
        "A0101": "NEEDLES FOR INFUSION AND SAMPLING", "A02": "SYRINGES", "A0201": "SINGLE-USE SYRINGES",
        "A020101": "LUER-LOCK SYRINGES", "A03": "DEVICES FOR INFUSION", "A0301": "INFUSION SETS",
        "R": "RESPIRATORY AND ANAESTHESIA DEVICES", "R01": "TRACHEAL TUBES", "R0101": "OROTRACHEAL TUBES",
        "Z": "MEDICAL EQUIPMENT AND RELATED ACCESSORIES", "Z12": "INSTRUMENTS FOR ANALYSIS"}


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    orgs: dict[str, Organisation] = field(default_factory=dict)
    products: list[Product] = field(default_factory=list)


def build_world(session: Session) -> World:
    w = World()
    o = w.orgs
    o["ansm"] = create_organisation(session, None, kind="national", name="ANSM")
    o["ars84"] = create_organisation(session, None, kind="region", name="ARS ARA", region_code="84")
    o["ars11"] = create_organisation(session, None, kind="region", name="ARS IDF", region_code="11")
    o["lyon"] = create_organisation(session, None, kind="establishment", name="CHU de Lyon",
                                    finess=FINESS["lyon"], region_code="84", sentinel=True)
    o["grenoble"] = create_organisation(session, None, kind="establishment", name="CHU de Grenoble",
                                        finess=FINESS["grenoble"], region_code="84")
    o["paris"] = create_organisation(session, None, kind="establishment", name="AP-HP",
                                     finess=FINESS["paris"], region_code="11")
    o["maker_a"] = create_organisation(session, None, kind="manufacturer", name="MédiSud", country="FR")
    o["maker_b"] = create_organisation(session, None, kind="manufacturer", name="NordMed", country="DE")
    o["uniha"] = create_organisation(session, None, kind="purchaser", name="UniHA")
    for code, term in EMDN.items():
        session.add(EmdnCode(code=code, term=term, level=1 + (len(code) - 1) // 2, terminal=code == "A020101",
                             category=code[0], parent_code=code[:-2] if len(code) > 1 else None))
    for _i, (name, maker, emdn, gtin) in enumerate([
        ("Seringue 10 mL Luer lock", "maker_a", "A020101", "03760123450010"),
        ("Aiguille hypodermique 21G", "maker_a", "A0101010101", "03760123450027"),
        ("Sonde d'intubation 7.0", "maker_b", "R0101", "04012345000016"),
        ("Perfuseur par gravité", "maker_b", "A0301", "04012345000023"),
    ]):
        w.products.append(create_product(session, None, kind="device", name=name, emdn_code=emdn, gtin=gtin,
                                         manufacturer_id=o[maker].id))
    session.add(Purchase(establishment_id=o["lyon"].id, product_id=w.products[0].id))
    for key, role, org in [
        ("national", "national", "ansm"), ("region84", "region", "ars84"), ("region11", "region", "ars11"),
        ("lyon", "establishment", "lyon"), ("grenoble", "establishment", "grenoble"),
        ("paris", "establishment", "paris"), ("maker_a", "manufacturer", "maker_a"),
        ("maker_b", "manufacturer", "maker_b"), ("purchaser", "purchaser", "uniha"),
        ("citizen", "citizen", None), ("guarantor", "guarantor", None),
    ]:
        w.users[key] = create_user(session, None, email=f"{key}@test.fr", name=key.capitalize(), password=PASSWORD,
                                   role=role, organisation_id=o[org].id if org else None)
    session.flush()
    return w


def declaration(product: Product, **overrides: object) -> schemas.DeclareIn:
    values: dict[str, object] = {
        "product_id": product.id, "kind": "tension", "cause": "production",
        "started_at": date.today() - timedelta(days=3), "expected_end_at": date.today() + timedelta(days=30),
        "stock_coverage_days": 12, "measures_taken": "Stock de sécurité mobilisé",
    }
    values.update(overrides)
    return schemas.DeclareIn(**values)  # type: ignore[arg-type]


def act(session: Session, user: User, signal: Signal, action: str, **extra: object) -> Signal:
    session.refresh(signal)
    return service.transition(session, user, signal.id,
                              schemas.TransitionIn(action=action, version=signal.version, **extra))  # type: ignore[arg-type]


def published_signal(session: Session, w: World, product_index: int = 0) -> Signal:
    """A declaration from Lyon taken all the way to publication."""
    s = service.declare(session, w.users["lyon"], declaration(w.products[product_index])).signal
    act(session, w.users["region84"], s, "qualify")
    act(session, w.users["national"], s, "validate")
    act(session, w.users["national"], s, "publish", public_message="Tension sur les seringues : commandes limitées.")
    session.commit()
    return s
