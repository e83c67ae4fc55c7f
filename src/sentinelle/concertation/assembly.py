"""The assembly (« Parlement Santé »): members drawn by lot from volunteers with a published seed,
renewed by half each year; sittings; motions and amendments put to the vote; a vote counts when
enough members are present (quorum), and its tally is published as « présents, exprimés, pour,
contre, abstentions »."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue.regions import BY_CODE
from sentinelle.concertation import lottery, policy
from sentinelle.concertation.models import (
    CHOICES,
    PROFILES,
    Assembly,
    AssemblyDraw,
    AssemblyMember,
    AssemblyPresence,
    AssemblySitting,
    AssemblyVolunteer,
    Motion,
    MotionVote,
)
from sentinelle.concertation.schemas import check_slug
from sentinelle.errors import Conflict, Forbidden, Invalid, NotAuthenticated, NotFound, require
from sentinelle.store.base import utcnow
from sentinelle.store.db import by_id, by_slug, upsert


def _manage(user: User | None) -> User:
    return require(user, policy.can_manage(user), "l'organisation de l'assemblée revient à l'agence nationale")


def get(session: Session, slug: str) -> Assembly:
    return by_slug(session, Assembly, slug, "assemblée")


def listing(session: Session) -> list[Assembly]:
    return list(session.scalars(select(Assembly).order_by(Assembly.id)))


def create(session: Session, user: User | None, slug: str, name: str, seats: int = 300,
           quorum_share: float = 0.5) -> Assembly:
    actor = _manage(user)
    check_slug(slug)
    if not 3 <= len(name.strip()) <= 300:
        raise Invalid("name : de 3 à 300 caractères", "name")
    if not 1 <= seats <= 10_000:
        raise Invalid("seats : de 1 à 10 000 sièges", "seats")
    if not 0 < quorum_share <= 1:
        raise Invalid("quorum_share : une part entre 0 et 1", "quorum_share")
    if session.scalar(select(Assembly.id).where(Assembly.slug == slug)) is not None:
        raise Conflict(f"une assemblée « {slug} » existe déjà", "slug")
    a = Assembly(slug=slug, name=name.strip(), seats=seats, quorum_share=quorum_share)
    session.add(a)
    session.flush()
    audit.record(session, actor, audit.Action.ASSEMBLY_CREATE, "assembly", a.id, after={"slug": slug, "seats": seats})
    return a


def sitting_members(session: Session, assembly: Assembly) -> list[AssemblyMember]:
    return list(session.scalars(select(AssemblyMember).where(
        AssemblyMember.assembly_id == assembly.id, AssemblyMember.term_end.is_(None)).order_by(AssemblyMember.id)))


def volunteer(session: Session, user: User | None, slug: str, profile: str, region: str) -> AssemblyVolunteer:
    """Offer to sit (anyone with an account), under a profile and a region; offering again replaces
    the profile and region."""
    if user is None:
        raise NotAuthenticated("connectez-vous pour vous porter volontaire")
    a = get(session, slug)
    if profile not in PROFILES:
        raise Invalid(f"profile : profil inconnu {profile} ({', '.join(PROFILES)})", "profile")
    if region not in BY_CODE:
        raise Invalid(f"region : région inconnue {region}", "region")
    stmt = upsert(session, AssemblyVolunteer.__table__).values(assembly_id=a.id, user_id=user.id, profile=profile,
                                                               region=region, at=utcnow())
    session.connection().execute(stmt.on_conflict_do_update(
        index_elements=["assembly_id", "user_id"],
        set_={"profile": stmt.excluded.profile, "region": stmt.excluded.region, "at": stmt.excluded.at}))
    found = my_offer(session, user, slug)
    assert found is not None
    return found


def withdraw(session: Session, user: User | None, slug: str) -> bool:
    """Withdraw one's offer (True if there was one). A seat already drawn is not given up this way."""
    if user is None:
        raise NotAuthenticated("connectez-vous")
    offer = my_offer(session, user, slug)
    if offer is None:
        return False
    session.delete(offer)
    session.flush()
    return True


