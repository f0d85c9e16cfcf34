"""A directory that is down: the user is told plainly, nothing is lost, the assistant keeps answering."""

from __future__ import annotations

import threading

import pytest

from bot.bootstrap import build_assistant, build_directory
from bot.config import AppConfig, DirectorySettings, LdapSettings
from bot.directory.ldap import LdapDirectory
from bot.directory.port import DirectoryError
from bot.nlu.model import NluModel
from bot.services import Services
from tests.conftest import Chat, SettableClock
from tests.support.blackhole import BlackHole
from tests.support.expect import present
from tests.support.processes import free_port


def test_an_unreachable_ldap_directory_gets_a_clear_answer(
    services: Services, nlu: NluModel, config: AppConfig
) -> None:
    settings = LdapSettings(url=f"ldap://127.0.0.1:{free_port()}", connect_timeout_seconds=1)
    services.directory = LdapDirectory(settings, services.activation, "secret", tenant_for_uai=config.tenant_for_uai)
    chat = Chat(build_assistant(services, nlu), "web:down")
    chat.say("j'arrive pas a me connecter")
    chat.say("lucas.martin")
    assert "L'annuaire ne répond pas" in chat.text
    assert "Parler à un conseiller" in [b.title for m in present(chat.last).messages for b in m.buttons]
    chat.click("Parler à un conseiller")
    assert "transmise" in chat.text
    ticket = services.tickets.open_for("web:down")
    assert ticket is not None and "lucas.martin" in ticket.transcript
    chat.say("renvoie moi le mail d'activation")
    chat.say("lucas.martin")
    assert "L'annuaire ne répond pas" in chat.text  # not the catch-all's "réessayez" after a crash


def test_a_hung_ldap_server_is_given_up_after_the_receive_timeout(services: Services) -> None:
    with BlackHole() as server:
        settings = LdapSettings(
            url=f"ldap://127.0.0.1:{server.port}", connect_timeout_seconds=1, receive_timeout_seconds=1
        )
        directory = LdapDirectory(settings, services.activation, "secret")
        errors: list[Exception] = []

        def look_up() -> None:
            try:
                directory.find_account("lucas.martin")
            except DirectoryError as exc:
                errors.append(exc)

        worker = threading.Thread(target=look_up)
        worker.start()
        worker.join(timeout=8)  # the bound is the behaviour: one answer timeout, not the old ten seconds
        assert not worker.is_alive() and server.connections == 1
    assert len(errors) == 1 and "cannot reach or bind" in str(errors[0])


@pytest.mark.slow  # waits out connection timeouts
def test_a_directory_that_keeps_failing_is_not_waited_on_by_every_chat(
    services: Services, nlu: NluModel, config: AppConfig, clock: SettableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLEF_LDAP_PASSWORD", "bind-secret")
    with BlackHole() as server:
        ldap = {
            "url": f"ldap://127.0.0.1:{server.port}",
            "receive_timeout_seconds": 1,
            "breaker": {"failures": 3, "open_seconds": 30},
        }
        hung = config.model_copy(update={"directory": DirectorySettings(kind="ldap", ldap=LdapSettings(**ldap))})
        services.directory = build_directory(hung, services.activation, services.sessions, clock)
        assistant = build_assistant(services, nlu)
        for number in range(4):
            chat = Chat(assistant, f"web:down{number}")
            chat.say("j'arrive pas a me connecter")
            chat.say("lucas.martin")
            assert "L'annuaire ne répond pas" in chat.text
        assert server.connections == 3  # the fourth chat was answered without waiting on the server
        clock.advance(seconds=30)
        chat.say("lucas.martin")
        assert "L'annuaire ne répond pas" in chat.text and server.connections == 4  # one trial, then open again
