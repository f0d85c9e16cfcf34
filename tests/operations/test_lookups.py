"""Look-ups of accounts, bounded so that nobody harvests the directory: per chat, per identifier, per address."""

from __future__ import annotations

import pytest

from bot.core.authz import Actor
from bot.services import Services
from bot.services.operations import LookupLimited, Operations


@pytest.fixture
def operations(services: Services) -> Operations:
    return Operations(services)


def test_a_chat_gets_ten_look_ups_a_minute(operations: Operations) -> None:
    chat = Actor("web:curious")
    found = [operations.lookup(chat, login) for login in ["lucas.martin", "personne.inconnue"] * 5]
    assert found[0] is not None and found[0].login == "lucas.martin" and found[1] is None
    with pytest.raises(LookupLimited):
        operations.lookup(chat, "chloe.bernard")


def test_one_identifier_gets_twelve_look_ups_whoever_asks_however_typed(operations: Operations) -> None:
    for n in range(12):
        operations.lookup(Actor(f"web:c{n}"), " Lucas.Martin " if n % 2 else "lucas.martin")
    with pytest.raises(LookupLimited):
        operations.lookup(Actor("web:next"), "LUCAS.MARTIN")
    assert operations.lookup(Actor("web:next"), "chloe.bernard") is not None


def test_one_client_address_gets_a_bounded_number_of_look_ups(operations: Operations, services: Services) -> None:
    limit = services.config.rate_limits.lookups_per_address.count
    for n in range(limit):
        operations.lookup(Actor(f"web:h{n}", client_address="203.0.113.7"), f"eleve.numero{n}")
    with pytest.raises(LookupLimited):
        operations.lookup(Actor("web:h-next", client_address="203.0.113.7"), "lucas.martin")
    assert operations.lookup(Actor("web:neighbour", client_address="198.51.100.1"), "lucas.martin") is not None


def test_agents_look_up_without_limit(operations: Operations) -> None:
    agent = Actor("web-desk:agent", is_agent=True)
    assert all(operations.lookup(agent, "lucas.martin") is not None for _ in range(15))
