"""Signal use cases: declare, file a notice, move through the lifecycle, comment, publish.

Every function takes the session and the acting user, checks the policy, writes an audit row
and leaves committing to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session, defaultload, lazyload
from sqlalchemy.orm.exc import StaleDataError

from sentinelle import events
from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue.models import Organisation, Product, Purchase
from sentinelle.catalogue.service import match_ids
from sentinelle.config import get_settings
from sentinelle.errors import Conflict, Forbidden, Invalid, NotFound, require
from sentinelle.signals import events as signal_events
from sentinelle.signals import policy, schemas
from sentinelle.signals.models import Declarer, Episode, Event, Measure, SeriesPoint, Signal
from sentinelle.signals.states import (
    ACTION_LABELS,
    KIND_LABELS,
    MEASURE_LABELS,
    STATUS_LABELS,
    TERMINAL,
    next_status,
)
from sentinelle.store.base import id_in_range, utcnow
from sentinelle.store.db import upsert

OPEN_STATUSES = ("declared", "qualified", "validated", "published")


def snapshot(signal: Signal) -> dict[str, Any]:
    return {
        "status": signal.status,
        "kind": signal.kind,
        "expected_end_at": signal.expected_end_at.isoformat() if signal.expected_end_at else None,
        "stock_coverage_days": signal.stock_coverage_days,
        "public_message": signal.public_message,
        "version": signal.version,
    }


def _label(user: User | None) -> str:
    return "Sentinelle" if user is None else user.label


def record_event(session: Session, signal: Signal, actor: User | None, kind: str, message: str = "", *,
           from_status: str | None = None, to_status: str | None = None, public: bool = False) -> None:
    session.add(Event(signal_id=signal.id, actor_id=actor.id if actor else None, actor_label=_label(actor),
                      kind=kind, message=message, from_status=from_status, to_status=to_status, public=public))


def _product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise Invalid(f"produit inconnu : {product_id}", "product_id")
    return product


@dataclass
class Declared:
    signal: Signal
    merged: bool  # True when the declaration joined an open signal on the same product
    # True when that signal is one its author may not read: the declaration waits, on the signal, for
    # the region or the national agency to admit it. Its author learns only that the product is followed.
    waiting: bool = False
    declarer: Declarer | None = None


def _facts(data: schemas.DeclareIn) -> dict[str, Any]:
    return {"kind": data.kind, "cause": data.cause, "cause_detail": data.cause_detail,
            "started_at": data.started_at.isoformat(),
            "expected_end_at": data.expected_end_at.isoformat() if data.expected_end_at else None,
            "stock_coverage_days": data.stock_coverage_days, "measures_taken": data.measures_taken}


def _open_duplicate(session: Session, product_id: int, region: str | None) -> Signal | None:
    """The open signal a new declaration of this product joins: the one declared in the same region
    (its key), else any other open one there (a tension raised by detection), else one already public."""
    found = session.scalar(select(Signal).where(Signal.open_key == open_key(product_id, region)))
    if found is None:
        same_place = Signal.region_code == region if region else Signal.region_code.is_(None)
        found = session.scalar(
            select(Signal).where(Signal.product_id == product_id, Signal.status.in_(OPEN_STATUSES),
                                 Signal.confidential.is_(False), same_place | Signal.published_at.is_not(None))
            .order_by(Signal.published_at.is_(None), Signal.id).limit(1))
    return found


def open_key(product_id: int, region: str | None) -> str:
    return f"{product_id}:{region or ''}"


def declare(session: Session, user: User | None, data: schemas.DeclareIn) -> Declared:
    user = require(user, policy.can_declare(user), policy.DECLARE_REFUSAL, anonymous=policy.DECLARE_ANONYMOUS)
    product = _product(session, data.product_id)
    if not policy.can_declare_on(session, user, product.id):
        raise Forbidden("un fabricant déclare sur les produits qu'il fabrique ou distribue ; pour un autre produit, "
                        "écrivez à l'agence nationale", "product_id")
    if data.expected_end_at and data.expected_end_at < data.started_at:
        raise Invalid("la fin prévue précède le début", "expected_end_at")
    if data.started_at > date.today() + timedelta(days=366):
        raise Invalid("la date de début est trop loin dans le futur", "started_at")
    region = user.region_code if policy.declares_in_region(user) else None
    org_id = user.organisation_id
    key = open_key(product.id, region)

    # Same product, still open, in the same region (or already public): one shortage, several
    # declarers. The signal is inserted only if no other holds its key, in one statement, so that two
    # declarations at the same instant make one signal (the unique key decides, not a prior look).
    duplicate = _open_duplicate(session, product.id, region)
    if duplicate is None:
        new_id = session.scalar(
            upsert(session, Signal.__table__).values(
                kind=data.kind, status="declared", source=user.role, product_id=product.id, region_code=region,
                organisation_id=org_id, created_by_id=user.id, cause=data.cause, cause_detail=data.cause_detail,
                started_at=data.started_at, expected_end_at=data.expected_end_at,
                stock_coverage_days=data.stock_coverage_days, measures_taken=data.measures_taken, open_key=key,
            ).on_conflict_do_nothing(index_elements=["open_key"]).returning(Signal.id))
        if new_id is None:  # another declaration took the key a moment ago: join it
            duplicate = _open_duplicate(session, product.id, region)
            if duplicate is None:
                raise Conflict("une déclaration concurrente vient d'être close : recommencez", "product_id")
        else:
            return _declared_new(session, user, product, session.get_one(Signal, new_id), data)
    return _join(session, user, product, duplicate, data)


def _declared_new(session: Session, user: User, product: Product, signal: Signal,
                  data: schemas.DeclareIn) -> Declared:
    declarer = None
    if user.organisation_id:
        declarer = Declarer(organisation_id=user.organisation_id, user_id=user.id, facts=_facts(data),
                            share_measures=data.share_measures)
        signal.declarers.append(declarer)
    session.flush()
    record_event(session, signal, user, "transition", "Déclaration", to_status="declared")
    audit.record(session, user, audit.Action.SIGNAL_DECLARE, "signal", signal.id, after=snapshot(signal))
    events.emit(session, signal_events.Declared(signal, user, data.kind))
    return Declared(signal, False, declarer=declarer)


def _join(session: Session, user: User, product: Product, signal: Signal, data: schemas.DeclareIn) -> Declared:
    """A declaration on a product already followed. It is kept as its author's own record on that
    signal; it opens the signal to its author only if the author could already read it."""
    readable = session.scalar(select(Signal.id).where(Signal.id == signal.id, policy.visible_to(user))) is not None
    org_id = user.organisation_id
    mine = next((d for d in signal.declarers if org_id and d.organisation_id == org_id), None)
    if mine is None and org_id:
        mine = Declarer(organisation_id=org_id, user_id=user.id, admitted=readable, facts=_facts(data),
                        share_measures=data.share_measures)
        signal.declarers.append(mine)
    elif mine is not None:
        mine.facts, mine.share_measures, mine.user_id = _facts(data), data.share_measures, user.id
    session.flush()
    waiting = mine is not None and not mine.admitted
    # The declaration's own facts stay on its record (the agencies read them there), not in the history.
    record_event(session, signal, user, "declaration",
           f"Nouvelle déclaration {'transmise à l’agence' if waiting else 'rattachée'} : {KIND_LABELS[data.kind]}")
    audit.record(session, user, audit.Action.SIGNAL_DECLARE_WAITING if waiting else audit.Action.SIGNAL_DECLARE_JOINED, "signal",
                 signal.id, after={"product_id": product.id, "declarer_id": mine.id if mine else None})
    if waiting:
        events.emit(session, signal_events.DeclarationWaiting(signal, user))
    return Declared(signal, True, waiting=waiting, declarer=mine)


def admit(session: Session, user: User | None, signal_id: int, declarer_id: int) -> Declarer:
    """The region or the national agency admits a waiting declaration: its author now reads the signal."""
    signal = get(session, user, signal_id)
    if not policy.can_admit(user, signal):
        raise Forbidden("seule l'agence régionale du signal ou l'agence nationale rattache une déclaration")
    declarer = next((d for d in signal.declarers if d.id == declarer_id), None)
    if declarer is None:
        raise NotFound(f"déclaration introuvable sur ce signal : {declarer_id}", "declarer_id")
    if declarer.admitted:
        raise Conflict("cette déclaration est déjà rattachée", "declarer_id")
    declarer.admitted = True
    session.flush()
    record_event(session, signal, user, "declaration", f"Déclaration de {declarer.organisation.name} rattachée")
    audit.record(session, user, audit.Action.SIGNAL_ADMIT, "signal", signal.id, after={"declarer_id": declarer.id})
    events.emit(session, signal_events.DeclarationAdmitted(signal, user, declarer.organisation_id))
    return declarer


def my_declarations(session: Session, user: User, *,
                    limit: int = 100) -> list[tuple[Declarer, Product, Signal | None]]:
    """The declarations of `user`'s organisation, newest first, each with its product and its signal
    when the organisation may read it (None while it waits to be admitted to a signal it may not read)."""
    if user.organisation_id is None:
        return []
    rows = session.execute(select(Declarer, Signal).join(Signal, Signal.id == Declarer.signal_id)
                           .where(Declarer.organisation_id == user.organisation_id)
                           .order_by(Declarer.declared_at.desc(), Declarer.id.desc()).limit(limit)).all()
    readable = set(session.scalars(select(Signal.id).where(
        Signal.id.in_([s.id for _, s in rows]), policy.visible_to(user))))
    return [(d, s.product, s if s.id in readable else None) for d, s in rows]


def shared_measures(signal: Signal, *, besides: int | None = None) -> list[str]:
    """The measures its declarers chose to share with the other buyers, without saying who took them
    (`besides`: an organisation whose own measures its reader sees elsewhere)."""
    return [m for d in signal.declarers if d.share_measures and d.admitted and d.organisation_id != besides
            for m in [((d.facts or {}).get("measures_taken") or "").strip()] if m]


def declare_candidate(session: Session, *, product: Product, region_code: str | None, started_at: date,
                      evidence: str, external_ref: str, concerned: list[Organisation],
                      series: list[tuple[date, int, float, float]]) -> Signal | None:
    """A tension raised by detection (no acting user: the system declares it), once per alert episode.

    One open signal per product and scope: an episode on a product already followed there (a candidate
    of an earlier episode, or a hospital's declaration) adds its evidence to that signal, its chart
    brought up to date, instead of opening another. A new candidate is seen, until published, by the
    establishments that buy the product in its scope (they are recorded as buyers) and by the region's
    agency, which qualifies or rejects it like any other. Returns the signal the episode went to (a new
    one carries `external_ref`), None when this episode was already counted."""
    if session.get(Episode, external_ref) is not None or session.scalar(
            select(Signal.id).where(Signal.external_ref == external_ref)) is not None:
        return None
    for org in concerned:
        if not session.scalar(select(Purchase.id).where(Purchase.establishment_id == org.id,
                                                        Purchase.product_id == product.id)):
            session.add(Purchase(establishment_id=org.id, product_id=product.id))
    same_place = Signal.region_code == region_code if region_code else Signal.region_code.is_(None)
    followed = session.scalar(select(Signal).where(
        Signal.product_id == product.id, same_place, Signal.status.in_(OPEN_STATUSES),
        Signal.confidential.is_(False)).order_by(Signal.source != "detection", Signal.id).limit(1))
    if followed is not None:
        session.add(Episode(ref=external_ref, signal_id=followed.id, first_alert_at=started_at))
        if followed.source == "detection":
            followed.cause_detail = evidence
        if followed.source == "detection" or not session.scalar(
                select(SeriesPoint.id).where(SeriesPoint.signal_id == followed.id).limit(1)):
            _replace_series(session, followed, series)
        record_event(session, followed, None, "update", f"La détection confirme et complète : {evidence}")
        return followed
    signal = Signal(kind="tension", status="declared", source="detection", product_id=product.id,
                    region_code=region_code, cause="unknown", cause_detail=evidence, started_at=started_at,
                    measures_taken="", external_ref=external_ref)
    session.add(signal)
    session.flush()
    session.add(Episode(ref=external_ref, signal_id=signal.id, first_alert_at=started_at))
    _replace_series(session, signal, series)
    record_event(session, signal, None, "transition", f"Signal faible détecté : {evidence}", to_status="declared")
    audit.record(session, None, audit.Action.SIGNAL_DETECT, "signal", signal.id, after=snapshot(signal))
    events.emit(session, signal_events.Detected(signal, tuple(o.id for o in concerned), evidence))
    return signal


def _replace_series(session: Session, signal: Signal, series: list[tuple[date, int, float, float]]) -> None:
    """The signal's weekly chart, as the latest detection run measured it."""
    session.execute(delete(SeriesPoint).where(SeriesPoint.signal_id == signal.id))
    session.add_all(SeriesPoint(signal_id=signal.id, week=week, lines=lines, fill_rate=fill, delay_days=delay)
                    for week, lines, fill, delay in series)


def series(session: Session, signal: Signal) -> list[SeriesPoint]:
    return list(session.scalars(select(SeriesPoint).where(SeriesPoint.signal_id == signal.id)
                                .order_by(SeriesPoint.week)))


def file_notice(session: Session, user: User | None, data: schemas.NoticeIn) -> Signal:
    """A manufacturer's advance notice of interruption, confidential until published."""
    if not policy.can_file_notice(user):
        raise Forbidden("seul un fabricant peut déposer un préavis d'interruption")
    assert user is not None
    product = _product(session, data.product_id)
    if product.manufacturer_id is not None and product.manufacturer_id != user.organisation_id:
        raise Forbidden("ce produit n'est pas fabriqué par votre organisation", "product_id")
    today = date.today()
    if data.interruption_at < today:
        raise Invalid("la date d'interruption est déjà passée", "interruption_at")
    if data.expected_end_at and data.expected_end_at < data.interruption_at:
        raise Invalid("la fin prévue précède l'interruption", "expected_end_at")
    min_days = get_settings().notice_min_days
    late = (data.interruption_at - today).days < min_days
    signal = Signal(
        kind=data.kind, status="declared", source="manufacturer", product_id=product.id, region_code=None,
        organisation_id=user.organisation_id, created_by_id=user.id, confidential=True, cause=data.cause,
        cause_detail=data.cause_detail, started_at=data.interruption_at, interruption_at=data.interruption_at,
        expected_end_at=data.expected_end_at, notice_late=late,
    )
    signal.declarers.append(Declarer(organisation_id=user.organisation_id, user_id=user.id))
    session.add(signal)
    session.flush()
    message = f"Préavis d'interruption au {data.interruption_at:%d/%m/%Y}"
    if late:
        message += f" — TARDIF : moins de {min_days} jours avant l'interruption (MDR art. 10 bis)"
    record_event(session, signal, user, "transition", message, to_status="declared")
    audit.record(session, user, audit.Action.SIGNAL_NOTICE, "signal", signal.id, after=snapshot(signal) | {"late": late})
    events.emit(session, signal_events.NoticeFiled(signal, user, message))
    return signal


def get(session: Session, user: User | None, signal_id: int) -> Signal:
    signal = session.scalar(select(Signal).where(Signal.id == signal_id, policy.visible_to(user))) if (
        id_in_range(signal_id)) else None
    if signal is None:
        # The same answer whether it does not exist or is hidden: existence is information too.
        raise NotFound(f"signal introuvable : {signal_id}")
    return signal


def _check_version(signal: Signal, version: int) -> None:
    if signal.version != version:
        raise Conflict(
            f"ce signal a été modifié entre-temps (version {signal.version}, la vôtre {version}) : "
            "rechargez la page avant d'agir",
            "version",
        )


def _flush_or_conflict(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("ce signal vient d'être modifié par quelqu'un d'autre : rechargez la page", "version") from exc


def transition(session: Session, user: User | None, signal_id: int, data: schemas.TransitionIn) -> Signal:
    signal = get(session, user, signal_id)
    # The version first: who loses a race to act learns that someone acted (409), not that the state
    # the winner reached is out of their role's reach (403).
    _check_version(signal, data.version)
    if not policy.can_transition(user, signal, data.action):
        raise Forbidden(f"votre rôle ne permet pas l'action « {ACTION_LABELS[data.action]} » sur ce signal", "action")
    before = snapshot(signal)
    target_status = next_status(signal.status, data.action, has_region=signal.region_code is not None,
                                kind=signal.kind)
    message = data.reason.strip()
    if data.action == "reject" and not message:
        raise Invalid("indiquez le motif du rejet", "reason")
    target: Signal | None = None
    if data.action == "merge":
        if data.merge_into is None:
            raise Invalid("indiquez le signal dans lequel fusionner", "merge_into")
        if data.merge_into == signal.id:
            raise Invalid("un signal ne peut pas être fusionné avec lui-même", "merge_into")
        target = get(session, user, data.merge_into)
        if target.product_id != signal.product_id:
            raise Invalid("on ne fusionne que des signaux du même produit", "merge_into")
        if target.status in TERMINAL:
            raise Invalid("le signal cible est clos", "merge_into")
        known = {d.organisation_id for d in target.declarers}
        for d in signal.declarers:
            if d.organisation_id not in known:
                target.declarers.append(Declarer(organisation_id=d.organisation_id, user_id=d.user_id,
                                                 declared_at=d.declared_at))
        signal.merged_into_id = target.id
        record_event(session, target, user, "merge", f"Signal n° {signal.id} fusionné dans celui-ci. {message}".strip())
        message = f"Fusionné dans le signal n° {target.id}. {message}".strip()
    if data.action in ("publish", "publish_regional"):
        signal.scope = "regional" if data.action == "publish_regional" else "national"
        if data.public_message is not None:
            signal.public_message = data.public_message.strip()
        if not signal.public_message:
            raise Invalid("rédigez le message public avant de publier", "public_message")
        signal.published_at = utcnow()
        signal.confidential = False
    elif data.public_message is not None and data.public_message.strip():
        signal.public_message = data.public_message.strip()
    if data.action == "reject":
        signal.reject_reason = message
    if data.action == "resolve":
        signal.resolved_at = utcnow()
    from_status = signal.status
    signal.status = target_status
    if target_status in TERMINAL:
        signal.open_key = None  # a new declaration of this product and region now opens a new signal
    _flush_or_conflict(session)
    public = data.action in ("publish", "publish_regional", "resolve")
    label = ACTION_LABELS[data.action]
    if public:
        # The public history says what happened; the note typed with the action stays internal.
        # Said as what happened (« Publié »), not as the button pressed (« Publier »).
        record_event(session, signal, user, "transition", STATUS_LABELS[target_status], from_status=from_status,
               to_status=target_status, public=True)
        if message:
            record_event(session, signal, user, "note", message)
    else:
        record_event(session, signal, user, "transition", message or label, from_status=from_status,
               to_status=target_status)
    audit.record(session, user, audit.Action(f"signal.{data.action}"), "signal", signal.id, before=before, after=snapshot(signal))
    events.emit(session, signal_events.Transitioned(signal, user, data.action, message, public))
    return signal


def update(session: Session, user: User | None, signal_id: int, version: int, *,
           expected_end_at: date | None = None, stock_coverage_days: int | None = None,
           measures_taken: str | None = None) -> Signal:
    signal = get(session, user, signal_id)
    if not policy.can_update(user, signal):
        raise Forbidden("vous ne pouvez pas modifier ce signal")
    _check_version(signal, version)
    before = snapshot(signal)
    if expected_end_at is not None:
        if expected_end_at < signal.started_at:
            raise Invalid("la fin prévue précède le début", "expected_end_at")
        signal.expected_end_at = expected_end_at
    if stock_coverage_days is not None:
        if not 0 <= stock_coverage_days <= 3650:
            raise Invalid("la couverture de stock doit être entre 0 et 3650 jours", "stock_coverage_days")
        signal.stock_coverage_days = stock_coverage_days
    if measures_taken is not None:
        signal.measures_taken = measures_taken
    _flush_or_conflict(session)
    record_event(session, signal, user, "update", "Mise à jour des informations")
    audit.record(session, user, audit.Action.SIGNAL_UPDATE, "signal", signal.id, before=before, after=snapshot(signal))
    return signal


def comment(session: Session, user: User | None, signal_id: int, message: str) -> Event:
    signal = get(session, user, signal_id)
    if not policy.can_comment(session, user, signal):
        raise Forbidden("vous ne pouvez pas commenter ce signal")
    message = message.strip()
    if not message:
        raise Invalid("le commentaire est vide", "message")
    event = Event(signal_id=signal.id, actor_id=user.id if user else None, actor_label=_label(user),
                  kind="comment", message=message)
    session.add(event)
    session.flush()
    audit.record(session, user, audit.Action.SIGNAL_COMMENT, "signal", signal.id, after={"message": message[:200]})
    return event


def add_measure(session: Session, user: User | None, signal_id: int, data: schemas.MeasureIn) -> Measure:
    signal = get(session, user, signal_id)
    if not policy.can_manage_publication(user, signal):
        raise Forbidden("seule l'agence nationale décide des mesures de gestion")
    if signal.status in TERMINAL:
        raise Conflict("le signal est clos", "status")
    _check_version(signal, data.version)
    measure = Measure(kind=data.kind, description=data.description.strip())
    signal.measures.append(measure)
    signal.updated_at = utcnow()  # bumps the version: a concurrent editor is told
    _flush_or_conflict(session)
    record_event(session, signal, user, "measure", f"Mesure de gestion ({MEASURE_LABELS[data.kind].lower()}) : "
           f"{measure.description}", public=True)
    audit.record(session, user, audit.Action.SIGNAL_MEASURE, "signal", signal.id, after={"kind": data.kind})
    return measure


NO_REGION = "none"  # the region filter's value for the national signals


@dataclass
class Filters:
    status: str | None = None
    kind: str | None = None
    region: str | None = None
    product_id: int | None = None
    q: str | None = None
    source: str | None = None  # who raised it (models.SOURCES)
    declared_by: int | None = None  # an organisation among its declarers


def _filters_where(session: Session, filters: Filters) -> list[Any]:
    conds: list[Any] = []
    if filters.status:
        conds.append(Signal.status == filters.status)
    if filters.kind:
        conds.append(Signal.kind == filters.kind)
    if filters.region == NO_REGION:
        conds.append(Signal.region_code.is_(None))
    elif filters.region:
        conds.append(Signal.region_code == filters.region)
    if filters.source:
        conds.append(Signal.source == filters.source)
    if filters.declared_by is not None:
        conds.append(exists().where(Declarer.signal_id == Signal.id, Declarer.organisation_id == filters.declared_by))
    if filters.product_id:
        conds.append(Signal.product_id == filters.product_id)
    if filters.q:
        # The product's name or one of its codes (CIP13, CIS, EMDN, ATC, GTIN), as the product search.
        conds.append(Signal.product_id.in_(match_ids(session, filters.q)))
    return conds


def _count(session: Session, *conds: Any) -> int:
    return session.scalar(select(func.count(Signal.id)).where(*conds)) or 0


def list_visible(session: Session, user: User | None, filters: Filters, *, page: int = 1,
                 per_page: int = 50) -> tuple[list[Signal], int]:
    conds = _filters_where(session, filters)
    # Counted as two disjoint parts, the public record and the reader's private set, so that each
    # count runs on its own index instead of testing an OR on every row of the table.
    if policy.reads_everything(user):
        total = _count(session, *conds)
    else:
        public = Signal.published_at.is_not(None)
        total = _count(session, public, *conds)
        private = policy.private_ids(user)
        if private is not None:
            total += _count(session, Signal.published_at.is_(None), Signal.id.in_(private), *conds)
    rows = session.scalars(
        select(Signal).where(policy.visible_to(user), *conds)
        # The list shows neither the declaring organisation nor the product's manufacturer.
        .options(lazyload(Signal.organisation), defaultload(Signal.product).lazyload(Product.manufacturer))
        .order_by(Signal.updated_at.desc(), Signal.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).unique().all()
    return list(rows), total


def open_by_product(session: Session, user: User | None, product_ids: list[int]) -> dict[int, list[Signal]]:
    """The open signals `user` may see on each of these products."""
    found: dict[int, list[Signal]] = {pid: [] for pid in product_ids}
    if not product_ids:
        return found
    rows = session.scalars(select(Signal).where(policy.visible_to(user), Signal.product_id.in_(product_ids),
                                                Signal.status.in_(OPEN_STATUSES))
                           .options(lazyload(Signal.organisation)).order_by(Signal.updated_at.desc())).unique()
    for signal in rows:
        found[signal.product_id].append(signal)
    return found


def counts(session: Session, user: User | None) -> dict[str, Any]:
    """Counts by status and by region of the signals `user` may see (the dashboard)."""
    visible = policy.visible_to(user)
    by_status = dict(session.execute(select(Signal.status, func.count()).where(visible).group_by(Signal.status)).all())
    by_region = dict(session.execute(
        select(Signal.region_code, func.count()).where(visible, Signal.status.in_(OPEN_STATUSES))
        .group_by(Signal.region_code)).all())
    by_kind = dict(session.execute(
        select(Signal.kind, func.count()).where(visible, Signal.status.in_(OPEN_STATUSES)).group_by(Signal.kind)).all())
    return {"by_status": by_status, "by_region": by_region, "by_kind": by_kind}


def timeline(session: Session, user: User | None, signal: Signal) -> list[Event]:
    """The signal's history; who does not read its internal side (policy.reads_internal) sees its public lines."""
    query = select(Event).where(Event.signal_id == signal.id)
    if not policy.reads_internal(session, user, signal):
        query = query.where(Event.public.is_(True))
    return list(session.scalars(query.order_by(Event.at, Event.id)))


def actor_labels(session: Session, user: User | None, signal: Signal, events: list[Event]) -> dict[int, str]:
    """Who did each thing, as `user` may read it. The agencies read every name. A co-declarer reads the
    agencies', its own organisation's, and « Établissement déclarant » for the other declarers (who
    declared is the agencies' business). Everyone else reads the acting organisation (a public body)
    and never an agent's name."""
    if policy.reads_agency_side(user, signal):
        return {e.id: e.actor_label for e in events}
    internal = policy.reads_internal(session, user, signal)
    ids = {e.actor_id for e in events if e.actor_id is not None}
    orgs = {uid: (oid, name, kind) for uid, oid, name, kind in session.execute(
        select(User.id, Organisation.id, Organisation.name, Organisation.kind)
        .join(Organisation, User.organisation_id == Organisation.id).where(User.id.in_(ids))).tuples()} if ids else {}
    own = user.organisation_id if user is not None else None

    def label(e: Event) -> str:
        if e.actor_id is None:
            return e.actor_label
        oid, name, kind = orgs.get(e.actor_id, (None, "Sentinelle", ""))
        if internal and oid == own:
            return e.actor_label
        if internal and kind not in ("region", "national"):
            return "Établissement déclarant"
        return name

    return {e.id: label(e) for e in events}


def published(session: Session, *, limit: int = 500, since: Any = None) -> list[Signal]:
    """The public record: every signal ever published, newest first (open-data exports, feed)."""
    query = select(Signal).where(Signal.published_at.is_not(None))
    if since is not None:
        query = query.where(Signal.updated_at >= since)
    return list(session.scalars(query.order_by(Signal.updated_at.desc()).limit(limit)).unique())
