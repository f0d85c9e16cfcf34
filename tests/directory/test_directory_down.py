"""A directory that is down: the user is told plainly, nothing is lost, the assistant keeps answering."""

from __future__ import annotations

from bot.app import build_assistant
from bot.config import LdapSettings
from bot.directory.ldap import LdapDirectory
from bot.nlu.model import NluModel
from bot.services import Services
from tests.conftest import Chat
from tests.support.processes import free_port


def test_an_unreachable_ldap_directory_gets_a_clear_answer(services: Services, nlu: NluModel, config) -> None:  # type: ignore[no-untyped-def]
    settings = LdapSettings(url=f"ldap://127.0.0.1:{free_port()}", connect_timeout_seconds=1)
    services.directory = LdapDirectory(settings, services.activation, "secret", tenant_for_uai=config.tenant_for_uai)
    chat = Chat(build_assistant(services, nlu), "web:down")
    chat.say("j'arrive pas a me connecter")
    chat.say("lucas.martin")
    assert "L'annuaire ne répond pas" in chat.text
    assert "Parler à un conseiller" in [b.title for m in chat.last.messages for b in m.buttons]  # type: ignore[union-attr]
    chat.click("Parler à un conseiller")
    assert "transmise" in chat.text
    ticket = services.tickets.open_for("web:down")
    assert ticket is not None and "lucas.martin" in ticket.transcript
    chat.say("renvoie moi le mail d'activation")
    chat.say("lucas.martin")
    assert "annuaire" in chat.text.lower() or "réessayez" in chat.text.lower()
