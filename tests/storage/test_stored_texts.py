"""Each store is a redaction boundary: what it writes holds no password, and only identifiers name accounts."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from bot.core.redaction import NOT_AN_IDENTIFIER
from bot.logging_redaction import install_log_redaction, uninstall_log_redaction
from bot.messages import OutboundMessage
from bot.services import Services

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
SENTENCE = "mon mdp c'est tournesol je veux parler à un conseiller"


def test_a_ticket_keeps_as_login_only_a_well_formed_identifier(services: Services) -> None:
    ticket = services.tickets.open(
        "web:a", "web", "monlycee", SENTENCE, None, f"identifiant : {SENTENCE}", f"Usager : {SENTENCE}", NOW
    )
    assert ticket.login is None
    assert "tournesol" not in ticket.summary + ticket.transcript
    assert NOT_AN_IDENTIFIER in ticket.summary
    other = services.tickets.open("web:b", "web", "monlycee", " Marie.Dupont2 ", None, "s", "t", NOW)
    assert other.login == "marie.dupont2"


def test_a_bare_word_offered_as_login_is_kept_nowhere_in_the_ticket(services: Services) -> None:
    ticket = services.tickets.open(
        "web:a", "web", None, "tournesol", None, "identifiant : tournesol", "Usager : tournesol", NOW
    )
    assert ticket.login is None and "tournesol" not in ticket.summary + ticket.transcript


def test_ticket_messages_are_redacted(services: Services) -> None:
    ticket = services.tickets.open("web:a", "web", None, None, None, "s", "t", NOW)
    services.tickets.add_message(ticket.id, "user", "j'ai essayé tournesol mais ça marche pas", NOW)
    assert "tournesol" not in services.tickets.messages(ticket.id)[0][1]


def test_the_audit_log_names_no_free_text_and_redacts_details(services: Services) -> None:
    services.audit.append(NOW, "web:a", None, "web", "reset_password", SENTENCE, "unknown_target", "mdp: tournesol")
    services.audit.append(NOW, "web:a", None, "web", "reset_password", "Marie.Dupont", "done")
    services.audit.append(NOW, "desk", None, "web", "take_ticket", "ticket 3", "done")
    first, second, third = services.audit.since(0)
    assert first.target == NOT_AN_IDENTIFIER and "tournesol" not in (first.detail or "")
    assert second.target == "marie.dupont" and third.target == "ticket 3"
    assert services.audit.last_done("reset_password", "marie.dupont") == NOW


def test_a_turn_records_the_audit_entries_of_its_own_thread(services: Services) -> None:
    with services.audit.recording() as appended:
        services.audit.append(NOW, "web:a", None, "web", "reset_password", "Marie.Dupont", "done")
        elsewhere = threading.Thread(
            target=services.audit.append, args=(NOW, "web:b", None, "web", "reset_password", "lucas.martin", "done")
        )
        elsewhere.start()
        elsewhere.join()
    services.audit.append(NOW, "web:a", None, "web", "unlock_account", "marie.dupont", "done")
    assert [(e.actor, e.target, e.outcome) for e in appended] == [("web:a", "marie.dupont", "done")]
    assert appended == services.audit.since(0)[:1]


def _tracker(offered: str) -> dict[str, object]:
    return {
        "slots": {"username": offered, "link_login": "marie.dupont", "requested_slot": "username"},
        "active_loop": "diagnosis_form",
        "latest_message": {"text": offered, "entities": [], "intent": {"name": "inform"}},
        "events": [
            {"event": "user", "text": offered, "parse_data": {"text": offered, "entities": []}},
            {"event": "slot", "name": "username", "value": offered},
            {"event": "slot", "name": "username", "value": None},
        ],
    }


@pytest.mark.parametrize("offered", ["tournesol", SENTENCE, "Tournesol2024"])
def test_a_tracker_keeps_no_value_offered_as_identifier_that_is_not_one(services: Services, offered: str) -> None:
    services.conversations.save("web:a", "web", _tracker(offered), [("in", offered, "inform", 0.5)], NOW)
    stored = services.conversations.load("web:a") or {}
    assert "tournesol" not in json.dumps(stored, ensure_ascii=False).lower()
    assert stored["slots"]["username"] is None and stored["slots"]["link_login"] == "marie.dupont"
    assert "tournesol" not in services.conversations.transcript("web:a")[0][1].lower()


def test_a_tracker_keeps_a_well_formed_identifier(services: Services) -> None:
    services.conversations.save("web:a", "web", _tracker("marie.dupont2"), [("in", "marie.dupont2", None, None)], NOW)
    stored = services.conversations.load("web:a") or {}
    assert stored["slots"]["username"] == "marie.dupont2"
    assert services.conversations.transcript("web:a") == [("in", "marie.dupont2")]


def test_an_inbox_message_is_stored_redacted(services: Services) -> None:
    services.relay.keep("web:a", [OutboundMessage("Conseiller : votre mdp c'est tournesol ?")])
    with services.database.connect() as connection:
        stored = connection.exec_driver_sql("select message from chat_inbox").scalar_one()
    assert "tournesol" not in str(stored)


@pytest.fixture
def redacted_logs() -> Iterator[None]:
    install_log_redaction()
    yield
    uninstall_log_redaction()


def test_every_log_record_is_redacted_whatever_its_logger_and_handler(redacted_logs: None) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("bot.some.module")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("parsed %r", "mot de passe : tournesol")
        try:
            raise ValueError("j'ai tapé tournesol")
        except ValueError:
            logger.exception("turn failed for %s", "marie.dupont@gmail.com")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    written = stream.getvalue()
    assert "parsed" in written and "ValueError" in written
    assert "tournesol" not in written and "marie.dupont@gmail.com" not in written


def _saved_then_loaded(services: Services, tracker: dict[str, Any]) -> dict[str, Any]:
    services.conversations.save("web:a", "web", tracker, [], NOW)
    return services.conversations.load("web:a") or {}


def test_an_event_changed_after_it_was_read_is_redacted_again(services: Services) -> None:
    earlier = _saved_then_loaded(services, _tracker("marie.dupont"))
    earlier["events"][0]["text"] = "mon mdp c'est Tournesol2024!"  # an earlier event changed by the turn, not a new one
    stored = _saved_then_loaded(services, earlier)
    assert "tournesol" not in json.dumps(stored, ensure_ascii=False).lower()


def test_a_value_refused_as_identifier_leaves_the_words_of_earlier_turns_too(services: Services) -> None:
    first = _saved_then_loaded(services, _tracker("marie.dupont"))
    first["events"] = [{"event": "user", "text": "tournesol", "parse_data": {"text": "tournesol", "entities": []}}]
    second = _saved_then_loaded(services, first)
    assert second["events"][0]["text"] == "tournesol"  # a word the redaction lets through, on its own
    second["events"].append({"event": "slot", "name": "username", "value": "tournesol"})  # now offered as an identifier
    stored = _saved_then_loaded(services, second)
    assert "tournesol" not in json.dumps(stored, ensure_ascii=False).lower()


def test_a_loaded_tracker_is_the_callers_own(services: Services) -> None:
    loaded = _saved_then_loaded(services, _tracker("marie.dupont"))
    loaded["slots"]["link_login"] = "chloe.bernard"
    assert (services.conversations.load("web:a") or {})["slots"]["link_login"] == "marie.dupont"
