"""A mail outbox that never loses a mail: stored first, sent at once when possible, retried otherwise.

`submit` writes the mail to SQL then tries to send it; on `MailError` the mail stays `pending` with a
next attempt time from `retry_minutes` (the last delay repeats). The scheduler calls `deliver_due`.
Once sent or expired, the body (which may hold a code or a link) is cleared.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Callable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot.mail.port import Mail, MailError, Mailer
from bot.storage.models import OutboundMail

log = logging.getLogger(__name__)


class MailOutbox:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        mailer: Mailer,
        retry_minutes: list[int],
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.sessions = sessions
        self.mailer = mailer
        self.retry_minutes = retry_minutes or [5]
        self.clock = clock

    def submit(self, mail: Mail, expires_at: dt.datetime | None = None) -> bool:
        """Store and try to send `mail`; True when sent now, False when queued for a retry.

        A mail with `expires_at` (a code, a link) is not sent after that time: it would be useless.
        """
        now = self.clock()
        with self.sessions.begin() as session:
            row = OutboundMail(
                recipient=mail.recipient, subject=mail.subject, body=mail.body, status="pending",
                attempts=0, next_attempt_at=now, created_at=now, expires_at=expires_at,
            )
            session.add(row)
            session.flush()
            mail_id = row.id
        return self._attempt(mail_id)

    def _attempt(self, mail_id: int) -> bool:
        now = self.clock()
        with self.sessions.begin() as session:
            row = session.get(OutboundMail, mail_id)
            if row is None or row.status != "pending":
                return False
            if row.expires_at is not None and now >= row.expires_at:
                row.status = "expired"
                row.body = ""
                log.warning("mail %s expired before it could be sent", mail_id)
                return False
            mail = Mail(row.recipient, row.subject, row.body)
            try:
                self.mailer.send(mail)
            except MailError as exc:
                delay = self.retry_minutes[min(row.attempts, len(self.retry_minutes) - 1)]
                row.attempts += 1
                row.last_error = str(exc)[:500]
                row.next_attempt_at = now + dt.timedelta(minutes=delay)
                log.warning("mail %s not sent (attempt %s), retry in %s min: %s", mail_id, row.attempts, delay, exc)
                return False
            row.attempts += 1
            row.status = "sent"
            row.sent_at = now
            row.body = ""
            row.last_error = None
            return True

    def deliver_due(self) -> int:
        """Retry every pending mail whose time has come; the number sent."""
        now = self.clock()
        with self.sessions() as session:
            due = session.scalars(
                select(OutboundMail.id).where(OutboundMail.status == "pending", OutboundMail.next_attempt_at <= now)
            ).all()
        return sum(self._attempt(mail_id) for mail_id in due)

    def pending(self) -> int:
        with self.sessions() as session:
            return len(session.scalars(select(OutboundMail.id).where(OutboundMail.status == "pending")).all())

    def purge_sent(self, older_than: dt.datetime) -> int:
        """Forget sent and expired mails (recipient and subject) older than `older_than`."""
        with self.sessions.begin() as session:
            result = session.execute(
                delete(OutboundMail).where(
                    OutboundMail.status.in_(("sent", "expired")), OutboundMail.created_at < older_than
                )
            )
            return int(result.rowcount or 0)
