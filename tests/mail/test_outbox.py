"""A mail that cannot be sent is kept and retried, never lost; the user is told it is on its way."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from bot.mail.outbox import MailOutbox
from bot.mail.port import Mail, MailError
from bot.services import Services
from bot.services import current as installed_services
from bot.storage.db import make_engine, session_factory
from tests.conftest import SettableClock


class FlakyMailer:
    instantaneous = True  # as the file mailer: the outbox tries it within the turn

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
    assert second.pending() == 1  # the queue lives in the database, not in the first outbox's memory
    clock.advance(minutes=2)
    assert second.deliver_due() == 1 and mailer.sent[0].recipient == "a@example.org"
    assert second.pending() == 0 and second.deliver_due() == 0  # delivered once


def test_a_code_mail_is_never_sent_after_its_code_expired(database_url: str, clock: SettableClock) -> None:
    outbox, mailer = make_outbox(database_url, clock)
    outbox.submit(Mail("a@example.org", "Code", "123456"), expires_at=clock.now + dt.timedelta(minutes=10))
    mailer.down = False
    clock.advance(minutes=11)
    assert outbox.deliver_due() == 0 and mailer.sent == [] and outbox.pending() == 0


class RemoteMailer:
    """A mailer that talks to a server, as SMTP does: the outbox must call it outside the caller's thread."""

    instantaneous = False

    def __init__(self) -> None:
        self.down = False
        self.sent: list[Mail] = []
        self.threads: list[str] = []
        self.release = threading.Event()
        self.release.set()

    def send(self, mail: Mail) -> None:
        self.threads.append(threading.current_thread().name)
        self.release.wait(timeout=30)
        if self.down:
            raise MailError("SMTP 127.0.0.1:25: timed out")
        self.sent.append(mail)


def eventually(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.01)


@pytest.fixture
def remote(database_url: str, clock: SettableClock) -> Iterator[tuple[MailOutbox, RemoteMailer]]:
    mailer = RemoteMailer()
    outbox = MailOutbox(session_factory(make_engine(database_url)), mailer, [1, 5], clock)
    yield outbox, mailer
    mailer.release.set()
    outbox.close()


def test_a_remote_mailer_is_never_called_by_the_one_who_submits(remote: tuple[MailOutbox, RemoteMailer]) -> None:
    outbox, mailer = remote
    mailer.release.clear()  # the server hangs
    assert outbox.submit(Mail("a@example.org", "Sujet", "Corps")) is True
    eventually(lambda: len(mailer.threads) == 1, "the sender tried the mail")
    assert mailer.threads != [threading.current_thread().name] and mailer.sent == []
    assert outbox.pending() == 1
    mailer.release.set()
    eventually(lambda: outbox.pending() == 0, "the mail left once the server answered")
    assert [m.body for m in mailer.sent] == ["Corps"]


def test_the_owner_is_told_a_mail_waits_when_the_server_failed_its_last_attempt(
    remote: tuple[MailOutbox, RemoteMailer], clock: SettableClock
) -> None:
    outbox, mailer = remote
    mailer.down = True
    assert outbox.submit(Mail("a@example.org", "Sujet", "1")) is True  # nothing known against the server yet
    eventually(lambda: len(mailer.threads) == 1, "the sender tried the mail")
    eventually(lambda: outbox.submit(Mail("a@example.org", "Sujet", "2")) is False, "the failure is known")
    mailer.down = False
    clock.advance(minutes=1)
    outbox.wake()  # the scheduler's mail job
    eventually(lambda: outbox.pending() == 0, "both mails left on the retry")
    assert sorted(m.body for m in mailer.sent) == ["1", "2"]
    assert outbox.submit(Mail("a@example.org", "Sujet", "3")) is True


def test_an_expired_code_is_not_sent_by_the_background_sender_either(
    remote: tuple[MailOutbox, RemoteMailer], clock: SettableClock
) -> None:
    outbox, mailer = remote
    mailer.down = True
    outbox.submit(Mail("a@example.org", "Code", "123456"), expires_at=clock.now + dt.timedelta(minutes=10))
    eventually(lambda: len(mailer.threads) == 1, "the sender tried the mail")
    mailer.down = False
    clock.advance(minutes=11)
    outbox.wake()
    eventually(lambda: outbox.pending() == 0, "the mail is no longer pending")
    assert mailer.sent == [] and len(mailer.threads) == 1


def test_two_senders_on_one_database_never_send_a_mail_twice(database_url: str, clock: SettableClock) -> None:
    sessions = session_factory(make_engine(database_url))
    other = MailOutbox(sessions, FlakyMailer(), [1], clock)

    class SlowMailer(FlakyMailer):
        def send(self, mail: Mail) -> None:
            other.deliver_due()  # another instance's round runs while this mail is being sent
            super().send(mail)

    first_mailer, other_mailer = SlowMailer(), other.mailer
    assert isinstance(other_mailer, FlakyMailer)
    first = MailOutbox(sessions, first_mailer, [1], clock)
    first_mailer.down = other_mailer.down = False
    assert first.submit(Mail("a@example.org", "Sujet", "Corps")) is True
    assert len(first_mailer.sent) == 1 and other_mailer.sent == []


def test_a_round_stops_at_the_first_failure_instead_of_waiting_on_each_mail(
    database_url: str, clock: SettableClock
) -> None:
    attempts: list[str] = []

    class CountingMailer(FlakyMailer):
        def send(self, mail: Mail) -> None:
            attempts.append(mail.body)
            super().send(mail)

    outbox = MailOutbox(session_factory(make_engine(database_url)), CountingMailer(), [1], clock)
    for body in ("1", "2", "3"):
        outbox.submit(Mail("a@example.org", "Sujet", body))
    attempts.clear()
    clock.advance(minutes=1)
    assert outbox.deliver_due() == 0
    assert attempts == ["1"] and outbox.pending() == 3


def test_the_scheduler_mail_job_leaves_the_sending_to_the_sender_thread(
    remote: tuple[MailOutbox, RemoteMailer], services: Services, clock: SettableClock
) -> None:
    from bot.scheduler import deliver_mail

    outbox, mailer = remote
    mailer.down = True
    outbox.submit(Mail("a@example.org", "Sujet", "Corps"))
    eventually(lambda: len(mailer.threads) == 1, "the first attempt")
    mailer.down = False
    mailer.release.clear()  # the server now hangs
    services.outbox = outbox
    installed_services.install(services)
    clock.advance(minutes=1)
    deliver_mail()
    eventually(lambda: len(mailer.threads) == 2, "the retry")
    assert threading.current_thread().name not in mailer.threads
    mailer.release.set()
    eventually(lambda: outbox.pending() == 0, "the retry went out")
