"""The scheduler's jobs: personal data purged after its retention period, mail retried."""

from __future__ import annotations

from bot.mail.capture import CaptureMailer
from bot.messages import InboundMessage, OutboundMessage
from bot.scheduler import build_scheduler, purge, remind, remind_validation_links
from bot.services import Services
from bot.services.assistant import Assistant
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

    clock.advance(days=30)
    assistant.handle(InboundMessage("web:recent", "bonjour"))
    counts = purge(services)
    assert counts["codes"] == 1  # expired after 10 minutes
    assert counts["conversations"] == 0 and services.conversations.transcript("web:old")

    clock.advance(days=61)  # 91 days: past the 90-day transcript retention, not the ticket's 365
    counts = purge(services)
    assert counts["conversations"] == 1 and counts["mails"] == 1
    assert counts["revoked_links"] == 1 and counts["reset_requests"] == 1 and counts["inbox"] == 1
    assert services.conversations.transcript("web:old") == []
    assert services.conversations.transcript("web:recent")  # 61 days old: kept
    assert services.tickets.get(ticket.id) is not None

    clock.advance(days=300)
    assert purge(services)["tickets"] == 1
    assert services.tickets.get(ticket.id) is None


async def test_jobs_live_in_the_persistent_store(services: Services) -> None:
    scheduler = build_scheduler(services)
    scheduler.start(paused=True)
    try:
        assert {job.id for job in scheduler.get_jobs()} == {
            "deliver_mail",
            "remind_waiting_tickets",
            "remind_validation_links",
            "purge_personal_data",
        }
    finally:
        scheduler.shutdown(wait=False)
    again = build_scheduler(services)
    again.start(paused=True)
    try:
        assert len(again.get_jobs()) == 4  # same ids replaced, not duplicated
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
