"""Fan-out of signal events to the inbox, e-mail and webhooks, and the outbox dispatcher."""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from collections.abc import Iterable
from email.message import EmailMessage

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.config import Settings
from sentinelle.errors import Invalid, NotFound
from sentinelle.notifications.models import Delivery, Notification, Subscription
from sentinelle.signals.models import Signal
from sentinelle.store.base import utcnow

MAX_ATTEMPTS = 5


def notify(
    session: Session, signal: Signal, title: str, body: str, users: Iterable[User], *, with_subscribers: bool = True,
    public_body: str | None = None,
) -> int:
    """Tell `users` (with `body`) and the subscribers who may see `signal` (with `public_body`, the text
    any reader of the signal may read; `body` when not given); returns how many people were told."""
    from sentinelle.signals.policy import visible_to

    recipients = {u.id: u for u in users if u.active}
    bodies = {uid: body for uid in recipients}
    webhooks: list[Subscription] = []
    if with_subscribers:
        for sub, user in _matching_subscriptions(session, signal):
            if not user.active or not session.scalar(
                select(Signal.id).where(Signal.id == signal.id, visible_to(user))
            ):
                continue
            recipients.setdefault(user.id, user)
            bodies.setdefault(user.id, body if public_body is None else public_body)
            if sub.webhook_url:
                webhooks.append(sub)
    payload = {
        "event": title,
        "signal_id": signal.id,
        "product": signal.product.name,
        "kind": signal.kind,
        "status": signal.status,
        "url": f"/signaux/{signal.id}",
    }
    for user in recipients.values():
        text = bodies[user.id]
        session.add(Notification(user_id=user.id, signal_id=signal.id, title=title, body=text))
        session.add(
            Delivery(channel="email", target=user.email, subject=f"[Sentinelle] {title}",
                     payload={**payload, "body": text})
        )
    for sub in webhooks:
        session.add(Delivery(channel="webhook", target=sub.webhook_url, payload=payload, secret=sub.webhook_secret))
    return len(recipients)


def _matching_subscriptions(session: Session, signal: Signal) -> list[tuple[Subscription, User]]:
    """Subscriptions whose every filter holds: same product, EMDN code under the prefix, same
    region (a national signal, with no region, concerns every region)."""
    rows = session.execute(
        select(Subscription, User)
        .join(User, User.id == Subscription.user_id)
        .where(or_(Subscription.product_id == signal.product_id, Subscription.product_id.is_(None)))
    ).all()
    emdn = signal.product.emdn_code or ""
    return [
        (sub, user)
        for sub, user in rows
        if (not sub.emdn_prefix or emdn.startswith(sub.emdn_prefix))
        and (not sub.region_code or signal.region_code in (None, sub.region_code))
    ]


def subscribe(
    session: Session,
    user: User,
    *,
    product_id: int | None = None,
    emdn_prefix: str | None = None,
    region_code: str | None = None,
    email: bool = True,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
) -> Subscription:
    from sentinelle.catalogue.codes import emdn_ok
    from sentinelle.catalogue.models import Product
    from sentinelle.catalogue.regions import BY_CODE

    if not (product_id or emdn_prefix or region_code):
        raise Invalid("choisissez un produit, une catégorie EMDN ou une région", "product_id")
    if product_id is not None and session.get(Product, product_id) is None:
        raise Invalid(f"produit inconnu : {product_id}", "product_id")
    if emdn_prefix and not emdn_ok(emdn_prefix):
        raise Invalid(f"code EMDN invalide : {emdn_prefix}", "emdn_prefix")
    if region_code and region_code not in BY_CODE:
        raise Invalid(f"région inconnue : {region_code}", "region_code")
    if webhook_url and not webhook_url.startswith(("http://", "https://")):
        raise Invalid("l'adresse du webhook doit commencer par http:// ou https://", "webhook_url")
    sub = Subscription(
        user_id=user.id, product_id=product_id, emdn_prefix=emdn_prefix or None, region_code=region_code or None,
        email=email, webhook_url=webhook_url or None, webhook_secret=webhook_secret or None,
    )
    session.add(sub)
    session.flush()
    audit.record(session, user, "subscription.create", "subscription", sub.id,
                 after={"product_id": product_id, "emdn_prefix": emdn_prefix, "region_code": region_code})
    return sub


def inbox(session: Session, user: User, *, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user: User) -> int:
    from sqlalchemy import func

    return session.scalar(
        select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def mark_read(session: Session, user: User, notification_id: int | None = None) -> None:
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        if session.scalar(select(Notification.id).where(
                Notification.id == notification_id, Notification.user_id == user.id)) is None:
            raise NotFound("notification introuvable")
        query = query.where(Notification.id == notification_id)
    session.execute(query.values(read_at=utcnow()))


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def dispatch(session: Session, settings: Settings, *, limit: int = 200) -> dict[str, int]:
    """Send pending deliveries; each is marked sent or failed, and retried up to MAX_ATTEMPTS."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    pending = session.scalars(
        select(Delivery).where(Delivery.status == "pending").order_by(Delivery.id).limit(limit)
    ).all()
    smtp: smtplib.SMTP | None = None
    try:
        for delivery in pending:
            delivery.attempts += 1
            try:
                if delivery.channel == "email":
                    if not settings.smtp_host:
                        delivery.status = "skipped"
                        counts["skipped"] += 1
                        continue
                    if smtp is None:
                        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
                    smtp.send_message(_email(settings, delivery))
                else:
                    body = json.dumps(delivery.payload, ensure_ascii=False).encode()
                    headers = {"Content-Type": "application/json"}
                    if delivery.secret:
                        headers["X-Sentinelle-Signature"] = "sha256=" + sign(delivery.secret, body)
                    response = httpx.post(delivery.target, content=body, headers=headers,
                                          timeout=settings.webhook_timeout_s)
                    response.raise_for_status()
                delivery.status = "sent"
                delivery.sent_at = utcnow()
                counts["sent"] += 1
            except (OSError, smtplib.SMTPException, httpx.HTTPError) as exc:
                delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                if delivery.attempts >= MAX_ATTEMPTS:
                    delivery.status = "failed"
                counts["failed"] += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except smtplib.SMTPException:
                pass
    return counts


def _email(settings: Settings, delivery: Delivery) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = delivery.target
    msg["Subject"] = delivery.subject
    p = delivery.payload
    msg.set_content(
        f"{p.get('body', '')}\n\nProduit : {p.get('product')}\nSignal n° {p.get('signal_id')} "
        f"({p.get('kind')}, {p.get('status')})\n{settings.base_url}{p.get('url', '')}\n"
    )
    return msg
