"""The resend cooldown holds under concurrency (issue item 6): 20 resends at once send one mail."""

from __future__ import annotations

import threading

from bot.core.authz import Actor
from bot.mail.capture import CaptureMailer
from bot.services import Services
from bot.services.operations import Operations
from tests.conftest import SettableClock


def test_twenty_parallel_resends_send_one_mail(services: Services, mailer: CaptureMailer) -> None:
    operations = Operations(services)
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def resend(number: int) -> None:
        start.wait()
        outcomes.append(operations.resend_validation_link(Actor(f"web:racer{number}"), "web", "lucas.martin").status)

    threads = [threading.Thread(target=resend, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mailer.sent) == 1
    assert outcomes.count("done") == 1 and len(outcomes) == 20


def test_the_cooldown_runs_from_the_last_mail_not_from_a_clock_boundary(
    services: Services, clock: SettableClock, mailer: CaptureMailer
) -> None:
    operations = Operations(services)
    clock.advance(seconds=59)  # just before a minute boundary
    assert operations.resend_validation_link(Actor("web:a"), "web", "lucas.martin").done
    clock.advance(seconds=2)  # a new minute, but only 2 seconds later
    assert operations.resend_validation_link(Actor("web:b"), "web", "lucas.martin").status == "rate_limited"
    clock.advance(seconds=60)
    assert operations.resend_validation_link(Actor("web:c"), "web", "lucas.martin").done
    assert len(mailer.sent) == 2
