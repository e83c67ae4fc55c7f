"""Submit a job, run it in a worker thread of this process, read its state.

One worker thread: long imports run one after the other, never in the request's thread nor in the
server's event loop, so pages keep answering while they run. The work runs in a session of its own
and commits once (all or nothing, as before); its progress is kept in this process's memory while it
runs (the import's transaction holds the database's writer on SQLite, so it cannot be written there
as it goes) and its report in the job's row at the end. A job that a stopped server left running is
marked failed at the next start (`fail_interrupted`): its transaction was never committed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.errors import DomainError, NotFound
from sentinelle.jobs import policy
from sentinelle.jobs.models import Job
from sentinelle.store.base import utcnow
from sentinelle.store.db import by_id, session_factory

log = logging.getLogger(__name__)
Work = Callable[[Session, Callable[[int], None]], dict[str, Any]]

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sentinelle-job")
_progress: dict[int, int] = {}
_lock = threading.Lock()


def submit(session: Session, user: User | None, kind: str, params: dict[str, Any], *,
           total: int | None = None) -> Job:
    job = Job(kind=kind, status="queued", created_by_id=user.id if user else None, params=params, total=total)
    session.add(job)
    session.flush()
    return job


def start(engine: Engine, job_id: int, work: Work) -> Future[None]:
    """Run `work` for this job in the worker thread (after the caller committed the job's row)."""
    return _executor.submit(_run, engine, job_id, work)


def _run(engine: Engine, job_id: int, work: Work) -> None:
    make = session_factory(engine)
    with make() as s:
        s.execute(update(Job).where(Job.id == job_id).values(status="running", started_at=utcnow()))
        s.commit()

    def advance(n: int) -> None:
        with _lock:
            _progress[job_id] = _progress.get(job_id, 0) + n

    status, report, error = "done", None, ""
    try:
        with make() as s:
            report = work(s, advance)
            s.commit()
    except DomainError as exc:
        status, error = "failed", exc.message
    except Exception:  # the job reports it; the worker thread goes on
        log.exception("job %s failed", job_id)
        status, error = "failed", "erreur interne : le détail est dans le journal du serveur"
    with make() as s:
        s.execute(update(Job).where(Job.id == job_id).values(
            status=status, report=report, error=error, finished_at=utcnow(), done=progress_of(job_id)))
        s.commit()
    with _lock:
        _progress.pop(job_id, None)


def progress_of(job_id: int) -> int:
    with _lock:
        return _progress.get(job_id, 0)


def get(session: Session, user: User, job_id: int) -> Job:
    """A job, for the person who submitted it (or the national agency)."""
    job = by_id(session, Job, job_id)
    if job is None or not policy.can_read(user, job):
        raise NotFound(f"tâche introuvable : {job_id}", "job_id")
    return job


def fail_interrupted(session: Session) -> int:
    """At start: jobs a stopped server left queued or running did not finish (nothing was committed)."""
    return session.execute(update(Job).where(Job.status.in_(("queued", "running"))).values(  # type: ignore[attr-defined]
        status="failed", error="interrompue par l'arrêt du serveur : rien n'a été écrit, relancez-la",
        finished_at=utcnow())).rowcount
