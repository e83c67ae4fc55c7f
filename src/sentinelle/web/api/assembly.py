"""JSON API of the assembly: what it publishes (draws, sittings, motions and their tallies), offering
to sit, and the agency's and members' acts."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sentinelle.concertation import assembly, schemas
from sentinelle.concertation.models import AssemblyDraw, AssemblyVolunteer, Motion
from sentinelle.schemas_common import ERRORS
from sentinelle.web.deps import ApiUserDep, DbDep, UserDep

router = APIRouter(tags=["assembly"], responses=ERRORS)


def _motion_out(m: Motion) -> schemas.MotionOut:
    return schemas.MotionOut(id=m.id, parent_id=m.parent_id, title=m.title, text=m.text, status=m.status,
                             present=m.present, expressed=m.expressed, votes_for=m.votes_for,
                             votes_against=m.votes_against, abstentions=m.abstentions,
                             tally=assembly.published_tally(m))


def _draw_out(d: AssemblyDraw) -> schemas.DrawOut:
    return schemas.DrawOut(year=d.year, seed=d.seed, drawn=d.drawn, leaving=d.leaving,
                           volunteers=[schemas.DrawnVolunteer(**v) for v in d.volunteers])


def _volunteer_out(v: AssemblyVolunteer) -> schemas.VolunteerOut:
    return schemas.VolunteerOut(user_id=v.user_id, profile=v.profile, region=v.region, at=v.at)


@router.get("/assemblies", response_model=list[schemas.AssemblySummaryOut])
def list_assemblies(db: DbDep) -> list[schemas.AssemblySummaryOut]:
    return [schemas.AssemblySummaryOut(slug=a.slug, name=a.name, seats=a.seats,
                                       seated=len(assembly.sitting_members(db, a))) for a in assembly.listing(db)]


@router.post("/assemblies", response_model=schemas.AssemblyOut, status_code=201)
def create_assembly(data: schemas.AssemblyIn, user: ApiUserDep,
                    db: DbDep) -> schemas.AssemblyOut:
    """A new assembly, empty until its first draw (the agency)."""
    assembly.create(db, user, data.slug, data.name, data.seats, data.quorum_share)
    return read_assembly(data.slug, db)


@router.get("/assemblies/{slug}", response_model=schemas.AssemblyOut)
def read_assembly(slug: str, db: DbDep) -> schemas.AssemblyOut:
    """Public: the draws with their seed and list, the sittings, motions and published tallies."""
    a, draws, sittings, seated = assembly.overview(db, slug)
    return schemas.AssemblyOut(
        slug=a.slug, name=a.name, seats=a.seats, seated=seated, quorum_share=a.quorum_share,
        volunteers_by_profile=assembly.volunteer_counts(db, slug), draws=[_draw_out(d) for d in draws],
        sittings=[schemas.SittingOut(id=v.sitting.id, title=v.sitting.title, held_on=v.sitting.held_on,
                                     motions=[_motion_out(m) for m in v.motions]) for v in sittings])


@router.put("/assemblies/{slug}/volunteers/mine", response_model=schemas.VolunteerOut)
def offer(slug: str, data: schemas.VolunteerIn, user: ApiUserDep,
          db: DbDep) -> schemas.VolunteerOut:
    """Offer to sit (again: the profile and region are replaced)."""
    v = assembly.volunteer(db, user, slug, data.profile, data.region)
    return _volunteer_out(v)


@router.delete("/assemblies/{slug}/volunteers/mine", status_code=204, response_class=Response)
def withdraw(slug: str, user: ApiUserDep, db: DbDep) -> Response:
    assembly.withdraw(db, user, slug)
    return Response(status_code=204)


@router.get("/assemblies/{slug}/volunteers", response_model=list[schemas.VolunteerOut])
def list_volunteers(slug: str, user: UserDep,
                    db: DbDep) -> list[schemas.VolunteerOut]:
    """The offers before a draw (the agency)."""
    return [_volunteer_out(v) for v in assembly.volunteers(db, user, slug)]


@router.post("/assemblies/{slug}/draws", response_model=schemas.DrawOut, status_code=201)
def draw(slug: str, data: schemas.DrawIn, user: ApiUserDep,
         db: DbDep) -> schemas.DrawOut:
    """The year's draw among the offers, from a seed published beforehand (the agency)."""
    d = assembly.draw(db, user, slug, data.year, data.seed)
    return _draw_out(d)


@router.post("/assemblies/{slug}/sittings", response_model=schemas.CreatedOut, status_code=201)
def open_sitting(slug: str, data: schemas.SittingIn, user: ApiUserDep,
                 db: DbDep) -> schemas.CreatedOut:
    s = assembly.open_sitting(db, user, slug, data.title)
    return schemas.CreatedOut(id=s.id)


@router.post("/sittings/{sitting_id}/motions", response_model=schemas.MotionOut, status_code=201)
def propose(sitting_id: int, data: schemas.MotionIn, user: ApiUserDep,
            db: DbDep) -> schemas.MotionOut:
    """A motion (the agency) or, with `amends`, an amendment (a sitting member)."""
    m = assembly.propose(db, user, sitting_id, data.title, data.text, data.amends)
    return _motion_out(m)


@router.post("/sittings/{sitting_id}/presence", status_code=204, response_class=Response)
def attend(sitting_id: int, user: ApiUserDep, db: DbDep) -> Response:
    assembly.attend(db, user, sitting_id)
    return Response(status_code=204)


@router.put("/motions/{motion_id}/votes/mine", status_code=204, response_class=Response)
def vote(motion_id: int, data: schemas.ChoiceIn, user: ApiUserDep,
         db: DbDep) -> Response:
    """Pour, contre or abstention (a sitting member); again before the close, it is replaced."""
    assembly.vote(db, user, motion_id, data.choice)
    return Response(status_code=204)


@router.post("/motions/{motion_id}/close", response_model=schemas.MotionOut)
def close(motion_id: int, user: ApiUserDep, db: DbDep) -> schemas.MotionOut:
    """Close the vote and publish the tally (the agency)."""
    m = assembly.close(db, user, motion_id)
    return _motion_out(m)
