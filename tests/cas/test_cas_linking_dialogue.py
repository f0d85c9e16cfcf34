"""In the chat: "Se connecter avec l'ENT" where the ENT has a CAS, the one-time code where it has none, and what
a chat linked by the ENT's login may then see. The login's return is given by a table-driven CAS here
(`tests/cas/test_cas_server.py` goes through a real one)."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from bot.messages import Button
from bot.services import Services
from bot.services.cas_login import CasLogin
from bot.storage.models import Conversation, Message
from tests.cas.conftest import use_cas
from tests.cas.fake_cas import FakeCas, state_of
from tests.conftest import Chat, SettableClock
from tests.support.expect import first_group

CAS_URL = "https://cas.netocentre.test/cas"
STUDENT = {"ENTPersonLogin": "camille.rousseau", "ESCOUAICourant": "0370034E"}


@pytest.fixture
def cas(services: Services) -> FakeCas:
    use_cas(services, CAS_URL)
    return FakeCas()


def links(chat: Chat) -> list[Button]:
    assert chat.last is not None
    return [b for m in chat.last.messages for b in m.buttons if b.url is not None]


def log_in(services: Services, cas: FakeCas, button: Button, ticket: str = "ST-1") -> None:
    """The user logs in on the CAS page of `button`, which sends the browser back here (turns run outside a loop)."""
    assert button.url is not None
    cas.vouch(ticket, "F37crou", **STUDENT)
    assert asyncio.run(CasLogin(services, cas).finish(state_of(button.url), ticket)).linked


def test_while_the_ent_is_unknown_the_cas_login_is_offered_beside_the_code(chat: Chat, cas: FakeCas) -> None:
    chat.say("/link_account")
    (button,) = links(chat)
    assert button.title == "Se connecter avec l'ENT (Centre-Val de Loire)"
    assert button.url is not None and button.url.startswith(f"{CAS_URL}/login?service=")
    assert "identifiant ENT" in chat.text and "netocentre" in chat.text


def test_the_one_time_code_stays_for_an_ent_without_cas(chat: Chat, cas: FakeCas, services: Services) -> None:
    chat.say("/link_account")
    chat.say("lucas.martin")  # MonLycée.net, which has no CAS here
    assert "code à 6 chiffres" in chat.text and links(chat) == []
    known = Chat(chat.assistant, "web:monlycee-user")
    known.say('/inform{"tenant": "monlycee"}')
    known.say("/link_account")
    assert links(known) == [] and "code à 6 chiffres" in known.text and "identifiant ENT" in known.text


def test_for_an_ent_with_a_cas_the_link_form_ends_on_the_login_button(chat: Chat, cas: FakeCas) -> None:
    chat.say('/inform{"tenant": "netocentre"}')
    chat.say("/link_account")
    (button,) = links(chat)
    assert button.title == "Se connecter avec l'ENT"
    assert "netocentre" in chat.text and "10 minutes" in chat.text
    chat.say("camille.rousseau")  # no form waits for an identifier: no code is sent for it
    assert "code à 6 chiffres" not in chat.text


def test_the_login_link_is_kept_in_no_store(chat: Chat, cas: FakeCas, services: Services) -> None:
    chat.say("/link_account")
    (button,) = links(chat)
    assert button.url is not None
    state = state_of(button.url)
    with services.sessions() as session:
        stored = json.dumps(session.scalars(select(Conversation.tracker)).all())
        stored += json.dumps(session.scalars(select(Message.text)).all())
    assert "netocentre" in stored and state not in stored


def test_a_chat_linked_by_the_ent_sees_its_own_account_state(chat: Chat, cas: FakeCas, services: Services) -> None:
    chat.say('/inform{"tenant": "netocentre"}')
    chat.say("/link_account")
    log_in(services, cas, links(chat)[0])
    assert "camille.rousseau" in services.relay.take(chat.sender)[0].text
    chat.say("/cannot_login")
    assert first_group(r"bloqué jusqu'au (\d\d/\d\d/\d{4})", chat.text) == "31/12/2026"
    stranger = Chat(chat.assistant, "web:stranger")
    stranger.say("/cannot_login")
    stranger.say("camille.rousseau")
    assert "bloqué" in stranger.text and "31/12/2026" not in stranger.text


def test_an_identifier_typed_after_the_ent_login_is_told_the_chat_is_linked(
    chat: Chat, cas: FakeCas, services: Services
) -> None:
    chat.say("/link_account")  # the ENT unknown: the login button and a question for the identifier
    log_in(services, cas, links(chat)[0])
    chat.say("camille.rousseau")
    assert "déjà fait" in chat.text and "camille.rousseau" in chat.text
    assert services.links.linked_login(chat.sender) == "camille.rousseau"


def test_a_chat_linked_by_the_ent_before_may_still_link_another_account_by_code(
    chat: Chat, cas: FakeCas, services: Services, clock: SettableClock
) -> None:
    chat.say("/link_account")
    log_in(services, cas, links(chat)[0])
    clock.advance(minutes=5)
    chat.say('/inform{"tenant": "monlycee"}')  # later, for an account of an ENT without CAS
    chat.say("/link_account")
    assert links(chat) == []
    chat.say("lucas.martin")
    assert "code à 6 chiffres" in chat.text


def test_past_the_chats_limit_no_more_logins_are_offered(chat: Chat, cas: FakeCas, services: Services) -> None:
    chat.say('/inform{"tenant": "netocentre"}')
    for _ in range(services.config.linking.cas_logins_per_chat.count):
        chat.say("/link_account")
        assert links(chat)
    chat.say("/link_account")
    assert links(chat) == [] and "utilisez le dernier" in chat.text
    other = Chat(chat.assistant, "web:another-chat")
    other.say('/inform{"tenant": "netocentre"}')
    other.say("/link_account")
    assert links(other)
