"""A mail that cannot be sent is kept and retried, never lost; the user is told it is on its way."""

from __future__ import annotations

import datetime as dt

from bot.mail.outbox import MailOutbox
from bot.mail.port import Mail, MailError
from bot.storage.db import make_engine, session_factory
from tests.conftest import SettableClock


class FlakyMailer:
    def __init__(self) -> None:
        self.down = True
        self.sent: list[Mail] = []

    def send(self, mail: Mail) -> None:
        if self.down:
            raise MailError("SMTP 127.0.0.1:25: connection refused")
        self.sent.append(mail)


def make_outbox(database_url: str, clock: SettableClock) -> tuple[MailOutbox, FlakyMailer]:
    mailer = FlakyMailer()
    return MailOutbox(session_factory(make_engine(database_url)), mailer, [1, 5], clock), mailer


def test_a_mail_that_fails_is_retried_on_schedule(database_url: str, clock: SettableClock) -> None:
    outbox, mailer = make_outbox(database_url, clock)
    assert outbox.submit(Mail("a@example.org", "Sujet", "Corps")) is False
    assert outbox.pending() == 1
    assert outbox.deliver_due() == 0  # not due yet: the first retry is a minute later
    clock.advance(minutes=1)
    assert outbox.deliver_due() == 0  # still down; next retry 5 minutes later
    mailer.down = False
    clock.advance(minutes=4)
    assert outbox.deliver_due() == 0
    clock.advance(minutes=1)
    assert outbox.deliver_due() == 1
    assert [m.body for m in mailer.sent] == ["Corps"] and outbox.pending() == 0
    clock.advance(minutes=10)
    assert outbox.deliver_due() == 0  # sent once, never twice


def test_a_mail_sent_at_once_is_not_queued(database_url: str, clock: SettableClock) -> None:
    outbox, mailer = make_outbox(database_url, clock)
    mailer.down = False
    assert outbox.submit(Mail("a@example.org", "Sujet", "Corps")) is True
    assert outbox.pending() == 0 and len(mailer.sent) == 1


def test_queued_mails_survive_a_restart(database_url: str, clock: SettableClock) -> None:
    first, _ = make_outbox(database_url, clock)
    first.submit(Mail("a@example.org", "Sujet", "Corps"))
    second, mailer = make_outbox(database_url, clock)
    mailer.down = False
    clock.advance(minutes=2)
    assert second.deliver_due() == 1 and mailer.sent[0].recipient == "a@example.org"
    assert isinstance(clock.now, dt.datetime)


def test_a_code_mail_is_never_sent_after_its_code_expired(database_url: str, clock: SettableClock) -> None:
    outbox, mailer = make_outbox(database_url, clock)
    outbox.submit(Mail("a@example.org", "Code", "123456"), expires_at=clock.now + dt.timedelta(minutes=10))
    mailer.down = False
    clock.advance(minutes=11)
    assert outbox.deliver_due() == 0 and mailer.sent == [] and outbox.pending() == 0
