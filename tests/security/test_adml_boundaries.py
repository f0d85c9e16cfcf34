"""ADML boundaries (issue item 3): ADML accounts go to support, other schools read alike whatever the
account's state or existence, agents list a named school, users reset only their own account."""

from __future__ import annotations

import json

import pytest

from bot.channels.telegram import command_payload
from bot.services import Services
from bot.services.assistant import Assistant
from bot.services.operations import Operations
from tests.conftest import Chat, SettableClock
from tests.security.helpers import load_demo_with

ISABELLE = "telegram:6001"  # ADML of 0750001A
CLAIRE = "telegram:6002"  # ADML of 0931234B
LOCKED = "2026-12-31T23:00:00+01:00"


@pytest.fixture
def school(services: Services, clock: SettableClock) -> Services:
    """Isabelle and a peer, Nadia, both ADMLs of 0750001A and both locked; Claire ADML of 0931234B."""
    load_demo_with(
        services,
        {
            "nadia.benali": {"adml_of": ["0750001A"], "locked_until": LOCKED},
            "isabelle.roux": {"locked_until": LOCKED},
        },
    )
    services.links.link(ISABELLE, "isabelle.roux", clock())
    services.links.link(CLAIRE, "claire.lambert", clock())
    return services


def ask(assistant: Assistant, sender: str, intent: str, **entities: str) -> Chat:
    chat = Chat(assistant, sender)
    chat.say(f"/{intent}{json.dumps(entities)}" if entities else f"/{intent}")
    return chat


def titles(chat: Chat) -> list[str]:
    assert chat.last is not None
    return [b.title for m in chat.last.messages for b in m.buttons]


@pytest.mark.parametrize("intent", ["request_reset", "unlock_account"])
@pytest.mark.parametrize("target", ["nadia.benali", "isabelle.roux"])
def test_an_adml_account_own_or_peer_goes_to_support(
    school: Services, assistant: Assistant, intent: str, target: str
) -> None:
    chat = ask(assistant, ISABELLE, intent, username=target)
    assert "support" in chat.text and "Parler à un conseiller" in titles(chat)
    assert not any(t.startswith(("Confirmer", "Oui")) for t in titles(chat))


def test_operations_refuse_an_adml_account_to_an_adml(school: Services) -> None:
    operations = Operations(school)
    isabelle = school.actor(ISABELLE)
    for login in ("nadia.benali", "isabelle.roux"):
        reset = operations.reset_password(isabelle, "telegram", login)
        unlock = operations.unlock_account(isabelle, "telegram", login)
        assert (reset.status, reset.provisional_password, unlock.status) == ("refused", None, "refused")
        account = school.directory.find_account(login)
        assert account is not None and account.state.value == "active" and account.locked_until is not None


def test_an_adml_asking_for_their_own_reset_is_not_sent_to_their_peers(school: Services, assistant: Assistant) -> None:
    chat = ask(assistant, ISABELLE, "request_reset")
    assert "support" in chat.text and "Oui, transmettre" not in titles(chat)


@pytest.mark.parametrize("intent", ["request_reset", "unlock_account"])
def test_another_schools_accounts_read_alike_whatever_their_state(
    school: Services, assistant: Assistant, intent: str
) -> None:
    answers = {
        login: ask(assistant, CLAIRE, intent, username=login).text.replace(login, "LOGIN")
        for login in ("lucas.martin", "nathan.moreau", "marie.dupont", "nadia.benali", "personne.inconnue")
    }
    assert len(set(answers.values())) == 1, answers
    assert "désactivé" not in answers["nathan.moreau"]


def test_operations_tell_an_adml_nothing_more_about_other_schools(school: Services) -> None:
    operations = Operations(school)
    claire = school.actor(CLAIRE)
    reasons = {
        login: operations.reset_password(claire, "telegram", login).reason
        for login in ("lucas.martin", "nathan.moreau", "personne.inconnue")
    }
    assert len(set(reasons.values())) == 1, reasons


def test_an_agent_lists_a_named_schools_unactivated_accounts(services: Services, assistant: Assistant) -> None:
    services.agent_senders.add("web:agent")
    chat = ask(assistant, "web:agent", "list_unactivated", uai="0750001A")
    assert "marie.dupont" in chat.text and "sophie.garnier" in chat.text and "hugo.petit" not in chat.text
    assert chat.last is not None and any(m.document for m in chat.last.messages)
    unnamed = ask(assistant, "web:agent", "list_unactivated")
    assert "0750001A" in unnamed.text and "marie.dupont" not in unnamed.text  # asked to name a school


def test_an_adml_naming_another_school_is_refused_as_for_an_unknown_one(school: Services, assistant: Assistant) -> None:
    other = ask(assistant, ISABELLE, "list_unactivated", uai="0931234B")
    unknown = ask(assistant, ISABELLE, "list_unactivated", uai="0999999Z")
    assert other.text == unknown.text and "thomas.fournier" not in other.text
    own = ask(assistant, ISABELLE, "list_unactivated", uai="0750001A")
    assert "marie.dupont" in own.text


def test_the_telegram_command_names_a_school() -> None:
    assert command_payload("nonactives", ["0750001a"]) == '/list_unactivated{"uai": "0750001A"}'
    assert command_payload("nonactives", []) == "/list_unactivated"


def test_a_user_asking_to_reset_another_login_is_not_offered_their_own(
    services: Services, assistant: Assistant, clock: SettableClock
) -> None:
    services.links.link("web:lucas", "lucas.martin", clock())
    other = ask(assistant, "web:lucas", "request_reset", username="chloe.bernard")
    unknown = ask(assistant, "web:lucas", "request_reset", username="personne.inconnue")
    assert "Oui, transmettre" not in titles(other) and "lucas.martin" not in other.text
    assert other.text.replace("chloe.bernard", "X") == unknown.text.replace("personne.inconnue", "X")
    own = ask(assistant, "web:lucas", "request_reset", username="lucas.martin")
    assert "Oui, transmettre" in titles(own)
