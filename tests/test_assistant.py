"""`Assistant.handle` end to end: what is stored of a turn."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from bot.mail.capture import CaptureMailer
from bot.services import Services
from bot.services.assistant import Assistant
from bot.storage.models import Conversation, Message
from tests.conftest import Chat, SettableClock
from tests.support.expect import first_group


def test_a_provisional_password_is_shown_once_and_stored_nowhere(
    assistant: Assistant, services: Services, clock: SettableClock
) -> None:
    services.links.link("web:adml", "isabelle.roux", clock())
    chat = Chat(assistant, "web:adml")
    chat.say('/request_reset{"username": "lucas.martin"}')
    chat.click("Confirmer la réinitialisation")
    shown = re.search(r"provisoire : (\S+)", chat.text)
    assert shown, chat.text
    password = shown.group(1)
    assert chat.last is not None and any(m.sensitive for m in chat.last.messages)
    with services.sessions() as session:
        stored = json.dumps(session.scalars(select(Conversation.tracker)).all()) + json.dumps(
            session.scalars(select(Message.text)).all()
        )
    assert password not in stored
    audit = json.dumps([e.__dict__ for e in services.audit.recent()], default=str)
    assert password not in audit
    chat.say("merci")
    assert password not in chat.text


def stored_conversation(services: Services) -> str:
    with services.sessions() as session:
        return json.dumps(session.scalars(select(Conversation.tracker)).all()) + json.dumps(
            session.scalars(select(Message.text)).all()
        )


def test_a_password_typed_as_identifier_and_link_codes_are_never_stored(
    assistant: Assistant,
    services: Services,
    mailer: CaptureMailer,
) -> None:
    chat = Chat(assistant, "web:careless")
    chat.say("je n'arrive pas à me connecter")
    chat.say("Secret!2024x")
    assert "ne communiquez jamais votre mot de passe" in chat.text
    chat.say("/link_account")
    chat.say("lucas.martin")
    code = first_group(r"\b(\d{6})\b", mailer.sent[-1].body)
    chat.say("000000" if code != "000000" else "111111")
    chat.say(f"{code[:3]} {code[3:]}")  # typed with a space, as people do
    assert services.links.linked_login("web:careless") == "lucas.martin"
    stored = stored_conversation(services)
    assert "Secret!2024x" not in stored and code not in stored and f"{code[:3]} {code[3:]}" not in stored


def test_malformed_payloads_typed_by_a_user_get_an_answer(assistant: Assistant) -> None:
    chat = Chat(assistant, "web:prankster")
    for payload in (
        '/inform{"tenant": ["x"]}',
        '/inform{"profile": {"a": 1}}',
        '/ticket_status{"ticket_id": 99999999999999999999999}',
        '/approve_reset{"request_id": "1; drop"}',
        '/nocas_eligibility{"profile":"cridf","uai":{"x":1}}',
        "/",
        "/inconnu{",
        '/affirm{"a": true}',
    ):
        chat.say(payload)
        assert chat.text.strip(), payload


def test_what_a_user_writes_to_an_open_ticket_reaches_agents_redacted(assistant: Assistant, services: Services) -> None:
    forwarded: list[str] = []
    services.user_message_listeners.append(lambda ticket, text: forwarded.append(text))
    chat = Chat(assistant, "web:ticket")
    chat.say("je veux parler a un conseiller")
    chat.say("mon mdp est Azerty123! et mon tel 06 12 34 56 78")
    assert forwarded and "Azerty123!" not in forwarded[-1] and "06 12 34 56 78" not in forwarded[-1]
