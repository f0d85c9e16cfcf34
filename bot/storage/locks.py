"""Locks that order work across the instances sharing one PostgreSQL database.

PostgreSQL's transaction-scoped advisory locks (`pg_advisory_xact_lock`) on a 64-bit hash of a name: the lock
lasts as long as the transaction that took it, so a process that dies, or a connection that drops, releases it
with the transaction. On SQLite (one instance, one writer at a time) they are no-ops: the instance's own thread
locks keep today's order.

- `hold(session, name)`: in the caller's transaction, e.g. a scheduled job's item ("ticket_reminder:12"), so that
  two runs of a job (the lease changing hands while a deposed owner still runs) never both send it.
- `ConversationLocks.holding(sender_id)`: around a whole turn (read tracker → dialogue → write tracker), on a
  connection of its own pool: turns of one chat run one at a time whichever instance serves them.

Several processes on one SQLite file (`web.workers` > 1) order a chat's turns with `ChatFileLocks` instead:
POSIX record locks (`fcntl.lockf`) on one byte of a lock file beside the database, the byte chosen by the chat's
hash. The system releases them when a process dies; two chats on the same byte only wait for each other.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

TURN_LOCK_WAIT_MS = 30_000
"""How long a turn waits for the turn of the same chat on another instance (a turn lasts at most the directory's
timeouts); past it the turn fails as when the database is unavailable."""
TURN_LOCK_IDLE_MS = 600_000
"""A turn lock's transaction left open this long (a thread stuck for good) is ended by the server, lock included."""
TURN_LOCK_POOL = (32, 72)
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


class TurnLocks(Protocol):
    """What orders a chat's turns across the processes sharing the database."""

    def holding(self, sender_id: str) -> AbstractContextManager[None]: ...

    def dispose(self) -> None: ...


class ConversationLocks:
    """One turn of a chat at a time across instances: a transaction on a pooled connection of its own holds the
    chat's advisory lock while the turn runs. The pool is apart from the stores' so that a turn holding a lock
    connection and asking for another can never wait on turns that do the same."""

    def __init__(self, engine: Engine | None) -> None:
        self._engine = engine

    @classmethod
    def for_database(cls, database: Engine, processes: int = 1) -> TurnLocks:
        """Locks for the instances sharing `database`: on SQLite none for one process, a lock file's records for
        several (`processes`, the web workers of one machine)."""
        if database.dialect.name != "postgresql":
            path = database.url.database
            if processes > 1 and database.dialect.name == "sqlite" and path and path != ":memory:":
                return ChatFileLocks(Path(path + ".turns.lock"))
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


def poll_until(attempt: Callable[[], bool], deadline: float, waits: tuple[float, float]) -> bool:
    """Try `attempt` until it succeeds or the monotonic `deadline` passes, waiting between two tries from the first of
    `waits` up to the second, doubling (a lock another process holds, which no call can wait on with a timeout)."""
    wait, longest = waits
    while not attempt():
        if time.monotonic() > deadline:
            return False
        time.sleep(wait)
        wait = min(wait * 2, longest)
    return True


FILE_LOCK_SLOTS = 1 << 20
"""Bytes of the lock file a chat's hash chooses among: two chats of the million-odd share one by chance."""
FILE_LOCK_POLL_SECONDS = (0.0005, 0.01)
"""First and longest wait between two tries of a byte held by another process."""


class ChatFileLocks:
    """One turn of a chat at a time across the processes sharing one SQLite file.

    A record lock belongs to the process, not the thread: the turns of this process that hold the same byte (two
    chats sharing it; the chat's own turns are ordered before, by `ChatLocks`) count their holds, and the byte is
    unlocked when the last one ends. A byte another process holds is tried again, waiting a little longer each time,
    for `TURN_LOCK_WAIT_MS` at the most; then the turn fails as when the database is unavailable."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._held: dict[int, int] = {}
        self._guard = threading.Lock()

    @contextmanager
    def holding(self, sender_id: str) -> Iterator[None]:
        slot = lock_key(f"conversation:{sender_id}") % FILE_LOCK_SLOTS
        self._take(slot)
        try:
            yield
        finally:
            self._release(slot)

    def _take(self, slot: int) -> None:
        if not poll_until(
            lambda: self._try_take(slot), time.monotonic() + TURN_LOCK_WAIT_MS / 1000, FILE_LOCK_POLL_SECONDS
        ):
            raise TurnLockTimeout(f"a turn of the same chat held its lock for {TURN_LOCK_WAIT_MS} ms")

    def _try_take(self, slot: int) -> bool:
        with self._guard:
            if self._held.get(slot):
                self._held[slot] += 1
                return True
            try:
                fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, slot)
            except OSError:
                return False
            self._held[slot] = 1
            return True

    def _release(self, slot: int) -> None:
        with self._guard:
            self._held[slot] -= 1
            if not self._held[slot]:
                del self._held[slot]
                fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, slot)

    def dispose(self) -> None:
        os.close(self._fd)


class TurnLockTimeout(OperationalError):
    """The chat's turn lock could not be taken in time (caught with the database's own unavailability errors)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, None, Exception(message))