def my_offer(session: Session, user: User | None, slug: str) -> AssemblyVolunteer | None:
    if user is None:
        return None
    a = get(session, slug)
    return session.scalar(select(AssemblyVolunteer).where(AssemblyVolunteer.assembly_id == a.id,
                                                          AssemblyVolunteer.user_id == user.id))


def volunteers(session: Session, user: User | None, slug: str) -> list[AssemblyVolunteer]:
    """The offers (the agency's view, before a draw publishes them as the list drawn from)."""
    _manage(user)
    a = get(session, slug)
    return list(session.scalars(select(AssemblyVolunteer).where(AssemblyVolunteer.assembly_id == a.id)
                                .order_by(AssemblyVolunteer.user_id)))


def volunteer_counts(session: Session, slug: str) -> dict[str, int]:
    """How many offers per profile (public: it tells whether each profile can be represented)."""
    a = get(session, slug)
    return dict(session.execute(select(AssemblyVolunteer.profile, func.count()).where(
        AssemblyVolunteer.assembly_id == a.id).group_by(AssemblyVolunteer.profile)).all())


def draw(session: Session, user: User | None, slug: str, year: int, seed: str,
         pool: Sequence[tuple[int, str, str]] | None = None,
         targets: Mapping[tuple[str, str], float] | None = None) -> AssemblyDraw:
    """The year's draw: the longest-serving half of the sitting members leaves (none the first year),
    and the free seats are drawn by lot among the volunteers (user id, profile, region; by default
    those who offered, `volunteer`) who do not sit, stratified by profile and region. The seed and the
    volunteers are kept, so that anyone can redo it with `lottery.draw` and `lottery.leaving`."""
    actor = _manage(user)
    if not 2000 <= year <= 2200:  # the page's form reaches here without the API's bound
        raise Invalid(f"year : une année entre 2000 et 2200 (reçu {year})", "year")
    a = get(session, slug)
    volunteers = pool if pool is not None else [
        (v.user_id, v.profile, v.region) for v in session.scalars(
            select(AssemblyVolunteer).where(AssemblyVolunteer.assembly_id == a.id).order_by(AssemblyVolunteer.user_id))]
    if len(seed.strip()) < 8:
        raise Invalid("seed : au moins 8 caractères, publiés avant le tirage", "seed")
    for uid, profile, _region in volunteers:
        if profile not in PROFILES:
            raise Invalid(f"volontaire {uid} : profil inconnu {profile}", "volunteers")
    sitting = sitting_members(session, a)
    if any(m.term_start >= year for m in sitting):
        raise Conflict(f"un tirage de {year} ou plus récent a déjà eu lieu", "year")
    out = set(lottery.leaving([(str(m.id), m.term_start) for m in sitting], seed)) if sitting else set()
    for m in sitting:
        if str(m.id) in out:
            m.term_end = year
    staying = {m.user_id for m in sitting if str(m.id) not in out}
    candidates = [lottery.Volunteer(str(uid), profile, region) for uid, profile, region in volunteers
                  if uid not in staying]
    chosen = lottery.draw(candidates, a.seats - len(staying), seed, targets)
    for v in chosen:
        session.add(AssemblyMember(assembly_id=a.id, user_id=int(v.id), profile=v.profile, region=v.region,
                                   term_start=year))
    record = AssemblyDraw(assembly_id=a.id, year=year, seed=seed,
                          volunteers=[{"id": v.id, "profile": v.profile, "region": v.region} for v in candidates],
                          drawn=len(chosen), leaving=len(out))
    session.add(record)
    session.flush()
    audit.record(session, actor, audit.Action.ASSEMBLY_DRAW, "assembly", a.id,
                 after={"year": year, "seed": seed, "drawn": len(chosen), "leaving": len(out)})
    return record


