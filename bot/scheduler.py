"""Background jobs on APScheduler with a persistent job store (the project's database).

Jobs are referenced by name (`bot.scheduler:deliver_mail`) so the store survives restarts; with
`replace_existing` every instance registers the same ids, and the store keeps one of each.
"""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.messages import OutboundMessage
from bot.services import Services, current
from bot.services.container import SCHEDULER
from bot.storage.audit import Outcome
from bot.texts import text

log = logging.getLogger(__name__)


def deliver_mail() -> None:
    """Retry the mails that could not be sent yet, in the outbox's sender thread when the server is remote.

    Jobs run on the event loop's default threads, which the web channel also uses: a hung mail server
    must not hold one of them.
    """
    current.services().outbox.wake()


def remind_waiting_tickets() -> None:
    """The reminder job of the running assistant's services."""
    remind(current.services())


def remind(services: Services) -> list[int]:
    """Remind agents (and reassure the user) once about each ticket nobody took in time; their ids."""
    now = services.now()
    due = now - dt.timedelta(minutes=services.config.assistant.ticket_reminder_minutes)
    reminded = []
    for ticket in services.tickets.with_status(("open",)):
        target = f"ticket {ticket.id}"
        if ticket.created_at > due or services.audit.last_done("ticket_reminder", target) is not None:
            continue
        for listener in services.reminder_listeners:
            listener(ticket)
        services.relay.send(
            ticket.sender_id,
            [OutboundMessage(text("ticket_still_waiting", ticket_id=ticket.id))],
        )
        services.record(SCHEDULER, "scheduler", "ticket_reminder", target, Outcome.DONE)
        reminded.append(ticket.id)
    return reminded


def remind_validation_links_job() -> None:
    """The validation-link reminder job of the running assistant's services."""
    remind_validation_links(current.services())


def remind_validation_links(services: Services) -> list[str]:
    """Mail once, before it expires, whoever has not opened their backup-address validation link; the logins."""
    from bot.mail.templates import compose

    now = services.now()
    window = dt.timedelta(hours=services.config.assistant.validation_reminder_hours)
    reminded = []
    for login, address, expires_at in services.activation.links_expiring(now, window):
        account = services.directory.find_account(login)
        tenant = services.tenant_of(account)
        facts = services.mail_facts(tenant)
        sent_at = expires_at - dt.timedelta(hours=services.link_hours(tenant))
        last = services.audit.last_done("validation_reminder", login)
        if account is None or account.backup_email != address or (last is not None and last >= sent_at):
            continue
        services.outbox.submit(
            compose(
                "validation_reminder",
                address,
                {
                    "ent_name": facts.get("ent_name", "ENT"),
                    "login": login,
                    "expires": services.format_local(expires_at),
                },
            ),
            expires_at=expires_at,
        )
        services.record(SCHEDULER, "scheduler", "validation_reminder", login, Outcome.DONE)
        reminded.append(login)
    return reminded


def purge_personal_data() -> None:
    """The retention purge of the running assistant's services."""
    purge(current.services())


def purge(services: Services) -> dict[str, int]:
    """Delete what is kept of people past its retention period: transcripts, inbox messages, sent mails,
    revoked links and decided reset requests (transcript retention), closed tickets (ticket retention),
    spent codes and validation tokens, old rate-limit counters. The audit log is kept."""
    now = services.now()
    settings = services.config.assistant
    transcripts_before = now - dt.timedelta(days=settings.transcript_retention_days)
    counts = {
        "conversations": services.conversations.purge(transcripts_before),
        "tickets": services.tickets.purge_closed(now - dt.timedelta(days=settings.ticket_retention_days)),
        "mails": services.outbox.purge_sent(transcripts_before),
        "codes": services.links.purge_codes(now),
        "validation_tokens": services.activation.purge_tokens(now),
        "revoked_links": services.links.purge_revoked(transcripts_before),
        "cas_login_states": services.cas_states.purge(now - dt.timedelta(days=1)),
        "reset_requests": services.reset_requests.purge_decided(transcripts_before),
        "inbox": services.relay.purge(transcripts_before),
        "counters": services.limiter.purge(now - dt.timedelta(days=1)),
    }
    log.info("retention purge: %s", counts)
    return counts


def build_scheduler(services: Services) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=services.database, tablename="scheduler_jobs")},
        timezone=services.config.assistant.timezone,
    )
    scheduler.add_job(
        "bot.scheduler:deliver_mail", "interval", minutes=1, id="deliver_mail", replace_existing=True, coalesce=True
    )
    scheduler.add_job(
        "bot.scheduler:remind_waiting_tickets",
        "interval",
        minutes=5,
        id="remind_waiting_tickets",
        replace_existing=True,
        coalesce=True,
    )
    scheduler.add_job(
        "bot.scheduler:remind_validation_links_job",
        "interval",
        minutes=30,
        id="remind_validation_links",
        replace_existing=True,
        coalesce=True,
    )
    scheduler.add_job(
        "bot.scheduler:purge_personal_data",
        "cron",
        hour=3,
        minute=17,
        id="purge_personal_data",
        replace_existing=True,
        coalesce=True,
    )
    return scheduler
