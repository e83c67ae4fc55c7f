"""Questionnaire wording (what a version asks) and the checks of an answer against it."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from sentinelle.errors import Invalid
from sentinelle.i18n import _
from sentinelle.schemas_common import UtcDatetime

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
KINDS = ("single", "multiple", "scale", "ranking", "text")
KIND_LABELS = {"single": _("Choix unique"), "multiple": _("Choix multiple"), "scale": _("Échelle"),
               "ranking": _("Classement"), "text": _("Texte libre")}
SLUG = re.compile(r"^[a-z0-9-]{1,80}$")


def check_slug(slug: str) -> str:
    """A questionnaire's, assembly's or synthesis's name in its address: lower case, digits, dashes."""
    if not SLUG.match(slug):
        raise Invalid(f"slug : minuscules, chiffres et tirets (80 au plus), lu {slug[:90]!r}", "slug")
    return slug
TEXT_MAX = 5000


class Option(BaseModel):
    key: Key
    label: str = Field(min_length=1, max_length=300)


class Question(BaseModel):
    key: Key
    kind: Literal["single", "multiple", "scale", "ranking", "text"]
    text: str = Field(min_length=1, max_length=1000)
    options: list[Option] = []
    scale_min: int = 1
    scale_max: int = 5
    scale_labels: tuple[str, str] = ("", "")
    max_choices: int | None = None  # multiple: at most this many (default: all)
    required: bool = False

    @model_validator(mode="after")
    def _coherent(self) -> Question:
        if self.kind in ("single", "multiple", "ranking"):
            if len(self.options) < 2:
                raise ValueError(f"{self.key} : au moins deux options")
            if len({o.key for o in self.options}) != len(self.options):
                raise ValueError(f"{self.key} : options en double")
        elif self.options:
            raise ValueError(f"{self.key} : pas d'options pour une question {self.kind}")
        if self.kind == "scale" and not self.scale_min < self.scale_max <= self.scale_min + 20:
            raise ValueError(f"{self.key} : échelle de {self.scale_min} à {self.scale_max} invalide")
        return self


class Wording(BaseModel):
    questions: list[Question] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _unique(self) -> Wording:
        keys = [q.key for q in self.questions]
        if len(set(keys)) != len(keys):
            raise ValueError("clés de question en double")
        return self


def _named(question: Question) -> str:
    """A question as a refusal names it: its wording, cut to a line."""
    text = " ".join(question.text.split())
    return text if len(text) <= 100 else text[:99] + "…"