def open_sitting(session: Session, user: User | None, slug: str, title: str) -> AssemblySitting:
    _manage(user)
    a = get(session, slug)
    s = AssemblySitting(assembly_id=a.id, title=title.strip() or "Séance")
    session.add(s)
    session.flush()
    audit.record(session, user, audit.Action.SITTING_OPEN, "assembly", a.id, after={"sitting_id": s.id, "title": s.title})
    return s


def _member(session: Session, user: User | None, assembly_id: int) -> AssemblyMember:
    if user is None:
        raise NotAuthenticated("connectez-vous")
    m = session.scalar(select(AssemblyMember).where(AssemblyMember.assembly_id == assembly_id,
                                                    AssemblyMember.user_id == user.id,
                                                    AssemblyMember.term_end.is_(None)))
    if m is None:
        raise Forbidden("réservé aux membres en exercice de l'assemblée")
    return m


def _sitting(session: Session, sitting_id: int) -> AssemblySitting:
    s = by_id(session, AssemblySitting, sitting_id)
    if s is None:
        raise NotFound(f"séance introuvable : {sitting_id}", "sitting_id")
    return s


def _motion(session: Session, motion_id: int) -> Motion:
    m = by_id(session, Motion, motion_id)
    if m is None:
        raise NotFound(f"motion introuvable : {motion_id}", "motion_id")
    return m


def propose(session: Session, user: User | None, sitting_id: int, title: str, text: str = "",
            amends: int | None = None) -> Motion:
    """A motion (by the agency, which runs the sitting) or an amendment to an open motion (by a member)."""
    s = _sitting(session, sitting_id)
    if amends is None:
        _manage(user)
    else:
        _member(session, user, s.assembly_id)
        parent = _motion(session, amends)
        if parent.sitting_id != s.id or parent.status != "open" or parent.parent_id is not None:
            raise Invalid("on amende une motion ouverte de cette séance", "amends")
    if not 3 <= len(title.strip()) <= 300:
        raise Invalid("title : de 3 à 300 caractères", "title")
    m = Motion(sitting_id=s.id, parent_id=amends, title=title.strip(), text=text.strip())
    session.add(m)
    session.flush()
    audit.record(session, user, audit.Action.MOTION_PROPOSE, "motion", m.id,
                 after={"sitting_id": s.id, "amends": amends, "title": m.title})
    return m


def attend(session: Session, user: User | None, sitting_id: int) -> AssemblyPresence:
    """A member says they are present (voting also does)."""
    s = _sitting(session, sitting_id)
    member = _member(session, user, s.assembly_id)
    existing = session.scalar(select(AssemblyPresence).where(AssemblyPresence.sitting_id == s.id,
                                                             AssemblyPresence.member_id == member.id))
    if existing is not None:
        return existing
    p = AssemblyPresence(sitting_id=s.id, member_id=member.id)
    try:
        with session.begin_nested():
            session.add(p)
            session.flush()
    except IntegrityError:
        found = session.scalar(select(AssemblyPresence).where(AssemblyPresence.sitting_id == s.id,
                                                              AssemblyPresence.member_id == member.id))
        assert found is not None
        return found
    return p


def vote(session: Session, user: User | None, motion_id: int, choice: str) -> None:
    """Pour, contre or abstention on an open motion; again before the close, the vote is replaced."""
    if choice not in CHOICES:
        raise Invalid("choice : pour, contre ou abstention", "choice")
    motion = _motion(session, motion_id)
    s = _sitting(session, motion.sitting_id)
    member = _member(session, user, s.assembly_id)
    if motion.status != "open":
        raise Conflict("vote clos : le décompte est publié")
    attend(session, user, s.id)
    stmt = upsert(session, MotionVote.__table__).values(motion_id=motion.id, member_id=member.id, choice=choice, at=utcnow())
    session.connection().execute(stmt.on_conflict_do_update(
        index_elements=["motion_id", "member_id"], set_={"choice": stmt.excluded.choice, "at": stmt.excluded.at}))


@dataclass(frozen=True)
class Tally:
    present: int
    expressed: int
    votes_for: int
    votes_against: int
    abstentions: int
    quorum: int

    def published(self) -> str:
        return (f"présents : {self.present}, exprimés : {self.expressed}, pour : {self.votes_for}, "
                f"contre : {self.votes_against}, abstentions : {self.abstentions}")


