"""What waits for each person: the home page of an agency, a hospital or a manufacturer is a worklist.

The region qualifies its region's declarations and admits the declarations waiting on a signal; the
national agency validates what the regions qualified, reviews the manufacturers' notices and the
candidate signals raised by detection; a hospital follows its open declarations and writes the
RETEX of those that ended; a manufacturer follows its notices. Each list is a query under the
reader's visibility (`policy.visible_to`), oldest first: what has waited longest comes first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role
from sentinelle.alternatives.models import Lesson
from sentinelle.i18n import _
from sentinelle.signals import policy
from sentinelle.signals.models import Declarer, Signal
from sentinelle.signals.states import TERMINAL

SHOWN = 8  # items listed per task; the rest behind its link


@dataclass
class Task:
    """One list of things waiting for the reader."""

    key: str
    title: str
    todo: str  # what to do with each, in a few words
    signals: list[Signal]
    total: int
    more: str | None  # the full list, when there is one to go to


def _task(session: Session, user: User, key: str, title: str, todo: str, *where: ColumnElement[bool],
          more: str | None = None) -> Task:
    conds = (policy.visible_to(user), *where)
    total = session.scalar(select(func.count()).select_from(Signal).where(*conds)) or 0
    rows = session.scalars(select(Signal).where(*conds).order_by(Signal.created_at, Signal.id).limit(SHOWN)).unique()
    return Task(key, title, todo, list(rows), total, more)


def _open() -> ColumnElement[bool]:
    return Signal.status.not_in(TERMINAL)


def _declared_by(org_id: int | None) -> ColumnElement[bool]:
    return exists().where(Declarer.signal_id == Signal.id, Declarer.organisation_id == org_id)


def for_user(session: Session, user: User | None) -> list[Task]:
    """The reader's worklist, empty for the public and the roles with nothing to act on."""
    if user is None:
        return []
    if user.role == Role.REGION and user.organisation is not None:
        region = user.organisation.region_code
        return [
            _task(session, user, "qualify", _("Déclarations de votre région à qualifier"),
                  _("qualifier, fusionner avec un signal suivi, ou rejeter"),
                  Signal.status == "declared", Signal.region_code == region,
                  more=f"/signaux?status=declared&region={region}"),
            _task(session, user, "admit", _("Déclarations en attente de rattachement"),
                  _("rattacher l'établissement au signal déjà suivi"),
                  _open(), Signal.region_code == region,
                  exists().where(Declarer.signal_id == Signal.id, Declarer.admitted.is_(False))),
        ]
    if user.role == Role.NATIONAL:
        return [
            _task(session, user, "validate", _("Signaux qualifiés par les régions, à valider"),
                  _("valider, décider des mesures, publier"), Signal.status == "qualified",
                  more="/signaux?status=qualified"),
            _task(session, user, "publish", _("Signaux validés, à publier"),
                  _("rédiger le message public, décider des mesures, publier"), Signal.status == "validated",
                  more="/signaux?status=validated"),
            _task(session, user, "notices", _("Préavis d'interruption à examiner"),
                  _("examiner le préavis du fabricant, chercher des alternatives"),
                  Signal.source == "manufacturer", _open(), Signal.status.in_(("declared", "qualified")),
                  more="/signaux?source=manufacturer"),
            _task(session, user, "detection", _("Signaux levés par la détection"),
                  _("confirmer auprès des établissements, ou rejeter"),
                  Signal.source == "detection", Signal.status == "declared",
                  more="/signaux?status=declared&source=detection"),
            _task(session, user, "national", _("Déclarations nationales à instruire"),
                  _("qualifier ou valider"), Signal.status == "declared", Signal.region_code.is_(None),
                  Signal.source.not_in(("manufacturer", "detection")),
                  more="/signaux?status=declared&region=none"),
        ]
    if user.role == Role.ESTABLISHMENT:
        org = user.organisation_id
        return [
            _task(session, user, "mine", _("Vos déclarations en cours"),
                  _("mettre à jour la couverture de stock et les mesures prises"),
                  _open(), _declared_by(org), more="/signaux?mine=1"),
            _task(session, user, "retex", _("Retours d'expérience à écrire"),
                  _("dire ce qui a fonctionné, ce qui a manqué"),
                  Signal.status == "resolved", _declared_by(org),
                  ~exists().where(Lesson.signal_id == Signal.id, Lesson.organisation_id == org)),
        ]
    if user.role == Role.MANUFACTURER:
        return [_task(session, user, "notices", _("Vos préavis et signaux en cours"),
                      _("suivre l'instruction, compléter le préavis"),
                      _open(), Signal.organisation_id == user.organisation_id)]
    return []

