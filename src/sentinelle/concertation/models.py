"""Concertation tables: questionnaires, their versions, the answers and their running tallies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sentinelle.i18n import _
from sentinelle.store.base import Base, utcnow

PROFILES = ("patient", "carer", "professional", "industry", "citizen")
PROFILE_LABELS = {"patient": _("Patient"), "carer": _("Aidant"), "professional": _("Professionnel de santé"),
                  "industry": _("Industrie"), "citizen": _("Citoyen")}
STATUSES = ("draft", "open", "closed")
QUESTIONNAIRE_STATUS_LABELS = {"draft": _("brouillon"), "open": _("ouvert"), "closed": _("clos")}


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


# --- Idea box ---------------------------------------------------------------------------------------

THEMES = ("efficiency", "territories", "access")
VOTES = (-1, 0, 1)  # disagree, pass, agree


class Idea(Base):
    """An idea filed under one of the consultation's three themes. Hidden by moderation, it stays
    (with the reason shown), never deleted."""

    __tablename__ = "idea"
    __table_args__ = (CheckConstraint("theme IN ('efficiency', 'territories', 'access')", name="theme_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    author_name: Mapped[str] = mapped_column(String(200), default="")  # imported ideas: who wrote them there
    external_ref: Mapped[str | None] = mapped_column(String(200), unique=True)  # e.g. polis:<conversation>:<id>
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaComment(Base):
    """A comment on an idea, or an answer to another comment (threads)."""

    __tablename__ = "idea_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("idea_comment.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaVote(Base):
    """One vote per voter and idea; voting again replaces it. `voter`: "user:<id>" for an account,
    "polis:<conversation>:<participant>" for an imported Pol.is participant."""

    __tablename__ = "idea_vote"
    __table_args__ = (UniqueConstraint("idea_id", "voter"), CheckConstraint("value IN (-1, 0, 1)", name="value_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id"))
    voter: Mapped[str] = mapped_column(String(120), index=True)
    value: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaReport(Base):
    """Someone reports an idea or a comment to the moderators (once per person and item)."""

    __tablename__ = "idea_report"
    __table_args__ = (UniqueConstraint("target", "target_id", "reporter_id"),
                      CheckConstraint("target IN ('idea', 'comment')", name="target_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Moderation(Base):
    """A moderator's action, with its reason: logged and shown where the item was."""

    __tablename__ = "idea_moderation"
    __table_args__ = (CheckConstraint("target IN ('idea', 'comment')", name="target_known"),
                      CheckConstraint("action IN ('hide', 'restore')", name="action_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    moderator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Assembly ---------------------------------------------------------------------------------------

CHOICES = ("pour", "contre", "abstention")
MOTION_STATUSES = ("open", "adopted", "rejected", "no_quorum")
MOTION_STATUS_LABELS = {"open": _("vote ouvert"), "adopted": _("adoptée"), "rejected": _("rejetée"),
                        "no_quorum": _("quorum non atteint")}


class Assembly(Base):
    """A deliberating assembly of members drawn by lot (the « Parlement Santé »)."""

    __tablename__ = "assembly"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(Text)
    seats: Mapped[int] = mapped_column(Integer)
    quorum_share: Mapped[float] = mapped_column(Float, default=0.5)  # of the sitting members present for a vote to count
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssemblyDraw(Base):
    """A published draw: its seed and a fingerprint of the list of volunteers it drew from."""

    __tablename__ = "assembly_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(200))
    volunteers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # id, profile, region: published as drawn from
    drawn: Mapped[int] = mapped_column(Integer)
    leaving: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AssemblyMember(Base):
    """A seat held from `term_start` until `term_end` (None: sitting)."""

    __tablename__ = "assembly_member"
    __table_args__ = (UniqueConstraint("assembly_id", "user_id", "term_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    profile: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(3))
    term_start: Mapped[int] = mapped_column(Integer)
    term_end: Mapped[int | None] = mapped_column(Integer, default=None)


class AssemblyVolunteer(Base):
    """Someone who offers to sit, with the profile and region they are drawn under (one offer per
    person and assembly; withdrawing deletes it: an offer is not a record anyone relies on until a
    draw copies it into the published list)."""

    __tablename__ = "assembly_volunteer"
    __table_args__ = (UniqueConstraint("assembly_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    profile: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(3))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class AssemblySitting(Base):
    __tablename__ = "assembly_sitting"

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(ForeignKey("assembly.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    held_on: Mapped[datetime] = mapped_column(default=utcnow)


class AssemblyPresence(Base):
    __tablename__ = "assembly_presence"
    __table_args__ = (UniqueConstraint("sitting_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("assembly_sitting.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("assembly_member.id"))


class Motion(Base):
    """A motion put to the vote in a sitting, or an amendment to one (`parent_id`). Closed, it keeps
    its published tally."""

    __tablename__ = "motion"
    __table_args__ = (CheckConstraint("status IN ('open', 'adopted', 'rejected', 'no_quorum')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sitting_id: Mapped[int] = mapped_column(ForeignKey("assembly_sitting.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id"))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    present: Mapped[int | None] = mapped_column(Integer, default=None)
    expressed: Mapped[int | None] = mapped_column(Integer, default=None)
    votes_for: Mapped[int | None] = mapped_column(Integer, default=None)
    votes_against: Mapped[int | None] = mapped_column(Integer, default=None)
    abstentions: Mapped[int | None] = mapped_column(Integer, default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class MotionVote(Base):
    """One member's vote on a motion; voting again before the close replaces it."""

    __tablename__ = "motion_vote"
    __table_args__ = (UniqueConstraint("motion_id", "member_id"),
                      CheckConstraint("choice IN ('pour', 'contre', 'abstention')", name="choice_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("assembly_member.id"))
    choice: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Synthesis ------------------------------------------------------------------------------------

class Synthesis(Base):
    """A written synthesis of the contributions: every sentence cites the contributions it rests on."""

    __tablename__ = "synthesis"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SynthesisSentence(Base):
    __tablename__ = "synthesis_sentence"

    id: Mapped[int] = mapped_column(primary_key=True)
    synthesis_id: Mapped[int] = mapped_column(ForeignKey("synthesis.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class SynthesisCitation(Base):
    """A sentence rests on this contribution: an idea or a comment of the idea box, or a questionnaire's
    response (its free-text answers)."""

    __tablename__ = "synthesis_citation"
    __table_args__ = (UniqueConstraint("sentence_id", "target", "target_id"),
                      CheckConstraint("target IN ('idea', 'comment', 'answer')", name="target_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sentence_id: Mapped[int] = mapped_column(ForeignKey("synthesis_sentence.id"), index=True)
    target: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer, index=True)
