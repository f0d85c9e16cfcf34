"""The scheduler's jobs: personal data purged after its retention period, mail retried."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.mail.capture import CaptureMailer
from bot.messages import InboundMessage, OutboundMessage
from bot.scheduler import purge, remind, remind_validation_links, start_scheduler
from bot.scheduler_lease import LeasedScheduler
from bot.services import Services
from bot.services.assistant import Assistant
from bot.storage.job_runs import JobRuns
from bot.storage.lease import Lease
from tests.conftest import SettableClock
from tests.support.expect import first_group


def test_transcripts_codes_and_closed_tickets_are_purged_after_their_retention(
    assistant: Assistant, services: Services, clock: SettableClock
) -> None:
    assistant.handle(InboundMessage("web:old", "je veux parler a un conseiller"))
    ticket = services.tickets.open_for("web:old")
    assert ticket is not None
    services.tickets.close(ticket.id, clock())
    assistant.handle(InboundMessage("web:old", "/link_account"))
    assistant.handle(InboundMessage("web:old", "lucas.martin"))
    assert services.conversations.transcript("web:old")
    services.links.link("web:old", "lucas.martin", clock())
    services.links.unlink("web:old", clock())
    request = services.reset_requests.create("lucas.martin", "0750001A", "web:old", clock())
    services.reset_requests.decide(request.id, False, "telegram:6001", clock())
    services.relay.keep("web:old", [OutboundMessage("Conseiller : bonjour")])
    old_button = services.button_payloads.keep('/confirm_reset{"login": "lucas.martin"}')

    clock.advance(days=30)
    assistant.handle(InboundMessage("web:recent", "bonjour"))
    counts = purge(services)
    assert counts["codes"] == 1  # expired after 10 minutes
    assert counts["conversations"] == 0 and services.conversations.transcript("web:old")

    clock.advance(days=61)  # 91 days: past the 90-day transcript retention, not the ticket's 365
    counts = purge(services)
    assert counts["conversations"] == 1 and counts["mails"] == 1
    assert counts["revoked_links"] == 1 and counts["reset_requests"] == 1 and counts["inbox"] == 1
    assert counts["button_payloads"] == 1 and services.button_payloads.get(old_button) is None
    assert services.conversations.transcript("web:old") == []
    assert services.conversations.transcript("web:recent")  # 61 days old: kept
    assert services.tickets.get(ticket.id) is not None

    clock.advance(days=300)
    assert purge(services)["tickets"] == 1
    assert services.tickets.get(ticket.id) is None


async def test_jobs_live_in_the_persistent_store(services: Services) -> None:
    scheduler = start_scheduler(services, paused=True)
    try:
        assert {job.id for job in scheduler.get_jobs()} == {
            "deliver_mail",
            "remind_waiting_tickets",
            "remind_validation_links",
            "purge_personal_data",
            "announce_freezes",
            "send_digests",
            "remind_unactivated",
        }
    finally:
        scheduler.shutdown(wait=False)
    again = start_scheduler(services, paused=True)
    try:
        assert len(again.get_jobs()) == 7  # same ids replaced, not duplicated
    finally:
        again.shutdown(wait=False)


def test_a_ticket_nobody_took_is_reminded_once(assistant: Assistant, services: Services, clock: SettableClock) -> None:
    reminded: list[int] = []
    services.reminder_listeners.append(lambda ticket: reminded.append(ticket.id))
    assistant.handle(InboundMessage("web:waiting", "je veux parler a un conseiller"))
    assistant.handle(InboundMessage("web:taken", "un conseiller svp"))
    taken = services.tickets.open_for("web:taken")
    assert taken is not None
    services.tickets.take(taken.id, "telegram:7001", clock())
    clock.advance(minutes=59)
    assert remind(services) == []
    clock.advance(minutes=2)
    waiting = services.tickets.open_for("web:waiting")
    assert waiting is not None and remind(services) == [waiting.id] and reminded == [waiting.id]
    assert "toujours en attente" in services.relay.take("web:waiting")[0].text
    clock.advance(minutes=30)
    assert remind(services) == []  # once


def test_an_unopened_validation_link_is_reminded_once_before_it_expires(
    services: Services,
    clock: SettableClock,
    mailer: CaptureMailer,
) -> None:
    from bot.core.authz import Actor
    from bot.services.operations import Operations

    assert Operations(services).resend_validation_link(Actor("web:x"), "web", "lucas.martin").done
    clock.advance(hours=35)
    assert remind_validation_links(services) == []  # 13 hours left: not yet
    clock.advance(hours=2)
    assert remind_validation_links(services) == ["lucas.martin"]
    reminder = mailer.sent[-1]
    assert reminder.recipient == "lucas.martin@example.org" and "expire le" in reminder.body
    clock.advance(hours=1)
    assert remind_validation_links(services) == []  # once


def test_an_opened_validation_link_is_not_reminded(
    services: Services, clock: SettableClock, mailer: CaptureMailer
) -> None:

    from bot.core.authz import Actor
    from bot.services.operations import Operations

    Operations(services).resend_validation_link(Actor("web:x"), "web", "lucas.martin")
    token = first_group(r"jeton=(\S+)", mailer.sent[-1].body)
    assert services.activation.validate_backup_address(token, clock()) == "lucas.martin"
    clock.advance(hours=40)
    assert remind_validation_links(services) == []


def test_a_reminder_cut_short_before_it_was_recorded_is_sent_once_by_the_next_run(
    assistant: Assistant, services: Services, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    assistant.handle(InboundMessage("web:waiting", "je veux parler a un conseiller"))
    clock.advance(minutes=61)
    append = services.audit.append

    def dies_recording(**row: Any) -> int:
        if row["operation"] == "ticket_reminder":
            raise RuntimeError("the instance died here")
        return append(**row)

    monkeypatch.setattr(services.audit, "append", dies_recording)
    with pytest.raises(RuntimeError):
        remind(services)
    assert services.relay.take("web:waiting") == []  # what was not recorded was not sent either
    monkeypatch.setattr(services.audit, "append", append)
    ticket = services.tickets.open_for("web:waiting")
    assert ticket is not None and remind(services) == [ticket.id]
    assert remind(services) == []
    assert ["toujours en attente" in m.text for m in services.relay.take("web:waiting")] == [True]


def test_a_validation_reminder_cut_short_before_it_was_recorded_is_mailed_once_by_the_next_run(
    services: Services, clock: SettableClock, mailer: CaptureMailer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core.authz import Actor
    from bot.services.operations import Operations

    Operations(services).resend_validation_link(Actor("web:x"), "web", "lucas.martin")
    clock.advance(hours=37)
    append = services.audit.append

    def dies_recording(**row: Any) -> int:
        if row["operation"] == "validation_reminder":
            raise RuntimeError("the instance died here")
        return append(**row)

    monkeypatch.setattr(services.audit, "append", dies_recording)
    with pytest.raises(RuntimeError):
        remind_validation_links(services)
    monkeypatch.setattr(services.audit, "append", append)
    services.outbox.deliver_due()  # the next mail round: it finds nothing of the reminder that was cut short
    assert remind_validation_links(services) == ["lucas.martin"]
    assert remind_validation_links(services) == []
    assert [m.subject for m in mailer.sent].count(mailer.sent[-1].subject) == 1


async def test_a_job_that_fell_due_keeps_its_time_when_the_jobs_are_started_again(
    services: Services, clock: SettableClock
) -> None:
    first = start_scheduler(services, paused=True)
    first.modify_job("remind_waiting_tickets", next_run_time=clock())
    first.shutdown(wait=False)
    again = start_scheduler(services, paused=True)  # the instance that takes the jobs over
    try:
        job = again.get_job("remind_waiting_tickets")
        assert job is not None and job.next_run_time == clock()
        assert job.misfire_grace_time is None  # run however late it is, once (coalesced)
    finally:
        again.shutdown(wait=False)


async def until(condition: Callable[[], Awaitable[bool]], tries: int = 600) -> bool:
    """Whether `condition` comes true within `tries` polls (a bounded wait, not a timing)."""
    for _ in range(tries):
        if await condition():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_one_instance_runs_the_jobs_and_the_next_takes_them_once_its_lease_has_expired(
    services: Services,
) -> None:
    dying = LeasedScheduler(services, lease_seconds=2.0, owner="first")  # the shortest a configuration allows
    other = LeasedScheduler(services, lease_seconds=60.0, owner="second")
    try:
        assert await dying.step() is True  # and from now on renewed by nobody: its owner is dead
        assert await until(other.step) and Lease(services.sessions).holder() == "second"
        assert await dying.step() is False and dying.scheduler is None  # back to life: it no longer runs them
        assert await other.step() is True  # renewed
    finally:
        await dying.close()
        await other.close()


async def test_an_instance_that_stops_lets_the_jobs_go_at_once(services: Services) -> None:
    first = LeasedScheduler(services, lease_seconds=60.0, owner="first")
    second = LeasedScheduler(services, lease_seconds=60.0, owner="second")
    try:
        assert await first.step() is True
        assert await second.step() is False and second.scheduler is None
        await first.close()
        assert await second.step() is True and Lease(services.sessions).holder() == "second"
    finally:
        await first.close()
        await second.close()


async def test_the_instance_that_takes_the_jobs_over_runs_at_once_the_job_its_owner_died_in(
    services: Services, clock: SettableClock
) -> None:
    JobRuns(services.sessions).started("remind_waiting_tickets", clock())  # and never finished: killed
    taker = LeasedScheduler(services, lease_seconds=60.0, owner="taker")
    try:
        assert await taker.step() is True
        assert taker.scheduler is not None
        job = taker.scheduler.get_job("remind_waiting_tickets")
        assert job is not None and job.next_run_time == clock()
        other = taker.scheduler.get_job("remind_validation_links")
        assert other is not None and other.next_run_time != clock()
    finally:
        await taker.close()


def test_the_notices_jobs_run_on_the_installed_services_and_their_records_are_purged(
    assistant: Assistant, services: Services, clock: SettableClock
) -> None:
    from bot.scheduler import announce_freezes_job, remind_unactivated_job, send_digests_job

    services.links.link("telegram:5001", "lucas.martin", clock())
    services.notices.subscribe("telegram:5001", clock())
    services.notices.watch("telegram:5001", "marie.dupont", clock())
    for job in (announce_freezes_job, send_digests_job, remind_unactivated_job):
        job()  # November: nothing is due, and each run is recorded as finished
    assert JobRuns(services.sessions).interrupted() == []
    services.links.unlink("telegram:5001", clock())
    counts = purge(services)
    assert counts["notice_subscriptions"] == 1  # its chat unlinked
    assert counts["activation_watches"] == 0  # told today: kept for its reminder
    clock.advance(days=91)
    assert purge(services)["activation_watches"] == 1
