"""Opening a ticket without a conversation engine: what the agent reads, who is told, who is held back.

What an agent and an auditor notice: the ticket's transcript (the conversation so far and the message being
handled, never a button's payload), what the ticket says of the account, the desk being told, the audit row,
and the limits (one open ticket per chat, per-chat and per-address limits, none for agents).
"""

from __future__ import annotations

import pytest

from bot.core.authz import Actor
from bot.services import Services
from bot.services.operations import Operations
from bot.storage.tickets import TicketView
from bot.texts import text
from tests.conftest import SettableClock
from tests.operations.conftest import audit_rows


@pytest.fixture
def operations(services: Services) -> Operations:
    return Operations(services)


def said(services: Services, clock: SettableClock, sender: str, *lines: tuple[str, str]) -> None:
    services.conversations.save(sender, "web", {}, [(d, t, None, None) for d, t in lines], clock())


def test_the_agent_reads_the_conversation_and_the_message_being_handled(
    operations: Operations, services: Services, clock: SettableClock
) -> None:
    said(services, clock, "web:t", ("in", "bonjour"), ("out", "Bonjour, que puis-je faire ?"))
    opened: list[TicketView] = []
    services.ticket_listeners.append(opened.append)
    result = operations.create_ticket(
        Actor("web:t"), "web", "monlycee", "lucas.martin", "account_locked", "compte bloqué", "je veux un conseiller"
    )
    assert result.done and result.reference is not None
    ticket = services.tickets.get(result.reference)
    assert ticket is not None
    assert ticket.transcript == "\n".join(
        [
            text("transcript_line_user", text="bonjour"),
            text("transcript_line_assistant", text="Bonjour, que puis-je faire ?"),
            text("transcript_line_user", text="je veux un conseiller"),
        ]
    )
    assert (ticket.sender_id, ticket.channel, ticket.tenant, ticket.login, ticket.diagnosis, ticket.summary) == (
        "web:t",
        "web",
        "monlycee",
        "lucas.martin",
        "account_locked",
        "compte bloqué",
    )
    assert [t.id for t in opened] == [ticket.id]  # the desk is told
    assert audit_rows(services, "create_ticket") == [
        ("web:t", None, "web", "lucas.martin", "done", f"ticket {ticket.id}")
    ]


@pytest.mark.parametrize(
    ("current", "transcript"),
    [
        ("aidez-moi", [("transcript_line_user", "aidez-moi")]),  # the first message: no empty line before it
        ('/escalate_human{"x": 1}', []),  # a button's payload is not something the user wrote
        (None, []),
    ],
)
def test_a_ticket_without_a_conversation_holds_only_what_was_written(
    operations: Operations, services: Services, current: str | None, transcript: list[tuple[str, str]]
) -> None:
    result = operations.create_ticket(Actor("web:new"), "web", None, None, None, "aide", current)
    assert result.reference is not None
    ticket = services.tickets.get(result.reference)
    assert ticket is not None and ticket.transcript == "\n".join(text(name, text=t) for name, t in transcript)


def test_a_payload_is_left_out_after_a_conversation_too(
    operations: Operations, services: Services, clock: SettableClock
) -> None:
    said(services, clock, "web:p", ("in", "bonjour"))
    result = operations.create_ticket(Actor("web:p"), "web", None, None, None, "aide", "/escalate_human")
    assert result.reference is not None
    ticket = services.tickets.get(result.reference)
    assert ticket is not None and ticket.transcript == text("transcript_line_user", text="bonjour")


def test_a_gate_holds_back_a_chat_but_not_an_agent(operations: Operations, services: Services) -> None:
    asked: list[str | None] = []

    def per_address(actor: Actor) -> bool:
        asked.append(actor.client_address)
        return actor.client_address != "203.0.113.7"

    services.ticket_gates.append(per_address)
    held = operations.create_ticket(Actor("web:a", client_address="203.0.113.7"), "web", None, None, None, "aide")
    assert (held.status, held.reference) == ("rate_limited", None)
    assert services.tickets.open_for("web:a") is None
    assert audit_rows(services, "create_ticket") == [("web:a", None, "web", None, "rate_limited", "per client address")]
    assert operations.create_ticket(Actor("web:b", client_address="198.51.100.2"), "web", None, None, None, "x").done
    agent = Actor("web-desk:agent", is_agent=True, client_address="203.0.113.7")
    assert operations.create_ticket(agent, "desk", None, None, None, "pour un usager").done
    assert asked == ["203.0.113.7", "198.51.100.2"]  # an agent is not asked about


def test_a_busy_chat_is_held_back_and_audited(operations: Operations, services: Services) -> None:
    busy = Actor("web:busy")
    for login in ["marie.dupont", "chloe.bernard", "hugo.petit", "emma.leroy", "karim.haddad"]:
        operations.reset_password(busy, "web", login)
    assert operations.create_ticket(busy, "web", None, None, None, "aide").status == "rate_limited"
    assert audit_rows(services, "create_ticket") == [("web:busy", None, "web", None, "rate_limited", None)]
