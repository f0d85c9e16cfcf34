"""Which scheduled jobs are running: a run that its instance did not live to finish is run again at once by the
instance that takes the scheduler's lease over, rather than at the job's next time (tomorrow, for the purge).

Each job is safe to run again: what it sends is recorded in the same transaction as the sending, so a second run
sends only what the first did not.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.storage.models import SchedulerRun


class JobRuns:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def started(self, job_id: str, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            run = session.get(SchedulerRun, job_id)
            if run is None:
                session.add(SchedulerRun(job_id=job_id, running=True, started_at=now))
            else:
                run.running, run.started_at = True, now

    def finished(self, job_id: str, now: dt.datetime) -> None:
        with self._sessions.begin() as session:
            run = session.get(SchedulerRun, job_id)
            if run is not None:
                run.running, run.finished_at = False, now

    def interrupted(self) -> list[str]:
        """The jobs whose last run started and never finished."""
        with self._sessions() as session:
            return list(session.scalars(select(SchedulerRun.job_id).where(SchedulerRun.running.is_(True))))
