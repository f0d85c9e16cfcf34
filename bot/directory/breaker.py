"""A circuit breaker around any `Directory`: a directory that keeps failing is not waited on by every turn.

Closed (normal): calls go through; `failures` consecutive `DirectoryError`s (timeouts, refusals, the
server unreachable) open the circuit. Open: for `open_seconds` every call fails at once with
`DirectoryError`, without touching the server. Half-open: then one call is let through as a trial
(the others still fail fast while it runs); its success closes the circuit, its failure opens it again.

`UnknownAccount` is an answer, not a failure, and resets the count like any answer. Other exceptions
(defects) pass through without changing the state. The clock is the services' clock (tests set it).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from bot.core.accounts import Account, Establishment
from bot.directory.fixture import DirectoryFixture
from bot.directory.port import Directory, DirectoryError, UnknownAccount

log = logging.getLogger(__name__)

T = TypeVar("T")


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class DirectoryUnavailable(DirectoryError):
    """Raised without calling the directory: it failed too often just now (the circuit is open)."""


class BreakingDirectory:
    """`Directory` that wraps another and stops calling it while it keeps failing."""

    def __init__(self, inner: Directory, failures: int, open_seconds: float, clock: Callable[[], dt.datetime]) -> None:
        if failures < 1 or open_seconds <= 0:
            raise ValueError("failures must be at least 1 and open_seconds positive")
        self.inner = inner
        self.failures = failures
        self.open_for = dt.timedelta(seconds=open_seconds)
        self.clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._consecutive = 0
        self._open_until: dt.datetime | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        """The state as the next call would see it (an open circuit whose time is up reads half-open)."""
        with self._lock:
            if self._state is BreakerState.OPEN and self._open_until is not None and self.clock() >= self._open_until:
                return BreakerState.HALF_OPEN
            return self._state

    # -- the state machine ----------------------------------------------------------------------
    def _admit(self, operation: str) -> bool:
        """Whether this call may reach the directory; True when it is the half-open trial."""
        with self._lock:
            if self._state is BreakerState.OPEN:
                assert self._open_until is not None
                if self.clock() < self._open_until:
                    raise DirectoryUnavailable(
                        f"directory {operation}: not tried, it failed {self._consecutive} times in a row "
                        f"(next try after {self._open_until.isoformat(timespec='seconds')})"
                    )
                self._state = BreakerState.HALF_OPEN
            if self._state is BreakerState.HALF_OPEN:
                if self._trial_running:
                    raise DirectoryUnavailable(f"directory {operation}: not tried, a trial call is under way")
                self._trial_running = True
                return True
            return False

    def _succeeded(self) -> None:
        with self._lock:
            if self._state is not BreakerState.CLOSED:
                log.info("directory answers again: circuit closed")
            self._state = BreakerState.CLOSED
            self._consecutive = 0
            self._trial_running = False

    def _failed(self, trial: bool, error: DirectoryError) -> None:
        with self._lock:
            self._consecutive += 1
            if trial:
                self._trial_running = False
            if trial or (self._state is BreakerState.CLOSED and self._consecutive >= self.failures):
                self._state = BreakerState.OPEN
                self._open_until = self.clock() + self.open_for
                log.warning(
                    "directory failed %d times in a row (%s): calls fail fast for %d s",
                    self._consecutive,
                    error,
                    self.open_for.total_seconds(),
                )

    def _released(self, trial: bool) -> None:
        """A defect, not a directory failure: the trial slot is freed, the state unchanged."""
        if trial:
            with self._lock:
                self._trial_running = False

    def _call(self, operation: str, call: Callable[[], T]) -> T:
        trial = self._admit(operation)
        try:
            result = call()
        except UnknownAccount:
            self._succeeded()
            raise
        except DirectoryError as error:
            self._failed(trial, error)
            raise
        except BaseException:
            self._released(trial)
            raise
        self._succeeded()
        return result

    # -- Directory ------------------------------------------------------------------------------
    def find_account(self, login: str) -> Account | None:
        return self._call("find_account", lambda: self.inner.find_account(login))

    def find_establishment(self, uai: str) -> Establishment | None:
        return self._call("find_establishment", lambda: self.inner.find_establishment(uai))

    def find_establishments(self, query: str, limit: int = 5) -> list[Establishment]:
        return self._call("find_establishments", lambda: self.inner.find_establishments(query, limit))

    def accounts_of_school(self, uai: str) -> list[Account]:
        return self._call("accounts_of_school", lambda: self.inner.accounts_of_school(uai))

    def set_provisional_password(self, login: str, password: str, now: dt.datetime) -> None:
        self._call("set_provisional_password", lambda: self.inner.set_provisional_password(login, password, now))

    def unlock(self, login: str) -> None:
        self._call("unlock", lambda: self.inner.unlock(login))

    def load_fixture(self, fixture: DirectoryFixture) -> None:
        self._call("load_fixture", lambda: self.inner.load_fixture(fixture))
