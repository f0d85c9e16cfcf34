"""Look-ups of accounts are bounded per identifier across chats and per client address (issue 10: harvesting)."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.messages import InboundMessage
from bot.services import Services
from bot.services.assistant import Assistant
from bot.storage.models import Conversation


def diagnose(assistant: Assistant, sender: str, login: str, address: str | None = None) -> str:
    assistant.handle(InboundMessage(sender, "je n'arrive pas à me connecter", client_address=address))
    result = assistant.handle(InboundMessage(sender, login, client_address=address))
    return "\n".join(m.text for m in result.messages)


def test_one_identifier_cannot_be_probed_from_many_chats(assistant: Assistant, services: Services) -> None:
    limit = services.config.rate_limits.lookups_per_login.count
    for number in range(limit):
        assert "Trop de recherches" not in diagnose(assistant, f"web:rotating{number}", "lucas.martin")
    # a fresh chat, a fresh sender id: the identifier's own bound holds, with the same words for any identifier
    assert "Trop de recherches" in diagnose(assistant, "web:rotating-next", "lucas.martin")
    assert "Trop de recherches" not in diagnose(assistant, "web:someone-else", "chloe.bernard")


def test_one_client_address_cannot_harvest_the_directory(assistant: Assistant, services: Services) -> None:
    limit = services.config.rate_limits.lookups_per_address.count
    for number in range(limit):
        diagnose(assistant, f"web:harvester{number}", f"eleve.numero{number}", address="203.0.113.7")
    assert "Trop de recherches" in diagnose(assistant, "web:harvester-next", "lucas.martin", address="203.0.113.7")
    assert "Trop de recherches" not in diagnose(assistant, "web:neighbour", "lucas.martin", address="198.51.100.1")


def test_the_client_address_is_not_kept_with_the_conversation(assistant: Assistant, services: Services) -> None:
    diagnose(assistant, "web:kept", "lucas.martin", address="203.0.113.9")
    with services.sessions() as session:
        stored = json.dumps(session.scalars(select(Conversation.tracker)).all())
    assert "203.0.113.9" not in stored
