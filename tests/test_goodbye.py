"""A goodbye wishes what the local hour calls for, in the assistant's words (knowledge/messages.yml)."""

from __future__ import annotations

from bot.services.assistant import Assistant
from tests.conftest import Chat, SettableClock


def test_a_goodbye_in_the_morning_wishes_a_good_day_and_at_night_a_good_evening(
    assistant: Assistant, clock: SettableClock
) -> None:
    morning = Chat(assistant, "web:morning")  # the test clock starts at 10:00, Paris time
    morning.say("/goodbye")
    assert "Au revoir et bonne journée !" in morning.text
    clock.advance(hours=11)
    night = Chat(assistant, "web:night")
    night.say("/goodbye")
    assert "Au revoir et bonne soirée !" in night.text and "journée" not in night.text
