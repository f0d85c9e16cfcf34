"""One writing transaction at a time on a SQLite file, queued in the process and across the processes using it.

SQLite lets one transaction write at a time and makes the others wait in its busy handler, which sleeps and tries
again (1, 2, 5 … up to 100 ms between tries): under load a write waits far longer than the one before it takes,
and a turn's few writes made the web channel's slowest answers last most of a second. `WriteQueue` takes the
writer's place before SQLite does: the threads of a process queue on a lock that hands over at once, and the
processes sharing the file (`web.workers` > 1, the commands) on a POSIX record lock of a file beside it, tried
again every fraction of a millisecond. A connection takes it before its transaction's first write (where the
driver begins the transaction) and gives it back once the transaction is committed or rolled back, a connection
returned to the pool included (the pool rolls it back).

A thread that already writes on one connection and writes on a second one does not queue behind itself: it goes
to SQLite, which answers as it did before (the second write waits for the first).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

from bot.storage.locks import poll_until

log = logging.getLogger(__name__)

WRITE_WAIT_SECONDS = 30.0
"""How long a write waits for the writer's place: SQLite's own `timeout` of the engine (`bot.storage.db`)."""
POLL_SECONDS = (0.0002, 0.002)
"""First and longest wait between two tries of the file's lock held by another process."""
READS = ("SELECT", "PRAGMA", "EXPLAIN")
"""How the statements that never write begin."""


class WriteQueue:
    """The writer's place of one SQLite file (see the module's docstring)."""

    def __init__(self, database: Path) -> None:
        self._threads = threading.Lock()
        self._owner: int | None = None
        try:
            self._fd: int | None = os.open(f"{database}.write.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:  # a read-only folder: SQLite says what it can do there, as it did without the queue
            log.warning("no write queue for %s: %s", database, exc)
            self._fd = None
        self._closing = weakref.finalize(self, os.close, self._fd) if self._fd is not None else None

    @classmethod
    def of(cls, database: Path) -> WriteQueue:
        """The queue of `database`, one a process: a record lock belongs to the process, so two queues of one file
        in a process would take it both at once, and the first to give it back would free it for the other."""
        key = os.path.realpath(database)
        with _QUEUES_GUARD:
            queue = _QUEUES.get(key)
            if queue is None:
                queue = _QUEUES[key] = cls(Path(key))
            return queue

    def take(self) -> bool:
        """Wait for the writer's place; False when this thread holds it already (through another connection) or
        the queue's lock file could not be opened."""
        if self._fd is None or self._owner == threading.get_ident():
            return False
        deadline = time.monotonic() + WRITE_WAIT_SECONDS
        if not self._threads.acquire(timeout=WRITE_WAIT_SECONDS):
            raise WriterBusy()
        try:
            self._lock_file(deadline)
        except BaseException:
            self._threads.release()
            raise
        self._owner = threading.get_ident()
        return True

    def _lock_file(self, deadline: float) -> None:
        if not poll_until(self._try_lock_file, deadline, POLL_SECONDS):
            raise WriterBusy()

    def _try_lock_file(self) -> bool:
        assert self._fd is not None
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 0)
        except OSError:
            return False
        return True

    def give_back(self) -> None:
        assert self._fd is not None
        self._owner = None
        fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, 0)
        self._threads.release()

    def connection_class(self) -> type[sqlite3.Connection]:
        """The driver's connection class (its `factory`), which gives the place back after a commit, a rollback or
        a close."""
        queue = self

        class QueuedConnection(sqlite3.Connection):
            holds_writer = False

            def commit(self) -> None:
                try:
                    super().commit()
                finally:
                    self._give_back()

            def rollback(self) -> None:
                try:
                    super().rollback()
                finally:
                    self._give_back()

            def close(self) -> None:  # an invalidated connection is closed without a rollback
                try:
                    super().close()
                finally:
                    self._give_back()

            def _give_back(self) -> None:
                if self.holds_writer:
                    self.holds_writer = False
                    queue.give_back()

        return QueuedConnection

    def install(self, engine: Engine) -> None:
        """Take the place before a statement that writes on a connection not holding it."""

        def before_execute(_connection: Any, cursor: sqlite3.Cursor, statement: str, *_: Any) -> None:
            connection = cursor.connection
            if connection.holds_writer or statement.lstrip()[:7].upper().startswith(READS):  # type: ignore[attr-defined]
                return
            if not connection.in_transaction and self.take():
                connection.holds_writer = True  # type: ignore[attr-defined]

        event.listen(engine, "before_cursor_execute", before_execute)

    def close(self) -> None:
        """Close the lock file now rather than when the last engine of the file is gone."""
        if self._closing is not None:
            self._closing()
            self._fd = None


_QUEUES: weakref.WeakValueDictionary[str, WriteQueue] = weakref.WeakValueDictionary()
_QUEUES_GUARD = threading.Lock()


class WriterBusy(OperationalError):
    """Another writer held the file for `WRITE_WAIT_SECONDS`: what SQLite itself says then (a locked database)."""

    def __init__(self) -> None:
        message = "database is locked"
        super().__init__(message, None, Exception(message))
