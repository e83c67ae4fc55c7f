"""In-app inbox, subscriptions, and the outbox of e-mails and webhooks to deliver."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.store.base import Base, utcnow


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signal.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    read_at: Mapped[datetime | None]


class Subscription(Base):
    """Follow signals on a product, an EMDN category (code prefix) or a region."""

    __tablename__ = "subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    emdn_prefix: Mapped[str | None] = mapped_column(String(16))
    region_code: Mapped[str | None] = mapped_column(String(2))
    email: Mapped[bool] = mapped_column(Boolean, default=True)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(100))
    # A webhook belongs to its organisation: its members see it, its failures, and may remove it.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)


class Delivery(Base):
    """An e-mail or webhook call waiting to go out (written in the same transaction as its cause)."""

    __tablename__ = "delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # email | webhook
    target: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(300), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    secret: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # Retried with a growing wait (1, 2, 4, 8 minutes) until MAX_ATTEMPTS; the webhook it serves.
    next_attempt_at: Mapped[datetime | None]
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscription.id", ondelete="SET NULL"),
                                                        index=True)
