"""Per-chat state in memory lasts while the chat is being answered: a process that met 100,000 chats holds no more
than one that met ten (bench/startup.py measures the RSS)."""

from __future__ import annotations

import threading

from bot.messages import InboundMessage, OutboundMessage
from bot.services import Services
from bot.services.assistant import Assistant
from bot.services.chat_locks import ChatLocks
from bot.services.relay import ChatRelay
from bot.storage.inbox import InboxStore


def test_a_turn_of_a_chat_waits_for_the_one_in_progress_and_other_chats_do_not() -> None:
    locks = ChatLocks()
    entered = threading.Event()

    def second_turn() -> None:
        with locks.holding("web:a"):
            entered.set()

    with locks.holding("web:a"):
        with locks.holding("web:b"):  # another chat meanwhile: no wait
            assert len(locks) == 2
        waiting = threading.Thread(target=second_turn)
        waiting.start()
        assert not entered.wait(0.2)  # still in the first turn
    assert entered.wait(30)
    waiting.join()
    assert len(locks) == 0


def test_a_chat_is_forgotten_once_its_turns_are_over(assistant: Assistant) -> None:
    for index in range(30):
        assistant.handle(InboundMessage(f"web:visitor{index}", "bonjour"))
    assert len(assistant.chat_locks) == 0


def test_a_chat_left_nothing_to_wait_for_has_no_place_in_the_relays_memory(services: Services) -> None:
    relay = ChatRelay(InboxStore(services.sessions, services.clock))
    for index in range(30):
        relay.keep(f"web:visitor{index}", [OutboundMessage("Votre demande est acceptée.")])
    assert relay._memory == {}
    secret = OutboundMessage("Mot de passe provisoire : Xy7!kkPq", sensitive=True)
    relay.keep("web:visitor0", [secret])
    assert relay.take("web:visitor0") == [OutboundMessage("Votre demande est acceptée."), secret]
    assert relay._memory == {}
