"""Locks that order work across the instances sharing one PostgreSQL database.

PostgreSQL's transaction-scoped advisory locks (`pg_advisory_xact_lock`) on a 64-bit hash of a name: the lock
lasts as long as the transaction that took it, so a process that dies, or a connection that drops, releases it
with the transaction. On SQLite (one instance, one writer at a time) they are no-ops: the instance's own thread
locks keep today's order.

- `hold(session, name)`: in the caller's transaction, e.g. a scheduled job's item ("ticket_reminder:12"), so that
  two runs of a job (the lease changing hands while a deposed owner still runs) never both send it.
- `ConversationLocks.holding(sender_id)`: around a whole turn (read tracker → dialogue → write tracker), on a
  connection of its own pool: turns of one chat run one at a time whichever instance serves them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

TURN_LOCK_WAIT_MS = 30_000
"""How long a turn waits for the turn of the same chat on another instance (a turn lasts at most the directory's
timeouts); past it the turn fails as when the database is unavailable."""
TURN_LOCK_IDLE_MS = 600_000
"""A turn lock's transaction left open this long (a thread stuck for good) is ended by the server, lock included."""
TURN_LOCK_POOL = (4, 40)
"""Connections kept open for turn locks, and the most opened at once: more than the turns one instance runs at a
time (the web channel's 32 turn threads and Telegram's few), so that a turn never waits for one."""

_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def lock_key(name: str) -> int:
    """The advisory lock key of `name`: the first 8 bytes of its BLAKE2b digest, as PostgreSQL's signed bigint."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "big", signed=True)


def hold(session: Session, name: str) -> None:
    """Take the lock `name` until the caller's transaction ends; waits while another transaction holds it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK, {"key": lock_key(name)})


class ConversationLocks:
    """One turn of a chat at a time across instances: a transaction on a pooled connection of its own holds the
    chat's advisory lock while the turn runs. The pool is apart from the stores' so that a turn holding a lock
    connection and asking for another can never wait on turns that do the same."""

    def __init__(self, engine: Engine | None) -> None:
        self._engine = engine

    @classmethod
    def for_database(cls, database: Engine) -> ConversationLocks:
        """Locks for the instances sharing `database`: none on SQLite (one instance)."""
        if database.dialect.name != "postgresql":
            return cls(None)
        size, most = TURN_LOCK_POOL
        options = f"-c lock_timeout={TURN_LOCK_WAIT_MS} -c idle_in_transaction_session_timeout={TURN_LOCK_IDLE_MS}"
        engine = create_engine(
            database.url,
            pool_size=size,
            max_overflow=most - size,
            connect_args={"options": options},
        )
        return cls(engine)

    @contextmanager
    def holding(self, sender_id: str) -> Iterator[None]:
        """The chat's turn lock for the block; a lock that cannot be taken raises like an unavailable database."""
        if self._engine is None:
            yield
            return
        with self._locked(lock_key(f"conversation:{sender_id}")) as connection:
            try:
                yield
            finally:
                try:
                    connection.commit()
                except SQLAlchemyError as exc:  # the server ended it (idle too long, restarted): the lock went with it
                    log.warning("a turn lock's transaction had ended: %s", str(exc).splitlines()[0])

    @contextmanager
    def _locked(self, key: int) -> Iterator[Connection]:
        """A pooled connection in a transaction holding `key`. A connection the server dropped while it was idle in
        the pool (a restart) is replaced once, as a pre-ping would, without a ping on every turn."""
        assert self._engine is not None
        for attempt in (1, 2):
            connection = self._engine.connect()
            try:
                connection.begin()
                connection.execute(_LOCK, {"key": key})
            except DBAPIError as exc:
                connection.close()
                if attempt == 2 or not exc.connection_invalidated:
                    raise
                continue
            with connection:
                yield connection
            return

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
