"""What the operations tests share: the audit rows an auditor reads, a mail server that can be down, an audit log
that cannot write."""

from __future__ import annotations

from typing import Any

from bot.mail.port import Mail, MailError
from bot.services import Services
from bot.storage.audit import AuditLog

Row = tuple[str, str | None, str, str | None, str, str | None]
"""An audit row as an auditor reads it: who (chat, linked login), on which channel, the target, outcome, detail."""


def audit_rows(services: Services, operation: str) -> list[Row]:
    """The audit rows of `operation`, oldest first."""
    return [
        (e.actor, e.actor_login, e.channel, e.target, e.outcome, e.detail)
        for e in reversed(services.audit.recent())
        if e.operation == operation
    ]


class FlakyMailer:
    """A mail server that refuses mails while `down`, and keeps those it accepts."""

    instantaneous = True

    def __init__(self, down: bool = True) -> None:
        self.down = down
        self.sent: list[Mail] = []

    def send(self, mail: Mail) -> None:
        if self.down:
            raise MailError("SMTP 127.0.0.1:25: connection refused")
        self.sent.append(mail)


class AuditFailingOn:
    """The audit log, but for rows of `outcome`, which cannot be written."""

    def __init__(self, inner: AuditLog, outcome: str) -> None:
        self.inner = inner
        self.outcome = outcome

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def append(self, **row: Any) -> None:
        if row["outcome"] == self.outcome:
            raise RuntimeError("disk full")
        self.inner.append(**row)
