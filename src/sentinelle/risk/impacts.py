"""Impacts of shortages on care (roadmap axis I.2): each hospital records, against a signal it reads,
what the shortage did to its care; the agencies read the statistics per shortage, category and region,
and export them for the retrospective study with the establishments pseudonymised."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue.models import Organisation, Product
from sentinelle.catalogue.regions import region_name
from sentinelle.errors import Invalid, require
from sentinelle.risk import policy
from sentinelle.risk.models import CareImpact
from sentinelle.risk.schemas import ImpactIn, ImpactStatOut
from sentinelle.signals import service as signals
from sentinelle.signals.models import Signal
from sentinelle.store.base import utcnow

# A vigilance reference as the ANSM or a regional centre gives it: letters, digits, - / . _
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,39}$")
COUNTS = ("delayed_patients", "deprogrammed", "adverse_events")
FLAGS = ("delayed_care", "switched", "switch_training", "switch_adaptation")


def _check(data: ImpactIn) -> list[str]:
    """The references, cleaned; a refusal naming the field for what cannot be so."""
    refs = [r.strip() for r in data.vigilance_refs if r.strip()]
    bad = [r for r in refs if not _REF.match(r)]
    if bad:
        raise Invalid(f"référence de vigilance illisible : « {bad[0][:40]} » (lettres, chiffres, - / . _ ; "
                      "40 caractères au plus)", "vigilance_refs")
    if refs and data.adverse_events == 0:
        raise Invalid("des références de vigilance sans événement indésirable : indiquez combien", "adverse_events")
    if (data.switch_training or data.switch_adaptation) and not data.switched:
        raise Invalid("une formation ou une adaptation suppose un passage à une alternative : cochez-le", "switched")
    if data.delayed_patients and not data.delayed_care:
        raise Invalid("des patients dont les soins ont été retardés : cochez « soins retardés »", "delayed_care")
    return refs


def _values(record: CareImpact) -> dict[str, Any]:
    return {name: getattr(record, name) for name in (*FLAGS, *COUNTS)}


def record(session: Session, user: User | None, signal_id: int, data: ImpactIn) -> CareImpact:
    """Record (or replace) the user's hospital's impact on care of a shortage it reads."""
    user = require(user, policy.can_record_impact(user), "seul un établissement de santé décrit l'impact sur ses soins")
    signal = signals.get(session, user, signal_id)  # out of its sight: not found
    refs = _check(data)
    values = {**data.model_dump(exclude={"vigilance_refs", "description"}), "vigilance_refs": "\n".join(refs),
              "description": data.description.strip(), "author_id": user.id, "updated_at": utcnow()}
    mine_q = select(CareImpact).where(CareImpact.signal_id == signal.id,
                                      CareImpact.organisation_id == user.organisation_id)
    existing = session.scalar(mine_q)
    if existing is None:
        try:
            with session.begin_nested():  # the same hospital at the same instant: the unique key decides
                session.add(CareImpact(signal_id=signal.id, organisation_id=user.organisation_id, **values))
        except IntegrityError:
            existing = session.scalars(mine_q).one()
    before = None
    if existing is not None:
        before = _values(existing)
        session.execute(update(CareImpact).where(CareImpact.id == existing.id).values(**values))
        session.expire(existing)
    found = session.scalars(mine_q).one()
    if before is None:  # its first description is a line of the signal's internal history, not each change
        signals.record_event(session, signal, user, "impact", "Impact sur les soins décrit par un établissement")
    audit.record(session, user, audit.Action.RISK_IMPACT, "signal", signal.id, before=before, after=_values(found))
    return found


def mine(session: Session, user: User | None, signal: Signal) -> CareImpact | None:
    if not policy.can_record_impact(user):
        return None
    assert user is not None
    return session.scalar(select(CareImpact).where(CareImpact.signal_id == signal.id,
                                                   CareImpact.organisation_id == user.organisation_id))


def of_signal(session: Session, user: User | None, signal: Signal) -> list[CareImpact]:
    """The hospitals' records on a signal that `user` reads (a hospital: its own)."""
    return list(session.scalars(select(CareImpact).where(CareImpact.signal_id == signal.id, policy.visible_impacts(user))
                                .order_by(CareImpact.updated_at.desc())))


BY = ("signal", "category", "region")
BY_LABELS = {"signal": "par pénurie", "category": "par catégorie (groupe EMDN, classe ATC)", "region": "par région"}