def count(session: Session, motion: Motion) -> Tally:
    """Present: the members who signed in to the sitting; expressed: pour + contre; the quorum is the
    assembly's share of its sitting members, rounded up."""
    s = _sitting(session, motion.sitting_id)
    a = session.get(Assembly, s.assembly_id)
    assert a is not None
    choices = dict(session.execute(select(MotionVote.choice, func.count()).where(MotionVote.motion_id == motion.id)
                                   .group_by(MotionVote.choice)).all())
    present = session.scalar(select(func.count()).select_from(AssemblyPresence)
                             .where(AssemblyPresence.sitting_id == s.id)) or 0
    seated = len(sitting_members(session, a))
    return Tally(present, choices.get("pour", 0) + choices.get("contre", 0), choices.get("pour", 0),
                 choices.get("contre", 0), choices.get("abstention", 0), math.ceil(seated * a.quorum_share))


def close(session: Session, user: User | None, motion_id: int) -> Motion:
    """Close the vote and publish the tally: adopted with more pour than contre when the quorum is met,
    rejected otherwise; without quorum, no decision."""
    actor = _manage(user)
    motion = _motion(session, motion_id)
    if motion.status != "open":
        raise Conflict("vote déjà clos")
    t = count(session, motion)
    motion.present, motion.expressed, motion.votes_for, motion.votes_against, motion.abstentions = (
        t.present, t.expressed, t.votes_for, t.votes_against, t.abstentions)
    motion.status = ("no_quorum" if t.present < t.quorum else "adopted" if t.votes_for > t.votes_against
                     else "rejected")
    motion.closed_at = utcnow()
    audit.record(session, actor, audit.Action.MOTION_CLOSE, "motion", motion.id, after={"status": motion.status,
                                                                             "tally": t.published()})
    session.flush()
    return motion


@dataclass
class SittingView:
    sitting: AssemblySitting
    motions: list[Motion]  # motions, each followed by its amendments


def overview(session: Session, slug: str) -> tuple[Assembly, list[AssemblyDraw], list[SittingView], int]:
    """What the assembly's page shows to everyone: its draws, its sittings with their motions and
    amendments (closed ones with their tallies), and how many members sit."""
    a = get(session, slug)
    draws = list(session.scalars(select(AssemblyDraw).where(AssemblyDraw.assembly_id == a.id)
                                 .order_by(AssemblyDraw.year.desc())))
    views = []
    for s in session.scalars(select(AssemblySitting).where(AssemblySitting.assembly_id == a.id)
                             .order_by(AssemblySitting.held_on.desc(), AssemblySitting.id.desc())):
        motions = list(session.scalars(select(Motion).where(Motion.sitting_id == s.id).order_by(Motion.id)))
        ordered = []
        for m in (m for m in motions if m.parent_id is None):
            ordered += [m] + [x for x in motions if x.parent_id == m.id]
        views.append(SittingView(s, ordered))
    return a, draws, views, len(sitting_members(session, a))


def membership(session: Session, user: User | None, slug: str) -> AssemblyMember | None:
    if user is None:
        return None
    a = get(session, slug)
    return session.scalar(select(AssemblyMember).where(AssemblyMember.assembly_id == a.id,
                                                       AssemblyMember.user_id == user.id,
                                                       AssemblyMember.term_end.is_(None)))


def my_votes(session: Session, member: AssemblyMember | None) -> dict[int, str]:
    if member is None:
        return {}
    return dict(session.execute(select(MotionVote.motion_id, MotionVote.choice)
                                .where(MotionVote.member_id == member.id)).all())


def published_tally(motion: Motion) -> str | None:
    if motion.status == "open":
        return None
    return (f"présents : {motion.present}, exprimés : {motion.expressed}, pour : {motion.votes_for}, "
            f"contre : {motion.votes_against}, abstentions : {motion.abstentions}")
