"""What conversations leave for the dashboard: each chat's day, with its ENT, school and diagnosis, whether a person
took over and how often the assistant did not understand, and nothing personal."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import Services
from bot.storage.models import ChatDay, Ticket
from tests.conftest import Chat, SettableClock


def _days(services: Services) -> list[ChatDay]:
    with services.sessions() as session:
        return list(session.scalars(select(ChatDay).order_by(ChatDay.id)))


def test_a_diagnosis_is_counted_for_the_chats_day_with_its_school_and_ent(chat: Chat, services: Services) -> None:
    chat.say("je n'arrive pas à me connecter")
    chat.say("marie.dupont")  # provisional: not activated yet, Lycée Jean Moulin (monlycee)
    (day,) = _days(services)
    assert (day.day.isoformat(), day.channel, day.tenant, day.uai) == ("2026-11-25", "web", "monlycee", "0750001A")
    assert (day.diagnosis, day.handed_over, day.turns, day.misses) == ("not_activated", False, 2, 0)
    stored = {column.name: getattr(day, column.name) for column in ChatDay.__table__.columns}
    assert not any("marie" in str(value) for value in stored.values())


def test_a_ticket_marks_the_day_as_handed_over_and_gets_the_school(chat: Chat, services: Services) -> None:
    chat.say("je n'arrive pas à me connecter")
    chat.say("marie.dupont")
    chat.say("je veux parler a un conseiller")
    (day,) = _days(services)
    assert day.handed_over and day.turns == 3
    with services.sessions() as session:
        (ticket,) = session.scalars(select(Ticket))
    assert ticket.uai == "0750001A"


def test_misunderstood_messages_are_counted_and_a_new_day_is_a_new_row(
    chat: Chat, services: Services, clock: SettableClock
) -> None:
    chat.say("zorglub plonk wizz")
    chat.say("brrr kapoue fnord")
    clock.advance(days=1)
    chat.say("bonjour")
    first, second = _days(services)
    assert (first.day.isoformat(), first.misses, first.turns, first.diagnosis) == ("2026-11-25", 2, 2, None)
    assert (second.day.isoformat(), second.misses, second.turns) == ("2026-11-26", 0, 1)
    assert first.conversation_id == second.conversation_id
