"""The inbox, the subscriptions, and the outbox of e-mails and webhooks with its dispatcher.

Who is told of what a signal went through is decided in `subscribers.py`."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta
from email.message import EmailMessage

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue.codes import emdn_ok
from sentinelle.catalogue.models import Product
from sentinelle.catalogue.regions import BY_CODE
from sentinelle.config import Settings
from sentinelle.errors import Forbidden, Invalid, NotFound
from sentinelle.i18n import _
from sentinelle.notifications import targets
from sentinelle.notifications.models import Delivery, Notification, Subscription
from sentinelle.signals.models import Signal
from sentinelle.signals.policy import visible_to
from sentinelle.signals.states import KIND_LABELS, STATUS_LABELS
from sentinelle.store.base import utcnow
from sentinelle.store.db import by_id

MAX_ATTEMPTS = 5


def notify(
    session: Session, signal: Signal, title: str, body: str, users: Iterable[User], *, with_subscribers: bool = True,
    public_body: str | None = None,
) -> int:
    """Tell `users` (with `body`) and the subscribers who may see `signal` (with `public_body`, the text
    any reader of the signal may read; `body` when not given); returns how many people were told."""
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
        if user.mail_frequency == "immediate":  # "daily": in the next digest; "none": the inbox only
            session.add(
                Delivery(channel="email", target=user.email, subject=f"[Sentinelle] {title}",
                         payload={**payload, "body": text})
            )
    for sub in webhooks:
        session.add(Delivery(channel="webhook", target=sub.webhook_url, payload=payload, secret=sub.webhook_secret,
                             subscription_id=sub.id))
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


MAX_SUBSCRIPTIONS_PER_USER = 50
MAX_WEBHOOKS_PER_ORGANISATION = 10


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
    allow_private: bool = False,
) -> Subscription:
    """Follow signals by product, EMDN category or region, in the inbox and by e-mail; an organisation
    may add a webhook (an address of its systems, public unless `allow_private`, an operator setting)."""
    if not (product_id or emdn_prefix or region_code):
        raise Invalid("choisissez un produit, une catégorie EMDN ou une région", "product_id")
    if product_id is not None and by_id(session, Product, product_id) is None:
        raise Invalid(f"produit inconnu : {product_id}", "product_id")
    if emdn_prefix and not emdn_ok(emdn_prefix):
        raise Invalid(f"code EMDN invalide : {emdn_prefix}", "emdn_prefix")
    if region_code and region_code not in BY_CODE:
        raise Invalid(f"région inconnue : {region_code}", "region_code")
    mine = session.scalar(select(func.count(Subscription.id)).where(Subscription.user_id == user.id)) or 0
    if mine >= MAX_SUBSCRIPTIONS_PER_USER:
        raise Invalid(f"au plus {MAX_SUBSCRIPTIONS_PER_USER} abonnements par compte : retirez-en d'abord",
                      "product_id")
    if webhook_url:
        if user.organisation_id is None:
            raise Forbidden("les webhooks appartiennent aux organisations (établissement, agence, industriel)",
                            "webhook_url")
        theirs = session.scalar(select(func.count(Subscription.id)).where(
            Subscription.organisation_id == user.organisation_id, Subscription.webhook_url.is_not(None))) or 0
        if theirs >= MAX_WEBHOOKS_PER_ORGANISATION:
            raise Invalid(f"au plus {MAX_WEBHOOKS_PER_ORGANISATION} webhooks par organisation", "webhook_url")
        targets.check(webhook_url, allow_private=allow_private)
        # Every webhook is signed (X-Sentinelle-Signature): its secret is made here, shown once.
        webhook_secret = webhook_secret or secrets.token_urlsafe(32)
    sub = Subscription(
        user_id=user.id, product_id=product_id, emdn_prefix=emdn_prefix or None, region_code=region_code or None,
        email=email, webhook_url=webhook_url or None, webhook_secret=webhook_secret or None,
        organisation_id=user.organisation_id if webhook_url else None,
    )
    session.add(sub)
    session.flush()
    audit.record(session, user, audit.Action.SUBSCRIPTION_CREATE, "subscription", sub.id,
                 after={"product_id": product_id, "emdn_prefix": emdn_prefix, "region_code": region_code,
                        "webhook": bool(webhook_url)})
    return sub


def subscriptions(session: Session, user: User) -> list[Subscription]:
    """`user`'s own subscriptions and its organisation's webhooks."""
    owned = Subscription.user_id == user.id
    if user.organisation_id is not None:
        owned = or_(owned, Subscription.organisation_id == user.organisation_id)
    return list(session.scalars(select(Subscription).where(owned).order_by(Subscription.id)))


def failures(session: Session, subscription_ids: list[int], *, limit: int = 5) -> dict[int, list[Delivery]]:
    """The latest failed or retried deliveries of each webhook, for its owners to see."""
    found: dict[int, list[Delivery]] = {i: [] for i in subscription_ids}
    if not subscription_ids:
        return found
    rows = session.scalars(select(Delivery).where(Delivery.subscription_id.in_(subscription_ids),
                                                  Delivery.last_error != "")
                           .order_by(Delivery.id.desc()).limit(limit * len(subscription_ids)))
    for d in rows:
        if d.subscription_id is not None and len(found[d.subscription_id]) < limit:
            found[d.subscription_id].append(d)
    return found


def unsubscribe(session: Session, user: User, subscription_id: int) -> None:
    sub = by_id(session, Subscription, subscription_id)
    if sub is None or sub not in subscriptions(session, user):
        raise NotFound(f"abonnement introuvable : {subscription_id}", "subscription_id")
    session.delete(sub)
    session.flush()
    audit.record(session, user, audit.Action.SUBSCRIPTION_DELETE, "subscription", subscription_id)


def inbox(session: Session, user: User, *, unread_only: bool = False, limit: int = 50) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def unread_count(session: Session, user: User) -> int:
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


MAIL_FREQUENCIES = {"immediate": _("à chaque événement"), "daily": _("un résumé par jour"),
                    "none": _("jamais (la boîte de réception de Sentinelle seulement)")}


def set_mail_frequency(session: Session, user: User, frequency: str) -> None:
    """How the person's notifications reach them by e-mail (MAIL_FREQUENCIES)."""
    if frequency not in MAIL_FREQUENCIES:
        raise Invalid("fréquence inconnue : à chaque événement, un résumé par jour, ou jamais", "mail_frequency")
    before = user.mail_frequency
    user.mail_frequency = frequency
    if frequency == "daily" and user.digest_sent_at is None:
        user.digest_sent_at = utcnow()  # the first digest gathers from now on, not the whole inbox
    audit.record(session, user, audit.Action.MAIL_FREQUENCY, "user", user.id, before={"mail_frequency": before},
                 after={"mail_frequency": frequency})


