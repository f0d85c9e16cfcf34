"""The support desk: what an agent does to a ticket, from Telegram or the web page.

Every action is authorised in core (`work_tickets`), written to the audit log, and reaches the user
through the chat relay (their channel, or their inbox when it cannot be reached now).
"""

from __future__ import annotations

from bot.core.authz import Actor, Permission, authorise
from bot.messages import Button, OutboundMessage
from bot.services.container import Services
from bot.storage.tickets import TicketView
from bot.texts import text as message


class DeskRefused(Exception):
    """The actor may not work tickets, or the ticket does not exist or is closed."""


RATING_BUTTONS = tuple(Button(str(n), f'/rate_ticket{{"rating": {n}}}') for n in range(1, 6))


class TicketDesk:
    def __init__(self, services: Services) -> None:
        self.s = services

    def _ticket(self, actor: Actor, ticket_id: int, channel: str, operation: str) -> TicketView:
        decision = authorise(actor, Permission.WORK_TICKETS, None)
        ticket = self.s.tickets.get(ticket_id)
        if not decision.allowed:
            self._audit(actor, channel, operation, ticket_id, "refused", decision.reason)
            raise DeskRefused(message("desk_refused_not_agent"))
        if ticket is None:
            raise DeskRefused(message("desk_refused_no_ticket", ticket_id=ticket_id))
        if ticket.status == "closed":
            raise DeskRefused(message("desk_refused_closed", ticket_id=ticket_id))
        return ticket

    def _audit(
        self, actor: Actor, channel: str, operation: str, ticket_id: int, outcome: str, detail: str | None = None
    ) -> None:
        self.s.audit.append(
            at=self.s.now(),
            actor=actor.sender_id,
            actor_login=None,
            channel=channel,
            operation=operation,
            target=f"ticket {ticket_id}",
            outcome=outcome,
            detail=detail,
        )

    def take(self, actor: Actor, ticket_id: int, channel: str) -> TicketView:
        ticket = self._ticket(actor, ticket_id, channel, "take_ticket")
        taken = self.s.tickets.take(ticket.id, actor.sender_id, self.s.now())
        assert taken is not None
        self._audit(actor, channel, "take_ticket", ticket.id, "done")
        self.s.relay.send(ticket.sender_id, [OutboundMessage(message("desk_taken", ticket_id=ticket.id))])
        return taken

    def reply(self, actor: Actor, ticket_id: int, text: str, channel: str) -> TicketView:
        """Send the agent's `text` to the user; takes the ticket if nobody has."""
        ticket = self._ticket(actor, ticket_id, channel, "reply_ticket")
        if ticket.status == "open":
            ticket = self.s.tickets.take(ticket.id, actor.sender_id, self.s.now()) or ticket
        text = text.strip()[:3500]
        self.s.tickets.add_message(ticket.id, "agent", text, self.s.now())
        self._audit(actor, channel, "reply_ticket", ticket.id, "done")
        self.s.relay.send(
            ticket.sender_id, [OutboundMessage(message("desk_agent_reply", ticket_id=ticket.id, text=text))]
        )
        return ticket

    def close(self, actor: Actor, ticket_id: int, channel: str) -> TicketView:
        ticket = self._ticket(actor, ticket_id, channel, "close_ticket")
        closed = self.s.tickets.close(ticket.id, self.s.now())
        assert closed is not None
        self._audit(actor, channel, "close_ticket", ticket.id, "done")
        self.s.relay.send(
            ticket.sender_id,
            [OutboundMessage(message("desk_closed", ticket_id=ticket.id), RATING_BUTTONS)],
        )
        return closed
