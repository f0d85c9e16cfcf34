"""The scheduler's lease: which one of the instances sharing a database runs the scheduled jobs.

One row per lease name, with its owner and when it expires. The owner renews it well before it expires; any
instance takes it once it has expired, so an owner that dies (or loses the database) is replaced within the
lease's duration, and no two instances hold it at once: taking and renewing are one conditional upsert, which the
database runs one at a time on the row.

Times are the database server's clock (seconds since the epoch), never an instance's: instances on machines whose
clocks differ still agree on whether the lease has expired.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

SCHEDULER = "scheduler"
"""The lease of the scheduled jobs."""

# the database's clock, in seconds since the epoch
_NOW = {
    "postgresql": "CAST(EXTRACT(EPOCH FROM statement_timestamp()) AS DOUBLE PRECISION)",
    "sqlite": "((julianday('now') - 2440587.5) * 86400.0)",
}

_TAKE = """
INSERT INTO scheduler_lease (name, owner, acquired_at, expires_at)
VALUES (:name, :owner, {now}, {now} + :seconds)
ON CONFLICT (name) DO UPDATE SET
    owner = excluded.owner,
    acquired_at = CASE WHEN scheduler_lease.owner = excluded.owner
        THEN scheduler_lease.acquired_at ELSE excluded.acquired_at END,
    expires_at = excluded.expires_at
WHERE scheduler_lease.owner = excluded.owner OR scheduler_lease.expires_at <= excluded.acquired_at
"""
_OWNER = "SELECT owner FROM scheduler_lease WHERE name = :name"
_HOLDER = "SELECT owner FROM scheduler_lease WHERE name = :name AND expires_at > {now}"
_RELEASE = "UPDATE scheduler_lease SET expires_at = {now} WHERE name = :name AND owner = :owner"


class Lease:
    def __init__(self, sessions: sessionmaker[Session], name: str = SCHEDULER) -> None:
        self._sessions = sessions
        self.name = name

    def _sql(self, session: Session, statement: str) -> str:
        return statement.format(now=_NOW[session.get_bind().dialect.name])

    def acquire(self, owner: str, seconds: float) -> bool:
        """Take the lease for `seconds` if it is free or expired, or renew it if `owner` holds it; whether it does."""
        with self._sessions.begin() as session:
            session.execute(text(self._sql(session, _TAKE)), {"name": self.name, "owner": owner, "seconds": seconds})
            return session.scalar(text(_OWNER), {"name": self.name}) == owner

    def release(self, owner: str) -> None:
        """Let the lease go now (a clean stop), so that another instance takes it without waiting for it to expire."""
        with self._sessions.begin() as session:
            session.execute(text(self._sql(session, _RELEASE)), {"name": self.name, "owner": owner})

    def holder(self) -> str | None:
        """Who holds the lease now, if anyone."""
        with self._sessions() as session:
            owner = session.scalar(text(self._sql(session, _HOLDER)), {"name": self.name})
        return str(owner) if owner is not None else None
