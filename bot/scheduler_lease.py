"""The scheduled jobs on exactly one of the instances sharing a database, taken over when that one dies.

Every instance (unless its `assistant.run_scheduler` is false) tries to take the scheduler's lease
(`bot.storage.lease`) every third of `assistant.scheduler_lease_seconds`. The one that holds it runs the scheduler
and renews the lease at that pace; the others keep trying. When the owner dies, or loses the database, its lease
expires at most `scheduler_lease_seconds` after its last renewal, and the next instance to try takes it: it starts
the scheduler, whose job store (in the database) keeps each job's next time, and runs at once every job the dead
owner was in the middle of (`bot.storage.job_runs`). An owner that cannot renew stops its scheduler before its
lease can expire; one that stops cleanly lets the lease go, and another takes it at its next try.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError

from bot.scheduler import run_soon, start_scheduler
from bot.services import Services
from bot.storage.job_runs import JobRuns
from bot.storage.lease import Lease

log = logging.getLogger(__name__)


def instance_name() -> str:
    """Who holds the lease, as the lease row shows it: the host, the process id, and a random part (the logs name
    the process only: the log redaction would take the whole for a secret)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class LeasedScheduler:
    def __init__(self, services: Services, lease_seconds: float, owner: str | None = None) -> None:
        self.services = services
        self.lease = Lease(services.sessions)
        self.lease_seconds = lease_seconds
        self.owner = owner or instance_name()
        self.scheduler: AsyncIOScheduler | None = None
        self._valid_until = 0.0  # on this process's monotonic clock: the lease cannot have expired before

    @property
    def try_every(self) -> float:
        return self.lease_seconds / 3

    async def run(self, stop: asyncio.Event) -> None:
        """Hold or seek the lease until `stop` is set; then stop the scheduler and let the lease go."""
        try:
            while not stop.is_set():
                try:
                    await self.step()
                except Exception:  # a defect: no jobs without a lease renewed, and the next try as planned
                    log.exception("the scheduler's lease could not be tried")
                    self._stop_jobs("its lease could not be tried")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.try_every)
        finally:
            await self.close()

    async def step(self) -> bool:
        """One try: take or renew the lease, and start or stop the scheduler to match; whether it runs the jobs."""
        asked = time.monotonic()
        try:
            held = await asyncio.wait_for(
                asyncio.to_thread(self.lease.acquire, self.owner, self.lease_seconds), self.try_every
            )
        except (SQLAlchemyError, TimeoutError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else "no answer in time"
            log.warning("the scheduler's lease could not be renewed: %s", reason)
            if self.scheduler is not None and time.monotonic() + self.try_every >= self._valid_until:
                self._stop_jobs("its lease may expire before the next try")
            return self.scheduler is not None
        if held:
            self._valid_until = asked + self.lease_seconds
            if self.scheduler is None:
                self._start_jobs()
        elif self.scheduler is not None:
            self._stop_jobs("another instance holds its lease")
        return self.scheduler is not None

    def _start_jobs(self) -> None:
        try:
            scheduler = start_scheduler(self.services, paused=True)
        except Exception:
            log.exception("the scheduler did not start; the lease is tried again")
            return
        try:
            run_soon(scheduler, JobRuns(self.services.sessions).interrupted(), self.services.now())
        except SQLAlchemyError as exc:
            log.warning("jobs cut short by a previous owner not looked for: %s", str(exc).splitlines()[0])
        scheduler.resume()
        self.scheduler = scheduler
        log.info("this instance (process %d) runs the scheduled jobs", os.getpid())

    def _stop_jobs(self, reason: str) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
            log.warning("this instance (process %d) stopped running the scheduled jobs: %s", os.getpid(), reason)

    async def close(self) -> None:
        """Stop the scheduler and let the lease go (another instance takes it at its next try)."""
        if self.scheduler is None:
            return
        self.scheduler.shutdown(wait=False)
        self.scheduler = None
        try:
            await asyncio.to_thread(self.lease.release, self.owner)
        except SQLAlchemyError as exc:
            log.warning("the scheduler's lease was not let go (it expires by itself): %s", str(exc).splitlines()[0])
