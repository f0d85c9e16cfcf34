"""`Assistant.handle` end to end: what is stored of a turn."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from bot.assistant import Assistant
from bot.services import Services
from bot.storage.models import Conversation, Message
from tests.conftest import Chat, SettableClock


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