def digest(session: Session, now: datetime | None = None) -> int:
    """The daily digest: for each person who chose it, one e-mail with what reached their inbox since the
    last one (nothing sent when nothing came). Run once a day (`sentinelle notify digest`); run twice,
    the second finds nothing new. Returns how many e-mails were queued."""
    now = now or utcnow()
    queued = 0
    for user in session.scalars(select(User).where(User.mail_frequency == "daily", User.active.is_(True))):
        since = user.digest_sent_at or now - timedelta(days=1)
        items = session.scalars(select(Notification).where(Notification.user_id == user.id, Notification.at > since,
                                                           Notification.at <= now)
                                .order_by(Notification.at, Notification.id)).all()
        user.digest_sent_at = now
        if not items:
            continue
        lines = [f"- {n.title}" + (f" — {n.body}" if n.body and n.body != n.title else "")
                 + (f"\n  {{base}}/signaux/{n.signal_id}" if n.signal_id else "") for n in items]
        count = len(items)
        subject = f"[Sentinelle] Votre résumé du jour : {count} nouvelle{'s' if count > 1 else ''}"
        session.add(Delivery(channel="email", target=user.email, subject=subject,
                             payload={"digest": "\n".join(lines), "count": count}))
        queued += 1
    return queued


def dispatch(session: Session, settings: Settings, *, limit: int = 200) -> dict[str, int]:
    """Send the deliveries that are due; each is marked sent, or retried later with a growing wait
    (1, 2, 4, 8 minutes), and failed after MAX_ATTEMPTS. A webhook whose address now resolves to an
    internal one is not called at all."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    now = utcnow()
    pending = session.scalars(
        select(Delivery).where(Delivery.status == "pending",
                               or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now))
        .order_by(Delivery.id).limit(limit)
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
                    try:
                        targets.check(delivery.target, allow_private=settings.webhook_allow_private)
                    except Invalid as exc:
                        delivery.status, delivery.last_error = "failed", exc.message
                        counts["failed"] += 1
                        continue
                    body = json.dumps(delivery.payload, ensure_ascii=False).encode()
                    headers = {"Content-Type": "application/json"}
                    if delivery.secret:
                        headers["X-Sentinelle-Signature"] = "sha256=" + sign(delivery.secret, body)
                    # No redirects: a public address must not bounce the request to an internal one.
                    response = httpx.post(delivery.target, content=body, headers=headers,
                                          timeout=settings.webhook_timeout_s, follow_redirects=False)
                    response.raise_for_status()
                delivery.status = "sent"
                delivery.sent_at = utcnow()
                counts["sent"] += 1
            except (OSError, smtplib.SMTPException, httpx.HTTPError) as exc:
                delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                if delivery.attempts >= MAX_ATTEMPTS:
                    delivery.status = "failed"
                else:
                    delivery.next_attempt_at = utcnow() + timedelta(minutes=2 ** (delivery.attempts - 1))
                counts["failed"] += 1
    finally:
        if smtp is not None:
            with contextlib.suppress(smtplib.SMTPException):
                smtp.quit()
    return counts


def _email(settings: Settings, delivery: Delivery) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = delivery.target
    msg["Subject"] = delivery.subject
    p = delivery.payload
    base = settings.mail_base_url()
    if "digest" in p:
        msg.set_content("Ce qui est arrivé dans votre boîte de réception Sentinelle depuis le dernier résumé :\n\n"
                        + str(p["digest"]).replace("{base}", base)
                        + f"\n\nChoisir comment vous êtes prévenu : {base}/compte\n")
        return msg
    kind = KIND_LABELS.get(str(p.get("kind")), p.get("kind"))
    status = STATUS_LABELS.get(str(p.get("status")), p.get("status"))
    msg.set_content(
        f"{p.get('body', '')}\n\nProduit : {p.get('product')}\nSignal n° {p.get('signal_id')} "
        f"({kind}, {status})\n{base}{p.get('url', '')}\n"
    )
    return msg
