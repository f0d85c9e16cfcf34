"""The chat relay: what a channel cannot deliver waits in the chat's inbox, across restarts, secrets excepted."""

from __future__ import annotations

from bot.messages import Button, OutboundMessage
from bot.services import Services
from bot.services.relay import ChatRelay
from bot.storage.inbox import InboxStore


def test_undelivered_messages_survive_a_restart_but_secrets_never_touch_the_database(services: Services) -> None:
    first = ChatRelay(InboxStore(services.sessions, services.clock))
    answer = OutboundMessage("Conseiller : essayez « Activer mon compte ».", (Button("Merci", "/thanks"),))
    secret = OutboundMessage("Mot de passe provisoire : Xy7!kkPq", sensitive=True)
    assert first.send("web:u1", [answer, secret]) is False  # no deliverer for web: kept
    restarted = ChatRelay(InboxStore(services.sessions, services.clock))
    assert restarted.take("web:u1") == [answer]  # the secret stayed in the first process only
    assert restarted.take("web:u1") == []
    assert first.take("web:u1") == [secret]


def test_a_deliverer_that_fails_keeps_the_message(services: Services) -> None:
    relay = ChatRelay(InboxStore(services.sessions, services.clock))

    def broken(sender_id: str, messages: list[OutboundMessage]) -> bool:
        raise ConnectionError("Telegram is down")

    relay.register("telegram", broken)
    assert relay.send("telegram:42", [OutboundMessage("Votre demande est acceptée.")]) is False
    assert [m.text for m in relay.take("telegram:42")] == ["Votre demande est acceptée."]


def test_two_pollers_at_once_never_get_the_same_message(services: Services) -> None:
    from concurrent.futures import ThreadPoolExecutor

    relay = ChatRelay(InboxStore(services.sessions, services.clock))
    for trial in range(10):
        sender = f"web:race{trial}"
        relay.keep(sender, [OutboundMessage(f"message {trial}")])
        with ThreadPoolExecutor(max_workers=2) as pool:
            taken = list(pool.map(relay.take, [sender, sender]))
        assert sorted(len(t) for t in taken) == [0, 1]


def test_the_chats_with_messages_waiting_are_found_in_one_call(services: Services) -> None:
    relay = ChatRelay(InboxStore(services.sessions, services.clock))
    relay.keep("web:a", [OutboundMessage("Votre demande est acceptée.")])
    relay.keep("web:b", [OutboundMessage("Mot de passe provisoire : Xy7!kkPq", sensitive=True)])
    assert relay.waiting(["web:a", "web:b", "web:c"]) == {"web:a", "web:b"}
    relay.take("web:a")
    assert relay.waiting(["web:a", "web:b", "web:c"]) == {"web:b"}
