"""Keeps local tickets and their twins in the external helpdesk (`bot.helpdesk`) in step; the scheduler's
`sync_helpdesk` job runs it, and a signed webhook makes it read one ticket at once.

One run, bounded by `helpdesk.tickets_per_run`:
1. each open local ticket without a twin is created there: requester, title, the diagnosis, summary and redacted
   transcript as content;
2. each twin of an open local ticket receives, as followups, the messages the user wrote to the ticket since;
3. its followups are read: agents' public ones reach the user's chat (never a private or internal one), and a
   ticket solved or closed there closes here, the user asked for their 1–5 rating as when an agent closes it here.

Step 3 is the only one a webhook runs, and it is idempotent: what is relayed is stored in the chat's inbox in the
transaction that records the last followup seen, under the ticket's lock (as the reminder job does), and the
rating is asked once (the audit log records it in that transaction). Steps 1 and 2 run only in the scheduled job
(one instance, one run at a time); an instance killed between a call there and its record here may send that one
call again on its next run.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from bot.core.redaction import redact
from bot.directory.port import DirectoryError
from bot.helpdesk.port import HelpdeskError, HelpdeskSession, NewTicket, Requester, TicketSystem
from bot.messages import OutboundMessage
from bot.services.container import SCHEDULER, Services
from bot.services.desk import RATING_BUTTONS
from bot.storage.audit import Outcome
from bot.storage.helpdesk_tickets import HelpdeskLink, HelpdeskTicketStore
from bot.storage.locks import hold
from bot.storage.tickets import TicketView
from bot.texts import text

log = logging.getLogger(__name__)

_RELAYING = threading.Lock()
"""The ticket's lock of the database is no lock on SQLite: a webhook's read and the job's, in two threads of this
one process, take this one too."""

CLOSED_THERE = "helpdesk_closed"  # the audit operation: a ticket closed by the helpdesk, its rating asked


@dataclass
class SyncReport:
    created: int = 0
    followups_sent: int = 0
    relayed: int = 0
    closed: int = 0
    failed: int = 0


class HelpdeskSync:
    def __init__(self, services: Services, system: TicketSystem) -> None:
        self.s = services
        self.system = system
        self.links = HelpdeskTicketStore(services.sessions)
        self.limit = services.config.helpdesk.tickets_per_run

    # -- entry points (called from worker threads: each runs its own event loop) ---------------------------------
    def run(self) -> SyncReport:
        """The scheduled job's run: create, send, read."""
        report = asyncio.run(self.run_async())
        if report != SyncReport():
            log.info("helpdesk %s: %s", self.system.name, report)
        return report

    def read_one(self, external_id: int) -> SyncReport:
        """Read one ticket there now (a webhook said it changed); an unknown ticket is ignored."""
        return asyncio.run(self.read_one_async(external_id))

    async def run_async(self) -> SyncReport:
        report = SyncReport()
        try:
            async with self.system.connect() as helpdesk:
                for ticket_id in self.links.unlinked_open(self.limit):
                    await self._guarded(report, ticket_id, self._create(helpdesk, ticket_id, report))
                for link in self.links.linked_open(self.system.name, self.limit):
                    await self._guarded(report, link.ticket_id, self._step(helpdesk, link, report))
        except HelpdeskError as exc:
            log.warning("helpdesk %s unavailable: %s", self.system.name, exc)
            report.failed += 1
        return report

    async def read_one_async(self, external_id: int) -> SyncReport:
        report = SyncReport()
        link = self.links.by_external(self.system.name, external_id)
        ticket = self.s.tickets.get(link.ticket_id) if link else None
        if link is None or ticket is None or ticket.status == "closed":
            return report
        try:
            async with self.system.connect() as helpdesk:
                await self._read(helpdesk, link, report)
        except HelpdeskError as exc:
            log.warning("helpdesk %s: ticket %s not read: %s", self.system.name, external_id, exc)
            report.failed += 1
        return report

    # -- the steps -----------------------------------------------------------------------------------------------
    async def _guarded(self, report: SyncReport, ticket_id: int, step: Coroutine[Any, Any, None]) -> None:
        """One ticket's step; a refusal there is logged and the next ticket is done (this one is tried next run).
        The helpdesk unreachable ends the run."""
        try:
            await step
        except HelpdeskError as exc:
            if exc.code == "UNREACHABLE":
                raise
            log.warning("helpdesk %s: ticket %s: %s", self.system.name, ticket_id, exc)
            report.failed += 1

    async def _create(self, helpdesk: HelpdeskSession, ticket_id: int, report: SyncReport) -> None:
        ticket = self.s.tickets.get(ticket_id)
        if ticket is None:
            return
        last_message = self.links.last_message_id(ticket.id)  # the transcript already holds what came before
        external_id = await helpdesk.create(self.new_ticket(ticket))
        self.links.link(ticket.id, self.system.name, external_id, last_message, self.s.now())
        self.s.record(SCHEDULER, "helpdesk", "helpdesk_create", f"ticket {ticket.id}", Outcome.DONE, str(external_id))
        report.created += 1

    async def _step(self, helpdesk: HelpdeskSession, link: HelpdeskLink, report: SyncReport) -> None:
        for message_id, said in self.links.user_messages_after(link.ticket_id, link.last_message_id):
            await helpdesk.add_followup(link.external_id, redact(said))
            self.links.sent(link.ticket_id, message_id)
            report.followups_sent += 1
        await self._read(helpdesk, link, report)

    async def _read(self, helpdesk: HelpdeskSession, link: HelpdeskLink, report: SyncReport) -> None:
        followups = [f for f in await helpdesk.followups(link.external_id) if f.id > link.last_followup_id]
        state = await helpdesk.state(link.external_id)
        self.links.read(link.ticket_id, self.s.now())
        ticket = self.s.tickets.get(link.ticket_id)
        if ticket is None or ticket.status == "closed" or (not followups and not state.finished):
            return
        target = f"ticket {ticket.id}"
        with _RELAYING, self.s.sessions.begin() as session:
            hold(session, f"helpdesk:{ticket.id}")
            current = self.links.get(ticket.id, session)
            seen = current.last_followup_id if current else link.last_followup_id
            fresh = [f for f in followups if f.id > seen and f.for_the_user]
            notices = [
                OutboundMessage(text("desk_agent_reply", ticket_id=ticket.id, text=f.text[:3500])) for f in fresh
            ]
            for followup in fresh:
                self.s.tickets.add_message(ticket.id, "agent", followup.text[:3500], self.s.now(), session)
            if followups:
                self.links.seen(ticket.id, max(f.id for f in followups), session)
            closing = state.finished and self.s.audit.last_done(CLOSED_THERE, target, session) is None
            if closing:
                notices.append(OutboundMessage(text("desk_closed", ticket_id=ticket.id), RATING_BUTTONS))
                self.s.record(SCHEDULER, "helpdesk", CLOSED_THERE, target, Outcome.DONE, state.value, session)
            if notices:
                self.s.relay.enqueue(ticket.sender_id, notices, session)
        if state.finished:
            self.s.tickets.close(ticket.id, self.s.now())
        report.relayed += len(fresh)
        report.closed += int(closing)
        self.s.relay.push(ticket.sender_id)

    def new_ticket(self, ticket: TicketView) -> NewTicket:
        """What the helpdesk receives of a ticket: every text through the redaction (again: it is cheap)."""
        unknown = text("helpdesk_unknown")
        requester = self._requester(ticket)
        content = text(
            "helpdesk_ticket_content",
            ticket_id=ticket.id,
            requester=requester.name or requester.login or unknown,
            login=ticket.login or unknown,
            tenant=ticket.tenant or unknown,
            channel=ticket.channel,
            diagnosis=ticket.diagnosis or unknown,
            summary=ticket.summary,
            transcript=ticket.transcript,
        )
        title = text("helpdesk_ticket_title", ticket_id=ticket.id, diagnosis=ticket.diagnosis or unknown)
        return NewTicket(title=redact(title), content=redact(content), requester=requester)

    def _requester(self, ticket: TicketView) -> Requester:
        """Who asked, as the directory knows them: their name and an address they read (the validated backup
        address, else their ENT mailbox). A directory down leaves only the login."""
        if not ticket.login:
            return Requester(None, None, None)
        try:
            account = self.s.directory.find_account(ticket.login)
        except DirectoryError:
            account = None
        if account is None:
            return Requester(ticket.login, None, None)
        email = account.backup_email if account.backup_email_validated else account.ent_mail
        name = " ".join(p for p in (account.given_name, account.family_name) if p) or None
        return Requester(ticket.login, email or None, name)
