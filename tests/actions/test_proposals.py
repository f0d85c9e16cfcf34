"""A "Oui" performs what was proposed, through one table: each proposal has its code, and nothing else runs."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.diagnosis import PROPOSALS
from actions.proposals import PERFORM, ActionAffirm, Proposal
from bot.services import Services, current
from bot.services.assistant import CONTRACT_OPERATIONS
from bot.services.operations import Operations


def test_every_proposal_has_the_code_that_performs_it() -> None:
    assert set(PERFORM) == set(Proposal)
    assert {p.value for p in Proposal} <= CONTRACT_OPERATIONS  # the slot holds a contract operation's name
    assert set(PROPOSALS.values()) <= set(Proposal)


def _affirm(
    services: Services, slots: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    monkeypatch.setattr(current, "_installed", (services, Operations(services)))  # these tests' services only
    tracker = Tracker.from_dict(
        {"sender_id": "web:affirm", "slots": slots, "latest_message": {"intent": {"name": "affirm"}}, "events": []}
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAffirm().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_a_yes_to_nothing_known_performs_nothing(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    messages, events = _affirm(
        services, {"proposed_operation": "drop_database", "operation_target": "marie.dupont"}, monkeypatch
    )
    assert [m.get("response") for m in messages] == ["utter_ok"]
    assert events == [{"event": "slot", "timestamp": None, "name": "proposed_operation", "value": None}]
    assert services.audit.recent() == []  # nothing was attempted


def test_a_yes_to_a_ticket_opens_it_and_clears_the_proposal(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages, events = _affirm(services, {"proposed_operation": "create_ticket"}, monkeypatch)
    assert messages == []
    assert [e.get("name") for e in events] == ["proposed_operation", "action_create_ticket"]
