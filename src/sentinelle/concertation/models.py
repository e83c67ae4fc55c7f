"""Concertation tables: questionnaires, their versions, the answers and their running tallies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.store.base import Base, utcnow

PROFILES = ("patient", "carer", "professional", "industry", "citizen")
STATUSES = ("draft", "open", "closed")


class Questionnaire(Base):
    """A questionnaire; what it asks lives in its versions (the last one is asked)."""

    __tablename__ = "questionnaire"
    __table_args__ = (CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # Anonymous: an answer keeps no link to its account, only a keyed hash that enforces one answer per
    # person (see questionnaires.respondent_key).
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    salt: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class QuestionnaireVersion(Base):
    """The exact wording asked, frozen: an answer points to the version it answered."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (UniqueConstraint("questionnaire_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionnaireResponse(Base):
    """One person's answers to a questionnaire (one per person: the unique respondent key)."""

    __tablename__ = "questionnaire_response"
    __table_args__ = (UniqueConstraint("questionnaire_id", "respondent"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    respondent: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # signed answers only
    profile: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(3), default="")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuestionnaireTally(Base):
    """Running counts, kept in the answer's transaction: per version, question, choice and the
    respondent's profile and region. The results read these few rows, never the answers."""

    __tablename__ = "questionnaire_tally"

    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), primary_key=True)
    question: Mapped[str] = mapped_column(String(40), primary_key=True)
    choice: Mapped[str] = mapped_column(String(80), primary_key=True)
    profile: Mapped[str] = mapped_column(String(20), primary_key=True)
    region: Mapped[str] = mapped_column(String(3), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
