"""Background jobs on APScheduler with a persistent job store (the project's database).

Jobs are referenced by name (`bot.scheduler:deliver_mail`) so the store survives restarts. One instance at a
time runs them, the holder of the scheduler's lease (`bot.scheduler_lease`); every job may run again after a run
cut short (its instance killed) and sends only what that run did not: each thing a job sends is stored (inbox,
outbox) in the transaction that records it, under a lock of its own.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from bot.messages import OutboundMessage
from bot.services import Services, current
from bot.services.container import SCHEDULER
from bot.services.notices import announce_freezes, purge_cutoffs, remind_unactivated, run_guarded, send_digests
from bot.storage.audit import Outcome
from bot.storage.job_runs import JobRuns
from bot.storage.locks import hold
from bot.texts import text

log = logging.getLogger(__name__)


def _run(job_id: str, work: Callable[[Services], object]) -> None:
    """Run a job on the installed services, marked as running until it ends (`bot.storage.job_runs`)."""
    services = current.services()
    runs = JobRuns(services.sessions)
    runs.started(job_id, services.now())
    try:
        work(services)
    finally:
        runs.finished(job_id, services.now())


def deliver_mail() -> None:
    """Retry the mails that could not be sent yet, in the outbox's sender thread when the server is remote.

    Jobs run on the event loop's default threads, which the web channel also uses: a hung mail server
    must not hold one of them.
    """
    _run("deliver_mail", lambda services: services.outbox.wake())


def remind_waiting_tickets() -> None:
    """The reminder job of the running assistant's services."""
    _run("remind_waiting_tickets", remind)


def remind(services: Services) -> list[int]:
    """Remind agents (and reassure the user) once about each ticket nobody took in time; their ids.

    The user's message is stored in the chat's inbox in the transaction that records the reminder, under the
    ticket's lock: a run cut short, or two runs at once (the lease changing hands), remind each ticket once. The
    message is then pushed to the chat's channel (Telegram) or waits for the web page's poll."""
    now = services.now()
    due = now - dt.timedelta(minutes=services.config.assistant.ticket_reminder_minutes)
    reminded = []
    for ticket in services.tickets.with_status(("open",)):
        target = f"ticket {ticket.id}"
        if ticket.created_at > due or services.audit.last_done("ticket_reminder", target) is not None:
            continue
        with services.sessions.begin() as session:
            hold(session, f"ticket_reminder:{ticket.id}")
            if services.audit.last_done("ticket_reminder", target, session) is not None:
                continue  # another run reminded it meanwhile
            notice = OutboundMessage(text("ticket_still_waiting", ticket_id=ticket.id))
            services.relay.enqueue(ticket.sender_id, [notice], session)
            services.record(SCHEDULER, "scheduler", "ticket_reminder", target, Outcome.DONE, session=session)
        services.relay.push(ticket.sender_id)
        for listener in services.reminder_listeners:
            listener(ticket)
        reminded.append(ticket.id)
    return reminded


def remind_validation_links_job() -> None:
    """The validation-link reminder job of the running assistant's services."""
    _run("remind_validation_links", remind_validation_links)


def remind_validation_links(services: Services) -> list[str]:
    """Mail once, before it expires, whoever has not opened their backup-address validation link; the logins.

    The mail is stored in the transaction that records the reminder, under the login's lock (as `remind` does),
    and sent once that transaction is committed."""
    from bot.mail.templates import compose

    now = services.now()
    window = dt.timedelta(hours=services.config.assistant.validation_reminder_hours)
    reminded = []
    for login, address, expires_at in services.activation.links_expiring(now, window):
        account = services.directory.find_account(login)
        tenant = services.tenant_of(account)
        facts = services.mail_facts(tenant)
        sent_at = expires_at - dt.timedelta(hours=services.link_hours(tenant))
        if account is None or account.backup_email != address or _reminded_since(services, login, sent_at):
            continue
        mail = compose(
            "validation_reminder",
            address,
            {"ent_name": facts.get("ent_name", "ENT"), "login": login, "expires": services.format_local(expires_at)},
        )
        with services.sessions.begin() as session:
            hold(session, f"validation_reminder:{login}")
            if _reminded_since(services, login, sent_at, session):
                continue  # another run reminded it meanwhile
            mail_id = services.outbox.store(mail, session, expires_at=expires_at)
            services.record(SCHEDULER, "scheduler", "validation_reminder", login, Outcome.DONE, session=session)
        services.outbox.dispatch(mail_id)
        reminded.append(login)
    return reminded


def _reminded_since(services: Services, login: str, since: dt.datetime, session: Session | None = None) -> bool:
    last = services.audit.last_done("validation_reminder", login, session)
    return last is not None and last >= since


def sync_helpdesk() -> None:
    """Keep tickets and their twins in the configured helpdesk in step (`bot.services.helpdesk_sync`)."""
    _run("sync_helpdesk", synchronise_helpdesk)


def synchronise_helpdesk(services: Services) -> None:
    if services.helpdesk is not None:
        from bot.services.helpdesk_sync import HelpdeskSync

        HelpdeskSync(services, services.helpdesk).run()