def _totals() -> list[Any]:
    n = func.count(func.distinct(CareImpact.organisation_id))
    as_int = lambda flag: func.sum(func.cast(flag, type_=CareImpact.deprogrammed.type))  # noqa: E731
    return [n, as_int(CareImpact.delayed_care), func.sum(CareImpact.delayed_patients), func.sum(CareImpact.deprogrammed),
            as_int(CareImpact.switched), as_int(CareImpact.switch_training), as_int(CareImpact.switch_adaptation),
            func.sum(CareImpact.adverse_events)]


def statistics(session: Session, user: User | None, by: str = "signal") -> list[ImpactStatOut]:
    """Totals per shortage, per category (a device's EMDN group, a medicine's ATC class) or per region,
    over the records the agency reads, the heaviest first."""
    require(user, policy.reads_impact_statistics(user),
            "vous n'avez pas accès aux statistiques d'impact : elles sont réservées aux agences")
    if by not in BY:
        raise Invalid(f"regroupement inconnu : {by[:20]} (attendu : {', '.join(BY)})", "by")
    base: Select[Any]
    if by == "signal":
        base = select(Signal.id, Product.name, *_totals()).join(Signal, Signal.id == CareImpact.signal_id) \
            .join(Product, Product.id == Signal.product_id).group_by(Signal.id, Product.name)
    elif by == "category":
        group = func.coalesce(func.substr(Product.emdn_code, 1, 3), func.substr(Product.atc_code, 1, 3), "?")
        base = select(group, group, *_totals()).join(Signal, Signal.id == CareImpact.signal_id) \
            .join(Product, Product.id == Signal.product_id).group_by(group)
    else:
        base = select(Organisation.region_code, Organisation.region_code, *_totals()) \
            .join(Organisation, Organisation.id == CareImpact.organisation_id).group_by(Organisation.region_code)
    rows = session.execute(base.where(policy.visible_impacts(user))).all()
    counted = ("hospitals", "delayed_care", "delayed_patients", "deprogrammed", "switched", "switch_training",
               "switch_adaptation", "adverse_events")
    stats = [ImpactStatOut(group=str(g), label=region_name(str(label)) if by == "region" else str(label),
                           **{name: int(v or 0) for name, v in zip(counted, rest, strict=True)})
             for g, label, *rest in rows]
    return sorted(stats, key=lambda s: (-s.deprogrammed, -s.adverse_events, -s.hospitals, s.group))


EXPORT_COLUMNS = ("signal_id", "signal_kind", "signal_status", "product_kind", "category", "region",
                  "establishment", "updated_on", *FLAGS, *COUNTS, "vigilance_refs_count")


def pseudonym(key: bytes, organisation_id: int) -> str:
    """The same establishment under the same name in every export of this instance, and no way back
    without the instance's key."""
    return "ES-" + hmac.new(key, f"organisation:{organisation_id}".encode(), hashlib.sha256).hexdigest()[:10]


def export(session: Session, user: User | None, key: bytes) -> Iterator[dict[str, Any]]:
    """The records the agency reads, one row each, for the retrospective study: establishments
    pseudonymised, no free text and no vigilance reference (their count only), columns in
    docs/risk.md."""
    require(user, policy.reads_impact_statistics(user),
            "vous n'avez pas accès à l'export des impacts : il est réservé aux agences")
    query = (select(CareImpact, Signal, Product, Organisation.region_code)
             .join(Signal, Signal.id == CareImpact.signal_id).join(Product, Product.id == Signal.product_id)
             .join(Organisation, Organisation.id == CareImpact.organisation_id)
             .where(policy.visible_impacts(user)).order_by(Signal.id, CareImpact.id))
    for impact, signal, product, region in session.execute(query):
        yield {"signal_id": signal.id, "signal_kind": signal.kind, "signal_status": signal.status,
               "product_kind": product.kind,
               "category": (product.emdn_code or "")[:3] or (product.atc_code or "")[:3],
               "region": region or "", "establishment": pseudonym(key, impact.organisation_id),
               "updated_on": impact.updated_at.date().isoformat(),
               **{k: int(v) for k, v in _values(impact).items()},  # 1 / 0, not True / False
               "vigilance_refs_count": len([r for r in impact.vigilance_refs.splitlines() if r.strip()])}
