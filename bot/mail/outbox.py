"""A mail outbox that never loses a mail: stored first, sent outside the turn when the server is remote.

`submit` writes the mail to SQL, then:

- for an instantaneous mailer (the capture mailer of the demo, replay and tests) it sends it at once,
  inline, as before;
- for any other (SMTP) it wakes a background sender thread and returns: the turn only stores the mail,
  so it takes the same time whether the account exists or not, and a hung mail server holds no turn.

On `MailError` the mail stays `pending` with a next attempt time from `retry_minutes` (the last delay
repeats). The scheduler's mail job calls `wake`, which has the due mails retried (by the sender thread
when there is one). Once sent or expired, the body (which may hold a code or a link) is cleared; a mail
with `expires_at` (a code, a link) is never sent after that time.

Every attempt first claims its mail with one conditional UPDATE (it pushes `next_attempt_at` forward by
`CLAIM_MINUTES`), so the sender thread, the scheduler and other instances sharing the database never
send a mail twice; a claim left by a process that died mid-send lapses and the mail is tried again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.mail.port import Mail, Mailer, MailError
from bot.storage.batches import delete_in_batches
from bot.storage.db import affected_rows
from bot.storage.models import OutboundMail

log = logging.getLogger(__name__)

CLAIM_MINUTES = 10  # longer than any SMTP exchange can last with its timeouts
STOP_WAIT_SECONDS = 5.0

Attempt = Literal["sent", "failed", "skipped"]


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
        self.inline = bool(getattr(mailer, "instantaneous", True))
        self._last_attempt_failed = False
        self._wakeup = threading.Event()
        self._closed = threading.Event()
        self._sender: threading.Thread | None = None
        self._guard = threading.Lock()

    def submit(self, mail: Mail, expires_at: dt.datetime | None = None) -> bool:
        """Store `mail` and have it sent; False when it is known to wait for a retry.

        Inline (instantaneous mailer): True when sent now. In the background: True unless the mail
        server failed its last attempt, so that the owner can be told the mail will leave later.
        """
        with self.sessions.begin() as session:
            mail_id = self.store(mail, session, expires_at)
        return self.dispatch(mail_id)

    def store(self, mail: Mail, session: Session, expires_at: dt.datetime | None = None) -> int:
        """Store `mail` in `session`'s transaction, its id; `dispatch` has it sent once that transaction is committed.

        A scheduled job stores its mail in the transaction that records it was sent: a job cut short either did
        both or neither, and its next run sends only what was not."""
        now = self.clock()
        row = OutboundMail(
            recipient=mail.recipient,
            subject=mail.subject,
            body=mail.body,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            expires_at=expires_at,
        )
        session.add(row)
        session.flush()
        return row.id

    def dispatch(self, mail_id: int) -> bool:
        """Have a stored mail sent, as `submit` says."""
        if self.inline:
            return self._attempt(mail_id) == "sent"
        self._wake_sender()
        return not self._last_attempt_failed

    def wake(self) -> None:
        """Have the due mails sent: now for an instantaneous mailer, else by the background sender."""
        if self.inline:
            self.deliver_due()
        else:
            self._wake_sender()

    def close(self) -> None:
        """Stop the background sender (pending mails stay stored for the next start)."""
        self._closed.set()
        self._wakeup.set()
        with self._guard:
            sender, self._sender = self._sender, None
        if sender is not None:
            sender.join(timeout=STOP_WAIT_SECONDS)
            if sender.is_alive():
                log.warning("the mail sender is still waiting on the mail server; it stops with the process")

    # -- sending ----------------------------------------------------------------------------------
    def _wake_sender(self) -> None:
        with self._guard:
            if self._closed.is_set():
                return  # shutting down: the mail is stored and will be sent by the next start
            if self._sender is None or not self._sender.is_alive():
                self._sender = threading.Thread(target=self._send_forever, name="clef-mail-sender", daemon=True)
                self._sender.start()
        self._wakeup.set()

    def _send_forever(self) -> None:
        while True:
            self._wakeup.wait()
            if self._closed.is_set():
                return
            self._wakeup.clear()
            try:
                self.deliver_due()
            except Exception:
                log.exception("mail sender: delivery round failed")

    def _claim(self, mail_id: int, now: dt.datetime) -> Mail | None:
        """The mail, if this caller may send it now (claimed for `CLAIM_MINUTES`); marks it expired if it is."""
        with self.sessions.begin() as session:
            claimed = affected_rows(
                session.execute(
                    update(OutboundMail)
                    .where(OutboundMail.id == mail_id, OutboundMail.status == "pending")
                    .where(OutboundMail.next_attempt_at <= now)
                    .values(next_attempt_at=now + dt.timedelta(minutes=CLAIM_MINUTES))
                )
            )
            if claimed != 1:
                return None  # sent, expired, not due, or being sent by someone else
            row = session.get(OutboundMail, mail_id)
            assert row is not None
            if row.expires_at is not None and now >= row.expires_at:
                row.status = "expired"
                row.body = ""
                log.warning("mail %s expired before it could be sent", mail_id)
                return None
            return Mail(row.recipient, row.subject, row.body)

    def _attempt(self, mail_id: int) -> Attempt:
        """Try to send one mail. No transaction is open while the mail server is talked to."""
        now = self.clock()
        mail = self._claim(mail_id, now)
        if mail is None:
            return "skipped"
        try:
            self.mailer.send(mail)
        except MailError as exc:
            self._last_attempt_failed = True
            with self.sessions.begin() as session:
                row = session.get(OutboundMail, mail_id)
                assert row is not None
                delay = self.retry_minutes[min(row.attempts, len(self.retry_minutes) - 1)]
                row.attempts += 1
                row.last_error = str(exc)[:500]
                row.next_attempt_at = now + dt.timedelta(minutes=delay)
                log.warning("mail %s not sent (attempt %s), retry in %s min: %s", mail_id, row.attempts, delay, exc)
            return "failed"
        self._last_attempt_failed = False
        with self.sessions.begin() as session:
            row = session.get(OutboundMail, mail_id)
            assert row is not None
            row.attempts += 1
            row.status = "sent"
            row.sent_at = now
            row.body = ""
            row.last_error = None
        return "sent"

    def deliver_due(self) -> int:
        """Try every pending mail whose time has come, oldest first; the number sent.

        A round stops at the first failure: the server is down, the others wait for their next turn
        instead of each waiting out the server's timeout now.
        """
        now = self.clock()
        with self.sessions() as session:
            due = session.scalars(
                select(OutboundMail.id)
                .where(OutboundMail.status == "pending", OutboundMail.next_attempt_at <= now)
                .order_by(OutboundMail.id)
            ).all()
        sent = 0
        for mail_id in due:
            if self._closed.is_set() and not self.inline:
                break
            outcome = self._attempt(mail_id)
            if outcome == "failed":
                break
            sent += outcome == "sent"
        if sent:
            log.info("mail: %d sent", sent)
        return sent

    def pending(self) -> int:
        with self.sessions() as session:
            return len(session.scalars(select(OutboundMail.id).where(OutboundMail.status == "pending")).all())

    def purge_sent(self, older_than: dt.datetime) -> int:
        """Forget sent and expired mails (recipient and subject) older than `older_than`."""
        done = OutboundMail.status.in_(("sent", "expired")) & (OutboundMail.created_at < older_than)
        return delete_in_batches(self.sessions, OutboundMail, done)