def check_answers(questions: list[Question], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers checked against the wording, cleaned (text stripped, empty answers dropped). A
    refusal lists every question in error at once, each named by its wording."""
    by_key = {q.key: q for q in questions}
    unknown = sorted(set(answers) - set(by_key))
    if unknown:
        raise Invalid(f"question inconnue : {unknown[0]}", unknown[0])
    clean: dict[str, Any] = {}
    problems: list[tuple[str | None, str]] = []
    for q in questions:
        value = answers.get(q.key)
        trouble = None
        if value in (None, "", []):
            if q.required:
                problems.append((q.key, f"{_named(q)} : réponse obligatoire"))
            continue
        options = [o.key for o in q.options]
        if q.kind == "single":
            if value not in options:
                trouble = "choix inconnu"
        elif q.kind in ("multiple", "ranking"):
            if not isinstance(value, list) or any(v not in options for v in value) or len(set(value)) != len(value):
                trouble = "choisissez des options distinctes parmi celles proposées"
            elif q.kind == "multiple" and q.max_choices and len(value) > q.max_choices:
                trouble = f"au plus {q.max_choices} choix ({len(value)} cochés)"
        elif q.kind == "scale":
            if not isinstance(value, int) or isinstance(value, bool) or not q.scale_min <= value <= q.scale_max:
                trouble = f"un nombre entier de {q.scale_min} à {q.scale_max}"
        else:
            if not isinstance(value, str):
                trouble = "du texte est attendu"
            else:
                value = value.strip()
                if len(value) > TEXT_MAX:
                    trouble = f"{TEXT_MAX} caractères au plus ({len(value)} saisis)"
                elif not value:
                    if q.required:
                        problems.append((q.key, f"{_named(q)} : réponse obligatoire"))
                    continue
        if trouble:
            problems.append((q.key, f"{_named(q)} : {trouble}"))
        else:
            clean[q.key] = value
    if problems:
        raise Invalid.all_of(problems)
    return clean


def choices(question: Question, value: Any) -> list[str]:
    """The tally keys an answer adds to: each option chosen; a scale's value; `option@rank` for a
    ranking; nothing for text (only that it was answered)."""
    if question.kind == "single":
        return [value]
    if question.kind == "multiple":
        return list(value)
    if question.kind == "scale":
        return [str(value)]
    if question.kind == "ranking":
        return [f"{option}@{rank}" for rank, option in enumerate(value, start=1)]
    return []


# --- API shapes -------------------------------------------------------------------------------------

class QuestionnaireIn(BaseModel):
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,80}$")]
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=5000)
    anonymous: bool = True
    questions: list[Question] = Field(min_length=1, max_length=200)


class VersionIn(BaseModel):
    questions: list[Question] = Field(min_length=1, max_length=200)


class StatusIn(BaseModel):
    status: Literal["open", "closed"]


class QuestionnaireOut(BaseModel):
    slug: str
    title: str
    description: str
    status: str
    anonymous: bool
    version: int
    questions: list[Question]


class AnswerIn(BaseModel):
    profile: Literal["patient", "carer", "professional", "industry", "citizen"]
    region: str = Field(default="", max_length=3)
    answers: dict[str, Any] = Field(max_length=200)


class FreeTextAnswer(BaseModel):
    question: str
    text: str


class FreeTextOut(BaseModel):
    response_id: int
    cite: str = Field(description="what a synthesis sentence writes to cite it, e.g. answer:42")
    profile: str
    answers: list[FreeTextAnswer]


class FreeTextPageOut(BaseModel):
    items: list[FreeTextOut]
    next_after: int | None = Field(description="pass as `after` for the next page; null at the end")


class AnswerOut(BaseModel):
    id: int
    version: int


class IdeaIn(BaseModel):
    theme: Literal["efficiency", "territories", "access"]
    title: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=10_000)


class VoteIn(BaseModel):
    value: Literal[-1, 0, 1]


class CommentIn(BaseModel):
    body: str = Field(min_length=1, max_length=5000)
    parent_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class ReportIn(BaseModel):
    target: Literal["idea", "comment"]
    target_id: int = Field(ge=1, le=2**31 - 1)
    reason: str = Field(min_length=1, max_length=2000)


class ModerationIn(ReportIn):
    action: Literal["hide", "restore"]


class TallyOut(BaseModel):
    agree: int
    disagree: int
    passed: int


class IdeaOut(BaseModel):
    id: int
    theme: str
    title: str  # empty when hidden
    body: str  # empty when hidden
    author_name: str
    hidden: bool
    hidden_reason: str | None
    tally: TallyOut
    my_vote: int | None
    created_at: UtcDatetime


class CommentOut(BaseModel):
    id: int
    parent_id: int | None
    body: str  # empty when hidden
    hidden: bool
    created_at: UtcDatetime
    replies: list[CommentOut]


class ModerationOut(BaseModel):
    target: str
    target_id: int
    action: str
    reason: str
    at: UtcDatetime


class IdeaPageOut(BaseModel):
    idea: IdeaOut
    comments: list[CommentOut]
    moderation: list[ModerationOut]


class CreatedOut(BaseModel):
    id: int


# --- The assembly ------------------------------------------------------------------------------------

class AssemblyIn(BaseModel):
    slug: str = Field(pattern=r"^[a-z0-9-]{1,80}$")
    name: str = Field(min_length=3, max_length=300)
    seats: int = Field(default=300, ge=1, le=10_000)
    quorum_share: float = Field(default=0.5, gt=0, le=1)  # of the sitting members present for a vote to count


class VolunteerIn(BaseModel):
    profile: Literal["patient", "carer", "professional", "industry", "citizen"]
    region: str = Field(min_length=2, max_length=3)


class VolunteerOut(BaseModel):
    user_id: int
    profile: str
    region: str
    at: UtcDatetime


class DrawIn(BaseModel):
    year: int = Field(ge=2000, le=2200)
    seed: str = Field(min_length=8, max_length=200)


class DrawnVolunteer(BaseModel):
    id: str
    profile: str
    region: str


class DrawOut(BaseModel):
    """A draw as published: anyone redoes it from `seed` and `volunteers` (docs/concertation.md)."""

    year: int
    seed: str
    drawn: int
    leaving: int
    volunteers: list[DrawnVolunteer]


class SittingIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)


class MotionIn(BaseModel):
    title: str = Field(min_length=3, max_length=300)
    text: str = Field(default="", max_length=20_000)
    amends: int | None = None  # an amendment (by a member) to this open motion


class ChoiceIn(BaseModel):
    choice: Literal["pour", "contre", "abstention"]


class MotionOut(BaseModel):
    id: int
    parent_id: int | None
    title: str
    text: str
    status: Literal["open", "adopted", "rejected", "no_quorum"]
    # Published once closed: « présents, exprimés, pour, contre, abstentions ».
    present: int | None
    expressed: int | None
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    tally: str | None


class SittingOut(BaseModel):
    id: int
    title: str
    held_on: UtcDatetime
    motions: list[MotionOut]


class AssemblySummaryOut(BaseModel):
    slug: str
    name: str
    seats: int
    seated: int


class AssemblyOut(AssemblySummaryOut):
    quorum_share: float
    volunteers_by_profile: dict[str, int]
    draws: list[DrawOut]
    sittings: list[SittingOut]


# --- The synthesis ------------------------------------------------------------------------------------

class SynthesisIn(BaseModel):
    slug: str = Field(pattern=r"^[a-z0-9-]{1,80}$")
    title: str = Field(min_length=3, max_length=300)


class SentenceIn(BaseModel):
    text: str = Field(min_length=3, max_length=5000)
    citations: list[str] = Field(min_length=1, max_length=200)  # "idea:N", "comment:N", "answer:N"


class SourceOut(BaseModel):
    target: Literal["idea", "comment", "answer"]
    id: int
    text: str  # empty when hidden by moderation
    href: str  # its page ("" for an answer: quoted here, no page of its own)


class SentenceOut(BaseModel):
    id: int
    text: str
    sources: list[SourceOut]


class SynthesisOut(BaseModel):
    slug: str
    title: str
    sentences: list[SentenceOut]


class ThemeCoverageOut(BaseModel):
    theme: str
    ideas: int
    cited: int
    uncited: list[int]  # idea ids


class GroupCoverageOut(BaseModel):
    group: int
    participants: int
    representative: list[dict[str, Any]]  # {"idea": id, "stance": "agree"|"disagree", "cited": bool}


class AnswerThemeOut(BaseModel):
    terms: list[str]
    answers: int
    cited: int
    uncited: list[int]  # response ids
    quotes: list[int]  # the responses that weigh most in the theme


class AnswerCoverageOut(BaseModel):
    questionnaire: str
    answers: int
    cited: int
    themes: list[AnswerThemeOut]


class CoverageOut(BaseModel):
    themes: list[ThemeCoverageOut]
    groups: list[GroupCoverageOut]
    answers: list[AnswerCoverageOut]
