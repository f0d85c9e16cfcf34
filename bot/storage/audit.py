"""The append-only audit log: every operation, refused or done, with who, what, on whom, when, where.

Never purged, so nothing free-form goes in: the target is a well-formed identifier, a ticket or request
reference, or a marker; the detail passes through `core.redaction.redact`.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.redaction import redact, safe_target
from bot.storage.models import AuditEvent
from bot.storage.store import IdentifyingStore


class Outcome(enum.StrEnum):
    """What came of an attempt: an audit row's outcome, and an operation's result status."""

    DONE = "done"
    REFUSED = "refused"
    RATE_LIMITED = "rate_limited"
    UNKNOWN_TARGET = "unknown_target"
    FAILED = "failed"
    STARTED = "started"  # audited before a change to the directory; its outcome follows as another row
    CODE_SENT = "code_sent"  # a result only, never audited: the chat now waits for a code (real or decoy)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    actor_login: str | None
    channel: str
    operation: str
    target: str | None
    outcome: str
    detail: str | None


class AuditLog(IdentifyingStore):
    """Only `append` writes; nothing here updates or deletes a row."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._recordings = threading.local()  # each thread's lists that `recording` gives out

    @contextmanager
    def recording(self) -> Iterator[list[AuditEntry]]:
        """The entries this thread appends until the block ends (a turn's own operations), as they were stored,
        without reading the log back."""
        entries: list[AuditEntry] = []
        active: list[list[AuditEntry]] = self._recordings.__dict__.setdefault("active", [])
        active.append(entries)
        try:
            yield entries
        finally:
            active.remove(entries)

    def append(
        self,
        at: dt.datetime,
        actor: str,
        actor_login: str | None,
        channel: str,
        operation: str,
        target: str | None,
        outcome: Outcome | str,
        detail: str | None = None,
        session: Session | None = None,
    ) -> int:
        """Append one row; in `session`'s transaction when given (a job records what it sends with the sending)."""
        with nullcontext(session) if session is not None else self._sessions.begin() as writing:
            row = AuditEvent(
                at=at,
                actor=actor,
                actor_login=actor_login,
                channel=channel,
                operation=operation,
                target=safe_target(target, self._is_identifier),
                outcome=Outcome(outcome).value,
                detail=redact(detail) if detail is not None else None,
            )
            writing.add(row)
            writing.flush()
            entry = _entry(row)
        for entries in getattr(self._recordings, "active", ()):
            entries.append(entry)
        return entry.id

    def last_id(self) -> int:
        with self._sessions() as session:
            return session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0

    def since(self, after_id: int, actor: str | None = None) -> list[AuditEntry]:
        with self._sessions() as session:
            query = select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id)
            if actor is not None:
                query = query.where(AuditEvent.actor == actor)
            return [_entry(row) for row in session.scalars(query)]

    def recent(self, limit: int = 100) -> list[AuditEntry]:
        with self._sessions() as session:
            rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit))
            return [_entry(row) for row in rows]

    def last_done(self, operation: str, target: str, session: Session | None = None) -> dt.datetime | None:
        """When `operation` was last performed on `target` (for cooldowns); read in `session` when given."""
        with nullcontext(session) if session is not None else self._sessions() as reading:
            return reading.scalar(
                select(AuditEvent.at)
                .where(
                    AuditEvent.operation == operation,
                    AuditEvent.target == target,
                    AuditEvent.outcome == Outcome.DONE.value,
                )
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )


def _entry(row: AuditEvent) -> AuditEntry:
    return AuditEntry(**{f.name: getattr(row, f.name) for f in fields(AuditEntry)})