def announce_freezes_job() -> None:
    """Freeze windows announced to the chats that opted in (`bot.services.notices`)."""
    _run("announce_freezes", lambda services: run_guarded(announce_freezes, services))


def send_digests_job() -> None:
    """The ADMLs' weekly digest during the rentrée, and the support leads' summary (`bot.services.notices`)."""
    _run("send_digests", lambda services: run_guarded(send_digests, services))


def remind_unactivated_job() -> None:
    """The reminder to activate an account, once, to the chats that opted in (`bot.services.notices`)."""
    _run("remind_unactivated", lambda services: run_guarded(remind_unactivated, services))


def purge_personal_data() -> None:
    """The retention purge of the running assistant's services."""
    _run("purge_personal_data", purge)


def purge(services: Services) -> dict[str, int]:
    """Delete what is kept of people past its retention period: transcripts, inbox messages, sent mails,
    revoked links, decided reset requests and long button payloads (transcript retention), closed tickets (ticket
    retention),
    spent codes and validation tokens, old rate-limit counters, and the notices' records (opt-ins of chats no longer
    linked, notices sent, watches, schools' week counts: `bot.services.notices.purge_cutoffs`). The audit log is
    kept."""
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
        "button_payloads": services.button_payloads.purge(transcripts_before),
        "counters": services.limiter.purge(now - dt.timedelta(days=1)),
        **services.notices.purge(purge_cutoffs(services)),
    }
    log.info("retention purge: %s", counts)
    return counts


def _jobs(timezone: str, helpdesk_seconds: int | None = None) -> list[tuple[str, str, BaseTrigger]]:
    """(id, function, trigger) of each scheduled job; the helpdesk's when one is configured."""
    helpdesk: list[tuple[str, str, BaseTrigger]] = []
    if helpdesk_seconds is not None:
        trigger = IntervalTrigger(seconds=helpdesk_seconds, timezone=timezone)
        helpdesk.append(("sync_helpdesk", "bot.scheduler:sync_helpdesk", trigger))
    return [
        *helpdesk,
        ("deliver_mail", "bot.scheduler:deliver_mail", IntervalTrigger(minutes=1, timezone=timezone)),
        (
            "remind_waiting_tickets",
            "bot.scheduler:remind_waiting_tickets",
            IntervalTrigger(minutes=5, timezone=timezone),
        ),
        (
            "remind_validation_links",
            "bot.scheduler:remind_validation_links_job",
            IntervalTrigger(minutes=30, timezone=timezone),
        ),
        ("purge_personal_data", "bot.scheduler:purge_personal_data", CronTrigger(hour=3, minute=17, timezone=timezone)),
        ("announce_freezes", "bot.scheduler:announce_freezes_job", CronTrigger(minute=5, timezone=timezone)),
        ("send_digests", "bot.scheduler:send_digests_job", CronTrigger(minute=10, timezone=timezone)),
        (
            "remind_unactivated",
            "bot.scheduler:remind_unactivated_job",
            IntervalTrigger(minutes=15, timezone=timezone),
        ),
    ]


def build_scheduler(services: Services) -> AsyncIOScheduler:
    """A scheduler on the persistent job store, without its jobs yet (`start_scheduler` adds them)."""
    return AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=services.database, tablename="scheduler_jobs")},
        timezone=services.config.assistant.timezone,
    )


def start_scheduler(services: Services, paused: bool = False) -> AsyncIOScheduler:
    """The scheduler started (on the running event loop) with every job in its store.

    A job already stored as it is defined keeps its next time: an instance that takes the jobs over runs the one
    that fell due meanwhile (late jobs run, once, whatever their delay), instead of pushing every job back by its
    interval. A changed definition replaces the stored job."""
    scheduler = build_scheduler(services)
    scheduler.start(paused=True)
    settings = services.config.helpdesk
    helpdesk_seconds = settings.poll_seconds if services.helpdesk is not None else None
    for job_id, function, trigger in _jobs(services.config.assistant.timezone, helpdesk_seconds):
        stored = scheduler.get_job(job_id)
        if not (
            stored is not None
            and stored.func_ref == function
            and str(stored.trigger) == str(trigger)
            and getattr(stored.trigger, "timezone", None) == getattr(trigger, "timezone", None)
            and stored.coalesce
            and stored.misfire_grace_time is None
        ):
            scheduler.add_job(
                function, trigger, id=job_id, replace_existing=True, coalesce=True, misfire_grace_time=None
            )
    if helpdesk_seconds is None and scheduler.get_job("sync_helpdesk") is not None:
        scheduler.remove_job("sync_helpdesk")  # the helpdesk is no longer configured
    if not paused:
        scheduler.resume()
    return scheduler


def run_soon(scheduler: AsyncIOScheduler, job_ids: list[str], now: dt.datetime) -> None:
    """Have these jobs run at once (those the scheduler has)."""
    for job_id in job_ids:
        if scheduler.get_job(job_id) is not None:
            scheduler.modify_job(job_id, next_run_time=now)
