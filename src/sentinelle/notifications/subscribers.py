"""Who is told what when a signal moves: the notifications' subscribers to the signals' events.

`connect()` runs at start-up (the web application, the command line, the tests); each handler runs
in the use case's transaction and writes the inbox and the outbox (notifications.service.notify).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle import events
from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role
from sentinelle.catalogue.models import Organisation, Purchase
from sentinelle.notifications.service import notify
from sentinelle.signals import events as signal_events
from sentinelle.signals.states import KIND_LABELS, STATUS_LABELS


def _users(session: Session, *conditions: Any) -> list[User]:
    return list(session.scalars(select(User).join(Organisation).where(*conditions)))


def _region_agents(session: Session, region_code: str) -> list[User]:
    return _users(session, User.role == Role.REGION, Organisation.region_code == region_code)


def on_declared(session: Session, e: signal_events.Declared) -> None:
    """The region's agents learn of a new declaration in their region."""
    if e.signal.region_code:
        notify(session, e.signal, f"Nouvelle déclaration : {e.signal.product.name}",
               f"{e.actor.label} déclare : {KIND_LABELS[e.kind]}.", _region_agents(session, e.signal.region_code))


def on_waiting(session: Session, e: signal_events.DeclarationWaiting) -> None:
    if e.signal.region_code:
        notify(session, e.signal, f"Déclaration à rattacher : {e.signal.product.name}",
               f"{e.actor.label} déclare aussi ce produit : rattachez sa déclaration au signal n° {e.signal.id}.",
               _region_agents(session, e.signal.region_code), with_subscribers=False)


def on_admitted(session: Session, e: signal_events.DeclarationAdmitted) -> None:
    notify(session, e.signal, f"Déclaration rattachée : {e.signal.product.name}",
           f"Votre déclaration est rattachée au signal n° {e.signal.id}.",
           _users(session, Organisation.id == e.organisation_id), with_subscribers=False)


def on_detected(session: Session, e: signal_events.Detected) -> None:
    """The establishments concerned, the region's agents, and whoever follows the product or region."""
    recipients = _users(session, Organisation.id.in_(e.concerned))
    if e.signal.region_code:
        recipients += _region_agents(session, e.signal.region_code)
    notify(session, e.signal, f"Signal faible : {e.signal.product.name}", e.evidence, recipients)


def on_notice(session: Session, e: signal_events.NoticeFiled) -> None:
    """A confidential notice goes to the establishments buying the product and the national agency."""
    customers = _users(
        session, User.role == Role.ESTABLISHMENT,
        Organisation.id.in_(select(Purchase.establishment_id).where(Purchase.product_id == e.signal.product_id)),
    )
    national = _users(session, User.role == Role.NATIONAL)
    notify(session, e.signal, f"Préavis d'interruption : {e.signal.product.name}", e.message, customers + national,
           with_subscribers=False)


def on_transitioned(session: Session, e: signal_events.Transitioned) -> None:
    """The admitted declarers read the note typed with the action; once public, the subscribers who may
    read the signal read its public message."""
    signal = e.signal
    declarers = _users(session, Organisation.id.in_([d.organisation_id for d in signal.declarers if d.admitted]))
    title = f"{STATUS_LABELS[signal.status]} : {signal.product.name}"
    # The line says the state once: its body is what was typed with the action, if anything.
    notify(session, signal, title, e.message, declarers, with_subscribers=e.public,
           public_body=signal.public_message)
    if e.action == "qualify":
        # What the region qualified waits for the national agency: it is told, as the region was told
        # of the declaration.
        actor = e.actor.label if e.actor is not None else "La région"
        notify(session, signal, f"À valider : {signal.product.name}",
               f"{actor} a qualifié ce signal : il attend la validation de l'agence nationale.",
               _users(session, User.role == Role.NATIONAL), with_subscribers=False)


def connect() -> None:
    events.subscribe(signal_events.Declared, on_declared)
    events.subscribe(signal_events.DeclarationWaiting, on_waiting)
    events.subscribe(signal_events.DeclarationAdmitted, on_admitted)
    events.subscribe(signal_events.Detected, on_detected)
    events.subscribe(signal_events.NoticeFiled, on_notice)
    events.subscribe(signal_events.Transitioned, on_transitioned)
